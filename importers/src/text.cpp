#include "text.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include <zlib.h>

#include "smorg/graph/files.h"
#include "smorg/graph/run_context.h"
#include "smorg/importers/import_error.h"

namespace smorg::importers::detail {

namespace {

// The whole of a regular file, at most `max_bytes` of it.
std::string read_plain(const std::string& path, std::uint64_t max_bytes) {
    try {
        graph::InputFile file(path);
        if (file.size() > max_bytes) {
            throw ImportError(path, 0, 0, "",
                              "the file has " + graph::format_bytes(static_cast<double>(file.size())) + ", more than the " +
                                  graph::format_bytes(static_cast<double>(max_bytes)) + " an import reads (max_file_bytes)");
        }
        std::string text(static_cast<std::size_t>(file.size()), '\0');
        file.stream().read(text.data(), static_cast<std::streamsize>(text.size()));
        if (static_cast<std::uint64_t>(file.stream().gcount()) != file.size()) {
            throw ImportError(path, 0, 0, "", "read error: the file shrank while it was read");
        }
        return text;
    } catch (const graph::FileError& e) {
        throw ImportError(path, 0, 0, "", e.reason());
    }
}

// Inflates one or more concatenated gzip members; a stream that ends early is an error at the line
// where the text stops. The text may be at most `max_bytes` and kMaxInflateRatio times the packed size.
std::string read_gzip(const std::string& path, std::uint64_t max_bytes) {
    const std::string packed = read_plain(path, max_bytes);
    const std::uint64_t limit =
        std::min<std::uint64_t>(max_bytes, std::max<std::uint64_t>(1 << 20, packed.size() * kMaxInflateRatio));
    const auto* begin = reinterpret_cast<const Bytef*>(packed.data());
    const std::size_t total = packed.size();
    auto line_at_end = [](const std::string& text) {
        return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    };
    std::string text;
    text.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(limit, total * 4)));
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
        if (text.size() + produced > limit) {
            inflateEnd(&z);
            throw ImportError(path, line_at_end(text), 0, "",
                              "the gzip data inflates past " + graph::format_bytes(static_cast<double>(limit)) +
                                  (limit < max_bytes ? " (" + std::to_string(kMaxInflateRatio) + " times its packed size)"
                                                     : std::string(" (max_file_bytes)")) +
                                  ": refused as a likely decompression bomb");
        }
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

std::string read_file(const std::string& path, std::uint64_t max_bytes) {
    std::string lower = path;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string text = ends_with(lower, ".gz") ? read_gzip(path, max_bytes) : read_plain(path, max_bytes);
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
        return text.size() == word.size() && std::equal(text.begin(), text.end(), word.begin(), [](char a, char b) {
                   return std::tolower(static_cast<unsigned char>(a)) == b;
               });
    };
    if (equals("true")) return true;
    if (equals("false")) return false;
    return std::nullopt;
}

}  // namespace smorg::importers::detail
