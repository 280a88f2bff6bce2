// The analyst's workflow around a result: filter people by attribute (`where`), keep a result as a
// derived attribute (`write`), carry community ids from one run to the next (`previous`), and data
// that is shown but not held (`displayed`).
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "smorg/queries/query_engine.h"
#include "smorg/queries/sample.h"

#include "support/fixtures.h"
#include "tiny_support.h"

using nlohmann::json;
using smorg::queries::EngineOptions;
using smorg::queries::QueryEngine;
using smorg::queries::response_ok;

namespace {

struct Person {
    std::string kind, department;
    std::optional<double> clv;
};

// The sample organization's people as its nodes.csv says, read independently of smorg.
std::map<std::string, Person> read_people(const std::filesystem::path& nodes_csv) {
    std::map<std::string, Person> out;
    std::ifstream in(nodes_csv);
    std::string line;
    std::getline(in, line);  // id,kind,name,department,clv,joined_at
    while (std::getline(in, line)) {
        std::vector<std::string> cells;
        std::stringstream row(line);
        std::string cell;
        while (std::getline(row, cell, ',')) cells.push_back(cell);
        cells.resize(6);
        Person p{cells[1], cells[3], std::nullopt};
        if (!cells[4].empty()) p.clv = std::stod(cells[4]);
        out[cells[0]] = p;
    }
    return out;
}

struct Org {
    smorg::testing::TempDir dir;
    smorg::queries::SampleOrgReport files;
    std::map<std::string, Person> people;
};

std::unique_ptr<Org> make_org() {
    auto org = std::make_unique<Org>();
    org->files = smorg::queries::generate_sample_org(org->dir / "org", {});
    org->people = read_people(org->files.nodes_file);
    return org;
}

QueryEngine open_engine(const Org& org, bool import) {
    EngineOptions options;
    options.create = true;
    QueryEngine engine((org.dir / "org.db").string(), options);
    if (import) {
        REQUIRE(response_ok(engine.execute(
            {{"op", "import"}, {"nodes", org.files.nodes_file.string()}, {"edges", org.files.edges_file.string()}})));
    }
    return engine;
}

json ok(QueryEngine& engine, const json& request) { return smorg::testing::result_of(engine, request); }

// The error of a refused request, checked to be at `at` with `code`.
json refused(QueryEngine& engine, const json& request, const std::string& at, const std::string& code = "invalid_argument") {
    auto r = engine.execute(request);
    INFO(smorg::queries::to_text(r).substr(0, 2000));
    REQUIRE_FALSE(response_ok(r));
    CHECK(r["error"]["at"] == at);
    CHECK(r["error"]["code"] == code);
    return r["error"];
}

std::set<std::string> row_ids(const json& rows) {
    std::set<std::string> out;
    for (const auto& row : rows) out.insert(row["id"].get<std::string>());
    return out;
}

}  // namespace

