// Answers an analyst can trust: each case here pins a way an answer used to mislead without an error
// (a field taken and ignored, a population that was not the one asked for, a default that distorted).
#include <catch2/catch.hpp>

#include "smorg/queries/query_engine.h"

#include "smorg_test_paths.h"
#include "support/fixtures.h"
#include "tiny_support.h"

using nlohmann::json;
using smorg::queries::EngineOptions;
using smorg::queries::QueryEngine;
using smorg::queries::response_ok;

namespace {

using smorg::testing::import_tiny;
const std::string& kTiny = smorg::testing::tiny_dir();

// The ids in a result's rows, in order.
std::vector<std::string> ids(const json& rows) {
    std::vector<std::string> out;
    for (const auto& row : rows) out.push_back(row["id"]);
    return out;
}

}  // namespace

TEST_CASE("export attach computes on the exported ties and types ids as integers", "[queries][export]") {
    smorg::testing::TempDir dir;
    EngineOptions options;
    options.output_dir = dir.path();
    QueryEngine engine(":memory:", options);
    REQUIRE(response_ok(import_tiny(engine)));

    // Over interactions only, Ann's PageRank differs from the one over every tie: the attached
    // column must be the former.
    const auto alone =
        engine.execute({{"op", "centrality"}, {"algorithm", "pagerank"}, {"edge_kinds", {"interaction"}}, {"top", 0}});
    REQUIRE(response_ok(alone));
    double ann = -1;
    for (const auto& row : alone["result"]["rows"]) {
        if (row["id"] == "ann") ann = row["score"];
    }
    const auto all = engine.execute({{"op", "centrality"}, {"algorithm", "pagerank"}, {"top", 0}});
    double ann_all = -1;
    for (const auto& row : all["result"]["rows"]) {
        if (row["id"] == "ann") ann_all = row["score"];
    }
    REQUIRE(ann > 0);
    REQUIRE(std::abs(ann - ann_all) > 1e-6);

    const auto r = engine.execute({{"op", "export"},
                                   {"format", "graphml"},
                                   {"out", "g.graphml"},
                                   {"edge_kinds", {"interaction"}},
                                   {"attach", {{{"op", "centrality"}, {"algorithm", "pagerank"}}, {{"op", "communities"}}}}});
    REQUIRE(response_ok(r));
    const auto xml = smorg::testing::slurp(dir / "g.graphml");
    CHECK_THAT(xml, Catch::Contains(R"(attr.name="community" attr.type="int")"));
    // Fay and Dee have no interaction: they are not in the exported view, so not in the file.
    CHECK_THAT(xml, !Catch::Contains(R"(<node id="fay")"));
    CHECK_THAT(xml, !Catch::Contains(R"(<node id="dee")"));
    // The column's key, then Ann's value under it.
    const auto key_end = xml.find(R"(" for="node" attr.name="pagerank")");
    REQUIRE(key_end != std::string::npos);
    const auto key_begin = xml.rfind('"', key_end - 1) + 1;
    const auto key = xml.substr(key_begin, key_end - key_begin);
    const auto node = xml.find(R"(<node id="ann")");
    REQUIRE(node != std::string::npos);
    const auto data = xml.find("<data key=\"" + key + "\">", node);
    REQUIRE(data != std::string::npos);
    CHECK(std::stod(xml.substr(data + key.size() + 13)) == Approx(ann).epsilon(1e-12));

    SECTION("an attached request cannot choose its own view") {
        const auto bad = engine.execute({{"op", "export"},
                                         {"format", "graphml"},
                                         {"out", "h.graphml"},
                                         {"attach", {{{"op", "communities"}, {"edge_kinds", {"referral"}}}}}});
        REQUIRE_FALSE(response_ok(bad));
        CHECK(bad["error"]["at"] == "/attach/0/edge_kinds");
        CHECK_FALSE(std::filesystem::exists(dir / "h.graphml"));
    }
}

