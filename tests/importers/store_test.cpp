#include <atomic>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "smorg/queries/sample.h"

#include "import_support.h"
#include "support/fixtures.h"

using namespace smorg;

using testing::slurp;

namespace {

// A small organization with every column type, timestamps, values and a JSON Lines batch on top.
std::unique_ptr<importers::Database> sample_db(const testing::TempDir& dir, const std::string& name = "org.db") {
    queries::SampleOrgParams p;
    p.customers = 300;
    p.employees = 30;
    queries::generate_sample_org(dir / "org", p);
    auto db = importers::Database::open((dir / name).string());
    importers::ImportSpec spec;
    spec.nodes = {(dir / "org" / "nodes.csv").string()};
    spec.edges = {(dir / "org" / "edges.csv").string()};
    db->import(spec);
    const auto extra =
        dir.write("extra.jsonl",
                  "{\"id\": \"zq4711\", \"kind\": \"customer\", \"clv\": 9000, \"vip\": true, \"tier\": \"gold-zq\"}\n"
                  "{\"source\": \"zq4711\", \"target\": \"c000001\", \"kind\": \"referral\", \"timestamp\": \"2024-05-01\", "
                  "\"value\": 12.5}\n");
    db->import(testing::nodes_spec(extra));
    return db;
}

}  // namespace

TEST_CASE("a database reopens to the same snapshot, from its cache and from its rows", "[importers][store]") {
    testing::TempDir dir;
    auto db = sample_db(dir);
    const auto path = db->path();
    const auto fingerprint = db->snapshot()->fingerprint();
    const auto nodes = db->snapshot()->node_count();
    const auto edges = db->snapshot()->edge_count();
    REQUIRE(db->batches().size() == 2);
    db.reset();

    REQUIRE(std::filesystem::exists(path + ".snapshot"));
    db = importers::Database::open(path, {.create = false});
    CHECK(db->snapshot()->fingerprint() == fingerprint);
    db.reset();

    std::filesystem::remove(path + ".snapshot");
    db = importers::Database::open(path, {.create = false});
    CHECK(db->snapshot()->node_count() == nodes);
    CHECK(db->snapshot()->edge_count() == edges);
    CHECK(db->snapshot()->fingerprint() == fingerprint);
    CHECK(std::filesystem::exists(path + ".snapshot"));  // rebuilt
    const auto g = db->snapshot();
    const auto vip = *g->find("zq4711");
    CHECK(g->attributes().find("vip")->boolean(vip) == true);
    CHECK(g->attributes().find("tier")->string(vip) == "gold-zq");
    CHECK(g->attributes().find("clv")->number(vip) == 9000.0);
    const auto batches = db->batches();
    CHECK(batches[0].provenance == graph::Provenance::owned);
    CHECK(batches[1].nodes_added == 1);
    CHECK(batches[1].edges_added == 1);
}

TEST_CASE("a stale or damaged cache is rebuilt from the rows", "[importers][store]") {
    testing::TempDir dir;
    auto db = sample_db(dir);
    const auto path = db->path();
    const auto fingerprint = db->snapshot()->fingerprint();
    db.reset();
    // An older cache from another generation of the same file, then plain garbage.
    auto cache = slurp(path + ".snapshot");
    for (const std::string& bad : {cache.substr(0, cache.size() - 100), std::string("rubbish")}) {
        std::ofstream(path + ".snapshot", std::ios::binary) << bad;
        db = importers::Database::open(path);
        CHECK(db->snapshot()->fingerprint() == fingerprint);
        db.reset();
    }
    // A cache of another generation: import more through a second handle, then put the old cache back.
    db = importers::Database::open(path);
    db->import(testing::nodes_spec(dir.write("more.csv", "id,kind\nlate,customer\n")));
    const auto newer = db->snapshot()->fingerprint();
    db.reset();
    std::ofstream(path + ".snapshot", std::ios::binary) << cache;
    db = importers::Database::open(path);
    CHECK(db->snapshot()->fingerprint() == newer);
    CHECK(db->snapshot()->find("late"));
}

TEST_CASE("a file that is not a smorg database is refused", "[importers][store]") {
    testing::TempDir dir;
    const auto text = dir.write("notes.db", "these are not the rows you are looking for\n");
    CHECK_THROWS_WITH(importers::Database::open(text.string()), Catch::Contains("not a smorg database"));
    CHECK_THROWS_WITH(importers::Database::open((dir / "absent.db").string(), {.create = false}), Catch::Contains("no database"));
}

TEST_CASE("borrowed batches are used but never stored", "[importers][store][provenance]") {
    testing::TempDir dir;
    auto db = sample_db(dir);
    const auto path = db->path();
    const auto stored = db->snapshot()->fingerprint();
    auto spec = testing::nodes_spec(dir.write("campaign.csv", "id,kind\nguest,prospect\n"));
    spec.provenance = graph::Provenance::borrowed;
    const auto report = db->import(spec);
    CHECK(report.provenance == graph::Provenance::borrowed);
    CHECK(db->snapshot()->find("guest"));
    // An owned batch on top keeps the borrowed records live.
    db->import(testing::nodes_spec(dir.write("owned.csv", "id,kind\nregular,customer\n")));
    CHECK(db->snapshot()->find("guest"));
    CHECK(db->snapshot()->find("regular"));
    const auto batches = db->batches();
    REQUIRE(batches.size() == 4);
    CHECK_FALSE(batches[2].kept);
    db.reset();
    db = importers::Database::open(path);
    CHECK_FALSE(db->snapshot()->find("guest"));
    CHECK(db->snapshot()->find("regular"));
    CHECK(db->snapshot()->fingerprint() != stored);
    for (const char* suffix : {"", "-wal", ".snapshot"}) {
        CHECK(slurp(path + suffix).find("guest") == std::string::npos);
    }
}

