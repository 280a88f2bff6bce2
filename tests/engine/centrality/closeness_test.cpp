#include "smorg/engine/centrality/closeness.h"

#include <cstdint>
#include <deque>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include "support/fixtures.h"

using namespace smorg;
using engine::ClosenessParams;
using engine::RunContext;
using graph::NodeIndex;

TEST_CASE("closeness and harmonic of a small directed graph, computed by hand", "[engine][closeness]") {
    //  0 -> 1 -> 2      3 -> 2       distances to 2: from 1 (1), 0 (2), 3 (1)
    const auto g = testing::graph_from_edges(4, {{0, 1}, {1, 2}, {3, 2}});
    ClosenessParams p;
    p.subgraph.weighted = false;
    RunContext run;
    const auto c = engine::closeness(g, p, run);
    // node 2: r - 1 = 3 nodes reach it, sum of distances 4, n - 1 = 3: (3/3) * (3/4)
    CHECK(c.score[2] == Approx(0.75));
    // node 1: reached by 0 only: (1/3) * (1/1)
    CHECK(c.score[1] == Approx(1.0 / 3));
    CHECK(c.score[0] == 0.0);
    const auto h = engine::harmonic(g, p, run);
    CHECK(h.score[2] == Approx(1 + 0.5 + 1));
    CHECK(h.score[0] == 0.0);
    p.direction = engine::Direction::out;  // distances from the node: 0 reaches 1 (1) and 2 (2)
    CHECK(engine::harmonic(g, p, run).score[0] == Approx(1.5));
    p.normalized = true;
    CHECK(engine::harmonic(g, p, run).score[0] == Approx(0.5));
}

TEST_CASE("closeness takes strong ties as short", "[engine][closeness]") {
    //  0 -4-> 1 : length 1/4
    const auto g = testing::graph_from_edges(2, {{0, 1, 4}});
    ClosenessParams p;
    RunContext run;
    CHECK(engine::closeness(g, p, run).score[1] == Approx(4.0));
    p.weight_as = graph::WeightAs::length;
    CHECK(engine::closeness(g, p, run).score[1] == Approx(0.25));
}

TEST_CASE("sampled harmonic centrality estimates the exact one", "[engine][closeness]") {
    const auto g = testing::random_graph(400, 0.02, 21, false);
    ClosenessParams p;
    p.subgraph.directed = false;
    RunContext run;
    const auto exact = engine::harmonic(g, p, run);
    p.samples = 200;
    const auto approx = engine::harmonic(g, p, run);
    REQUIRE(approx.sampled);
    CHECK(approx.samples == 200);
    double error = 0, total = 0;
    for (auto u : exact.nodes) {
        error += std::abs(approx.score[u] - exact.score[u]);
        total += exact.score[u];
    }
    CHECK(error / total < 0.05);
}

namespace {

// Closeness and harmonic by one plain BFS per node over the given arcs: the reference for the
// 64-source bit-parallel traversals smorg runs when every arc has the same length.
struct Reference {
    std::vector<double> closeness, harmonic;
};

Reference bfs_reference(NodeIndex n, const std::vector<testing::TestEdge>& edges, bool directed, bool incoming,
                        double hop_length) {
    std::vector<std::vector<NodeIndex>> next(n);
    for (const auto& e : edges) {
        if (!directed || !incoming) next[e.source].push_back(e.target);
        if (!directed || incoming) next[e.target].push_back(e.source);
    }
    Reference r{std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)};
    for (NodeIndex u = 0; u < n; ++u) {
        std::vector<std::int64_t> hops(n, -1);
        std::deque<NodeIndex> queue{u};
        hops[u] = 0;
        double total = 0, reached = 0;
        while (!queue.empty()) {
            const auto v = queue.front();
            queue.pop_front();
            for (auto w : next[v]) {
                if (hops[w] >= 0) continue;
                hops[w] = hops[v] + 1;
                queue.push_back(w);
                total += static_cast<double>(hops[w]) * hop_length;
                reached += 1;
                r.harmonic[u] += 1.0 / (static_cast<double>(hops[w]) * hop_length);
            }
        }
        r.closeness[u] = total > 0 ? (reached / (n - 1)) * (reached / total) : 0.0;
    }
    return r;
}

}  // namespace

