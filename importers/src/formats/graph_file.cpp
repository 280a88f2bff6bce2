// What the four graph formats share: telling a format from a file's first bytes, and mapping a
// GraphFile onto the batch. Nodes: the id, the kind from the attribute node_kind_from names (default
// "kind") or --node-kind, every other value a typed attribute. Edges: the kind from edge_kind_from's
// attribute (default "kind") or --edge-kind; "weight", "timestamp" and "value" read as a CSV's columns
// are; other edge attributes have no place in smorg's edges and are dropped, counted in the report.
#include "graph_file.h"

#include <algorithm>

#include "smorg/graph/text.h"

#include "../text.h"

namespace smorg::importers::detail {

LineIndex::LineIndex(std::string_view text) {
    starts_.push_back(0);
    for (std::size_t at = text.find('\n'); at != std::string_view::npos; at = text.find('\n', at + 1)) starts_.push_back(at + 1);
}

Place LineIndex::at(std::size_t offset) const {
    const auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
    const auto line = static_cast<std::size_t>(it - starts_.begin());
    return {line, offset - starts_[line - 1] + 1};
}

std::uint32_t GraphFile::name(std::string_view text) {
    const auto [it, fresh] = ids_.emplace(std::string(text), static_cast<std::uint32_t>(names.size()));
    if (fresh) names.emplace_back(text);
    return it->second;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::optional<bool> xml_boolean(std::string_view text) noexcept {
    if (iequals(text, "true") || text == "1") return true;
    if (iequals(text, "false") || text == "0") return false;
    return std::nullopt;
}

namespace {

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// The first word of the text after blanks and `#` or `%` comment lines, and what follows it.
std::string_view first_word(std::string_view text, std::string_view& rest) {
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        if (i < text.size() && (text[i] == '#' || text[i] == '%')) {
            while (i < text.size() && text[i] != '\n') ++i;
            continue;
        }
        break;
    }
    const std::size_t s = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])) && text[i] != '[' && text[i] != '{') ++i;
    rest = text.substr(i);
    std::size_t j = 0;
    while (j < rest.size() && std::isspace(static_cast<unsigned char>(rest[j]))) ++j;
    rest.remove_prefix(j);
    return text.substr(s, i - s);
}

// The name of an XML document's root element, without its namespace prefix.
std::string root_element(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        if (i >= text.size() || text[i] != '<') return "";
        const auto tail = text.substr(i);
        std::string_view end;  // what ends a declaration, a comment or a document type
        if (starts_with(tail, "<?")) {
            end = "?>";
        } else if (starts_with(tail, "<!--")) {
            end = "-->";
        } else if (starts_with(tail, "<!")) {
            end = ">";
        } else {
            std::size_t e = i + 1;
            while (e < text.size() && !std::isspace(static_cast<unsigned char>(text[e])) && text[e] != '>' && text[e] != '/') ++e;
            std::string name(text.substr(i + 1, e - i - 1));
            if (const auto colon = name.find(':'); colon != std::string::npos) name.erase(0, colon + 1);
            return name;
        }
        const auto close = text.find(end, i);
        if (close == std::string_view::npos) return "";
        i = close + end.size();
    }
    return "";
}

}  // namespace

