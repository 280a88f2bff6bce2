#include "smorg/engine/advocates.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <cmath>
#include <string>

#include "smorg/graph/errors.h"

#include "budget.h"
#include "referral/rr_sets.h"

namespace smorg::engine {

using graph::NodeIndex;

namespace {

// Who is ranked when candidate_kinds names nobody.
constexpr std::array<std::string_view, 3> kCandidateKinds{graph::kinds::customer, graph::kinds::influencer,
                                                          graph::kinds::employee};

// Mid-rank percentile of each candidate's value among the candidates, in [0, 1].
std::vector<double> percentiles(const std::vector<NodeIndex>& nodes, const std::vector<double>& x, NodeIndex n) {
    std::vector<double> pct(n, 0.0);
    if (nodes.size() < 2) {
        // Alone in its group: nobody to compare with; something beats nothing.
        for (auto u : nodes) pct[u] = x[u] > 0 ? 1.0 : 0.0;
        return pct;
    }
    std::vector<NodeIndex> order(nodes);
    std::sort(order.begin(), order.end(), [&](NodeIndex a, NodeIndex b) { return x[a] != x[b] ? x[a] < x[b] : a < b; });
    const double last = static_cast<double>(order.size() - 1);
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j < order.size() && x[order[j]] == x[order[i]]) ++j;
        const double mid = (static_cast<double>(i) + static_cast<double>(j - 1)) / 2;
        for (std::size_t t = i; t < j; ++t) pct[order[t]] = mid / last;
        i = j;
    }
    return pct;
}

}  // namespace

void validate(const AdvocatesParams& params, const graph::Snapshot& g) {
    graph::SubgraphSpec window;
    window.since = params.since;
    window.until = params.until;
    graph::validate(window, g);
    validate(params.crv, g);
    validate(params.probability, g);
    graph::validate_kinds(params.candidate_kinds, g.node_kinds(), "candidate_kinds", "node kind");
    graph::validate(params.where, g);
    graph::validate_kinds(params.reach_kinds, g.edge_kinds(), "reach_kinds", "edge kind");
    const auto& w = params.weights;
    for (const auto& [field, x] : {std::pair{"weights/value", w.value}, std::pair{"weights/reach", w.reach},
                                   std::pair{"weights/engagement", w.engagement}}) {
        if (!(x >= 0) || !std::isfinite(x)) throw ParamError(field, std::string(field) + " must be a finite number >= 0");
    }
    if (!(w.value + w.reach + w.engagement > 0)) throw ParamError("weights", "the weights must not all be 0");
    if (params.reach_samples < 1 || params.reach_samples > AdvocatesParams::kMaxReachSamples) {
        throw ParamError("reach_samples",
                         "reach_samples must be in [1, " + std::to_string(AdvocatesParams::kMaxReachSamples) + "]");
    }
}

namespace {

constexpr std::uint64_t kPilotSets = 64;

graph::SubgraphSpec reach_spec(const graph::Snapshot& g, const AdvocatesParams& params) {
    graph::SubgraphSpec spec;
    spec.edge_kinds = params.reach_kinds;
    spec.since = params.since;
    spec.until = params.until;
    return influence_view(g, std::move(spec));
}

// The CRV parameters with the advocates' window on their referrals.
CrvParams windowed(const AdvocatesParams& params) {
    auto crv = params.crv;
    if (params.since) crv.subgraph.since = params.since;
    if (params.until) crv.subgraph.until = params.until;
    return crv;
}

Estimate reach_estimate(const graph::Subgraph& view, const ArcProbabilities& p, const AdvocatesParams& params) {
    const auto cost = detail::pilot(view, p, params.model, params.seed, 0, std::min(params.reach_samples, kPilotSets));
    const double sets = static_cast<double>(params.reach_samples);
    return detail::cost(detail::kRrArc * sets * cost.arcs, cost.memory(sets) + static_cast<double>(p.memory_bytes()),
                        "reach_samples", "pilot of " + std::to_string(std::min(params.reach_samples, kPilotSets)) + " RR sets");
}

// Each node's expected reach when activated alone, from RR sets (Borgs et al. 2014): n x the share
// of the sets that contain it.
std::vector<double> singleton_reach(const graph::Subgraph& view, const ArcProbabilities& p, const AdvocatesParams& params,
                                    RunContext& run) {
    const NodeIndex N = view.node_count();
    std::vector<double> reach(N, 0.0);
    if (view.nodes().empty()) return reach;
    run.admit(reach_estimate(view, p, params));
    detail::Cascades cascades([N] { return detail::Cascade(N); });
    detail::RrSets rr;
    detail::generate(view, p, params.model, params.seed, 0, 0, params.reach_samples, rr, run, cascades);
    const double scale = static_cast<double>(view.nodes().size()) / static_cast<double>(params.reach_samples);
    for (auto v : rr.nodes) reach[v] += scale;
    return reach;
}

}  // namespace

Estimate estimate(const graph::Snapshot& g, const AdvocatesParams& params) {
    validate(params, g);
    auto e = estimate(g, windowed(params));
    const auto spec = reach_spec(g, params);
    const auto size = graph::view_size(g, spec);
    const auto shared_view = graph::Subgraph::shared(g, spec);
    const auto& view = *shared_view;
    const auto p = arc_probabilities(view, params.probability, params.model);
    e.then(detail::on_view(size, reach_estimate(view, p, params)));
    return e;
}

