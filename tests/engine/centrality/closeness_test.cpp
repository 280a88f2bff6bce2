#include "smorg/engine/centrality/closeness.h"

#include <limits>

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

TEST_CASE("closeness is the same at 1 and 2 threads, sampled or not", "[engine][closeness][determinism]") {
    const auto g = testing::random_graph(300, 0.02, 8, true);
    auto run_with = [&](int threads, bool sampled) {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
        ClosenessParams p;
        if (sampled) p.samples = 50;
        RunContext run;
        return engine::closeness(g, p, run).score;
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
