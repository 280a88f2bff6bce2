#pragma once

#include <cstdint>
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

// A calendar step: "12h", "30d", "1w", "3mo", "1y" (a positive count and a unit).
struct TimeStep {
    enum class Unit : std::uint8_t { hour, day, week, month, year };
    std::int64_t count = 0;
    Unit unit = Unit::day;
    static constexpr std::int64_t kMaxCount = 100'000;
};
// Nullopt for anything else (a count of 0 or above kMaxCount, an unknown unit).
std::optional<TimeStep> parse_time_step(std::string_view text) noexcept;
// `t` moved on by `times` steps. Hours, days and weeks are fixed lengths; months and years are
// calendar ones in UTC, the day of the month clamped to the month's last (Jan 31 + 1mo = Feb 28 or 29)
// and the time of day kept. Stepping from one start (start + i steps) never drifts.
Timestamp advance(Timestamp t, const TimeStep& step, std::int64_t times) noexcept;

}  // namespace smorg::graph
