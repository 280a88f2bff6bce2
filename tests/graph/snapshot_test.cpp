#include "smorg/graph/snapshot.h"

#include <random>
#include <sstream>

#include <catch2/catch.hpp>

#include "smorg/graph/errors.h"

#include "support/fixtures.h"

using namespace smorg;
using graph::NodeIndex;

TEST_CASE("ids are interned once and found again", "[graph][ids]") {
    graph::IdIndex ids;
    bool added = false;
    CHECK(ids.intern("alice", &added) == 0);
    CHECK(added);
    CHECK(ids.intern("bob") == 1);
    CHECK(ids.intern("alice", &added) == 0);
    CHECK_FALSE(added);
    for (int i = 0; i < 10000; ++i) ids.intern("n" + std::to_string(i));
    CHECK(ids.size() == 10002);
    CHECK(ids.find("n9999") == NodeIndex{10001});
    CHECK(ids.id(10001) == "n9999");
    CHECK_FALSE(ids.find("carol"));
}

TEST_CASE("the builder sorts edges by source, kind and target and links in-edges back", "[graph][snapshot]") {
    //  a --referral--> c      b --interaction--> a     a --interaction--> b (w 2.5, t 100)
    graph::SnapshotBuilder b;
    const auto customer = b.node_kinds().intern("customer");
    const auto a = b.add_node("a", customer, 1);
    const auto bb = b.add_node("b", customer, 1);
    const auto c = b.add_node("c", customer, 2);
    const auto referral = b.edge_kinds().intern("referral");
    const auto interaction = b.edge_kinds().intern("interaction");
    b.add_edge({a, c, referral, 1.0, graph::kNoTimestamp, 120.0});
    b.add_edge({bb, a, interaction, 1.0, graph::kNoTimestamp, std::nullopt});
    b.add_edge({a, bb, interaction, 2.5, 100, std::nullopt});
    const auto g = std::move(b).build();

    REQUIRE(g.node_count() == 3);
    REQUIRE(g.edge_count() == 3);
    REQUIRE(g.out_degree(a) == 2);
    // referral (kind 0) before interaction (kind 1)
    CHECK(g.target(g.out_begin(a)) == c);
    CHECK(g.edge_kind_name(g.out_begin(a)) == "referral");
    CHECK(g.value(g.out_begin(a)) == 120.0);
    const auto ab = g.out_begin(a) + 1;
    CHECK(g.target(ab) == bb);
    CHECK(g.weight(ab) == 2.5);
    CHECK(g.timestamp(ab) == 100);
    CHECK_FALSE(g.value(ab));
    CHECK(g.timestamp(g.out_begin(a)) == graph::kNoTimestamp);
    CHECK(g.in_sources(a).size() == 1);
    CHECK(g.in_sources(a)[0] == bb);
    std::vector<std::pair<NodeIndex, graph::EdgeIndex>> into_b;
    g.for_each_in_edge(bb, [&](NodeIndex source, graph::EdgeIndex e) { into_b.emplace_back(source, e); });
    REQUIRE(into_b.size() == 1);
    CHECK(into_b[0].first == a);
    CHECK(g.weight(into_b[0].second) == 2.5);
    CHECK(g.source(ab) == a);
    CHECK(g.node_batch(c) == 2);
    CHECK_FALSE(g.has_parallel_arcs());
    CHECK_FALSE(g.all_weights_one());
}

TEST_CASE("parallel arcs of different kinds are detected", "[graph][snapshot]") {
    const auto g = testing::graph_from_edges(2, {{0, 1, 1, "referral"}, {0, 1, 1, "interaction"}});
    CHECK(g.has_parallel_arcs());
    const auto h = testing::graph_from_edges(2, {{0, 1}, {1, 0}});
    CHECK_FALSE(h.has_parallel_arcs());
}

TEST_CASE("attributes are typed, dictionary encoded and refuse the wrong type", "[graph][attributes]") {
    graph::SnapshotBuilder b;
    const auto employee = b.node_kinds().intern("employee");
    const auto x = b.add_node("x", employee, 1);
    const auto y = b.add_node("y", employee, 1);
    b.set_attribute(x, "department", std::string("sales"));
    b.set_attribute(y, "department", std::string("sales"));
    b.set_attribute(x, "clv", 12.5);
    b.set_attribute(y, "vip", true);
    CHECK_THROWS_AS(b.set_attribute(y, "clv", std::string("high")), graph::ParamError);
    CHECK_THROWS_AS(b.set_attribute(y, "department", 3.0), graph::ParamError);
    const auto g = std::move(b).build();
    const auto* dept = g.attributes().find("department");
    REQUIRE(dept);
    CHECK(dept->string(x) == "sales");
    CHECK(dept->code(x) == dept->code(y));
    CHECK(dept->dictionary().size() == 2);
    CHECK(g.attributes().find("clv")->number(x) == 12.5);
    CHECK_FALSE(g.attributes().find("clv")->number(y));
    CHECK(g.attributes().find("vip")->boolean(y) == true);
    CHECK_FALSE(g.attributes().find("vip")->has(x));
    CHECK(g.is_inside(x));
}

