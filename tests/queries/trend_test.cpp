// The trend op: windows, the planted events it must find in the right window, consistency with the
// op run on one window, and every refusal at its place.
#include <catch2/catch.hpp>

#include "smorg/graph/time.h"
#include "smorg/queries/query_engine.h"
#include "smorg/queries/sample.h"

#include "support/fixtures.h"
#include "tiny_support.h"

using nlohmann::json;
using smorg::queries::EngineOptions;
using smorg::queries::QueryEngine;
using smorg::queries::response_ok;

namespace {

QueryEngine org_engine(const smorg::testing::TempDir& dir, const smorg::queries::SampleOrgParams& p) {
    const auto files = smorg::queries::generate_sample_org(dir / "org", p);
    EngineOptions options;
    options.create = true;
    QueryEngine engine((dir / "org.db").string(), options);
    REQUIRE(response_ok(
        engine.execute({{"op", "import"}, {"nodes", files.nodes_file.string()}, {"edges", files.edges_file.string()}})));
    return engine;
}

json ok(QueryEngine& engine, const json& request) { return smorg::testing::result_of(engine, request); }

bool has_pair(const json& list, const std::string& a, const std::string& b) {
    for (const auto& c : list) {
        if (c["a"] == a && c["b"] == b) return true;
    }
    return false;
}

const json kYearly = {{"since", "2021-07-01"}, {"until", "2025-07-01"}, {"step", "1y"}};

}  // namespace

TEST_CASE("trend of silos finds the wall opening in the window it opened, and only there", "[queries][trend]") {
    smorg::testing::TempDir dir;
    smorg::queries::SampleOrgParams p;
    p.employees = 600;
    p.customers = 200;
    p.wall_opens = *smorg::graph::parse_timestamp("2023-07-01");
    auto engine = org_engine(dir, p);
    const auto r = ok(engine, {{"op", "trend"}, {"query", {{"op", "silos"}}}, {"windows", kYearly}});
    const auto& w = r["windows"];
    REQUIRE(w.size() == 4);
    CHECK(w[2]["since"] == "2023-07-01T00:00:00Z");
    for (std::size_t i = 0; i < 4; ++i) {
        INFO("window " << i);
        CHECK(w[i]["status"] == "ok");
        CHECK(has_pair(w[i]["cut_off"], "Engineering", "Support") == (i < 2));
        CHECK(has_pair(w[i]["opened"], "Engineering", "Support") == (i == 2));
    }
    bool found = false;
    for (const auto& c : r["significant_changes"]) {
        if (c["what"] == "pair opened" && c["a"] == "Engineering" && c["b"] == "Support") {
            CHECK(c["window"] == 2);
            CHECK(c["p_value"].get<double>() < 0.01);
            found = true;
        }
    }
    CHECK(found);

    // A window of the trend is the silos op on that window: the same E-I and ties.
    const auto one = ok(engine, {{"op", "silos"}, {"since", "2022-07-01"}, {"until", "2023-07-01"}});
    CHECK(w[1]["ties"] == one["ties"]);
    CHECK(w[1]["ei_index"] == one["ei_index"]);
    CHECK(w[1]["ei_p_value"] == one["ei_p_value"]);

    // Without the event the wall stands in every window and nothing opens it.
    smorg::testing::TempDir closed_dir;
    p.wall_opens.reset();
    auto closed = org_engine(closed_dir, p);
    const auto c = ok(closed, {{"op", "trend"}, {"query", {{"op", "silos"}}}, {"windows", kYearly}});
    for (const auto& x : c["windows"]) {
        CHECK(has_pair(x["cut_off"], "Engineering", "Support"));
        CHECK_FALSE(has_pair(x["opened"], "Engineering", "Support"));
    }
}

TEST_CASE("trend of crv finds the champion who stopped referring in the window they stopped", "[queries][trend]") {
    const json request = {{"op", "trend"}, {"query", {{"op", "crv"}}}, {"windows", kYearly}, {"top", 5}};
    const auto rank_of = [](const json& window, const std::string& id) -> std::int64_t {
        for (const auto& row : window["rows"]) {
            if (row["id"] == id) return row["rank"];
        }
        return -1;
    };
    smorg::queries::SampleOrgParams p;
    smorg::testing::TempDir base_dir;
    auto base = org_engine(base_dir, p);
    const auto before = ok(base, request)["windows"];
    smorg::testing::TempDir dir;
    p.champion_stops = *smorg::graph::parse_timestamp("2023-07-01");
    auto engine = org_engine(dir, p);
    const auto after = ok(engine, request)["windows"];
    REQUIRE(after.size() == 4);
    const std::string champion = "c000001";
    // The same until the stop; without it the champion stays in the top 5, with it they drop out of
    // the ranking in the window of the stop (listed as lost) and stay out.
    CHECK(rank_of(after[1], champion) == 1);
    CHECK(after[1] == before[1]);
    CHECK(rank_of(before[2], champion) > 0);
    CHECK(rank_of(before[3], champion) > 0);
    CHECK(rank_of(after[2], champion) == -1);
    CHECK(rank_of(after[3], champion) == -1);
    bool lost = false;
    for (const auto& l : after[2]["change"]["lost"]) lost = lost || (l["id"] == champion && l["rank"].is_null());
    CHECK(lost);
}