TEST_CASE("where keeps exactly the people whose attributes meet every condition", "[queries][where]") {
    auto org_ptr = make_org();
    auto& org = *org_ptr;
    auto engine = open_engine(org, true);

    // Degree over every tie, all rows: the population is the people the conditions select.
    auto select = [&](auto&& keep) {
        std::set<std::string> ids;
        for (const auto& [id, p] : org.people) {
            if (keep(p)) ids.insert(id);
        }
        return ids;
    };
    const auto clv_500_or_more = select([](const Person& p) { return p.clv && *p.clv >= 500; });
    REQUIRE(clv_500_or_more.size() > 50);
    auto r = ok(engine, {{"op", "centrality"}, {"algorithm", "degree"}, {"top", 0}, {"where", {{"clv", {{">=", 500}}}}}});
    CHECK(r["nodes"] == clv_500_or_more.size());
    CHECK(row_ids(r["rows"]) == clv_500_or_more);

    // Several conditions, and several operators on one attribute, all hold.
    const auto band = select([](const Person& p) { return p.clv && *p.clv >= 200 && *p.clv < 800 && p.kind == "customer"; });
    r = ok(engine, {{"op", "centrality"},
                    {"algorithm", "degree"},
                    {"top", 0},
                    {"node_kinds", {"customer"}},
                    {"where", {{"clv", {{">=", 200}, {"<", 800}}}}}});
    CHECK(row_ids(r["rows"]) == band);

    // A person without a value meets no condition but exists: false: != keeps only employees.
    const auto not_sales = select([](const Person& p) { return !p.department.empty() && p.department != "Sales"; });
    r = ok(engine, {{"op", "centrality"}, {"algorithm", "degree"}, {"top", 0}, {"where", {{"department", {{"!=", "Sales"}}}}}});
    CHECK(row_ids(r["rows"]) == not_sales);
    const auto no_department = select([](const Person& p) { return p.department.empty(); });
    r = ok(engine, {{"op", "centrality"}, {"algorithm", "degree"}, {"top", 0}, {"where", {{"department", {{"exists", false}}}}}});
    CHECK(row_ids(r["rows"]) == no_department);
    const auto two = select([](const Person& p) { return p.department == "Sales" || p.department == "Support"; });
    r = ok(
        engine,
        {{"op", "centrality"}, {"algorithm", "degree"}, {"top", 0}, {"where", {{"department", {{"in", {"Sales", "Support"}}}}}}});
    CHECK(row_ids(r["rows"]) == two);
    r = ok(engine, {{"op", "centrality"},
                    {"algorithm", "degree"},
                    {"top", 0},
                    {"node_kinds", {"employee"}},
                    {"where", {{"department", {{"not_in", {"Sales", "Support"}}}}}}});
    CHECK(r["nodes"] == select([](const Person& p) {
                            return p.kind == "employee" && p.department != "Sales" && p.department != "Support";
                        }).size());

    // Kept views are told apart by their conditions: PageRank over two selections differs.
    const auto a = ok(engine, {{"op", "centrality"}, {"algorithm", "pagerank"}, {"top", 1}, {"where", {{"clv", {{">=", 500}}}}}});
    const auto b = ok(engine, {{"op", "centrality"}, {"algorithm", "pagerank"}, {"top", 1}, {"where", {{"clv", {{"<", 500}}}}}});
    CHECK(a["nodes"] != b["nodes"]);
    CHECK(a["nodes"].get<std::size_t>() + b["nodes"].get<std::size_t>() ==
          select([](const Person& p) { return p.clv.has_value(); }).size());

    // Every op that takes node kinds takes where, and its population shrinks to match.
    const json where = {{"department", {{"in", {"Engineering", "Support"}}}}};
    const auto eng_support = select([](const Person& p) { return p.department == "Engineering" || p.department == "Support"; });
    CHECK(ok(engine, {{"op", "communities"}, {"rows", false}, {"where", where}, {"keep_isolated", true}})["nodes"] ==
          eng_support.size());
    CHECK(ok(engine, {{"op", "components"}, {"top", 1}, {"where", where}, {"keep_isolated", true}})["nodes"] ==
          eng_support.size());
    CHECK(ok(engine, {{"op", "silos"}, {"where", where}, {"spanners", 0}, {"introductions", 0}})["people"].get<std::size_t>() <=
          eng_support.size());
    const auto groups = ok(engine, {{"op", "silos"}, {"where", where}, {"spanners", 0}, {"introductions", 0}})["groups"];
    CHECK(groups.size() == 2);
    // advocates: where chooses who is ranked.
    const auto customers_500 = select([](const Person& p) { return p.kind == "customer" && p.clv && *p.clv >= 500; });
    auto adv =
        ok(engine, {{"op", "advocates"}, {"top", 0}, {"candidate_kinds", {"customer"}}, {"where", {{"clv", {{">=", 500}}}}}});
    CHECK(adv["candidates"] == customers_500.size());
    CHECK(row_ids(adv["rows"]) == customers_500);
}

