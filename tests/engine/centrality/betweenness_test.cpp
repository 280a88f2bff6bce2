#include "smorg/engine/centrality/betweenness.h"

#include <cmath>
#include <limits>
#include <queue>

#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include "support/fixtures.h"

using namespace smorg;
using engine::BetweennessParams;
using engine::RunContext;
using graph::NodeIndex;

namespace {

// Serial reference: all-pairs shortest distances by Floyd-Warshall, path counts by a pass in distance
// order, then for every ordered pair (s, t) the share of s-t shortest paths through each v. O(n^3):
// small graphs only. Weighted, the weight is the length (integer weights keep every sum exact).
std::vector<double> brute_force(const graph::Snapshot& g, const graph::SubgraphSpec& spec,
                                const std::vector<std::uint32_t>& groups = {}) {
    const auto view = graph::Subgraph::of(g, spec);
    const NodeIndex n = view.node_count();
    constexpr double kInf = std::numeric_limits<double>::infinity();
    std::vector<std::vector<double>> d(n, std::vector<double>(n, kInf));
    std::vector<std::vector<double>> c(n, std::vector<double>(n, 0));
    for (NodeIndex u = 0; u < n; ++u) {
        d[u][u] = 0;
        c[u][u] = 1;
        const auto targets = view.out_neighbors(u);
        const auto weights = view.out_weights(u);
        for (std::size_t k = 0; k < targets.size(); ++k) {
            if (targets[k] == u) continue;
            d[u][targets[k]] = spec.weighted ? weights[k] : 1.0;
            c[u][targets[k]] = 1;
        }
    }
    // Path counts need exact comparisons: recompute counts from distances by DP over distance order.
    for (NodeIndex k = 0; k < n; ++k) {
        for (NodeIndex i = 0; i < n; ++i) {
            for (NodeIndex j = 0; j < n; ++j) d[i][j] = std::min(d[i][j], d[i][k] + d[k][j]);
        }
    }
    // sigma[s][t] over arcs that lie on shortest paths, in order of distance from s.
    std::vector<std::vector<double>> sigma(n, std::vector<double>(n, 0));
    for (NodeIndex s = 0; s < n; ++s) {
        std::vector<NodeIndex> order;
        for (NodeIndex t = 0; t < n; ++t) {
            if (d[s][t] < kInf) order.push_back(t);
        }
        std::sort(order.begin(), order.end(), [&](NodeIndex a, NodeIndex b) { return d[s][a] < d[s][b]; });
        sigma[s][s] = 1;
        for (auto t : order) {
            if (t == s) continue;
            const auto preds = view.in_neighbors(t);
            const auto weights = view.in_weights(t);
            for (std::size_t k = 0; k < preds.size(); ++k) {
                const double len = spec.weighted ? weights[k] : 1.0;
                if (preds[k] != t && d[s][preds[k]] + len <= d[s][t] + 1e-12 && d[s][preds[k]] + len >= d[s][t] - 1e-12) {
                    sigma[s][t] += sigma[s][preds[k]];
                }
            }
        }
    }
    std::vector<double> b(n, 0);
    for (NodeIndex s = 0; s < n; ++s) {
        for (NodeIndex t = 0; t < n; ++t) {
            if (s == t || d[s][t] == kInf) continue;
            if (!groups.empty() && groups[s] == groups[t]) continue;
            for (NodeIndex v = 0; v < n; ++v) {
                if (v == s || v == t) continue;
                if (std::abs(d[s][v] + d[v][t] - d[s][t]) < 1e-12) b[v] += sigma[s][v] * sigma[v][t] / sigma[s][t];
            }
        }
    }
    return b;
}

}  // namespace

TEST_CASE("betweenness of a path counts the pairs routed through each node", "[engine][betweenness]") {
    //  0 -> 1 -> 2 -> 3     node 1 lies on (0,2), (0,3); node 2 on (0,3), (1,3)
    const auto g = testing::graph_from_edges(4, {{0, 1}, {1, 2}, {2, 3}});
    BetweennessParams p;
    p.normalized = false;
    RunContext run;
    CHECK(engine::betweenness(g, p, run).score == std::vector<double>{0, 2, 2, 0});
    p.normalized = true;  // / ((n-1)(n-2)) = 6
    const auto normalized = engine::betweenness(g, p, run).score;
    CHECK(normalized[1] == Approx(2.0 / 6));
    p.subgraph.directed = false;
    p.normalized = false;  // undirected raw: each pair once
    CHECK(engine::betweenness(g, p, run).score == std::vector<double>{0, 2, 2, 0});
    p.endpoints = true;  // ends count too: node 0 ends 3 pairs
    CHECK(engine::betweenness(g, p, run).score == std::vector<double>{3, 5, 5, 3});
}