TEST_CASE("trend of rankings: ranks against the previous window, new and lost, tau, concentration", "[queries][trend]") {
    smorg::testing::TempDir dir;
    smorg::queries::SampleOrgParams p;
    auto engine = org_engine(dir, p);
    const auto r = ok(engine, {{"op", "trend"}, {"query", {{"op", "crv"}}}, {"windows", kYearly}, {"top", 5}});
    const auto& w = r["windows"];
    REQUIRE(w.size() == 4);
    CHECK(w[0]["change"]["status"] == "insufficient data");
    for (std::size_t i = 0; i < w.size(); ++i) {
        REQUIRE(w[i]["status"] == "ok");
        const auto c = w[i]["concentration"].get<double>();
        CHECK((c > 0.1 && c <= 1.0));
        REQUIRE(w[i]["rows"].size() == 5);
        // The window's top is crv's own top on that window.
        const auto one = ok(engine, {{"op", "crv"}, {"since", w[i]["since"]}, {"until", w[i]["until"]}, {"top", 5}});
        CHECK(w[i]["referrals"] == one["findings"]["referrals"]);
        for (std::size_t k = 0; k < 5; ++k) CHECK(w[i]["rows"][k]["id"] == one["rows"][k]["id"]);
        if (i == 0) continue;
        const auto tau = w[i]["change"]["kendall_tau"].get<double>();
        CHECK((tau >= -1 && tau <= 1));
        // Lost: in the previous top 5 and not in this one; new: the reverse.
        std::size_t fresh = 0;
        for (const auto& row : w[i]["rows"]) fresh += row["new"].get<bool>();
        CHECK(w[i]["change"]["lost"].size() == fresh);
        for (const auto& row : w[i]["rows"]) {
            bool before = false;
            for (const auto& prior : w[i - 1]["rows"]) before = before || prior["id"] == row["id"];
            CHECK(row["new"].get<bool>() == !before);
        }
    }
    // Cumulative windows all start at the first boundary and only grow.
    const auto cum =
        ok(engine, {{"op", "trend"},
                    {"query", {{"op", "crv"}}},
                    {"windows", {{"since", "2021-07-01"}, {"until", "2025-07-01"}, {"step", "1y"}, {"mode", "cumulative"}}}});
    std::uint64_t last = 0;
    for (const auto& x : cum["windows"]) {
        CHECK(x["since"] == "2021-07-01T00:00:00Z");
        CHECK(x["referrals"].get<std::uint64_t>() >= last);
        last = x["referrals"];
    }
    // A window with too few ties says so instead of giving numbers.
    const auto sparse = ok(engine, {{"op", "trend"},
                                    {"query", {{"op", "advocates"}}},
                                    {"windows", {{"since", "2026-06-01"}, {"until", "2026-09-01"}, {"step", "1mo"}}},
                                    {"min_ties", 1000}});
    for (const auto& x : sparse["windows"]) {
        CHECK(x["status"] == "insufficient data");
        CHECK_FALSE(x.contains("concentration"));
    }
    CHECK(sparse["windows_with_data"] == 0);
}

TEST_CASE("trend on CollegeMsg's real timestamps: monthly degree ranks cover the span", "[queries][trend][data]") {
    const auto file = smorg::testing::data_file("CollegeMsg/CollegeMsg.txt");
    if (file.empty()) return;
    smorg::testing::TempDir dir;
    EngineOptions options;
    options.create = true;
    QueryEngine engine((dir / "college.db").string(), options);
    REQUIRE(response_ok(engine.execute({{"op", "import"},
                                        {"edges", file.string()},
                                        {"format", "edgelist"},
                                        {"columns", {"source", "target", "timestamp"}},
                                        {"create_missing", true}})));
    const auto r = ok(engine, {{"op", "trend"},
                               {"query", {{"op", "centrality"}, {"algorithm", "degree"}}},
                               {"windows", {{"step", "1mo"}}},
                               {"inline_svg", true},
                               {"metric", "kendall_tau"}});
    const auto& w = r["windows"];
    // The data runs from 2004-04-15 to 2004-10-26: seven monthly windows from its first day.
    REQUIRE(w.size() == 7);
    CHECK(w[0]["since"] == "2004-04-15T00:00:00Z");
    std::uint64_t people_first = w[0]["people"], people_later = w[3]["people"];
    CHECK(people_first > 100);
    CHECK(people_later > 0);
    for (std::size_t i = 1; i < w.size(); ++i) {
        if (w[i]["status"] != "ok" || w[i - 1]["status"] != "ok") continue;
        const auto tau = w[i]["change"]["kendall_tau"].get<double>();
        CHECK((tau >= -1 && tau <= 1));
    }
    const auto svg = r["svg_inline"].get<std::string>();
    CHECK(svg.find("<polyline") != std::string::npos);
    CHECK(svg.find("2004-05-15") != std::string::npos);
}

