#pragma once

// The silo map's steps, in the order silos() runs them: the groups and their ties, E-I and its
// permutation test, the mixing matrix and modularity, detected communities (groups.cpp); boundary
// spanners (spanners.cpp); introductions (introductions.cpp); the wall (wall.cpp).

#include <cstdint>
#include <limits>
#include <vector>

#include "smorg/engine/silos/silos.h"

namespace smorg::engine::silo {

using graph::NodeIndex;

inline constexpr std::uint32_t kNoGroup = std::numeric_limits<std::uint32_t>::max();
// Cross-group betweenness is exact up to this many people, and from this many random sources above.
inline constexpr std::size_t kExactSpannersUpTo = 5000;
inline constexpr std::uint64_t kSpannerPivots = 2000;
// Introductions are sought for this many of the most cut-off pairs.
inline constexpr std::size_t kIntroducedPairs = 5;

struct Tie {
    NodeIndex u, v;
};

// What the steps of the map share: the groups, the people of the map, their ties.
struct Map {
    const graph::Snapshot& g;
    const SilosParams& p;
    RunContext& run;
    std::vector<std::uint32_t> group;  // by node; kNoGroup without one
    std::uint32_t G = 0;
    graph::SubgraphSpec spec;        // the people of the map, directed and weighted as asked
    graph::Subgraph view;            // that view
    graph::Subgraph ties_view;       // the same, undirected: paths, distances, neighbourhoods
    std::vector<Tie> ties;           // among the grouped: pairs (undirected) or arcs (directed), no loops
    std::vector<double> tie_weight;  // 1 each unweighted
};

// The same people and ties, undirected: paths, distances and neighbourhoods.
inline graph::SubgraphSpec undirected_of(graph::SubgraphSpec spec) {
    spec.directed = false;
    return spec;
}

// (external - internal) / (external + internal); 0 without ties.
inline double ei(double external, double internal) {
    return external + internal > 0 ? (external - internal) / (external + internal) : 0.0;
}

// People per group and the ties among the grouped, with the internal / external counts of each group.
void count_ties(Map& m, SilosResult& r);
// E-I per group and overall, its random-mixing expectation, and the permutation test.
void ei_test(const Map& m, SilosResult& r);
// The mixing matrix against the configuration model, the groups' modularity, the cut-off pairs.
void mixing_and_modularity(const Map& m, SilosResult& r);
// Detected communities against the formal groups (NMI, ARI).
void detected_communities(Map& m, SilosResult& r);
// Boundary spanners: cross-group ties and betweenness, Burt's constraint and effective size.
void boundary_spanners(Map& m, SilosResult& r);
// Introductions that would most shorten the distances between cut-off pairs of groups.
void introductions(Map& m, SilosResult& r);
// The wall between the inside (employees) and the customers.
void wall(const Map& m, SilosResult& r);

}  // namespace smorg::engine::silo
