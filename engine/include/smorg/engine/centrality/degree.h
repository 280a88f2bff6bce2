#pragma once

#include <vector>

#include "smorg/engine/run_context.h"
#include "smorg/graph/enum_names.h"
#include "smorg/graph/snapshot.h"
#include "smorg/graph/subgraph.h"

namespace smorg::engine {

// Which arcs a directed measure looks at.
enum class Direction : std::uint8_t { in, out, total };

struct DegreeParams {
    graph::SubgraphSpec subgraph;            // weighted: strength (sum of tie weights) instead of count
    Direction direction = Direction::total;  // directed views only; undirected degree counts ties
    bool normalized = false;                 // divide by (n - 1) as networkx's degree_centrality
};

struct DegreeResult {
    std::vector<graph::NodeIndex> nodes;  // the subgraph's nodes, ascending
    std::uint64_t isolated = 0;           // left out: no tie in the chosen view
    std::vector<double> score;            // by NodeIndex; 0 outside the subgraph
};

void validate(const DegreeParams& params, const graph::Snapshot& g);
// One pass over the view.
Estimate estimate(const graph::Snapshot& g, const DegreeParams& params);

// Degree or strength of every node. Undirected, a self-loop counts twice (it has two ends), as in
// networkx. O(V + E); exact, so the same at any thread count.
DegreeResult degree(const graph::Snapshot& g, const DegreeParams& params, RunContext& run);

}  // namespace smorg::engine

template <>
struct smorg::graph::EnumNames<smorg::engine::Direction> {
    static constexpr std::array<std::string_view, 3> names{"in", "out", "total"};
};
