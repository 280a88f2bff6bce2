#include "smorg/engine/centrality/spectral.h"

#include <cmath>

#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include "support/fixtures.h"

using namespace smorg;
using engine::RunContext;

TEST_CASE("eigenvector centrality of an undirected star peaks at the hub", "[engine][eigenvector]") {
    //  leaves 1..4 around hub 0: the principal eigenvector is (2, 1, 1, 1, 1) / sqrt(8)
    const auto g = testing::graph_from_edges(5, {{0, 1}, {0, 2}, {0, 3}, {0, 4}});
    engine::EigenvectorParams p;
    p.subgraph.directed = false;
    p.tolerance = 1e-12;
    p.max_iterations = 1000;
    RunContext run;
    const auto r = engine::eigenvector(g, p, run);
    REQUIRE(r.converged);
    CHECK(r.score[0] == Approx(2 / std::sqrt(8.0)).epsilon(1e-6));
    CHECK(r.score[3] == Approx(1 / std::sqrt(8.0)).epsilon(1e-6));
}

TEST_CASE("katz centrality solves x = alpha A^T x + beta", "[engine][katz]") {
    //  0 -> 1 -> 2 : x0 = b, x1 = a b + b, x2 = a (a b + b) + b
    const auto g = testing::graph_from_edges(3, {{0, 1}, {1, 2}});
    engine::KatzParams p;
    p.alpha = 0.5;
    p.normalized = false;
    p.tolerance = 1e-14;
    RunContext run;
    const auto r = engine::katz(g, p, run);
    REQUIRE(r.converged);
    CHECK(r.score[0] == Approx(1.0));
    CHECK(r.score[1] == Approx(1.5));
    CHECK(r.score[2] == Approx(1.75));
}

TEST_CASE("katz reports divergence instead of a wrong answer", "[engine][katz]") {
    //  a 2-cycle has largest eigenvalue 1: alpha 1.5 diverges
    const auto g = testing::graph_from_edges(2, {{0, 1}, {1, 0}});
    engine::KatzParams p;
    p.alpha = 1.5;
    p.max_iterations = 200;
    RunContext run;
    const auto r = engine::katz(g, p, run);
    CHECK_FALSE(r.converged);
    CHECK(r.diverged);
    REQUIRE(r.largest_eigenvalue);
    CHECK(*r.largest_eigenvalue == Approx(1.0).epsilon(1e-6));
    for (double s : r.score) CHECK(s == 0);
}

TEST_CASE("katz without alpha takes networkx's 0.1 where it converges", "[engine][katz]") {
    RunContext run;
    engine::KatzParams p;
    SECTION("the directed 3-cycle plus a chord: lambda_max is the real root of x^3 = x + 1") {
        const auto g = testing::graph_from_edges(3, {{0, 1}, {1, 2}, {2, 0}, {0, 2}});
        const auto r = engine::katz(g, p, run);
        REQUIRE(r.largest_eigenvalue);
        CHECK(*r.largest_eigenvalue == Approx(1.324717957).epsilon(1e-6));
        CHECK(r.alpha == 0.1);
        CHECK(r.converged);
    }
    SECTION("a graph without cycles (lambda_max 0, which power iteration only approaches)") {
        const auto g = testing::graph_from_edges(4, {{0, 1}, {1, 2}, {0, 2}, {2, 3}});
        const auto r = engine::katz(g, p, run);
        CHECK(r.alpha == 0.1);
        CHECK(r.converged);
        CHECK_FALSE(r.diverged);
    }
}

TEST_CASE("katz without alpha chooses 0.9 / lambda_max where 0.1 would diverge", "[engine][katz]") {
    // The complete directed graph on 12 nodes: lambda_max = 11, so 0.1 >= 1 / 11 would diverge.
    std::vector<testing::TestEdge> arcs;
    for (graph::NodeIndex u = 0; u < 12; ++u) {
        for (graph::NodeIndex v = 0; v < 12; ++v) {
            if (u != v) arcs.push_back({u, v});
        }
    }
    const auto g = testing::graph_from_edges(12, arcs);
    engine::KatzParams p;
    RunContext run;
    const auto r = engine::katz(g, p, run);
    REQUIRE(r.largest_eigenvalue);
    CHECK(*r.largest_eigenvalue == Approx(11).epsilon(1e-6));
    CHECK(r.alpha == Approx(0.9 / 11).epsilon(1e-6));
    CHECK(r.converged);
    CHECK_FALSE(r.diverged);
    p.alpha = 0.1;  // given: used as it is, and the run diverges
    const auto given = engine::katz(g, p, run);
    CHECK(given.diverged);
}

TEST_CASE("eigenvector and katz are the same at 1 and 2 threads", "[engine][eigenvector][determinism]") {
    const auto g = testing::random_graph(2000, 0.004, 17, true);
    auto run_with = [&](int threads) {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
        RunContext run;
        engine::EigenvectorParams e;
        e.subgraph.directed = false;
        engine::KatzParams k;
        k.alpha = 0.01;
        auto a = engine::eigenvector(g, e, run).score;
        const auto b = engine::katz(g, k, run).score;
        a.insert(a.end(), b.begin(), b.end());
        return a;
    };
    CHECK(run_with(1) == run_with(2));
}

TEST_CASE("katz normalizes the last iterate when max_iterations runs out first", "[engine][katz]") {
    const auto g = testing::graph_from_edges(3, {{0, 1}, {1, 2}, {2, 0}});
    engine::KatzParams p;
    p.alpha = 0.5;
    p.max_iterations = 2;
    RunContext run;
    const auto r = engine::katz(g, p, run);
    CHECK_FALSE(r.converged);
    CHECK_FALSE(r.diverged);
    double norm2 = 0;
    for (auto x : r.score) norm2 += x * x;
    CHECK(norm2 == Approx(1.0));
}
