#include "smorg/engine/centrality/betweenness.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_reduce.h>

#include "smorg/graph/random.h"

#include "budget.h"
#include "parallel.h"
#include "sssp.h"
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

struct Workspace {
    detail::SsspWorkspace sp;
    std::vector<double> delta;     // dependency of the source on each node
    std::vector<double> quotient;  // BFS only: (counted + delta) / sigma, what a node passes back
    // BFS only: the shortest-path DAG as successor lists, one contiguous run per node in BFS order.
    std::vector<NodeIndex> successors;
    std::vector<std::uint32_t> successor_begin;
    explicit Workspace(NodeIndex n) : sp(n), delta(n, 0.0), quotient(n, 0.0) {}
};

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

// Dijkstra only when lengths differ: with one weight on every arc, BFS finds the same shortest paths.
detail::SsspMode mode_of(const graph::Subgraph& view, const BetweennessParams& p) {
    return {view.weighted() && !view.uniform_weight(), p.weight_as == graph::WeightAs::length, false};
}

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

// One source: the search (recording the DAG when unweighted) and the accumulation.
std::uint64_t run_source(const graph::Subgraph& view, NodeIndex s, const detail::SsspMode& mode,
                         const std::vector<std::uint32_t>& groups, Workspace& ws) {
    if (mode.weighted) {
        detail::shortest_paths(view, s, mode, ws.sp);
    } else {
        bfs_with_successors(view, s, ws);
    }
    return accumulate(view, s, mode, groups, ws);
}

// The per-leaf accumulator of a deterministic reduce: allocated on first use, joined by addition.
struct Accumulator {
    std::vector<double> score;
    void add(NodeIndex v, double x, NodeIndex n) {
        if (score.empty()) score.assign(n, 0.0);
        score[v] += x;
    }
    void join(Accumulator&& other) {
        if (other.score.empty()) return;
        if (score.empty()) {
            score = std::move(other.score);
            return;
        }
        for (std::size_t i = 0; i < score.size(); ++i) score[i] += other.score[i];
    }
};

double rescale_factor(const BetweennessParams& p, bool directed, double n) {
    if (p.normalized) {
        if (p.endpoints) return n >= 2 ? 1.0 / (n * (n - 1)) : 1.0;
        return n > 2 ? 1.0 / ((n - 1) * (n - 2)) : 1.0;
    }
    return directed ? 1.0 : 0.5;
}

// ---- exact --------------------------------------------------------------------------------------

void explain_top(const graph::Subgraph& view, const BetweennessParams& p, const std::vector<double>& raw,
                 BetweennessResult& result, RunContext& run);

// Brandes from `sources` (every node when exact; random pivots when sampling sources).
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
    std::vector<double> raw(n, 0.0);
    constexpr int kBatches = 32;
    // Leaves of a fixed size: the reduction tree depends on the number of sources only.
    const NodeIndex grain = std::max<NodeIndex>(1, count / (kBatches * 16));
    for (int b = 0; b < kBatches; ++b) {
        run.throw_if_cancelled();
        const auto first = static_cast<NodeIndex>(std::uint64_t{count} * static_cast<std::uint64_t>(b) / kBatches);
        const auto last = static_cast<NodeIndex>(std::uint64_t{count} * static_cast<std::uint64_t>(b + 1) / kBatches);
        if (first == last) continue;
        Accumulator batch = tbb::parallel_deterministic_reduce(
            tbb::blocked_range<NodeIndex>(first, last, grain), Accumulator{},
            [&](const tbb::blocked_range<NodeIndex>& r, Accumulator acc) {
                if (run.cancelled()) return acc;
                auto& ws = workspaces.local();
                for (NodeIndex i = r.begin(); i != r.end(); ++i) {
                    const NodeIndex s = nodes[i];
                    const auto targets = run_source(view, s, mode, p.groups, ws);
                    if (p.endpoints && targets > 0) acc.add(s, static_cast<double>(targets), n);
                    for (auto w : ws.sp.order) {
                        if (w == s) continue;
                        const bool counted = p.groups.empty() || p.groups[w] != p.groups[s];
                        const double x = ws.delta[w] + (p.endpoints && counted ? 1.0 : 0.0);
                        if (x != 0) acc.add(w, x, n);
                    }
                }
                return acc;
            },
            [](Accumulator a, Accumulator c) {
                a.join(std::move(c));
                return a;
            });
        run.throw_if_cancelled();
        if (!batch.score.empty()) {
            for (NodeIndex v = 0; v < n; ++v) raw[v] += batch.score[v];
        }
        run.report("betweenness", static_cast<double>(b + 1) / kBatches);
    }
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

// ---- sampled ------------------------------------------------------------------------------------

