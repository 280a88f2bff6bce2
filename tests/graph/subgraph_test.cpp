#include "smorg/graph/subgraph.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <catch2/catch.hpp>
#include <tbb/task_arena.h>

#include "smorg/graph/bgl.h"
#include "smorg/graph/errors.h"

#include "support/fixtures.h"

using namespace smorg;
using graph::NodeIndex;

namespace {
std::vector<NodeIndex> to_vector(std::span<const NodeIndex> s) { return {s.begin(), s.end()}; }
std::vector<double> to_vector(std::span<const double> s) { return {s.begin(), s.end()}; }
}  // namespace

TEST_CASE("the whole graph without weights is viewed without copying", "[graph][subgraph]") {
    const auto g = testing::graph_from_edges(3, {{0, 1}, {1, 2}, {2, 0}});
    const auto view = graph::Subgraph::of(g, {});
    CHECK(view.zero_copy());
    CHECK(view.arc_count() == 3);
    CHECK(to_vector(view.out_neighbors(0)) == std::vector<NodeIndex>{1});
    CHECK(to_vector(view.in_neighbors(0)) == std::vector<NodeIndex>{2});
    CHECK(to_vector(view.out_weights(0)) == std::vector<double>{1.0});
}

TEST_CASE("kinds and a time window filter edges exactly", "[graph][subgraph]") {
    //  0 -referral(t=10)-> 1 -referral(t=20)-> 2
    //  0 -interaction(t=15)-> 2,   3 (an employee) -interaction(no time)-> 0
    graph::SnapshotBuilder b;
    const auto customer = b.node_kinds().intern("customer");
    const auto employee = b.node_kinds().intern("employee");
    for (int i = 0; i < 3; ++i) b.add_node(std::to_string(i), customer, 1);
    b.add_node("3", employee, 1);
    const auto referral = b.edge_kinds().intern("referral");
    const auto interaction = b.edge_kinds().intern("interaction");
    b.add_edge({0, 1, referral, 1, 10, std::nullopt});
    b.add_edge({1, 2, referral, 1, 20, std::nullopt});
    b.add_edge({0, 2, interaction, 1, 15, std::nullopt});
    b.add_edge({3, 0, interaction, 1, graph::kNoTimestamp, std::nullopt});
    const auto g = std::move(b).build();

    graph::SubgraphSpec only_referrals;
    only_referrals.edge_kinds = {"referral"};
    const auto r = graph::Subgraph::of(g, only_referrals);
    CHECK_FALSE(r.zero_copy());
    CHECK(r.arc_count() == 2);
    CHECK(to_vector(r.out_neighbors(0)) == std::vector<NodeIndex>{1});

    graph::SubgraphSpec window;
    window.since = 12;
    window.until = 20;
    const auto w = graph::Subgraph::of(g, window);
    CHECK(w.arc_count() == 1);  // only 0->2 at t=15; undated 3->0 is dropped under a window
    CHECK(to_vector(w.out_neighbors(0)) == std::vector<NodeIndex>{2});

    graph::SubgraphSpec customers;
    customers.node_kinds = {"customer"};
    const auto c = graph::Subgraph::of(g, customers);
    CHECK(c.nodes() == std::vector<NodeIndex>{0, 1, 2});
    CHECK_FALSE(c.active(3));
    CHECK(c.in_degree(0) == 0);
    CHECK(c.arc_count() == 3);
}

TEST_CASE("unknown kinds and empty windows are refused with the field", "[graph][subgraph]") {
    const auto g = testing::graph_from_edges(2, {{0, 1}});
    graph::SubgraphSpec spec;
    spec.edge_kinds = {"interaction", "refferal"};
    try {
        (void)graph::Subgraph::of(g, spec);
        FAIL("expected NotFound");
    } catch (const graph::NotFound& e) {
        CHECK(e.field() == "edge_kinds/1");
        CHECK_THAT(e.what(), Catch::Contains("refferal") && Catch::Contains("interaction"));
    }
    graph::SubgraphSpec empty;
    empty.since = 5;
    empty.until = 5;
    CHECK_THROWS_AS(graph::Subgraph::of(g, empty), graph::ParamError);
}

