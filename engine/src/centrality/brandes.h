#pragma once

// The parts of betweenness centrality (betweenness.cpp is the entry): Brandes' exact algorithm and
// its explanations (betweenness_exact.cpp, betweenness_explain.cpp), and path sampling
// (betweenness_sampled.cpp).

#include <cstdint>
#include <vector>

#include "smorg/engine/centrality/betweenness.h"

#include "sssp.h"

namespace smorg::engine::brandes {

using graph::NodeIndex;

struct Workspace {
    detail::SsspWorkspace sp;
    std::vector<double> delta;     // dependency of the source on each node
    std::vector<double> quotient;  // BFS only: (counted + delta) / sigma, what a node passes back
    // BFS only: the shortest-path DAG as successor lists, one contiguous run per node in BFS order.
    std::vector<NodeIndex> successors;
    std::vector<std::uint32_t> successor_begin;
    explicit Workspace(NodeIndex n) : sp(n), delta(n, 0.0), quotient(n, 0.0) {}
};

// Dijkstra only when lengths differ: with one weight on every arc, BFS finds the same shortest paths.
detail::SsspMode mode_of(const graph::Subgraph& view, const BetweennessParams& p);

// One source: the search (recording the DAG when unweighted) and Brandes' accumulation; after it,
// ws.delta[v] is the dependency of s on v (paths to counted targets only). Returns the number of
// counted targets.
std::uint64_t run_source(const graph::Subgraph& view, NodeIndex s, const detail::SsspMode& mode,
                         const std::vector<std::uint32_t>& groups, Workspace& ws);

// The factor from raw pair dependencies to the score asked for (normalized, endpoints, direction).
double rescale_factor(const BetweennessParams& p, bool directed, double n);

// Brandes from every source, or from random pivots when p.pivots is below the node count.
BetweennessResult exact(const graph::Subgraph& view, const BetweennessParams& p, RunContext& run);

// For each of the top p.explain nodes by `raw` score: the sources with the largest dependency on it,
// each with a target and one shortest path through the node.
void explain_top(const graph::Subgraph& view, const BetweennessParams& p, const std::vector<double>& raw,
                 BetweennessResult& result, RunContext& run);

// An upper bound on the number of nodes of any shortest path (the vertex diameter).
std::uint32_t vertex_diameter_bound(const graph::Subgraph& view);

// Riondato & Kornaropoulos's sample count for p.epsilon and p.delta at vertex diameter vd.
double sample_count(const BetweennessParams& p, std::uint32_t vd);

// The mean number of arcs one sampled path costs, from the first `pilot` samples of the run.
double pilot_cost(const graph::Subgraph& view, const BetweennessParams& p, std::uint64_t pilot);

// Path sampling (p.epsilon): each sample a uniformly random pair and one of its shortest paths.
BetweennessResult sampled(const graph::Subgraph& view, const BetweennessParams& p, RunContext& run);

}  // namespace smorg::engine::brandes
