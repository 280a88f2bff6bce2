#pragma once

// An RFC 4180 reader over one chunk of text: quoted fields (with "" for a quote and newlines
// inside), CRLF or LF, a missing final newline. Fields are views into the text, or into the
// reader's scratch space when a quoted field had to be unescaped (valid until the next record).

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace smorg::importers::detail {

struct CsvField {
    std::string_view text;
    std::size_t line = 0;    // where the field starts
    std::size_t column = 0;  // 1-based byte column of its first character (the quote, if quoted)
};

struct CsvRecord {
    std::size_t line = 0;  // where the record starts
    std::vector<CsvField> fields;
    bool blank() const { return fields.size() == 1 && fields[0].text.empty(); }
};

struct CsvSyntaxError {
    std::size_t line = 0;
    std::size_t column = 0;
    std::string message;
};

class CsvReader {
public:
    CsvReader(std::string_view text, std::size_t first_line) : text_(text), line_(first_line) {}

    // Reads the next record. Returns false at the end. On a syntax error, fills `error`, skips the
    // rest of the record and returns true with record.fields empty.
    bool next(CsvRecord& record, CsvSyntaxError& error);
    // Where the next record starts: its byte offset and line.
    std::size_t position() const noexcept { return pos_; }
    std::size_t line() const noexcept { return line_; }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t line_;
    std::size_t line_start_ = 0;  // offset of the current line's first byte
    std::deque<std::string> scratch_;
};

}  // namespace smorg::importers::detail