TEST_CASE("parallel and reciprocal arcs merge into one tie", "[graph][subgraph]") {
    //  0 =2=> 1 (two arcs, weights 2 and 3),  1 -> 0 (weight 4),  1 -> 1 (loop, weight 5)
    const auto g = testing::graph_from_edges(2, {{0, 1, 2, "a"}, {0, 1, 3, "b"}, {1, 0, 4}, {1, 1, 5}});
    const auto directed = graph::Subgraph::of(g, {});
    CHECK(to_vector(directed.out_weights(0)) == std::vector<double>{5});
    CHECK(to_vector(directed.in_neighbors(1)) == std::vector<NodeIndex>{0, 1});
    CHECK(to_vector(directed.in_weights(1)) == std::vector<double>{5, 5});

    graph::SubgraphSpec undirected;
    undirected.directed = false;
    const auto u = graph::Subgraph::of(g, undirected);
    CHECK(to_vector(u.out_neighbors(0)) == std::vector<NodeIndex>{1});
    CHECK(to_vector(u.out_weights(0)) == std::vector<double>{9});
    CHECK(to_vector(u.out_neighbors(1)) == std::vector<NodeIndex>{0, 1});
    CHECK(to_vector(u.out_weights(1)) == std::vector<double>{9, 5});

    undirected.weighted = false;
    const auto plain = graph::Subgraph::of(g, undirected);
    CHECK(to_vector(plain.out_weights(1)) == std::vector<double>{1, 1});
}

TEST_CASE("views equal a direct computation at any number of workers", "[graph][subgraph]") {
    // A random multigraph with loops, parallel and reciprocal arcs, and weights.
    std::mt19937_64 rng(11);
    const NodeIndex n = 3000;
    std::vector<testing::TestEdge> edges;
    for (int i = 0; i < 40000; ++i) {
        const auto u = static_cast<NodeIndex>(rng() % n);
        const auto v = rng() % 10 == 0 ? u : static_cast<NodeIndex>(rng() % (u % 7 == 0 ? 40 : n));  // some hubs, some loops
        edges.push_back({u, v, static_cast<double>(1 + rng() % 5)});
    }
    const auto g = testing::graph_from_edges(n, edges);
    for (const bool directed : {true, false}) {
        // The expected lists: arcs (both ways when undirected, a loop once) merged, weights summed.
        std::vector<std::map<NodeIndex, double>> out(n), in(n);
        for (const auto& e : edges) {
            out[e.source][e.target] += e.weight;
            in[e.target][e.source] += e.weight;
            if (!directed && e.source != e.target) out[e.target][e.source] += e.weight;
        }
        graph::SubgraphSpec spec;
        spec.directed = directed;
        for (const int workers : {1, 3, 8}) {
            tbb::task_arena arena(workers);
            const auto view = arena.execute([&] { return graph::Subgraph::of(g, spec); });
            INFO("directed " << directed << ", " << workers << " workers");
            bool same = true;
            NodeIndex at = 0;
            for (; at < n && same; ++at) {
                const NodeIndex u = at;
                std::vector<std::pair<NodeIndex, double>> got, want(out[u].begin(), out[u].end());
                for (std::size_t k = 0; k < view.out_neighbors(u).size(); ++k)
                    got.emplace_back(view.out_neighbors(u)[k], view.out_weights(u)[k]);
                same = got == want;
                if (same && directed) {
                    got.clear();
                    want.assign(in[u].begin(), in[u].end());
                    for (std::size_t k = 0; k < view.in_neighbors(u).size(); ++k)
                        got.emplace_back(view.in_neighbors(u)[k], view.in_weights(u)[k]);
                    same = got == want;
                }
            }
            INFO("first difference at node " << at - 1);
            CHECK(same);
        }
    }
}