TEST_CASE("GraphML and GEXF stay well-formed XML when a name holds control characters", "[queries][export]") {
    smorg::testing::TempDir dir;
    const auto nodes = dir.write("nodes.csv", "id,kind,name\na,customer,\"Bell\x07 & <Tab>\x01\"\nb,customer,Bo\n");
    const auto edges = dir.write("edges.csv", "source,target\na,b\n");
    EngineOptions options;
    options.output_dir = dir.path();
    QueryEngine engine(":memory:", options);
    REQUIRE(response_ok(engine.execute({{"op", "import"}, {"nodes", nodes.string()}, {"edges", edges.string()}})));
    for (const char* format : {"graphml", "gexf"}) {
        const std::string out = std::string("g.") + format;
        REQUIRE(response_ok(engine.execute({{"op", "export"}, {"format", format}, {"out", out}})));
        const auto xml = smorg::testing::slurp(dir / out);
        CHECK(xml.find('\x07') == std::string::npos);
        CHECK(xml.find('\x01') == std::string::npos);
        CHECK_THAT(xml, Catch::Contains("Bell\xEF\xBF\xBD &amp; &lt;Tab"));
        CHECK(xml.find("&#") == std::string::npos);  // XML 1.0 refuses references to control characters too
    }
}

TEST_CASE("a borrowed person's node answer names its batch and provenance", "[queries][import]") {
    smorg::testing::TempDir dir;
    const auto campaign = dir.write("campaign.csv", "source,target,kind\nann,zed,referral\n");
    QueryEngine engine(":memory:");
    REQUIRE(response_ok(import_tiny(engine)));
    const auto r = engine.execute(
        json::array({{{"op", "import"}, {"edges", campaign.string()}, {"provenance", "borrowed"}, {"create_missing", true}},
                     {{"op", "node"}, {"id", "zed"}}}));
    REQUIRE(response_ok(r));
    CHECK(r[1]["result"]["batch"] == r[0]["result"]["batch"]);
    CHECK(r[1]["result"]["batch"].get<int>() > 1);
    CHECK(r[1]["result"]["provenance"] == "borrowed");
}

TEST_CASE("advocates take since and until", "[queries][advocates]") {
    QueryEngine engine(":memory:");
    REQUIRE(response_ok(import_tiny(engine)));
    // The referrals are dated 2023-12-01 (dee -> ann), 2024-01-10 (ann -> bob), 2024-02-01 (bob -> cai).
    const auto all = engine.execute({{"op", "advocates"}, {"top", 0}});
    const auto late = engine.execute({{"op", "advocates"}, {"top", 0}, {"since", "2024-01-15"}});
    REQUIRE(response_ok(all));
    REQUIRE(response_ok(late));
    CHECK(all["result"]["findings"]["referrals"] == 3);
    CHECK(late["result"]["findings"]["referrals"] == 1);
    for (const auto& row : late["result"]["rows"]) {
        if (row["id"] == "dee") CHECK(row["components"]["value"]["raw"] == 0.0);
        if (row["id"] == "bob") CHECK(row["components"]["value"]["raw"].get<double>() > 0);
    }
    const auto none = engine.execute({{"op", "advocates"}, {"until", "2020-01-01"}});
    REQUIRE(response_ok(none));
    REQUIRE(none["result"].contains("warnings"));
    CHECK_THAT(none["result"]["warnings"][0].get<std::string>(), Catch::Contains("no referral ties in the chosen window"));
}

TEST_CASE("spread explains whom the seeds reach most", "[queries][spread]") {
    QueryEngine engine(":memory:");
    REQUIRE(response_ok(import_tiny(engine)));
    const auto r = engine.execute({{"op", "spread"}, {"seeds", {"dee"}}, {"explain", true}, {"simulations", 2000}});
    REQUIRE(response_ok(r));
    const auto& most = r["result"]["reached_most"];
    REQUIRE(most.size() >= 1);
    double previous = 1;
    for (const auto& row : most) {
        CHECK(row["id"] != "dee");  // the seeds themselves are not listed
        const double share = row["share_of_simulations"];
        CHECK(share > 0);
        CHECK(share <= previous);
        previous = share;
    }
    // Ann is dee's only out-tie: she is reached at least as often as anyone downstream of her.
    CHECK(most[0]["id"] == "ann");
    const auto plain = engine.execute({{"op", "spread"}, {"seeds", {"dee"}}, {"top", 3}});
    REQUIRE_FALSE(response_ok(plain));
    CHECK(plain["error"]["at"] == "/top");
}

