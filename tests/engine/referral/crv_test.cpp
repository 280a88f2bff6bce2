#include "smorg/engine/referral/crv.h"

#include <map>

#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include "support/fixtures.h"

using namespace smorg;
using engine::CrvParams;
using engine::RunContext;
using graph::NodeIndex;

namespace {

struct Referral {
    std::string from, to;
    graph::Timestamp at = graph::kNoTimestamp;
    std::optional<double> value = std::nullopt;
};

// Customers with CLVs (and optional join times) and referral edges between them.
graph::Snapshot referrals(const std::map<std::string, double>& clv, const std::vector<Referral>& edges,
                          const std::map<std::string, double>& joined = {}) {
    graph::SnapshotBuilder b;
    const auto customer = b.node_kinds().intern("customer");
    const auto referral = b.edge_kinds().intern("referral");
    for (const auto& [id, value] : clv) {
        const auto u = b.add_node(id, customer, 1);
        b.set_attribute(u, "clv", value);
    }
    for (const auto& [id, t] : joined) b.set_attribute(*b.find(id), "joined_at", t);
    for (const auto& e : edges) b.add_edge({*b.find(e.from), *b.find(e.to), referral, 1.0, e.at, e.value});
    return std::move(b).build();
}

double crv_of(const graph::Snapshot& g, const engine::CrvResult& r, const std::string& id) { return r.crv[*g.find(id)]; }

}  // namespace

TEST_CASE("CRV of a chain decays per hop and stops at max_depth", "[engine][crv]") {
    //  a -> b -> c -> d      CLV b 100, c 200, d 400
    const auto g = referrals({{"a", 0}, {"b", 100}, {"c", 200}, {"d", 400}}, {{"a", "b"}, {"b", "c"}, {"c", "d"}});
    RunContext run;
    CrvParams p;
    auto r = engine::crv(g, p, run);
    CHECK(crv_of(g, r, "a") == Approx(100 + 0.5 * 200 + 0.25 * 400));
    CHECK(r.direct[*g.find("a")] == Approx(100));
    CHECK(r.indirect[*g.find("a")] == Approx(200));
    CHECK(crv_of(g, r, "b") == Approx(200 + 0.5 * 400));
    CHECK(crv_of(g, r, "c") == Approx(400));
    REQUIRE(r.nodes.size() == 3);
    CHECK(r.referred_by_depth[0] == std::vector<std::uint32_t>{1, 1, 1});
    p.max_depth = 2;
    r = engine::crv(g, p, run);
    CHECK(crv_of(g, r, "a") == Approx(200));
    p.decay = 1;
    p.organic_share = 0.25;
    p.acquisition_cost = 40;
    r = engine::crv(g, p, run);
    // each referred customer: 0.75 * CLV + 0.25 * 40
    CHECK(crv_of(g, r, "a") == Approx(0.75 * 100 + 10 + 0.75 * 200 + 10));
}

TEST_CASE("CRV attributes a customer with several referrers first, last or evenly", "[engine][crv]") {
    //      a               b referred d at t=5, c at t=3
    //     / \.
    //    b   c             CLV b 10, c 20, d 40
    //     \ /
    //      d
    const auto g =
        referrals({{"a", 0}, {"b", 10}, {"c", 20}, {"d", 40}}, {{"a", "b", 1}, {"a", "c", 1}, {"b", "d", 5}, {"c", "d", 3}});
    RunContext run;
    CrvParams p;
    auto r = engine::crv(g, p, run);  // first: c gets d
    CHECK(r.findings.multi_referrer_customers == 1);
    CHECK(crv_of(g, r, "c") == Approx(40));
    CHECK(crv_of(g, r, "b") == 0);
    CHECK(crv_of(g, r, "a") == Approx(30 + 0.5 * 40));
    p.attribution = engine::Attribution::last;
    r = engine::crv(g, p, run);
    CHECK(crv_of(g, r, "b") == Approx(40));
    CHECK(crv_of(g, r, "c") == 0);
    p.attribution = engine::Attribution::even;
    r = engine::crv(g, p, run);
    CHECK(crv_of(g, r, "b") == Approx(20));
    CHECK(crv_of(g, r, "c") == Approx(20));
    // a reaches d through both halves: d counts once, with its whole weight
    CHECK(crv_of(g, r, "a") == Approx(30 + 0.5 * 40));
    CHECK(r.referred_by_depth[0] == std::vector<std::uint32_t>{2, 1});
}

TEST_CASE("referrals at the very same time share the credit under first and last", "[engine][crv]") {
    // a and b both referred w at the same second; c referred it later. Neither a nor b came first:
    // under "first" they share w's value, whatever the order they were stored in; under "last" c
    // gets it all.
    for (const bool a_listed_first : {true, false}) {
        std::vector<Referral> edges{{"a", "w", 1000}, {"b", "w", 1000}, {"c", "w", 2000}};
        if (!a_listed_first) std::swap(edges[0], edges[1]);
        const auto g = referrals({{"a", 1}, {"b", 1}, {"c", 1}, {"w", 100}}, edges);
        CrvParams p;
        RunContext run;
        auto r = engine::crv(g, p, run);
        CHECK(crv_of(g, r, "a") == Approx(50));
        CHECK(crv_of(g, r, "b") == Approx(50));
        CHECK(crv_of(g, r, "c") == 0);
        p.attribution = engine::Attribution::last;
        r = engine::crv(g, p, run);
        CHECK(crv_of(g, r, "c") == Approx(100));
        CHECK(crv_of(g, r, "a") == 0);
    }
}

