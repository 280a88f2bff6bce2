#include "smorg/engine/referral/seeds.h"

#include <algorithm>
#include <bitset>
#include <cmath>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "cascade.h"
#include "rng.h"
#include "smorg/graph/errors.h"

namespace smorg::engine {

using graph::NodeIndex;

namespace {

// Reverse-reachable sets, flat: set i is nodes[offsets[i] .. offsets[i + 1]).
struct RrSets {
    std::vector<std::uint64_t> offsets{0};
    std::vector<NodeIndex> nodes;
    std::uint64_t size() const { return offsets.size() - 1; }
};

// Appends RR sets first .. last - 1 (set i from stream (seed, stream_base + i)), in parallel chunks
// of a fixed size stitched in order.
void generate(const graph::Subgraph& view, const ArcProbabilities& p, CascadeModel model, std::uint64_t seed,
              std::uint64_t stream_base, std::uint64_t first, std::uint64_t last, RrSets& out, RunContext& run,
              tbb::enumerable_thread_specific<detail::Cascade>& cascades) {
    const auto& roots = view.nodes();
    constexpr std::uint64_t kChunk = 4096;
    const std::uint64_t chunks = (last - first + kChunk - 1) / kChunk;
    constexpr std::uint64_t kWave = 64;  // chunks per parallel wave: bounds the staging memory
    for (std::uint64_t wave = 0; wave < chunks; wave += kWave) {
        run.throw_if_cancelled();
        const std::uint64_t wave_end = std::min(chunks, wave + kWave);
        std::vector<std::vector<NodeIndex>> staged(wave_end - wave);
        std::vector<std::vector<std::uint32_t>> sizes(wave_end - wave);
        tbb::parallel_for(tbb::blocked_range<std::uint64_t>(wave, wave_end, 1), [&](const auto& r) {
            auto& cascade = cascades.local();
            for (auto c = r.begin(); c != r.end(); ++c) {
                auto& buffer = staged[c - wave];
                auto& lengths = sizes[c - wave];
                const std::uint64_t begin = first + c * kChunk;
                const std::uint64_t end = std::min(last, begin + kChunk);
                for (auto i = begin; i < end; ++i) {
                    auto rng = Rng::stream(seed, stream_base + i);
                    const auto root = roots[rng.below(roots.size())];
                    const auto before = buffer.size();
                    cascade.reverse_reachable(view, p, root, model, rng, buffer);
                    lengths.push_back(static_cast<std::uint32_t>(buffer.size() - before));
                }
            }
        });
        for (std::size_t c = 0; c < staged.size(); ++c) {
            out.nodes.insert(out.nodes.end(), staged[c].begin(), staged[c].end());
            for (auto length : sizes[c]) out.offsets.push_back(out.offsets.back() + length);
        }
    }
}

struct Greedy {
    std::vector<NodeIndex> seeds;
    std::vector<std::uint64_t> gains;  // RR sets newly covered by each seed
    std::uint64_t covered = 0;
};

// Max coverage by lazy greedy: coverage counts per node, an inverted index node -> RR sets, and the
// lowest node index among equal counts so the choice never depends on scheduling.
Greedy max_coverage(const RrSets& rr, NodeIndex n, std::uint32_t k, const std::vector<std::uint8_t>& candidate) {
    std::vector<std::uint64_t> start(std::size_t{n} + 1, 0);
    for (auto v : rr.nodes) ++start[v + 1];
    for (NodeIndex v = 0; v < n; ++v) start[v + 1] += start[v];
    std::vector<std::uint32_t> sets_of(rr.nodes.size());
    {
        std::vector<std::uint64_t> cursor(start.begin(), start.end() - 1);
        for (std::uint64_t i = 0; i < rr.size(); ++i) {
            for (auto a = rr.offsets[i]; a < rr.offsets[i + 1]; ++a) sets_of[cursor[rr.nodes[a]]++] = static_cast<std::uint32_t>(i);
        }
    }
    std::vector<std::uint64_t> coverage(n);
    for (NodeIndex v = 0; v < n; ++v) coverage[v] = start[v + 1] - start[v];
    std::vector<std::uint8_t> done(rr.size(), 0);
    std::vector<std::uint8_t> chosen(n, 0);
    Greedy g;
    for (std::uint32_t round = 0; round < k; ++round) {
        NodeIndex best = graph::kNoNode;
        for (NodeIndex v = 0; v < n; ++v) {
            if (!candidate[v] || chosen[v]) continue;
            if (best == graph::kNoNode || coverage[v] > coverage[best]) best = v;
        }
        if (best == graph::kNoNode) break;
        chosen[best] = 1;
        g.seeds.push_back(best);
        g.gains.push_back(coverage[best]);
        g.covered += coverage[best];
        for (auto a = start[best]; a < start[best + 1]; ++a) {
            const auto set = sets_of[a];
            if (done[set]) continue;
            done[set] = 1;
            for (auto b = rr.offsets[set]; b < rr.offsets[set + 1]; ++b) --coverage[rr.nodes[b]];
        }
    }
    return g;
}

double log_binomial(double n, double k) { return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1); }

}  // namespace

