// The snapshot cache beside a database is checked, never trusted: a damaged byte, a sibling's cache
// or a planted symlink is detected, and the snapshot comes from the rows.
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <catch2/catch.hpp>

#include "smorg/queries/sample.h"

#include "import_support.h"
#include "support/fixtures.h"

using namespace smorg;

namespace {

std::string sample_db(const testing::TempDir& dir, const std::string& name, std::uint64_t seed = 1) {
    queries::SampleOrgParams p;
    p.customers = 200;
    p.employees = 20;
    p.seed = seed;
    const auto report = queries::generate_sample_org(dir / ("org" + std::to_string(seed)), p);
    const auto path = (dir / name).string();
    auto db = importers::Database::open(path);
    importers::ImportSpec spec;
    spec.nodes = {report.nodes_file.string()};
    spec.edges = {report.edges_file.string()};
    db->import(spec);
    return path;
}

}  // namespace

TEST_CASE("a cache damaged in any byte is detected and rebuilt from the rows", "[importers][cache]") {
    testing::TempDir dir;
    const auto path = sample_db(dir, "org.db");
    auto db = importers::Database::open(path, {.create = false});
    REQUIRE(db->stats().loaded_from == "cache");
    const auto fingerprint = db->snapshot()->fingerprint();
    db.reset();
    const auto good = testing::slurp(path + ".snapshot");
    std::mt19937_64 random(7);
    for (int trial = 0; trial < 300; ++trial) {
        auto bad = good;
        const auto at = random() % bad.size();
        bad[at] = static_cast<char>(bad[at] ^ static_cast<char>(1 + random() % 255));
        std::ofstream(path + ".snapshot", std::ios::binary | std::ios::trunc) << bad;
        db = importers::Database::open(path, {.create = false});
        INFO("byte " << at << ": " << db->stats().loaded_from);
        CHECK(db->stats().loaded_from != "cache");
        CHECK(db->snapshot()->fingerprint() == fingerprint);
        db.reset();
    }
    // Rebuilt: the last open left a good cache again.
    db = importers::Database::open(path, {.create = false});
    CHECK(db->stats().loaded_from == "cache");
}

TEST_CASE("a sibling copy's cache with the same id and generation is not served", "[importers][cache]") {
    testing::TempDir dir;
    const auto a = sample_db(dir, "a.db");
    const auto b = (dir / "b.db").string();
    std::filesystem::copy_file(a, b);
    // The copies diverge: each gets its own next batch, so both reach the same generation.
    for (const auto& [path, node] : {std::pair{a, std::string("zz_a")}, std::pair{b, std::string("zz_b")}}) {
        auto db = importers::Database::open(path, {.create = false});
        db->import(testing::nodes_spec(dir.write(node + ".csv", "id,kind\n" + node + ",customer\n")));
    }
    std::filesystem::copy_file(a + ".snapshot", b + ".snapshot", std::filesystem::copy_options::overwrite_existing);
    auto db = importers::Database::open(b, {.create = false});
    CHECK(db->stats().loaded_from != "cache");
    CHECK(db->snapshot()->find("zz_b"));
    CHECK_FALSE(db->snapshot()->find("zz_a"));
}

TEST_CASE("writing the cache never follows a symlink planted at its name", "[importers][cache]") {
    testing::TempDir dir;
    const auto path = sample_db(dir, "org.db");
    const auto victim = dir.write("victim.txt", "precious");
    std::filesystem::remove(path + ".snapshot");
    std::filesystem::create_symlink(victim, path + ".snapshot");
    for (const char* tmp : {".snapshot.tmp"}) std::filesystem::create_symlink(victim, path + tmp);
    {
        auto db = importers::Database::open(path, {.create = false});
        CHECK(db->stats().loaded_from != "cache");
        db->import(testing::nodes_spec(dir.write("n.csv", "id,kind\nzed,customer\n")));
    }
    CHECK(testing::slurp(victim) == "precious");
    CHECK_FALSE(std::filesystem::is_symlink(path + ".snapshot"));
    auto db = importers::Database::open(path, {.create = false});
    CHECK(db->stats().loaded_from == "cache");
    CHECK(db->snapshot()->find("zed"));
}