TEST_CASE("self-referrals, repeats and referrals of existing customers never add value", "[engine][crv]") {
    //  a -> a (self), a -> b twice, a -> c after c had joined, a -> d (fine)
    const auto g =
        referrals({{"a", 0}, {"b", 100}, {"c", 100}, {"d", 100}},
                  {{"a", "a", 10}, {"a", "b", 10}, {"a", "b", 20}, {"a", "c", 500}, {"a", "d", 10}}, {{"c", 100.0}, {"d", 10.0}});
    RunContext run;
    const auto r = engine::crv(g, CrvParams{}, run);
    CHECK(r.findings.referrals == 5);
    CHECK(r.findings.self_referrals == 1);
    CHECK(r.findings.repeat_referrals == 1);
    CHECK(r.findings.already_customers == 1);
    CHECK(r.findings.used == 2);
    CHECK(crv_of(g, r, "a") == Approx(200));
}

TEST_CASE("a referral cycle without timestamps is walked once, never back to the referrer", "[engine][crv]") {
    //  a -> b -> c -> a
    const auto g = referrals({{"a", 1}, {"b", 10}, {"c", 100}}, {{"a", "b"}, {"b", "c"}, {"c", "a"}});
    RunContext run;
    const auto r = engine::crv(g, CrvParams{}, run);
    CHECK(r.findings.cycle_members == 3);
    CHECK(crv_of(g, r, "a") == Approx(10 + 0.5 * 100));
    CHECK(crv_of(g, r, "b") == Approx(100 + 0.5 * 1));
}

TEST_CASE("a referral's own value wins over the customer's CLV", "[engine][crv]") {
    const auto g = referrals({{"a", 0}, {"b", 100}}, {{"a", "b", graph::kNoTimestamp, 30.0}});
    RunContext run;
    CHECK(crv_of(g, engine::crv(g, CrvParams{}, run), "a") == Approx(30));
}

TEST_CASE("CRV explains a referrer with its most valuable customers and chains", "[engine][crv]") {
    const auto g = referrals({{"a", 0}, {"b", 100}, {"c", 200}, {"d", 50}}, {{"a", "b"}, {"b", "c"}, {"a", "d"}});
    RunContext run;
    CrvParams p;
    p.explain = 1;
    const auto r = engine::crv(g, p, run);
    REQUIRE(r.explanations.size() == 1);
    const auto& [who, contributions] = r.explanations[0];
    CHECK(g.id(who) == "a");
    REQUIRE(contributions.size() == 3);
    CHECK(g.id(contributions[0].customer) == "b");
    CHECK(contributions[1].value == Approx(100));  // c: 0.5 * 200
    std::vector<std::string> chain;
    for (auto u : contributions[1].chain) chain.emplace_back(g.id(u));
    CHECK(chain == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("Kumar's segments split customers by CLV and CRV", "[engine][crv]") {
    //  a (CLV 500) refers b and c; d (CLV 10) refers e; b, c, e refer nobody
    const auto g = referrals({{"a", 500}, {"b", 20}, {"c", 30}, {"d", 10}, {"e", 400}}, {{"a", "b"}, {"a", "c"}, {"d", "e"}});
    RunContext run;
    CrvParams p;
    p.clv_split = 100;
    p.crv_split = 0;
    const auto r = engine::crv(g, p, run);
    std::map<std::string, engine::Segment> by_id;
    for (const auto& [u, s] : r.segments) by_id[std::string(g.id(u))] = s;
    CHECK(by_id["a"] == engine::Segment::champions);
    CHECK(by_id["e"] == engine::Segment::affluents);
    CHECK(by_id["d"] == engine::Segment::advocates);
    CHECK(by_id["b"] == engine::Segment::misers);
    CHECK(r.segment_counts[static_cast<int>(engine::Segment::misers)] == 2);
}

TEST_CASE("CRV refuses bad parameters with the field", "[engine][crv]") {
    const auto g = referrals({{"a", 0}, {"b", 1}}, {{"a", "b"}});
    RunContext run;
    auto field_of = [&](const CrvParams& p) {
        try {
            (void)engine::crv(g, p, run);
        } catch (const engine::ParamError& e) {
            return e.field();
        }
        return std::string("none");
    };
    CrvParams p;
    p.organic_share = 1.5;
    CHECK(field_of(p) == "organic_share");
    p = {};
    p.decay = -0.1;
    CHECK(field_of(p) == "decay");
    p = {};
    p.max_depth = 0;
    CHECK(field_of(p) == "max_depth");
    p = {};
    p.acquisition_cost = -1;
    CHECK(field_of(p) == "acquisition_cost");
}

TEST_CASE("CRV is the same at 1 and 2 threads", "[engine][crv][determinism]") {
    std::map<std::string, double> clv;
    std::vector<Referral> edges;
    for (int i = 0; i < 3000; ++i) clv["c" + std::to_string(i)] = 10 + i % 97;
    for (int i = 1; i < 3000; ++i) edges.push_back({"c" + std::to_string((i * 7919) % i), "c" + std::to_string(i), i});
    const auto g = referrals(clv, edges);
    auto run_with = [&](int threads) {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
        RunContext run;
        return engine::crv(g, CrvParams{}, run).crv;
    };
    CHECK(run_with(1) == run_with(2));
}
