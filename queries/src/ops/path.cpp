#include <limits>
#include <queue>

#include <boost/graph/dijkstra_shortest_paths.hpp>

#include "common.h"
#include "ops/ops.h"
#include "smorg/graph/bgl.h"

namespace smorg::queries::ops {

// A shortest path between two people. Undirected by default (a tie links two people whichever way
// it was recorded); weighted, steps are 1 / weight long (weight_as "length": the weight itself).
json path(OpContext& ctx, FieldReader& reader) {
    const auto& g = ctx.g();
    const auto from = read_node(reader, g, "source");
    const auto to = read_node(reader, g, "target");
    graph::SubgraphSpec defaults;
    defaults.directed = false;
    const auto spec = read_subgraph(reader, defaults, kAllFilters & ~kKeepIsolated);  // two given people
    const auto weight_as = reader.optional_enum<graph::WeightAs>("weight_as", graph::WeightAs::strength);
    reader.reject_unknown();
    graph::validate(spec, g);
    const auto size = graph::view_size(g, spec);
    graph::Estimate search{static_cast<double>(size.nodes + size.arcs) * (spec.weighted ? 20.0 : 1.0),
                           24.0 * static_cast<double>(g.node_count()), "", "upper bound"};
    auto cost = size.cost;
    cost.then(search, true);
    if (ctx.estimate) return estimate_result(ctx.run, cost);
    ctx.run.admit(cost);

    const auto view = graph::Subgraph::of(g, spec);
    const graph::EdgeFilter filter(g, spec);
    for (auto [node, key] : {std::pair{from, "source"}, std::pair{to, "target"}}) {
        if (!filter.node(node)) {
            throw QueryError(ErrorCode::invalid_argument, "'" + std::string(g.id(node)) + "' is not in the chosen node kinds",
                             reader.at(key));
        }
    }
    // Someone with no tie in the view is reached by no path (unless it is the same person).
    if ((!view.active(from) || !view.active(to)) && from != to) {
        return {{"found", false}, {"source", node_ref(g, from)}, {"target", node_ref(g, to)}};
    }
    ctx.run.throw_if_cancelled();
    const auto n = view.node_count();
    constexpr double kInf = std::numeric_limits<double>::infinity();
    std::vector<double> distance(n, kInf);
    std::vector<graph::NodeIndex> parent(n, graph::kNoNode);
    if (spec.weighted) {
        const auto index = get(boost::vertex_index, view);
        for (graph::NodeIndex u = 0; u < n; ++u) parent[u] = u;
        boost::dijkstra_shortest_paths(
            view, from,
            boost::weight_map(graph::length_map(view, weight_as == graph::WeightAs::length))
                .distance_map(boost::make_iterator_property_map(distance.begin(), index))
                .predecessor_map(boost::make_iterator_property_map(parent.begin(), index))
                .distance_inf(kInf));
        for (graph::NodeIndex u = 0; u < n; ++u) {
            if (parent[u] == u) parent[u] = graph::kNoNode;
        }
    } else {
        std::queue<graph::NodeIndex> frontier;
        distance[from] = 0;
        frontier.push(from);
        while (!frontier.empty() && distance[to] == kInf) {
            const auto u = frontier.front();
            frontier.pop();
            for (auto v : view.out_neighbors(u)) {
                if (distance[v] == kInf) {
                    distance[v] = distance[u] + 1;
                    parent[v] = u;
                    frontier.push(v);
                }
            }
        }
    }
    if (distance[to] == kInf) return {{"found", false}, {"source", node_ref(g, from)}, {"target", node_ref(g, to)}};

    std::vector<graph::NodeIndex> nodes{to};
    while (nodes.back() != from) nodes.push_back(parent[nodes.back()]);
    std::reverse(nodes.begin(), nodes.end());

    // The stored edges behind each step (the view merged parallel ones).
    auto in_window = [&](graph::EdgeIndex e) { return filter.edge(e); };
    json steps = json::array();
    for (std::size_t i = 0; i + 1 < nodes.size(); ++i) {
        const auto a = nodes[i];
        const auto b = nodes[i + 1];
        json edges = json::array();
        for (auto e = g.out_begin(a); e < g.out_end(a); ++e) {
            if (g.target(e) == b && in_window(e)) {
                edges.push_back({{"source", g.id(a)}, {"target", g.id(b)}, {"kind", g.edge_kind_name(e)}, {"weight", g.weight(e)}});
            }
        }
        if (!spec.directed) {
            for (auto e = g.out_begin(b); e < g.out_end(b); ++e) {
                if (g.target(e) == a && in_window(e)) {
                    edges.push_back({{"source", g.id(b)}, {"target", g.id(a)}, {"kind", g.edge_kind_name(e)}, {"weight", g.weight(e)}});
                }
            }
        }
        steps.push_back({{"from", g.id(a)}, {"to", g.id(b)}, {"edges", edges}});
    }
    json path_nodes = json::array();
    for (auto u : nodes) path_nodes.push_back(node_ref(g, u));
    return {{"found", true},
            {"hops", nodes.size() - 1},
            {"length", distance[to]},
            {"nodes", path_nodes},
            {"steps", steps}};
}

}  // namespace smorg::queries::ops
