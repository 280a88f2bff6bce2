#pragma once

// Multi-source BFS with bit-parallel frontiers: up to 64 searches share one traversal, each source
// a bit ("lane") of a 64-bit word per node (Then et al., "The More the Merrier", VLDB 2015). A level
// either pushes from the frontier along the run's arcs or, when the frontier's arcs outnumber a
// quarter of the arcs into the nodes some lane has not reached yet, pulls into those nodes from
// their predecessors (Beamer's direction optimization). Hop counts only: the caller scales them by
// a uniform arc length.

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <span>
#include <vector>

#include "smorg/graph/subgraph.h"

#include "sssp.h"

namespace smorg::engine::detail {

inline constexpr std::size_t kBfsLanes = 64;

// Per-lane counts of the nodes first reached at one level.
using LaneCounts = std::array<std::uint64_t, kBfsLanes>;

struct MultiBfsWorkspace {
    std::vector<std::uint64_t> seen;            // lanes that have reached the node
    std::vector<std::uint64_t> frontier;        // lanes that reached it at the current level
    std::vector<std::uint64_t> next;            // lanes that reach it at the next level
    std::vector<graph::NodeIndex> active;       // nodes with a non-zero frontier word
    std::vector<graph::NodeIndex> next_active;  // nodes with a non-zero next word

    explicit MultiBfsWorkspace(graph::NodeIndex n) : seen(n, 0), frontier(n, 0), next(n, 0) {
        active.reserve(n);
        next_active.reserve(n);
    }
    static std::size_t bytes_per_node() { return 3 * sizeof(std::uint64_t) + 2 * sizeof(graph::NodeIndex); }
};

// Runs one BFS per source (at most kBfsLanes of them) over `nodes` (the view's nodes) along the
// arcs in `mode`'s direction, and calls on_level(d, counts) for each level d >= 1 with how many
// nodes each lane reached first at hop distance d. Leaves the workspace clean for the next call.
template <typename OnLevel>
void multi_bfs(const graph::Subgraph& g, std::span<const graph::NodeIndex> nodes, std::span<const graph::NodeIndex> sources,
               const SsspMode& mode, MultiBfsWorkspace& ws, OnLevel&& on_level) {
    const std::size_t lanes = sources.size();
    if (lanes == 0) return;
    const std::uint64_t full = lanes == kBfsLanes ? ~std::uint64_t{0} : (std::uint64_t{1} << lanes) - 1;
    auto* seen = ws.seen.data();
    auto* frontier = ws.frontier.data();
    auto* next = ws.next.data();
    ws.active.clear();
    ws.next_active.clear();
    for (std::size_t lane = 0; lane < lanes; ++lane) {
        const auto s = sources[lane];
        if (frontier[s] == 0) ws.active.push_back(s);
        frontier[s] |= std::uint64_t{1} << lane;
        seen[s] |= std::uint64_t{1} << lane;
    }
    // Arcs into the nodes that some lane has not reached: what a pull level may read.
    auto pull_degree = [&](graph::NodeIndex v) { return prev_nodes(g, v, mode).size(); };
    std::uint64_t unfinished_arcs = 0;
    for (auto v : nodes) unfinished_arcs += pull_degree(v);
    for (auto s : ws.active) {
        if (seen[s] == full) unfinished_arcs -= pull_degree(s);
    }
    LaneCounts counts{};
    for (std::uint32_t d = 1; !ws.active.empty(); ++d) {
        std::uint64_t frontier_arcs = 0;
        for (auto u : ws.active) frontier_arcs += next_nodes(g, u, mode).size();
        if (frontier_arcs * 4 <= unfinished_arcs) {
            for (auto u : ws.active) {
                const std::uint64_t bits = frontier[u];
                for (auto v : next_nodes(g, u, mode)) {
                    const std::uint64_t fresh = bits & ~seen[v];
                    if (fresh == 0) continue;
                    if (next[v] == 0) ws.next_active.push_back(v);
                    next[v] |= fresh;
                    seen[v] |= fresh;
                }
            }
        } else {
            for (auto v : nodes) {
                const std::uint64_t missing = full & ~seen[v];
                if (missing == 0) continue;
                std::uint64_t fresh = 0;
                for (auto u : prev_nodes(g, v, mode)) {
                    fresh |= frontier[u] & missing;
                    if (fresh == missing) break;
                }
                if (fresh == 0) continue;
                ws.next_active.push_back(v);
                next[v] = fresh;
                seen[v] |= fresh;
            }
        }
        counts.fill(0);
        for (auto v : ws.next_active) {
            for (std::uint64_t bits = next[v]; bits != 0; bits &= bits - 1)
                ++counts[static_cast<std::size_t>(std::countr_zero(bits))];
            if (seen[v] == full) unfinished_arcs -= pull_degree(v);
        }
        if (!ws.next_active.empty()) on_level(d, counts);
        for (auto u : ws.active) frontier[u] = 0;
        std::swap(ws.frontier, ws.next);
        std::swap(ws.active, ws.next_active);
        frontier = ws.frontier.data();
        next = ws.next.data();
        ws.next_active.clear();
    }
    // Every node a lane reached was on some level's list; the lists are gone, so clear by the view.
    for (auto v : nodes) seen[v] = 0;
}

}  // namespace smorg::engine::detail
