#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "smorg/engine/run_context.h"
#include "smorg/graph/enum_names.h"
#include "smorg/graph/snapshot.h"
#include "smorg/graph/subgraph.h"

namespace smorg::engine {

enum class CascadeModel : std::uint8_t { independent_cascade, linear_threshold };

// Where the probability that a tie passes influence on comes from.
enum class ProbabilitySource : std::uint8_t {
    constant,  // the same p on every arc
    weight,    // w(u, v) / (total weight into v): the weighted cascade (Kempe et al. 2003), also the LT weights
    history,   // per source u: (referrals u made + a) / (interactions u had + a + b), a Beta(a, b) prior
               //   so that one event never gives certainty
};

struct ProbabilityParams {
    ProbabilitySource source = ProbabilitySource::weight;
    double constant = 0.1;                         // constant: p in [0, 1]
    double prior_referrals = 1;                    // history: a > 0
    double prior_interactions = 9;                 // history: b > 0 (prior mean a / (a + b) = 0.1)
    std::string referral_kind = "referral";        // history: what counts as a referral ...
    std::string interaction_kind = "interaction";  // ... and as an interaction
};

// The probability of every arc of a view (and, LT, normalized so that the weights into a node sum
// to at most 1), held in the smallest form that gives it: one number when every arc has the same
// (a constant, IC), one per target node when an arc's probability depends only on where it leads (a
// constant under LT, or "weight" on a view of uniform weights: 1 / in-degree), else one per arc.
struct ArcProbabilities {
    double constant = 0;
    std::vector<double> to;   // by target node, when not constant
    std::vector<double> out;  // by out-arc number, when per arc
    std::vector<double> in;   // by in-arc position (in_neighbors order), when per arc

    // Arc number `arc` (out-CSR), which leads to `target`.
    double out_arc(std::uint64_t arc, graph::NodeIndex target) const noexcept {
        if (!out.empty()) return out[arc];
        return to.empty() ? constant : to[target];
    }
    // In-arc position `arc` (in-CSR), into `target`.
    double in_arc(std::uint64_t arc, graph::NodeIndex target) const noexcept {
        if (!in.empty()) return in[arc];
        return to.empty() ? constant : to[target];
    }
    std::size_t memory_bytes() const noexcept { return (to.size() + out.size() + in.size()) * sizeof(double); }
};

void validate(const ProbabilityParams& params, const graph::Snapshot& g, const char* field = "probability");
// Weights matter only to the "weight" probability: with another, `weighted: false` is refused.
void check_weighted(const ProbabilityParams& probability, const graph::SubgraphSpec& subgraph);
ArcProbabilities arc_probabilities(const graph::Subgraph& view, const ProbabilityParams& params, CascadeModel model);
// The bytes arc_probabilities will hold for this view, known before it runs.
double probability_bytes(const graph::Subgraph& view, const ProbabilityParams& params, CascadeModel model);

// The kinds influence travels along when a spread's or a seed set's subgraph names none.
inline constexpr std::array<std::string_view, 2> kInfluenceKinds{graph::kinds::referral, graph::kinds::interaction};
// `spec` with kInfluenceKinds (those the snapshot has; every kind when it has neither) when it names
// no edge kind: the view of spread and seeds.
graph::SubgraphSpec influence_view(const graph::Snapshot& g, graph::SubgraphSpec spec);

struct SpreadParams {
    // The ties influence travels along: directed (as recorded) only; edge_kinds empty: referral and
    // interaction (those present; every kind when neither is).
    graph::SubgraphSpec subgraph;
    std::vector<graph::NodeIndex> seeds;  // who is activated first; at least one, in the subgraph
    CascadeModel model = CascadeModel::independent_cascade;
    ProbabilityParams probability;
    std::uint64_t simulations = 10000;  // Monte Carlo runs (an upper bound when ci_width is given); in [1, kMaxSimulations]
    std::optional<double> ci_width;     // stop early once the 95% interval is at most this wide; > 0
    std::uint64_t seed = 1;
    // Explain: the `explain` people (not seeds) the cascades reach most often, with how often (0 = none);
    // at most kMaxExplain.
    std::size_t explain = 0;
    static constexpr std::size_t kMaxExplain = 1000;

    // Past this, the interval no longer narrows in any way that matters (1e8 runs: 1e-4 of sigma).
    static constexpr std::uint64_t kMaxSimulations = 100'000'000;
};

struct SpreadResult {
    std::uint64_t nodes = 0;         // people of the view (with a tie in it; seeds always count)
    std::uint64_t isolated = 0;      // left out: no tie in the chosen view (seeds never are)
    double mean = 0;                 // expected number of people reached, seeds included
    double ci_low = 0, ci_high = 0;  // 95% confidence interval of the mean (normal approximation)
    double stddev = 0;
    std::uint64_t simulations = 0;  // actually run
    bool stopped_early = false;
    // Explained: who is reached most often, and in what share of the simulations (best first, ties
    // by node index).
    std::vector<std::pair<graph::NodeIndex, double>> reached_most;
};

void validate(const SpreadParams& params, const graph::Snapshot& g);
// The simulations at what the first 16 cost (the view is built to measure them).
Estimate estimate(const graph::Snapshot& g, const SpreadParams& params);

// Expected spread of a seed set under the independent cascade or linear threshold model (Kempe,
// Kleinberg & Tardos 2003) by parallel Monte Carlo. Simulation i draws from its own stream of the
// seed, and batches are checked for the early stop in order, so the answer (and where it stopped)
// is the same at any thread count. O(simulations * reached arcs).
SpreadResult spread(const graph::Snapshot& g, const SpreadParams& params, RunContext& run);

}  // namespace smorg::engine

template <>
struct smorg::graph::EnumNames<smorg::engine::CascadeModel> {
    static constexpr std::array<std::string_view, 2> names{"independent_cascade", "linear_threshold"};
};
template <>
struct smorg::graph::EnumNames<smorg::engine::ProbabilitySource> {
    static constexpr std::array<std::string_view, 3> names{"constant", "weight", "history"};
};