// An upper bound on the number of nodes of any shortest path (the vertex diameter). Undirected and
// unweighted: 2 * eccentricity + 1 of any node, per connected component. Otherwise: the size of the
// largest weakly connected component (a shortest path visits each node at most once).
std::uint32_t vertex_diameter_bound(const graph::Subgraph& view) {
    const NodeIndex n = view.node_count();
    std::vector<std::int32_t> level(n, -1);
    std::vector<NodeIndex> queue;
    std::uint32_t bound = 1;
    for (auto root : view.nodes()) {
        if (level[root] >= 0) continue;
        queue.clear();
        queue.push_back(root);
        level[root] = 0;
        std::int32_t eccentricity = 0;
        for (std::size_t head = 0; head < queue.size(); ++head) {
            const NodeIndex u = queue[head];
            eccentricity = std::max(eccentricity, level[u]);
            for (auto side : {view.out_neighbors(u), view.in_neighbors(u)}) {
                for (auto v : side) {
                    if (level[v] < 0) {
                        level[v] = level[u] + 1;
                        queue.push_back(v);
                    }
                }
            }
        }
        const auto component = static_cast<std::uint32_t>(queue.size());
        const bool hop_bound = !view.directed() && (!view.weighted() || view.uniform_weight());
        bound = std::max(
            bound, hop_bound ? std::min<std::uint32_t>(component, 2 * static_cast<std::uint32_t>(eccentricity) + 1) : component);
    }
    return bound;
}

// Per worker: forward and backward search state of a balanced bidirectional BFS.
struct PairSearch {
    std::vector<std::int32_t> dist_s, dist_t;
    std::vector<double> sigma_s, sigma_t;
    std::vector<NodeIndex> touched, front_s, front_t, next;
    detail::SsspWorkspace sp;
    explicit PairSearch(NodeIndex n) : dist_s(n, -1), dist_t(n, -1), sigma_s(n, 0), sigma_t(n, 0), sp(n) {}
    void reset() {
        for (auto u : touched) {
            dist_s[u] = dist_t[u] = -1;
            sigma_s[u] = sigma_t[u] = 0;
        }
        touched.clear();
    }
};

// Picks index i of `weights` with probability weights[i] / sum.
std::size_t pick(const std::vector<double>& weights, graph::Rng& rng) {
    double total = 0;
    for (double w : weights) total += w;
    double x = rng.uniform() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        if (x < weights[i]) return i;
        x -= weights[i];
    }
    return weights.size() - 1;
}

// Samples one shortest s-t path uniformly at random and calls on_node for each node on it (ends
// included). Returns false when t is unreachable from s.
template <class OnNode>
bool sample_path_bfs(const graph::Subgraph& view, NodeIndex s, NodeIndex t, graph::Rng& rng, PairSearch& ps, OnNode&& on_node,
                     std::uint64_t* arcs = nullptr) {
    ps.reset();
    ps.dist_s[s] = 0;
    ps.sigma_s[s] = 1;
    ps.dist_t[t] = 0;
    ps.sigma_t[t] = 1;
    ps.touched.push_back(s);
    ps.touched.push_back(t);
    ps.front_s.assign(1, s);
    ps.front_t.assign(1, t);
    std::int32_t level_s = 0, level_t = 0;
    std::vector<NodeIndex> middle;
    while (middle.empty()) {
        if (ps.front_s.empty() || ps.front_t.empty()) return false;
        // Expand the side whose frontier has fewer arcs to look at.
        std::uint64_t cost_s = 0, cost_t = 0;
        for (auto u : ps.front_s) cost_s += view.out_degree(u);
        for (auto u : ps.front_t) cost_t += view.in_degree(u);
        const bool forward = cost_s <= cost_t;
        if (arcs) *arcs += std::min(cost_s, cost_t) + 1;
        auto& dist = forward ? ps.dist_s : ps.dist_t;
        auto& sigma = forward ? ps.sigma_s : ps.sigma_t;
        const auto& other = forward ? ps.dist_t : ps.dist_s;
        auto& front = forward ? ps.front_s : ps.front_t;
        std::int32_t& level = forward ? level_s : level_t;
        ps.next.clear();
        for (auto u : front) {
            for (auto v : forward ? view.out_neighbors(u) : view.in_neighbors(u)) {
                if (dist[v] < 0) {
                    if (other[v] < 0) ps.touched.push_back(v);
                    dist[v] = level + 1;
                    ps.next.push_back(v);
                }
                if (dist[v] == level + 1) sigma[v] += sigma[u];
            }
        }
        ++level;
        front.swap(ps.next);
        std::int32_t best = INT32_MAX;
        for (auto v : front) {
            if (other[v] >= 0) best = std::min(best, other[v]);
        }
        if (best != INT32_MAX) {
            for (auto v : front) {
                if (other[v] == best) middle.push_back(v);
            }
        }
    }
    std::vector<double> weights;
    weights.reserve(middle.size());
    for (auto x : middle) weights.push_back(ps.sigma_s[x] * ps.sigma_t[x]);
    const NodeIndex x = middle[pick(weights, rng)];
    on_node(x);
    // Back to s over in-arcs, forward to t over out-arcs, each step in proportion to path counts.
    std::vector<NodeIndex> choices;
    for (NodeIndex w = x; w != s;) {
        choices.clear();
        weights.clear();
        for (auto u : view.in_neighbors(w)) {
            if (ps.dist_s[u] >= 0 && ps.dist_s[u] + 1 == ps.dist_s[w]) {
                choices.push_back(u);
                weights.push_back(ps.sigma_s[u]);
            }
        }
        w = choices[pick(weights, rng)];
        on_node(w);
    }
    for (NodeIndex w = x; w != t;) {
        choices.clear();
        weights.clear();
        for (auto u : view.out_neighbors(w)) {
            if (ps.dist_t[u] >= 0 && ps.dist_t[u] + 1 == ps.dist_t[w]) {
                choices.push_back(u);
                weights.push_back(ps.sigma_t[u]);
            }
        }
        w = choices[pick(weights, rng)];
        on_node(w);
    }
    return true;
}

