#pragma once

// Text that reaches a user: answers and error messages are JSON, which must be valid UTF-8, and
// messages quote what the user sent, which may not be. Everything that echoes outside text goes
// through `printable` (or `quoted`), once, where the message is made.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smorg::graph {

// Byte offset of the first invalid UTF-8 sequence (overlong forms, surrogates and values past
// U+10FFFF included), or npos when `text` is valid UTF-8.
std::size_t invalid_utf8_at(std::string_view text) noexcept;

// `text` as valid UTF-8: each byte of an invalid sequence becomes "\xNN", NUL becomes "\0".
std::string printable(std::string_view text);

// A quoted, printable excerpt for messages: "12,5" -> "\"12,5\"", cut at `max` bytes (on a character
// boundary) with "..." when longer.
std::string quoted(std::string_view text, std::size_t max = 60);

// `pointer` with `key` appended as one JSON pointer token, '~' and '/' escaped (RFC 6901):
// ("/where", "a/b") -> "/where/a~1b".
std::string pointer_append(const std::string& pointer, std::string_view key);

// The known word closest to `word` when it looks like a typo of it (at most a quarter of its letters
// wrong, at least one): for "unknown X 'kidn'; did you mean 'kind'?". Empty when none is close.
std::string closest_word(std::string_view word, const std::vector<std::string>& known);

// JSON read from outside nests at most this deep (arrays and objects); deeper text is refused
// before it is parsed, so that no recursion over it (printing, copying) can exhaust the stack.
inline constexpr std::size_t kMaxJsonDepth = 64;

// Where JSON `text` first nests deeper than `max_depth`: the byte offset of the opening bracket and
// the JSON pointer of the value it starts ("/probability/0/0"). Nullopt when it does not; text that
// is not JSON is scanned as far as it goes (the parser reports what is wrong with it).
struct JsonTooDeep {
    std::size_t offset = 0;
    std::string pointer;
};
std::optional<JsonTooDeep> json_too_deep(std::string_view text, std::size_t max_depth = kMaxJsonDepth);

}  // namespace smorg::graph
