#include "smorg/engine/advocates.h"

#include <catch2/catch.hpp>
#include <tbb/global_control.h>

using namespace smorg;
using engine::AdvocatesParams;
using engine::RunContext;
using graph::NodeIndex;

namespace {

// Customers c0..c3 (CLV 10, 100, 40, 5) and employees e0, e1:
//   referrals    c0 -> c1 -> c2
//   interactions e0 -> c0 (weight 3), e1 -> c0 (1), e0 -> c3 (2)
graph::Snapshot small_org() {
    graph::SnapshotBuilder b;
    const auto customer = b.node_kinds().intern("customer");
    const auto employee = b.node_kinds().intern("employee");
    const auto referral = b.edge_kinds().intern("referral");
    const auto interaction = b.edge_kinds().intern("interaction");
    const double clv[] = {10, 100, 40, 5};
    for (int i = 0; i < 4; ++i) {
        const auto u = b.add_node("c" + std::to_string(i), customer, 1);
        b.set_attribute(u, "clv", clv[i]);
    }
    b.add_node("e0", employee, 1);
    b.add_node("e1", employee, 1);
    const auto at = [&](const char* id) { return *b.find(id); };
    b.add_edge({at("c0"), at("c1"), referral, 1, graph::kNoTimestamp, std::nullopt});
    b.add_edge({at("c1"), at("c2"), referral, 1, graph::kNoTimestamp, std::nullopt});
    b.add_edge({at("e0"), at("c0"), interaction, 3, graph::kNoTimestamp, std::nullopt});
    b.add_edge({at("e1"), at("c0"), interaction, 1, graph::kNoTimestamp, std::nullopt});
    b.add_edge({at("e0"), at("c3"), interaction, 2, graph::kNoTimestamp, std::nullopt});
    return std::move(b).build();
}

}  // namespace

TEST_CASE("advocates join value, reach and engagement as computed by hand", "[engine][advocates]") {
    const auto g = small_org();
    const auto id = [&](const char* name) { return *g.find(name); };
    AdvocatesParams p;
    p.probability.source = engine::ProbabilitySource::constant;
    p.probability.constant = 1;  // every tie passes influence on: reach is who can be reached
    RunContext run;
    const auto r = engine::advocates(g, p, run);
    CHECK(r.nodes.size() == 6);
    // Value. CRV (decay 0.5): c0 = 100 + 0.5 * 40, c1 = 40. Employees are credited with their served
    // customers' CRV in proportion to interaction weight: c0's 120 splits 3 : 1 between e0 and e1.
    CHECK(r.own_crv[id("c0")] == Approx(120));
    CHECK(r.own_crv[id("c1")] == Approx(40));
    CHECK(r.employee_credit[id("e0")] == Approx(90));
    CHECK(r.employee_credit[id("e1")] == Approx(30));
    CHECK(r.value[id("e0")] == Approx(90));
    CHECK(r.served_customers[id("e0")] == 2);
    CHECK(r.served_referrers[id("e0")] == 1);
    CHECK(r.served_customers[id("e1")] == 1);
    CHECK(r.referred_direct[id("c0")] == 1);
    CHECK(r.referred_indirect[id("c0")] == 1);
    // Engagement: interaction weight given and received.
    CHECK(r.engagement[id("c0")] == Approx(4));
    CHECK(r.engagement[id("c3")] == Approx(2));
    CHECK(r.engagement[id("e0")] == Approx(5));
    CHECK(r.engagement[id("e1")] == Approx(1));
    CHECK(r.engagement[id("c1")] == 0);
    // Reach with p = 1: everyone reachable along the arcs, oneself included (an RR-set estimate).
    CHECK(r.reach[id("c0")] == Approx(3).margin(0.1));
    CHECK(r.reach[id("c1")] == Approx(2).margin(0.1));
    CHECK(r.reach[id("c2")] == Approx(1).margin(0.1));
    CHECK(r.reach[id("e0")] == Approx(5).margin(0.1));
    CHECK(r.reach[id("e1")] == Approx(4).margin(0.1));
    // Percentiles within each kind, ties at their mid-rank: customers' values 0, 0, 40, 120 give
    // c2 and c3 (0.5) / 3, c1 2 / 3, c0 1; employees' 30 and 90 give 0 and 1.
    CHECK(r.value_pct[id("c2")] == Approx(1.0 / 6));
    CHECK(r.value_pct[id("c3")] == Approx(1.0 / 6));
    CHECK(r.value_pct[id("c1")] == Approx(2.0 / 3));
    CHECK(r.value_pct[id("c0")] == Approx(1));
    CHECK(r.value_pct[id("e1")] == 0);
    CHECK(r.value_pct[id("e0")] == 1);
    CHECK(r.engagement_pct[id("c3")] == Approx(2.0 / 3));
    // The score: 0.5 value + 0.3 reach + 0.2 engagement, of percentiles. c0 tops every customer part.
    CHECK(r.score[id("c0")] == Approx(1));
    CHECK(r.score[id("c3")] == Approx(0.5 / 6 + 0.3 * r.reach_pct[id("c3")] + 0.2 * 2.0 / 3));
    CHECK(r.score[id("e0")] == Approx(1));
    CHECK(r.score[id("e1")] == 0);
}

TEST_CASE("advocates compare everyone with everyone when asked, and weigh as told", "[engine][advocates]") {
    const auto g = small_org();
    const auto id = [&](const char* name) { return *g.find(name); };
    AdvocatesParams p;
    p.compare_within = engine::PercentileScope::all;
    p.weights = {1, 0, 0};  // value only
    RunContext run;
    const auto r = engine::advocates(g, p, run);
    // Values over all six: c2 0, c3 0, e1 30, c1 40, e0 90, c0 120; ranks 0.5, 0.5, 2, 3, 4, 5 of 5.
    CHECK(r.score[id("c2")] == Approx(0.1));
    CHECK(r.score[id("e1")] == Approx(0.4));
    CHECK(r.score[id("c1")] == Approx(0.6));
    CHECK(r.score[id("e0")] == Approx(0.8));
    CHECK(r.score[id("c0")] == Approx(1));
    // Only customers as candidates: employees are not ranked, though their credit still comes from
    // the customers they serve.
    p.candidate_kinds = {"customer"};
    const auto customers = engine::advocates(g, p, run);
    CHECK(customers.nodes.size() == 4);
}

TEST_CASE("advocates are the same at 1 and 2 threads", "[engine][advocates][determinism]") {
    const auto g = small_org();
    AdvocatesParams p;
    auto run_with = [&](std::size_t threads) {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
        RunContext run;
        return engine::advocates(g, p, run);
    };
    const auto one = run_with(1), two = run_with(2);
    CHECK(one.score == two.score);
    CHECK(one.reach == two.reach);
}

TEST_CASE("advocates refuse bad parameters with the field", "[engine][advocates]") {
    const auto g = small_org();
    RunContext run;
    const auto refused = [&](AdvocatesParams p, const std::string& field) {
        try {
            engine::advocates(g, p, run);
            FAIL("accepted");
        } catch (const graph::ParamError& e) {
            CHECK(e.field() == field);
        }
    };
    AdvocatesParams p;
    p.weights = {0, 0, 0};
    refused(p, "weights");
    p = {};
    p.weights.reach = -1;
    refused(p, "weights/reach");
    p = {};
    p.reach_samples = 0;
    refused(p, "reach_samples");
}
