#include "smorg/graph/text.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace smorg::graph {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
std::size_t sequence_at(const unsigned char* s, std::size_t n, std::size_t i) noexcept {
    const unsigned char c = s[i];
    if (c < 0x80) return 1;
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
        len = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (i + len > n) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        if ((s[i + k] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return len;
}

}  // namespace

std::size_t invalid_utf8_at(std::string_view text) noexcept {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        // ASCII fast path, 8 bytes at a time.
        while (i + 8 <= n) {
            std::uint64_t chunk;
            std::memcpy(&chunk, s + i, 8);
            if (chunk & 0x8080808080808080ull) break;
            i += 8;
        }
        if (i >= n) break;
        const auto len = sequence_at(s, n, i);
        if (len == 0) return i;
        i += len;
    }
    return std::string_view::npos;
}

std::string printable(std::string_view text) {
    if (invalid_utf8_at(text) == std::string_view::npos && text.find('\0') == std::string_view::npos) {
        return std::string(text);
    }
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::string out;
    out.reserve(n + 16);
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < n;) {
        if (s[i] == 0) {
            out += "\\0";
            ++i;
            continue;
        }
        const auto len = sequence_at(s, n, i);
        if (len == 0) {
            out += "\\x";
            out += kHex[s[i] >> 4];
            out += kHex[s[i] & 0xF];
            ++i;
            continue;
        }
        out.append(text.substr(i, len));
        i += len;
    }
    return out;
}

std::string pointer_append(const std::string& pointer, std::string_view key) {
    std::string out = pointer;
    out += '/';
    for (char c : key) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

std::string quoted(std::string_view text, std::size_t max) {
    std::size_t end = std::min(text.size(), max);
    while (end > 0 && end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // whole characters
    return "\"" + printable(text.substr(0, end)) + (end < text.size() ? "...\"" : "\"");
}

namespace {

// The text of a JSON string whose opening quote is at text[i]; i ends past the closing quote.
// Escapes other than \uXXXX are decoded; \uXXXX is kept as written (pointers are for people).
std::string json_string(std::string_view text, std::size_t& i) {
    std::string out;
    for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
            const char e = text[++i];
            switch (e) {
                case 'n':
                    out += '\n';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'u':
                    out += "\\u";
                    break;
                default:
                    out += e;
            }
        } else {
            out += text[i];
        }
    }
    ++i;
    return out;
}

}  // namespace

namespace {
// Levenshtein distance (small strings: names).
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}
}  // namespace

std::string closest_word(std::string_view word, const std::vector<std::string>& known) {
    if (word.size() > 256) return {};
    std::string closest;
    std::size_t best = std::max<std::size_t>(1, word.size() / 4) + 1;
    for (const auto& k : known) {
        if (k.size() > 256) continue;
        const auto d = edit_distance(word, k);
        if (d < best) {
            best = d;
            closest = k;
        }
    }
    return closest;
}

std::optional<JsonTooDeep> json_too_deep(std::string_view text, std::size_t max_depth) {
    struct Level {
        bool array;
        std::size_t index;  // arrays: the current element
        std::string key;    // objects: the current key
    };
    std::vector<Level> stack;
    auto pointer = [&] {
        std::string p;
        for (const auto& level : stack) {
            if (level.array) {
                p = pointer_append(p, std::to_string(level.index));
            } else {
                p = pointer_append(p, level.key);
            }
        }
        return p;
    };
    bool expect_key = false;
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        if (c == '"') {
            std::string s = json_string(text, i);
            if (expect_key && !stack.empty() && !stack.back().array) {
                stack.back().key = printable(s);
                expect_key = false;
            }
            continue;
        }
        if (c == '{' || c == '[') {
            if (stack.size() >= max_depth) return JsonTooDeep{i, pointer()};
            stack.push_back({c == '[', 0, {}});
            expect_key = c == '{';
        } else if (c == '}' || c == ']') {
            if (!stack.empty()) stack.pop_back();
            expect_key = false;
        } else if (c == ',') {
            if (!stack.empty()) {
                if (stack.back().array) {
                    ++stack.back().index;
                } else {
                    expect_key = true;
                }
            }
        }
        ++i;
    }
    return std::nullopt;
}

}  // namespace smorg::graph
