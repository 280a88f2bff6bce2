#include "smorg/engine/paths/shortest_path.h"

#include <algorithm>
#include <limits>
#include <string>

#include "budget.h"
#include "centrality/sssp.h"

namespace smorg::engine {

using graph::NodeIndex;

void validate(const ShortestPathParams& params, const graph::Snapshot& g) {
    graph::validate(params.subgraph, g);
    if (params.subgraph.keep_isolated) {
        throw ParamError("keep_isolated", "keep_isolated changes nothing for a path between two given people");
    }
    const graph::EdgeFilter filter(g, params.subgraph);
    for (auto [node, field] : {std::pair{params.source, "source"}, std::pair{params.target, "target"}}) {
        if (node >= g.node_count()) throw ParamError(field, std::string(field) + " is not a node of this snapshot");
        if (!filter.node(node)) {
            throw ParamError(field, "'" + std::string(g.id(node)) + "' is not in the chosen view (node_kinds and where)");
        }
    }
}

Estimate estimate(const graph::Snapshot& g, const ShortestPathParams& params) {
    validate(params, g);
    const auto size = graph::view_size(g, params.subgraph);
    const Estimate search{static_cast<double>(size.nodes + size.arcs) * (params.subgraph.weighted ? 20.0 : 1.0),
                          24.0 * static_cast<double>(g.node_count()), "", "upper bound"};
    auto cost = size.cost;
    cost.then(search, true);
    return cost;
}

ShortestPathResult shortest_path(const graph::Snapshot& g, const ShortestPathParams& params, RunContext& run) {
    detail::enter(run, estimate(g, params));
    ShortestPathResult r;
    const auto from = params.source, to = params.target;
    if (from == to) {
        r.found = true;
        r.nodes = {from};
        return r;
    }
    const auto shared_view = graph::Subgraph::shared(g, params.subgraph);
    const auto& view = *shared_view;
    // Someone with no tie in the view is reached by no path.
    if (!view.active(from) || !view.active(to)) return r;
    detail::SsspMode mode;
    mode.weighted = view.weighted();
    mode.weight_is_length = params.weight_as == graph::WeightAs::length;
    mode.count_paths = false;
    detail::SsspWorkspace ws(view.node_count());
    detail::shortest_paths(view, from, mode, ws, to);
    run.throw_if_cancelled();
    if (ws.dist[to] == detail::kUnreached) return r;
    // Back from the target, through the predecessor on a shortest path that was settled first. Every
    // candidate is settled before the node it leads to (lengths are > 0), so its distance is final.
    std::vector<std::uint32_t> settled(view.node_count(), std::numeric_limits<std::uint32_t>::max());
    for (std::uint32_t i = 0; i < ws.order.size(); ++i) settled[ws.order[i]] = i;
    r.nodes.push_back(to);
    while (r.nodes.back() != from) {
        const auto w = r.nodes.back();
        const auto sources = detail::prev_nodes(view, w, mode);
        const auto weights = detail::prev_weights(view, w, mode);
        NodeIndex best = graph::kNoNode;
        for (std::size_t k = 0; k < sources.size(); ++k) {
            const auto p = sources[k];
            if (settled[p] == std::numeric_limits<std::uint32_t>::max() || p == w) continue;
            if (!detail::on_shortest_path(ws, p, w, weights[k], mode)) continue;
            if (best == graph::kNoNode || settled[p] < settled[best]) best = p;
        }
        r.nodes.push_back(best);
    }
    std::reverse(r.nodes.begin(), r.nodes.end());
    r.length = ws.dist[to];
    r.found = true;
    return r;
}

}  // namespace smorg::engine
