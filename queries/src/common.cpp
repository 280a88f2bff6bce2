#include "common.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "smorg/graph/text.h"

namespace smorg::queries {

namespace {

// One value of a condition as JSON gave it; its type is checked against the attribute's column in
// the graph layer (graph::validate), where the column is known.
graph::AttributeValue condition_value(const json& value, const std::string& at) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_boolean()) return value.get<bool>();
    if (value.is_number()) return value.get<double>();
    throw QueryError(ErrorCode::invalid_argument,
                     "expected a string, a number or a boolean, got " + std::string(type_phrase(value)), at);
}

}  // namespace

std::vector<graph::NodeCondition> read_where(FieldReader& reader) {
    std::vector<graph::NodeCondition> where;
    const json* raw = reader.raw("where");
    if (!raw) return where;
    const std::string at = reader.at("where");
    if (!raw->is_object()) {
        throw QueryError(
            ErrorCode::invalid_argument,
            "expected an object of attribute conditions, e.g. {\"clv\": {\">=\": 100}}, got " + std::string(type_phrase(*raw)),
            at);
    }
    for (const auto& [attribute, conditions] : raw->items()) {
        const std::string attribute_at = pointer_append(at, attribute);
        if (!conditions.is_object() || conditions.empty()) {
            throw QueryError(ErrorCode::invalid_argument,
                             "expected an object of one or more operators (" + graph::allowed_names<graph::Compare>() +
                                 "), got " + std::string(conditions.is_object() ? "an empty object" : type_phrase(conditions)),
                             attribute_at);
        }
        for (const auto& [op, value] : conditions.items()) {
            const std::string op_at = pointer_append(attribute_at, op);
            const auto compare = graph::parse_enum<graph::Compare>(op);
            if (!compare) {
                throw QueryError(ErrorCode::invalid_argument,
                                 "unknown operator \"" + graph::printable(op) + "\"; the operators are " +
                                     graph::allowed_names<graph::Compare>(),
                                 op_at);
            }
            graph::NodeCondition c{attribute, *compare, {}};
            if (*compare == graph::Compare::in || *compare == graph::Compare::not_in) {
                if (!value.is_array()) {
                    throw QueryError(ErrorCode::invalid_argument,
                                     "expected an array of values, got " + std::string(type_phrase(value)), op_at);
                }
                for (std::size_t i = 0; i < value.size(); ++i)
                    c.values.push_back(condition_value(value[i], pointer_append(op_at, std::to_string(i))));
            } else if (*compare == graph::Compare::exists) {
                c.values.emplace_back(FieldReader::convert<bool>(value, op_at));
            } else {
                c.values.push_back(condition_value(value, op_at));
            }
            where.push_back(std::move(c));
        }
    }
    return where;
}

json where_json(const std::vector<graph::NodeCondition>& where) {
    json out = json::object();
    auto value_json = [](const graph::AttributeValue& v) -> json {
        if (const auto* s = std::get_if<std::string>(&v)) return *s;
        if (const auto* d = std::get_if<double>(&v)) return *d;
        if (const auto* b = std::get_if<bool>(&v)) return *b;
        return nullptr;
    };
    for (const auto& c : where) {
        const std::string op(graph::name_of(c.compare));
        if (c.compare == graph::Compare::in || c.compare == graph::Compare::not_in) {
            json list = json::array();
            for (const auto& v : c.values) list.push_back(value_json(v));
            out[c.attribute][op] = std::move(list);
        } else {
            out[c.attribute][op] = value_json(c.values.front());
        }
    }
    return out;
}

graph::SubgraphSpec read_subgraph(FieldReader& reader, graph::SubgraphSpec defaults, unsigned fields) {
    graph::SubgraphSpec spec = std::move(defaults);
    if (fields & kNodeKinds) {
        if (auto kinds = reader.maybe<std::vector<std::string>>("node_kinds")) spec.node_kinds = std::move(*kinds);
        spec.where = read_where(reader);
    }
    if (fields & kEdgeKinds) {
        if (auto kinds = reader.maybe<std::vector<std::string>>("edge_kinds")) spec.edge_kinds = std::move(*kinds);
    }
    if (fields & kWindow) {
        if (auto since = reader.maybe_timestamp("since")) spec.since = since;
        if (auto until = reader.maybe_timestamp("until")) spec.until = until;
    }
    if (fields & kDirected) spec.directed = reader.optional<bool>("directed", spec.directed);
    if (fields & kWeighted) spec.weighted = reader.optional<bool>("weighted", spec.weighted);
    if (fields & kKeepIsolated) spec.keep_isolated = reader.optional<bool>("keep_isolated", spec.keep_isolated);
    return spec;
}

graph::SubgraphSpec read_subgraph_or_engine_default(FieldReader& reader, const graph::Snapshot& g, graph::SubgraphSpec defaults,
                                                    unsigned fields) {
    auto spec = read_subgraph(reader, std::move(defaults), fields);
    if ((fields & kEdgeKinds) && reader.has("edge_kinds") && spec.edge_kinds.empty()) {
        for (graph::KindId k = 0; k < g.edge_kinds().size(); ++k) spec.edge_kinds.emplace_back(g.edge_kinds().name(k));
    }
    return spec;
}

std::size_t read_top(FieldReader& reader, std::size_t fallback) {
    return static_cast<std::size_t>(reader.optional<std::uint64_t>("top", fallback));
}

graph::NodeIndex resolve_node(const graph::Snapshot& g, const std::string& id, const std::string& at) {
    if (auto node = g.find(id)) return *node;
    throw QueryError(ErrorCode::not_found, "no node with id '" + id + "'", at);
}

