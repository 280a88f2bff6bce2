#include "smorg/importers/import_error.h"

#include "smorg/graph/text.h"

namespace smorg::importers {

namespace {
// `file:line:column: column 'field': message`, or in a row table `table: row R: column 'field': message`.
std::string located(const std::string& file, std::size_t line, std::size_t column, const std::string& field,
                    const std::string& message, bool table = false) {
    std::string out = file.empty() ? std::string("<input>") : file;
    if (table) {
        if (line > 0) out += ": row " + std::to_string(line - 1);
    } else if (line > 0) {
        out += ':' + std::to_string(line);
        if (column > 0) out += ':' + std::to_string(column);
    }
    out += ": ";
    if (!field.empty()) out += "column '" + field + "': ";
    return out + message;
}
}  // namespace

// File names, fields and messages quote the input, which may not be UTF-8: made printable here, once.
ImportError::ImportError(std::string file, std::size_t line, std::size_t column, std::string field, std::string message)
    : std::runtime_error(located(graph::printable(file), line, column, graph::printable(field), graph::printable(message))),
      file_(graph::printable(file)),
      line_(line),
      column_(column),
      field_(graph::printable(field)),
      message_(graph::printable(message)) {}

ImportError ImportError::in_table() const {
    ImportError e(*this);
    e.table_ = true;
    static_cast<std::runtime_error&>(e) = std::runtime_error(located(file_, line_, column_, field_, message_, true));
    return e;
}

namespace {
std::string summary(const std::vector<ImportError>& errors, std::size_t total) {
    std::string out =
        "import failed with " + std::to_string(total) + (total == 1 ? " error" : " errors") + "; nothing was imported";
    for (const auto& e : errors) out += std::string("\n  ") + e.what();
    if (total > errors.size()) out += "\n  ... and " + std::to_string(total - errors.size()) + " more";
    return out;
}
}  // namespace

ImportFailed::ImportFailed(std::vector<ImportError> errors, std::size_t total)
    : std::runtime_error(summary(errors, total)), errors_(std::move(errors)), total_(total) {}

}  // namespace smorg::importers