TEST_CASE("strong ties are short: weighted betweenness follows them", "[engine][betweenness]") {
    //  0 -1-> 1 -1-> 3       two ways from 0 to 3; the route over 2 has strong ties (weight 4,
    //  0 -4-> 2 -4-> 3       length 1/4 each), so it carries the only shortest path
    const auto g = testing::graph_from_edges(4, {{0, 1, 1}, {1, 3, 1}, {0, 2, 4}, {2, 3, 4}});
    BetweennessParams p;
    p.normalized = false;
    RunContext run;
    auto r = engine::betweenness(g, p, run);
    CHECK(r.score[2] == 1.0);
    CHECK(r.score[1] == 0.0);
    p.subgraph.weighted = false;
    r = engine::betweenness(g, p, run);
    CHECK(r.score[1] == 0.5);
    CHECK(r.score[2] == 0.5);
    p.subgraph.weighted = true;
    p.weight_as = graph::WeightAs::length;  // now the weight-4 route is long
    r = engine::betweenness(g, p, run);
    CHECK(r.score[1] == 1.0);
    CHECK(r.score[2] == 0.0);
}

TEST_CASE("exact betweenness equals a brute-force count on random graphs", "[engine][betweenness]") {
    const auto seed = GENERATE(1u, 2u, 3u);
    const bool weighted = GENERATE(false, true);
    const bool directed = GENERATE(false, true);
    const auto g = testing::random_graph(40, 0.08, seed, true);
    BetweennessParams p;
    p.normalized = false;
    p.subgraph.weighted = weighted;
    p.subgraph.directed = directed;
    p.weight_as = graph::WeightAs::length;
    RunContext run;
    const auto r = engine::betweenness(g, p, run);
    auto expected = brute_force(g, p.subgraph);
    for (NodeIndex v = 0; v < g.node_count(); ++v) {
        if (!directed) expected[v] /= 2;
        CHECK(r.score[v] == Approx(expected[v]).epsilon(1e-9).margin(1e-12));
    }
}

TEST_CASE("cross-group betweenness counts only pairs in different groups", "[engine][betweenness]") {
    const auto seed = GENERATE(4u, 5u);
    const auto g = testing::random_graph(36, 0.1, seed, true);
    std::vector<std::uint32_t> groups(g.node_count());
    for (NodeIndex u = 0; u < g.node_count(); ++u) groups[u] = u % 3;
    BetweennessParams p;
    p.normalized = false;
    p.weight_as = graph::WeightAs::length;
    p.groups = groups;
    RunContext run;
    const auto r = engine::betweenness(g, p, run);
    const auto expected = brute_force(g, p.subgraph, groups);
    for (NodeIndex v = 0; v < g.node_count(); ++v) CHECK(r.score[v] == Approx(expected[v]).epsilon(1e-9).margin(1e-12));
}

TEST_CASE("betweenness gives the same bits at 1 and 2 threads", "[engine][betweenness][determinism]") {
    const auto g = testing::random_graph(300, 0.02, 9, true);
    auto run_with = [&](int threads, bool sampled) {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
        BetweennessParams p;
        if (sampled) p.epsilon = 0.05;
        p.seed = 3;
        RunContext run;
        return engine::betweenness(g, p, run).score;
    };
    CHECK(run_with(1, false) == run_with(2, false));
    CHECK(run_with(1, true) == run_with(2, true));
}

TEST_CASE("sampled betweenness stays within its bound and reports it", "[engine][betweenness]") {
    const auto g = testing::random_graph(3000, 5.0 / 3000, 12, false);
    BetweennessParams p;
    p.subgraph.directed = false;
    p.subgraph.weighted = false;
    RunContext run;
    const auto exact = engine::betweenness(g, p, run);
    p.epsilon = 0.04;
    p.delta = 0.1;
    const auto approx = engine::betweenness(g, p, run);
    REQUIRE(approx.sampled);
    CHECK(approx.samples > 1000);
    CHECK(approx.error_bound > 0);
    std::size_t within = 0;
    for (auto v : exact.nodes) within += std::abs(approx.score[v] - exact.score[v]) <= approx.error_bound ? 1u : 0u;
    CHECK(within >= static_cast<std::size_t>(0.9 * static_cast<double>(exact.nodes.size())));
}