AdvocatesResult advocates(const graph::Snapshot& g, const AdvocatesParams& params, RunContext& run) {
    validate(params, g);
    run.throw_if_cancelled();
    const NodeIndex n = g.node_count();
    AdvocatesResult r;

    // Candidates.
    auto kinds = params.candidate_kinds.empty() ? graph::present_kinds(g.node_kinds(), kCandidateKinds) : params.candidate_kinds;
    std::bitset<256> candidate_kind;
    for (const auto& k : kinds) candidate_kind.set(*g.node_kinds().find(k));
    const auto selected = params.where.empty() ? std::vector<std::uint8_t>{} : graph::select_nodes(params.where, g);
    for (NodeIndex u = 0; u < n; ++u) {
        if (candidate_kind.test(g.node_kind(u)) && (selected.empty() || selected[u])) r.nodes.push_back(u);
    }

    // Realized value: CRV, plus employees' credit for the customers they serve.
    const auto crv_result = crv(g, windowed(params), run);
    r.findings = crv_result.findings;
    r.own_crv = crv_result.crv;
    r.referred_direct.assign(n, 0);
    r.referred_indirect.assign(n, 0);
    for (std::size_t i = 0; i < crv_result.nodes.size(); ++i) {
        const auto u = crv_result.nodes[i];
        const auto& depths = crv_result.referred_by_depth[i];
        for (std::size_t h = 0; h < depths.size(); ++h) (h == 0 ? r.referred_direct[u] : r.referred_indirect[u]) += depths[h];
    }
    r.employee_credit.assign(n, 0.0);
    r.served_customers.assign(n, 0);
    r.served_referrers.assign(n, 0);
    r.engagement.assign(n, 0.0);
    const auto employee = g.node_kinds().find(params.employee_kind);
    const auto interaction = g.edge_kinds().find(params.interaction_kind);
    graph::SubgraphSpec engagement_spec;
    engagement_spec.since = params.since;
    engagement_spec.until = params.until;
    const graph::EdgeFilter in_window(g, engagement_spec);
    if (interaction) {
        // Engagement: interaction weight given and received.
        for (NodeIndex u = 0; u < n; ++u) {
            for (auto e = g.out_begin(u); e < g.out_end(u); ++e) {
                if (g.edge_kind(e) != *interaction || !in_window.edge(e)) continue;
                r.engagement[u] += g.weight(e);
                r.engagement[g.target(e)] += g.weight(e);
            }
        }
        if (employee) {
            // Per customer, the employees who engage them and with what weight.
            std::vector<double> served_weight(n, 0.0);
            for (NodeIndex e_node = 0; e_node < n; ++e_node) {
                if (g.node_kind(e_node) != *employee) continue;
                for (auto e = g.out_begin(e_node); e < g.out_end(e_node); ++e) {
                    if (g.edge_kind(e) == *interaction && in_window.edge(e) && g.node_kind(g.target(e)) != *employee) {
                        served_weight[g.target(e)] += g.weight(e);
                    }
                }
            }
            for (NodeIndex e_node = 0; e_node < n; ++e_node) {
                if (g.node_kind(e_node) != *employee) continue;
                NodeIndex previous = graph::kNoNode;  // an out-list is sorted by (kind, target): repeats are adjacent
                for (auto e = g.out_begin(e_node); e < g.out_end(e_node); ++e) {
                    const auto c = g.target(e);
                    if (g.edge_kind(e) != *interaction || !in_window.edge(e) || g.node_kind(c) == *employee) continue;
                    r.employee_credit[e_node] += crv_result.crv[c] * g.weight(e) / served_weight[c];
                    if (c == previous) continue;
                    previous = c;
                    ++r.served_customers[e_node];
                    if (crv_result.crv[c] > 0) ++r.served_referrers[e_node];
                }
            }
        }
    }
    r.value.assign(n, 0.0);
    for (auto u : r.nodes) r.value[u] = r.own_crv[u] + r.employee_credit[u];
    run.throw_if_cancelled();

    // Reach: each candidate's expected spread alone, from reverse-reachable sets.
    const auto spec = reach_spec(g, params);
    run.admit(graph::view_size(g, spec).cost);
    const auto shared_view = graph::Subgraph::shared(g, spec);
    const auto& view = *shared_view;
    r.reach = singleton_reach(view, arc_probabilities(view, params.probability, params.model), params, run);

    // Percentiles (within each kind, or over everyone) and the weighted score.
    r.value_pct.assign(n, 0.0);
    r.reach_pct.assign(n, 0.0);
    r.engagement_pct.assign(n, 0.0);
    std::vector<std::vector<NodeIndex>> groups(1);
    if (params.compare_within == PercentileScope::kind) {
        groups.assign(g.node_kinds().size(), {});
        for (auto u : r.nodes) groups[g.node_kind(u)].push_back(u);
    } else {
        groups[0] = r.nodes;
    }
    for (const auto& group : groups) {
        if (group.empty()) continue;
        const auto v = percentiles(group, r.value, n);
        const auto re = percentiles(group, r.reach, n);
        const auto en = percentiles(group, r.engagement, n);
        for (auto u : group) {
            r.value_pct[u] = v[u];
            r.reach_pct[u] = re[u];
            r.engagement_pct[u] = en[u];
        }
    }
    const auto& w = params.weights;
    const double total = w.value + w.reach + w.engagement;
    r.score.assign(n, 0.0);
    for (auto u : r.nodes) {
        r.score[u] = (w.value * r.value_pct[u] + w.reach * r.reach_pct[u] + w.engagement * r.engagement_pct[u]) / total;
    }
    run.report("advocates", 1.0);
    return r;
}

}  // namespace smorg::engine
