// Requests written to hurt the engine: nested without end, not UTF-8, asking for unbounded work or
// memory, or for files where the caller did not allow them. Each is refused at its field, before
// anything runs, and every answer serializes.
#include <chrono>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "smorg/graph/text.h"
#include "smorg/queries/query_engine.h"
#include "smorg/queries/sample.h"

#include "smorg_test_paths.h"
#include "support/fixtures.h"

using nlohmann::json;
using smorg::queries::EngineOptions;
using smorg::queries::QueryEngine;
using smorg::queries::response_ok;
using smorg::queries::RunContext;

namespace {

// The sample organization (small), imported into a database in `dir`.
QueryEngine sample_engine(const smorg::testing::TempDir& dir, EngineOptions options = {}) {
    smorg::queries::SampleOrgParams p;
    p.customers = 400;
    p.employees = 40;
    const auto files = smorg::queries::generate_sample_org(dir / "org", p);
    options.create = true;
    QueryEngine engine((dir / "org.db").string(), options);
    const auto r = engine.execute({{"op", "import"}, {"nodes", files.nodes_file.string()}, {"edges", files.edges_file.string()}});
    REQUIRE(response_ok(r));
    return engine;
}

void refused(const json& response, const std::string& code, const std::string& at) {
    INFO(smorg::queries::to_text(response));
    REQUIRE_FALSE(response_ok(response));
    CHECK(response["error"]["code"] == code);
    CHECK(response["error"]["at"] == at);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

TEST_CASE("a request nested 80,000 deep is refused at its field, as text and as built JSON", "[queries][limits]") {
    smorg::testing::TempDir dir;
    auto engine = sample_engine(dir);
    RunContext run;
    const std::string deep = std::string(80000, '[') + std::string(80000, ']');
    auto r = engine.execute_text(R"({"op": "spread", "seeds": ["c000001"], "probability": )" + deep + "}", run);
    refused(r, "invalid_argument",
            "/probability/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/"
            "0/0/0/0/0/0/0/0/0/0/0/0");
    r = engine.execute_text("[" + std::string(20, '{') + "]", run);
    CHECK_FALSE(response_ok(r));
    // Built in code: the library door gets the same bound (and no recursion over the value). The
    // value is moved, never copied: a copy of it would itself recurse 80,000 deep.
    auto deep_request = [] {
        json value = json::array();
        for (int i = 0; i < 80000; ++i) {
            json outer = json::array();
            outer.push_back(std::move(value));
            value = std::move(outer);
        }
        json request = {{"op", "spread"}, {"seeds", {"c000001"}}};
        request["probability"] = std::move(value);
        return request;
    };
    json batch = json::array();
    batch.push_back(deep_request());
    batch.push_back(deep_request());
    const auto started = std::chrono::steady_clock::now();
    r = engine.execute(batch, run);
    CHECK(seconds_since(started) < 5);
    REQUIRE(r.size() == 2);
    CHECK(r[1]["error"]["code"] == "invalid_argument");
    CHECK_THAT(r[1]["error"]["at"].get<std::string>(), Catch::StartsWith("/1/probability/0/0"));
}

TEST_CASE("text that is not UTF-8 answers with an error that serializes", "[queries][limits]") {
    smorg::testing::TempDir dir;
    auto engine = sample_engine(dir);
    RunContext run;
    for (const std::string text : {"{\"op\": \"node\", \"id\": \"\xff\xfe\"}", "{\"op\": \"n\xc3\"}", "\xff"}) {
        const auto r = engine.execute_text(text, run);
        CHECK_FALSE(response_ok(r));
        const auto out = smorg::queries::to_text(r);
        CHECK(smorg::graph::invalid_utf8_at(out) == std::string::npos);
    }
    // Strings put in a request by code may hold any bytes: the answer still prints.
    const auto r = engine.execute({{"op", "node"}, {"id", std::string("\xff\xfe")}});
    CHECK(r["error"]["code"] == "not_found");
    CHECK_NOTHROW(smorg::queries::to_text(r));
    CHECK(smorg::graph::invalid_utf8_at(smorg::queries::to_text(r, 2)) == std::string::npos);
}

TEST_CASE("numbers past double in a request are an error, not an internal one", "[queries][limits]") {
    smorg::testing::TempDir dir;
    auto engine = sample_engine(dir);
    RunContext run;
    const auto r = engine.execute_text(R"({"op": "centrality", "algorithm": "pagerank", "damping": 1e309})", run);
    CHECK(r["error"]["code"] == "invalid_argument");
}

TEST_CASE("unbounded counts and precisions are refused before any work", "[queries][limits]") {
    smorg::testing::TempDir dir;
    auto engine = sample_engine(dir);
    const auto started = std::chrono::steady_clock::now();
    refused(engine.execute({{"op", "spread"}, {"seeds", {"c000001"}}, {"simulations", 1'000'000'000}}), "invalid_argument",
            "/simulations");
    refused(engine.execute({{"op", "seeds"}, {"epsilon", 1e-9}}), "invalid_argument", "/epsilon");
    refused(engine.execute({{"op", "seeds"}, {"epsilon", 1e-3}}), "invalid_argument", "/epsilon");
    refused(engine.execute({{"op", "seeds"}, {"epsilon", 0.01}, {"max_rr_sets", 1000}}), "resource_exhausted", "/epsilon");
    refused(engine.execute({{"op", "advocates"}, {"reach_samples", std::numeric_limits<std::int64_t>::max()}}),
            "invalid_argument", "/reach_samples");
    refused(engine.execute({{"op", "silos"}, {"permutations", 2'000'000}}), "invalid_argument", "/permutations");
    refused(engine.execute({{"op", "centrality"}, {"algorithm", "pagerank"}, {"max_iterations", 2'000'000}}), "invalid_argument",
            "/max_iterations");
    CHECK(seconds_since(started) < 10);
    // An epsilon below what sampling can beat gives the exact answer, not an empty one.
    const auto r = engine.execute({{"op", "centrality"}, {"algorithm", "betweenness"}, {"epsilon", 1e-10}, {"top", 3}});
    REQUIRE(response_ok(r));
    CHECK(r["result"]["sampled"] == false);
    CHECK(r["result"]["error_bound"] == 0);
    CHECK(r["result"]["rows"][0]["score"].get<double>() > 0);
}

TEST_CASE("work and memory past the budget are refused up front, and estimate mode says so", "[queries][limits]") {
    smorg::testing::TempDir dir;
    auto engine = sample_engine(dir);
    const json spread = {{"op", "spread"}, {"seeds", {"e00001"}}, {"simulations", 100'000'000}};
    auto r = engine.execute(spread);
    refused(r, "resource_exhausted", "/simulations");
    CHECK_THAT(r["error"]["message"].get<std::string>(), Catch::Contains("max_work"));
    json estimate = spread;
    estimate["estimate"] = true;
    r = engine.execute(estimate);
    REQUIRE(response_ok(r));
    CHECK(r["result"]["estimate"]["fits"] == false);
    CHECK(r["result"]["estimate"]["driven_by"] == "simulations");
    // A request may lower its own budget ...
    refused(engine.execute({{"op", "centrality"}, {"algorithm", "betweenness"}, {"max_work", 1000}}), "resource_exhausted", "");
    refused(engine.execute({{"op", "centrality"}, {"algorithm", "pagerank"}, {"max_work", -1}}), "invalid_argument", "/max_work");
    // ... and an engine's memory budget holds for every request.
    EngineOptions tight;
    tight.limits.max_memory_bytes = 1000;
    QueryEngine small((dir / "org.db").string(), tight);
    r = small.execute({{"op", "centrality"}, {"algorithm", "betweenness"}});
    CHECK(r["error"]["code"] == "resource_exhausted");
    CHECK_THAT(r["error"]["message"].get<std::string>(), Catch::Contains("working memory"));
}

TEST_CASE("every op answers estimate: true without running", "[queries][limits]") {
    smorg::testing::TempDir dir;
    EngineOptions options;
    options.output_dir = dir.path();
    auto engine = sample_engine(dir, options);
    const std::vector<json> requests = {
        {{"op", "stats"}},
        {{"op", "node"}, {"id", "c000001"}},
        {{"op", "neighbors"}, {"id", "c000001"}},
        {{"op", "path"}, {"source", "c000001"}, {"target", "e00001"}},
        {{"op", "centrality"}, {"algorithm", "degree"}},
        {{"op", "centrality"}, {"algorithm", "pagerank"}},
        {{"op", "centrality"}, {"algorithm", "betweenness"}, {"epsilon", 0.05}},
        {{"op", "centrality"}, {"algorithm", "closeness"}},
        {{"op", "centrality"}, {"algorithm", "eigenvector"}},
        {{"op", "crv"}},
        {{"op", "spread"}, {"seeds", {"c000001"}}},
        {{"op", "seeds"}, {"k", 3}},
        {{"op", "advocates"}},
        {{"op", "communities"}},
        {{"op", "silos"}, {"svg", "map.svg"}},
        {{"op", "export"}, {"format", "dot"}, {"out", "g.dot"}, {"attach", {{{"op", "communities"}}}}},
        {{"op", "import"}, {"edges", (dir / "org" / "edges.csv").string()}},
        {{"op", "erase"}, {"id", "c000001"}},
    };
    for (auto request : requests) {
        request["estimate"] = true;
        const auto r = engine.execute(request);
        INFO(request.dump() << " -> " << smorg::queries::to_text(r));
        REQUIRE(response_ok(r));
        CHECK(r["result"]["estimate"]["work"].get<double>() > 0);
        CHECK(r["result"]["estimate"].contains("fits"));
    }
    // Nothing ran: no file written, nobody erased, no batch added.
    CHECK_FALSE(std::filesystem::exists(dir / "map.svg"));
    CHECK_FALSE(std::filesystem::exists(dir / "g.dot"));
    CHECK(response_ok(engine.execute({{"op", "node"}, {"id", "c000001"}})));
    CHECK(engine.execute({{"op", "stats"}})["result"]["batches"].size() == 1);
}

TEST_CASE("files are written only as relative names under the output directory, never over the store", "[queries][files]") {
    smorg::testing::TempDir dir;
    const auto out = dir / "out";
    std::filesystem::create_directory(out);
    EngineOptions options;
    options.output_dir = out;
    auto engine = sample_engine(dir, options);
    const auto db = (dir / "org.db").string();
    auto export_to = [&](const std::string& path) {
        return engine.execute({{"op", "export"}, {"format", "dot"}, {"out", path}});
    };
    CHECK(response_ok(export_to("g.dot")));
    CHECK(std::filesystem::exists(out / "g.dot"));
    refused(export_to(db), "permission_denied", "/out");
    refused(export_to("../org.db"), "permission_denied", "/out");
    refused(export_to("/tmp/anything.dot"), "permission_denied", "/out");
    refused(engine.execute({{"op", "silos"}, {"svg", "../map.svg"}}), "permission_denied", "/svg");
    // A symlink inside the folder that leads out of it does not take a write out.
    std::filesystem::create_directory_symlink(dir.path(), out / "up");
    refused(export_to("up/org.db"), "permission_denied", "/out");
    refused(export_to("up/x.dot"), "permission_denied", "/out");
    // A symlink at the name is replaced, not followed.
    const auto victim = dir.write("victim.txt", "precious");
    std::filesystem::create_symlink(victim, out / "link.dot");
    CHECK(response_ok(export_to("link.dot")));
    CHECK(smorg::testing::slurp(victim) == "precious");
    CHECK_FALSE(std::filesystem::is_symlink(out / "link.dot"));
    CHECK(std::filesystem::file_size(db) > 1000);  // the store was never touched

    // Absolute paths only when allowed; over the store never.
    options.allow_absolute_output = true;
    QueryEngine open(db, options);
    CHECK(response_ok(open.execute({{"op", "export"}, {"format", "dot"}, {"out", (dir / "abs.dot").string()}})));
    for (const char* suffix : {"", "-wal", "-shm", ".snapshot"}) {
        refused(open.execute({{"op", "export"}, {"format", "dot"}, {"out", db + suffix}}), "permission_denied", "/out");
    }
    // Without an output directory, nothing is written.
    QueryEngine closed(db);
    refused(closed.execute({{"op", "export"}, {"format", "dot"}, {"out", "x.dot"}}), "permission_denied", "/out");
}

TEST_CASE("imports read only inside the input directory when one is set", "[queries][files]") {
    smorg::testing::TempDir dir;
    const auto in = dir / "in";
    std::filesystem::create_directory(in);
    std::ofstream(in / "n.csv") << "id,kind\nzed,customer\n";
    std::ofstream(dir / "outside.csv") << "id,kind\nyan,customer\n";
    EngineOptions options;
    options.input_dirs = std::vector{in};
    options.create = true;
    QueryEngine engine((dir / "t.db").string(), options);
    CHECK(response_ok(engine.execute({{"op", "import"}, {"nodes", "n.csv"}})));
    CHECK(response_ok(engine.execute({{"op", "import"}, {"nodes", (in / "n.csv").string()}})));
    refused(engine.execute({{"op", "import"}, {"nodes", "../outside.csv"}}), "permission_denied", "/nodes");
    refused(engine.execute({{"op", "import"}, {"nodes", (dir / "outside.csv").string()}}), "permission_denied", "/nodes");
    refused(engine.execute({{"op", "import"}, {"edges", {"n.csv", "/etc/passwd"}}}), "permission_denied", "/edges/1");
}

TEST_CASE("no import directory reads no file by name, and one request may be granted its own folder", "[queries][files]") {
    smorg::testing::TempDir dir;
    const auto staged = dir / "staged";
    std::filesystem::create_directory(staged);
    std::ofstream(staged / "n.csv") << "id,kind\nzed,customer\n";
    EngineOptions options;
    options.input_dirs = std::vector<std::filesystem::path>{};
    options.create = true;
    QueryEngine engine((dir / "t.db").string(), options);
    const json request = {{"op", "import"}, {"nodes", (staged / "n.csv").string()}};
    refused(engine.execute(request), "permission_denied", "/nodes");
    RunContext run;
    CHECK(response_ok(engine.execute(request, run, {staged})));
    // The grant was for that request alone.
    refused(engine.execute(request), "permission_denied", "/nodes");
}

TEST_CASE("the silo map is laid out by a child that a cancel kills, and nothing is written", "[queries][limits]") {
    smorg::testing::TempDir dir;
    EngineOptions options;
    options.output_dir = dir.path();
    auto engine = sample_engine(dir, options);
    // Drawn in full once: the layout runs and answers an SVG.
    const json request = {{"op", "silos"}, {"permutations", 0}, {"svg", "map.svg"}};
    REQUIRE(response_ok(engine.execute(request)));
    CHECK(smorg::testing::slurp(dir / "map.svg").find("<svg") != std::string::npos);
    std::filesystem::remove(dir / "map.svg");
    // Cancelled the moment the layout starts: the child is killed and reaped, the answer is
    // `cancelled`, and no file appears.
    int layouts = 0;
    RunContext run([&](std::string_view phase, double done) {
        if (phase == "laying out the map" && done == 0) {
            ++layouts;
            run.cancel();
        }
    });
    const auto t = std::chrono::steady_clock::now();
    const auto r = engine.execute(request, run);
    INFO(smorg::queries::to_text(r));
    CHECK(layouts == 1);
    REQUIRE_FALSE(response_ok(r));
    CHECK(r["error"]["code"] == "cancelled");
    CHECK(seconds_since(t) < 30);
    CHECK_FALSE(std::filesystem::exists(dir / "map.svg"));
}
