#include "tiny_support.h"

#include <catch2/catch.hpp>

#include "smorg_test_paths.h"

namespace smorg::testing {

const std::string& tiny_dir() {
    static const std::string dir = std::string(SMORG_TEST_SOURCE_DIR) + "/tests/data/tiny/";
    return dir;
}

nlohmann::json import_tiny(queries::QueryEngine& engine) {
    return engine.execute({{"op", "import"}, {"nodes", tiny_dir() + "nodes.csv"}, {"edges", tiny_dir() + "edges.csv"}});
}

queries::QueryEngine tiny_engine() {
    queries::QueryEngine engine(":memory:");
    REQUIRE(queries::response_ok(import_tiny(engine)));
    return engine;
}

nlohmann::json result_of(queries::QueryEngine& engine, const nlohmann::json& request) {
    auto r = engine.execute(request);
    INFO(queries::to_text(r).substr(0, 2000));
    REQUIRE(queries::response_ok(r));
    return r["result"];
}

}  // namespace smorg::testing
