#include "smorg/engine/centrality/degree.h"

#include <algorithm>

#include "smorg/graph/ranks.h"

#include "budget.h"
#include "parallel.h"
#include "partition.h"

namespace smorg::engine {

void validate(const DegreeParams& params, const graph::Snapshot& g) { graph::validate(params.subgraph, g); }

Estimate estimate(const graph::Snapshot& g, const DegreeParams& params) {
    validate(params, g);
    const auto view = graph::view_size(g, params.subgraph);
    return detail::on_view(
        view, detail::cost(static_cast<double>(view.nodes + view.arcs), 8 * static_cast<double>(g.node_count()), ""));
}

DegreeResult degree(const graph::Snapshot& g, const DegreeParams& params, RunContext& run) {
    detail::enter(run, estimate(g, params));
    const auto shared_view = graph::Subgraph::shared(g, params.subgraph);
    const auto& view = *shared_view;
    const auto& nodes = view.nodes();
    DegreeResult result;
    result.score.assign(view.node_count(), 0.0);
    const bool undirected = !view.directed();
    const bool want_in = undirected || params.direction != Direction::out;
    const bool want_out = !undirected && params.direction != Direction::in;
    const double scale = params.normalized && nodes.size() > 1 ? 1.0 / static_cast<double>(nodes.size() - 1) : 1.0;
    // Over ranks (docs/scale.md) each counts the nodes it owns, which need nothing from the others.
    const detail::Partition part(
        run.ranks(), view.node_count(), [&](std::uint64_t u) { return view.out_degree(static_cast<graph::NodeIndex>(u)); },
        [](std::uint64_t, auto&&) {});
    const auto owned = part.owned(nodes);
    detail::for_batches<std::size_t>(
        owned.size(), 16, run, "degree",
        [&](std::size_t first, std::size_t last) {
            for (std::size_t i = first; i < last; ++i) {
                const graph::NodeIndex u = owned[i];
                double d = 0;
                if (want_in) {
                    const auto sources = view.in_neighbors(u);
                    const auto weights = view.in_weights(u);
                    for (std::size_t k = 0; k < sources.size(); ++k) {
                        // Undirected, a loop has two ends on u but is listed once.
                        d += (undirected && sources[k] == u) ? 2 * weights[k] : weights[k];
                    }
                }
                if (want_out) {
                    for (double w : view.out_weights(u)) d += w;
                }
                result.score[u] = d * scale;
            }
        },
        std::size_t{1024});
    part.gather(result.score);
    result.nodes = nodes;
    result.isolated = view.isolated();
    return result;
}

}  // namespace smorg::engine