TEST_CASE("trend refuses what it cannot honour, each at its place", "[queries][trend]") {
    smorg::testing::TempDir dir;
    smorg::queries::SampleOrgParams p;
    p.customers = 100;
    p.employees = 20;
    auto engine = org_engine(dir, p);
    const auto refused = [&](const json& request, const std::string& at) {
        const auto r = engine.execute(request);
        INFO(smorg::queries::to_text(r));
        REQUIRE_FALSE(response_ok(r));
        CHECK(r["error"]["at"] == at);
    };
    const json silos = {{"op", "silos"}};
    refused({{"op", "trend"}, {"windows", kYearly}}, "/query");
    refused({{"op", "trend"}, {"query", {{"op", "path"}}}, {"windows", kYearly}}, "/query/op");
    refused({{"op", "trend"}, {"query", {{"op", "silos"}, {"since", "2022-01-01"}}}, {"windows", kYearly}}, "/query/since");
    refused({{"op", "trend"}, {"query", {{"op", "silos"}, {"spanners", 3}}}, {"windows", kYearly}}, "/query/spanners");
    refused({{"op", "trend"}, {"query", {{"op", "crv"}, {"top", 3}}}, {"windows", kYearly}}, "/query/top");
    refused({{"op", "trend"}, {"query", {{"op", "silos"}, {"group_by", 3}}}, {"windows", kYearly}}, "/query/group_by");
    refused({{"op", "trend"}, {"query", {{"op", "silos"}, {"cut_off_ratio", -1}}}, {"windows", kYearly}}, "/query/cut_off_ratio");
    refused({{"op", "trend"}, {"query", {{"op", "silos"}, {"nonsense", 1}}}, {"windows", kYearly}}, "/query/nonsense");
    refused({{"op", "trend"}, {"query", silos}}, "/windows");
    refused({{"op", "trend"}, {"query", silos}, {"windows", {{"step", "5x"}}}}, "/windows/step");
    refused({{"op", "trend"}, {"query", silos}, {"windows", {{"since", "2021-01-01"}, {"until", "2026-01-01"}, {"step", "1d"}}}},
            "/windows/step");
    refused({{"op", "trend"}, {"query", silos}, {"windows", {{"boundaries", {"2022-01-01", "2021-01-01"}}}}},
            "/windows/boundaries/1");
    refused({{"op", "trend"}, {"query", silos}, {"windows", {{"boundaries", {"2022-01-01", "soon"}}}}}, "/windows/boundaries/1");
    refused({{"op", "trend"}, {"query", silos}, {"windows", {{"step", "1y"}, {"mode", "sliding"}}}}, "/windows/mode");
    refused({{"op", "trend"}, {"query", silos}, {"windows", kYearly}, {"top", 5}}, "/top");
    refused({{"op", "trend"}, {"query", {{"op", "crv"}}}, {"windows", kYearly}, {"top", 500}}, "/top");
    refused({{"op", "trend"}, {"query", silos}, {"windows", kYearly}, {"min_people", 5}}, "/min_people");
    refused({{"op", "trend"}, {"query", silos}, {"windows", kYearly}, {"min_ties", 0}}, "/min_ties");
    refused({{"op", "trend"}, {"query", silos}, {"windows", kYearly}, {"alpha", 1.5}}, "/alpha");
    refused({{"op", "trend"}, {"query", {{"op", "crv"}}}, {"windows", kYearly}, {"alpha", 0.01}}, "/alpha");
    refused({{"op", "trend"}, {"query", silos}, {"windows", kYearly}, {"metric", "ei_index"}}, "/metric");
    refused({{"op", "trend"}, {"query", silos}, {"windows", kYearly}, {"inline_svg", true}, {"metric", "concentration"}},
            "/metric");
    // The whole trend is held to one budget: the windows' estimates added up.
    const auto big = engine.execute({{"op", "trend"}, {"query", silos}, {"windows", kYearly}, {"max_work", 1}});
    REQUIRE_FALSE(response_ok(big));
    CHECK(big["error"]["code"] == "resource_exhausted");
    CHECK(big["error"]["at"] == "/windows");
    // An estimate adds up the windows' own.
    const auto e = engine.execute({{"op", "trend"}, {"query", silos}, {"windows", kYearly}, {"estimate", true}});
    REQUIRE(response_ok(e));
    CHECK(e["result"]["estimate"]["work"].get<double>() > 0);
}
