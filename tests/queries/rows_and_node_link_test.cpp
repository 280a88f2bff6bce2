// The protocol's in-memory doors: import rows given in the request (node_rows, edge_rows), and the
// node-link export that answers with the graph itself.
#include <catch2/catch.hpp>

#include "smorg/queries/query_engine.h"

#include "tiny_support.h"

using namespace smorg;
using json = nlohmann::json;

TEST_CASE("import takes rows as arrays of objects or as JSON Lines text", "[queries][import][rows]") {
    queries::QueryEngine engine(":memory:");
    auto answer = engine.execute(json::parse(R"({"op": "import",
        "node_rows": [{"id": "ann", "kind": "customer", "clv": 5}, {"id": "bob", "kind": "customer"}],
        "edge_rows": "{\"source\": \"ann\", \"target\": \"bob\", \"kind\": \"referral\"}\n"})"));
    REQUIRE(answer["ok"] == true);
    CHECK(answer["result"]["nodes_added"] == 2);
    CHECK(answer["result"]["edges_added"] == 1);

    // A bad row: data_loss, each error with its table, row and pointer; nothing lands.
    answer = engine.execute(json::parse(R"([{"op": "stats"}, {"op": "import",
        "edge_rows": [{"source": "ann", "target": "bob"}, {"source": "ann", "target": "bob", "weight": "heavy"}]}])"));
    const auto& error = answer[1]["error"];
    CHECK(error["code"] == "data_loss");
    REQUIRE(error["errors"].size() == 1);
    CHECK(error["errors"][0] == json{{"table", "edge_rows"},
                                     {"row", 1},
                                     {"field", "weight"},
                                     {"message", "weight must be a number, got \"heavy\""},
                                     {"at", "/1/edge_rows/1/weight"}});
    CHECK(engine.execute({{"op", "stats"}})["result"]["edges"] == 1);

    // Not rows at all: refused at the field or the row.
    CHECK(engine.execute({{"op", "import"}, {"node_rows", 3}})["error"]["at"] == "/node_rows");
    CHECK(engine.execute({{"op", "import"}, {"node_rows", {1}}})["error"]["at"] == "/node_rows/0");
}

TEST_CASE("a node-link export answers with the graph when it is given no file", "[queries][export]") {
    auto engine = testing::tiny_engine();
    const auto stats = engine.execute({{"op", "stats"}})["result"];
    auto answer = engine.execute({{"op", "export"}, {"format", "node_link"}, {"keep_isolated", true}});
    REQUIRE(answer["ok"] == true);
    const auto& result = answer["result"];
    CHECK_FALSE(result.contains("file"));
    const auto& graph = result["graph"];
    CHECK(graph["directed"] == true);
    CHECK(graph["multigraph"] == true);
    CHECK(graph["nodes"].size() == stats["nodes"]);
    CHECK(graph["links"].size() == stats["edges"]);
    CHECK(result["nodes"] == stats["nodes"]);
    for (const auto& link : graph["links"]) {
        CHECK(link.contains("source"));
        CHECK(link.contains("kind"));
        CHECK(link["weight"].is_number());
    }
    // A file needs an output folder; the engine here has none.
    answer = engine.execute({{"op", "export"}, {"format", "node_link"}, {"out", "g.json"}});
    CHECK(answer["error"]["code"] == "permission_denied");
    CHECK(answer["error"]["at"] == "/out");
    // An empty name is refused, not taken for "no file".
    answer = engine.execute({{"op", "export"}, {"format", "node_link"}, {"out", ""}});
    CHECK(answer["error"]["at"] == "/out");
    // The other formats still need "out".
    CHECK(engine.execute({{"op", "export"}, {"format", "graphml"}})["error"]["at"] == "/out");
}

TEST_CASE("a node-link answer that would not fit the memory budget is refused first", "[queries][export][limits]") {
    auto engine = testing::tiny_engine();
    queries::RunContext run;
    graph::Limits limits;
    limits.max_memory_bytes = 1024;
    run.set_limits(limits);
    const auto answer = engine.execute({{"op", "export"}, {"format", "node_link"}}, run);
    CHECK(answer["error"]["code"] == "resource_exhausted");
    CHECK(answer["error"]["at"] == "/format");
}
