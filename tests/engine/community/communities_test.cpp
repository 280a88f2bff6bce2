#include "smorg/engine/community/communities.h"

#include <set>

#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include "smorg/engine/silos/silos.h"

#include "support/fixtures.h"

using namespace smorg;
using engine::CommunityAlgorithm;
using engine::CommunityParams;
using engine::RunContext;
using graph::NodeIndex;

namespace {

// Two 5-cliques joined by one tie: every method must find the two cliques.
//   0-1-2-3-4 (all tied)  --4--5--  5-6-7-8-9 (all tied)
graph::Snapshot two_cliques() {
    std::vector<testing::TestEdge> edges;
    for (NodeIndex base : {0u, 5u}) {
        for (NodeIndex a = 0; a < 5; ++a) {
            for (NodeIndex b = a + 1; b < 5; ++b) edges.push_back({base + a, base + b});
        }
    }
    edges.push_back({4, 5});
    return testing::graph_from_edges(10, edges);
}

// A planted partition: `groups` groups of `size`, dense inside, sparse across.
graph::Snapshot planted(NodeIndex groups, NodeIndex size, std::uint64_t seed) {
    std::vector<testing::TestEdge> edges;
    std::uint64_t x = seed;
    auto next = [&] {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<double>(x >> 11) * 0x1.0p-53;
    };
    const NodeIndex n = groups * size;
    for (NodeIndex a = 0; a < n; ++a) {
        for (NodeIndex b = a + 1; b < n; ++b) {
            if (next() < (a / size == b / size ? 0.3 : 0.01)) edges.push_back({a, b});
        }
    }
    return testing::graph_from_edges(n, edges);
}

bool connected_within(const graph::Subgraph& view, const std::vector<std::uint32_t>& membership, std::uint32_t c) {
    std::vector<NodeIndex> members;
    for (auto u : view.nodes()) {
        if (membership[u] == c) members.push_back(u);
    }
    if (members.empty()) return true;
    std::set<NodeIndex> seen{members[0]};
    std::vector<NodeIndex> stack{members[0]};
    while (!stack.empty()) {
        const auto u = stack.back();
        stack.pop_back();
        for (auto v : view.out_neighbors(u)) {
            if (membership[v] == c && seen.insert(v).second) stack.push_back(v);
        }
    }
    return seen.size() == members.size();
}

}  // namespace

TEST_CASE("every method finds two cliques joined by one tie", "[engine][communities]") {
    const auto algorithm =
        GENERATE(CommunityAlgorithm::louvain, CommunityAlgorithm::leiden, CommunityAlgorithm::label_propagation);
    const auto g = two_cliques();
    CommunityParams p;
    p.subgraph.directed = false;
    p.algorithm = algorithm;
    RunContext run;
    const auto r = engine::communities(g, p, run);
    REQUIRE(r.sizes == std::vector<std::uint64_t>{5, 5});
    for (NodeIndex u = 1; u < 5; ++u) CHECK(r.membership[u] == r.membership[0]);
    for (NodeIndex u = 6; u < 10; ++u) CHECK(r.membership[u] == r.membership[5]);
    CHECK(r.membership[0] != r.membership[5]);
    // By hand: m = 21, each clique has 10 internal ties and degree 21: 2 * (10/21 - (21/42)^2).
    CHECK(r.modularity == Approx(2 * (10.0 / 21 - 0.25)));
}

TEST_CASE("modularity matches its definition with weights and self-loops", "[engine][communities]") {
    //  0 -2- 1    2 -1- 3,  1 -1- 2,  loop on 0 of weight 3
    const auto g = testing::graph_from_edges(4, {{0, 1, 2}, {2, 3, 1}, {1, 2, 1}, {0, 0, 3}});
    graph::SubgraphSpec spec;
    spec.directed = false;
    const auto view = graph::Subgraph::of(g, spec);
    // m = 2 + 1 + 1 + 3 = 7; degrees 0: 2 + 6 = 8, 1: 3, 2: 2, 3: 1; {0,1}: L = 2 + 3, d = 11; {2,3}: L = 1, d = 3
    const double expected = (5.0 / 7 - (11.0 / 14) * (11.0 / 14)) + (1.0 / 7 - (3.0 / 14) * (3.0 / 14));
    CHECK(engine::modularity(view, {0, 0, 1, 1}) == Approx(expected));
}