namespace {

// Every 7th edge of the sample organization again, a year later: edges between known people only.
std::filesystem::path append_file(const testing::TempDir& dir, const std::string& name, int offset) {
    const auto edges = testing::slurp(dir / "org1" / "edges.csv");
    std::istringstream in(edges);
    std::string line, out;
    std::getline(in, line);
    out = line + "\n";
    for (int i = 0; std::getline(in, line); ++i) {
        if (i % 7 == offset) out += line + "\n";
    }
    return dir.write(name, out);
}

// The snapshot the rows alone give (a copy of the database without its cache files).
std::uint64_t rows_fingerprint(const testing::TempDir& dir, const std::string& path) {
    const auto copy = (dir / "rows-copy.db").string();
    for (const char* suffix : {"", ".snapshot", ".snapshot-log", "-wal", "-shm"}) std::filesystem::remove(copy + suffix);
    {
        auto db = importers::Database::open(path, {.create = false});  // folds the WAL in on close
    }
    std::filesystem::copy_file(path, copy);
    auto db = importers::Database::open(copy, {.create = false});
    REQUIRE(db->stats().loaded_from == "rows: no cache");
    return db->snapshot()->fingerprint();
}

}  // namespace

TEST_CASE("appended edges go to the cache's log, and reopening applies it", "[importers][cache][append]") {
    testing::TempDir dir;
    const auto path = sample_db(dir, "org.db");
    const auto log = path + ".snapshot-log";
    auto db = importers::Database::open(path, {.create = false});
    const auto edges_before = db->snapshot()->edge_count();
    const auto report = db->import(testing::edges_spec(append_file(dir, "a1.csv", 3)));
    REQUIRE(report.edges_added > 0);
    CHECK(std::filesystem::exists(log));
    const auto after_one = db->snapshot()->fingerprint();
    CHECK(db->snapshot()->edge_count() == edges_before + report.edges_added);
    db.reset();

    db = importers::Database::open(path, {.create = false});
    CHECK(db->stats().loaded_from == "cache and its log of " + std::to_string(report.edges_added) + " appended edges");
    CHECK(db->snapshot()->fingerprint() == after_one);
    // A second append extends the same log; a new kind of tie is an append too.
    const auto second =
        db->import(testing::edges_spec(dir.write("a2.csv", "source,target,kind,weight\nc000001,c000002,endorsement,2\n")));
    CHECK(second.edges_added == 1);
    const auto after_two = db->snapshot()->fingerprint();
    db.reset();
    db = importers::Database::open(path, {.create = false});
    CHECK(db->stats().loaded_from == "cache and its log of " + std::to_string(report.edges_added + 1) + " appended edges");
    CHECK(db->snapshot()->fingerprint() == after_two);
    CHECK(db->snapshot()->edge_kinds().find("endorsement"));
    db.reset();
    CHECK(rows_fingerprint(dir, path) == after_two);

    // A failed append changes nothing: not the rows, not the log.
    db = importers::Database::open(path, {.create = false});
    const auto log_bytes = testing::slurp(log);
    testing::failed_import(*db, testing::edges_spec(dir.write(
                                    "bad.csv", "source,target,kind\nc000001,c000003,interaction\nc000001,nobody,interaction\n")));
    CHECK(testing::slurp(log) == log_bytes);
    CHECK(db->snapshot()->fingerprint() == after_two);

    // New people are not an append: the cache is rewritten whole and the log goes.
    db->import(testing::nodes_spec(dir.write("new.csv", "id,kind\nzz_new,customer\n")));
    CHECK_FALSE(std::filesystem::exists(log));
    db.reset();
    db = importers::Database::open(path, {.create = false});
    CHECK(db->stats().loaded_from == "cache");
}

TEST_CASE("a log grown past a tenth of the graph is folded into the cache", "[importers][cache][append]") {
    testing::TempDir dir;
    const auto path = sample_db(dir, "org.db");
    const auto log = path + ".snapshot-log";
    auto db = importers::Database::open(path, {.create = false});
    std::uint64_t logged = 0;
    bool folded = false;
    for (int round = 0; round < 40 && !folded; ++round) {
        const auto report =
            db->import(testing::edges_spec(append_file(dir, "a" + std::to_string(round % 7) + ".csv", round % 7)));
        // The log holds at most a tenth of the graph's edges (and at least 1000).
        const auto limit = std::max<std::uint64_t>(db->snapshot()->edge_count() / 10, 1000);
        if (logged + report.edges_added <= limit) {
            logged += report.edges_added;
            CHECK(std::filesystem::exists(log));
        } else {
            folded = true;
            CHECK_FALSE(std::filesystem::exists(log));
        }
    }
    CHECK(folded);
    const auto fingerprint = db->snapshot()->fingerprint();
    db.reset();
    db = importers::Database::open(path, {.create = false});
    CHECK(db->stats().loaded_from == "cache");
    db.reset();
    CHECK(rows_fingerprint(dir, path) == fingerprint);
}