TEST_CASE("an empty population comes with a warning naming the kinds found", "[queries][advocates][crv]") {
    smorg::testing::TempDir dir;
    const auto edges = dir.write("edges.csv", "source,target\na,b\nb,c\n");
    QueryEngine engine(":memory:");
    REQUIRE(response_ok(engine.execute({{"op", "import"}, {"edges", edges.string()}, {"create_missing", true}})));
    const auto advocates = engine.execute({{"op", "advocates"}});
    REQUIRE(response_ok(advocates));
    CHECK(advocates["result"]["candidates"] == 0);
    REQUIRE(advocates["result"]["warnings"].size() == 1);
    CHECK_THAT(advocates["result"]["warnings"][0].get<std::string>(), Catch::Contains("unknown (3)"));
    const auto crv = engine.execute({{"op", "crv"}});
    REQUIRE(response_ok(crv));
    REQUIRE(crv["result"]["warnings"].size() == 2);
    CHECK_THAT(crv["result"]["warnings"][1].get<std::string>(), Catch::Contains("interaction (2)"));
    // A population that is there has no warnings.
    QueryEngine tiny(":memory:");
    REQUIRE(response_ok(import_tiny(tiny)));
    CHECK_FALSE(tiny.execute({{"op", "crv"}})["result"].contains("warnings"));
}

TEST_CASE("a missing input file is not_found at its field", "[queries][import]") {
    QueryEngine engine(":memory:");
    const auto r = engine.execute(
        {{"op", "import"}, {"nodes", kTiny + "nodes.csv"}, {"edges", {kTiny + "edges.csv", kTiny + "absent.csv"}}});
    REQUIRE_FALSE(response_ok(r));
    CHECK(r["error"]["code"] == "not_found");
    CHECK(r["error"]["at"] == "/edges/1");
    CHECK(engine.execute({{"op", "stats"}})["result"]["nodes"] == 0);
}

TEST_CASE("katz by default ranks the tiny graph, with its alpha said", "[queries][katz]") {
    QueryEngine engine(":memory:");
    REQUIRE(response_ok(import_tiny(engine)));
    const auto r = engine.execute({{"op", "centrality"}, {"algorithm", "katz"}, {"top", 0}});
    REQUIRE(response_ok(r));
    CHECK(r["result"]["alpha_chosen"] == true);
    CHECK(r["result"]["alpha"] == 0.1);  // the graph has no cycle: networkx's default converges
    CHECK(r["result"]["converged"] == true);
    CHECK(r["result"]["rows"].size() == 6);
    CHECK(ids(r["result"]["rows"])[0] == "cai");
}

TEST_CASE("fields that would change nothing are refused at their pointer", "[queries][protocol]") {
    QueryEngine engine(":memory:");
    REQUIRE(response_ok(import_tiny(engine)));
    const auto refused_at = [&](const json& request) {
        const auto r = engine.execute(request);
        return response_ok(r) ? std::string("(answered)") : r["error"]["at"].get<std::string>();
    };
    // Nothing is random in an exact run.
    CHECK(refused_at({{"op", "centrality"}, {"algorithm", "betweenness"}, {"seed", 3}}) == "/seed");
    CHECK(refused_at({{"op", "centrality"}, {"algorithm", "closeness"}, {"seed", 3}}) == "/seed");
    CHECK(refused_at({{"op", "centrality"}, {"algorithm", "betweenness"}, {"pivots", 2}, {"seed", 3}}) == "(answered)");
    // Weights matter to spread only through the "weight" probability.
    CHECK(refused_at({{"op", "spread"}, {"seeds", {"ann"}}, {"probability", 0.5}, {"weighted", false}}) == "/weighted");
    CHECK(refused_at({{"op", "spread"}, {"seeds", {"ann"}}, {"weighted", false}}) == "(answered)");
    // Referral value counts money along referrals as made.
    CHECK(refused_at({{"op", "crv"}, {"directed", false}}) == "/directed");
    CHECK(refused_at({{"op", "crv"}, {"weighted", false}}) == "/weighted");
    // Components: weights make none, and the connectivity decides direction.
    CHECK(refused_at({{"op", "components"}, {"weighted", false}}) == "/weighted");
    CHECK(refused_at({{"op", "components"}, {"directed", false}}) == "/directed");
    // Label propagation has no levels and no modularity gain to stop at.
    CHECK(refused_at({{"op", "communities"}, {"algorithm", "label_propagation"}, {"max_levels", 3}}) == "/max_levels");
    CHECK(refused_at({{"op", "communities"}, {"algorithm", "louvain"}, {"randomness", 0.1}}) == "/randomness");
    // An attribute asked for by name must exist (the defaults may be absent).
    const auto missing = engine.execute({{"op", "crv"}, {"value_attribute", "revenue"}});
    CHECK(missing["error"]["code"] == "not_found");
    CHECK(missing["error"]["at"] == "/value_attribute");
    // The history prior is reported at its own field.
    CHECK(refused_at({{"op", "spread"}, {"seeds", {"ann"}}, {"probability", "history"}, {"prior", {{"referrals", 0}}}}) ==
          "/prior");
}

