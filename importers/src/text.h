#pragma once

// Low-level text helpers for the parsers: reading whole files (plain or gzip), UTF-8 validation,
// strict number parsing. Everything reports problems with a location the caller turns into an
// ImportError.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smorg::importers::detail {

// The whole content of `path`, gunzipped when it ends in ".gz". Throws ImportError (line 0) when it
// cannot be read, and at the line where the text stops when a gzip stream is cut short.
std::string read_file(const std::string& path);

// The file name without ".gz", lower-cased: for choosing a format by extension.
std::string logical_name(const std::string& path);

// Byte offset of the first invalid UTF-8 sequence, or npos when `text` is valid UTF-8.
std::size_t invalid_utf8_at(std::string_view text) noexcept;

// Strict numbers: optional surrounding ASCII blanks, no thousands separators, finite only.
std::optional<double> parse_number(std::string_view text) noexcept;
std::optional<std::int64_t> parse_integer(std::string_view text) noexcept;
// true/false (any case), yes/no are not accepted: they are strings.
std::optional<bool> parse_boolean(std::string_view text) noexcept;

std::string_view trim(std::string_view text) noexcept;
// "12,5" -> "\"12,5\"", shortened when long, for messages.
std::string shown(std::string_view text);

}  // namespace smorg::importers::detail