graph::NodeIndex read_node(FieldReader& reader, const graph::Snapshot& g, std::string_view key) {
    return resolve_node(g, reader.required<std::string>(key), reader.at(key));
}

std::vector<graph::NodeIndex> read_nodes(FieldReader& reader, const graph::Snapshot& g, std::string_view key) {
    std::vector<graph::NodeIndex> out;
    const auto ids = reader.maybe<std::vector<std::string>>(key);
    if (!ids) return out;
    out.reserve(ids->size());
    for (std::size_t i = 0; i < ids->size(); ++i) {
        out.push_back(resolve_node(g, (*ids)[i], pointer_append(reader.at(key), std::to_string(i))));
    }
    return out;
}

json node_ref(const graph::Snapshot& g, graph::NodeIndex node) {
    json ref = {{"id", g.id(node)}, {"kind", g.node_kind_name(node)}};
    if (const auto* names = g.attributes().find(graph::attributes::name)) {
        if (names->has(node)) ref["name"] = names->string(node);
    }
    return ref;
}

std::vector<graph::NodeIndex> top_nodes(const std::vector<graph::NodeIndex>& nodes, const std::vector<double>& score,
                                        std::size_t k) {
    auto better = [&](graph::NodeIndex a, graph::NodeIndex b) {
        const double sa = std::isnan(score[a]) ? -INFINITY : score[a];
        const double sb = std::isnan(score[b]) ? -INFINITY : score[b];
        return sa != sb ? sa > sb : a < b;
    };
    std::vector<graph::NodeIndex> order(nodes);
    if (k == 0 || k >= order.size()) {
        std::sort(order.begin(), order.end(), better);
        return order;
    }
    std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(), better);
    order.resize(k);
    std::sort(order.begin(), order.end(), better);
    return order;
}

json number(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

json ranked_rows(const graph::Snapshot& g, const std::vector<graph::NodeIndex>& nodes, const std::vector<double>& score,
                 std::size_t top, std::string_view score_field, const RowExtra& extra) {
    json rows = json::array();
    std::size_t rank = 0;
    for (auto node : top_nodes(nodes, score, top)) {
        json row = node_ref(g, node);
        row[std::string(score_field)] = number(score[node]);
        row["rank"] = ++rank;
        if (extra) extra(row, node);
        rows.push_back(std::move(row));
    }
    return rows;
}

json score_summary(const std::vector<graph::NodeIndex>& nodes, const std::vector<double>& score) {
    std::vector<double> values;
    values.reserve(nodes.size());
    for (auto u : nodes) {
        if (std::isfinite(score[u])) values.push_back(score[u]);
    }
    json out = {{"count", values.size()}};
    if (values.empty()) return out;
    std::sort(values.begin(), values.end());
    double sum = 0;
    for (double v : values) sum += v;
    auto percentile = [&](double p) {
        const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
        return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
    };
    out["min"] = values.front();
    out["max"] = values.back();
    out["mean"] = sum / static_cast<double>(values.size());
    for (int p : {25, 50, 75, 90, 99}) out["p" + std::to_string(p)] = percentile(p);
    return out;
}

void offer_column(const OpContext& ctx, std::string name, const std::vector<graph::NodeIndex>& nodes,
                  const std::vector<double>& values, bool integer) {
    if (!ctx.column) return;
    auto& c = *ctx.column;
    c.name = std::move(name);
    c.integer = integer;
    c.values.assign(ctx.g().node_count(), std::numeric_limits<double>::quiet_NaN());
    for (auto u : nodes) c.values[u] = values[u];
    c.filled = true;
}

namespace {
std::string kinds_found(const graph::Vocabulary& kinds, const std::function<std::uint64_t(graph::KindId)>& count) {
    std::vector<std::pair<std::uint64_t, std::string>> found;
    for (std::size_t k = 0; k < kinds.size(); ++k) {
        if (const auto c = count(static_cast<graph::KindId>(k))) found.emplace_back(c, kinds.names()[k]);
    }
    std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::string out;
    for (const auto& [c, name] : found) {
        out += (out.empty() ? "" : ", ") + graph::printable(name) + " (" + std::to_string(c) + ")";
    }
    return out.empty() ? "none" : out;
}
}  // namespace

std::string node_kinds_found(const graph::Snapshot& g) {
    return kinds_found(g.node_kinds(), [&](graph::KindId k) { return g.node_count_of(k); });
}

std::string edge_kinds_found(const graph::Snapshot& g) {
    return kinds_found(g.edge_kinds(), [&](graph::KindId k) { return g.edge_count_of(k); });
}

json estimate_result(const RunContext& run, const graph::Estimate& e) {
    const auto& limits = run.limits();
    json out = {{"work", std::ceil(e.work)},
                {"memory_bytes", std::ceil(e.memory_bytes)},
                {"basis", e.basis},
                {"max_work", limits.max_work},
                {"max_memory_bytes", limits.max_memory_bytes},
                {"fits", e.work <= limits.max_work && e.memory_bytes <= limits.max_memory_bytes}};
    if (!e.field.empty()) out["driven_by"] = e.field;
    return {{"estimate", out}};
}

std::string xml_chars(std::string_view raw) {
    std::string out = graph::printable(raw);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto u = static_cast<unsigned char>(out[i]);
        if (u < 0x20 && u != '\t' && u != '\n' && u != '\r') {
            out.replace(i, 1, "\xEF\xBF\xBD");
            i += 2;
        }
    }
    return out;
}

std::string xml(std::string_view raw) {
    const std::string text = xml_chars(raw);
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

}  // namespace smorg::queries
