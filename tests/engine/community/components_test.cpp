#include "smorg/engine/community/components.h"

#include <catch2/catch.hpp>

#include "support/fixtures.h"

using namespace smorg;
using engine::ComponentsParams;
using engine::Connectivity;
using engine::RunContext;

TEST_CASE("strong components, computed by hand, numbered by size then smallest member", "[engine][components]") {
    //  cycle 0 -> 1 -> 2 -> 0, cycle 3 <-> 4, tail 2 -> 3, 4 -> 5; 6 -> 7 -> 8 -> 6 (the same size as 0..2)
    const auto g = testing::graph_from_edges(9, {{0, 1}, {1, 2}, {2, 0}, {3, 4}, {4, 3}, {2, 3}, {4, 5}, {6, 7}, {7, 8}, {8, 6}});
    ComponentsParams p;
    p.connectivity = Connectivity::strong;
    RunContext run;
    const auto r = engine::components(g, p, run);
    CHECK(r.sizes == std::vector<std::uint64_t>{3, 3, 2, 1});
    CHECK(r.membership == std::vector<std::uint32_t>{0, 0, 0, 2, 2, 3, 1, 1, 1});

    p.connectivity = Connectivity::weak;
    const auto w = engine::components(g, p, run);
    CHECK(w.sizes == std::vector<std::uint64_t>{6, 3});
    CHECK(w.membership == std::vector<std::uint32_t>{0, 0, 0, 0, 0, 0, 1, 1, 1});
}

TEST_CASE("strong components of a chain of 300,000 arcs need no deep recursion", "[engine][components]") {
    constexpr graph::NodeIndex n = 300'000;
    std::vector<testing::TestEdge> edges;
    for (graph::NodeIndex u = 0; u + 1 < n; ++u) edges.push_back({u, u + 1});
    edges.push_back({n - 1, 0});  // one cycle through every node
    const auto g = testing::graph_from_edges(n, edges);
    ComponentsParams p;
    p.connectivity = Connectivity::strong;
    RunContext run;
    const auto r = engine::components(g, p, run);
    CHECK(r.sizes == std::vector<std::uint64_t>{n});
}

TEST_CASE("strong components refuse undirected ties", "[engine][components]") {
    const auto g = testing::graph_from_edges(2, {{0, 1}});
    ComponentsParams p;
    p.connectivity = Connectivity::strong;
    p.subgraph.directed = false;
    RunContext run;
    CHECK_THROWS_AS(engine::components(g, p, run), engine::ParamError);
}