TEST_CASE("the undirected view of every edge of weight 1 equals a direct computation", "[graph][subgraph]") {
    // Weights all 1 take the one-merge path; with and without parallel arcs, over two kinds (so
    // out-lists are sorted per kind only), weighted or not, at several worker counts.
    for (const bool parallel_arcs : {false, true}) {
        std::mt19937_64 rng(parallel_arcs ? 5 : 6);
        const NodeIndex n = 2000;
        std::vector<testing::TestEdge> edges;
        std::map<std::pair<NodeIndex, NodeIndex>, int> seen;
        for (int i = 0; i < 30000; ++i) {
            const auto u = static_cast<NodeIndex>(rng() % n);
            const auto v = rng() % 10 == 0 ? u : static_cast<NodeIndex>(rng() % (u % 7 == 0 ? 30 : n));
            if (!parallel_arcs && seen[{u, v}]++ > 0) continue;
            edges.push_back({u, v, 1.0, rng() % 2 ? "interaction" : "referral"});
        }
        const auto g = testing::graph_from_edges(n, edges);
        REQUIRE(g.has_parallel_arcs() == parallel_arcs);
        std::vector<std::map<NodeIndex, double>> ties(n);
        for (const auto& e : edges) {
            ties[e.source][e.target] += 1;
            if (e.source != e.target) ties[e.target][e.source] += 1;
        }
        for (const bool weighted : {true, false}) {
            graph::SubgraphSpec spec;
            spec.directed = false;
            spec.weighted = weighted;
            for (const int workers : {1, 3}) {
                tbb::task_arena arena(workers);
                const auto view = arena.execute([&] { return graph::Subgraph::of(g, spec); });
                INFO("parallel arcs " << parallel_arcs << ", weighted " << weighted << ", " << workers << " workers");
                NodeIndex first_difference = n;
                for (NodeIndex u = 0; u < n && first_difference == n; ++u) {
                    std::vector<std::pair<NodeIndex, double>> got, want;
                    for (const auto& [v, w] : ties[u]) want.emplace_back(v, weighted ? w : 1.0);
                    for (std::size_t k = 0; k < view.out_neighbors(u).size(); ++k)
                        got.emplace_back(view.out_neighbors(u)[k], view.out_weights(u)[k]);
                    if (got != want || to_vector(view.in_neighbors(u)) != to_vector(view.out_neighbors(u))) first_difference = u;
                }
                CHECK(first_difference == n);
                bool all_one = true;
                for (const auto& list : ties)
                    for (const auto& [v, w] : list) all_one = all_one && w == 1;
                CHECK((view.uniform_weight() == std::optional<double>(1.0)) == (!weighted || all_one));
            }
        }
    }
}

TEST_CASE("a list of kinds that names every kind the snapshot has is viewed without copying", "[graph][subgraph]") {
    const auto g = testing::graph_from_edges(3, {{0, 1}, {1, 2}});
    graph::SubgraphSpec spec;
    spec.edge_kinds = {"interaction"};
    spec.node_kinds = {"customer"};
    CHECK(graph::Subgraph::of(g, spec).zero_copy());
    CHECK(graph::view_size(g, spec).zero_copy);
}

TEST_CASE("a snapshot keeps the views it built and shares them for equal specs", "[graph][subgraph][cache]") {
    const auto g = testing::graph_from_edges(4, {{0, 1, 1, "referral"}, {1, 2, 1, "interaction"}, {2, 3, 2, "interaction"}});
    graph::SubgraphSpec spec;
    spec.directed = false;
    spec.edge_kinds = {"referral", "interaction"};
    CHECK_FALSE(graph::view_size(g, spec).cached);
    const auto first = graph::Subgraph::shared(g, spec);
    CHECK(graph::view_size(g, spec).cached);
    CHECK(graph::view_size(g, spec).cost.work == 0);
    CHECK(graph::view_size(g, spec).cost.memory_bytes == 0);

    auto reordered = spec;
    reordered.edge_kinds = {"interaction", "referral"};
    CHECK(graph::Subgraph::shared(g, reordered) == first);

    auto other = spec;
    other.edge_kinds = {"interaction"};
    const auto second = graph::Subgraph::shared(g, other);
    CHECK(second != first);
    CHECK(second->arc_count() == 4);

    const auto stats = graph::view_cache_stats(g);
    CHECK(stats.views == 2);
    CHECK(stats.hits == 1);
    CHECK(stats.misses == 2);
    CHECK(stats.bytes == first->memory_bytes() + second->memory_bytes());

    // A zero-copy view is kept too: its active list and row of ones are all it holds.
    graph::SubgraphSpec unweighted;
    unweighted.weighted = false;
    const auto whole = graph::Subgraph::shared(g, unweighted);
    CHECK(whole->zero_copy());
    CHECK(graph::Subgraph::shared(g, unweighted) == whole);
    CHECK(graph::view_cache_stats(g).views == 3);
}