template <class OnNode>
bool sample_path_dijkstra(const graph::Subgraph& view, NodeIndex s, NodeIndex t, const detail::SsspMode& mode, graph::Rng& rng,
                          PairSearch& ps, OnNode&& on_node, std::uint64_t* arcs = nullptr) {
    auto& sp = ps.sp;
    detail::shortest_paths(view, s, mode, sp, t);
    if (arcs) {
        for (auto u : sp.order) *arcs += view.out_degree(u) + 1;
    }
    if (sp.dist[t] == detail::kUnreached) return false;
    std::vector<NodeIndex> choices;
    std::vector<double> weights;
    for (NodeIndex w = t;;) {
        on_node(w);
        if (w == s) break;
        choices.clear();
        weights.clear();
        const auto preds = detail::prev_nodes(view, w, mode);
        const auto lengths = detail::prev_weights(view, w, mode);
        for (std::size_t k = 0; k < preds.size(); ++k) {
            if (detail::on_shortest_path(sp, preds[k], w, lengths[k], mode)) {
                choices.push_back(preds[k]);
                weights.push_back(sp.sigma[preds[k]]);
            }
        }
        w = choices[pick(weights, rng)];
    }
    return true;
}

// Sample i of the run: a uniform ordered pair of distinct nodes from stream (seed, i) and one of its
// shortest paths, each of whose counted nodes is passed to `hit`. Returns the arcs it looked at.
template <class Hit>
std::uint64_t sample_one(const graph::Subgraph& view, const BetweennessParams& p, const detail::SsspMode& mode, std::uint64_t i,
                         PairSearch& ps, Hit&& hit) {
    const auto& nodes = view.nodes();
    const auto count = static_cast<NodeIndex>(nodes.size());
    auto rng = graph::Rng::stream(p.seed, i);
    const auto is = rng.below(count);
    auto it = rng.below(count - 1);
    if (it >= is) ++it;
    const NodeIndex s = nodes[is];
    const NodeIndex t = nodes[it];
    auto on_node = [&](NodeIndex v) {
        if (p.endpoints || (v != s && v != t)) hit(v);
    };
    std::uint64_t arcs = 0;
    if (mode.weighted) {
        sample_path_dijkstra(view, s, t, mode, rng, ps, on_node, &arcs);
    } else {
        sample_path_bfs(view, s, t, rng, ps, on_node, &arcs);
    }
    return arcs;
}

double pilot_cost(const graph::Subgraph& view, const BetweennessParams& p, std::uint64_t pilot) {
    PairSearch ps(view.node_count());
    const auto mode = mode_of(view, p);
    double total = 0;
    for (std::uint64_t i = 0; i < pilot; ++i) total += static_cast<double>(sample_one(view, p, mode, i, ps, [](NodeIndex) {}));
    return total / static_cast<double>(std::max<std::uint64_t>(pilot, 1));
}

// Riondato & Kornaropoulos: r = (c / eps^2) (floor(log2(VD - 2)) + 1 + ln(1 / delta)), c = 0.5.
double sample_count(const BetweennessParams& p, std::uint32_t vd) {
    const double epsilon = *p.epsilon;
    const double log_term = vd > 3 ? std::floor(std::log2(static_cast<double>(vd - 2))) : 0.0;
    return std::ceil(0.5 / (epsilon * epsilon) * (log_term + 1 + std::log(1 / p.delta)));
}

// The mean number of arcs one sampled path costs, from the first `pilot` samples of the run.
double pilot_cost(const graph::Subgraph& view, const BetweennessParams& p, std::uint64_t pilot);

