// The snapshot cache beside a database is checked, never trusted: a damaged byte, a sibling's cache
// or a planted symlink is detected, and the snapshot comes from the rows.
#include <filesystem>
#include <fstream>
#include <random>

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
