// GraphML and GEXF (1.1 to 1.3), read with pugixml into a GraphFile. Attribute values are typed by
// the file's declarations (GraphML <key attr.type>, GEXF <attribute type>) and their defaults apply
// to the elements that do not give a value. What smorg does not keep (drawings, ports, graph-level
// data, spells) is counted as dropped; what it cannot read faithfully (nested graphs, hyperedges) is
// refused at its element.
#include <algorithm>
#include <optional>
#include <unordered_map>

#include "smorg/graph/text.h"

#include "../text.h"
#include "graph_file.h"
#include <pugixml.hpp>

namespace smorg::importers::detail {

namespace {

// An element's name without its namespace prefix.
std::string_view local_name(const pugi::xml_node& node) {
    std::string_view name = node.name();
    if (const auto colon = name.find(':'); colon != std::string_view::npos) name.remove_prefix(colon + 1);
    return name;
}

enum class ValueType { string, number, boolean };

struct Declared {
    std::string name;
    ValueType type = ValueType::string;
    std::optional<std::string> fallback;  // the declared default
    Place at;
    mutable std::optional<std::uint32_t> id;  // `name` in GraphFile::names, once looked up
};

class XmlReader {
public:
    XmlReader(const std::string& file, const std::string& text, LocalErrors& errors, graph::RunContext& run)
        : file_(file), text_(text), lines_(text), errors_(errors), run_(run) {}

    // Parses the document; false after reporting where it is malformed.
    bool parse() {
        const auto result = doc_.load_buffer(text_.data(), text_.size(), pugi::parse_default, pugi::encoding_utf8);
        if (!result) {
            const auto at = lines_.at(static_cast<std::size_t>(std::max<std::ptrdiff_t>(result.offset, 0)));
            errors_.add(file_, at.line, at.column, "", std::string("malformed XML: ") + result.description());
            return false;
        }
        return true;
    }
    pugi::xml_node root() const { return doc_.document_element(); }

    Place place(const pugi::xml_node& node) const {
        const auto offset = node.offset_debug();
        // The offset is that of the element's name; its '<' is one byte before.
        return lines_.at(offset > 0 ? static_cast<std::size_t>(offset - 1) : 0);
    }
    void error(const pugi::xml_node& node, const std::string& field, const std::string& message) {
        const auto at = place(node);
        errors_.add(file_, at.line, at.column, field, message);
    }
    bool full() const { return errors_.errors.size() >= errors_.max; }
    void tick() {
        if (++elements_ % 65536 == 0) run_.throw_if_cancelled();
    }

    // A value of `type` from `text`, or an error at `node`.
    std::optional<FileValue> value(GraphFile& g, const Declared& d, std::string_view text, const pugi::xml_node& node) {
        FileValue v;
        if (!d.id) d.id = g.name(d.name);
        v.name = *d.id;
        v.text = std::string(text);
        v.at = place(node);
        if (trim(text).empty() && d.type != ValueType::string) return v;  // declared, not set
        if (invalid_utf8_at(text) != std::string_view::npos || text.find('\0') != std::string_view::npos) {
            error(node, graph::printable(d.name),
                  "attribute '" + graph::printable(d.name) + "' holds invalid UTF-8 or a NUL byte");
            return std::nullopt;
        }
        switch (d.type) {
            case ValueType::string:
                if (!text.empty()) v.value = std::string(text);
                break;
            case ValueType::number:
                if (const auto n = parse_number(text)) {
                    v.value = *n;
                } else {
                    error(node, graph::printable(d.name),
                          "attribute '" + graph::printable(d.name) + "' is declared a number, got " + shown(text));
                    return std::nullopt;
                }
                break;
            case ValueType::boolean:
                if (const auto b = xml_boolean(trim(text))) {
                    v.value = *b;
                } else {
                    error(
                        node, graph::printable(d.name),
                        "attribute '" + graph::printable(d.name) + "' is declared a boolean (true or false), got " + shown(text));
                    return std::nullopt;
                }
                break;
        }
        return v;
    }

