// Rows held in memory (ImportSpec::node_rows, edge_rows): imported as files are, all or nothing,
// with errors that name the table and the row instead of a file and a line.
#include <catch2/catch.hpp>

#include "smorg/graph/errors.h"

#include "import_support.h"
#include "support/fixtures.h"

using namespace smorg;
using importers::ImportSpec;
using importers::RowTable;

namespace {

ImportSpec rows(std::string nodes, std::string edges) {
    ImportSpec spec;
    if (!nodes.empty()) spec.node_rows.push_back({"node_rows", std::move(nodes)});
    if (!edges.empty()) spec.edge_rows.push_back({"edge_rows", std::move(edges)});
    return spec;
}

}  // namespace

TEST_CASE("rows import as a JSON Lines file would, with their attributes and edge fields", "[importers][rows]") {
    auto db = importers::Database::open(":memory:");
    const auto report = db->import(
        rows(R"({"id": "ann", "kind": "customer", "clv": 10, "vip": true}
{"id": "bob", "kind": "customer", "clv": null}
)",
             R"({"source": "ann", "target": "bob", "kind": "referral", "weight": 2, "timestamp": "2026-01-02T00:00:00Z"}
)"));
    CHECK(report.nodes_added == 2);
    CHECK(report.edges_added == 1);
    const auto g = db->snapshot();
    const auto ann = *g->find("ann");
    CHECK(g->attributes().find("clv")->number(ann) == 10);
    CHECK(g->edge_kind_name(g->out_begin(ann)) == "referral");
    CHECK(db->batches().back().source == "node_rows, edge_rows");
}

TEST_CASE("a table's rows are nodes or edges whatever their keys", "[importers][rows]") {
    auto db = importers::Database::open(":memory:");
    // A node row with a "source" attribute stays a node; "type" may agree but not disagree.
    db->import(rows(R"({"id": "ann", "kind": "customer", "source": "web"})", ""));
    CHECK(db->snapshot()->attributes().find("source")->string(0) == "web");
    const auto failed = testing::failed_import(*db, rows(R"({"id": "bob", "type": "edge"})", ""));
    REQUIRE(failed.total() == 1);
    CHECK(failed.errors()[0].table());
    CHECK(std::string(failed.errors()[0].what()) == "node_rows: row 0: column 'type': a row of node_rows must be a node");
}

TEST_CASE("a bad row refuses the batch, naming the table, the row and the column", "[importers][rows][errors]") {
    auto db = importers::Database::open(":memory:");
    db->import(rows(R"({"id": "ann", "kind": "customer"})", ""));
    const auto failed = testing::failed_import(*db, rows(R"({"id": "bob", "kind": "customer"}
{"id": "cai", "kind": "customer", "clv": [1]})",
                                                         R"({"source": "ann", "target": "bob"}
{"source": "ann", "target": "nobody"}
{"source": "bob", "target": "ann", "weight": -1})"));
    REQUIRE(failed.total() == 3);
    const auto& e = failed.errors();
    CHECK(std::string(e[0].what()).starts_with("node_rows: row 1: column 'clv': attribute values must be"));
    CHECK((e[1].file() == "edge_rows" && e[1].row() == 1 && e[1].field() == "target"));
    CHECK((e[2].file() == "edge_rows" && e[2].row() == 2 && e[2].field() == "weight"));
    for (const auto& error : e) CHECK(error.table());
    CHECK(db->snapshot()->node_count() == 1);  // nothing landed
}

TEST_CASE("rows and files mix in one batch; files keep file:line errors", "[importers][rows][errors]") {
    testing::TempDir dir;
    auto db = importers::Database::open(":memory:");
    auto spec = rows(R"({"id": "ann", "kind": "customer"})", "");
    spec.edges = {dir.write("e.csv", "source,target\nann,zed\n").string()};
    const auto failed = testing::failed_import(*db, spec);
    REQUIRE(failed.total() == 1);
    CHECK_FALSE(failed.errors()[0].table());
    CHECK(failed.errors()[0].line() == 2);
    spec.create_missing = true;
    CHECK(db->import(spec).missing_nodes_created == 1);
}

TEST_CASE("row tables are bounded and named", "[importers][rows][errors]") {
    auto db = importers::Database::open(":memory:");
    auto spec = rows(R"({"id": "ann", "kind": "customer"})", "");
    spec.max_file_bytes = 5;
    const auto failed = testing::failed_import(*db, spec);
    CHECK(std::string(failed.errors()[0].what()).find("larger than max_file_bytes") != std::string::npos);
    ImportSpec unnamed;
    unnamed.node_rows.push_back({"", "{}"});
    try {
        db->import(unnamed);
        FAIL("an unnamed table was accepted");
    } catch (const graph::ParamError& e) {
        CHECK(e.field() == "node_rows/0");
    }
}

TEST_CASE("a whole number of seconds written as a float is a timestamp; a fraction is not", "[importers][rows][errors]") {
    auto db = importers::Database::open(":memory:");
    db->import(rows(R"({"id": "ann", "kind": "customer"}
{"id": "bob", "kind": "customer"})",
                    R"({"source": "ann", "target": "bob", "timestamp": 1717430124.0})"));
    const auto g = db->snapshot();
    CHECK(g->timestamp(g->out_begin(*g->find("ann"))) == 1717430124);
    const auto failed = testing::failed_import(*db, rows("", R"({"source": "ann", "target": "bob", "timestamp": 1.5})"));
    REQUIRE(failed.total() == 1);
    CHECK(std::string(failed.errors()[0].what()) ==
          "edge_rows: row 0: column 'timestamp': expected whole epoch seconds or an ISO-8601 time, got 1.5");
}

TEST_CASE("an edge table's malformed line is reported once; a table may not share a file's name", "[importers][rows][errors]") {
    auto db = importers::Database::open(":memory:");
    const auto failed = testing::failed_import(*db, rows("", "{\"source\": \n"));
    CHECK(failed.total() == 1);
    CHECK(failed.errors()[0].table());
    auto spec = rows(R"({"id": "ann"})", "");
    spec.nodes = {"node_rows"};
    try {
        db->import(spec);
        FAIL("a table named as a file was accepted");
    } catch (const graph::ParamError& e) {
        CHECK(e.field() == "node_rows/0");
    }
}
