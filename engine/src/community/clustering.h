#pragma once

// The parts of community detection (communities.cpp is the entry): the levels the multilevel
// algorithms and label propagation work on (level.cpp), Louvain and Leiden (multilevel.cpp), and
// label propagation (label_propagation.cpp).

#include <cstdint>
#include <vector>

#include "smorg/engine/community/communities.h"

namespace smorg::engine::clustering {

// One level of the multilevel algorithms: a symmetric weighted adjacency without self-loops (a
// loop's weight is kept apart and counts twice in the node's degree) and each node's strength split
// into out and in. Undirected, out = in = degree / 2; directed, the adjacency holds w(u, v) + w(v, u)
// and out and in are the arc strengths, so one local-moving code serves both modularities.
struct Level {
    std::uint32_t n = 0;
    bool directed = false;
    std::vector<std::uint64_t> offsets;
    std::vector<std::uint32_t> targets;
    std::vector<double> weights;
    std::vector<double> loop;    // self-loop weight (counted once)
    std::vector<double> degree;  // sum of incident weights, loops twice (= out + in)
    std::vector<double> out, in;
    double total = 0;  // 2m: the sum of degrees
    // Directed label propagation: the in-arcs of each node (labels flow along arcs).
    std::vector<std::uint64_t> in_offsets;
    std::vector<std::uint32_t> in_sources;
    std::vector<double> in_weights;
};

// The members of each community (ids 0..count-1), in node order: community c's members are
// members[start[c] .. start[c + 1]).
struct Members {
    std::vector<std::uint64_t> start;
    std::vector<std::uint32_t> members;
};
// Per-thread dense accumulator of the weight from one node to each neighbouring community.
struct NeighbourWeights {
    std::vector<double> weight;
    std::vector<std::uint32_t> touched;
    explicit NeighbourWeights(std::uint32_t n) : weight(n, 0.0) {}
    void add(std::uint32_t c, double w) {
        if (weight[c] == 0) touched.push_back(c);
        weight[c] += w;
    }
    void clear() {
        for (auto c : touched) weight[c] = 0;
        touched.clear();
    }
};

// Level 0 from a view, over its nodes only (dense ids in `nodes` order).
Level level_from(const graph::Subgraph& view, std::vector<std::uint32_t>& dense);

// Each community's members, from a partition with ids 0..count-1.
Members members_by_community(const std::vector<std::uint32_t>& part, std::uint32_t count);

// The quotient graph of a level by a partition (ids 0..count-1): community weights summed.
Level aggregate(const Level& l, const std::vector<std::uint32_t>& part, std::uint32_t count);

// Greedy colouring in a seeded random order: nodes of one colour are never adjacent, so their moves
// can be computed together. Returns the colour classes, each in node order.
std::vector<std::vector<std::uint32_t>> colour_classes(const Level& l, std::uint64_t seed);

// Renumbers a partition to 0..count-1 in order of each community's smallest member.
std::uint32_t renumber(std::vector<std::uint32_t>& part);

// Louvain or Leiden, as p.algorithm says: runs of the multilevel scheme until modularity stops
// improving.
CommunityResult multilevel(const graph::Subgraph& view, const CommunityParams& p, RunContext& run);

// Label propagation: each node takes the label most of its neighbours' weight carries.
CommunityResult label_propagation(const graph::Subgraph& view, const CommunityParams& p, RunContext& run);

}  // namespace smorg::engine::clustering