TEST_CASE("Louvain and Leiden recover planted groups and Leiden's communities are connected", "[engine][communities]") {
    const auto algorithm = GENERATE(CommunityAlgorithm::louvain, CommunityAlgorithm::leiden);
    const auto g = planted(6, 30, 42);
    CommunityParams p;
    p.subgraph.directed = false;
    p.algorithm = algorithm;
    RunContext run;
    const auto r = engine::communities(g, p, run);
    std::vector<std::uint32_t> truth, found;
    for (NodeIndex u = 0; u < g.node_count(); ++u) {
        truth.push_back(u / 30);
        found.push_back(r.membership[u]);
    }
    CHECK(engine::adjusted_rand_index(truth, found) > 0.95);
    if (algorithm == CommunityAlgorithm::leiden) {
        const auto view = graph::Subgraph::of(g, p.subgraph);
        for (std::uint32_t c = 0; c < r.sizes.size(); ++c) CHECK(connected_within(view, r.membership, c));
    }
}

TEST_CASE("communities are the same at 1 and 2 threads for a seed", "[engine][communities][determinism]") {
    const auto algorithm =
        GENERATE(CommunityAlgorithm::louvain, CommunityAlgorithm::leiden, CommunityAlgorithm::label_propagation);
    const auto g = planted(20, 40, 7);
    auto run_with = [&](int threads) {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
        CommunityParams p;
        p.subgraph.directed = false;
        p.algorithm = algorithm;
        p.seed = 3;
        RunContext run;
        const auto r = engine::communities(g, p, run);
        return std::pair{r.membership, r.modularity};
    };
    CHECK(run_with(1) == run_with(2));
}

TEST_CASE("more iterations never lower modularity, and 0 runs until stable", "[engine][communities]") {
    const auto algorithm = GENERATE(CommunityAlgorithm::louvain, CommunityAlgorithm::leiden);
    const auto g = planted(12, 25, 11);
    auto run_with = [&](int iterations) {
        CommunityParams p;
        p.subgraph.directed = false;
        p.algorithm = algorithm;
        p.iterations = iterations;
        RunContext run;
        return engine::communities(g, p, run);
    };
    const auto one = run_with(1), two = run_with(2), stable = run_with(0);
    CHECK(one.iterations == 1);
    CHECK(two.iterations >= 1);
    CHECK(two.iterations <= 2);
    CHECK(two.modularity >= one.modularity);
    CHECK(stable.modularity >= two.modularity);
    CHECK(stable.iterations >= two.iterations);
    CHECK(stable.iterations <= CommunityParams::kMaxIterations);
}

TEST_CASE("community parameters are checked with their field", "[engine][communities]") {
    const auto g = two_cliques();
    RunContext run;
    CommunityParams p;
    p.resolution = 0;
    try {
        (void)engine::communities(g, p, run);
        FAIL("expected a ParamError");
    } catch (const engine::ParamError& e) {
        CHECK(e.field() == "resolution");
    }
    p.resolution = 1;
    p.iterations = -1;
    try {
        (void)engine::communities(g, p, run);
        FAIL("expected a ParamError");
    } catch (const engine::ParamError& e) {
        CHECK(e.field() == "iterations");
    }
}

