// Pajek .net: `*Vertices n`, then `number "label" [x y z] [drawing parameters]` per vertex; `*Arcs`
// (directed) and `*Edges` (undirected) with `from to [weight] [drawing parameters]` per line, or
// `*Arcslist` / `*Edgeslist` with `from to to ...`. Vertices are named by their labels, as networkx
// reads Pajek, or by their numbers when they have none. A relation's name (`*Arcs :2 "friend"`) is its
// edges' kind. Coordinates and drawing parameters are dropped and counted.
#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "smorg/graph/text.h"

#include "../text.h"
#include "graph_file.h"

namespace smorg::importers::detail {

namespace {

struct Word {
    std::string text;
    std::size_t column = 0;
    bool quoted = false;
};

// Splits a line into words; "quoted words" may hold blanks. False when a quote is never closed.
bool words_of(std::string_view line, std::vector<Word>& out, std::size_t& bad_column) {
    out.clear();
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        if (i >= line.size()) break;
        Word w;
        w.column = i + 1;
        if (line[i] == '"') {
            const auto close = line.find('"', i + 1);
            if (close == std::string_view::npos) {
                bad_column = i + 1;
                return false;
            }
            w.text = std::string(line.substr(i + 1, close - i - 1));
            w.quoted = true;
            i = close + 1;
        } else {
            const std::size_t s = i;
            while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
            w.text = std::string(line.substr(s, i - s));
        }
        out.push_back(std::move(w));
    }
    return true;
}

std::optional<std::int64_t> whole(std::string_view text) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
    return v;
}

}  // namespace

