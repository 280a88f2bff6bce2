#include "oracle_support.h"

#include <cmath>
#include <fstream>

#include <catch2/catch.hpp>

#include "smorg_test_paths.h"
#include "support/fixtures.h"

namespace smorg::testing {

Scores networkx_scores(const nlohmann::json& request) {
    TempDir dir;
    const auto input = dir.write("request.json", request.dump());
    const auto script = std::string(SMORG_TEST_SOURCE_DIR) + "/tests/oracle/nx_oracle.py";
    const auto output = run_command(python() + " " + script + " < " + input.string());
    const auto answer = nlohmann::json::parse(output);
    Scores scores;
    for (const auto& [id, value] : answer.at("scores").items()) scores[id] = value.get<double>();
    return scores;
}

Scores smorg_scores(queries::QueryEngine& engine, nlohmann::json request) {
    request["op"] = "centrality";
    request["top"] = 0;
    const auto response = engine.execute(request);
    INFO(response.dump());
    REQUIRE(queries::response_ok(response));
    Scores scores;
    for (const auto& row : response["result"]["rows"]) scores[row["id"].get<std::string>()] = row["score"].get<double>();
    return scores;
}

queries::QueryEngine load_edge_list(const std::filesystem::path& file, const std::vector<std::string>& columns,
                                    const std::string& edge_kind) {
    queries::QueryEngine engine(":memory:");
    const auto response = engine.execute(
        {{"op", "import"}, {"edges", file.string()}, {"format", "edgelist"}, {"columns", columns}, {"edge_kind", edge_kind}});
    INFO(response.dump());
    REQUIRE(queries::response_ok(response));
    return engine;
}

double max_abs_difference(const Scores& actual, const Scores& expected) {
    double worst = 0;
    for (const auto& [id, value] : expected) {
        const auto it = actual.find(id);
        INFO("node " << id);
        REQUIRE(it != actual.end());
        worst = std::max(worst, std::abs(it->second - value));
    }
    CHECK(actual.size() == expected.size());
    return worst;
}

double max_rel_difference(const Scores& actual, const Scores& expected) {
    double worst = 0;
    for (const auto& [id, value] : expected) {
        const auto it = actual.find(id);
        INFO("node " << id);
        REQUIRE(it != actual.end());
        const double scale = std::max(std::abs(value), 1e-300);
        worst = std::max(worst, value == 0 && it->second == 0 ? 0.0 : std::abs(it->second - value) / scale);
    }
    CHECK(actual.size() == expected.size());
    return worst;
}

}  // namespace smorg::testing
