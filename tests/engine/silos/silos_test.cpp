#include "smorg/engine/silos/silos.h"

#include <set>

#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include "support/fixtures.h"

using namespace smorg;
using engine::RunContext;
using engine::SilosParams;
using graph::NodeIndex;

namespace {

// Employees in departments with communication ties.
graph::Snapshot org(const std::vector<std::string>& departments, const std::vector<std::pair<NodeIndex, NodeIndex>>& ties) {
    graph::SnapshotBuilder b;
    const auto employee = b.node_kinds().intern("employee");
    const auto communication = b.edge_kinds().intern("communication");
    for (std::size_t i = 0; i < departments.size(); ++i) {
        const auto u = b.add_node("e" + std::to_string(i), employee, 1);
        b.set_attribute(u, "department", departments[i]);
    }
    for (const auto& [u, v] : ties) b.add_edge({u, v, communication, 1, graph::kNoTimestamp, std::nullopt});
    return std::move(b).build();
}

}  // namespace

TEST_CASE("E-I index, its expectation and the mixing matrix, computed by hand", "[engine][silos]") {
    //  A: e0 e1 e2      B: e3 e4
    //  ties: e0-e1, e1-e2, e0-e2 (inside A), e3-e4 (inside B), e2-e3 (across), e3-e2 again (same tie)
    const auto g = org({"A", "A", "A", "B", "B"}, {{0, 1}, {1, 2}, {0, 2}, {3, 4}, {2, 3}, {3, 2}});
    SilosParams p;
    p.permutations = 0;
    RunContext run;
    const auto r = engine::silos(g, p, run);
    REQUIRE(r.groups.size() == 2);
    CHECK(r.ties == 5);
    const auto& a = r.groups[0];
    CHECK(a.name == "A");
    CHECK(a.internal == 3);
    CHECK(a.external == 1);
    CHECK(a.ei_index == Approx((1.0 - 3) / 4));
    // possible pairs: inside A 3, A to B 3 * 2 = 6: (6 - 3) / 9
    CHECK(a.ei_expected == Approx(3.0 / 9));
    CHECK(r.groups[1].ei_index == Approx(0.0));
    CHECK(r.ei_index == Approx((1.0 - 4) / 5));
    // whole network: inside pairs 3 + 1, across 6: (6 - 4) / 10
    CHECK(r.ei_expected == Approx(0.2));
    // mixing: degrees A 7, B 3, T 5; expected A-B = 7 * 3 / 10
    bool found = false;
    for (const auto& cell : r.mixing) {
        if (cell.a == 0 && cell.b == 1) {
            found = true;
            CHECK(cell.observed == 1);
            CHECK(cell.expected == Approx(2.1));
        }
    }
    CHECK(found);
    // modularity of {A, B}: 3/5 - (7/10)^2 + 1/5 - (3/10)^2
    CHECK(r.modularity == Approx(0.6 - 0.49 + 0.2 - 0.09));
}

TEST_CASE("a group that never talks to another is cut off, and introductions bridge it", "[engine][silos]") {
    // Three departments of 6; A-B and B-C talk, A and C never do.
    std::vector<std::string> departments;
    for (const char* d : {"A", "B", "C"}) {
        for (int i = 0; i < 6; ++i) departments.emplace_back(d);
    }
    std::vector<std::pair<NodeIndex, NodeIndex>> ties;
    for (NodeIndex base : {0u, 6u, 12u}) {
        for (NodeIndex a = 0; a < 6; ++a) {
            for (NodeIndex b = a + 1; b < 6; ++b) ties.emplace_back(base + a, base + b);
        }
    }
    for (NodeIndex k = 0; k < 4; ++k) {
        ties.emplace_back(k, 6 + k);       // A - B
        ties.emplace_back(6 + k, 12 + k);  // B - C
    }
    const auto g = org(departments, ties);
    SilosParams p;
    p.permutations = 200;
    p.cut_off_ratio = 0.2;
    RunContext run;
    const auto r = engine::silos(g, p, run);
    REQUIRE(r.cut_off.size() == 1);
    CHECK(r.groups[r.cut_off[0].a].name == "A");
    CHECK(r.groups[r.cut_off[0].b].name == "C");
    CHECK(r.cut_off[0].observed == 0);
    REQUIRE_FALSE(r.introductions.empty());
    // Each suggestion joins one person of A and one of C, the pair that never talks.
    for (const auto& intro : r.introductions) {
        const std::set<std::string> sides{departments[intro.a], departments[intro.b]};
        CHECK(sides == std::set<std::string>{"A", "C"});
    }
    const auto& intro = r.introductions[0];
    CHECK(intro.gain > 0);
    CHECK(r.ei_p_value < 0.05);  // far more inside than chance
    // Spanners are the B people tied both ways.
    REQUIRE_FALSE(r.spanners.empty());
    CHECK(r.groups[r.spanners[0].group].name == "B");
    CHECK(r.spanners[0].groups_reached == 2);
}

TEST_CASE("the silo map is the same at 1 and 2 threads", "[engine][silos][determinism]") {
    std::vector<std::string> departments;
    std::vector<std::pair<NodeIndex, NodeIndex>> ties;
    for (NodeIndex u = 0; u < 200; ++u) departments.push_back("D" + std::to_string(u % 7));
    for (NodeIndex u = 0; u < 200; ++u) {
        for (NodeIndex k = 1; k < 6; ++k) ties.emplace_back(u, (u * 31 + k * 7 * (k % 2 ? 1 : 13)) % 200);
    }
    const auto g = org(departments, ties);
    auto run_with = [&](int threads) {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
        SilosParams p;
        p.permutations = 300;
        RunContext run;
        const auto r = engine::silos(g, p, run);
        std::vector<double> out{r.ei_p_value, r.nmi, r.ari, r.modularity};
        for (const auto& s : r.groups) out.push_back(s.p_value);
        for (const auto& s : r.spanners) out.push_back(s.betweenness);
        return out;
    };
    CHECK(run_with(1) == run_with(2));
}

TEST_CASE("silos refuses a missing grouping attribute", "[engine][silos]") {
    const auto g = org({"A"}, {});
    SilosParams p;
    p.group_by = "team";
    RunContext run;
    CHECK_THROWS_AS(engine::silos(g, p, run), graph::NotFound);
}