std::optional<Format> sniff_format(std::string_view text, std::string& problem) {
    if (starts_with(text, "\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte order mark
    if (starts_with(text, "\x1F\x8B")) {
        problem = "gzip-compressed data in a file whose name does not end in .gz: name it so";
        return std::nullopt;
    }
    if (starts_with(text, "PK\x03\x04")) {
        problem = "a ZIP archive (a spreadsheet workbook or a zipped export): unzip it, or save the sheet as CSV";
        return std::nullopt;
    }
    if (starts_with(text, std::string_view("SQLite format 3\0", 16))) {
        problem = "a SQLite database (a smorg database is opened with --db, not imported)";
        return std::nullopt;
    }
    if (starts_with(text, "PAR1")) {
        problem = "a Parquet file: write it as CSV or JSON Lines";
        return std::nullopt;
    }
    std::size_t i = 0;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i < text.size() && text[i] == '<') {
        const auto root = root_element(text.substr(i));
        if (root == "graphml") return Format::graphml;
        if (root == "gexf") return Format::gexf;
        problem = "an XML file whose root is <" + graph::printable(root.substr(0, 64)) +
                  ">: smorg reads XML as GraphML (<graphml>) or GEXF (<gexf>)";
        return std::nullopt;
    }
    if (i < text.size() && (text[i] == '{' || text[i] == '[')) {
        auto line_end = text.find('\n', i);
        if (line_end == std::string_view::npos) line_end = text.size();
        const auto first = trim(text.substr(i, line_end - i));
        if (text[i] == '{' && !first.empty() && first.back() == '}') return Format::jsonl;
        problem = "a JSON document that spans lines (node-link JSON?): smorg reads JSON Lines, one object per line";
        return std::nullopt;
    }
    std::string_view rest;
    const auto word = first_word(text, rest);
    if ((word == "graph" || word == "Creator" || word == "Version") &&
        (starts_with(rest, "[") || (word != "graph" && text.find("graph [") != std::string_view::npos) ||
         (word != "graph" && text.find("graph\n[") != std::string_view::npos))) {
        return Format::gml;
    }
    if (iequals(word, "*vertices") || iequals(word, "*network")) return Format::pajek;
    if (word == "digraph" || word == "strict" || ((word == "graph") && (rest.find('{') < rest.find('\n')))) {
        problem = "a Graphviz DOT file: smorg writes DOT but does not read it (save the graph as GraphML or GML)";
        return std::nullopt;
    }
    if (starts_with(word, "nodedef>")) {
        problem = "a GDF file: save it from Gephi as GEXF or GraphML";
        return std::nullopt;
    }
    return std::nullopt;
}

GraphFile Stager::read_graph_file(const std::string& file, const std::string& text, Format format) {
    LocalErrors local;
    local.max = errors_.max();
    GraphFile g;
    switch (format) {
        case Format::graphml:
            g = read_graphml(file, text, local, run_);
            break;
        case Format::gexf:
            g = read_gexf(file, text, local, run_);
            break;
        case Format::gml:
            g = read_gml(file, text, local, run_);
            break;
        case Format::pajek:
            g = read_pajek(file, text, local, run_);
            break;
        default:
            break;
    }
    errors_.merge(std::move(local.errors), local.total);
    batch_.report.lines +=
        static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + (!text.empty() && text.back() != '\n' ? 1 : 0);
    return g;
}

void Stager::graph_nodes(const std::string& file, GraphFile& g) {
    const std::string kind_name = spec_.node_kind_from.value_or(std::string(kDefaultKindAttribute));
    std::optional<std::uint32_t> kind_attribute;
    for (std::uint32_t i = 0; i < g.names.size(); ++i) {
        if (g.names[i] == kind_name) kind_attribute = i;
    }
    if (spec_.node_kind_from && !kind_attribute && !g.nodes.empty()) {
        error(file, 1, 1, "node_kind_from",
              "no node of the file has the attribute '" + kind_name + "' that node_kind_from names");
        return;
    }
    for (auto& n : g.nodes) {
        if (errors_.full()) return;
        std::optional<std::string_view> kind;
        std::size_t kind_column = n.at.column;
        for (const auto& v : n.values) {
            if (v.name == kind_attribute && !trim(v.text).empty()) {
                kind = trim(v.text);
                kind_column = v.at.line == n.at.line ? v.at.column : n.at.column;
            }
        }
        if (!check_text(file, n.at.line, n.at.column, n.id, "id")) continue;
        const auto node = declare(file, n.at.line, n.at.column, kind_column, n.id, kind);
        if (!node) continue;
        for (auto& v : n.values) {
            if (v.name == kind_attribute) continue;
            const auto& name = g.names[v.name];
            if (name == "id" || name == kDefaultKindAttribute) {  // the node's own id and kind are not attributes
                g.drop("node", name);
                continue;
            }
            if (auto problem = name_problem(name, "an attribute name")) {
                error(file, v.at.line, v.at.column, graph::printable(name), *problem);
                continue;
            }
            if (!check_text(file, v.at.line, v.at.column, name, "")) continue;  // a name that is not UTF-8
            set_value(*node, name, std::move(v.value), file, v.at.line, v.at.column);
        }
    }
}

void Stager::graph_edges(const std::string& file, GraphFile& g) {
    const std::string kind_name = spec_.edge_kind_from.value_or(std::string(kDefaultKindAttribute));
    std::vector<std::optional<EdgeColumn>> columns(g.names.size());
    bool kind_seen = false;
    for (std::size_t i = 0; i < g.names.size(); ++i) {
        const auto& name = g.names[i];
        if (name == kind_name) {
            columns[i] = EdgeColumn::kind;
        } else if (name == "weight" || name == "timestamp" || name == "value") {
            columns[i] = edge_column(name);
        }
    }
    std::vector<EdgeChunk> chunks(1);
    auto& out = chunks[0];
    out.errors.max = errors_.max();
    for (auto& e : g.edges) {
        if (out.errors.errors.size() >= out.errors.max) break;
        EdgeDraft draft;
        draft.kind = out.kind(spec_.edge_kind, e.at.line, e.at.column);
        bool ok = true;
        for (const auto* end : {&e.source, &e.target}) {
            const auto bad = invalid_utf8_at(*end);
            if (bad != std::string_view::npos || end->find('\0') != std::string::npos) {
                out.errors.add(file, e.at.line, e.at.column, end == &e.source ? "source" : "target",
                               "the id holds invalid UTF-8 or a NUL byte");
                ok = false;
            }
        }
        ok = ok && edge_end(out, draft, false, e.source, file, e.at.line, e.at.column) &&
             edge_end(out, draft, true, e.target, file, e.at.line, e.at.column);
        for (const auto& v : e.values) {
            if (!ok) break;
            const auto column = columns[v.name];
            if (!column) {
                g.drop("edge", g.names[v.name]);
                continue;
            }
            kind_seen = kind_seen || *column == EdgeColumn::kind;
            if (trim(v.text).empty()) continue;  // declared, not set: the default
            ok = edge_field(out, draft, *column, trim(v.text), file, v.at.line, v.at.column, false);
        }
        if (!ok) {
            drop_row(out);
            continue;
        }
        if (!e.directed) ++batch_.report.undirected_edges;
        add_edge(out, draft);
    }
    if (spec_.edge_kind_from && !kind_seen && !g.edges.empty()) {
        error(file, 1, 1, "edge_kind_from",
              "no edge of the file has the attribute '" + kind_name + "' that edge_kind_from names");
        return;
    }
    absorb(file, chunks, false, spec_.create_missing);
    for (const auto& [what, count] : g.dropped) batch_.report.dropped.push_back({file, what.first, what.second, count});
}

}  // namespace smorg::importers::detail