TEST_CASE("a snapshot survives its binary form bit for bit", "[graph][snapshot][io]") {
    graph::SnapshotBuilder b;
    const auto customer = b.node_kinds().intern("customer");
    for (int i = 0; i < 50; ++i) b.add_node("c" + std::to_string(i), customer, 1);
    b.set_attribute(3, "name", std::string("Ann"));
    b.set_attribute(4, "clv", 99.0);
    const auto k = b.edge_kinds().intern("referral");
    for (NodeIndex i = 0; i + 1 < 50; ++i) {
        b.add_edge({i, i + 1, k, 1.0 + i * 0.1, 1'700'000'000 + i, i % 7 == 0 ? std::optional(10.0 * i) : std::nullopt});
    }
    const auto g = std::move(b).build();
    std::stringstream buffer;
    g.write(buffer);
    const auto h = graph::Snapshot::read(buffer, buffer.str().size());
    CHECK(h.fingerprint() == g.fingerprint());
    CHECK(h.find("c7") == NodeIndex{7});
    CHECK(h.attributes().find("name")->string(3) == "Ann");
    CHECK(h.weight(5) == g.weight(5));

    std::string bytes = buffer.str();
    std::stringstream truncated(bytes.substr(0, bytes.size() / 2));
    CHECK_THROWS_WITH(graph::Snapshot::read(truncated, bytes.size() / 2), Catch::Contains("truncated"));
    std::stringstream foreign("not a snapshot at all");
    CHECK_THROWS(graph::Snapshot::read(foreign, 21));
}

TEST_CASE("a builder started from a snapshot can drop nodes and their edges", "[graph][snapshot][erase]") {
    const auto g = testing::graph_from_edges(4, {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {1, 3}});
    const NodeIndex remove[] = {1};
    graph::SnapshotBuilder b(g, remove);
    const auto h = std::move(b).build();
    CHECK(h.node_count() == 3);
    CHECK_FALSE(h.find("1"));
    CHECK(h.edge_count() == 2);  // 2->3 and 3->0 remain
    const auto two = *h.find("2");
    REQUIRE(h.out_degree(two) == 1);
    CHECK(h.id(h.target(h.out_begin(two))) == "3");
}

TEST_CASE("weights and timestamps take the narrowest exact column", "[graph][snapshot]") {
    const auto ones = testing::graph_from_edges(2, {{0, 1}});
    CHECK(ones.all_weights_one());
    const auto counts = testing::graph_from_edges(2, {{0, 1, 3.0}});
    CHECK(counts.weight(0) == 3.0);
    const auto fine = testing::graph_from_edges(2, {{0, 1, 0.1}});
    CHECK(fine.weight(0) == 0.1);  // exactly the double, not a float approximation
    const auto wide = testing::graph_from_edges(2, {{0, 1, 1, "x", -9'000'000'000'000}, {1, 0, 1, "x", 9'000'000'000'000}});
    CHECK(wide.timestamp(0) == -9'000'000'000'000);
    CHECK(wide.timestamp(1) == 9'000'000'000'000);
}

TEST_CASE("edges merged into a snapshot equal a rebuild with them appended", "[graph][snapshot][append]") {
    for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u, 6u}) {
        std::mt19937_64 rng(seed);
        const graph::NodeIndex n = 60;
        auto draw = [&](std::uint64_t bound) { return static_cast<std::uint32_t>(rng() % bound); };
        std::vector<graph::EdgeRecord> edges;
        for (int i = 0; i < 900; ++i) {
            graph::EdgeRecord e{draw(n), draw(n), static_cast<graph::KindId>(draw(3)), 1.0, graph::kNoTimestamp, std::nullopt};
            if (seed % 2 == 0) e.weight = 0.5 + draw(4);        // float-exact weights
            if (seed == 5) e.weight = 1.0 / (1 + draw(7));      // weights only a double holds
            if (seed == 6) e.weight = i < 600 ? 2.0 : 1.0 / 3;  // float weights, then double ones
            if (draw(3) != 0) e.timestamp = 1'600'000'000 + draw(50) * (seed == 3 ? 100'000'000'000LL : 1);
            if (draw(20) == 0) e.value = 10.0 * draw(9);
            edges.push_back(e);
        }
        // Duplicates of earlier edges (same key), so that ties between old and new edges occur.
        for (int i = 0; i < 60; ++i) edges.push_back(edges[draw(600)]);
        const std::size_t split = seed == 1 ? 0 : 600;
        // The base knows two kinds; the appended edges bring the third.
        std::vector<graph::EdgeRecord> base_edges, added;
        for (std::size_t i = 0; i < edges.size(); ++i) {
            if (i < split && edges[i].kind < 2) base_edges.push_back(edges[i]);
            if (i >= split) added.push_back(edges[i]);
        }
        graph::SnapshotBuilder b;
        const auto customer = b.node_kinds().intern("customer");
        for (graph::NodeIndex u = 0; u < n; ++u) b.add_node("n" + std::to_string(u), customer, 1);
        for (int k = 0; k < 2; ++k) b.edge_kinds().intern("kind" + std::to_string(k));
        b.set_attribute(3, "clv", 5.0);
        for (const auto& e : base_edges) b.add_edge(e);
        const auto base = std::move(b).build();
        graph::SnapshotBuilder whole(base);
        whole.edge_kinds().intern("kind2");
        for (const auto& e : added) whole.add_edge(e);
        const auto expected = std::move(whole).build();
        auto vocab = base.edge_kinds();
        vocab.intern("kind2");
        const auto merged = base.with_edges(vocab, added);
        INFO("seed " << seed);
        CHECK(merged.fingerprint() == expected.fingerprint());
        std::ostringstream a, c;
        merged.write(a);
        expected.write(c);
        CHECK(a.str() == c.str());
        CHECK(merged.has_parallel_arcs() == expected.has_parallel_arcs());
        for (graph::KindId k = 0; k < 3; ++k) CHECK(merged.edge_count_of(k) == expected.edge_count_of(k));
    }
    const auto g = testing::graph_from_edges(3, {{0, 1}});
    CHECK_THROWS_AS(
        g.with_edges(g.edge_kinds(), std::vector<graph::EdgeRecord>{{0, 7, 0, 1.0, graph::kNoTimestamp, std::nullopt}}),
        std::invalid_argument);
}
