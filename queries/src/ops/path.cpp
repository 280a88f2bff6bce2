#include "smorg/engine/paths/shortest_path.h"

#include "common.h"
#include "ops/ops.h"

namespace smorg::queries::ops {

// A shortest path between two people (engine::shortest_path), with the stored edges behind each step.
json path(OpContext& ctx, FieldReader& reader) {
    const auto& g = ctx.g();
    engine::ShortestPathParams p;
    p.source = read_node(reader, g, "source");
    p.target = read_node(reader, g, "target");
    p.subgraph = read_subgraph(reader, p.subgraph, kAllFilters & ~kKeepIsolated);  // two given people
    p.weight_as = reader.optional_enum<graph::WeightAs>("weight_as", p.weight_as);
    reader.reject_unknown();
    if (ctx.estimate) return estimate_result(ctx.run, engine::estimate(g, p));
    const auto r = engine::shortest_path(g, p, ctx.run);
    const auto from = p.source;
    if (!r.found) return {{"found", false}, {"source", node_ref(g, from)}, {"target", node_ref(g, p.target)}};
    const auto& nodes = r.nodes;
    const auto& spec = p.subgraph;
    const graph::EdgeFilter filter(g, spec);

    // The stored edges behind each step (the view merged parallel ones).
    auto in_window = [&](graph::EdgeIndex e) { return filter.edge(e); };
    json steps = json::array();
    for (std::size_t i = 0; i + 1 < nodes.size(); ++i) {
        const auto a = nodes[i];
        const auto b = nodes[i + 1];
        json edges = json::array();
        for (auto e = g.out_begin(a); e < g.out_end(a); ++e) {
            if (g.target(e) == b && in_window(e)) {
                edges.push_back(
                    {{"source", g.id(a)}, {"target", g.id(b)}, {"kind", g.edge_kind_name(e)}, {"weight", g.weight(e)}});
            }
        }
        if (!spec.directed) {
            for (auto e = g.out_begin(b); e < g.out_end(b); ++e) {
                if (g.target(e) == a && in_window(e)) {
                    edges.push_back(
                        {{"source", g.id(b)}, {"target", g.id(a)}, {"kind", g.edge_kind_name(e)}, {"weight", g.weight(e)}});
                }
            }
        }
        steps.push_back({{"from", g.id(a)}, {"to", g.id(b)}, {"edges", edges}});
    }
    json path_nodes = json::array();
    for (auto u : nodes) path_nodes.push_back(node_ref(g, u));
    return {{"found", true}, {"hops", nodes.size() - 1}, {"length", r.length}, {"nodes", path_nodes}, {"steps", steps}};
}

}  // namespace smorg::queries::ops