TEST_CASE("an epsilon that asks for more samples than nodes gives the exact answer", "[engine][betweenness]") {
    // The bound for epsilon 1e-10 is about 10^20 samples: the exact computation is far cheaper, and
    // is what comes back (no overflowed sample count, no empty scores).
    const auto g = testing::random_graph(200, 0.03, 5, false);
    BetweennessParams p;
    RunContext run;
    const auto exact = engine::betweenness(g, p, run);
    p.epsilon = 1e-10;
    const auto r = engine::betweenness(g, p, run);
    CHECK_FALSE(r.sampled);
    CHECK(r.exact_instead);
    CHECK(r.score == exact.score);
}

TEST_CASE("betweenness explains its top nodes with the pairs routed through them", "[engine][betweenness]") {
    //  a star: every path between two leaves runs through the hub 0
    const auto g = testing::graph_from_edges(5, {{1, 0}, {0, 1}, {2, 0}, {0, 2}, {3, 0}, {0, 3}, {4, 0}, {0, 4}});
    BetweennessParams p;
    p.explain = 1;
    RunContext run;
    const auto r = engine::betweenness(g, p, run);
    REQUIRE(r.explanations.size() == 1);
    CHECK(r.explanations[0].first == 0);
    const auto& reasons = r.explanations[0].second;
    REQUIRE(reasons.size() == 3);
    double share = 0;
    for (const auto& reason : reasons) {
        share += reason.share;
        REQUIRE(reason.path.size() == 3);
        CHECK(reason.path[1] == 0);
        CHECK(reason.path.front() == reason.source);
        CHECK(reason.path.back() == reason.target);
    }
    CHECK(share == Approx(0.75));  // three of the four sources, each a quarter of the hub's score
}

TEST_CASE("betweenness refuses bad parameters with the field", "[engine][betweenness]") {
    const auto g = testing::graph_from_edges(3, {{0, 1}});
    RunContext run;
    auto field_of = [&](const BetweennessParams& p) {
        try {
            (void)engine::betweenness(g, p, run);
        } catch (const engine::ParamError& e) {
            return e.field();
        }
        return std::string("none");
    };
    BetweennessParams p;
    p.epsilon = 1.5;
    CHECK(field_of(p) == "epsilon");
    p.epsilon = 0.1;
    p.delta = 0;
    CHECK(field_of(p) == "delta");
    p = {};
    p.groups = {1, 2};
    CHECK(field_of(p) == "groups");
}

TEST_CASE("source pivots estimate betweenness, and all pivots give the exact answer", "[engine][betweenness]") {
    const auto g = testing::random_graph(200, 0.03, 31, false);
    BetweennessParams p;
    p.subgraph.directed = false;
    RunContext run;
    const auto exact = engine::betweenness(g, p, run);
    p.pivots = 200;
    CHECK(engine::betweenness(g, p, run).score == exact.score);
    p.pivots = 100;
    const auto half = engine::betweenness(g, p, run);
    CHECK(half.sampled);
    CHECK(half.samples == 100);
    double error = 0, total = 0;
    for (auto v : exact.nodes) {
        error += std::abs(half.score[v] - exact.score[v]);
        total += exact.score[v];
    }
    CHECK(error / total < 0.25);
    p.epsilon = 0.1;
    CHECK_THROWS_AS(engine::betweenness(g, p, run), engine::ParamError);
}

TEST_CASE("betweenness over ties that all weigh the same searches by BFS", "[engine][betweenness]") {
    // Every stored weight 1 (wiki-Vote's case): the weighted default costs what the unweighted run
    // does, and gives its scores; so does a view whose ties all weigh 3.
    const auto g = testing::random_graph(300, 0.02, 5);
    BetweennessParams weighted, unweighted;
    unweighted.subgraph.weighted = false;
    CHECK(engine::estimate(g, weighted).work == engine::estimate(g, unweighted).work);
    RunContext run;
    const auto a = engine::betweenness(g, weighted, run).score;
    const auto b = engine::betweenness(g, unweighted, run).score;
    CHECK(a == b);

    std::vector<testing::TestEdge> heavy;
    for (NodeIndex u = 0; u < g.node_count(); ++u) {
        for (auto e = g.out_begin(u); e < g.out_end(u); ++e) heavy.push_back({u, g.target(e), 3.0});
    }
    const auto h = testing::graph_from_edges(g.node_count(), heavy);
    const auto c = engine::betweenness(h, weighted, run).score;
    REQUIRE(c.size() == a.size());
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(c[i] == Approx(a[i]).epsilon(1e-12));
}
