#include "smorg/engine/referral/seeds.h"

#include <algorithm>
#include <bitset>
#include <cmath>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "smorg/graph/errors.h"
#include "smorg/graph/random.h"
#include "smorg/graph/ranks.h"

#include "budget.h"
#include "influence.h"
#include "rr_sets.h"
#include "views.h"

namespace smorg::engine {

using graph::NodeIndex;

namespace {

struct Greedy {
    std::vector<NodeIndex> seeds;
    std::vector<std::uint64_t> gains;  // RR sets newly covered by each seed
    std::uint64_t covered = 0;
};

// Max coverage by greedy: coverage counts per node, an inverted index node -> RR sets, and the
// lowest node index among equal counts so the choice never depends on scheduling. Over ranks
// (docs/scale.md) each holds its own share of the sets and the counts are summed exactly every
// round: every rank picks the same seed the sets of all ranks together give.
Greedy max_coverage(const detail::RrSets& rr, NodeIndex n, std::uint32_t k, const std::vector<std::uint8_t>& candidate,
                    graph::Ranks& ranks) {
    std::vector<std::uint64_t> start(std::size_t{n} + 1, 0);
    for (auto v : rr.nodes) ++start[v + 1];
    for (NodeIndex v = 0; v < n; ++v) start[v + 1] += start[v];
    std::vector<std::uint32_t> sets_of(rr.nodes.size());
    {
        std::vector<std::uint64_t> cursor(start.begin(), start.end() - 1);
        for (std::uint64_t i = 0; i < rr.size(); ++i) {
            for (auto a = rr.offsets[i]; a < rr.offsets[i + 1]; ++a)
                sets_of[cursor[rr.nodes[a]]++] = static_cast<std::uint32_t>(i);
        }
    }
    std::vector<std::uint64_t> coverage(n);
    for (NodeIndex v = 0; v < n; ++v) coverage[v] = start[v + 1] - start[v];
    std::vector<std::uint8_t> done(rr.size(), 0);
    std::vector<std::uint8_t> chosen(n, 0);
    Greedy g;
    std::vector<std::uint64_t> summed;
    for (std::uint32_t round = 0; round < k; ++round) {
        const std::vector<std::uint64_t>* counts = &coverage;
        if (ranks.size() > 1) {
            summed = coverage;
            ranks.sum(summed);
            counts = &summed;
        }
        const auto& total = *counts;
        NodeIndex best = graph::kNoNode;
        for (NodeIndex v = 0; v < n; ++v) {
            if (!candidate[v] || chosen[v]) continue;
            if (best == graph::kNoNode || total[v] > total[best]) best = v;
        }
        if (best == graph::kNoNode) break;
        chosen[best] = 1;
        g.seeds.push_back(best);
        g.gains.push_back(total[best]);
        g.covered += total[best];
        for (auto a = start[best]; a < start[best + 1]; ++a) {
            const auto set = sets_of[a];
            if (done[set]) continue;
            done[set] = 1;
            for (auto b = rr.offsets[set]; b < rr.offsets[set + 1]; ++b) --coverage[rr.nodes[b]];
        }
    }
    return g;
}

// ln Gamma(x) by glibc's reentrant form: std::lgamma writes the global signgam, a data race between
// two requests that size IMM at once (the server's, or ranks that are threads).
double log_gamma(double x) {
    int sign = 0;
    return ::lgamma_r(x, &sign);
}

double log_binomial(double n, double k) { return log_gamma(n + 1) - log_gamma(k + 1) - log_gamma(n - k + 1); }

}  // namespace

void validate(const SeedsParams& params, const graph::Snapshot& g) {
    graph::validate(params.subgraph, g);
    if (!params.subgraph.directed) {
        throw ParamError("directed", "influence travels along ties as recorded: seeds runs on directed ties");
    }
    validate(params.probability, g);
    check_weighted(params.probability, params.subgraph);
    if (params.k < 1) throw ParamError("k", "k must be at least 1");
    if (!(params.epsilon >= SeedsParams::kMinEpsilon && params.epsilon < 1)) {
        throw ParamError("epsilon", "epsilon must be in [" + graph::format_number(SeedsParams::kMinEpsilon) + ", 1), got " +
                                        graph::format_number(params.epsilon) +
                                        " (the RR sets grow as 1 / epsilon^2 for a margin no campaign could measure)");
    }
    if (!(params.l > 0 && params.l <= SeedsParams::kMaxL)) {
        throw ParamError("l", "l must be in (0, " + graph::format_number(SeedsParams::kMaxL) + "]");
    }
    graph::validate_kinds(params.candidate_kinds, g.node_kinds(), "candidate_kinds", "node kind");
    if (params.simulations < 1 || params.simulations > SpreadParams::kMaxSimulations) {
        throw ParamError("simulations", "simulations must be in [1, " + std::to_string(SpreadParams::kMaxSimulations) + "]");
    }
    if (params.max_rr_sets < 1 || params.max_rr_sets > SeedsParams::kMaxRrSets) {
        throw ParamError("max_rr_sets", "max_rr_sets must be in [1, " + std::to_string(SeedsParams::kMaxRrSets) + "]");
    }
}

namespace {

// IMM's sample sizes (Tang, Shi & Xiao 2015, with Chen 2018's fresh selection sets): per round i of
// the sampling phase, lambda' / x_i with x_i = n / 2^i; for the selection, lambda* / LB.
struct ImmSizes {
    double n = 0, k = 0, l = 0, log_cnk = 0;
    double eps_prime = 0, lambda_prime = 0, lambda_star = 0;
    int rounds = 1;
    ImmSizes(double nodes, const SeedsParams& p) : n(nodes), k(p.k) {
        const double e = std::exp(1.0);
        l = p.l * (1 + std::log(2.0) / std::log(n));
        log_cnk = log_binomial(n, k);
        eps_prime = std::sqrt(2.0) * p.epsilon;
        lambda_prime =
            (2 + 2 * eps_prime / 3) * (log_cnk + l * std::log(n) + std::log(std::log2(n))) * n / (eps_prime * eps_prime);
        const double alpha = std::sqrt(l * std::log(n) + std::log(2.0));
        const double beta = std::sqrt((1 - 1 / e) * (log_cnk + l * std::log(n) + std::log(2.0)));
        lambda_star = 2 * n * std::pow((1 - 1 / e) * alpha + beta, 2) / (p.epsilon * p.epsilon);
        rounds = std::max(1, static_cast<int>(std::log2(n)) - 1);
    }
    double round(int i) const { return std::ceil(lambda_prime / (n / std::pow(2.0, i))); }
    // k seeds reach at least themselves: OPT >= k is a valid lower bound before any is measured.
    double selection(double lower_bound) const { return std::ceil(lambda_star / std::max(lower_bound, k)); }
};

constexpr std::uint64_t kPilotSets = 64;

// The sets a phase needs, checked against max_rr_sets and the budget before any is drawn.
std::uint64_t admit_sets(double sets, const detail::RrPilot& cost, const SeedsParams& p, RunContext& run, const char* phase) {
    const auto count = detail::bounded_count(sets, static_cast<double>(p.max_rr_sets), "epsilon",
                                             std::string("RR sets (") + phase + "; max_rr_sets)");
    run.admit(detail::cost(detail::kRrArc * static_cast<double>(count) * cost.arcs, cost.memory(static_cast<double>(count)),
                           "epsilon", "pilot of " + std::to_string(kPilotSets) + " RR sets"));
    return count;
}

}  // namespace

namespace {
Estimate cost_of(const graph::Snapshot& g, const SeedsParams& params) {
    const auto size = graph::view_size(g, params.subgraph);
    const auto shared_view = graph::Subgraph::shared(g, params.subgraph);
    const auto& view = *shared_view;
    const double n = static_cast<double>(view.nodes().size());
    if (n < 2) return size.cost;
    const auto p = arc_probabilities(view, params.probability, params.model);
    const auto cost = detail::pilot(view, p, params.model, params.seed, 0, kPilotSets);
    const ImmSizes imm(n, params);
    // The worst case: every sampling round, then the selection at the smallest lower bound (k).
    const double sampling = imm.round(imm.rounds), selection = imm.selection(params.k);
    auto e = detail::cost(detail::kRrArc * (sampling + selection) * cost.arcs,
                          cost.memory(std::max(sampling, selection)) + static_cast<double>(p.memory_bytes()), "epsilon",
                          "upper bound from a pilot of " + std::to_string(kPilotSets) + " RR sets");
    return detail::on_view(size, e);
}
}  // namespace

Estimate estimate(const graph::Snapshot& g, const SeedsParams& given) {
    return cost_of(g, detail::with_influence_view(g, given));
}

SeedsResult seeds(const graph::Snapshot& g, const SeedsParams& given, RunContext& run) {
    const auto params = detail::with_influence_view(g, given);
    const auto size = graph::view_size(g, params.subgraph);
    detail::enter(run, size.cost);
    const auto spec = params.subgraph;
    const auto shared_view = graph::Subgraph::shared(g, spec);
    const auto& view = *shared_view;
    const auto p = arc_probabilities(view, params.probability, params.model);
    const NodeIndex N = view.node_count();
    const double n = static_cast<double>(view.nodes().size());
    std::vector<std::uint8_t> candidate(N, 0);
    std::bitset<256> kinds;
    if (params.candidate_kinds.empty()) kinds.set();
    for (const auto& k : params.candidate_kinds) kinds.set(*g.node_kinds().find(k));
    SeedsResult result;
    result.nodes = view.nodes().size();
    result.isolated = view.isolated();
    for (auto v : view.nodes()) {
        if (kinds.test(g.node_kind(v))) {
            candidate[v] = 1;
            ++result.candidates;
        }
    }
    if (params.k > result.candidates) {
        throw ParamError(
            "k", "k (" + std::to_string(params.k) + ") is more than the " + std::to_string(result.candidates) + " candidates");
    }
    if (n < 2) {
        result.seeds.assign(view.nodes().begin(), view.nodes().end());
        return result;
    }
    detail::Cascades cascades([N] { return detail::Cascade(N); });
    const ImmSizes imm(n, params);
    const auto cost = detail::pilot(view, p, params.model, params.seed, 0, kPilotSets);
    // What the run needs at the least (the first round, then a selection as if OPT were everyone),
    // refused now rather than after the rounds before it.
    {
        const double least = imm.round(1) + imm.selection(n);
        run.admit(detail::cost(detail::kRrArc * least * cost.arcs, cost.memory(std::max(imm.round(1), imm.selection(n))),
                               "epsilon", "at the least, from a pilot of " + std::to_string(kPilotSets) + " RR sets"));
    }

    // Over ranks (docs/scale.md) each draws its share of every run of sets, by index (set i depends
    // on its stream alone), and keeps them: a rank holds about 1 / ranks of them.
    auto& ranks = run.ranks();
    const auto draw = [&](detail::RrSets& sets, std::uint64_t base, std::uint64_t from, std::uint64_t to) {
        const auto [first, last] = graph::my_share(ranks, to - from);
        generate(view, p, params.model, params.seed, base, from + first, from + last, sets, run, cascades);
        run.throw_if_any_cancelled();
    };
    // Sampling phase: a lower bound on OPT by doubling guesses x = n / 2^i.
    detail::RrSets sampling;
    std::uint64_t drawn = 0;  // sets of the sampling phase, over all ranks
    double lower_bound = params.k;
    for (int i = 1; i <= imm.rounds; ++i) {
        const double x = n / std::pow(2.0, i);
        const auto theta = admit_sets(imm.round(i), cost, params, run, "sampling phase");
        if (theta > drawn) draw(sampling, 0, drawn, theta);
        drawn = std::max(drawn, theta);
        const auto greedy = max_coverage(sampling, N, params.k, candidate, ranks);
        const double covered = n * static_cast<double>(greedy.covered) / static_cast<double>(drawn);
        run.report("seeds", 0.5 * i / imm.rounds);
        if (covered >= (1 + imm.eps_prime) * x) {
            lower_bound = std::max(lower_bound, covered / (1 + imm.eps_prime));
            break;
        }
    }
    result.rr_sets_sampling = drawn;
    result.opt_lower_bound = lower_bound;
    sampling = detail::RrSets{};

    // Node selection on fresh RR sets.
    const auto theta = admit_sets(imm.selection(lower_bound), cost, params, run, "node selection");
    detail::RrSets selection;
    draw(selection, std::uint64_t{1} << 62, 0, theta);
    run.report("seeds", 0.85);
    const auto greedy = max_coverage(selection, N, params.k, candidate, ranks);
    result.rr_sets = theta;
    result.seeds = greedy.seeds;
    for (auto gain : greedy.gains) result.marginal_gain.push_back(n * static_cast<double>(gain) / static_cast<double>(theta));
    result.estimated_spread = n * static_cast<double>(greedy.covered) / static_cast<double>(theta);
    selection = detail::RrSets{};

    SpreadParams sp;
    sp.subgraph = spec;
    sp.seeds = result.seeds;
    sp.model = params.model;
    sp.probability = params.probability;
    sp.simulations = params.simulations;
    sp.seed = params.seed;
    result.spread = detail::spread(view, p, sp, run);
    run.report("seeds", 1.0);
    return result;
}

}  // namespace smorg::engine
