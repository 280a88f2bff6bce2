#include "smorg/engine/paths/shortest_path.h"

#include <catch2/catch.hpp>

#include "support/fixtures.h"

using namespace smorg;
using engine::RunContext;
using engine::ShortestPathParams;
using graph::NodeIndex;

namespace {
engine::ShortestPathResult path(const graph::Snapshot& g, ShortestPathParams p, NodeIndex s, NodeIndex t) {
    p.source = s;
    p.target = t;
    RunContext run;
    return engine::shortest_path(g, p, run);
}
}  // namespace

TEST_CASE("shortest paths by hops and by weight, computed by hand", "[engine][path]") {
    //  0 -1- 1 -1- 3        hops: 0 1 3 (2 steps)
    //  0 -4- 2 -4- 3        strength (1 / weight): 0 2 3 is 1/4 + 1/4 = 0.5, shorter than 1 + 1
    //  4 alone with 5
    const auto g = testing::graph_from_edges(6, {{0, 1, 1}, {1, 3, 1}, {0, 2, 4}, {2, 3, 4}, {4, 5, 1}});
    ShortestPathParams p;
    p.subgraph.weighted = false;
    auto r = path(g, p, 0, 3);
    REQUIRE(r.found);
    CHECK(r.length == 2);
    // Equally short: the step back from 3 takes the predecessor settled first (1, found before 2).
    CHECK(r.nodes == std::vector<NodeIndex>{0, 1, 3});

    p.subgraph.weighted = true;
    r = path(g, p, 0, 3);
    REQUIRE(r.found);
    CHECK(r.length == Approx(0.5));
    CHECK(r.nodes == std::vector<NodeIndex>{0, 2, 3});

    p.weight_as = graph::WeightAs::length;
    r = path(g, p, 0, 3);
    CHECK(r.length == Approx(2));
    CHECK(r.nodes == std::vector<NodeIndex>{0, 1, 3});

    // Undirected by default: 3 reaches 0 against the arcs; directed, it cannot.
    CHECK(path(g, p, 3, 0).found);
    p.subgraph.directed = true;
    CHECK_FALSE(path(g, p, 3, 0).found);
    CHECK(path(g, p, 3, 0).nodes.empty());

    r = path(g, p, 0, 0);
    CHECK(r.found);
    CHECK(r.nodes == std::vector<NodeIndex>{0});
    CHECK_FALSE(path(g, p, 0, 5).found);
}

TEST_CASE("shortest path refuses what it cannot honour", "[engine][path]") {
    const auto g = testing::graph_from_edges(3, {{0, 1}});
    ShortestPathParams p;
    RunContext run;
    p.source = 0;
    p.target = 7;
    CHECK_THROWS_AS(engine::shortest_path(g, p, run), engine::ParamError);
    p.target = 1;
    p.subgraph.keep_isolated = true;
    CHECK_THROWS_AS(engine::shortest_path(g, p, run), engine::ParamError);
    p.subgraph.keep_isolated = false;
    graph::SnapshotBuilder b;
    const auto employee = b.node_kinds().intern("employee");
    const auto customer = b.node_kinds().intern("customer");
    b.add_node("c", customer, 1);
    b.add_node("e", employee, 1);
    b.add_edge({0, 1, b.edge_kinds().intern("interaction"), 1, graph::kNoTimestamp, std::nullopt});
    const auto mixed = std::move(b).build();
    p.subgraph.node_kinds = {"employee"};
    try {
        engine::shortest_path(mixed, p, run);
        FAIL("a node outside the chosen kinds was accepted");
    } catch (const engine::ParamError& e) {
        CHECK(e.field() == "source");
    }
}
