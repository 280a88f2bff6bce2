#include <algorithm>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_reduce.h>

#include "brandes.h"
#include "parallel.h"

namespace smorg::engine::brandes {

// For each of the top nodes: the three sources with the largest dependency on it, each with the
// target whose shortest paths from that source run through the node in the largest share, and one
// such path. A second Brandes pass collects the dependencies; a few extra runs find the paths.
void explain_top(const graph::Subgraph& view, const BetweennessParams& p, const std::vector<double>& raw,
                 BetweennessResult& result, RunContext& run) {
    const NodeIndex n = view.node_count();
    const auto& nodes = view.nodes();
    std::vector<NodeIndex> top(nodes);
    const std::size_t k = std::min(p.explain, top.size());
    std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(k), top.end(),
                      [&](NodeIndex a, NodeIndex b) { return raw[a] != raw[b] ? raw[a] > raw[b] : a < b; });
    top.resize(k);
    constexpr std::size_t kReasons = 3;
    const auto mode = mode_of(view, p);
    // Per explained node, the dependency of every source on it.
    using Candidates = std::vector<std::vector<std::pair<double, NodeIndex>>>;  // [explained] -> (dependency, source)
    tbb::enumerable_thread_specific<Workspace> workspaces([n] { return Workspace(n); });
    const auto count = static_cast<NodeIndex>(nodes.size());
    Candidates best = tbb::parallel_deterministic_reduce(
        tbb::blocked_range<NodeIndex>(0, count, std::max<NodeIndex>(1, count / 256)), Candidates(k),
        [&](const tbb::blocked_range<NodeIndex>& r, Candidates acc) {
            auto& ws = workspaces.local();
            for (NodeIndex i = r.begin(); i != r.end(); ++i) {
                const NodeIndex s = nodes[i];
                run_source(view, s, mode, p.groups, ws);
                for (std::size_t j = 0; j < k; ++j) {
                    const NodeIndex v = top[j];
                    if (v != s && ws.sp.dist[v] != detail::kUnreached && ws.delta[v] > 0) acc[j].emplace_back(ws.delta[v], s);
                }
            }
            for (auto& list : acc) {
                std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
                    return a.first != b.first ? a.first > b.first : a.second < b.second;
                });
                if (list.size() > kReasons) list.resize(kReasons);
            }
            return acc;
        },
        [&](Candidates a, Candidates b) {
            for (std::size_t j = 0; j < k; ++j) {
                a[j].insert(a[j].end(), b[j].begin(), b[j].end());
                std::sort(a[j].begin(), a[j].end(), [](const auto& x, const auto& y) {
                    return x.first != y.first ? x.first > y.first : x.second < y.second;
                });
                if (a[j].size() > kReasons) a[j].resize(kReasons);
            }
            return a;
        });
    run.throw_if_cancelled();
    detail::SsspWorkspace sp(n);
    std::vector<double> through(n, 0.0);
    for (std::size_t j = 0; j < k; ++j) {
        const NodeIndex v = top[j];
        std::vector<BetweennessReason> reasons;
        for (const auto& [dependency, s] : best[j]) {
            detail::shortest_paths(view, s, mode, sp);
            // through[x]: shortest s-x paths that pass through v.
            for (auto x : sp.order) through[x] = 0;
            through[v] = sp.sigma[v];
            NodeIndex target = graph::kNoNode;
            double best_share = -1;
            for (auto x : sp.order) {
                if (sp.dist[x] <= sp.dist[v] || x == v) continue;
                const auto preds = detail::prev_nodes(view, x, mode);
                const auto weights = detail::prev_weights(view, x, mode);
                double t = 0;
                for (std::size_t q = 0; q < preds.size(); ++q) {
                    if (detail::on_shortest_path(sp, preds[q], x, weights[q], mode)) t += through[preds[q]];
                }
                through[x] = t;
                const bool counted = p.groups.empty() || p.groups[x] != p.groups[s];
                const double share = t / sp.sigma[x];
                if (counted && share > best_share) {
                    best_share = share;
                    target = x;
                }
            }
            if (target == graph::kNoNode) continue;
            // One path: back from the target through nodes on paths via v, then from v back to s.
            std::vector<NodeIndex> path{target};
            auto step_back = [&](NodeIndex x, bool need_through) {
                const auto preds = detail::prev_nodes(view, x, mode);
                const auto weights = detail::prev_weights(view, x, mode);
                for (std::size_t q = 0; q < preds.size(); ++q) {
                    if (detail::on_shortest_path(sp, preds[q], x, weights[q], mode) && (!need_through || through[preds[q]] > 0)) {
                        return preds[q];
                    }
                }
                return graph::kNoNode;
            };
            while (path.back() != v) path.push_back(step_back(path.back(), true));
            while (path.back() != s) path.push_back(step_back(path.back(), false));
            std::reverse(path.begin(), path.end());
            reasons.push_back({s, target, raw[v] > 0 ? dependency / raw[v] : 0, std::move(path)});
        }
        result.explanations.emplace_back(v, std::move(reasons));
    }
}

}  // namespace smorg::engine::brandes
