#pragma once

#include <vector>

#include "smorg/engine/run_context.h"
#include "smorg/graph/snapshot.h"
#include "smorg/graph/subgraph.h"

namespace smorg::engine {

struct ShortestPathParams {
    // The ties searched: undirected by default (a tie links two people whichever way it was
    // recorded); weighted: a step is 1 / weight long (weight_as length: the weight itself).
    // keep_isolated changes nothing (the two people are given) and is refused.
    graph::SubgraphSpec subgraph = graph::undirected_spec();
    graph::WeightAs weight_as = graph::WeightAs::strength;
    graph::NodeIndex source = graph::kNoNode;
    graph::NodeIndex target = graph::kNoNode;
};

struct ShortestPathResult {
    bool found = false;
    std::vector<graph::NodeIndex> nodes;  // source ... target; empty when not found
    double length = 0;                    // hops unweighted; the sum of step lengths weighted
};

// ParamError at "source" / "target" for a node that is not in the snapshot or not of the chosen
// node kinds; at the subgraph's fields as graph::validate.
void validate(const ShortestPathParams& params, const graph::Snapshot& g);
// One search over the view (Dijkstra costs about 20 BFS steps per arc).
Estimate estimate(const graph::Snapshot& g, const ShortestPathParams& params);

// A shortest path from source to target over the view, by BFS or Dijkstra (the same search as
// betweenness and closeness), stopped once the target is settled. Among equally short paths, each
// step back from the target takes the predecessor settled first. Exact; one thread.
ShortestPathResult shortest_path(const graph::Snapshot& g, const ShortestPathParams& params, RunContext& run);

}  // namespace smorg::engine