TEST_CASE("a damaged, stale or foreign log is never applied", "[importers][cache][append]") {
    testing::TempDir dir;
    const auto path = sample_db(dir, "org.db");
    const auto log = path + ".snapshot-log";
    std::uint64_t fingerprint = 0;
    {
        auto db = importers::Database::open(path, {.create = false});
        db->import(testing::edges_spec(append_file(dir, "a1.csv", 4)));
        fingerprint = db->snapshot()->fingerprint();
    }
    const auto good = testing::slurp(log);
    const auto good_cache = testing::slurp(path + ".snapshot");
    std::mt19937_64 random(11);
    for (int trial = 0; trial < 60; ++trial) {
        auto bad = good;
        const auto at = random() % bad.size();
        bad[at] = static_cast<char>(bad[at] ^ static_cast<char>(1 + random() % 255));
        if (trial % 10 == 0) bad.resize(at);  // torn
        std::ofstream(log, std::ios::binary | std::ios::trunc) << bad;
        std::ofstream(path + ".snapshot", std::ios::binary | std::ios::trunc) << good_cache;
        auto db = importers::Database::open(path, {.create = false});
        INFO("trial " << trial << ", byte " << at << ": " << db->stats().loaded_from);
        CHECK(db->stats().loaded_from.rfind("rows", 0) == 0);
        CHECK(db->snapshot()->fingerprint() == fingerprint);
    }
    // The good pair still serves (the trials above did not pass by refusing everything).
    std::ofstream(log, std::ios::binary | std::ios::trunc) << good;
    std::ofstream(path + ".snapshot", std::ios::binary | std::ios::trunc) << good_cache;
    {
        auto db = importers::Database::open(path, {.create = false});
        CHECK(db->stats().loaded_from.rfind("cache and its log", 0) == 0);
        CHECK(db->snapshot()->fingerprint() == fingerprint);
    }
    // A log another copy of the database wrote (same id, its own states) is not this one's.
    const auto twin = (dir / "twin.db").string();
    {
        auto db = importers::Database::open(path, {.create = false});
        db->import(testing::edges_spec(append_file(dir, "a2.csv", 5)));
    }
    std::filesystem::copy_file(path, twin);
    std::filesystem::copy_file(path + ".snapshot", twin + ".snapshot");
    {
        auto db = importers::Database::open(twin, {.create = false});
        db->import(testing::edges_spec(append_file(dir, "a3.csv", 6)));  // the twin's own log
    }
    {
        auto db = importers::Database::open(path, {.create = false});
        db->import(testing::edges_spec(append_file(dir, "a4.csv", 2)));
        fingerprint = db->snapshot()->fingerprint();
    }
    std::filesystem::copy_file(twin + ".snapshot-log", log, std::filesystem::copy_options::overwrite_existing);
    auto db = importers::Database::open(path, {.create = false});
    CHECK(db->stats().loaded_from.rfind("rows", 0) == 0);
    CHECK(db->snapshot()->fingerprint() == fingerprint);
}

TEST_CASE("erasure removes the log with the edges it held", "[importers][cache][append]") {
    testing::TempDir dir;
    const auto path = sample_db(dir, "org.db");
    auto db = importers::Database::open(path, {.create = false});
    db->import(testing::edges_spec(dir.write("a.csv", "source,target,kind\nc000001,c000002,interaction\n")));
    REQUIRE(std::filesystem::exists(path + ".snapshot-log"));
    db->erase({"c000002"});
    CHECK_FALSE(std::filesystem::exists(path + ".snapshot-log"));
    db.reset();
    db = importers::Database::open(path, {.create = false});
    CHECK(db->stats().loaded_from == "cache");
    CHECK_FALSE(db->snapshot()->find("c000002"));
}
