#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "smorg/engine/referral/spread.h"
#include "smorg/engine/run_context.h"
#include "smorg/graph/snapshot.h"
#include "smorg/graph/subgraph.h"

namespace smorg::engine {

struct SeedsParams {
    graph::SubgraphSpec subgraph;  // the ties influence travels along (directed); default kinds as spread's
    std::uint32_t k = 10;          // seeds to choose; in [1, number of candidates]
    CascadeModel model = CascadeModel::independent_cascade;
    ProbabilityParams probability;
    double epsilon = 0.1;                      // IMM's approximation slack; in [kMinEpsilon, 1)
    double l = 1;                              // the guarantee holds with probability 1 - 1/n^l; > 0
    std::vector<std::string> candidate_kinds;  // seeds only among these kinds; empty: anyone
    std::uint64_t seed = 1;
    std::uint64_t simulations = 10000;  // Monte Carlo runs to measure the chosen set's spread; in [1, 1e8]
    // Refuse (resource_exhausted at epsilon) rather than draw more RR sets than this in a phase;
    // in [1, kMaxRrSets]. The memory budget of the run applies too, before any set is drawn.
    std::uint64_t max_rr_sets = 200'000'000;

    static constexpr std::uint64_t kMaxRrSets = 0xFFFFFFFFull;  // set ids are 32-bit
    static constexpr double kMaxL = 10;
    static constexpr double kMinEpsilon = 0.01;
};

struct SeedsResult {
    std::vector<graph::NodeIndex> seeds;  // in the order greedy chose them
    std::vector<double> marginal_gain;    // expected extra people reached by each, from the RR sets
    double estimated_spread = 0;          // n x share of RR sets the seeds cover
    SpreadResult spread;                  // Monte Carlo spread of the chosen set, with its interval
    std::uint64_t rr_sets = 0;            // reverse-reachable sets behind the final choice
    std::uint64_t rr_sets_sampling = 0;   // ... and used to bound OPT in the sampling phase
    double opt_lower_bound = 0;           // OPT >= this (at least k: the seeds reach themselves)
    std::uint64_t candidates = 0;
    std::uint64_t nodes = 0;     // people of the view (with a tie in it)
    std::uint64_t isolated = 0;  // left out: no tie in the chosen view
};

void validate(const SeedsParams& params, const graph::Snapshot& g);
// An upper bound: every sampling round, and the selection at the smallest lower bound, at the cost
// of a pilot of 64 RR sets. A run admits each phase again with the sizes it then knows.
Estimate estimate(const graph::Snapshot& g, const SeedsParams& params);

// Influence maximization by reverse-influence sampling with the IMM guarantee (Tang, Shi & Xiao 2015):
// with probability at least 1 - 1/n^l the seed set reaches at least (1 - 1/e - epsilon) of the best k
// candidates'. The final selection draws fresh RR sets, independent of the sampling phase (Chen 2018's
// correction). RR sets are generated in parallel from per-set streams and greedy picks the lowest
// index among ties, so the seeds are the same at any thread count. Memory: the RR sets, flat; a
// phase whose sets would exceed max_rr_sets or the run's memory budget is refused before it starts
// (ResourceExhausted at "epsilon").
SeedsResult seeds(const graph::Snapshot& g, const SeedsParams& params, RunContext& run);

}  // namespace smorg::engine
