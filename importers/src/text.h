#pragma once

// Low-level text helpers for the parsers: reading whole files (plain or gzip), UTF-8 validation,
// strict number parsing. Everything reports problems with a location the caller turns into an
// ImportError.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "smorg/graph/text.h"

namespace smorg::importers::detail {

// A gzip file may inflate to at most this many times its size (a decompression bomb is refused).
inline constexpr std::uint64_t kMaxInflateRatio = 100;

// The whole content of the regular file `path`, gunzipped when it ends in ".gz", at most
// `max_bytes` of text. Throws ImportError (line 0) when it cannot be read, is not a regular file
// or is too large, and at the line where the text stops when a gzip stream is cut short.
std::string read_file(const std::string& path, std::uint64_t max_bytes);

// The file name without ".gz", lower-cased: for choosing a format by extension.
std::string logical_name(const std::string& path);

using graph::invalid_utf8_at;

// Strict numbers: optional surrounding ASCII blanks, no thousands separators, finite only.
std::optional<double> parse_number(std::string_view text) noexcept;
std::optional<std::int64_t> parse_integer(std::string_view text) noexcept;
// true/false (any case), yes/no are not accepted: they are strings.
std::optional<bool> parse_boolean(std::string_view text) noexcept;

std::string_view trim(std::string_view text) noexcept;
// "12,5" -> "\"12,5\"", printable and shortened when long, for messages.
inline std::string shown(std::string_view text) { return graph::quoted(text); }

}  // namespace smorg::importers::detail
