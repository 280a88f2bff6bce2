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

}  // namespace smorg::testing