TEST_CASE("NMI and ARI of known partitions", "[engine][silos]") {
    CHECK(engine::normalized_mutual_information({0, 0, 1, 1}, {5, 5, 7, 7}) == Approx(1.0));
    CHECK(engine::adjusted_rand_index({0, 0, 1, 1}, {5, 5, 7, 7}) == Approx(1.0));
    CHECK(engine::normalized_mutual_information({0, 0, 1, 1}, {0, 0, 1, 2}) == Approx(0.8));
    CHECK(engine::adjusted_rand_index({0, 0, 1, 1}, {0, 0, 1, 2}) == Approx(4.0 / 7));
    CHECK(engine::normalized_mutual_information({0, 0, 0, 1, 1, 1}, {0, 1, 2, 0, 1, 2}) == Approx(0.0).margin(1e-12));
    CHECK(engine::adjusted_rand_index({0, 0, 0, 1, 1, 1}, {0, 1, 2, 0, 1, 2}) == Approx(-4.0 / 11));
}

TEST_CASE("directed label propagation lets labels flow along arcs only", "[engine][communities]") {
    // An in-star: a, b and c each point at h. Undirected, everyone ends with one label; directed, the
    // leaves hear nobody and keep their own, and h takes one of theirs.
    const auto g = testing::graph_from_edges(4, {{1, 0}, {2, 0}, {3, 0}});
    CommunityParams p;
    p.algorithm = CommunityAlgorithm::label_propagation;
    RunContext run;
    CHECK(engine::communities(g, p, run).sizes.size() == 1);
    p.subgraph.directed = true;
    const auto directed = engine::communities(g, p, run);
    CHECK(directed.sizes.size() == 3);
    CHECK(directed.sizes.front() == 2);
}

TEST_CASE("weighted label propagation follows the heavier tie, not the more numerous", "[engine][communities]") {
    // Two 7-cliques A (0-6) and B (7-13), and h (14) tied to 0 by one strong tie (weight 5) and to 7
    // and 8 by two weak ones. Counted, h hears B twice and A once; weighed, A five times and B twice.
    std::vector<testing::TestEdge> edges;
    for (NodeIndex base : {0u, 7u}) {
        for (NodeIndex a = 0; a < 7; ++a) {
            for (NodeIndex b = a + 1; b < 7; ++b) edges.push_back({base + a, base + b});
        }
    }
    edges.push_back({14, 0, 5.0});
    edges.push_back({14, 7, 1.0});
    edges.push_back({14, 8, 1.0});
    const auto g = testing::graph_from_edges(15, edges);
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        INFO("seed " << seed);
        CommunityParams p;
        p.algorithm = CommunityAlgorithm::label_propagation;
        p.seed = seed;
        p.subgraph.weighted = false;
        RunContext run;
        const auto counted = engine::communities(g, p, run);
        CHECK(counted.membership[0] != counted.membership[7]);
        CHECK(counted.membership[14] == counted.membership[7]);
        p.subgraph.weighted = true;
        const auto weighed = engine::communities(g, p, run);
        CHECK(weighed.membership[0] != weighed.membership[7]);
        CHECK(weighed.membership[14] == weighed.membership[0]);
    }
}

TEST_CASE("directed Louvain and Leiden optimize directed modularity", "[engine][communities]") {
    // Two directed 4-cycles joined by one arc: each cycle is a community under either modularity,
    // and the directed modularity of that split is computed by hand: m = 9 arcs,
    // Q = (4 + 4) / 9 - [out_A in_A + out_B in_B] / 81 = 8/9 - (5 * 4 + 4 * 5) / 81.
    const auto g = testing::graph_from_edges(8, {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {4, 5}, {5, 6}, {6, 7}, {7, 4}, {3, 4}});
    for (auto algorithm : {CommunityAlgorithm::louvain, CommunityAlgorithm::leiden}) {
        CommunityParams p;
        p.algorithm = algorithm;
        p.subgraph.directed = true;
        RunContext run;
        const auto r = engine::communities(g, p, run);
        CHECK(r.sizes == std::vector<std::uint64_t>{4, 4});
        CHECK(r.modularity == Approx(8.0 / 9 - 40.0 / 81));
    }
}
