#include "smorg/engine/referral/spread.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "smorg/graph/errors.h"
#include "smorg/graph/random.h"
#include "smorg/graph/ranks.h"

#include "budget.h"
#include "cascade.h"
#include "influence.h"
#include "views.h"

namespace smorg::engine {

using graph::NodeIndex;

void validate(const ProbabilityParams& params, const graph::Snapshot& g, const char* field) {
    const std::string at(field);
    switch (params.source) {
        case ProbabilitySource::constant:
            if (!(params.constant >= 0 && params.constant <= 1)) {
                throw ParamError(at, "a constant probability must be in [0, 1], got " + graph::format_number(params.constant));
            }
            break;
        case ProbabilitySource::weight:
            break;
        case ProbabilitySource::history:
            if (!(params.prior_referrals > 0) || !(params.prior_interactions > 0) || !std::isfinite(params.prior_referrals) ||
                !std::isfinite(params.prior_interactions)) {
                // The prior sits beside the probability field.
                throw ParamError(at.substr(0, at.rfind('/') + 1) + "prior", "the history prior's counts must be > 0");
            }
            if (!g.edge_kinds().find(params.referral_kind)) {
                throw ParamError(at, "learning probabilities from history needs '" + params.referral_kind +
                                         "' edges; this database has: " + g.edge_kinds().joined());
            }
            break;
    }
}

void check_weighted(const ProbabilityParams& probability, const graph::SubgraphSpec& subgraph) {
    if (!subgraph.weighted && probability.source != ProbabilitySource::weight) {
        throw ParamError("weighted", "tie weights play no part unless probability is \"weight\": weighted has no effect here");
    }
}

namespace {

enum class Form { constant, by_target, per_arc };

// The one rule for the form of a view's probabilities (ArcProbabilities).
Form form_of(const graph::Subgraph& view, const ProbabilityParams& params, CascadeModel model) {
    if (params.source == ProbabilitySource::constant) {
        return model == CascadeModel::independent_cascade ? Form::constant : Form::by_target;
    }
    if (params.source == ProbabilitySource::weight && view.uniform_weight()) return Form::by_target;
    return Form::per_arc;
}

}  // namespace

double probability_bytes(const graph::Subgraph& view, const ProbabilityParams& params, CascadeModel model) {
    switch (form_of(view, params, model)) {
        case Form::constant:
            return 0;
        case Form::by_target:
            return 8 * static_cast<double>(view.node_count());
        case Form::per_arc:
            break;
    }
    return 16 * static_cast<double>(view.arc_count());
}

ArcProbabilities arc_probabilities(const graph::Subgraph& view, const ProbabilityParams& params, CascadeModel model) {
    const auto& g = view.snapshot();
    const NodeIndex n = view.node_count();
    // Per-source probability for the history rule: from the stored edges, whatever the view keeps.
    std::vector<double> per_source;
    if (params.source == ProbabilitySource::history) {
        per_source.assign(n, 0.0);
        const auto referral = g.edge_kinds().find(params.referral_kind);
        const auto interaction = g.edge_kinds().find(params.interaction_kind);
        tbb::parallel_for(tbb::blocked_range<NodeIndex>(0, n, 4096), [&](const auto& r) {
            for (NodeIndex u = r.begin(); u != r.end(); ++u) {
                double referrals = 0, interactions = 0;
                for (auto e = g.out_begin(u); e < g.out_end(u); ++e) {
                    if (referral && g.edge_kind(e) == *referral) referrals += 1;
                    if (interaction && g.edge_kind(e) == *interaction) interactions += 1;
                }
                per_source[u] = (referrals + params.prior_referrals) /
                                (referrals + interactions + params.prior_referrals + params.prior_interactions);
            }
        });
    }
    auto raw = [&](NodeIndex u, NodeIndex v, double w) {
        switch (params.source) {
            case ProbabilitySource::constant:
                return params.constant;
            case ProbabilitySource::weight: {
                const double total = view.in_strength(v);
                return total > 0 ? w / total : 0.0;
            }
            case ProbabilitySource::history:
                return per_source[u];
        }
        return 0.0;
    };
    // Linear threshold needs the weights into a node to sum to at most 1: scale down where they do not.
    std::vector<double> scale(n, 1.0);
    if (model == CascadeModel::linear_threshold && params.source != ProbabilitySource::weight) {
        tbb::parallel_for(tbb::blocked_range<NodeIndex>(0, n, 4096), [&](const auto& r) {
            for (NodeIndex v = r.begin(); v != r.end(); ++v) {
                const auto sources = view.in_neighbors(v);
                const auto weights = view.in_weights(v);
                double total = 0;
                for (std::size_t k = 0; k < sources.size(); ++k) total += raw(sources[k], v, weights[k]);
                scale[v] = total > 1 ? 1.0 / total : 1.0;
            }
        });
    }
    ArcProbabilities p;
    const Form form = form_of(view, params, model);
    if (form == Form::constant) {
        p.constant = params.constant;
        return p;
    }
    if (form == Form::by_target) {
        // Every arc into v has the same probability: the constant scaled, or weight / in-strength.
        p.to.assign(n, 0.0);
        tbb::parallel_for(tbb::blocked_range<NodeIndex>(0, n, 4096), [&](const auto& r) {
            for (NodeIndex v = r.begin(); v != r.end(); ++v) {
                const auto sources = view.in_neighbors(v);
                if (!sources.empty()) p.to[v] = raw(sources[0], v, view.in_weights(v)[0]) * scale[v];
            }
        });
        return p;
    }
    p.out.resize(view.arc_count());
    p.in.resize(view.arc_count());
    tbb::parallel_for(tbb::blocked_range<NodeIndex>(0, n, 4096), [&](const auto& r) {
        for (NodeIndex u = r.begin(); u != r.end(); ++u) {
            const auto targets = view.out_neighbors(u);
            const auto weights = view.out_weights(u);
            const auto first = view.out_offset(u);
            for (std::size_t k = 0; k < targets.size(); ++k)
                p.out[first + k] = raw(u, targets[k], weights[k]) * scale[targets[k]];
        }
    });
    tbb::parallel_for(tbb::blocked_range<NodeIndex>(0, n, 4096), [&](const auto& r) {
        for (NodeIndex v = r.begin(); v != r.end(); ++v) {
            const auto sources = view.in_neighbors(v);
            const auto weights = view.in_weights(v);
            for (std::size_t k = 0; k < sources.size(); ++k)
                p.in[view.in_offset(v) + k] = raw(sources[k], v, weights[k]) * scale[v];
        }
    });
    return p;
}

void validate(const SpreadParams& params, const graph::Snapshot& g) {
    graph::validate(params.subgraph, g);
    if (!params.subgraph.directed) {
        throw ParamError("directed", "influence travels along ties as recorded: spread runs on directed ties");
    }
    validate(params.probability, g);
    check_weighted(params.probability, params.subgraph);
    if (params.seeds.empty()) throw ParamError("seeds", "give at least one seed");
    for (std::size_t i = 0; i < params.seeds.size(); ++i) {
        if (params.seeds[i] >= g.node_count()) throw ParamError("seeds/" + std::to_string(i), "seed out of range");
    }
    if (params.simulations < 1 || params.simulations > SpreadParams::kMaxSimulations) {
        throw ParamError("simulations", "simulations must be in [1, " + std::to_string(SpreadParams::kMaxSimulations) + "]");
    }
    if (params.explain > SpreadParams::kMaxExplain) {
        throw ParamError("explain", "explain at most " + std::to_string(SpreadParams::kMaxExplain) + " people");
    }
    if (params.ci_width && (!(*params.ci_width > 0) || !std::isfinite(*params.ci_width))) {
        throw ParamError("ci_width", "ci_width must be a positive number, got " + graph::format_number(*params.ci_width));
    }
}

namespace {

constexpr std::uint64_t kPilot = 16;

// The view's per-arc probabilities and, per worker, the cascade scratch space.
double spread_memory(const graph::Subgraph& view, const SpreadParams& params) {
    return probability_bytes(view, params.probability, params.model) +
           detail::workers() * 24 * static_cast<double>(view.node_count());
}

// Seeds of the view, and how many more have no tie in it (each reaches only itself). A seed of a
// node kind the view leaves out is an error.
std::pair<std::vector<NodeIndex>, std::uint32_t> check_seeds(const graph::Subgraph& view, const SpreadParams& params) {
    const graph::EdgeFilter filter(view.snapshot(), params.subgraph);
    std::vector<NodeIndex> active;
    std::uint32_t isolated = 0;
    for (std::size_t i = 0; i < params.seeds.size(); ++i) {
        const auto s = params.seeds[i];
        if (std::find(params.seeds.begin(), params.seeds.begin() + static_cast<std::ptrdiff_t>(i), s) !=
            params.seeds.begin() + static_cast<std::ptrdiff_t>(i)) {
            continue;  // the same seed twice activates one person
        }
        if (view.active(s)) {
            active.push_back(s);
        } else if (filter.node(s)) {
            ++isolated;
        } else {
            throw ParamError("seeds/" + std::to_string(i),
                             "seed '" + std::string(view.snapshot().id(s)) + "' is not of the chosen node kinds");
        }
    }
    return {std::move(active), isolated};
}

// The first simulations of the run, measured: the arcs one costs on average.
double pilot_cost(const graph::Subgraph& view, const ArcProbabilities& probabilities, const SpreadParams& params,
                  const std::vector<NodeIndex>& seeds) {
    detail::Cascade cascade(view.node_count());
    std::uint64_t arcs = 0;
    const auto pilot = std::min(params.simulations, kPilot);
    for (std::uint64_t i = 0; i < pilot; ++i) {
        auto rng = graph::Rng::stream(params.seed, i);
        cascade.simulate(view, probabilities, seeds, params.model, rng, &arcs);
    }
    return static_cast<double>(arcs) / static_cast<double>(pilot);
}

Estimate simulations_estimate(const graph::Subgraph& view, const ArcProbabilities& probabilities, const SpreadParams& params) {
    const double per_run = detail::kCascadeArc * (pilot_cost(view, probabilities, params, check_seeds(view, params).first) + 16);
    return detail::cost(static_cast<double>(params.simulations) * per_run, spread_memory(view, params), "simulations",
                        "pilot of " + std::to_string(std::min(params.simulations, kPilot)) + " simulations");
}

}  // namespace

namespace {
Estimate cost_of(const graph::Snapshot& g, const SpreadParams& params) {
    const auto size = graph::view_size(g, params.subgraph);
    const auto shared_view = graph::Subgraph::shared(g, params.subgraph);
    const auto& view = *shared_view;
    const auto probabilities = arc_probabilities(view, params.probability, params.model);
    return detail::on_view(size, simulations_estimate(view, probabilities, params));
}
}  // namespace

graph::SubgraphSpec influence_view(const graph::Snapshot& g, graph::SubgraphSpec spec) {
    return graph::with_default_edge_kinds(std::move(spec), g, kInfluenceKinds);
}

Estimate estimate(const graph::Snapshot& g, const SpreadParams& given) {
    return cost_of(g, detail::with_influence_view(g, given));
}

SpreadResult spread(const graph::Snapshot& g, const SpreadParams& given, RunContext& run) {
    const auto params = detail::with_influence_view(g, given);
    const auto size = graph::view_size(g, params.subgraph);
    detail::enter(run, size.cost);
    const auto shared_view = graph::Subgraph::shared(g, params.subgraph);
    const auto& view = *shared_view;
    run.admit(
        detail::cost(0, size.cost.memory_bytes / 3 + probability_bytes(view, params.probability, params.model), "edge_kinds"));
    const auto probabilities = arc_probabilities(view, params.probability, params.model);
    return detail::spread(view, probabilities, params, run);
}

SpreadResult detail::spread(const graph::Subgraph& view, const ArcProbabilities& probabilities, const SpreadParams& params,
                            RunContext& run) {
    validate(params, view.snapshot());
    // Not a structured binding: the lambdas below capture both, which clang 15 refuses for bindings.
    const auto checked = check_seeds(view, params);
    const auto& seeds = checked.first;
    const auto isolated_seeds = checked.second;
    run.admit(simulations_estimate(view, probabilities, params));
    const NodeIndex n = view.node_count();
    tbb::enumerable_thread_specific<detail::Cascade> cascades([n] { return detail::Cascade(n); });
    // Explained: per worker, how often each person was reached (integers: their sum is the same
    // whichever worker ran which simulation).
    tbb::enumerable_thread_specific<std::vector<std::uint32_t>> hits(
        [&] { return std::vector<std::uint32_t>(params.explain > 0 ? n : 0, 0); });
    constexpr std::uint64_t kBatch = 1024;  // fixed: the early stop is checked at the same points always
    std::vector<std::uint64_t> reached(kBatch, 0);
    // Over ranks (docs/scale.md) each runs its share of every batch, by simulation index (a
    // simulation's stream depends on its index alone), and the counts are summed exactly.
    auto& ranks = run.ranks();
    SpreadResult result;
    // Seeds without a tie in the view still take part (each reaches itself): they count among the
    // nodes, not among those left out.
    result.nodes = view.nodes().size() + isolated_seeds;
    result.isolated = view.isolated() - isolated_seeds;
    double sum = 0, sum_squares = 0;
    for (std::uint64_t first = 0; first < params.simulations; first += kBatch) {
        run.throw_if_any_cancelled();
        const std::uint64_t last = std::min(params.simulations, first + kBatch);
        const auto [mine_first, mine_last] = graph::my_share(ranks, last - first);
        std::fill(reached.begin(), reached.end(), 0);
        tbb::parallel_for(tbb::blocked_range<std::uint64_t>(first + mine_first, first + mine_last, 16), [&](const auto& r) {
            auto& cascade = cascades.local();
            for (auto i = r.begin(); i != r.end(); ++i) {
                auto rng = graph::Rng::stream(params.seed, i);
                reached[i - first] =
                    isolated_seeds + (seeds.empty() ? 0u : cascade.simulate(view, probabilities, seeds, params.model, rng));
                if (params.explain > 0 && !seeds.empty()) {
                    auto& counts = hits.local();
                    for (auto v : cascade.reached()) ++counts[v];
                }
            }
        });
        ranks.sum(std::span(reached.data(), last - first));
        // Summed in simulation order: the same bits at any thread count.
        for (auto i = first; i < last; ++i) {
            const auto x = static_cast<double>(reached[i - first]);
            sum += x;
            sum_squares += x * x;
        }
        result.simulations = last;
        const double count = static_cast<double>(last);
        result.mean = sum / count;
        const double variance = count > 1 ? std::max(0.0, (sum_squares - count * result.mean * result.mean) / (count - 1)) : 0.0;
        result.stddev = std::sqrt(variance);
        const double half = 1.959963984540054 * result.stddev / std::sqrt(count);
        result.ci_low = result.mean - half;
        result.ci_high = result.mean + half;
        run.report("spread", count / static_cast<double>(params.simulations));
        if (params.ci_width && last < params.simulations && 2 * half <= *params.ci_width && count >= 2) {
            result.stopped_early = true;
            break;
        }
    }
    if (params.explain > 0) {
        std::vector<std::uint64_t> total(n, 0);
        for (const auto& counts : hits) {
            for (NodeIndex v = 0; v < counts.size(); ++v) total[v] += counts[v];
        }
        ranks.sum(total);
        for (auto s : params.seeds) total[s] = 0;
        std::vector<NodeIndex> order;
        for (NodeIndex v = 0; v < n; ++v) {
            if (total[v] > 0) order.push_back(v);
        }
        const auto k = std::min(params.explain, order.size());
        std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                          [&](NodeIndex a, NodeIndex b) { return total[a] != total[b] ? total[a] > total[b] : a < b; });
        for (std::size_t i = 0; i < k; ++i) {
            result.reached_most.emplace_back(order[i],
                                             static_cast<double>(total[order[i]]) / static_cast<double>(result.simulations));
        }
    }
    return result;
}

}  // namespace smorg::engine