TEST_CASE("the views a snapshot keeps stay within the budget, least recently used dropped first", "[graph][subgraph][cache]") {
    const auto saved = graph::view_cache_budget();
    const auto g = testing::graph_from_edges(100, [] {
        std::vector<testing::TestEdge> edges;
        for (NodeIndex u = 0; u + 1 < 100; ++u) edges.push_back({u, u + 1, 1, u % 2 ? "referral" : "interaction"});
        return edges;
    }());
    graph::SubgraphSpec a, b;
    a.directed = false;
    b.edge_kinds = {"referral"};
    const auto a_bytes = graph::Subgraph::of(g, a).memory_bytes();
    const auto b_bytes = graph::Subgraph::of(g, b).memory_bytes();
    REQUIRE(a_bytes > 0);
    REQUIRE(b_bytes > 0);

    graph::set_view_cache_budget(0);
    CHECK(graph::Subgraph::shared(g, a) != graph::Subgraph::shared(g, a));
    CHECK(graph::view_cache_stats(g).views == 0);
    CHECK_FALSE(graph::view_size(g, a).cached);

    graph::set_view_cache_budget(std::max(a_bytes, b_bytes));
    const auto kept_a = graph::Subgraph::shared(g, a);
    CHECK(graph::Subgraph::shared(g, a) == kept_a);
    const auto kept_b = graph::Subgraph::shared(g, b);  // a goes to make room
    CHECK(graph::view_cache_stats(g).views == 1);
    CHECK(graph::view_cache_stats(g).bytes == b_bytes);
    CHECK(graph::Subgraph::shared(g, b) == kept_b);
    CHECK_FALSE(graph::view_size(g, a).cached);
    // The dropped view lives on for whoever holds it.
    CHECK(kept_a->arc_count() == 2 * 99);
    graph::set_view_cache_budget(saved);
}

TEST_CASE("Boost.Graph algorithms run on a view", "[graph][bgl]") {
    //  0 -1-> 1 -1-> 2          lengths are 1 / weight, so the strong tie 0 -4-> 2 is the
    //  0 ------4-------> 2      shortest way from 0 to 2 (length 0.25)
    const auto g = testing::graph_from_edges(4, {{0, 1, 1}, {1, 2, 1}, {0, 2, 4}, {2, 3, 2}});
    const auto view = graph::Subgraph::of(g, {});
    std::vector<double> distance(view.node_count());
    std::vector<NodeIndex> parent(view.node_count());
    boost::dijkstra_shortest_paths(
        view, NodeIndex{0},
        boost::weight_map(graph::length_map(view))
            .distance_map(boost::make_iterator_property_map(distance.begin(), get(boost::vertex_index, view)))
            .predecessor_map(boost::make_iterator_property_map(parent.begin(), get(boost::vertex_index, view))));
    CHECK(distance[2] == Approx(0.25));
    CHECK(distance[3] == Approx(0.75));
    CHECK(parent[2] == 0);

    std::vector<boost::default_color_type> colors(view.node_count());
    std::vector<NodeIndex> order;
    struct Recorder : boost::default_bfs_visitor {
        std::vector<NodeIndex>* out;
        void discover_vertex(NodeIndex u, const graph::Subgraph&) const { out->push_back(u); }
    } recorder;
    recorder.out = &order;
    boost::breadth_first_search(
        view, NodeIndex{0},
        boost::visitor(recorder).color_map(boost::make_iterator_property_map(colors.begin(), get(boost::vertex_index, view))));
    CHECK(order == std::vector<NodeIndex>{0, 1, 2, 3});
}