BetweennessResult sampled(const graph::Subgraph& view, const BetweennessParams& p, RunContext& run) {
    const NodeIndex n = view.node_count();
    const auto& nodes = view.nodes();
    const auto count = static_cast<NodeIndex>(nodes.size());
    BetweennessResult result;
    result.nodes = nodes;
    result.isolated = view.isolated();
    result.sampled = true;
    result.score.assign(n, 0.0);
    if (count < 2) return result;
    const auto vd = vertex_diameter_bound(view);
    result.vertex_diameter_bound = vd;
    const double epsilon = *p.epsilon;
    const auto samples = static_cast<std::uint64_t>(sample_count(p, vd));  // < count: checked by the caller
    result.samples = samples;
    const auto mode = mode_of(view, p);
    std::vector<std::uint32_t> hits(n, 0);
    tbb::enumerable_thread_specific<PairSearch> searches([n] { return PairSearch(n); });
    (void)epsilon;
    detail::for_batches<std::uint64_t>(samples, 64, run, "betweenness", [&](std::uint64_t first, std::uint64_t last) {
        auto& ps = searches.local();
        for (std::uint64_t i = first; i < last; ++i) {
            sample_one(view, p, mode, i, ps,
                       [&](NodeIndex v) { std::atomic_ref<std::uint32_t>(hits[v]).fetch_add(1, std::memory_order_relaxed); });
        }
    });
    // hits / samples estimates betweenness normalized by the n(n-1) ordered pairs; convert.
    const double nd = count;
    const double pairs = nd * (nd - 1);
    const double to_raw = pairs / static_cast<double>(samples);
    const double scale = rescale_factor(p, view.directed(), nd);
    for (auto v : nodes) result.score[v] = static_cast<double>(hits[v]) * to_raw * scale;
    result.error_bound = epsilon * pairs * scale;
    return result;
}

}  // namespace

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
    const double per_arc = mode_of(view, p).weighted ? detail::kSampleDijkstraArc : detail::kSampleBfsArc;
    const double per_sample = per_arc * (pilot_cost(view, p, std::min(samples, kPilotSamples)) + 16);
    const double n = static_cast<double>(view.node_count());
    const double scan = n + static_cast<double>(view.arc_count());
    return detail::cost(scan + static_cast<double>(samples) * per_sample, 4 * n + detail::workers() * 40 * n, "epsilon",
                        "pilot of " + std::to_string(std::min(samples, kPilotSamples)) + " samples");
}

}  // namespace

namespace {
Estimate cost_of(const graph::Snapshot& g, const BetweennessParams& params) {
    const auto size = graph::view_size(g, params.subgraph);
    if (!params.epsilon) return detail::on_view(size, exact_estimate(g, size, params));
    const auto view = graph::Subgraph::of(g, params.subgraph);
    const double samples = sample_count(params, vertex_diameter_bound(view));
    if (samples >= static_cast<double>(view.nodes().size())) return detail::on_view(size, exact_estimate(g, size, params));
    return detail::on_view(size, sampled_estimate(view, params, static_cast<std::uint64_t>(samples)));
}
}  // namespace

Estimate estimate(const graph::Snapshot& g, const BetweennessParams& params) {
    validate(params, g);
    return cost_of(g, params);
}

BetweennessResult betweenness(const graph::Snapshot& g, const BetweennessParams& params, RunContext& run) {
    validate(params, g);
    const auto size = graph::view_size(g, params.subgraph);
    run.admit(detail::on_view(size, params.epsilon ? size.cost : exact_estimate(g, size, params)));
    run.throw_if_cancelled();
    const auto view = graph::Subgraph::of(g, params.subgraph);
    return detail::betweenness(view, params, run);
}

namespace detail {

BetweennessResult betweenness(const graph::Subgraph& view, const BetweennessParams& params, RunContext& run) {
    validate(params, view.snapshot());
    if (params.epsilon) {
        const auto count = view.nodes().size();
        const double samples = count < 2 ? 0.0 : sample_count(params, vertex_diameter_bound(view));
        if (samples < static_cast<double>(count)) {
            run.admit(sampled_estimate(view, params, static_cast<std::uint64_t>(samples)));
            return sampled(view, params, run);
        }
        // More samples than sources: the exact answer costs less, and its error is 0.
        auto exact_params = params;
        exact_params.epsilon.reset();
        run.admit(exact_estimate(view.snapshot(), graph::view_size(view.snapshot(), params.subgraph), exact_params));
        auto result = exact(view, exact_params, run);
        result.exact_instead = true;
        return result;
    }
    run.admit(exact_estimate(view.snapshot(), graph::view_size(view.snapshot(), params.subgraph), params));
    return exact(view, params, run);
}

}  // namespace detail

}  // namespace smorg::engine
