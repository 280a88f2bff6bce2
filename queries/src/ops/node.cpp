#include <map>

#include "smorg/graph/time.h"

#include "common.h"
#include "ops/ops.h"

namespace smorg::queries::ops {

namespace {
json attribute_json(const graph::AttributeValue& value) {
    if (const auto* s = std::get_if<std::string>(&value)) return *s;
    if (const auto* d = std::get_if<double>(&value)) return number(*d);
    if (const auto* b = std::get_if<bool>(&value)) return *b;
    return nullptr;
}
}  // namespace

json node(OpContext& ctx, FieldReader& reader) {
    const auto& g = ctx.g();
    const auto u = read_node(reader, g, "id");
    reader.reject_unknown();
    if (ctx.estimate)
        return estimate_result(ctx.run, {static_cast<double>(g.out_degree(u) + g.in_degree(u)), 0, "", "upper bound"});
    json attributes = json::object();
    for (const auto& column : g.attributes().columns()) {
        if (column.has(u)) attributes[column.name()] = attribute_json(column.value(u));
    }
    std::map<std::string, std::uint64_t> out_by_kind;
    std::map<std::string, std::uint64_t> in_by_kind;
    for (auto e = g.out_begin(u); e < g.out_end(u); ++e) ++out_by_kind[std::string(g.edge_kind_name(e))];
    g.for_each_in_edge(u, [&](graph::NodeIndex, graph::EdgeIndex e) { ++in_by_kind[std::string(g.edge_kind_name(e))]; });
    json result = node_ref(g, u);
    result["attributes"] = attributes;
    result["out_degree"] = g.out_degree(u);
    result["in_degree"] = g.in_degree(u);
    result["out_by_kind"] = out_by_kind;
    result["in_by_kind"] = in_by_kind;
    result["inside"] = g.is_inside(u);
    result["batch"] = g.node_batch(u);
    for (const auto& b : ctx.db.batches()) {
        if (b.id == g.node_batch(u)) result["provenance"] = graph::name_of(b.provenance);
    }
    return result;
}

}  // namespace smorg::queries::ops