TEST_CASE("erasure removes a person everywhere and leaves no readable copy", "[importers][store][erase]") {
    testing::TempDir dir;
    auto db = sample_db(dir);
    const auto path = db->path();
    const std::string who = "zq4711";
    const auto g = db->snapshot();
    const auto vip = *g->find(who);
    const auto before_edges = g->edge_count();
    const auto touching = g->out_degree(vip) + g->in_degree(vip);
    REQUIRE(touching > 0);
    auto readable = [&](const std::string& text) {
        std::size_t hits = 0;
        for (const char* suffix : {"", "-wal", "-shm", ".snapshot"}) {
            const auto bytes = slurp(path + suffix);
            for (auto at = bytes.find(text); at != std::string::npos; at = bytes.find(text, at + 1)) ++hits;
        }
        return hits;
    };
    REQUIRE(readable(who) > 0);
    REQUIRE(readable("gold-zq") > 0);

    const auto report = db->erase({who, "nobody"});
    CHECK(report.erased == std::vector<std::string>{who});
    CHECK(report.not_found == std::vector<std::string>{"nobody"});
    CHECK(report.edges_removed == touching);
    CHECK_FALSE(db->snapshot()->find(who));
    CHECK(db->snapshot()->edge_count() == before_edges - touching);
    CHECK(readable(who) == 0);
    CHECK(readable("gold-zq") == 0);
    db.reset();
    db = importers::Database::open(path);
    CHECK_FALSE(db->snapshot()->find(who));
    CHECK(db->snapshot()->edge_count() == before_edges - touching);
}

TEST_CASE("concurrent readers keep their snapshot while imports swap in new ones", "[importers][store][concurrency]") {
    testing::TempDir dir;
    auto db = importers::Database::open((dir / "c.db").string());
    db->import(testing::nodes_spec(dir.write("n0.csv", "id,kind\na,customer\n")));
    std::atomic<bool> stop{false};
    std::atomic<int> bad{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 2; ++t) {
        readers.emplace_back([&] {
            while (!stop.load()) {
                const auto g = db->snapshot();
                const auto n = g->node_count();
                // A snapshot never changes under its reader: every node it counts is there.
                for (graph::NodeIndex u = 0; u < n; ++u) {
                    if (g->id(u).empty()) ++bad;
                }
                if (g->node_count() != n) ++bad;
            }
        });
    }
    for (int i = 1; i <= 20; ++i) {
        db->import(
            testing::nodes_spec(dir.write("n" + std::to_string(i) + ".csv", "id,kind\nx" + std::to_string(i) + ",customer\n")));
    }
    stop = true;
    for (auto& t : readers) t.join();
    CHECK(bad.load() == 0);
    CHECK(db->snapshot()->node_count() == 21);
}

TEST_CASE("a cancelled import stops in whichever phase it is and stores nothing", "[importers][store]") {
    testing::TempDir dir;
    auto db = sample_db(dir);
    const auto fingerprint = db->snapshot()->fingerprint();
    const auto batches = db->batches().size();
    queries::SampleOrgParams p;
    p.customers = 2000;
    p.employees = 60;
    queries::generate_sample_org(dir / "more", p);
    importers::ImportSpec spec;
    spec.nodes = {(dir / "more" / "nodes.csv").string()};
    spec.edges = {(dir / "more" / "edges.csv").string()};
    // Each phase the import reports in turn, cancelled at its first report: parsing, staging,
    // storing, the snapshot.
    std::vector<std::string> phases;
    {
        graph::RunContext watch([&](std::string_view phase, double) {
            if (phases.empty() || phases.back() != phase) phases.emplace_back(phase);
        });
        testing::TempDir scratch;
        auto other = importers::Database::open((scratch / "other.db").string());
        other->import(spec, watch);
    }
    REQUIRE(phases.size() >= 3);
    for (const auto& at : phases) {
        if (at == "cache") continue;  // after the commit: the batch has landed by then
        DYNAMIC_SECTION("cancelled in " << at) {
            graph::RunContext* self = nullptr;
            graph::RunContext run([&](std::string_view phase, double) {
                if (phase == at) self->cancel();
            });
            self = &run;
            CHECK_THROWS_AS(db->import(spec, run), graph::Cancelled);
            CHECK(db->snapshot()->fingerprint() == fingerprint);
            CHECK(db->batches().size() == batches);
            db.reset();
            db = importers::Database::open((dir / "org.db").string(), {.create = false});
            CHECK(db->snapshot()->fingerprint() == fingerprint);
            CHECK(db->batches().size() == batches);
        }
    }
}