TEST_CASE("where is refused at the pointer of what does not fit", "[queries][where]") {
    auto org_ptr = make_org();
    auto& org = *org_ptr;
    auto engine = open_engine(org, true);
    const json base = {{"op", "centrality"}, {"algorithm", "degree"}};
    auto with = [&](json where) {
        json r = base;
        r["where"] = std::move(where);
        return r;
    };
    refused(engine, with({{"clv", {{">=", "100"}}}}), "/where/clv/>=");
    refused(engine, with({{"department", {{"<", "Sales"}}}}), "/where/department/<");
    refused(engine, with({{"department", {{"in", {"Sales", 3}}}}}), "/where/department/in/1");
    refused(engine, with({{"department", {{"in", json::array()}}}}), "/where/department/in");
    refused(engine, with({{"department", {{"like", "S%"}}}}), "/where/department/like");
    refused(engine, with({{"department", json::object()}}), "/where/department");
    refused(engine, with({{"clv", {{"exists", 1}}}}), "/where/clv/exists");
    refused(engine, with({{"clv", {{"=", nullptr}}}}), "/where/clv/=");
    refused(engine, with(json::array({1})), "/where");
    const auto e = refused(engine, with({{"dept", {{"=", "Sales"}}}}), "/where/dept", "not_found");
    CHECK(e["message"].get<std::string>().find("department (string)") != std::string::npos);
    refused(engine, with({{"a/b", {{"=", 1}}}}), "/where/a~1b", "not_found");
    // An op without node kinds has no where either.
    refused(engine, {{"op", "neighbors"}, {"id", "c000001"}, {"where", {{"clv", {{">", 1}}}}}}, "/where");
    // An attached analysis runs on the export's people: it may not choose its own.
    smorg::testing::TempDir out;
    EngineOptions options;
    options.output_dir = out.path();
    QueryEngine exporter((org.dir / "org.db").string(), options);
    refused(exporter,
            {{"op", "export"},
             {"format", "graphml"},
             {"out", "g.graphml"},
             {"attach", {{{"op", "centrality"}, {"algorithm", "degree"}, {"where", {{"clv", {{">", 1}}}}}}}}},
            "/attach/0/where");
    const auto exported = ok(exporter, {{"op", "export"},
                                        {"format", "graphml"},
                                        {"out", "g.graphml"},
                                        {"where", {{"clv", {{">=", 500}}}}},
                                        {"keep_isolated", true},
                                        {"attach", {{{"op", "centrality"}, {"algorithm", "degree"}}}}});
    std::size_t rich = 0;
    for (const auto& [id, p] : org.people)
        if (p.clv && *p.clv >= 500) ++rich;
    CHECK(exported["nodes"] == rich);
}

