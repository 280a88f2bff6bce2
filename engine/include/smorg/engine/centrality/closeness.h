#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "smorg/engine/centrality/degree.h"
#include "smorg/engine/run_context.h"
#include "smorg/graph/snapshot.h"
#include "smorg/graph/subgraph.h"

namespace smorg::engine {

enum class DistanceMeasure : std::uint8_t { closeness, harmonic };

struct ClosenessParams {
    graph::SubgraphSpec subgraph;  // weighted: distances by length (see weight_as)
    graph::WeightAs weight_as = graph::WeightAs::strength;
    Direction direction = Direction::in;  // directed views: distances from others to the node (in, as
                                          //   networkx) or from the node to others (out); not total
    bool normalized = false;              // harmonic only: divide by n - 1 (networkx does not; closeness is a mean)
    // Closeness only: scale by the share of the view that reaches the node, (r - 1) / (n - 1), so
    // that nodes of small components do not outrank everyone (Wasserman & Faust; networkx's
    // wf_improved). false: (r - 1) / sum of distances alone.
    bool wf_improved = true;
    // Sampling for large graphs: when set, distances come from `samples` random pivot nodes (seeded)
    // instead of from every node; each score is then an unbiased estimate (Eppstein & Wang 2004).
    std::optional<std::uint64_t> samples;  // >= 1
    std::uint64_t seed = 1;
};

struct ClosenessResult {
    std::vector<graph::NodeIndex> nodes;
    std::uint64_t isolated = 0;  // left out: no tie in the chosen view
    std::vector<double> score;   // by NodeIndex
    bool sampled = false;
    std::uint64_t samples = 0;  // pivots used (exact: every node)
};

void validate(const ClosenessParams& params, const graph::Snapshot& g);
// One search per node (or per pivot when sampled) over the view.
Estimate estimate(const graph::Snapshot& g, const ClosenessParams& params);

// Closeness with the Wasserman-Faust correction for disconnected graphs, exactly as networkx's
// closeness_centrality: ((r - 1) / (n - 1)) * ((r - 1) / sum of distances), r = nodes that reach the
// node (or that it reaches, for direction out), itself included; 0 when r = 1.
// O(V E) (Dijkstra: O(V (E + V log V))); each node's score is computed alone, so the result is the
// same at any thread count.
ClosenessResult closeness(const graph::Snapshot& g, const ClosenessParams& params, RunContext& run);
// Harmonic centrality (Marchiori & Latora 2000; networkx's harmonic_centrality): the sum of 1 / d over
// the other nodes, divided by n - 1 when normalized.
ClosenessResult harmonic(const graph::Snapshot& g, const ClosenessParams& params, RunContext& run);

}  // namespace smorg::engine

template <>
struct smorg::graph::EnumNames<smorg::engine::DistanceMeasure> {
    static constexpr std::array<std::string_view, 2> names{"closeness", "harmonic"};
};
