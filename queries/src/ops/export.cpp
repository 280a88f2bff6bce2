#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "smorg/graph/errors.h"
#include "smorg/graph/files.h"
#include "smorg/graph/time.h"

#include "common.h"
#include "files.h"
#include "graphviz.h"
#include "ops/ops.h"
#include <pugixml.hpp>

namespace smorg::queries::ops {

namespace {

enum class ExportFormat : std::uint8_t { graphml, gexf, dot, node_link };

}  // namespace
}  // namespace smorg::queries::ops

template <>
struct smorg::graph::EnumNames<smorg::queries::ops::ExportFormat> {
    static constexpr std::array<std::string_view, 4> names{"graphml", "gexf", "dot", "node_link"};
};

namespace smorg::queries::ops {

namespace {

// A node column to write: a stored attribute or an attached result.
struct Column {
    std::string name;
    graph::AttributeType type = graph::AttributeType::number;
    bool integer = false;        // attached ids (community, component)
    std::vector<double> values;  // attached results only; NaN: none
    const graph::AttributeColumn* stored = nullptr;

    json value(graph::NodeIndex u) const {
        if (stored) {
            const auto v = stored->value(u);
            if (const auto* s = std::get_if<std::string>(&v)) return *s;
            if (const auto* d = std::get_if<double>(&v)) return *d;
            if (const auto* b = std::get_if<bool>(&v)) return *b;
            return nullptr;
        }
        const double x = values[u];
        if (std::isnan(x)) return nullptr;
        return integer ? json(static_cast<std::int64_t>(x)) : json(x);
    }
};

// Writes XML one element at a time, each built and escaped by pugixml: a whole graph is never held
// as a document.
class XmlElements {
public:
    explicit XmlElements(std::ostream& out) : out_(out) {}
    pugi::xml_node element(const char* name) { return scratch_.append_child(name); }
    // Writes `node` at `depth` levels of two spaces: on one line, or with its children on lines of
    // their own when `nested`.
    void write(pugi::xml_node node, unsigned depth, bool nested = false) {
        if (nested) {
            node.print(out_, "  ", pugi::format_indent, pugi::encoding_utf8, depth);
        } else {
            out_ << std::string(2 * depth, ' ');
            node.print(out_, "", pugi::format_raw, pugi::encoding_utf8);
            out_ << '\n';
        }
        scratch_.remove_child(node);
        if (++written_ % 4096 == 0) scratch_.reset();  // give the scratch document's pages back
    }

private:
    std::ostream& out_;
    pugi::xml_document scratch_;
    std::uint64_t written_ = 0;
};

std::string text(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
    return graph::format_number(v.get<double>());
}

// One attached analysis, ready to run on the exported part of the graph: it takes the export's node
// kinds, edge kinds, window and keep_isolated, and may not set its own.
struct Attached {
    const OpEntry* entry = nullptr;
    std::string op;
    json request;
    std::vector<std::string> injected;  // pointers of the fields taken from the export
};

Attached prepare_attached(const OpContext& ctx, const json& request, const graph::SubgraphSpec& exported, const std::string& at) {
    FieldReader shape(request, at);
    Attached a;
    a.op = shape.required<std::string>("op");
    if (!offers_per_person_values(a.op)) {
        const auto list = per_person_ops_list();
        const bool known = find_op(a.op) != nullptr;
        throw QueryError(ErrorCode::invalid_argument,
                         (known ? "op '" + a.op + "' gives no per-person values to attach"
                                : "unknown op '" + a.op + "'" + op_suggestion(a.op)) +
                             "; attach takes " + list,
                         shape.at("op"));
    }
    a.entry = find_op(a.op);
    a.request = request;
    for (const char* key : {"node_kinds", "where", "edge_kinds", "since", "until", "keep_isolated"}) {
        if (a.request.contains(key)) {
            throw QueryError(ErrorCode::invalid_argument,
                             std::string("an attached analysis runs on the exported graph: give ") + key + " on the export",
                             shape.at(key));
        }
    }
    // crv's edge kinds say which ties are referrals: the export's would turn other ties into referrals.
    if (a.op == "crv" && !exported.edge_kinds.empty()) {
        throw QueryError(ErrorCode::invalid_argument,
                         "crv counts referrals, and the export's edge_kinds would make other ties count as referrals: "
                         "attach crv to an export without edge_kinds",
                         pointer_append(ctx.at, "edge_kinds"));
    }
    auto inject = [&](const char* key, json value) {
        a.request[key] = std::move(value);
        a.injected.push_back(pointer_append(at, key));
    };
    if (!exported.node_kinds.empty()) inject("node_kinds", exported.node_kinds);
    if (!exported.where.empty()) inject("where", where_json(exported.where));
    if (!exported.edge_kinds.empty()) inject("edge_kinds", exported.edge_kinds);
    if (exported.since) inject("since", *exported.since);
    if (exported.until) inject("until", *exported.until);
    if (exported.keep_isolated) inject("keep_isolated", true);
    return a;
}

// Runs a prepared analysis (or, `estimate`, only estimates it); `values` receives its column.
json run_attached(OpContext& ctx, const Attached& a, const std::string& at, bool estimate, NodeColumn* values) {
    FieldReader reader(a.request, at);
    (void)reader.required<std::string>("op");
    OpContext inner{ctx.db, ctx.snapshot, ctx.run, at, ctx.options, estimate, values};
    try {
        auto result = a.entry->run(inner, reader);
        reader.reject_unknown();
        return result;
    } catch (const QueryError& e) {
        // A filter of the export that the attached op does not take (advocates has no edge_kinds):
        // say so at the export's field, not at one the caller never wrote.
        const auto it = std::find(a.injected.begin(), a.injected.end(), e.at());
        if (it == a.injected.end()) throw;
        const auto key = it->substr(at.size() + 1);
        throw QueryError(ErrorCode::invalid_argument,
                         "op '" + a.op + "' cannot be limited to the export's " + key + ": attach it to an export without " + key,
                         pointer_append(ctx.at, key));
    }
}

Column attach(OpContext& ctx, const Attached& a, const std::string& at) {
    NodeColumn values;
    (void)run_attached(ctx, a, at, false, &values);
    if (!values.filled) throw std::logic_error("attachable op '" + a.op + "' offered no column");
    Column column;
    column.name = values.name;
    column.integer = values.integer;
    column.values = std::move(values.values);
    return column;
}

constexpr double kInlineBytesPerItem = 256;

// networkx's node-link data (nx.node_link_graph reads it; d3 draws it): people with their kind and
// attributes, links with kind, weight, timestamp and value, parallel edges kept.
template <typename KeepNode, typename KeepEdge>
json node_link(OpContext& ctx, const graph::Snapshot& g, const std::vector<Column>& columns, const KeepNode& keep_node,
               const KeepEdge& keep_edge, bool directed, std::uint64_t& nodes, std::uint64_t& edges) {
    json people = json::array();
    for (graph::NodeIndex u = 0; u < g.node_count(); ++u) {
        if (u % 65536 == 0) ctx.run.throw_if_cancelled();
        if (!keep_node(u)) continue;
        json person = {{"id", g.id(u)}, {"kind", g.node_kind_name(u)}};
        for (const auto& c : columns) {
            auto v = c.value(u);
            if (!v.is_null() && c.name != "id" && c.name != "kind") person[c.name] = std::move(v);
        }
        people.push_back(std::move(person));
        ++nodes;
    }
    json links = json::array();
    for (graph::NodeIndex u = 0; u < g.node_count(); ++u) {
        if (u % 65536 == 0) ctx.run.throw_if_cancelled();
        for (auto e = g.out_begin(u); e < g.out_end(u); ++e) {
            if (!keep_edge(e, u)) continue;
            json link = {
                {"source", g.id(u)}, {"target", g.id(g.target(e))}, {"kind", g.edge_kind_name(e)}, {"weight", g.weight(e)}};
            if (g.timestamp(e) != graph::kNoTimestamp) link["timestamp"] = graph::format_timestamp(g.timestamp(e));
            if (auto v = g.value(e)) link["value"] = *v;
            links.push_back(std::move(link));
            ++edges;
        }
    }
    return {{"directed", directed},
            {"multigraph", true},
            {"graph", json::object()},
            {"nodes", std::move(people)},
            {"links", std::move(links)}};
}

}  // namespace

// The graph (any filtered part of it), with its attributes and any attached results, as GraphML or
// GEXF for Gephi, or DOT for Graphviz.
json export_graph(OpContext& ctx, FieldReader& reader) {
    const auto& g = ctx.g();
    const auto format = reader.required_enum<ExportFormat>("format");
    // node_link without "out": the graph comes back in the answer instead of a file.
    const auto given = format == ExportFormat::node_link ? reader.maybe<std::string>("out")
                                                         : std::optional<std::string>(reader.required<std::string>("out"));
    const bool inline_graph = !given;
    const auto out = given.value_or("");
    const auto spec = read_subgraph(reader, {}, kAllFilters & ~kWeighted);  // stored weights are written as they are
    std::vector<json> attach_requests;
    if (const json* raw = reader.raw("attach")) {
        if (!raw->is_array()) {
            throw QueryError(ErrorCode::invalid_argument, "expected an array of requests, got " + std::string(type_phrase(*raw)),
                             reader.at("attach"));
        }
        attach_requests.assign(raw->begin(), raw->end());
    }
    reader.reject_unknown();
    graph::validate(spec, g);
    const auto path = inline_graph ? std::filesystem::path() : output_path(ctx, out, reader.at("out"));
    std::vector<Attached> analyses;
    for (std::size_t i = 0; i < attach_requests.size(); ++i) {
        analyses.push_back(
            prepare_attached(ctx, attach_requests[i], spec, pointer_append(reader.at("attach"), std::to_string(i))));
    }
    // An answer that holds the graph is built in memory: about this much per person and edge.
    const double inline_bytes = inline_graph ? kInlineBytesPerItem * static_cast<double>(g.node_count() + g.edge_count()) : 0;
    if (ctx.estimate) {
        // Writing is one pass over the people and edges; each attached analysis is estimated the way
        // it would run: on the exported view.
        graph::Estimate e;
        e.work = static_cast<double>(g.node_count() + g.edge_count());
        if (inline_graph) e.memory_bytes = inline_bytes;
        for (std::size_t i = 0; i < analyses.size(); ++i) {
            const auto part =
                run_attached(ctx, analyses[i], pointer_append(reader.at("attach"), std::to_string(i)), true, nullptr);
            graph::Estimate x;
            x.work = part.at("estimate").at("work").get<double>();
            x.memory_bytes = part.at("estimate").at("memory_bytes").get<double>();
            e.then(x);
        }
        return estimate_result(ctx.run, e);
    }

    if (inline_graph) {
        graph::Estimate e;
        e.memory_bytes = inline_bytes;
        e.field = "format";
        ctx.run.admit(e);  // before any attached analysis runs
    }

    std::vector<Column> columns;
    for (const auto& c : g.attributes().columns()) columns.push_back({c.name(), c.type(), false, {}, &c});
    for (std::size_t i = 0; i < analyses.size(); ++i) {
        columns.push_back(attach(ctx, analyses[i], pointer_append(reader.at("attach"), std::to_string(i))));
    }

    // The people and edges that pass the filters, as stored (parallel edges kept: Gephi merges them).
    const graph::EdgeFilter filter(g, spec);
    auto keep_edge = [&](graph::EdgeIndex e, graph::NodeIndex u) { return filter.keeps(e, u, g.target(e)); };
    // The people are the view's, as for every analysis: with edge kinds or a window chosen, those
    // without a tie in it are left out unless keep_isolated.
    auto members_spec = spec;
    members_spec.weighted = false;
    const auto members = graph::Subgraph::of(g, members_spec);
    auto keep_node = [&](graph::NodeIndex u) { return filter.node(u) && members.active(u); };

    std::uint64_t nodes = 0, edges = 0;
    json attached = json::array();
    for (std::size_t c = g.attributes().columns().size(); c < columns.size(); ++c) attached.push_back(columns[c].name);
    auto answer = [&]() -> json {
        return {{"file", out},    {"format", graph::name_of(format)},
                {"nodes", nodes}, {"isolated", members.isolated()},
                {"edges", edges}, {"attached", attached}};
    };
    if (format == ExportFormat::node_link) {
        json data = node_link(ctx, g, columns, keep_node, keep_edge, spec.directed, nodes, edges);
        if (inline_graph) {
            auto result = answer();
            result.erase("file");
            result["graph"] = std::move(data);
            return result;
        }
        write_output(path, data.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", reader.at("out"));
        return answer();
    }

    std::optional<graph::AtomicFile> atomic;
    try {
        atomic.emplace(path);
    } catch (const graph::FileError& e) {
        throw QueryError(ErrorCode::failed_precondition, e.what(), reader.at("out"));
    }
    std::ostream& file = atomic->stream();
    auto type_name = [&](const Column& c, bool gexf) -> std::string {
        if (c.integer) return gexf ? "integer" : "int";
        switch (c.type) {
            case graph::AttributeType::string:
                return "string";
            case graph::AttributeType::number:
                return "double";
            case graph::AttributeType::boolean:
                return gexf ? "boolean" : "boolean";
        }
        return "string";
    };
    const bool directed = spec.directed;
    XmlElements xml(file);
    if (format == ExportFormat::graphml) {
        file << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             << "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n";
        auto key = [&](const std::string& id, const char* domain, const std::string& name, const std::string& type) {
            auto k = xml.element("key");
            k.append_attribute("id") = id.c_str();
            k.append_attribute("for") = domain;
            k.append_attribute("attr.name") = xml_chars(name).c_str();
            k.append_attribute("attr.type") = type.c_str();
            xml.write(k, 1);
        };
        key("kind", "node", "kind", "string");
        for (std::size_t c = 0; c < columns.size(); ++c)
            key("a" + std::to_string(c), "node", columns[c].name, type_name(columns[c], false));
        key("edge_kind", "edge", "kind", "string");
        key("weight", "edge", "weight", "double");
        key("timestamp", "edge", "timestamp", "string");
        key("value", "edge", "value", "double");
        file << "  <graph id=\"smorg\" edgedefault=\"" << (directed ? "directed" : "undirected") << "\">\n";
        auto data = [](pugi::xml_node parent, const std::string& key_id, const std::string& value) {
            auto d = parent.append_child("data");
            d.append_attribute("key") = key_id.c_str();
            d.text() = xml_chars(value).c_str();
        };
        for (graph::NodeIndex u = 0; u < g.node_count(); ++u) {
            if (!keep_node(u)) continue;
            ++nodes;
            auto n = xml.element("node");
            n.append_attribute("id") = xml_chars(g.id(u)).c_str();
            data(n, "kind", std::string(g.node_kind_name(u)));
            for (std::size_t c = 0; c < columns.size(); ++c) {
                const auto v = columns[c].value(u);
                if (!v.is_null()) data(n, "a" + std::to_string(c), text(v));
            }
            xml.write(n, 2);
        }
        for (graph::NodeIndex u = 0; u < g.node_count(); ++u) {
            for (auto e = g.out_begin(u); e < g.out_end(u); ++e) {
                if (!keep_edge(e, u)) continue;
                auto edge = xml.element("edge");
                edge.append_attribute("source") = xml_chars(g.id(u)).c_str();
                edge.append_attribute("target") = xml_chars(g.id(g.target(e))).c_str();
                data(edge, "edge_kind", std::string(g.edge_kind_name(e)));
                data(edge, "weight", graph::format_number(g.weight(e)));
                if (g.timestamp(e) != graph::kNoTimestamp) data(edge, "timestamp", graph::format_timestamp(g.timestamp(e)));
                if (auto v = g.value(e)) data(edge, "value", graph::format_number(*v));
                xml.write(edge, 2);
                ++edges;
            }
        }
        file << "  </graph>\n</graphml>\n";
    } else if (format == ExportFormat::gexf) {
        file << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             << "<gexf xmlns=\"http://www.gexf.net/1.2draft\" version=\"1.2\">\n"
             << "  <meta><creator>smorg</creator></meta>\n"
             << "  <graph defaultedgetype=\"" << (directed ? "directed" : "undirected") << "\" mode=\"static\">\n";
        auto declarations = xml.element("attributes");
        declarations.append_attribute("class") = "node";
        auto declare = [](pugi::xml_node parent, const std::string& id, const std::string& title, const std::string& type) {
            auto a = parent.append_child("attribute");
            a.append_attribute("id") = id.c_str();
            a.append_attribute("title") = xml_chars(title).c_str();
            a.append_attribute("type") = type.c_str();
        };
        declare(declarations, "kind", "kind", "string");
        for (std::size_t c = 0; c < columns.size(); ++c) {
            declare(declarations, "a" + std::to_string(c), columns[c].name, type_name(columns[c], true));
        }
        xml.write(declarations, 2, true);
        auto edge_declarations = xml.element("attributes");
        edge_declarations.append_attribute("class") = "edge";
        declare(edge_declarations, "kind", "kind", "string");
        declare(edge_declarations, "timestamp", "timestamp", "string");
        declare(edge_declarations, "value", "value", "double");
        xml.write(edge_declarations, 2, true);
        file << "    <nodes>\n";
        auto attvalue = [](pugi::xml_node values, const std::string& id, const std::string& value) {
            auto a = values.append_child("attvalue");
            a.append_attribute("for") = id.c_str();
            a.append_attribute("value") = xml_chars(value).c_str();
        };
        const auto* names = g.attributes().find(graph::attributes::name);
        for (graph::NodeIndex u = 0; u < g.node_count(); ++u) {
            if (!keep_node(u)) continue;
            ++nodes;
            const std::string label = names && names->has(u) ? std::string(names->string(u)) : std::string(g.id(u));
            auto n = xml.element("node");
            n.append_attribute("id") = xml_chars(g.id(u)).c_str();
            n.append_attribute("label") = xml_chars(label).c_str();
            auto values = n.append_child("attvalues");
            attvalue(values, "kind", std::string(g.node_kind_name(u)));
            for (std::size_t c = 0; c < columns.size(); ++c) {
                const auto v = columns[c].value(u);
                if (!v.is_null()) attvalue(values, "a" + std::to_string(c), text(v));
            }
            xml.write(n, 3);
        }
        file << "    </nodes>\n    <edges>\n";
        for (graph::NodeIndex u = 0; u < g.node_count(); ++u) {
            for (auto e = g.out_begin(u); e < g.out_end(u); ++e) {
                if (!keep_edge(e, u)) continue;
                auto edge = xml.element("edge");
                edge.append_attribute("id") = std::to_string(edges).c_str();
                edge.append_attribute("source") = xml_chars(g.id(u)).c_str();
                edge.append_attribute("target") = xml_chars(g.id(g.target(e))).c_str();
                edge.append_attribute("weight") = graph::format_number(g.weight(e)).c_str();
                auto values = edge.append_child("attvalues");
                attvalue(values, "kind", std::string(g.edge_kind_name(e)));
                if (g.timestamp(e) != graph::kNoTimestamp) attvalue(values, "timestamp", graph::format_timestamp(g.timestamp(e)));
                if (auto v = g.value(e)) attvalue(values, "value", graph::format_number(*v));
                xml.write(edge, 3);
                ++edges;
            }
        }
        file << "    </edges>\n  </graph>\n</gexf>\n";
    } else {
        file << (directed ? "digraph" : "graph") << " smorg {\n";
        for (graph::NodeIndex u = 0; u < g.node_count(); ++u) {
            if (!keep_node(u)) continue;
            ++nodes;
            file << "  " << dot_quote(std::string(g.id(u))) << " [kind=" << dot_quote(std::string(g.node_kind_name(u)));
            for (const auto& c : columns) {
                const auto v = c.value(u);
                if (!v.is_null()) file << ", " << dot_quote(c.name) << "=" << dot_quote(text(v));
            }
            file << "];\n";
        }
        const char* arrow = directed ? " -> " : " -- ";
        for (graph::NodeIndex u = 0; u < g.node_count(); ++u) {
            for (auto e = g.out_begin(u); e < g.out_end(u); ++e) {
                if (!keep_edge(e, u)) continue;
                file << "  " << dot_quote(std::string(g.id(u))) << arrow << dot_quote(std::string(g.id(g.target(e))))
                     << " [kind=" << dot_quote(std::string(g.edge_kind_name(e)))
                     << ", weight=" << graph::format_number(g.weight(e)) << "];\n";
                ++edges;
            }
        }
        file << "}\n";
    }
    ctx.run.throw_if_cancelled();
    try {
        atomic->commit();
    } catch (const graph::FileError& e) {
        throw QueryError(ErrorCode::failed_precondition, e.what(), reader.at("out"));
    }
    return answer();
}

}  // namespace smorg::queries::ops
