#pragma once

// Splitting a file's text into chunks that start at record boundaries, each with the line number it
// starts at, so chunks parse in parallel and still report exact lines.

#include <cstddef>
#include <string_view>
#include <vector>

namespace smorg::importers::detail {

struct Chunk {
    std::size_t begin = 0;  // byte offset of the chunk's first record
    std::size_t end = 0;    // one past its last byte
    std::size_t line = 1;   // 1-based line number at `begin`
};

// Chunks of about `target` bytes. With `csv_quotes`, a newline inside a double-quoted field is not
// a boundary (a serial quote-parity scan, needed only when the text has a quote at all); otherwise
// every newline is, and chunks are found and their lines counted in parallel.
std::vector<Chunk> split_chunks(std::string_view text, std::size_t target, bool csv_quotes);

// Chunk size used by the importers; tests lower it to put boundaries where they want them.
std::size_t chunk_bytes() noexcept;
void set_chunk_bytes(std::size_t bytes) noexcept;

}  // namespace smorg::importers::detail