TEST_CASE("where conditions select people by attribute, typed against the column", "[graph][subgraph][where]") {
    // 0 (clv 10, Sales) -> 1 (clv 50, no department) -> 2 (no clv, Support) -> 3 (clv 50, vip) -> 0
    graph::SnapshotBuilder b;
    const auto kind = b.node_kinds().intern("customer");
    for (const char* id : {"a", "b", "c", "d"}) b.add_node(id, kind, 1);
    b.set_attribute(0, "clv", 10.0);
    b.set_attribute(1, "clv", 50.0);
    b.set_attribute(3, "clv", 50.0);
    b.set_attribute(0, "department", std::string("Sales"));
    b.set_attribute(2, "department", std::string("Support"));
    b.set_attribute(3, "vip", true);
    const auto edge = b.edge_kinds().intern("interaction");
    for (NodeIndex u = 0; u < 4; ++u) b.add_edge({u, (u + 1) % 4, edge, 1.0, graph::kNoTimestamp, std::nullopt});
    const auto g = std::move(b).build();
    using graph::Compare;
    auto selected = [&](std::vector<graph::NodeCondition> where) {
        graph::SubgraphSpec spec;
        spec.where = std::move(where);
        return graph::Subgraph::of(g, spec).nodes();
    };
    CHECK(selected({{"clv", Compare::ge, {50.0}}}) == std::vector<NodeIndex>{1, 3});
    CHECK(selected({{"clv", Compare::lt, {50.0}}}) == std::vector<NodeIndex>{0});
    CHECK(selected({{"clv", Compare::ne, {10.0}}}) == std::vector<NodeIndex>{1, 3});  // c has no clv
    CHECK(selected({{"clv", Compare::in, {10.0, 50.0}}, {"department", Compare::exists, {false}}}) ==
          std::vector<NodeIndex>{1, 3});
    CHECK(selected({{"department", Compare::not_in, {std::string("Sales")}}}) == std::vector<NodeIndex>{2});
    CHECK(selected({{"department", Compare::eq, {std::string("Nobody")}}}).empty());
    CHECK(selected({{"vip", Compare::eq, {true}}}) == std::vector<NodeIndex>{3});
    CHECK(selected({{"vip", Compare::ne, {true}}}).empty());
    // Arcs only between selected people: 1 -> 2 and 2 -> 3 are gone when 2 is.
    graph::SubgraphSpec spec;
    spec.where = {{"clv", Compare::exists, {true}}};
    const auto view = graph::Subgraph::of(g, spec);
    CHECK(view.arc_count() == 2);  // 0 -> 1 and 3 -> 0
    CHECK_FALSE(view.zero_copy());

    auto refused_at = [&](std::vector<graph::NodeCondition> where, const std::string& field) {
        graph::SubgraphSpec s;
        s.where = std::move(where);
        try {
            graph::validate(s, g);
            FAIL("accepted");
        } catch (const graph::ParamError& e) {
            CHECK(e.field() == field);
        } catch (const graph::NotFound& e) {
            CHECK(e.field() == field);
        }
    };
    refused_at({{"clv", Compare::ge, {std::string("50")}}}, "where/clv/>=");
    refused_at({{"department", Compare::lt, {std::string("S")}}}, "where/department/<");
    refused_at({{"department", Compare::in, {std::string("S"), 1.0}}}, "where/department/in/1");
    refused_at({{"department", Compare::in, {}}}, "where/department/in");
    refused_at({{"clv", Compare::eq, {std::nan("")}}}, "where/clv/=");
    refused_at({{"x/y", Compare::eq, {1.0}}}, "where/x~1y");
}
