#include "smorg/engine/centrality/degree.h"

#include <catch2/catch.hpp>

#include "support/fixtures.h"

using namespace smorg;
using engine::DegreeParams;
using engine::Direction;
using engine::RunContext;

TEST_CASE("degree counts in, out and total arcs or their weights", "[engine][degree]") {
    //  0 -2-> 1 -1-> 2,  2 -3-> 0,  0 -1-> 0 (loop)
    const auto g = testing::graph_from_edges(3, {{0, 1, 2}, {1, 2, 1}, {2, 0, 3}, {0, 0, 1}});
    RunContext run;
    DegreeParams p;
    p.subgraph.weighted = false;
    p.direction = Direction::in;
    CHECK(engine::degree(g, p, run).score == std::vector<double>{2, 1, 1});
    p.direction = Direction::out;
    CHECK(engine::degree(g, p, run).score == std::vector<double>{2, 1, 1});
    p.direction = Direction::total;
    CHECK(engine::degree(g, p, run).score == std::vector<double>{4, 2, 2});
    p.subgraph.weighted = true;
    CHECK(engine::degree(g, p, run).score == std::vector<double>{7, 3, 4});
    p.subgraph.directed = false;
    p.subgraph.weighted = false;
    // undirected: the loop counts twice, like networkx
    CHECK(engine::degree(g, p, run).score == std::vector<double>{4, 2, 2});
    p.normalized = true;
    CHECK(engine::degree(g, p, run).score == std::vector<double>{2, 1, 1});
}
