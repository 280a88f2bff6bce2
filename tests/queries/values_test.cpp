// QueryEngine::execute_values: an op's per-person values for every node, as the library doors lay
// out whole vectors.
#include <algorithm>
#include <cmath>

#include <catch2/catch.hpp>

#include "smorg/queries/query_engine.h"

#include "tiny_support.h"

using namespace smorg;
using json = nlohmann::json;

TEST_CASE("execute_values gives every node's value in snapshot order, equal to the rows", "[queries][values]") {
    auto engine = testing::tiny_engine();
    queries::RunContext run;
    std::vector<double> values;
    std::vector<std::string> ids;
    const auto answer = engine.execute_values({{"op", "centrality"}, {"algorithm", "pagerank"}, {"top", 0}}, run, values, &ids);
    REQUIRE(answer["ok"] == true);
    REQUIRE(values.size() == ids.size());
    CHECK(ids == engine.node_ids());
    std::size_t matched = 0;
    for (const auto& row : answer["result"]["rows"]) {
        const auto at = std::find(ids.begin(), ids.end(), row["id"].get<std::string>()) - ids.begin();
        CHECK(values[static_cast<std::size_t>(at)] == row["score"].get<double>());
        ++matched;
    }
    std::size_t missing = 0;
    for (double v : values) missing += std::isnan(v) ? 1U : 0U;
    CHECK(matched + missing == values.size());
    CHECK(missing == answer["result"]["isolated"].get<std::size_t>());
}

TEST_CASE("execute_values refuses batches and ops without per-person values", "[queries][values]") {
    auto engine = testing::tiny_engine();
    queries::RunContext run;
    std::vector<double> values{1.0};
    auto answer = engine.execute_values(json::array({{{"op", "stats"}}}), run, values);
    CHECK(answer["error"]["code"] == "invalid_argument");
    CHECK(values.empty());
    answer = engine.execute_values({{"op", "stats"}}, run, values);
    CHECK(answer["error"]["at"] == "/op");
    answer = engine.execute_values({{"op", "centrality"}, {"algorithm", "degree"}, {"estimate", true}}, run, values);
    CHECK(answer["error"]["at"] == "/estimate");
    // A bad request answers its own error, at its field.
    answer = engine.execute_values({{"op", "centrality"}, {"algorithm", "pagerank"}, {"damping", 2}}, run, values);
    CHECK(answer["error"]["at"] == "/damping");
}
