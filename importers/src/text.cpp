#include "text.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "smorg/importers/import_error.h"

namespace smorg::importers::detail {

namespace {

std::string read_plain(const std::string& path) {
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
    if (!file) throw ImportError(path, 0, 0, "", std::string("cannot open: ") + std::strerror(errno));
    std::string text;
    if (std::fseek(file.get(), 0, SEEK_END) == 0) {
        const long size = std::ftell(file.get());
        if (size > 0) text.reserve(static_cast<std::size_t>(size));
        std::fseek(file.get(), 0, SEEK_SET);
    }
    char buffer[1 << 16];
    std::size_t got = 0;
    while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, got);
    if (std::ferror(file.get())) throw ImportError(path, 0, 0, "", std::string("read error: ") + std::strerror(errno));
    return text;
}

// Inflates one or more concatenated gzip members; a stream that ends early is an error at the line
// where the text stops.
std::string read_gzip(const std::string& path) {
    const std::string packed = read_plain(path);
    const auto* begin = reinterpret_cast<const Bytef*>(packed.data());
    const std::size_t total = packed.size();
    auto line_at_end = [](const std::string& text) {
        return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    };
    std::string text;
    text.reserve(total * 4);
    z_stream z{};
    if (inflateInit2(&z, 15 + 32) != Z_OK) throw ImportError(path, 0, 0, "", "cannot start gzip decompression");
    z.next_in = const_cast<Bytef*>(begin);
    z.avail_in = static_cast<uInt>(std::min<std::size_t>(total, 1u << 30));
    std::vector<char> buffer(1 << 17);
    bool ended = false;
    while (true) {
        z.next_out = reinterpret_cast<Bytef*>(buffer.data());
        z.avail_out = static_cast<uInt>(buffer.size());
        const int status = inflate(&z, Z_NO_FLUSH);
        const std::size_t produced = buffer.size() - z.avail_out;
        text.append(buffer.data(), produced);
        const auto used = static_cast<std::size_t>(z.next_in - begin);
        if (status == Z_STREAM_END) {
            if (used >= total) {
                ended = true;
                break;
            }
            inflateReset(&z);  // another member follows
            z.avail_in = static_cast<uInt>(std::min<std::size_t>(total - used, 1u << 30));
            continue;
        }
        if (status == Z_OK || status == Z_BUF_ERROR) {
            if (z.avail_in == 0) {
                if (used >= total) break;  // input exhausted before the stream's end
                z.avail_in = static_cast<uInt>(std::min<std::size_t>(total - used, 1u << 30));
            } else if (status == Z_BUF_ERROR && produced == 0) {
                break;
            }
            continue;
        }
        const std::string reason = z.msg ? z.msg : "corrupt data";
        inflateEnd(&z);
        throw ImportError(path, line_at_end(text), 0, "", "the gzip data is corrupt (" + reason + ")");
    }
    inflateEnd(&z);
    if (!ended) throw ImportError(path, line_at_end(text), 0, "", "the file is truncated: its gzip stream ends early");
    return text;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string read_file(const std::string& path) {
    std::string lower = path;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string text = ends_with(lower, ".gz") ? read_gzip(path) : read_plain(path);
    // A UTF-8 byte-order mark says nothing the parsers need.
    if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
    return text;
}

std::string logical_name(const std::string& path) {
    std::string name = path;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ends_with(name, ".gz")) name.resize(name.size() - 3);
    return name;
}

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
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
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
            return i;
        }
        if (i + len > n) return i;
        for (std::size_t k = 1; k < len; ++k) {
            if ((s[i + k] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are invalid.
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return i;
        }
        i += len;
    }
    return std::string_view::npos;
}

std::string_view trim(std::string_view text) noexcept {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
    return text;
}

std::optional<double> parse_number(std::string_view text) noexcept {
    text = trim(text);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    if (text.empty()) return std::nullopt;
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
    return value;
}

std::optional<std::int64_t> parse_integer(std::string_view text) noexcept {
    text = trim(text);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<bool> parse_boolean(std::string_view text) noexcept {
    text = trim(text);
    auto equals = [&](std::string_view word) {
        return text.size() == word.size() &&
               std::equal(text.begin(), text.end(), word.begin(), [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
    };
    if (equals("true")) return true;
    if (equals("false")) return false;
    return std::nullopt;
}

std::string shown(std::string_view text) {
    constexpr std::size_t kMax = 60;
    std::string out = "\"";
    out.append(text.substr(0, kMax));
    if (text.size() > kMax) out += "...";
    out += '"';
    return out;
}

}  // namespace smorg::importers::detail