GraphFile read_pajek(const std::string& file, const std::string& text, LocalErrors& errors, graph::RunContext& run) {
    GraphFile g;
    enum class Section { none, vertices, arcs, edges, arcslist, edgeslist } section = Section::none;
    std::int64_t declared = -1;                          // *Vertices n
    std::vector<std::optional<std::string>> labels;      // by vertex number - 1
    std::vector<Place> vertex_at;                        // where each vertex was listed
    std::vector<std::vector<FileValue>> vertex_values;   // its attributes
    std::unordered_map<std::string, std::int64_t> used;  // label -> vertex number
    struct RawEdge {
        std::int64_t from, to;
        Place at, from_at, to_at;
        bool directed;
        std::vector<FileValue> values;
    };
    std::vector<RawEdge> edges;
    std::optional<std::string> relation;  // the current section's relation name: its edges' kind
    Place vertices_at;
    std::vector<Word> words;
    std::size_t line_no = 0;
    auto err = [&](std::size_t column, const std::string& field, const std::string& message) {
        errors.add(file, line_no, column, field, message);
    };
    // Vertex numbers run from 1 to n; a vertex without a line is named by its number.
    // Key-value pairs from word k on, as string attributes; a key without a value is dropped.
    auto pairs = [&](std::size_t k, std::vector<FileValue>& values, const char* element) {
        for (; k + 1 < words.size(); k += 2) {
            FileValue v{g.name(words[k].text), words[k + 1].text, {}, {line_no, words[k].column}};
            if (!v.text.empty()) v.value = v.text;
            values.push_back(std::move(v));
        }
        if (k < words.size()) g.drop(element, words[k].text);
    };
    auto vertex = [&](const Word& w, const char* field) -> std::optional<std::int64_t> {
        const auto v = whole(w.text);
        if (!v || *v < 1 || *v > declared) {
            err(w.column, field,
                "expected a vertex number in [1, " + std::to_string(std::max<std::int64_t>(declared, 0)) + "], got " +
                    shown(w.text));
            return std::nullopt;
        }
        return v;
    };
    for (std::size_t start = 0; start < text.size();) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string_view line(text.data() + start, end - start);
        start = end + 1;
        ++line_no;
        if (line_no % 65536 == 0) run.throw_if_cancelled();
        if (errors.errors.size() >= errors.max) break;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const auto content = trim(line);
        if (content.empty() || content[0] == '%') continue;
        if (const auto bad = invalid_utf8_at(line); bad != std::string_view::npos || line.find('\0') != std::string_view::npos) {
            err(std::min(bad, line.find('\0')) + 1, "", bad != std::string_view::npos ? "invalid UTF-8" : "a NUL byte");
            continue;
        }
        std::size_t bad_column = 0;
        if (!words_of(line, words, bad_column)) {
            err(bad_column, "", "a quoted label that is never closed (a missing '\"')");
            continue;
        }
        if (content[0] == '*') {
            std::string head = words[0].text;
            std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
            relation.reset();
            if (head == "*network") {
                section = Section::none;
                continue;
            }
            if (head == "*vertices") {
                if (declared >= 0) {
                    err(1, "", "a second *Vertices section");
                    break;
                }
                std::int64_t n = -1;  // -1: no count, or not a whole number
                if (words.size() >= 2) n = whole(words[1].text).value_or(-1);
                // Vertices without a line of their own are allowed (igraph writes none), but a count
                // beyond one vertex per byte of the file is a typo or hostile: each costs memory.
                const auto bound = std::max<std::int64_t>(65536, static_cast<std::int64_t>(text.size()));
                if (n < 0 || n > bound) {
                    err(words.size() >= 2 ? words[1].column : 1, "",
                        "*Vertices needs a vertex count in [0, " + std::to_string(bound) + "]" +
                            (words.size() >= 2 ? ", got " + shown(words[1].text) : std::string()));
                    break;
                }
                if (words.size() >= 3) g.drop("graph", "two-mode partition");
                declared = n;
                labels.assign(static_cast<std::size_t>(declared), std::nullopt);
                vertex_at.assign(static_cast<std::size_t>(declared), Place{});
                vertex_values.assign(static_cast<std::size_t>(declared), {});
                vertices_at = {line_no, 1};
                section = Section::vertices;
                continue;
            }
            const bool arcs = head == "*arcs", edges_ = head == "*edges", arcslist = head == "*arcslist",
                       edgeslist = head == "*edgeslist";
            if (arcs || edges_ || arcslist || edgeslist) {
                if (declared < 0) {
                    err(1, "", "a " + words[0].text + " section before *Vertices");
                    break;
                }
                section = arcs ? Section::arcs : edges_ ? Section::edges : arcslist ? Section::arcslist : Section::edgeslist;
                // *Arcs :2 "friendship": relation 2, named friendship.
                if (words.size() >= 3 && words[1].text.size() > 1 && words[1].text[0] == ':' && !words[2].text.empty()) {
                    relation = words[2].text;
                } else if (words.size() >= 2 && words[1].text.size() > 1 && words[1].text[0] == ':') {
                    g.drop("edge", "relation number");
                } else if (words.size() >= 2) {
                    g.drop("graph", "section title");
                }
                continue;
            }
            err(1, "",
                "unknown section " + shown(words[0].text) +
                    (head == "*matrix" ? ": smorg reads arcs and edges, not matrices (write the ties as *Arcs)"
                                       : " (smorg reads *Network, *Vertices, *Arcs, *Edges, *Arcslist and *Edgeslist)"));
            section = Section::none;
            continue;
        }
        switch (section) {
            case Section::none:
                err(1, "", "a line outside any section (a Pajek file starts with *Vertices n)");
                break;
            case Section::vertices: {
                const auto v = vertex(words[0], "id");
                if (!v) break;
                auto& label = labels[static_cast<std::size_t>(*v - 1)];
                if (vertex_at[static_cast<std::size_t>(*v - 1)].line != 0) {
                    err(words[0].column, "id",
                        "vertex " + words[0].text + " is listed twice (first at line " +
                            std::to_string(vertex_at[static_cast<std::size_t>(*v - 1)].line) + ")");
                    break;
                }
                vertex_at[static_cast<std::size_t>(*v - 1)] = {line_no, words[0].column};
                if (words.size() >= 2) {
                    label = words[1].text;
                    if (auto problem = name_problem(*label, "a label")) {
                        err(words[1].column, "label", *problem);
                        break;
                    }
                    if (const auto [it, fresh] = used.emplace(*label, *v); !fresh) {
                        err(words[1].column, "label",
                            "label '" + graph::printable(*label) + "' names vertices " + std::to_string(it->second) + " and " +
                                words[0].text + " (vertices are named by their labels)");
                        break;
                    }
                }
                // Then coordinates (up to three numbers) and a shape, which are drawing, and key-value
                // pairs, which are attributes (as networkx writes and reads them).
                std::size_t k = 2;
                while (k < words.size() && k < 5 && !words[k].quoted && parse_number(words[k].text)) ++k;
                if (k > 2) g.drop("node", "coordinates");
                static constexpr std::string_view shapes[] = {"ellipse", "box", "diamond", "triangle", "cross", "empty"};
                if (k < words.size() && !words[k].quoted &&
                    std::find(std::begin(shapes), std::end(shapes), words[k].text) != std::end(shapes)) {
                    g.drop("node", "shape");
                    ++k;
                }
                pairs(k, vertex_values[static_cast<std::size_t>(*v - 1)], "node");
                break;
            }
            case Section::arcs:
            case Section::edges: {
                if (words.size() < 2) {
                    err(1, "", "expected 'from to [weight]'");
                    break;
                }
                const auto from = vertex(words[0], "source");
                const auto to = vertex(words[1], "target");
                if (!from || !to) break;
                RawEdge e{
                    *from, *to, {line_no, 1}, {line_no, words[0].column}, {line_no, words[1].column}, section == Section::arcs,
                    {}};
                if (words.size() >= 3 && !words[2].quoted && parse_number(words[2].text)) {
                    e.values.push_back(
                        {g.name("weight"), words[2].text, *parse_number(words[2].text), {line_no, words[2].column}});
                }
                pairs(e.values.empty() ? 2 : 3, e.values, "edge");
                if (relation) e.values.push_back({g.name("kind"), *relation, *relation, {line_no, 1}});
                edges.push_back(std::move(e));
                break;
            }
            case Section::arcslist:
            case Section::edgeslist: {
                const auto from = vertex(words[0], "source");
                if (!from) break;
                for (std::size_t k = 1; k < words.size(); ++k) {
                    const auto to = vertex(words[k], "target");
                    if (!to) continue;
                    RawEdge e{*from,
                              *to,
                              {line_no, words[k].column},
                              {line_no, words[0].column},
                              {line_no, words[k].column},
                              section == Section::arcslist,
                              {}};
                    if (relation) e.values.push_back({g.name("kind"), *relation, *relation, {line_no, 1}});
                    edges.push_back(std::move(e));
                }
                break;
            }
        }
    }
    if (declared < 0) {
        if (errors.total == 0) errors.add(file, 1, 1, "", "the file has no *Vertices section");
        return g;
    }
    // A vertex without a label is named by its number; that number may not be another's label.
    auto name_of = [&](std::int64_t v) {
        const auto& label = labels[static_cast<std::size_t>(v - 1)];
        return label ? *label : std::to_string(v);
    };
    for (std::int64_t v = 1; v <= declared; ++v) {
        if (labels[static_cast<std::size_t>(v - 1)]) continue;
        if (const auto it = used.find(std::to_string(v)); it != used.end()) {
            const auto at = vertex_at[static_cast<std::size_t>(it->second - 1)];
            errors.add(file, at.line, at.column, "label",
                       "label '" + std::to_string(v) + "' is also the number of vertex " + std::to_string(v) +
                           ", which has no label: label every vertex");
        }
    }
    for (std::int64_t v = 1; v <= declared; ++v) {
        FileNode n;
        n.id = name_of(v);
        n.at = vertex_at[static_cast<std::size_t>(v - 1)].line != 0 ? vertex_at[static_cast<std::size_t>(v - 1)] : vertices_at;
        n.values = std::move(vertex_values[static_cast<std::size_t>(v - 1)]);
        g.nodes.push_back(std::move(n));
    }
    for (auto& raw : edges) {
        FileEdge e;
        e.source = name_of(raw.from);
        e.target = name_of(raw.to);
        e.at = raw.at;
        e.directed = raw.directed;
        e.values = std::move(raw.values);
        g.edges.push_back(std::move(e));
    }
    return g;
}

}  // namespace smorg::importers::detail
