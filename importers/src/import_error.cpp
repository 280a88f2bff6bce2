#include "smorg/importers/import_error.h"

namespace smorg::importers {

namespace {
std::string located(const std::string& file, std::size_t line, std::size_t column, const std::string& field,
                    const std::string& message) {
    std::string out = file.empty() ? std::string("<input>") : file;
    if (line > 0) {
        out += ':' + std::to_string(line);
        if (column > 0) out += ':' + std::to_string(column);
    }
    out += ": ";
    if (!field.empty()) out += "column '" + field + "': ";
    return out + message;
}
}  // namespace

ImportError::ImportError(std::string file, std::size_t line, std::size_t column, std::string field,
                         std::string message)
    : std::runtime_error(located(file, line, column, field, message)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      field_(std::move(field)),
      message_(std::move(message)) {}

namespace {
std::string summary(const std::vector<ImportError>& errors, std::size_t total) {
    std::string out = "import failed with " + std::to_string(total) + (total == 1 ? " error" : " errors") +
                      "; nothing was imported";
    for (const auto& e : errors) out += std::string("\n  ") + e.what();
    if (total > errors.size()) out += "\n  ... and " + std::to_string(total - errors.size()) + " more";
    return out;
}
}  // namespace

ImportFailed::ImportFailed(std::vector<ImportError> errors, std::size_t total)
    : std::runtime_error(summary(errors, total)), errors_(std::move(errors)), total_(total) {}

}  // namespace smorg::importers
