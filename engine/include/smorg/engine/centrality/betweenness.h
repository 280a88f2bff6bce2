#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "smorg/engine/run_context.h"
#include "smorg/graph/snapshot.h"
#include "smorg/graph/subgraph.h"

namespace smorg::engine {

struct BetweennessParams {
    graph::SubgraphSpec subgraph;                           // weighted: shortest paths by length (see weight_as)
    graph::WeightAs weight_as = graph::WeightAs::strength;  // length = 1 / weight, or the weight
    bool normalized = true;                                 // divide as networkx does: by (n-1)(n-2) (endpoints: n(n-1)); raw
                                                            //   undirected scores are halved, each pair being seen from both ends
    bool endpoints = false;                                 // count a path's ends as lying on it (networkx's `endpoints`)
    // Sampling (Riondato & Kornaropoulos 2016): when set, estimate from random shortest paths so that
    // every score is within `epsilon` of the exact one (normalized by n(n-1)) with probability at
    // least 1 - delta. epsilon in (0, 1); delta in (0, 1). When the bound asks for at least as many
    // samples as the view has nodes, the exact answer (error 0) costs less and is given instead.
    std::optional<double> epsilon;
    double delta = 0.1;
    // Source sampling (Brandes & Pich 2007): when set, Brandes runs from this many random source
    // pivots and scales by n / pivots, an unbiased estimate without a stated bound (graph-tool's
    // `pivots`). Cannot be combined with epsilon.
    std::optional<std::uint64_t> pivots;
    std::uint64_t seed = 1;
    // Cross-group betweenness: when set (one group id per node of the snapshot), only pairs (s, t)
    // in different groups count. Exact, or from pivots; not with epsilon.
    std::vector<std::uint32_t> groups;
    // Explain the top `explain` nodes (0 = none): the sources whose shortest paths run through them
    // most, each with the target it reaches through the node most often and one such path. Exact only.
    std::size_t explain = 0;
};

// One reason a node scores: pairs from `source` to `target` route through it; `share` is the part
// of the node's score that paths from `source` give, `path` one shortest path source -> ... -> target.
struct BetweennessReason {
    graph::NodeIndex source = graph::kNoNode;
    graph::NodeIndex target = graph::kNoNode;
    double share = 0;
    std::vector<graph::NodeIndex> path;
};

struct BetweennessResult {
    std::vector<graph::NodeIndex> nodes;  // the subgraph's nodes, ascending
    std::uint64_t isolated = 0;           // left out: no tie in the chosen view
    std::vector<double> score;            // by NodeIndex
    bool sampled = false;
    std::uint64_t samples = 0;                // sources (exact or pivots) or sampled paths (epsilon)
    double error_bound = 0;                   // sampled: max error, in the units of `score`, w.p. 1 - delta
    std::uint32_t vertex_diameter_bound = 0;  // sampled: the bound the sample size was computed from
    bool exact_instead = false;               // epsilon was given, but exact was cheaper than sampling
    // Explained nodes, best first, with their reasons.
    std::vector<std::pair<graph::NodeIndex, std::vector<BetweennessReason>>> explanations;
};

void validate(const BetweennessParams& params, const graph::Snapshot& g);
// Exact: one search per source. Sampled: the samples the bound asks for at the cost of a pilot of
// the first 32 (the view is built to measure it).
Estimate estimate(const graph::Snapshot& g, const BetweennessParams& params);

// Betweenness centrality. Exact: Brandes (2001) from every source, BFS or Dijkstra, parallel over
// sources with per-block accumulators joined in a fixed tree, O(V E) (O(V E + V^2 log V) weighted),
// memory O(threads (V + E)). Sampled: Riondato-Kornaropoulos path sampling with balanced bidirectional
// BFS (Dijkstra when weighted). The same bits at any thread count for a given seed.
BetweennessResult betweenness(const graph::Snapshot& g, const BetweennessParams& params, RunContext& run);

}  // namespace smorg::engine
