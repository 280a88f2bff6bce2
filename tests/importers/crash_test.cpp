// What survives a writer's death and a second writer: a child process imports and is killed with
// SIGKILL at each phase, or two write at once, or a reader holds an old view while a person is
// erased. After each, the rows, the snapshot and its cache must agree and hold every committed batch.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "smorg/queries/sample.h"

#include "import_support.h"
#include "support/fixtures.h"

using namespace smorg;

namespace {

struct Org {
    testing::TempDir dir;
    std::string db;
    std::filesystem::path nodes, edges;
    std::uint64_t base_edges = 0;
    std::uint64_t fingerprint = 0;

    explicit Org(std::uint32_t customers = 3000) {
        queries::SampleOrgParams p;
        p.customers = customers;
        const auto report = queries::generate_sample_org(dir / "org", p);
        nodes = report.nodes_file;
        edges = report.edges_file;
        db = (dir / "org.db").string();
        auto d = importers::Database::open(db);
        d->import(testing::nodes_spec(nodes));
        base_edges = d->snapshot()->edge_count();
        fingerprint = d->snapshot()->fingerprint();
    }
    // The fingerprint of the stored people plus one edge file, imported in a separate database.
    std::uint64_t fingerprint_with(const std::filesystem::path& file) const {
        testing::TempDir other;
        auto reference = importers::Database::open((other / "r.db").string());
        reference->import(testing::nodes_spec(nodes));
        reference->import(testing::edges_spec(file));
        return reference->snapshot()->fingerprint();
    }
    // The sample's edges (between stored people), or a part of them, as a new file.
    std::filesystem::path edge_file(const std::string& name, std::size_t part = 0, std::size_t parts = 1) const {
        const auto text = testing::slurp(edges);
        std::size_t line_start = text.find('\n') + 1;
        std::string out = text.substr(0, line_start);
        for (std::size_t i = 0; line_start < text.size(); ++i) {
            const auto end = text.find('\n', line_start);
            if (i % parts == part) out += text.substr(line_start, end - line_start + 1);
            line_start = end + 1;
        }
        return dir.write(name, out);
    }
};

// Opens `path` twice, from its cache and from its rows only, and checks both give the same graph.
std::shared_ptr<const graph::Snapshot> reopen_checked(const std::string& path) {
    auto db = importers::Database::open(path, {.create = false});
    auto cached = db->snapshot();
    db.reset();
    std::filesystem::remove(path + ".snapshot");
    db = importers::Database::open(path, {.create = false});
    INFO("loaded from: " << db->stats().loaded_from);
    CHECK(db->snapshot()->fingerprint() == cached->fingerprint());
    return db->snapshot();
}

std::string child() { return SMORG_IMPORT_CHILD; }

}  // namespace

TEST_CASE("an import killed at any phase leaves the earlier batches whole and served", "[importers][crash]") {
    Org org;
    const auto extra = org.edge_file("extra.csv");
    const auto landed = org.fingerprint_with(extra);
    for (const std::string phase : {"parse", "store", "snapshot", "cache"}) {
        DYNAMIC_SECTION("killed at " << phase) {
            testing::Process p({child(), org.db, "--edges", extra.string(), "--pause-at", phase});
            const auto line = p.read_line(120);
            REQUIRE(line == "at " + phase);
            p.kill(SIGKILL);
            CHECK(p.wait() == 128 + SIGKILL);
            const auto g = reopen_checked(org.db);
            // Killed after its commit (at the cache), the batch landed whole; before, not at all.
            CHECK(g->fingerprint() == (phase == "cache" ? landed : org.fingerprint));
            auto db = importers::Database::open(org.db, {.create = false});
            CHECK(db->batches().size() == (phase == "cache" ? 2u : 1u));
        }
    }
}

TEST_CASE("two processes importing concurrently both land and both are served", "[importers][concurrency]") {
    Org org;
    const auto a = org.edge_file("a.csv", 0, 2);
    const auto b = org.edge_file("b.csv", 1, 2);
    const auto expected = [&] {
        testing::TempDir other;
        auto reference = importers::Database::open((other / "r.db").string());
        reference->import(testing::nodes_spec(org.nodes));
        reference->import(testing::edges_spec(org.edge_file("all.csv")));
        return reference->snapshot()->edge_count();
    }();
    for (std::uint64_t round = 0; round < 2; ++round) {
        testing::Process first({child(), org.db, "--edges", a.string()});
        testing::Process second({child(), org.db, "--edges", b.string()});
        CHECK(first.read_line(120) == "done");
        CHECK(second.read_line(120) == "done");
        CHECK(first.wait() == 0);
        CHECK(second.wait() == 0);
        const auto g = reopen_checked(org.db);
        CHECK(g->edge_count() == org.base_edges + (round + 1) * (expected - org.base_edges));
        // This process's handle, opened before the writes, serves all of them after its own next write.
        auto db = importers::Database::open(org.db, {.create = false});
        CHECK(db->snapshot()->edge_count() == g->edge_count());
    }
}

TEST_CASE("an erase racing an import concurrently: the erased person stays gone, the batch lands", "[importers][concurrency]") {
    Org org;
    auto before = importers::Database::open(org.db, {.create = false});
    const auto g0 = before->snapshot();
    // Someone the import's edges do not touch.
    const auto extra = org.edge_file("extra.csv", 0, 2);
    const auto extra_text = testing::slurp(extra);
    std::string victim;
    for (graph::NodeIndex u = 0; u < g0->node_count() && victim.empty(); ++u) {
        const std::string id(g0->id(u));
        if (g0->node_kind_name(u) == "customer" && extra_text.find(id + ",") == std::string::npos &&
            extra_text.find("," + id + ",") == std::string::npos) {
            victim = id;
        }
    }
    REQUIRE(!victim.empty());
    testing::Process importer({child(), org.db, "--edges", extra.string()});
    const auto report = before->erase({victim});
    CHECK(report.erased == std::vector<std::string>{victim});
    CHECK(importer.read_line(120) == "done");
    CHECK(importer.wait() == 0);
    const auto g = reopen_checked(org.db);
    CHECK_FALSE(g->find(victim));
    CHECK(g->edge_count() > org.base_edges);
    // Nor in any file of the store.
    for (const char* suffix : {"", "-wal", ".snapshot"}) {
        CHECK(testing::slurp(org.db + suffix).find(victim) == std::string::npos);
    }
}

TEST_CASE("an erase while another process reads says the scrub is pending, and the next open finishes it", "[importers][erase]") {
    Org org(300);
    auto db = importers::Database::open(org.db, {.create = false});
    const std::string victim = "c000007";
    REQUIRE(db->snapshot()->find(victim));
    testing::Process reader({child(), org.db, "--read-for", "20"});
    REQUIRE(reader.read_line(60) == "reading");
    const auto started = std::chrono::steady_clock::now();
    const auto report = db->erase({victim});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK(seconds < 8);
    CHECK_FALSE(report.scrubbed);
    CHECK(db->stats().scrub_pending);
    CHECK_FALSE(db->snapshot()->find(victim));
    reader.kill();
    reader.wait();
    db.reset();
    db = importers::Database::open(org.db, {.create = false});
    CHECK_FALSE(db->stats().scrub_pending);
    for (const char* suffix : {"", "-wal", ".snapshot"}) CHECK(testing::slurp(org.db + suffix).find(victim) == std::string::npos);
}