    // Adds `v` to `values` unless the element gives that attribute twice.
    void add(std::vector<FileValue>& values, FileValue v, const GraphFile& g, const pugi::xml_node& node) {
        for (const auto& other : values) {
            if (other.name == v.name) {
                error(node, graph::printable(g.names[v.name]),
                      "attribute '" + graph::printable(g.names[v.name]) + "' is given twice");
                return;
            }
        }
        values.push_back(std::move(v));
    }
    // The declared defaults of `declared` that `values` does not give, at the element.
    void defaults(std::vector<FileValue>& values, GraphFile& g, const std::vector<const Declared*>& declared,
                  const pugi::xml_node& node) {
        for (const auto* d : declared) {
            if (!d->fallback) continue;
            if (!d->id) d->id = g.name(d->name);
            if (std::any_of(values.begin(), values.end(), [&](const FileValue& v) { return v.name == *d->id; })) continue;
            if (auto v = value(g, *d, *d->fallback, node)) values.push_back(std::move(*v));
        }
    }
    // A <key> (GraphML) or <attribute> (GEXF) declaration: its id and what it declares, the name
    // from `name_field` (else the id, as networkx reads it), `type`, and the <default>.
    std::optional<std::pair<std::string, Declared>> declaration(const pugi::xml_node& element, const char* name_field,
                                                                ValueType type) {
        std::string id = element.attribute("id").value();
        if (id.empty()) {
            error(element, "id", "<" + std::string(element.name()) + "> has no id");
            return std::nullopt;
        }
        Declared d;
        d.name = element.attribute(name_field) ? element.attribute(name_field).value() : id;
        d.type = type;
        d.at = place(element);
        for (const auto& child : element.children()) {
            if (local_name(child) == "default") d.fallback = child.child_value();
        }
        return std::pair{std::move(id), std::move(d)};
    }
    // A node's id, checked for presence and uniqueness in the file.
    bool node_id(const pugi::xml_node& node, std::string& id) {
        const auto attribute = node.attribute("id");
        if (!attribute) {
            error(node, "id", "a <node> without an id");
            return false;
        }
        id = attribute.value();
        if (!seen_.emplace(id, place(node).line).second) {
            error(node, "id",
                  "node '" + graph::printable(id) + "' is declared twice (first at line " + std::to_string(seen_[id]) + ")");
            return false;
        }
        return true;
    }

private:
    const std::string& file_;
    const std::string& text_;
    LineIndex lines_;
    LocalErrors& errors_;
    graph::RunContext& run_;
    pugi::xml_document doc_;
    std::unordered_map<std::string, std::size_t> seen_;  // node ids, with the line of their declaration
    std::size_t elements_ = 0;
};

// Room for the <node> children of `nodes` and the <edge> children of `edges`: growing the vectors
// element by element would copy them over and over (most of a large file's import time).
void reserve(GraphFile& g, const pugi::xml_node& nodes, const pugi::xml_node& edges) {
    std::size_t n = 0, m = 0;
    for (const auto& child : nodes.children()) n += local_name(child) == "node" ? 1u : 0u;
    for (const auto& child : edges.children()) m += local_name(child) == "edge" ? 1u : 0u;
    g.nodes.reserve(n);
    g.edges.reserve(m);
}

// Declarations in file order, so defaults apply in one order whatever a hash map's.
void sort_by_place(std::vector<const Declared*>& declared) {
    std::sort(declared.begin(), declared.end(), [](const Declared* a, const Declared* b) {
        return a->at.line != b->at.line ? a->at.line < b->at.line : a->at.column < b->at.column;
    });
}

ValueType graphml_type(std::string_view type) {
    if (type == "int" || type == "long" || type == "float" || type == "double") return ValueType::number;
    if (type == "boolean") return ValueType::boolean;
    return ValueType::string;
}

ValueType gexf_type(std::string_view type) {
    static constexpr std::string_view numbers[] = {"integer", "long", "float",      "double",    "short",
                                                   "byte",    "int",  "bigdecimal", "biginteger"};
    if (std::find(std::begin(numbers), std::end(numbers), type) != std::end(numbers)) return ValueType::number;
    if (type == "boolean") return ValueType::boolean;
    return ValueType::string;  // string, liststring, anyURI, date, char and the other list types: as written
}

}  // namespace

GraphFile read_graphml(const std::string& file, const std::string& text, LocalErrors& errors, graph::RunContext& run) {
    GraphFile g;
    XmlReader xml(file, text, errors, run);
    if (!xml.parse()) return g;
    const auto root = xml.root();
    if (local_name(root) != "graphml") {
        xml.error(root, "", "expected a <graphml> root element, got <" + std::string(root.name()) + ">");
        return g;
    }
    // Keys: id -> declaration, for nodes, edges or both ("all").
    std::unordered_map<std::string, std::pair<Declared, std::string>> keys;
    std::vector<const Declared*> node_keys, edge_keys;
    for (const auto& key : root.children()) {
        if (local_name(key) != "key") continue;
        auto declared = xml.declaration(key, "attr.name", graphml_type(key.attribute("attr.type").value()));
        if (!declared) continue;
        auto& [id, d] = *declared;
        const std::string domain = key.attribute("for") ? key.attribute("for").value() : "all";
        if (!keys.emplace(id, std::pair{std::move(d), domain}).second)
            xml.error(key, "id", "key '" + graph::printable(id) + "' is declared twice");
    }
    for (const auto& [id, entry] : keys) {
        if (entry.second == "node" || entry.second == "all") node_keys.push_back(&entry.first);
        if (entry.second == "edge" || entry.second == "all") edge_keys.push_back(&entry.first);
    }
    sort_by_place(node_keys);
    sort_by_place(edge_keys);

    // The data children of a node or an edge.
    auto data = [&](const pugi::xml_node& element, std::string_view domain, std::vector<FileValue>& values) {
        for (const auto& child : element.children()) {
            const auto name = local_name(child);
            if (child.type() != pugi::node_element) continue;
            if (name != "data") {
                if (name == "graph") {
                    xml.error(child, "",
                              "a nested <graph> (a graph inside a " + std::string(domain) + "): smorg reads flat graphs only");
                } else if (name == "port" || name == "locator" || name == "desc") {
                    g.drop(domain, "<" + std::string(name) + ">");
                } else {
                    xml.error(child, "", "unexpected <" + std::string(child.name()) + "> in a <" + std::string(domain) + ">");
                }
                continue;
            }
            const std::string key = child.attribute("key").value();
            const auto it = keys.find(key);
            if (it == keys.end()) {
                xml.error(child, "key", "<data> for key '" + graph::printable(key) + "', which no <key> declares");
                continue;
            }
            const auto& [d, for_] = it->second;
            if (for_ != domain && for_ != "all") {
                xml.error(child, "key",
                          "key '" + graph::printable(key) + "' is declared for " + for_ + "s, not " + std::string(domain) + "s");
                continue;
            }
            if (child.first_child().type() == pugi::node_element) {
                g.drop(domain, d.name);  // markup inside: a drawing (yFiles graphics), not a value
                continue;
            }
            if (auto v = xml.value(g, d, child.child_value(), child)) xml.add(values, std::move(*v), g, child);
        }
    };

    // Data about the graph as a whole: smorg's graph has no place for it.
    auto graph_data = [&](const pugi::xml_node& element) {
        const auto it = keys.find(element.attribute("key").value());
        g.drop("graph", it != keys.end() ? it->second.first.name : std::string(element.attribute("key").value()));
    };
    bool seen_graph = false;
    for (const auto& graph_node : root.children()) {
        const auto name = local_name(graph_node);
        if (graph_node.type() != pugi::node_element || name == "key" || name == "desc") continue;
        if (name == "data") {
            graph_data(graph_node);
            continue;
        }
        if (name != "graph") {
            xml.error(graph_node, "", "unexpected <" + std::string(graph_node.name()) + "> in <graphml>");
            continue;
        }
        if (seen_graph) {
            xml.error(graph_node, "", "a second <graph>: smorg reads one graph per file");
            break;
        }
        seen_graph = true;
        const std::string edgedefault = graph_node.attribute("edgedefault").value();
        if (!edgedefault.empty() && edgedefault != "directed" && edgedefault != "undirected") {
            xml.error(graph_node, "edgedefault", "edgedefault must be directed or undirected, got " + shown(edgedefault));
        }
        const bool directed = edgedefault != "undirected";
        reserve(g, graph_node, graph_node);
        for (const auto& element : graph_node.children()) {
            if (xml.full()) return g;
            xml.tick();
            if (element.type() != pugi::node_element) continue;
            const auto kind = local_name(element);
            if (kind == "node") {
                FileNode n;
                n.at = xml.place(element);
                if (!xml.node_id(element, n.id)) continue;
                data(element, "node", n.values);
                xml.defaults(n.values, g, node_keys, element);
                g.nodes.push_back(std::move(n));
            } else if (kind == "edge") {
                FileEdge e;
                e.at = xml.place(element);
                e.source = element.attribute("source").value();
                e.target = element.attribute("target").value();
                if (!element.attribute("source") || !element.attribute("target")) {
                    xml.error(element, element.attribute("source") ? "target" : "source", "an <edge> needs source and target");
                    continue;
                }
                e.directed = directed;
                if (const auto d = element.attribute("directed")) {
                    const auto b = xml_boolean(d.value());
                    if (!b) {
                        xml.error(element, "directed", "directed must be true or false, got " + shown(d.value()));
                        continue;
                    }
                    e.directed = *b;
                }
                if (element.attribute("sourceport") || element.attribute("targetport")) g.drop("edge", "ports");
                data(element, "edge", e.values);
                xml.defaults(e.values, g, edge_keys, element);
                g.edges.push_back(std::move(e));
            } else if (kind == "data") {
                graph_data(element);
            } else if (kind == "hyperedge") {
                xml.error(element, "", "a <hyperedge> joins more than two nodes: smorg's edges join two");
            } else if (kind != "desc") {
                xml.error(element, "", "unexpected <" + std::string(element.name()) + "> in a <graph>");
            }
        }
    }
    if (!seen_graph) xml.error(root, "", "the file has no <graph>");
    return g;
}

GraphFile read_gexf(const std::string& file, const std::string& text, LocalErrors& errors, graph::RunContext& run) {
    GraphFile g;
    XmlReader xml(file, text, errors, run);
    if (!xml.parse()) return g;
    const auto root = xml.root();
    if (local_name(root) != "gexf") {
        xml.error(root, "", "expected a <gexf> root element, got <" + std::string(root.name()) + ">");
        return g;
    }
    pugi::xml_node graph_node;
    for (const auto& child : root.children()) {
        if (local_name(child) != "graph") continue;
        if (graph_node) {
            xml.error(child, "", "a second <graph>: smorg reads one graph per file");
            return g;
        }
        graph_node = child;
    }
    if (!graph_node) {
        xml.error(root, "", "the file has no <graph>");
        return g;
    }
    const std::string edge_type = graph_node.attribute("defaultedgetype").value();
    if (!edge_type.empty() && edge_type != "directed" && edge_type != "undirected" && edge_type != "mutual") {
        xml.error(graph_node, "defaultedgetype",
                  "defaultedgetype must be directed, undirected or mutual, got " + shown(edge_type));
    }
    const bool directed = edge_type != "undirected" && edge_type != "mutual";
    // Attribute declarations, by class and id.
    std::unordered_map<std::string, Declared> node_attributes, edge_attributes;
    std::vector<const Declared*> node_declared, edge_declared;
    for (const auto& attributes : graph_node.children()) {
        if (local_name(attributes) != "attributes") continue;
        const std::string klass = attributes.attribute("class").value();
        if (klass != "node" && klass != "edge") {
            xml.error(attributes, "class", "<attributes> class must be node or edge, got " + shown(klass));
            continue;
        }
        auto& declared = klass == "node" ? node_attributes : edge_attributes;
        for (const auto& a : attributes.children()) {
            if (local_name(a) != "attribute") continue;
            auto entry = xml.declaration(a, "title", gexf_type(a.attribute("type").value()));
            if (!entry) continue;
            auto& [id, d] = *entry;
            if (declared.count(id) != 0) {
                xml.error(a, "id", "attribute '" + graph::printable(id) + "' is declared twice for " + klass + "s");
                continue;
            }
            declared.emplace(id, std::move(d));
        }
    }
    for (const auto& [declared, list] :
         {std::pair{&node_attributes, &node_declared}, std::pair{&edge_attributes, &edge_declared}}) {
        for (const auto& entry : *declared) list->push_back(&entry.second);
        sort_by_place(*list);
    }
    // The attvalues and other children of a node or an edge.
    auto children = [&](const pugi::xml_node& element, std::string_view domain,
                        const std::unordered_map<std::string, Declared>& declared, std::vector<FileValue>& values) {
        for (const auto& child : element.children()) {
            if (child.type() != pugi::node_element) continue;
            const auto name = local_name(child);
            if (name == "attvalues") {
                for (const auto& av : child.children()) {
                    if (local_name(av) != "attvalue") continue;
                    // GEXF 1.1 names the attribute with `id`, later versions with `for`.
                    const std::string id = av.attribute("for") ? av.attribute("for").value() : av.attribute("id").value();
                    const auto it = declared.find(id);
                    if (it == declared.end()) {
                        xml.error(av, "for",
                                  "<attvalue> for attribute '" + graph::printable(id) + "', which no <attribute> declares");
                        continue;
                    }
                    if (av.attribute("start") || av.attribute("end") || av.attribute("startopen") || av.attribute("endopen")) {
                        g.drop(domain, it->second.name + " over time");
                        continue;
                    }
                    if (auto v = xml.value(g, it->second, av.attribute("value").value(), av)) {
                        xml.add(values, std::move(*v), g, av);
                    }
                }
            } else if (name == "nodes" || name == "edges") {
                xml.error(child, "", "nested <" + std::string(name) + "> (a hierarchy of nodes): smorg reads flat graphs only");
            } else if (name == "parents") {
                xml.error(child, "", "<parents> (a hierarchy of nodes): smorg reads flat graphs only");
            } else {
                g.drop(domain, "<" + std::string(child.name()) + ">");  // viz:color, viz:position, spells, ...
            }
        }
    };
    const Declared weight_decl{"weight", ValueType::number, std::nullopt, {}, std::nullopt};
    const Declared kind_decl{"kind", ValueType::string, std::nullopt, {}, std::nullopt};
    const Declared name_decl{std::string(graph::attributes::name), ValueType::string, std::nullopt, {}, std::nullopt};
    reserve(g, graph_node.child("nodes"), graph_node.child("edges"));
    const auto name_id = g.name(graph::attributes::name);
    for (const auto& section : graph_node.children()) {
        const auto section_name = local_name(section);
        if (section_name != "nodes" && section_name != "edges") continue;
        for (const auto& element : section.children()) {
            if (xml.full()) return g;
            xml.tick();
            if (element.type() != pugi::node_element) continue;
            if (section_name == "nodes") {
                if (local_name(element) != "node") continue;
                FileNode n;
                n.at = xml.place(element);
                if (!xml.node_id(element, n.id)) continue;
                children(element, "node", node_attributes, n.values);
                // The label is the node's display name: its `name`, unless an attribute gives one or
                // the label only repeats the id (as Gephi and smorg's export write it then).
                const auto label = element.attribute("label");
                const bool named =
                    std::any_of(n.values.begin(), n.values.end(), [&](const FileValue& v) { return v.name == name_id; });
                if (label && !named && std::string_view(label.value()) != n.id && *label.value() != '\0') {
                    if (auto v = xml.value(g, name_decl, label.value(), element)) n.values.push_back(std::move(*v));
                }
                if (element.attribute("pid")) g.drop("node", "pid");
                xml.defaults(n.values, g, node_declared, element);
                g.nodes.push_back(std::move(n));
            } else {
                if (local_name(element) != "edge") continue;
                FileEdge e;
                e.at = xml.place(element);
                if (!element.attribute("source") || !element.attribute("target")) {
                    xml.error(element, element.attribute("source") ? "target" : "source", "an <edge> needs source and target");
                    continue;
                }
                e.source = element.attribute("source").value();
                e.target = element.attribute("target").value();
                e.directed = directed;
                if (const auto type = element.attribute("type")) {
                    const std::string_view t = type.value();
                    if (t != "directed" && t != "undirected" && t != "mutual") {
                        xml.error(element, "type", "an edge's type must be directed, undirected or mutual, got " + shown(t));
                        continue;
                    }
                    e.directed = t == "directed";
                }
                if (const auto w = element.attribute("weight")) {
                    if (auto v = xml.value(g, weight_decl, w.value(), element)) e.values.push_back(std::move(*v));
                }
                if (const auto k = element.attribute("kind")) {  // GEXF 1.3: the kind of parallel edges
                    if (auto v = xml.value(g, kind_decl, k.value(), element)) e.values.push_back(std::move(*v));
                }
                if (element.attribute("label")) g.drop("edge", "label");
                children(element, "edge", edge_attributes, e.values);
                xml.defaults(e.values, g, edge_declared, element);
                g.edges.push_back(std::move(e));
            }
        }
    }
    return g;
}

}  // namespace smorg::importers::detail
