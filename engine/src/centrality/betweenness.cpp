#include "smorg/engine/centrality/betweenness.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "brandes.h"
#include "budget.h"
#include "views.h"

namespace smorg::engine {

using graph::NodeIndex;

void validate(const BetweennessParams& params, const graph::Snapshot& g) {
    graph::validate(params.subgraph, g);
    if (params.epsilon) {
        if (!(*params.epsilon > 0 && *params.epsilon < 1)) {
            throw ParamError("epsilon", "epsilon must be in (0, 1), got " + graph::format_number(*params.epsilon));
        }
        if (!(params.delta > 0 && params.delta < 1)) {
            throw ParamError("delta", "delta must be in (0, 1), got " + graph::format_number(params.delta));
        }
        if (!params.groups.empty()) {
            throw ParamError("epsilon", "cross-group betweenness is exact only: leave out epsilon");
        }
        if (params.explain > 0) throw ParamError("explain", "explanations need exact betweenness: leave out epsilon");
        if (params.pivots) throw ParamError("pivots", "give either epsilon (path sampling) or pivots (source sampling)");
    }
    if (params.pivots) {
        if (*params.pivots < 1) throw ParamError("pivots", "pivots must be at least 1");
        if (params.explain > 0) throw ParamError("explain", "explanations need exact betweenness: leave out pivots");
    }
    if (!params.groups.empty() && params.groups.size() != g.node_count()) {
        throw ParamError("groups", "groups must hold one group per node (" + std::to_string(g.node_count()) + "), got " +
                                       std::to_string(params.groups.size()));
    }
}

namespace {

// Brandes from every source (or the pivots): one search and one accumulation each. The searches
// are Dijkstra's (a log factor) unless the view's arcs all weigh the same, which the snapshot tells
// without building the view when every stored weight is 1 and no arcs merge.
Estimate exact_estimate(const graph::Snapshot& g, const graph::ViewSize& view, const BetweennessParams& p) {
    const double n = static_cast<double>(view.nodes);
    const double all_nodes = static_cast<double>(g.node_count());
    const bool unit = g.all_weights_one() && !g.has_parallel_arcs() && p.subgraph.directed;
    const double sources = p.pivots ? std::min(n, static_cast<double>(*p.pivots)) : n;
    const double search = 2 * (n + static_cast<double>(view.arcs)) * (p.subgraph.weighted && !unit ? std::log2(n + 2) : 1.0);
    const double memory =
        detail::workers() * (56 * all_nodes + 4 * static_cast<double>(view.arcs)) + 4 * detail::workers() * 8 * all_nodes;
    return detail::cost(sources * search, memory, p.pivots ? "pivots" : "");
}

constexpr std::uint64_t kPilotSamples = 32;

// Sampling: the vertex-diameter bound, then the samples at what the first ones cost.
Estimate sampled_estimate(const graph::Subgraph& view, const BetweennessParams& p, std::uint64_t samples) {
    const double per_arc = brandes::mode_of(view, p).weighted ? detail::kSampleDijkstraArc : detail::kSampleBfsArc;
    const double per_sample = per_arc * (brandes::pilot_cost(view, p, std::min(samples, kPilotSamples)) + 16);
    const double n = static_cast<double>(view.node_count());
    const double scan = n + static_cast<double>(view.arc_count());
    return detail::cost(scan + static_cast<double>(samples) * per_sample, 4 * n + detail::workers() * 40 * n, "epsilon",
                        "pilot of " + std::to_string(std::min(samples, kPilotSamples)) + " samples");
}

}  // namespace

Estimate estimate(const graph::Snapshot& g, const BetweennessParams& params) {
    validate(params, g);
    const auto size = graph::view_size(g, params.subgraph);
    if (!params.epsilon) return detail::on_view(size, exact_estimate(g, size, params));
    const auto shared_view = graph::Subgraph::shared(g, params.subgraph);
    const auto& view = *shared_view;
    const double samples = brandes::sample_count(params, brandes::vertex_diameter_bound(view));
    if (samples >= static_cast<double>(view.nodes().size())) return detail::on_view(size, exact_estimate(g, size, params));
    return detail::on_view(size, sampled_estimate(view, params, static_cast<std::uint64_t>(samples)));
}

BetweennessResult betweenness(const graph::Snapshot& g, const BetweennessParams& params, RunContext& run) {
    validate(params, g);
    const auto size = graph::view_size(g, params.subgraph);
    detail::enter(run, detail::on_view(size, params.epsilon ? size.cost : exact_estimate(g, size, params)));
    const auto shared_view = graph::Subgraph::shared(g, params.subgraph);
    const auto& view = *shared_view;
    return detail::betweenness(view, params, run);
}

namespace detail {

BetweennessResult betweenness(const graph::Subgraph& view, const BetweennessParams& params, RunContext& run) {
    validate(params, view.snapshot());
    if (params.epsilon) {
        const auto count = view.nodes().size();
        const double samples = count < 2 ? 0.0 : brandes::sample_count(params, brandes::vertex_diameter_bound(view));
        if (samples < static_cast<double>(count)) {
            run.admit(sampled_estimate(view, params, static_cast<std::uint64_t>(samples)));
            return brandes::sampled(view, params, run);
        }
        // More samples than sources: the exact answer costs less, and its error is 0.
        auto exact_params = params;
        exact_params.epsilon.reset();
        run.admit(exact_estimate(view.snapshot(), graph::view_size(view.snapshot(), params.subgraph), exact_params));
        auto result = brandes::exact(view, exact_params, run);
        result.exact_instead = true;
        return result;
    }
    run.admit(exact_estimate(view.snapshot(), graph::view_size(view.snapshot(), params.subgraph), params));
    return brandes::exact(view, params, run);
}

}  // namespace detail

}  // namespace smorg::engine