TEST_CASE("export attach refuses what would silently change an attached analysis", "[queries][export]") {
    smorg::testing::TempDir dir;
    EngineOptions options;
    options.output_dir = dir.path();
    QueryEngine engine(":memory:", options);
    REQUIRE(response_ok(import_tiny(engine)));
    for (const bool estimate : {false, true}) {
        // crv's edge kinds are its referrals: an export over interactions would count them as referrals.
        const auto crv = engine.execute({{"op", "export"},
                                         {"format", "dot"},
                                         {"out", "a.dot"},
                                         {"edge_kinds", {"interaction"}},
                                         {"attach", {{{"op", "crv"}}}},
                                         {"estimate", estimate}});
        CHECK(crv["error"]["at"] == "/edge_kinds");
        // advocates takes no edge kinds at all.
        const auto advocates = engine.execute({{"op", "export"},
                                               {"format", "dot"},
                                               {"out", "a.dot"},
                                               {"edge_kinds", {"interaction"}},
                                               {"attach", {{{"op", "advocates"}}}},
                                               {"estimate", estimate}});
        CHECK(advocates["error"]["at"] == "/edge_kinds");
        const auto seeds = engine.execute({{"op", "export"},
                                           {"format", "dot"},
                                           {"out", "a.dot"},
                                           {"attach", {{{"op", "seeds"}, {"k", 1}}}},
                                           {"estimate", estimate}});
        CHECK(seeds["error"]["at"] == "/attach/0/op");
    }
    CHECK_FALSE(std::filesystem::exists(dir / "a.dot"));
    // keep_isolated reaches the attached analysis: everyone of the export has a value.
    const auto kept = engine.execute({{"op", "export"},
                                      {"format", "graphml"},
                                      {"out", "k.graphml"},
                                      {"edge_kinds", {"interaction"}},
                                      {"keep_isolated", true},
                                      {"attach", {{{"op", "centrality"}, {"algorithm", "degree"}}}}});
    REQUIRE(response_ok(kept));
    CHECK(kept["result"]["nodes"] == 6);
    const auto xml = smorg::testing::slurp(dir / "k.graphml");
    const auto fay = xml.find(R"(<node id="fay")");
    REQUIRE(fay != std::string::npos);
    CHECK(xml.substr(fay, xml.find("</node>", fay) - fay).find("<data key=\"a3\">0</data>") != std::string::npos);
}

TEST_CASE("spread counts every seed among its nodes and explains with top 0 as many as it may", "[queries][spread]") {
    QueryEngine engine(":memory:");
    REQUIRE(response_ok(import_tiny(engine)));
    // Over referrals Fay has no tie: as a seed she reaches herself and takes part.
    const auto r = engine.execute(
        {{"op", "spread"}, {"seeds", {"dee", "fay"}}, {"edge_kinds", {"referral"}}, {"explain", true}, {"top", 0}});
    REQUIRE(response_ok(r));
    CHECK(r["result"]["nodes"] == 5);     // dee, ann, bob, cai and fay
    CHECK(r["result"]["isolated"] == 1);  // eve
    CHECK(r["result"]["reached_most"].size() == 3);
    CHECK(r["result"]["mean"].get<double>() >= 2.0);
}

TEST_CASE("the wall counts contacts in the map's time window", "[queries][silos]") {
    QueryEngine engine(":memory:");
    REQUIRE(response_ok(import_tiny(engine)));
    // Eve's interactions with customers are dated 2024-01-05 (ann) and 2024-01-20 (bob).
    const auto all = engine.execute({{"op", "silos"}, {"permutations", 0}});
    const auto late = engine.execute({{"op", "silos"}, {"permutations", 0}, {"since", "2024-01-10"}});
    REQUIRE(response_ok(all));
    REQUIRE(response_ok(late));
    CHECK(all["result"]["wall"]["customers_with_employee_contact"] == 2);
    CHECK(late["result"]["wall"]["customers_with_employee_contact"] == 1);
}
