#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "smorg/graph/types.h"

namespace smorg::graph {

// Parses a timestamp as accepted on input: an integer number of seconds since the Unix epoch
// ("1700000000", "-5"), or ISO-8601 in UTC or with an offset: "2024-03-01", "2024-03-01T12:30:00",
// "2024-03-01T12:30:00Z", "2024-03-01 12:30:00.250+02:00" (fractions of a second are dropped).
// Returns nullopt on anything else, including impossible dates (2023-02-29).
std::optional<Timestamp> parse_timestamp(std::string_view text) noexcept;

// ISO-8601 in UTC: "2024-03-01T12:30:00Z".
std::string format_timestamp(Timestamp t);

}  // namespace smorg::graph