void validate(const SeedsParams& params, const graph::Snapshot& g) {
    graph::validate(params.subgraph, g);
    validate(params.probability, g);
    if (params.k < 1) throw ParamError("k", "k must be at least 1");
    if (!(params.epsilon > 0 && params.epsilon < 1)) {
        throw ParamError("epsilon", "epsilon must be in (0, 1), got " + graph::format_number(params.epsilon));
    }
    if (!(params.l > 0) || !std::isfinite(params.l)) throw ParamError("l", "l must be a positive number");
    for (std::size_t i = 0; i < params.candidate_kinds.size(); ++i) {
        if (!g.node_kinds().find(params.candidate_kinds[i])) {
            throw ParamError("candidate_kinds/" + std::to_string(i), "unknown node kind '" + params.candidate_kinds[i] +
                                                                       "'; this database has: " + g.node_kinds().joined());
        }
    }
    if (params.simulations < 1) throw ParamError("simulations", "simulations must be at least 1");
    if (params.max_rr_sets < 1) throw ParamError("max_rr_sets", "max_rr_sets must be at least 1");
}

SeedsResult seeds(const graph::Snapshot& g, const SeedsParams& params, RunContext& run) {
    validate(params, g);
    run.throw_if_cancelled();
    auto spec = params.subgraph;
    spec.directed = true;
    const auto view = graph::Subgraph::of(g, spec);
    const auto p = arc_probabilities(view, params.probability, params.model);
    const NodeIndex N = view.node_count();
    const double n = static_cast<double>(view.nodes().size());
    std::vector<std::uint8_t> candidate(N, 0);
    std::bitset<256> kinds;
    if (params.candidate_kinds.empty()) kinds.set();
    for (const auto& k : params.candidate_kinds) kinds.set(*g.node_kinds().find(k));
    SeedsResult result;
    for (auto v : view.nodes()) {
        if (kinds.test(g.node_kind(v))) {
            candidate[v] = 1;
            ++result.candidates;
        }
    }
    if (params.k > result.candidates) {
        throw ParamError("k", "k (" + std::to_string(params.k) + ") is more than the " + std::to_string(result.candidates) +
                                  " candidates");
    }
    if (n < 2) {
        result.seeds.assign(view.nodes().begin(), view.nodes().end());
        return result;
    }
    tbb::enumerable_thread_specific<detail::Cascade> cascades([N] { return detail::Cascade(N); });
    const double k = params.k;
    const double e = std::exp(1.0);
    const double l = params.l * (1 + std::log(2.0) / std::log(n));
    const double log_cnk = log_binomial(n, k);

    // Sampling phase: a lower bound on OPT by doubling guesses x = n / 2^i.
    const double eps_prime = std::sqrt(2.0) * params.epsilon;
    const double lambda_prime = (2 + 2 * eps_prime / 3) * (log_cnk + l * std::log(n) + std::log(std::log2(n))) * n /
                                (eps_prime * eps_prime);
    RrSets sampling;
    double lower_bound = 1;
    const int rounds = std::max(1, static_cast<int>(std::log2(n)) - 1);
    for (int i = 1; i <= rounds; ++i) {
        const double x = n / std::pow(2.0, i);
        const auto theta = static_cast<std::uint64_t>(std::ceil(lambda_prime / x));
        if (theta > params.max_rr_sets) {
            throw TooManySamples("the guarantee needs " + std::to_string(theta) + " RR sets, more than max_rr_sets (" +
                                 std::to_string(params.max_rr_sets) + "): raise epsilon or max_rr_sets");
        }
        if (theta > sampling.size()) generate(view, p, params.model, params.seed, 0, sampling.size(), theta, sampling, run, cascades);
        const auto greedy = max_coverage(sampling, N, params.k, candidate);
        const double covered = n * static_cast<double>(greedy.covered) / static_cast<double>(sampling.size());
        run.report("seeds", 0.5 * i / rounds);
        if (covered >= (1 + eps_prime) * x) {
            lower_bound = covered / (1 + eps_prime);
            break;
        }
    }
    result.rr_sets_sampling = sampling.size();
    result.opt_lower_bound = lower_bound;
    sampling = RrSets{};

    // Node selection on fresh RR sets.
    const double alpha = std::sqrt(l * std::log(n) + std::log(2.0));
    const double beta = std::sqrt((1 - 1 / e) * (log_cnk + l * std::log(n) + std::log(2.0)));
    const double lambda_star = 2 * n * std::pow((1 - 1 / e) * alpha + beta, 2) / (params.epsilon * params.epsilon);
    const auto theta = static_cast<std::uint64_t>(std::ceil(lambda_star / lower_bound));
    if (theta > params.max_rr_sets) {
        throw TooManySamples("the guarantee needs " + std::to_string(theta) + " RR sets, more than max_rr_sets (" +
                             std::to_string(params.max_rr_sets) + "): raise epsilon or max_rr_sets");
    }
    RrSets selection;
    generate(view, p, params.model, params.seed, std::uint64_t{1} << 62, 0, theta, selection, run, cascades);
    run.report("seeds", 0.85);
    const auto greedy = max_coverage(selection, N, params.k, candidate);
    result.rr_sets = selection.size();
    result.seeds = greedy.seeds;
    for (auto gain : greedy.gains) result.marginal_gain.push_back(n * static_cast<double>(gain) / static_cast<double>(theta));
    result.estimated_spread = n * static_cast<double>(greedy.covered) / static_cast<double>(theta);
    selection = RrSets{};

    SpreadParams sp;
    sp.subgraph = spec;
    sp.seeds = result.seeds;
    sp.model = params.model;
    sp.probability = params.probability;
    sp.simulations = params.simulations;
    sp.seed = params.seed;
    result.spread = spread(view, p, sp, run);
    run.report("seeds", 1.0);
    return result;
}

std::vector<double> singleton_reach(const graph::Subgraph& view, const ArcProbabilities& probabilities,
                                    CascadeModel model, std::uint64_t samples, std::uint64_t seed, RunContext& run) {
    const NodeIndex N = view.node_count();
    std::vector<double> reach(N, 0.0);
    if (view.nodes().empty() || samples == 0) return reach;
    tbb::enumerable_thread_specific<detail::Cascade> cascades([N] { return detail::Cascade(N); });
    RrSets rr;
    generate(view, probabilities, model, seed, 0, 0, samples, rr, run, cascades);
    const double scale = static_cast<double>(view.nodes().size()) / static_cast<double>(samples);
    for (auto v : rr.nodes) reach[v] += scale;
    return reach;
}

}  // namespace smorg::engine
