#include <bitset>
#include <optional>
#include <map>
#include <sstream>

#include "common.h"
#include "files.h"
#include "graphviz.h"
#include "smorg/graph/files.h"
#include "ops/ops.h"
#include "smorg/graph/time.h"

namespace smorg::queries::ops {

namespace {

enum class ExportFormat : std::uint8_t { graphml, gexf, dot };

}  // namespace
}  // namespace smorg::queries::ops

template <>
struct smorg::graph::EnumNames<smorg::queries::ops::ExportFormat> {
    static constexpr std::array<std::string_view, 3> names{"graphml", "gexf", "dot"};
};

namespace smorg::queries::ops {

namespace {

std::string xml(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default: out += c;
        }
    }
    return out;
}

// A node column to write: a stored attribute or an attached result.
struct Column {
    std::string name;
    graph::AttributeType type;
    std::map<graph::NodeIndex, json> values;  // attached results only
    const graph::AttributeColumn* stored = nullptr;

    json value(graph::NodeIndex u) const {
        if (stored) {
            const auto v = stored->value(u);
            if (const auto* s = std::get_if<std::string>(&v)) return *s;
            if (const auto* d = std::get_if<double>(&v)) return *d;
            if (const auto* b = std::get_if<bool>(&v)) return *b;
            return nullptr;
        }
        const auto it = values.find(u);
        return it == values.end() ? json(nullptr) : it->second;
    }
};

std::string text(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
    return graph::format_number(v.get<double>());
}

// Runs one attached request (any op whose rows carry "id") and turns its per-person numbers into a
// column named after it.
Column attach(OpContext& ctx, const json& request, const std::string& at) {
    FieldReader shape(request, at);
    const auto op = shape.required<std::string>("op");
    if (op == "export" || op == "import" || op == "erase") {
        throw QueryError(ErrorCode::invalid_argument, "attach takes analyses, not '" + op + "'", shape.at("op"));
    }
    json sub = request;
    if (!sub.contains("top") && op != "communities" && op != "seeds" && op != "silos") sub["top"] = 0;
    const OpEntry* entry = find_op(op);
    if (!entry) throw QueryError(ErrorCode::invalid_argument, "unknown op '" + op + "'", shape.at("op"));
    FieldReader reader(sub, at);
    (void)reader.required<std::string>("op");
    OpContext inner{ctx.db, ctx.snapshot, ctx.run, at, ctx.options, false};
    const json result = entry->run(inner, reader);
    reader.reject_unknown();
    if (!result.contains("rows")) {
        throw QueryError(ErrorCode::invalid_argument, "op '" + op + "' gives no per-person rows to attach", at);
    }
    Column column;
    column.name = sub.contains("algorithm") ? sub["algorithm"].get<std::string>() : op;
    if (op == "communities") column.name = "community";
    column.type = graph::AttributeType::number;
    const auto& g = ctx.g();
    for (const auto& row : result["rows"]) {
        json value;
        for (const char* key : {"score", "crv", "community", "marginal_gain"}) {
            if (row.contains(key)) {
                value = row[key];
                break;
            }
        }
        if (value.is_null()) continue;
        if (const auto u = g.find(row["id"].get<std::string>())) column.values[*u] = value;
    }
    return column;
}

}  // namespace

