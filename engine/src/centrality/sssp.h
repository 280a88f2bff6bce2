#pragma once

// Single-source shortest paths with path counting, the kernel of Brandes' betweenness and of
// closeness/harmonic centrality. One workspace per worker, reset in O(visited) between sources.
// Forward runs follow out-arcs (distances from the source); reverse runs follow in-arcs (distances
// to it). Weighted runs are Dijkstra over arc lengths (1 / weight, or the weight itself); unweighted
// runs are BFS. `order` lists the visited nodes by non-decreasing distance, so walking it backwards
// visits every node after all the nodes its shortest paths continue to (Brandes' stack).

#include <algorithm>
#include <cstdint>
#include <limits>
#include <queue>
#include <span>
#include <utility>
#include <vector>

#include "smorg/graph/subgraph.h"

namespace smorg::engine::detail {

inline constexpr double kUnreached = std::numeric_limits<double>::infinity();

struct SsspWorkspace {
    std::vector<double> dist;
    std::vector<double> sigma;              // number of shortest paths; double: counts overflow 64 bits on big graphs
    std::vector<graph::NodeIndex> order;    // settled nodes, by non-decreasing distance
    std::vector<graph::NodeIndex> touched;  // every node whose dist was set (for the reset)
    std::vector<std::pair<double, graph::NodeIndex>> heap;

    explicit SsspWorkspace(graph::NodeIndex n) : dist(n, kUnreached), sigma(n, 0.0) {
        order.reserve(n);
        touched.reserve(n);
    }
    void reset() {
        // BFS settles everything it touches, so it records `order` only.
        for (auto u : order) {
            dist[u] = kUnreached;
            sigma[u] = 0;
        }
        for (auto u : touched) {
            dist[u] = kUnreached;
            sigma[u] = 0;
        }
        order.clear();
        touched.clear();
        heap.clear();
    }
};

// How one run reads the view.
struct SsspMode {
    bool weighted = false;          // Dijkstra over lengths; false: BFS over hops
    bool weight_is_length = false;  // length = weight; false: length = 1 / weight
    bool reverse = false;           // follow in-arcs
    bool count_paths = true;        // false: distances only (BFS skips sigma)
};

inline double arc_length(double weight, const SsspMode& mode) { return mode.weight_is_length ? weight : 1.0 / weight; }

// Neighbours and weights in the run's direction.
inline std::span<const graph::NodeIndex> next_nodes(const graph::Subgraph& g, graph::NodeIndex u, const SsspMode& m) {
    return m.reverse ? g.in_neighbors(u) : g.out_neighbors(u);
}
inline std::span<const double> next_weights(const graph::Subgraph& g, graph::NodeIndex u, const SsspMode& m) {
    return m.reverse ? g.in_weights(u) : g.out_weights(u);
}
// Neighbours against the run's direction: the candidates for predecessors.
inline std::span<const graph::NodeIndex> prev_nodes(const graph::Subgraph& g, graph::NodeIndex u, const SsspMode& m) {
    return m.reverse ? g.out_neighbors(u) : g.in_neighbors(u);
}
inline std::span<const double> prev_weights(const graph::Subgraph& g, graph::NodeIndex u, const SsspMode& m) {
    return m.reverse ? g.out_weights(u) : g.in_weights(u);
}

// Fills ws.dist, ws.sigma and ws.order from `source`. `stop_at` (optional) ends the run once that
// node is settled; its dist and sigma are then final, other nodes' may not be.
inline void shortest_paths(const graph::Subgraph& g, graph::NodeIndex source, const SsspMode& mode, SsspWorkspace& ws,
                           graph::NodeIndex stop_at = graph::kNoNode) {
    ws.reset();
    ws.dist[source] = 0;
    ws.sigma[source] = 1;
    if (!mode.weighted) {
        // BFS: the queue is the settled order (and all that needs resetting).
        ws.order.push_back(source);
        auto* dist = ws.dist.data();
        auto* sigma = ws.sigma.data();
        for (std::size_t head = 0; head < ws.order.size(); ++head) {
            const auto u = ws.order[head];
            if (u == stop_at) break;
            const double next = dist[u] + 1;
            const double paths = sigma[u];
            if (!mode.count_paths) {
                for (auto v : next_nodes(g, u, mode)) {
                    if (dist[v] == kUnreached) {
                        dist[v] = next;
                        ws.order.push_back(v);
                    }
                }
                continue;
            }
            for (auto v : next_nodes(g, u, mode)) {
                if (dist[v] == kUnreached) {
                    dist[v] = next;
                    ws.order.push_back(v);
                }
                if (dist[v] == next) sigma[v] += paths;
            }
        }
        return;
    }
    ws.touched.push_back(source);
    // Dijkstra with lazy deletion: an entry is pushed only on a strict improvement, so each node has
    // exactly one live entry and is settled once. Lengths are > 0, so a node's predecessors are all
    // settled before it and its sigma is complete when it is.
    auto later = [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second > b.second); };
    auto& heap = ws.heap;
    heap.emplace_back(0.0, source);
    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), later);
        const auto [d, u] = heap.back();
        heap.pop_back();
        if (d > ws.dist[u]) continue;  // stale
        ws.order.push_back(u);
        if (u == stop_at) break;
        const auto targets = next_nodes(g, u, mode);
        const auto weights = next_weights(g, u, mode);
        for (std::size_t k = 0; k < targets.size(); ++k) {
            const auto v = targets[k];
            const double candidate = d + arc_length(weights[k], mode);
            if (candidate < ws.dist[v]) {
                if (ws.dist[v] == kUnreached) ws.touched.push_back(v);
                ws.dist[v] = candidate;
                ws.sigma[v] = ws.sigma[u];
                heap.emplace_back(candidate, v);
                std::push_heap(heap.begin(), heap.end(), later);
            } else if (candidate == ws.dist[v]) {
                ws.sigma[v] += ws.sigma[u];
            }
        }
    }
}

// True when the arc p -> w (of length from `weight`) lies on a shortest path of the last run.
inline bool on_shortest_path(const SsspWorkspace& ws, graph::NodeIndex p, graph::NodeIndex w, double weight,
                             const SsspMode& mode) {
    if (ws.dist[p] == kUnreached) return false;
    return mode.weighted ? ws.dist[p] + arc_length(weight, mode) == ws.dist[w] : ws.dist[p] + 1 == ws.dist[w];
}

}  // namespace smorg::engine::detail
