#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

#include "smorg/queries/query_engine.h"

#include "smorg_test_paths.h"
#include "support/fixtures.h"
#include "tiny_support.h"

using nlohmann::json;
using smorg::queries::QueryEngine;
using smorg::queries::response_ok;
using smorg::queries::RunContext;

using smorg::testing::tiny_engine;

TEST_CASE("malformed JSON is an error naming the byte offset", "[queries][protocol]") {
    auto engine = tiny_engine();
    RunContext run;
    const auto r = engine.execute_text(R"({"op": "stats",, })", run);
    REQUIRE_FALSE(response_ok(r));
    CHECK(r["error"]["code"] == "invalid_argument");
    CHECK(r["error"]["at"] == "");
    CHECK_THAT(r["error"]["message"].get<std::string>(), Catch::Contains("at byte 16"));
}

TEST_CASE("a cancelled request answers with the cancelled code", "[queries][protocol]") {
    auto engine = tiny_engine();
    RunContext run;
    run.cancel();
    const auto r = engine.execute({{"op", "centrality"}, {"algorithm", "pagerank"}}, run);
    REQUIRE_FALSE(response_ok(r));
    CHECK(r["error"]["code"] == "cancelled");
}

TEST_CASE("a batch answers every request in order, each on its own", "[queries][protocol]") {
    auto engine = tiny_engine();
    const auto r = engine.execute(
        json::array({{{"op", "node"}, {"id", "ann"}}, {{"op", "node"}, {"id", "nobody"}}, {{"op", "node"}, {"id", "bob"}}}));
    REQUIRE(r.is_array());
    REQUIRE(r.size() == 3);
    CHECK(r[0]["ok"] == true);
    CHECK(r[1]["error"]["code"] == "not_found");
    CHECK(r[1]["error"]["at"] == "/1/id");
    CHECK(r[2]["result"]["id"] == "bob");
    CHECK_FALSE(response_ok(r));
}

TEST_CASE("a missing database is not created by a read-only engine", "[queries][protocol]") {
    smorg::testing::TempDir dir;
    const auto path = (dir / "absent.db").string();
    try {
        QueryEngine engine(path);  // read-only is the default
        FAIL("expected a QueryError");
    } catch (const smorg::queries::QueryError& e) {
        CHECK(e.code() == smorg::queries::ErrorCode::not_found);
    }
    CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("concurrent readers keep answering while a batch import swaps the snapshot", "[queries][concurrency]") {
    auto engine = tiny_engine();
    std::atomic<bool> done{false};
    std::atomic<int> answered{0};
    std::atomic<int> failed{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 2; ++t) {
        readers.emplace_back([&] {
            while (!done.load()) {
                const auto r = engine.execute({{"op", "centrality"}, {"algorithm", "degree"}, {"top", 0}});
                if (!response_ok(r)) ++failed;
                // Either the old graph (6 people) or the new one (7): never anything in between.
                const auto rows = r["result"]["rows"].size();
                if (rows != 6 && rows != 7) ++failed;
                ++answered;
            }
        });
    }
    smorg::testing::TempDir dir;
    const auto extra = dir.write("more.csv", "id,kind\nzoe,customer\n");
    const auto r = engine.execute({{"op", "import"}, {"nodes", extra.string()}});
    while (answered.load() < 20) std::this_thread::yield();
    done = true;
    for (auto& t : readers) t.join();
    CHECK(response_ok(r));
    CHECK(failed.load() == 0);
}
