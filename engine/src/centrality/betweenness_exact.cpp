#include <algorithm>

#include <tbb/enumerable_thread_specific.h>

#include "smorg/graph/random.h"
#include "smorg/graph/ranks.h"

#include "brandes.h"
#include "parallel.h"

namespace smorg::engine::brandes {

namespace {

// BFS from s that also records, for each node in BFS order, its successors on shortest paths. The
// accumulation then walks only DAG arcs, sequentially (GAPBS keeps a successor bitmap for the same
// reason): about half the memory traffic of re-checking every in-arc.
void bfs_with_successors(const graph::Subgraph& view, NodeIndex s, Workspace& ws) {
    auto& sp = ws.sp;
    sp.reset();
    ws.successors.clear();
    ws.successor_begin.clear();
    double* dist = sp.dist.data();
    double* sigma = sp.sigma.data();
    dist[s] = 0;
    sigma[s] = 1;
    sp.order.push_back(s);
    for (std::size_t head = 0; head < sp.order.size(); ++head) {
        const NodeIndex u = sp.order[head];
        ws.successor_begin.push_back(static_cast<std::uint32_t>(ws.successors.size()));
        const double next = dist[u] + 1;
        const double paths = sigma[u];
        for (const NodeIndex v : view.out_neighbors(u)) {
            if (dist[v] == detail::kUnreached) {
                dist[v] = next;
                sp.order.push_back(v);
            }
            if (dist[v] == next) {
                sigma[v] += paths;
                ws.successors.push_back(v);
            }
        }
    }
    ws.successor_begin.push_back(static_cast<std::uint32_t>(ws.successors.size()));
}

}  // namespace

detail::SsspMode mode_of(const graph::Subgraph& view, const BetweennessParams& p) {
    return {view.weighted() && !view.uniform_weight(), p.weight_as == graph::WeightAs::length, false};
}

namespace {

// Brandes' dependency accumulation for the last run from `s`: after it, ws.delta[v] is the
// dependency of s on v (paths to counted targets only). Returns the number of counted targets.
std::uint64_t accumulate(const graph::Subgraph& view, NodeIndex s, const detail::SsspMode& mode,
                         const std::vector<std::uint32_t>& groups, Workspace& ws) {
    auto& sp = ws.sp;
    std::uint64_t targets = 0;
    const double* sigma = sp.sigma.data();
    double* delta = ws.delta.data();
    auto counted = [&](NodeIndex w) { return w != s && (groups.empty() || groups[w] != groups[s]); };
    if (!mode.weighted) {
        // Successor form over the recorded DAG: delta[u] = sigma[u] * sum over successors v of
        // (counted(v) + delta[v]) / sigma[v]. Once a node is final, `delta` holds that quotient.
        double* quotient = ws.quotient.data();
        for (std::size_t i = sp.order.size(); i-- > 0;) {
            const NodeIndex u = sp.order[i];
            double sum = 0;
            for (std::uint32_t a = ws.successor_begin[i]; a < ws.successor_begin[i + 1]; ++a) sum += quotient[ws.successors[a]];
            delta[u] = sigma[u] * sum;
            const bool c = counted(u);
            targets += c ? 1 : 0;
            quotient[u] = ((c ? 1.0 : 0.0) + delta[u]) / sigma[u];
        }
        return targets;
    }
    for (auto w : sp.order) delta[w] = 0;
    for (auto it = sp.order.rbegin(); it != sp.order.rend(); ++it) {
        const NodeIndex w = *it;
        const double c = counted(w) ? 1.0 : 0.0;
        targets += c > 0 ? 1 : 0;
        const double coefficient = (c + delta[w]) / sigma[w];
        const auto preds = detail::prev_nodes(view, w, mode);
        const auto weights = detail::prev_weights(view, w, mode);
        for (std::size_t k = 0; k < preds.size(); ++k) {
            const NodeIndex p = preds[k];
            if (detail::on_shortest_path(sp, p, w, weights[k], mode)) delta[p] += sigma[p] * coefficient;
        }
    }
    return targets;
}

}  // namespace

std::uint64_t run_source(const graph::Subgraph& view, NodeIndex s, const detail::SsspMode& mode,
                         const std::vector<std::uint32_t>& groups, Workspace& ws) {
    if (mode.weighted) {
        detail::shortest_paths(view, s, mode, ws.sp);
    } else {
        bfs_with_successors(view, s, ws);
    }
    return accumulate(view, s, mode, groups, ws);
}

double rescale_factor(const BetweennessParams& p, bool directed, double n) {
    if (p.normalized) {
        if (p.endpoints) return n >= 2 ? 1.0 / (n * (n - 1)) : 1.0;
        return n > 2 ? 1.0 / ((n - 1) * (n - 2)) : 1.0;
    }
    return directed ? 1.0 : 0.5;
}

BetweennessResult exact(const graph::Subgraph& view, const BetweennessParams& p, RunContext& run) {
    const NodeIndex n = view.node_count();
    const auto& all = view.nodes();
    std::vector<NodeIndex> picked;
    const bool pivoting = p.pivots && *p.pivots < all.size();
    if (pivoting) {
        picked = all;
        graph::Rng rng(p.seed);
        graph::shuffle_prefix(picked, *p.pivots, rng);
        picked.resize(*p.pivots);
        std::sort(picked.begin(), picked.end());
    }
    const auto& nodes = pivoting ? picked : all;
    const auto count = static_cast<NodeIndex>(nodes.size());
    const auto mode = mode_of(view, p);
    tbb::enumerable_thread_specific<Workspace> workspaces([n] { return Workspace(n); });
    constexpr int kBatches = 32;
    // Leaves of a fixed size: the reduction tree depends on the number of sources only.
    const NodeIndex grain = std::max<NodeIndex>(1, count / (kBatches * 16));
    // Over ranks (docs/scale.md) each runs its share of the sources and the sums are added in rank
    // order.
    auto& ranks = run.ranks();
    const auto share = graph::my_share(ranks, count);  // not a structured binding: the lambda below captures it
    const auto first = static_cast<NodeIndex>(share.first), last = static_cast<NodeIndex>(share.second);
    auto raw =
        std::move(detail::batched_vector_sums<1>(static_cast<NodeIndex>(last - first), n, kBatches, grain, run, "betweenness",
                                                 [&](NodeIndex i, detail::VectorSums<1>& acc) {
                                                     auto& ws = workspaces.local();
                                                     const NodeIndex s = nodes[first + i];
                                                     const auto targets = run_source(view, s, mode, p.groups, ws);
                                                     if (p.endpoints && targets > 0) {
                                                         acc.add(0, s, static_cast<double>(targets));
                                                     }
                                                     for (auto w : ws.sp.order) {
                                                         if (w == s) continue;
                                                         const bool counted = p.groups.empty() || p.groups[w] != p.groups[s];
                                                         const double x = ws.delta[w] + (p.endpoints && counted ? 1.0 : 0.0);
                                                         if (x != 0) acc.add(0, w, x);
                                                     }
                                                 })[0]);
    graph::ordered_sum(ranks, raw);
    BetweennessResult result;
    result.nodes = all;
    result.isolated = view.isolated();
    result.samples = count;
    result.sampled = pivoting;
    const auto total = static_cast<double>(all.size());
    // Pivots: each sampled source stands for n / pivots sources.
    const double scale = rescale_factor(p, view.directed(), total) * (pivoting ? total / count : 1.0);
    result.score.assign(n, 0.0);
    for (auto v : all) result.score[v] = raw[v] * scale;
    if (p.explain > 0) explain_top(view, p, raw, result, run);
    return result;
}

}  // namespace smorg::engine::brandes
