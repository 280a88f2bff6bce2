#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace smorg::importers {

// One problem in an input file, with its place as data: `file:line:column: column 'clv': expected a
// number, got "12,5"`. line and column are 1-based; 0 means unknown (e.g. a whole-file problem).
// `field` names the column or JSON key at fault, when there is one.
class ImportError : public std::runtime_error {
public:
    ImportError(std::string file, std::size_t line, std::size_t column, std::string field, std::string message);
    // The same problem in a row table (ImportSpec::node_rows, edge_rows), where line L is row L - 1:
    // `node_rows: row 3: column 'kind': ...`.
    ImportError in_table() const;

    // True for a problem in a row table: file() is the table's name and row() its place.
    bool table() const noexcept { return table_; }
    std::size_t row() const noexcept { return line_ > 0 ? line_ - 1 : 0; }

    const std::string& file() const noexcept { return file_; }
    std::size_t line() const noexcept { return line_; }
    std::size_t column() const noexcept { return column_; }
    const std::string& field() const noexcept { return field_; }
    // The problem without the location prefix.
    const std::string& message() const noexcept { return message_; }

private:
    std::string file_;
    std::size_t line_;
    std::size_t column_;
    std::string field_;
    std::string message_;
    bool table_ = false;
};

// An import that did not land: every error found (up to the import's max_errors), and how many
// there were in all. Nothing of the batch was stored.
class ImportFailed : public std::runtime_error {
public:
    ImportFailed(std::vector<ImportError> errors, std::size_t total);

    const std::vector<ImportError>& errors() const noexcept { return errors_; }
    std::size_t total() const noexcept { return total_; }

private:
    std::vector<ImportError> errors_;
    std::size_t total_;
};

// The store cannot be opened or written (I/O error, a file that is not a smorg database, a newer
// schema). Nothing of the failed operation was stored.
class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace smorg::importers
