
#include "smorg/graph/time.h"

#include "common.h"
#include "ops/ops.h"

namespace smorg::queries::ops {
namespace {
enum class Side : std::uint8_t { out, in, both };
}  // namespace
}  // namespace smorg::queries::ops

template <>
struct smorg::graph::EnumNames<smorg::queries::ops::Side> {
    static constexpr std::array<std::string_view, 3> names{"out", "in", "both"};
};

namespace smorg::queries::ops {

// Every edge of one person, in storage order: outgoing (by kind, then target) before incoming.
json neighbors(OpContext& ctx, FieldReader& reader) {
    const auto& g = ctx.g();
    const auto u = read_node(reader, g, "id");
    const auto direction = reader.optional_enum<Side>("direction", Side::both);
    const auto kinds = reader.optional<std::vector<std::string>>("edge_kinds", {});
    const auto since = reader.maybe_timestamp("since");
    const auto until = reader.maybe_timestamp("until");
    const auto limit = reader.optional<std::uint64_t>("limit", 100);
    reader.reject_unknown();
    if (ctx.estimate)
        return estimate_result(ctx.run, {static_cast<double>(g.out_degree(u) + g.in_degree(u)), 0, "", "upper bound"});

    graph::SubgraphSpec spec;  // the kinds and the window mean what they mean in every op
    spec.edge_kinds = kinds;
    spec.since = since;
    spec.until = until;
    graph::validate(spec, g);
    const graph::EdgeFilter filter(g, spec);
    auto keep = [&](graph::EdgeIndex e) { return filter.edge(e); };

    json rows = json::array();
    std::uint64_t total = 0;
    auto add = [&](graph::EdgeIndex e, graph::NodeIndex other, const char* dir) {
        if (!keep(e)) return;
        ++total;
        if (limit != 0 && rows.size() >= limit) return;
        json row = node_ref(g, other);
        row["direction"] = dir;
        row["edge_kind"] = g.edge_kind_name(e);
        row["weight"] = g.weight(e);
        if (g.timestamp(e) != graph::kNoTimestamp) row["timestamp"] = graph::format_timestamp(g.timestamp(e));
        if (auto value = g.value(e)) row["value"] = *value;
        rows.push_back(std::move(row));
    };
    if (direction != Side::in) {
        for (auto e = g.out_begin(u); e < g.out_end(u); ++e) add(e, g.target(e), "out");
    }
    if (direction != Side::out) {
        g.for_each_in_edge(u, [&](graph::NodeIndex source, graph::EdgeIndex e) { add(e, source, "in"); });
    }
    return {{"node", node_ref(g, u)}, {"total", total}, {"rows", rows}};
}

}  // namespace smorg::queries::ops