TEST_CASE("write keeps a result as a derived attribute, in one batch, visible everywhere", "[queries][write]") {
    auto org_ptr = make_org();
    auto& org = *org_ptr;
    double score_c1 = 0;
    std::size_t people = 0;
    {
        auto engine = open_engine(org, true);
        const auto r = ok(engine, {{"op", "centrality"},
                                   {"algorithm", "pagerank"},
                                   {"top", 0},
                                   {"node_kinds", {"customer"}},
                                   {"write", {{"attribute", "pagerank_q3"}}}});
        people = r["nodes"];
        CHECK(r["written"]["people"] == people);
        CHECK(r["written"]["replaced"] == false);
        CHECK(r["written"]["cleared"] == 0);
        for (const auto& row : r["rows"]) {
            if (row["id"] == "c000001") score_c1 = row["score"];
        }
        REQUIRE(score_c1 > 0);
        // The node shows it, later queries filter by it, stats says where it came from.
        CHECK(ok(engine, {{"op", "node"}, {"id", "c000001"}})["attributes"]["pagerank_q3"] == score_c1);
        CHECK(ok(engine, {{"op", "node"}, {"id", "e00001"}})["attributes"].count("pagerank_q3") == 0);
        const auto top =
            ok(engine,
               {{"op", "centrality"}, {"algorithm", "degree"}, {"top", 0}, {"where", {{"pagerank_q3", {{">=", score_c1}}}}}});
        CHECK(row_ids(top["rows"]).count("c000001") == 1);
        const auto stats = ok(engine, {{"op", "stats"}});
        bool found = false;
        for (const auto& a : stats["attributes"]) {
            if (a["name"] != "pagerank_q3") continue;
            found = true;
            CHECK(a["nodes"] == people);
            CHECK(a["derived"]["op"] == "centrality pagerank");
            CHECK(a["derived"]["batch"] == r["written"]["batch"]);
        }
        CHECK(found);
        CHECK(stats["batches"].back()["provenance"] == "derived");
        CHECK(stats["batches"].back()["kept"] == true);

        // Overwriting needs replace; a failed write changes nothing.
        refused(engine, {{"op", "centrality"}, {"algorithm", "degree"}, {"write", {{"attribute", "pagerank_q3"}}}},
                "/write/attribute");
        CHECK(ok(engine, {{"op", "node"}, {"id", "c000001"}})["attributes"]["pagerank_q3"] == score_c1);
        // Imported data and reserved fields are never overwritten.
        refused(engine,
                {{"op", "centrality"}, {"algorithm", "degree"}, {"write", {{"attribute", "joined_at"}, {"replace", true}}}},
                "/write/attribute");
        refused(engine, {{"op", "centrality"}, {"algorithm", "degree"}, {"write", {{"attribute", "clv"}}}}, "/write/attribute");
        refused(engine, {{"op", "centrality"}, {"algorithm", "degree"}, {"write", {{"attribute", ""}}}}, "/write/attribute");
        refused(engine, {{"op", "centrality"}, {"algorithm", "degree"}, {"write", {{"attribut", "x"}}}}, "/write/attribute");
        refused(engine, {{"op", "stats"}, {"write", {{"attribute", "x"}}}}, "/write");
        refused(engine, {{"op", "centrality"}, {"algorithm", "degree"}, {"estimate", true}, {"write", {{"attribute", "x"}}}},
                "/write");
        // Inside a trend, the windowed query writes nothing.
        refused(engine,
                {{"op", "trend"},
                 {"query", {{"op", "crv"}, {"write", {{"attribute", "x"}}}}},
                 {"windows", {{"since", "2023-01-01"}, {"until", "2024-01-01"}, {"step", "6mo"}}}},
                "/query/write");

        // replace: the new population's values, and the old ones outside it are gone.
        const auto again = ok(engine, {{"op", "centrality"},
                                       {"algorithm", "degree"},
                                       {"top", 1},
                                       {"node_kinds", {"employee"}},
                                       {"write", {{"attribute", "pagerank_q3"}, {"replace", true}}}});
        CHECK(again["written"]["replaced"] == true);
        CHECK(again["written"]["cleared"] == people);
        CHECK(ok(engine, {{"op", "node"}, {"id", "c000001"}})["attributes"].count("pagerank_q3") == 0);
        CHECK(ok(engine, {{"op", "node"}, {"id", "e00001"}})["attributes"].count("pagerank_q3") == 1);
        // Every per-person op writes.
        for (const char* op : {"crv", "advocates", "components", "communities"}) {
            const auto w = ok(engine, {{"op", op}, {"write", {{"attribute", std::string(op) + "_kept"}}}});
            CHECK(w["written"]["people"].get<std::size_t>() > 0);
        }
    }
    {
        // Reopened (from the snapshot cache), the values are there.
        auto engine = open_engine(org, false);
        CHECK(ok(engine, {{"op", "node"}, {"id", "e00001"}})["attributes"].count("pagerank_q3") == 1);
        const auto stats = ok(engine, {{"op", "stats"}});
        CHECK(stats["store"]["loaded_from"] == "cache");
        // Erasure removes derived values too: every derived column goes, since each was computed with
        // the erased person's data.
        const auto erased = ok(engine, {{"op", "erase"}, {"id", "c000002"}});
        std::set<std::string> removed(erased["derived_removed"].begin(), erased["derived_removed"].end());
        CHECK(removed ==
              std::set<std::string>{"pagerank_q3", "crv_kept", "advocates_kept", "components_kept", "communities_kept"});
        CHECK(ok(engine, {{"op", "node"}, {"id", "e00001"}})["attributes"].count("pagerank_q3") == 0);
        const auto attributes = ok(engine, {{"op", "stats"}})["attributes"];
        for (const auto& a : attributes) CHECK(a.count("derived") == 0);
        // The name is free again, for values computed without the erased person.
        ok(engine, {{"op", "centrality"}, {"algorithm", "degree"}, {"write", {{"attribute", "pagerank_q3"}}}});
    }
    {
        // And the rows agree: a reopen that reads the rows, not the cache, sees the same.
        std::filesystem::remove(org.dir / "org.db.snapshot");
        auto engine = open_engine(org, false);
        CHECK(ok(engine, {{"op", "stats"}})["store"]["loaded_from"] != "cache");
        const auto node = ok(engine, {{"op", "node"}, {"id", "e00001"}})["attributes"];
        CHECK(node.count("pagerank_q3") == 1);
        CHECK(node.count("crv_kept") == 0);
    }
}

TEST_CASE("borrowed and displayed data never reach the store, not even through a write", "[queries][write]") {
    auto org_ptr = make_org();
    auto& org = *org_ptr;
    auto engine = open_engine(org, true);
    const auto profile =
        org.dir.write("profile.csv", "source,target,kind\ni0001,c000101,interaction\ni0001,c000102,interaction\n");
    for (const char* provenance : {"borrowed", "displayed"}) {
        const auto batch = engine.execute(json::array(
            {{{"op", "import"}, {"edges", profile.string()}, {"provenance", provenance}},
             {{"op", "centrality"}, {"algorithm", "degree"}, {"write", {{"attribute", std::string("from_") + provenance}}}}}));
        INFO(batch.dump());
        REQUIRE(batch.is_array());
        CHECK(batch[0]["ok"] == true);
        CHECK(batch[0]["result"]["provenance"] == provenance);
        CHECK(batch[1]["error"]["code"] == "failed_precondition");
        CHECK(batch[1]["error"]["at"] == "/1/write");
    }
    const auto stats = ok(engine, {{"op", "stats"}});
    for (const auto& b : stats["batches"]) {
        if (b["provenance"] == "displayed" || b["provenance"] == "borrowed") {
            CHECK(b["kept"] == false);
            CHECK(b["source"] == "(" + b["provenance"].get<std::string>() + ": not kept)");
        }
    }
    for (const auto& a : stats["attributes"]) CHECK(a["name"].get<std::string>().rfind("from_", 0) != 0);
    // derived is what a write records; an import cannot claim it.
    refused(engine, {{"op", "import"}, {"edges", profile.string()}, {"provenance", "derived"}}, "/provenance");
}

