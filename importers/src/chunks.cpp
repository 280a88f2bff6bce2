#include "chunks.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

namespace smorg::importers::detail {

namespace {
std::atomic<std::size_t> g_chunk_bytes{std::size_t{8} << 20};
}

std::size_t chunk_bytes() noexcept { return g_chunk_bytes.load(std::memory_order_relaxed); }
void set_chunk_bytes(std::size_t bytes) noexcept { g_chunk_bytes.store(std::max<std::size_t>(bytes, 1)); }

std::vector<Chunk> split_chunks(std::string_view text, std::size_t target, bool csv_quotes) {
    std::vector<Chunk> chunks;
    const std::size_t n = text.size();
    if (n == 0) return chunks;
    target = std::max<std::size_t>(target, 1);
    const bool has_quotes = csv_quotes && std::memchr(text.data(), '"', n) != nullptr;
    if (has_quotes) {
        // Serial: a newline ends a record only outside quotes; "" inside quotes flips parity twice.
        bool inside = false;
        std::size_t line = 1;
        Chunk current{0, 0, 1};
        for (std::size_t i = 0; i < n; ++i) {
            const char c = text[i];
            if (c == '"') {
                inside = !inside;
            } else if (c == '\n') {
                ++line;
                if (!inside && i + 1 - current.begin >= target && i + 1 < n) {
                    current.end = i + 1;
                    chunks.push_back(current);
                    current = Chunk{i + 1, 0, line};
                }
            }
        }
        current.end = n;
        chunks.push_back(current);
        return chunks;
    }
    std::size_t begin = 0;
    while (begin < n) {
        std::size_t end = std::min(n, begin + target);
        if (end < n) {
            const void* nl = std::memchr(text.data() + end - 1, '\n', n - (end - 1));
            end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) + 1 : n;
        }
        chunks.push_back({begin, end, 0});
        begin = end;
    }
    std::vector<std::size_t> lines(chunks.size());
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, chunks.size(), 1), [&](const auto& r) {
        for (std::size_t c = r.begin(); c != r.end(); ++c) {
            lines[c] = static_cast<std::size_t>(std::count(text.begin() + static_cast<std::ptrdiff_t>(chunks[c].begin),
                                                           text.begin() + static_cast<std::ptrdiff_t>(chunks[c].end), '\n'));
        }
    });
    std::size_t line = 1;
    for (std::size_t c = 0; c < chunks.size(); ++c) {
        chunks[c].line = line;
        line += lines[c];
    }
    return chunks;
}

}  // namespace smorg::importers::detail
