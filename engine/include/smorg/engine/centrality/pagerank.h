#pragma once

#include <utility>
#include <vector>

#include "smorg/engine/run_context.h"
#include "smorg/graph/snapshot.h"
#include "smorg/graph/subgraph.h"

namespace smorg::engine {

struct PageRankParams {
    graph::SubgraphSpec subgraph;  // weighted: follow arcs in proportion to tie strength
    double damping = 0.85;         // chance to follow an arc rather than teleport; in [0, 1)
    double tolerance = 1e-10;      // converged when the L1 change of a sweep is < n * tolerance (the
                                   //   mean change per node, networkx's rule); > 0
    int max_iterations = 1000;     // >= 1
    // Personalization: teleport (and spread dangling mass) only to these nodes, in proportion to
    // their weights (>= 0, not all 0). Empty: to every node of the subgraph alike.
    std::vector<std::pair<graph::NodeIndex, double>> sources;
};

struct PageRankResult {
    std::vector<graph::NodeIndex> nodes;  // the subgraph's nodes, ascending
    std::vector<double> score;            // by NodeIndex; sums to 1 over the subgraph
    int iterations = 0;
    bool converged = false;               // false: stopped at max_iterations
    double last_change = 0;               // L1 change of the last sweep
};

// Throws ParamError naming the first bad field ("damping", "sources/3").
void validate(const PageRankParams& params, const graph::Snapshot& g);

// PageRank by power iteration (Brin & Page 1998), pulling over in-arcs. Dangling nodes' mass is
// spread like teleports (over `sources` when given), as networkx does. O(iterations * (V + E));
// the same bits at any thread count.
PageRankResult pagerank(const graph::Snapshot& g, const PageRankParams& params, RunContext& run);

// The same on a view the caller already built (it must satisfy params.subgraph's meaning).
PageRankResult pagerank(const graph::Subgraph& view, const PageRankParams& params, RunContext& run);

// Where a node's score comes from at the fixed point: each in-neighbour u sends
// damping * score[u] * w(u, v) / strength(u); the rest is teleport (and dangling mass), reported with
// `from` = kNoNode. Shares are fractions of score[v], largest first, at most `k` neighbours plus the
// teleport part. O(in-degree of v).
struct PageRankContribution {
    graph::NodeIndex from = graph::kNoNode;
    double share = 0;
};
std::vector<PageRankContribution> explain_pagerank(const graph::Subgraph& view, const PageRankResult& result,
                                                   const PageRankParams& params, graph::NodeIndex node, std::size_t k);

}  // namespace smorg::engine