TEST_CASE("closeness over one arc length equals a plain BFS per node, across 64-source batches", "[engine][closeness]") {
    // 200 nodes (three full batches of 64 and a partial one), sparse enough for long paths and
    // unreached pairs, dense in one corner so some levels pull.
    const NodeIndex n = 200;
    // One arc per pair at most: an undirected view sums the weights of a pair's arcs.
    std::mt19937_64 rng(5);
    std::vector<testing::TestEdge> edges;
    std::vector<std::vector<bool>> tied(n, std::vector<bool>(n, false));
    auto tie = [&](NodeIndex u, NodeIndex v) {
        if (u == v || tied[u][v]) return;
        tied[u][v] = tied[v][u] = true;
        edges.push_back({u, v, 2.0});
    };
    for (NodeIndex u = 0; u + 10 < n; ++u) tie(u, static_cast<NodeIndex>(rng() % n));
    for (NodeIndex u = 0; u < 30; ++u) {
        for (NodeIndex v = 0; v < 30; ++v) {
            if (rng() % 3 == 0) tie(u, v);
        }
    }
    const auto g = testing::graph_from_edges(n, edges);
    const bool directed = GENERATE(true, false);
    const bool incoming = GENERATE(true, false);
    const bool weighted = GENERATE(true, false);
    const auto as = GENERATE(graph::WeightAs::strength, graph::WeightAs::length);
    const double hop_length = !weighted ? 1.0 : as == graph::WeightAs::length ? 2.0 : 0.5;
    const auto expected = bfs_reference(n, edges, directed, incoming, hop_length);
    ClosenessParams p;
    p.subgraph.directed = directed;
    p.subgraph.weighted = weighted;
    p.weight_as = as;
    p.direction = incoming ? engine::Direction::in : engine::Direction::out;
    RunContext run;
    const auto c = engine::closeness(g, p, run);
    const auto h = engine::harmonic(g, p, run);
    for (NodeIndex u = 0; u < n; ++u) {
        INFO("node " << u << " directed " << directed << " in " << incoming << " weighted " << weighted);
        CHECK(c.score[u] == Approx(expected.closeness[u]).epsilon(1e-12));
        CHECK(h.score[u] == Approx(expected.harmonic[u]).epsilon(1e-12));
    }
}

TEST_CASE("closeness is the same at 1 and 2 threads, sampled or not", "[engine][closeness][determinism]") {
    const auto g = testing::random_graph(300, 0.02, 8, true);
    const bool weighted = GENERATE(true, false);  // Dijkstra, or 64-source BFS over hops
    auto run_with = [&](int threads, bool sampled) {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
        ClosenessParams p;
        p.subgraph.weighted = weighted;
        if (sampled) p.samples = 50;
        RunContext run;
        return std::make_pair(engine::closeness(g, p, run).score, engine::harmonic(g, p, run).score);
    };
    CHECK(run_with(1, false) == run_with(2, false));
    CHECK(run_with(1, true) == run_with(2, true));
}

TEST_CASE("closeness refuses direction total", "[engine][closeness]") {
    const auto g = testing::graph_from_edges(2, {{0, 1}});
    ClosenessParams p;
    p.direction = engine::Direction::total;
    RunContext run;
    try {
        (void)engine::closeness(g, p, run);
        FAIL("expected a ParamError");
    } catch (const engine::ParamError& e) {
        CHECK(e.field() == "direction");
    }
}

TEST_CASE("closeness and harmonic refuse the other measure's option", "[engine][closeness]") {
    // One params struct serves both entries: each refuses the field only the other reads.
    const auto g = testing::graph_from_edges(2, {{0, 1}});
    RunContext run;
    ClosenessParams p;
    p.normalized = true;
    CHECK_THROWS_AS(engine::closeness(g, p, run), engine::ParamError);
    CHECK(engine::harmonic(g, p, run).score.size() == 2);
    p = {};
    p.wf_improved = false;
    CHECK_THROWS_AS(engine::harmonic(g, p, run), engine::ParamError);
    CHECK(engine::closeness(g, p, run).score.size() == 2);
}
