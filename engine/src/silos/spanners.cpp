#include <algorithm>
#include <vector>

#include "map.h"
#include "views.h"

namespace smorg::engine::silo {

namespace {

// Each neighbour of u with its mutual tie strength (networkx's mutual weight: w(u, v) + w(v, u) over
// the map's arcs; undirected, the tie's weight), in neighbour order. 1 per arc unweighted.
std::vector<std::pair<NodeIndex, double>> mutual_ties(const Map& m, NodeIndex u) {
    std::vector<std::pair<NodeIndex, double>> out;
    if (!m.spec.directed) {
        const auto targets = m.ties_view.out_neighbors(u);
        const auto weights = m.ties_view.out_weights(u);
        for (std::size_t k = 0; k < targets.size(); ++k) {
            if (targets[k] != u) out.emplace_back(targets[k], weights[k]);
        }
        return out;
    }
    const auto outs = m.view.out_neighbors(u), ins = m.view.in_neighbors(u);
    const auto wo = m.view.out_weights(u), wi = m.view.in_weights(u);
    std::size_t a = 0, b = 0;
    while (a < outs.size() || b < ins.size()) {
        if (a < outs.size() && outs[a] == u) {
            ++a;
        } else if (b < ins.size() && ins[b] == u) {
            ++b;
        } else if (b == ins.size() || (a < outs.size() && outs[a] < ins[b])) {
            out.emplace_back(outs[a], wo[a]);
            ++a;
        } else if (a == outs.size() || ins[b] < outs[a]) {
            out.emplace_back(ins[b], wi[b]);
            ++b;
        } else {
            out.emplace_back(outs[a], wo[a] + wi[b]);
            ++a;
            ++b;
        }
    }
    return out;
}

}  // namespace

// Boundary spanners: ties into other groups, cross-group betweenness, and Burt's (1992) constraint and
// effective size as networkx defines them (with tie strengths when weighted; over both directions of
// the arcs when directed).
void boundary_spanners(Map& m, SilosResult& r) {
    if (m.p.spanners == 0) return;  // none listed: the betweenness behind them is not needed
    const auto& group = m.group;
    const auto G = m.G;
    const NodeIndex n = m.ties_view.node_count();
    BetweennessParams bp;
    bp.subgraph = undirected_of(m.spec);
    bp.groups.assign(n, 0);
    for (NodeIndex u = 0; u < n; ++u) bp.groups[u] = group[u] == kNoGroup ? G + u : group[u];
    bp.normalized = true;
    if (m.ties_view.nodes().size() > kExactSpannersUpTo) {
        bp.pivots = kSpannerPivots;  // cross-group betweenness from random sources on big maps
        bp.seed = m.p.seed;
    }
    const auto b = detail::betweenness(m.ties_view, bp, m.run);
    std::vector<Spanner> candidates;
    std::vector<std::uint8_t> seen_group(G, 0);
    for (auto u : m.ties_view.nodes()) {
        if (group[u] == kNoGroup) continue;
        Spanner s;
        s.node = u;
        s.group = group[u];
        std::vector<std::uint32_t> reached;
        for (auto v : m.ties_view.out_neighbors(u)) {
            if (v == u || group[v] == kNoGroup || group[v] == group[u]) continue;
            ++s.ties_out;
            if (!seen_group[group[v]]) {
                seen_group[group[v]] = 1;
                reached.push_back(group[v]);
            }
        }
        for (auto x : reached) seen_group[x] = 0;
        s.groups_reached = static_cast<std::uint32_t>(reached.size());
        if (s.ties_out == 0) continue;
        s.betweenness = b.score[u];
        candidates.push_back(s);
    }
    std::sort(candidates.begin(), candidates.end(), [](const Spanner& x, const Spanner& y) {
        if (x.betweenness != y.betweenness) return x.betweenness > y.betweenness;
        if (x.ties_out != y.ties_out) return x.ties_out > y.ties_out;
        return x.node < y.node;
    });
    if (candidates.size() > m.p.spanners) candidates.resize(m.p.spanners);
    // p_ij = mutual(i, j) / sum of i's mutual ties; constraint(u) = sum over j of (p_uj + sum over q of
    // p_uq p_qj)^2; effective size(u) = sum over j of (1 - sum over q of p_uq m_jq), m_jq = mutual(j, q)
    // / j's strongest mutual tie (q ranging over u's other neighbours).
    std::vector<double> p_u(n, 0.0);
    std::vector<double> strength_of(n, -1.0);  // sum of a node's mutual ties, found when first needed
    auto strength = [&](NodeIndex v) {
        if (strength_of[v] < 0) {
            double total = 0;
            for (const auto& [q, w] : mutual_ties(m, v)) total += w;
            strength_of[v] = total;
        }
        return strength_of[v];
    };
    std::vector<std::uint32_t> mark(n, 0);
    std::uint32_t stamp = 0;
    for (auto& s : candidates) {
        const auto u = s.node;
        const auto around = mutual_ties(m, u);
        ++stamp;
        for (const auto& [v, w] : around) {
            mark[v] = stamp;
            p_u[v] = w / strength(u);
        }
        double constraint = 0, effective = 0;
        for (const auto& [j, w_uj] : around) {
            double j_max = 0;
            const auto of_j = mutual_ties(m, j);
            for (const auto& [q, w] : of_j) j_max = std::max(j_max, w);
            double indirect = 0, redundancy = 0;
            for (const auto& [q, w_jq] : of_j) {
                if (q == u || mark[q] != stamp) continue;
                indirect += p_u[q] * (w_jq / strength(q));  // p_uq p_qj: mutual weights are symmetric
                redundancy += p_u[q] * (w_jq / j_max);
            }
            constraint += (p_u[j] + indirect) * (p_u[j] + indirect);
            effective += 1 - redundancy;
        }
        s.constraint = constraint;
        s.effective_size = effective;
    }
    r.spanners = std::move(candidates);
}

}  // namespace smorg::engine::silo
