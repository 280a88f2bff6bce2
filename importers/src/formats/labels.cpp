// A labels file: "node value" per line (whitespace or comma between), '#' and '%' comments; the
// values become one attribute (the spec's label_attribute), typed from all of them.
#include "../stager.h"
#include "../text.h"

namespace smorg::importers::detail {

void Stager::labels(const std::string& file, const std::string& text) {
    RawValues raw;
    std::size_t line = 0;
    for (std::size_t start = 0; start < text.size();) {
        ++line;
        if (line % 65536 == 0) run_.throw_if_cancelled();
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string_view content(text.data() + start, end - start);
        start = end + 1;
        if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
        const auto trimmed = trim(content);
        if (trimmed.empty() || trimmed[0] == '#' || trimmed[0] == '%') continue;
        if (!check_text(file, line, 1, content, "")) continue;
        const std::size_t id_start = static_cast<std::size_t>(trimmed.data() - content.data());
        const auto split = trimmed.find_first_of(" \t,");
        if (split == std::string_view::npos) {
            error(file, line, id_start + 1, "", "expected 'node value', found one field");
            continue;
        }
        const auto id = trimmed.substr(0, split);
        auto value = trimmed.substr(split + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t' || value.front() == ',')) value.remove_prefix(1);
        const std::size_t value_column = static_cast<std::size_t>(value.data() - content.data()) + 1;
        if (value.empty()) {
            error(file, line, value_column, spec_.label_attribute, "empty label");
            continue;
        }
        const auto node = declare(file, line, id_start + 1, id_start + 1, id, std::nullopt);
        if (!node) continue;
        raw.emplace_back(*node, std::string(value), line, value_column);
    }
    batch_.report.lines += line;
    typed_column(file, spec_.label_attribute, 1, 1, raw);
}

}  // namespace smorg::importers::detail
