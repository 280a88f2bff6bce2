#pragma once

#include <cstdint>
#include <vector>

#include "smorg/engine/run_context.h"
#include "smorg/graph/enum_names.h"
#include "smorg/graph/snapshot.h"
#include "smorg/graph/subgraph.h"

namespace smorg::engine {

enum class CommunityAlgorithm : std::uint8_t { louvain, leiden, label_propagation };

inline constexpr std::uint32_t kNoCommunity = 0xffffffffu;

struct CommunityParams {
    // Undirected ties by default; directed: Leicht & Newman's directed modularity (Louvain, Leiden) and
    // labels taken from in-neighbours (label propagation).
    graph::SubgraphSpec subgraph = graph::undirected_spec();
    CommunityAlgorithm algorithm = CommunityAlgorithm::leiden;
    double resolution = 1.0;  // gamma of modularity (Reichardt-Bornholdt); > 0
    std::uint64_t seed = 1;
    int max_levels = 32;       // aggregation levels (Louvain, Leiden); in [1, kMaxLevels]
    int max_passes = 64;       // local-moving passes per level, or label-propagation rounds; in [1, kMaxPasses]
    double tolerance = 1e-7;   // a pass that gains less modularity than this ends the level; >= 0
    double randomness = 0.01;  // Leiden's theta: how random the refinement merges are; > 0
    // Runs of the multilevel scheme (Louvain, Leiden), each starting from the previous answer, as
    // igraph's n_iterations (default 2 there too). 0: until a run gains less than max(tolerance, 1e-5)
    // of modularity (at most kMaxIterations runs). Each run costs about as much as the first.
    int iterations = 2;
    // Stable ids across runs: the previous run's community id of each person (by NodeIndex; NaN or
    // past the end: none), e.g. an attribute an earlier run wrote. When given, a community whose
    // people overlap a previous one with a Jaccard index of at least min_jaccard (over the people
    // of this view) keeps that id, matched one to one, best overlap first; the others take fresh
    // ids above every previous one. Ids must be integers in [0, 2^53).
    std::vector<double> previous;
    double min_jaccard = 0.5;  // in (0, 1]
    static constexpr int kMaxIterations = 100;
    static constexpr int kMaxLevels = 64;
    static constexpr int kMaxPasses = 10000;
};

struct CommunityResult {
    std::vector<graph::NodeIndex> nodes;    // the subgraph's nodes, ascending
    std::uint64_t isolated = 0;             // left out: no tie in the chosen view
    std::vector<std::uint32_t> membership;  // by NodeIndex: community id, kNoCommunity outside the subgraph
    std::vector<std::uint64_t> sizes;       // by community id; ids run by decreasing size, ties by smallest member
    double modularity = 0;                  // of `membership`, at `resolution`
    int levels = 0;                         // aggregation levels used (label propagation: 1)
    int passes = 0;                         // local-moving passes (label propagation: rounds), all levels
    int iterations = 0;                     // runs of the multilevel scheme (label propagation: 1)
    // With `previous`: the id each community (by membership index, as `sizes`) carries, and how the
    // previous communities with people in this view fared.
    std::vector<std::uint64_t> ids;
    std::uint64_t previous_communities = 0;  // distinct previous ids among the view's people
    std::uint64_t kept_ids = 0;              // communities that kept a previous id
    std::uint64_t new_ids = 0;               // communities given a fresh id
};

void validate(const CommunityParams& params, const graph::Snapshot& g);
// Multilevel: about 30 sweeps over the ties per run (the typical count: local moving converges in a
// few passes per level); label propagation: max_passes sweeps.
Estimate estimate(const graph::Snapshot& g, const CommunityParams& params);

// Community detection on the (weighted) view, undirected or directed:
// - Louvain (Blondel et al. 2008) and Leiden (Traag, Waltman & van Eck 2019; its refinement makes
//   every community connected), maximizing modularity with resolution; the local moving runs one
//   colour class of a seeded greedy colouring at a time, its moves computed in parallel and applied in
//   node order (Lu, Halappanavar & Kalyanaraman 2015), so the result is the same at any thread count;
// - label propagation (Raghavan et al. 2007), semi-synchronous over the same colour classes, ties
//   broken by per-node random streams.
// O((V + E) per pass); memory O(V + E).
CommunityResult communities(const graph::Snapshot& g, const CommunityParams& params, RunContext& run);

// Modularity of a partition (membership by NodeIndex; kNoCommunity nodes are left out), networkx's
// definition: undirected, sum over communities of L_c / m - gamma (d_c / 2m)^2, a self-loop counting
// once in L_c and m and twice in a degree; directed (Leicht & Newman 2008), sum over communities of
// L_c / m - gamma d_c^out d_c^in / m^2.
double modularity(const graph::Subgraph& view, const std::vector<std::uint32_t>& membership, double resolution = 1.0);

}  // namespace smorg::engine

template <>
struct smorg::graph::EnumNames<smorg::engine::CommunityAlgorithm> {
    static constexpr std::array<std::string_view, 3> names{"louvain", "leiden", "label_propagation"};
};