TEST_CASE("communities keep their ids across runs when given the previous assignment", "[queries][communities]") {
    smorg::testing::TempDir dir;
    EngineOptions options;
    options.create = true;
    QueryEngine engine((dir / "c.db").string(), options);
    // Three cliques of 6, joined by single ties; then a fourth clique arrives and one person moves.
    auto clique = [](const std::string& prefix, int first, int size) {
        json rows = json::array();
        for (int i = first; i < first + size; ++i) {
            for (int j = i + 1; j < first + size; ++j) {
                rows.push_back(
                    {{"source", prefix + std::to_string(i)}, {"target", prefix + std::to_string(j)}, {"kind", "interaction"}});
            }
        }
        return rows;
    };
    json edges = json::array();
    for (const auto& prefix : {"a", "b", "c"}) {
        for (auto& e : clique(prefix, 0, 6)) edges.push_back(e);
    }
    edges.push_back({{"source", "a0"}, {"target", "b0"}, {"kind", "interaction"}});
    edges.push_back({{"source", "b1"}, {"target", "c1"}, {"kind", "interaction"}});
    ok(engine, {{"op", "import"}, {"edge_rows", edges}, {"create_missing", true}});
    const auto first = ok(engine, {{"op", "communities"}, {"write", {{"attribute", "community_q3"}}}});
    REQUIRE(first["communities"] == 3);
    std::map<std::string, std::uint64_t> before;
    for (const auto& row : first["rows"]) before[row["id"]] = row["community"];

    // The same run with its own previous assignment keeps every id.
    const auto same = ok(engine, {{"op", "communities"}, {"previous", {{"attribute", "community_q3"}}}});
    CHECK(same["previous"]["kept"] == 3);
    CHECK(same["previous"]["new"] == 0);
    CHECK(same["previous"]["ended"] == 0);
    for (const auto& row : same["rows"]) CHECK(before[row["id"]] == row["community"]);

    // A fourth, larger clique: without previous it takes id 0 (ids run by size) and the others shift;
    // with previous the three keep theirs and the newcomer takes a fresh id above them.
    json more = clique("d", 0, 9);
    more.push_back({{"source", "d0"}, {"target", "c0"}, {"kind", "interaction"}});
    ok(engine, {{"op", "import"}, {"edge_rows", more}, {"create_missing", true}});
    const auto fresh = ok(engine, {{"op", "communities"}});
    std::map<std::string, std::uint64_t> shifted;
    for (const auto& row : fresh["rows"]) shifted[row["id"]] = row["community"];
    CHECK(shifted["d0"] == 0);
    CHECK(shifted["a0"] != before["a0"]);
    const auto stable = ok(engine, {{"op", "communities"}, {"previous", {{"attribute", "community_q3"}}}});
    CHECK(stable["previous"]["kept"] == 3);
    CHECK(stable["previous"]["new"] == 1);
    CHECK(stable["ids"] == json::array({3, before["a0"], before["b0"], before["c0"]}));
    for (const auto& row : stable["rows"]) {
        const std::string id = row["id"];
        if (id[0] == 'd') {
            CHECK(row["community"] == 3);
        } else {
            CHECK(row["community"] == before[id]);
        }
    }
    // Refusals at their place.
    refused(engine, {{"op", "communities"}, {"previous", {{"attribute", "community_q3"}, {"min_jaccard", 0}}}},
            "/previous/min_jaccard");
    refused(engine, {{"op", "communities"}, {"previous", {{"attribute", "nope"}}}}, "/previous/attribute", "not_found");
    refused(engine, {{"op", "communities"}, {"previous", {{"attribute", "community_q3"}, {"extra", 1}}}}, "/previous/extra");
    ok(engine, {{"op", "centrality"}, {"algorithm", "pagerank"}, {"write", {{"attribute", "pr"}}}});
    refused(engine, {{"op", "communities"}, {"previous", {{"attribute", "pr"}}}}, "/previous/attribute");
}
