// Node files in CSV: a header `id,kind,...` whose further columns become attributes (`name`,
// `department` and `clv` are well known), one person per row.
#include <algorithm>
#include <unordered_set>

#include "../csv.h"
#include "../stager.h"
#include "../text.h"

namespace smorg::importers::detail {

namespace {
std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}
}  // namespace

void Stager::csv_nodes(const std::string& file, const std::string& text) {
    CsvReader reader(text, 1);
    CsvRecord record;
    CsvSyntaxError syntax;
    if (!reader.next(record, syntax) || record.fields.empty()) {
        if (!syntax.message.empty()) {
            error(file, syntax.line, syntax.column, "", syntax.message);
        } else {
            error(file, 1, 1, "", "the file is empty: a nodes CSV needs a header row (id,kind,...)");
        }
        return;
    }
    if (record.fields.size() > kMaxAttributes + 2) {
        error(file, record.line, 1, "",
              "the header has " + std::to_string(record.fields.size()) + " columns; a database holds at most " +
                  std::to_string(kMaxAttributes) + " attributes");
        return;
    }
    // Header.
    std::optional<std::size_t> id_col, kind_col;
    std::vector<std::pair<std::size_t, std::string>> attribute_cols;  // (column, attribute name)
    std::unordered_set<std::string> seen;
    bool header_ok = true;
    for (std::size_t c = 0; c < record.fields.size(); ++c) {
        const auto& f = record.fields[c];
        if (!check_text(file, f.line, f.column, f.text, "")) {
            header_ok = false;
            continue;
        }
        const std::string name(trim(f.text));
        const std::string low = lower(name);
        const bool reserved = low == "id" || low == "kind" || low == "name" || low == "department" || low == "clv";
        const std::string key = reserved ? low : name;
        if (name.empty()) {
            error(file, f.line, f.column, "", "empty column name in the header");
            header_ok = false;
        } else if (auto problem = name_problem(name, "a column name")) {
            error(file, f.line, f.column, "", *problem);
            header_ok = false;
        } else if (!seen.insert(key).second) {
            error(file, f.line, f.column, name, "column '" + name + "' appears twice in the header");
            header_ok = false;
        } else if (key == "id") {
            id_col = c;
        } else if (key == "kind") {
            kind_col = c;
        } else {
            attribute_cols.emplace_back(c, key);
        }
    }
    if (!id_col && header_ok) {
        error(file, record.line, 1, "", "a nodes CSV needs an 'id' column (header: id,kind,...)");
        header_ok = false;
    }
    if (!header_ok) return;
    const std::size_t header_line = record.line;
    std::vector<std::size_t> header_column(attribute_cols.size());
    for (std::size_t a = 0; a < attribute_cols.size(); ++a) header_column[a] = record.fields[attribute_cols[a].first].column;
    const std::size_t width = record.fields.size();
    std::vector<RawValues> raw(attribute_cols.size());
    std::size_t rows = 0;
    while (reader.next(record, syntax)) {
        if (!syntax.message.empty()) {
            error(file, syntax.line, syntax.column, "", syntax.message);
            continue;
        }
        if (record.blank()) continue;
        ++rows;
        if (rows % 65536 == 0 && run_.cancelled()) break;
        if (record.fields.size() != width) {
            error(
                file, record.line, 1, "",
                "expected " + std::to_string(width) + " fields as in the header, found " + std::to_string(record.fields.size()));
            continue;
        }
        bool ok = true;
        for (const auto& f : record.fields) ok = check_text(file, f.line, f.column, f.text, "") && ok;
        if (!ok) continue;
        const auto& idf = record.fields[*id_col];
        std::optional<std::string_view> kind;
        if (kind_col) kind = trim(record.fields[*kind_col].text);
        const auto node =
            declare(file, idf.line, idf.column, kind_col ? record.fields[*kind_col].column : idf.column, trim(idf.text), kind);
        if (!node) continue;
        for (std::size_t a = 0; a < attribute_cols.size(); ++a) {
            const auto& f = record.fields[attribute_cols[a].first];
            if (f.text.empty()) continue;
            raw[a].emplace_back(*node, std::string(f.text), f.line, f.column);
        }
    }
    run_.throw_if_cancelled();
    if (!syntax.message.empty()) error(file, syntax.line, syntax.column, "", syntax.message);
    for (std::size_t a = 0; a < attribute_cols.size(); ++a) {
        typed_column(file, attribute_cols[a].second, header_line, header_column[a], raw[a]);
    }
    batch_.report.lines += rows + 1;
}

}  // namespace smorg::importers::detail
