#include "smorg/engine/centrality/pagerank.h"

#include <cmath>
#include <numeric>

#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include "support/fixtures.h"

using namespace smorg;
using engine::PageRankParams;
using engine::RunContext;
using graph::NodeIndex;

namespace {

// Serial reference: the textbook power iteration with networkx's dangling rule.
std::vector<double> reference_pagerank(const graph::Snapshot& g, double d, int iterations) {
    const NodeIndex n = g.node_count();
    std::vector<double> x(n, 1.0 / n);
    std::vector<double> strength(n, 0.0);
    for (NodeIndex u = 0; u < n; ++u) {
        for (auto e = g.out_begin(u); e < g.out_end(u); ++e) strength[u] += g.weight(e);
    }
    for (int it = 0; it < iterations; ++it) {
        double dangling = 0;
        for (NodeIndex u = 0; u < n; ++u) dangling += strength[u] == 0 ? x[u] : 0;
        std::vector<double> next(n, (d * dangling + 1 - d) / n);
        for (NodeIndex u = 0; u < n; ++u) {
            for (auto e = g.out_begin(u); e < g.out_end(u); ++e) {
                next[g.target(e)] += d * x[u] * g.weight(e) / strength[u];
            }
        }
        x = next;
    }
    return x;
}

}  // namespace

TEST_CASE("pagerank ranks the hub of a star first", "[engine][pagerank]") {
    //   1   2
    //    \ /
    //     0 --- 3     every leaf points at the hub
    const auto g = testing::graph_from_edges(4, {{1, 0}, {2, 0}, {3, 0}});
    RunContext run;
    const auto r = engine::pagerank(g, PageRankParams{}, run);
    REQUIRE(r.converged);
    CHECK(r.score[0] > r.score[1]);
    CHECK_THAT(r.score[1], Catch::Matchers::WithinRel(r.score[3], 1e-12));
    CHECK(std::accumulate(r.score.begin(), r.score.end(), 0.0) == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("pagerank equals a serial reference on random weighted graphs", "[engine][pagerank]") {
    const auto seed = GENERATE(1u, 2u, 3u);
    const auto g = testing::random_graph(200, 0.02, seed, true);
    PageRankParams p;
    p.tolerance = 1e-17;
    p.max_iterations = 400;
    RunContext run;
    const auto r = engine::pagerank(g, p, run);
    const auto expected = reference_pagerank(g, p.damping, r.iterations);
    for (NodeIndex u = 0; u < g.node_count(); ++u) CHECK(r.score[u] == Approx(expected[u]).epsilon(1e-10));
}

TEST_CASE("personalized pagerank teleports only to the sources", "[engine][pagerank]") {
    //  0 -> 1 -> 2      3 isolated: it gets nothing unless it is a source
    const auto g = testing::graph_from_edges(4, {{0, 1}, {1, 2}});
    PageRankParams p;
    p.sources = {{0, 1.0}};
    RunContext run;
    const auto r = engine::pagerank(g, p, run);
    CHECK(r.score[3] == 0.0);
    CHECK(r.score[0] > 0);
    p.sources = {{0, 1.0}, {3, 3.0}};
    const auto r2 = engine::pagerank(g, p, run);
    CHECK(r2.score[3] > r2.score[0]);
}

TEST_CASE("pagerank refuses bad parameters with the field", "[engine][pagerank]") {
    const auto g = testing::graph_from_edges(2, {{0, 1}});
    RunContext run;
    auto field_of = [&](const PageRankParams& p) {
        try {
            (void)engine::pagerank(g, p, run);
        } catch (const engine::ParamError& e) {
            return e.field();
        }
        return std::string("none");
    };
    PageRankParams p;
    p.damping = 1.0;
    CHECK(field_of(p) == "damping");
    p = {};
    p.tolerance = 0;
    CHECK(field_of(p) == "tolerance");
    p = {};
    p.max_iterations = 0;
    CHECK(field_of(p) == "max_iterations");
    p = {};
    p.sources = {{0, 0.0}, {1, -1.0}};
    CHECK(field_of(p) == "sources/1");
}

TEST_CASE("pagerank gives the same bits at 1 and 2 threads", "[engine][pagerank][determinism]") {
    const auto g = testing::random_graph(3000, 0.003, 11, true);
    auto run_with = [&](int threads) {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
        RunContext run;
        PageRankParams p;
        p.tolerance = 1e-12;
        return engine::pagerank(g, p, run).score;
    };
    CHECK(run_with(1) == run_with(2));
}

TEST_CASE("a cancelled pagerank throws and reports progress before", "[engine][pagerank]") {
    const auto g = testing::random_graph(300, 0.02, 5);
    int reports = 0;
    RunContext run([&](std::string_view phase, double done) {
        CHECK(phase == "pagerank");
        CHECK(done > 0);
        if (++reports == 3) run.cancel();
    });
    PageRankParams p;
    p.tolerance = 1e-300;
    CHECK_THROWS_AS(engine::pagerank(g, p, run), engine::Cancelled);
    CHECK(reports == 3);
}
