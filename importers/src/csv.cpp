#include "csv.h"

namespace smorg::importers::detail {

bool CsvReader::next(CsvRecord& record, CsvSyntaxError& error) {
    record.fields.clear();
    scratch_.clear();
    error = {};
    const std::size_t n = text_.size();
    if (pos_ >= n) return false;
    record.line = line_;
    auto newline = [&](std::size_t at) {
        ++line_;
        line_start_ = at + 1;
    };
    auto skip_to_record_end = [&] {
        while (pos_ < n && text_[pos_] != '\n') ++pos_;
        if (pos_ < n) {
            newline(pos_);
            ++pos_;
        }
        record.fields.clear();
    };
    while (true) {
        CsvField field;
        field.line = line_;
        field.column = pos_ - line_start_ + 1;
        if (pos_ < n && text_[pos_] == '"') {
            const std::size_t open_line = line_;
            const std::size_t open_column = field.column;
            ++pos_;
            const std::size_t start = pos_;
            bool escaped = false;
            bool closed = false;
            while (pos_ < n) {
                const char c = text_[pos_];
                if (c == '"') {
                    if (pos_ + 1 < n && text_[pos_ + 1] == '"') {
                        escaped = true;
                        pos_ += 2;
                        continue;
                    }
                    closed = true;
                    break;
                }
                if (c == '\n') newline(pos_);
                ++pos_;
            }
            if (!closed) {
                error = {open_line, open_column,
                         "unterminated quoted field: the closing quote is missing (is the file truncated?)"};
                pos_ = n;
                record.fields.clear();
                return true;
            }
            std::string_view raw = text_.substr(start, pos_ - start);
            ++pos_;  // the closing quote
            if (escaped) {
                std::string& unescaped = scratch_.emplace_back();
                unescaped.reserve(raw.size());
                for (std::size_t i = 0; i < raw.size(); ++i) {
                    unescaped.push_back(raw[i]);
                    if (raw[i] == '"') ++i;
                }
                raw = unescaped;
            }
            field.text = raw;
            if (pos_ < n && text_[pos_] == '\r' && (pos_ + 1 == n || text_[pos_ + 1] == '\n')) ++pos_;
            if (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n') {
                error = {line_, pos_ - line_start_ + 1, "unexpected character after a closing quote"};
                skip_to_record_end();
                return true;
            }
        } else {
            const std::size_t start = pos_;
            while (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n') {
                if (text_[pos_] == '"') {
                    error = {line_, pos_ - line_start_ + 1, "a quote inside an unquoted field (quote the whole field)"};
                    skip_to_record_end();
                    return true;
                }
                ++pos_;
            }
            std::size_t stop = pos_;
            if (stop > start && text_[stop - 1] == '\r' && (pos_ == n || text_[pos_] == '\n')) --stop;
            field.text = text_.substr(start, stop - start);
        }
        record.fields.push_back(field);
        if (pos_ >= n) return true;
        if (text_[pos_] == ',') {
            ++pos_;
            continue;
        }
        // '\n'
        newline(pos_);
        ++pos_;
        return true;
    }
}

}  // namespace smorg::importers::detail
