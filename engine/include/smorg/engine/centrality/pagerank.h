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
    int max_iterations = 1000;     // in [1, kMaxIterations]
    // Personalization: teleport (and spread dangling mass) only to these nodes, in proportion to
    // their weights (>= 0, not all 0). Empty: to every node of the subgraph alike.
    std::vector<std::pair<graph::NodeIndex, double>> sources;
    // Where a dangling node's mass goes (networkx's `dangling`), in proportion to these weights
    // (>= 0, not all 0). Empty: the teleport distribution.
    std::vector<std::pair<graph::NodeIndex, double>> dangling;
    // Explain the top `explain` nodes (0 = none, at most kMaxExplain): where their score comes from.
    std::size_t explain = 0;

    static constexpr int kMaxIterations = 1'000'000;
    static constexpr std::size_t kMaxExplain = 1000;
};

// Where a node's score comes from at the fixed point: each in-neighbour u sends
// damping * score[u] * w(u, v) / strength(u); the rest is teleport (and dangling mass), reported with
// `from` = kNoNode. Shares are fractions of score[v], largest first.
struct PageRankContribution {
    graph::NodeIndex from = graph::kNoNode;
    double share = 0;
};

struct PageRankResult {
    std::vector<graph::NodeIndex> nodes;  // the subgraph's nodes, ascending
    std::uint64_t isolated = 0;           // left out: no tie in the chosen view (SubgraphSpec::keep_isolated)
    std::vector<double> score;            // by NodeIndex; sums to 1 over the subgraph
    int iterations = 0;
    bool converged = false;  // false: stopped at max_iterations
    double last_change = 0;  // L1 change of the last sweep
    // The explained nodes, best first: their three largest in-neighbour shares and the teleport share.
    std::vector<std::pair<graph::NodeIndex, std::vector<PageRankContribution>>> explanations;
};

// Throws ParamError naming the first bad field ("damping", "sources/3").
void validate(const PageRankParams& params, const graph::Snapshot& g);
// Work and memory of a run, before it starts: max_iterations sweeps over the view.
Estimate estimate(const graph::Snapshot& g, const PageRankParams& params);

// PageRank by power iteration (Brin & Page 1998), pulling over in-arcs. Dangling nodes' mass is
// spread like teleports (over `sources` when given), as networkx does. O(iterations * (V + E));
// the same bits at any thread count.
PageRankResult pagerank(const graph::Snapshot& g, const PageRankParams& params, RunContext& run);

}  // namespace smorg::engine
