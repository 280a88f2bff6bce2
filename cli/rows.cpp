// `smorg query --format csv|jsonl`: an answer's rows as a table for spreadsheets and data frames.

#include <algorithm>
#include <optional>
#include <ostream>

#include "cli.h"

namespace smorg::cli {

namespace {

// One row as flat cells: nested objects become dotted names ("components.value.raw"); arrays stay
// JSON text in one cell.
void flatten(const json& value, const std::string& prefix, json& out) {
    if (value.is_object() && !value.empty()) {
        for (const auto& [key, item] : value.items()) flatten(item, prefix.empty() ? key : prefix + "." + key, out);
    } else {
        out[prefix] = value;
    }
}

// The table an answer offers: `field` when given, else its "rows".
const json* table_of(const json& result, const std::string& field) {
    const auto name = field.empty() ? std::string("rows") : field;
    if (!result.is_object() || !result.contains(name)) return nullptr;
    const auto& table = result[name];
    if (!table.is_array() || std::any_of(table.begin(), table.end(), [](const json& r) { return !r.is_object(); }))
        return nullptr;
    return &table;
}

// The answer's fields that are tables, for the error that lists them.
std::string tables_in(const json& result) {
    std::string out;
    if (!result.is_object()) return out;
    for (const auto& [key, value] : result.items()) {
        if (value.is_array() && !value.empty() && value.front().is_object()) out += (out.empty() ? "" : ", ") + key;
    }
    return out;
}

std::string csv_cell(const json& value) {
    if (value.is_null()) return "";
    std::string text = value.is_string() ? value.get<std::string>() : queries::to_text(value);
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + '"';
}

}  // namespace

std::optional<std::string> write_rows(std::ostream& out, const json& response, const std::string& format,
                                      const std::string& field) {
    const bool batch = response.is_array();
    std::vector<json> rows;
    const auto collect = [&](const json& answer, std::size_t index) -> std::optional<std::string> {
        const auto& result = answer["result"];
        const json* table = table_of(result, field);
        if (!table) {
            const auto tables = tables_in(result);
            return "the " + answer.value("op", std::string("query")) + " answer has no table '" +
                   (field.empty() ? std::string("rows") : field) + "'" +
                   (tables.empty() ? std::string("; use --format json") : "; choose one with --rows: " + tables);
        }
        for (const auto& row : *table) {
            json flat = json::object();
            if (batch) flat["request"] = index;
            flatten(row, "", flat);
            rows.push_back(std::move(flat));
        }
        return std::nullopt;
    };
    if (batch) {
        // The answers that have the table give rows (column `request`: their index); the others
        // (imports, stats) none. A batch where none has it is the same error as a single answer.
        std::optional<std::string> first_error;
        bool any = false;
        for (std::size_t i = 0; i < response.size(); ++i) {
            if (!queries::response_ok(response[i])) continue;
            auto error = collect(response[i], i);
            any = any || !error;
            if (error && !first_error) first_error = std::move(error);
        }
        if (!any) return first_error.value_or("the batch has no answer with rows");
    } else if (auto error = collect(response, 0)) {
        return error;
    }
    if (format == "jsonl") {
        for (const auto& row : rows) out << queries::to_text(row, -1) << '\n';
        return std::nullopt;
    }
    // The header: identity first, then every other field any row has, in name order.
    static const std::vector<std::string> kFirst{"request", "rank", "id", "name", "kind"};
    std::vector<std::string> header;
    for (const auto& k : kFirst) {
        if (std::any_of(rows.begin(), rows.end(), [&](const json& r) { return r.contains(k); })) header.push_back(k);
    }
    std::vector<std::string> rest;
    for (const auto& row : rows) {
        for (const auto& [key, value] : row.items()) {
            if (std::find(header.begin(), header.end(), key) == header.end() &&
                std::find(rest.begin(), rest.end(), key) == rest.end()) {
                rest.push_back(key);
            }
        }
    }
    std::sort(rest.begin(), rest.end());
    header.insert(header.end(), rest.begin(), rest.end());
    for (std::size_t i = 0; i < header.size(); ++i) out << (i ? "," : "") << csv_cell(header[i]);
    out << '\n';
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < header.size(); ++i) {
            out << (i ? "," : "") << (row.contains(header[i]) ? csv_cell(row[header[i]]) : "");
        }
        out << '\n';
    }
    return std::nullopt;
}

}  // namespace smorg::cli
