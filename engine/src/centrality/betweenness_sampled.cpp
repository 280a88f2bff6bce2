#include <algorithm>
#include <atomic>
#include <cmath>

#include <tbb/enumerable_thread_specific.h>

#include "smorg/graph/random.h"
#include "smorg/graph/ranks.h"

#include "brandes.h"
#include "parallel.h"

namespace smorg::engine::brandes {

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

namespace {

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

}  // namespace

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
    // Over ranks (docs/scale.md) each draws its share of every batch of samples, by index (a
    // sample's stream depends on its index alone), and the hit counts are summed exactly.
    detail::for_batches<std::uint64_t>(
        samples, 64, run, "betweenness",
        [&](std::uint64_t first, std::uint64_t last) {
            auto& ps = searches.local();
            for (std::uint64_t i = first; i < last; ++i) {
                sample_one(view, p, mode, i, ps,
                           [&](NodeIndex v) { std::atomic_ref<std::uint32_t>(hits[v]).fetch_add(1, std::memory_order_relaxed); });
            }
        },
        std::uint64_t{1}, true);
    std::vector<std::uint64_t> total(hits.begin(), hits.end());
    run.ranks().sum(total);
    // hits / samples estimates betweenness normalized by the n(n-1) ordered pairs; convert.
    const double nd = count;
    const double pairs = nd * (nd - 1);
    const double to_raw = pairs / static_cast<double>(samples);
    const double scale = rescale_factor(p, view.directed(), nd);
    for (auto v : nodes) result.score[v] = static_cast<double>(total[v]) * to_raw * scale;
    result.error_bound = epsilon * pairs * scale;
    return result;
}

}  // namespace smorg::engine::brandes