// The graph (any filtered part of it), with its attributes and any attached results, as GraphML or
// GEXF for Gephi, or DOT for Graphviz.
json export_graph(OpContext& ctx, FieldReader& reader) {
    const auto& g = ctx.g();
    const auto format = reader.required_enum<ExportFormat>("format");
    const auto out = reader.required<std::string>("out");
    const auto spec = read_subgraph(reader);
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
    const auto path = output_path(ctx, out, reader.at("out"));
    if (ctx.estimate) {
        graph::Estimate e;
        e.work = static_cast<double>(g.node_count() + g.edge_count());
        for (std::size_t i = 0; i < attach_requests.size(); ++i) {
            json sub = attach_requests[i];
            if (!sub.is_object()) continue;
            sub["estimate"] = true;
            // Each attached analysis is estimated the way a request of its own would be.
            const auto at = pointer_append(reader.at("attach"), std::to_string(i));
            FieldReader shape(sub, at);
            const auto* entry = find_op(shape.required<std::string>("op"));
            if (!entry) continue;
            OpContext inner{ctx.db, ctx.snapshot, ctx.run, at, ctx.options, true};
            (void)shape.optional<bool>("estimate", true);
            const auto part = entry->run(inner, shape);
            if (part.contains("estimate")) {
                graph::Estimate x;
                x.work = part["estimate"]["work"].get<double>();
                x.memory_bytes = part["estimate"]["memory_bytes"].get<double>();
                e.then(x);
            }
        }
        return estimate_result(ctx.run, e);
    }

    std::vector<Column> columns;
    for (const auto& c : g.attributes().columns()) columns.push_back({c.name(), c.type(), {}, &c});
    for (std::size_t i = 0; i < attach_requests.size(); ++i) {
        columns.push_back(attach(ctx, attach_requests[i], pointer_append(reader.at("attach"), std::to_string(i))));
    }

    // The people and edges that pass the filters, as stored (parallel edges kept: Gephi merges them).
    const graph::EdgeFilter filter(g, spec);
    auto keep_edge = [&](graph::EdgeIndex e, graph::NodeIndex u) { return filter.keeps(e, u, g.target(e)); };


    std::optional<graph::AtomicFile> atomic;
    try {
        atomic.emplace(path);
    } catch (const graph::FileError& e) {
        throw QueryError(ErrorCode::failed_precondition, e.what(), reader.at("out"));
    }
    std::ostream& file = atomic->stream();
    std::uint64_t nodes = 0, edges = 0;
    auto type_name = [&](graph::AttributeType t, bool gexf) -> std::string {
        switch (t) {
            case graph::AttributeType::string: return "string";
            case graph::AttributeType::number: return "double";
            case graph::AttributeType::boolean: return gexf ? "boolean" : "boolean";
        }
        return "string";
    };
    const bool directed = spec.directed;
    if (format == ExportFormat::graphml) {
        file << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             << "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
             << "  <key id=\"kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n";
        for (std::size_t c = 0; c < columns.size(); ++c) {
            file << "  <key id=\"a" << c << "\" for=\"node\" attr.name=\"" << xml(columns[c].name) << "\" attr.type=\""
                 << type_name(columns[c].type, false) << "\"/>\n";
        }
        file << "  <key id=\"edge_kind\" for=\"edge\" attr.name=\"kind\" attr.type=\"string\"/>\n"
             << "  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n"
             << "  <key id=\"timestamp\" for=\"edge\" attr.name=\"timestamp\" attr.type=\"string\"/>\n"
             << "  <key id=\"value\" for=\"edge\" attr.name=\"value\" attr.type=\"double\"/>\n"
             << "  <graph id=\"smorg\" edgedefault=\"" << (directed ? "directed" : "undirected") << "\">\n";
        for (graph::NodeIndex u = 0; u < g.node_count(); ++u) {
            if (!filter.node(u)) continue;
            ++nodes;
            file << "    <node id=\"" << xml(g.id(u)) << "\"><data key=\"kind\">" << xml(g.node_kind_name(u)) << "</data>";
            for (std::size_t c = 0; c < columns.size(); ++c) {
                const auto v = columns[c].value(u);
                if (!v.is_null()) file << "<data key=\"a" << c << "\">" << xml(text(v)) << "</data>";
            }
            file << "</node>\n";
        }
        for (graph::NodeIndex u = 0; u < g.node_count(); ++u) {
            for (auto e = g.out_begin(u); e < g.out_end(u); ++e) {
                if (!keep_edge(e, u)) continue;
                file << "    <edge source=\"" << xml(g.id(u)) << "\" target=\"" << xml(g.id(g.target(e))) << "\"><data key=\"edge_kind\">"
                     << xml(g.edge_kind_name(e)) << "</data><data key=\"weight\">" << graph::format_number(g.weight(e)) << "</data>";
                if (g.timestamp(e) != graph::kNoTimestamp) file << "<data key=\"timestamp\">" << graph::format_timestamp(g.timestamp(e)) << "</data>";
                if (auto v = g.value(e)) file << "<data key=\"value\">" << graph::format_number(*v) << "</data>";
                file << "</edge>\n";
                ++edges;
            }
        }
        file << "  </graph>\n</graphml>\n";
    } else if (format == ExportFormat::gexf) {
        file << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             << "<gexf xmlns=\"http://www.gexf.net/1.2draft\" version=\"1.2\">\n"
             << "  <meta><creator>smorg</creator></meta>\n"
             << "  <graph defaultedgetype=\"" << (directed ? "directed" : "undirected") << "\" mode=\"static\">\n"
             << "    <attributes class=\"node\">\n      <attribute id=\"kind\" title=\"kind\" type=\"string\"/>\n";
        for (std::size_t c = 0; c < columns.size(); ++c) {
            file << "      <attribute id=\"a" << c << "\" title=\"" << xml(columns[c].name) << "\" type=\""
                 << type_name(columns[c].type, true) << "\"/>\n";
        }
        file << "    </attributes>\n    <attributes class=\"edge\">\n      <attribute id=\"kind\" title=\"kind\" type=\"string\"/>\n"
             << "      <attribute id=\"timestamp\" title=\"timestamp\" type=\"string\"/>\n"
             << "      <attribute id=\"value\" title=\"value\" type=\"double\"/>\n    </attributes>\n    <nodes>\n";
        const auto* names = g.attributes().find(graph::attributes::name);
        for (graph::NodeIndex u = 0; u < g.node_count(); ++u) {
            if (!filter.node(u)) continue;
            ++nodes;
            const std::string label = names && names->has(u) ? std::string(names->string(u)) : std::string(g.id(u));
            file << "      <node id=\"" << xml(g.id(u)) << "\" label=\"" << xml(label) << "\"><attvalues><attvalue for=\"kind\" value=\""
                 << xml(g.node_kind_name(u)) << "\"/>";
            for (std::size_t c = 0; c < columns.size(); ++c) {
                const auto v = columns[c].value(u);
                if (!v.is_null()) file << "<attvalue for=\"a" << c << "\" value=\"" << xml(text(v)) << "\"/>";
            }
            file << "</attvalues></node>\n";
        }
        file << "    </nodes>\n    <edges>\n";
        for (graph::NodeIndex u = 0; u < g.node_count(); ++u) {
            for (auto e = g.out_begin(u); e < g.out_end(u); ++e) {
                if (!keep_edge(e, u)) continue;
                file << "      <edge id=\"" << edges << "\" source=\"" << xml(g.id(u)) << "\" target=\"" << xml(g.id(g.target(e)))
                     << "\" weight=\"" << graph::format_number(g.weight(e)) << "\"><attvalues><attvalue for=\"kind\" value=\""
                     << xml(g.edge_kind_name(e)) << "\"/>";
                if (g.timestamp(e) != graph::kNoTimestamp) {
                    file << "<attvalue for=\"timestamp\" value=\"" << graph::format_timestamp(g.timestamp(e)) << "\"/>";
                }
                if (auto v = g.value(e)) file << "<attvalue for=\"value\" value=\"" << graph::format_number(*v) << "\"/>";
                file << "</attvalues></edge>\n";
                ++edges;
            }
        }
        file << "    </edges>\n  </graph>\n</gexf>\n";
    } else {
        file << (directed ? "digraph" : "graph") << " smorg {\n";
        for (graph::NodeIndex u = 0; u < g.node_count(); ++u) {
            if (!filter.node(u)) continue;
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
                     << " [kind=" << dot_quote(std::string(g.edge_kind_name(e))) << ", weight=" << graph::format_number(g.weight(e)) << "];\n";
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
    json attached = json::array();
    for (std::size_t c = g.attributes().columns().size(); c < columns.size(); ++c) attached.push_back(columns[c].name);
    return {{"file", out}, {"format", graph::name_of(format)}, {"nodes", nodes}, {"edges", edges}, {"attached", attached}};
}

}  // namespace smorg::queries::ops
