// Every kind of bad input names its file, line, column and field, and nothing of the batch lands.
#include <catch2/catch.hpp>
#include <zlib.h>

#include "smorg/graph/errors.h"

#include "chunks.h"
#include "import_support.h"
#include "support/fixtures.h"

using namespace smorg;
using importers::ImportError;
using importers::ImportSpec;

namespace {

const char* kNodes =
    "id,kind,name,clv\n"
    "ann,customer,Ann,100\n"
    "bob,customer,Bob,50\n"
    "eve,employee,Eve,\n";

struct Fixture {
    testing::TempDir dir;
    std::unique_ptr<importers::Database> db = importers::Database::open((dir / "t.db").string());
    Fixture() { db->import(testing::nodes_spec(dir.write("base.csv", kNodes))); }
    // The one error of an import that must fail with exactly one.
    ImportError only_error(const ImportSpec& spec) {
        const auto failed = testing::failed_import(*db, spec);
        REQUIRE(failed.total() == 1);
        REQUIRE(failed.errors().size() == 1);
        return failed.errors()[0];
    }
};

void check_error(const ImportError& e, std::size_t line, std::size_t column, const std::string& field,
                 const std::string& message_part) {
    INFO(e.what());
    CHECK(e.line() == line);
    CHECK(e.column() == column);
    CHECK(e.field() == field);
    CHECK_THAT(e.message(), Catch::Contains(message_part));
}

}  // namespace

TEST_CASE("an edge naming an unknown node names the file, line and column", "[importers][errors]") {
    Fixture f;
    const auto file = f.dir.write("e.csv", "source,target,kind\nann,bob,referral\nbob,zed,referral\n");
    const auto e = f.only_error(testing::edges_spec(file));
    check_error(e, 3, 5, "target", "unknown node 'zed'");
    CHECK_THAT(e.what(), Catch::StartsWith(file.string() + ":3:5: column 'target': unknown node 'zed'"));
}

TEST_CASE("create_missing creates unknown nodes with kind unknown instead of failing", "[importers]") {
    Fixture f;
    auto spec = testing::edges_spec(f.dir.write("e.csv", "source,target\nann,zed\n"));
    spec.create_missing = true;
    const auto report = f.db->import(spec);
    CHECK(report.missing_nodes_created == 1);
    const auto g = f.db->snapshot();
    REQUIRE(g->find("zed"));
    CHECK(g->node_kind_name(*g->find("zed")) == "unknown");
}

TEST_CASE("a node id with a conflicting kind is refused, in the batch or against the store", "[importers][errors]") {
    Fixture f;
    check_error(f.only_error(testing::nodes_spec(f.dir.write("n.csv", "id,kind\nzoe,customer\nann,employee\n"))), 3, 5, "kind",
                "already exists with kind 'customer', not 'employee'");
    check_error(f.only_error(testing::nodes_spec(f.dir.write("m.csv", "id,kind\nzoe,customer\nzoe,partner\n"))), 3, 5, "kind",
                "'zoe' already exists with kind 'customer', not 'partner'");
}

TEST_CASE("the same id with the same kind updates the node", "[importers]") {
    Fixture f;
    const auto report = f.db->import(testing::nodes_spec(f.dir.write("n.csv", "id,kind,clv\nann,customer,120\n")));
    CHECK(report.nodes_added == 0);
    CHECK(report.nodes_updated == 1);
    const auto g = f.db->snapshot();
    CHECK(g->attributes().find("clv")->number(*g->find("ann")) == 120.0);
    CHECK(g->attributes().find("name")->string(*g->find("ann")) == "Ann");
}

TEST_CASE("malformed numbers and timestamps name the column", "[importers][errors]") {
    Fixture f;
    check_error(f.only_error(testing::nodes_spec(f.dir.write("n.csv", "id,kind,clv\nzoe,customer,\"12,5\"\n"))), 2, 14, "clv",
                "expected a number, got \"12,5\"");
    check_error(f.only_error(testing::edges_spec(f.dir.write("e.csv", "source,target,timestamp\nann,bob,yesterday\n"))), 2, 9,
                "timestamp", "got \"yesterday\"");
    check_error(f.only_error(testing::edges_spec(f.dir.write("w.csv", "source,target,weight\nann,bob,0\n"))), 2, 9, "weight",
                "weight must be > 0");
    check_error(f.only_error(testing::edges_spec(f.dir.write("v.csv", "source,target,value\nann,bob,lots\n"))), 2, 9, "value",
                "expected a number");
}

TEST_CASE("an empty id is refused", "[importers][errors]") {
    Fixture f;
    check_error(f.only_error(testing::nodes_spec(f.dir.write("n.csv", "id,kind\n,customer\n"))), 2, 1, "id", "empty id");
    check_error(f.only_error(testing::edges_spec(f.dir.write("e.csv", "source,target\nann,\n"))), 2, 5, "target", "empty id");
}

TEST_CASE("a wrong number of fields is refused", "[importers][errors]") {
    Fixture f;
    check_error(f.only_error(testing::edges_spec(f.dir.write("e.csv", "source,target,kind\nann,bob\n"))), 2, 1, "",
                "expected 3 fields as in the header, found 2");
    auto spec = testing::edges_spec(f.dir.write("e.txt", "1 2\n3 4 5\n"));
    check_error(f.only_error(spec), 2, 1, "", "expected 2 columns (source,target), found 3");
}

TEST_CASE("invalid UTF-8 is refused at its byte", "[importers][errors]") {
    Fixture f;
    check_error(f.only_error(testing::nodes_spec(f.dir.write("n.csv", "id,kind,name\nzoe,customer,Zo\xC3\n"))), 2, 16, "",
                "invalid UTF-8");
    check_error(f.only_error(testing::edges_spec(f.dir.write("e.txt", "1 2\n3 \xFF\n"))), 2, 3, "", "invalid UTF-8");
}

TEST_CASE("a truncated file is refused", "[importers][errors]") {
    Fixture f;
    SECTION("an unterminated quote at the end of a CSV") {
        check_error(f.only_error(testing::nodes_spec(f.dir.write("n.csv", "id,kind,name\nzoe,customer,\"Zoe\n"))), 2, 14, "",
                    "unterminated quoted field");
    }
    SECTION("a JSON Lines object cut in the middle") {
        const auto e = f.only_error(
            testing::nodes_spec(f.dir.write("n.jsonl", "{\"id\": \"zoe\", \"kind\": \"customer\"}\n{\"id\": \"yan\", \"ki")));
        CHECK(e.line() == 2);
        CHECK_THAT(e.message(), Catch::Contains("ends early"));
    }
    SECTION("a gzip stream cut short") {
        std::string text;
        for (int i = 0; i < 20000; ++i) text += std::to_string(i) + " " + std::to_string(i + 1) + "\n";
        const auto packed = testing::gzipped(text);
        const auto whole = f.dir.write("whole.txt.gz", packed);
        CHECK(f.db->import(testing::edges_spec(whole)).edges_added == 20000);
        const auto cut = f.dir.write("cut.txt.gz", packed.substr(0, packed.size() / 2));
        const auto e = f.only_error(testing::edges_spec(cut));
        CHECK(e.line() > 1);
        CHECK_THAT(e.message(), Catch::Contains("truncated"));
    }
}

TEST_CASE("at most max_errors are listed and all are counted", "[importers][errors]") {
    Fixture f;
    std::string text = "source,target\n";
    for (int i = 0; i < 250; ++i) text += "ann,nobody" + std::to_string(i) + "\n";
    auto spec = testing::edges_spec(f.dir.write("e.csv", text));
    auto failed = testing::failed_import(*f.db, spec);
    CHECK(failed.total() == 250);
    REQUIRE(failed.errors().size() == 100);
    CHECK(failed.errors().front().line() == 2);
    CHECK(failed.errors().back().line() == 101);
    spec.max_errors = 3;
    failed = testing::failed_import(*f.db, spec);
    CHECK(failed.errors().size() == 3);
    CHECK(failed.total() == 250);
    CHECK_THAT(failed.what(),
               Catch::Contains("import failed with 250 errors; nothing was imported") && Catch::Contains("and 247 more"));
}

TEST_CASE("a failed batch leaves the database exactly as it was", "[importers][errors]") {
    Fixture f;
    const auto before = f.db->snapshot();
    const auto fingerprint = before->fingerprint();
    const auto generation = f.db->stats().generation;
    const auto batches = f.db->batches().size();
    ImportSpec spec;
    spec.nodes = {f.dir.write("good.csv", "id,kind\nzoe,customer\n").string()};
    spec.edges = {f.dir.write("bad.csv", "source,target\nzoe,ann\nzoe,nobody\n").string()};
    testing::failed_import(*f.db, spec);
    CHECK(f.db->snapshot()->fingerprint() == fingerprint);
    CHECK(f.db->stats().generation == generation);
    CHECK(f.db->batches().size() == batches);
    CHECK_FALSE(f.db->snapshot()->find("zoe"));
    // And after reopening from the file.
    const auto path = f.db->path();
    f.db.reset();
    f.db = importers::Database::open(path);
    CHECK(f.db->snapshot()->fingerprint() == fingerprint);
}

TEST_CASE("line numbers are exact at the first and last row, across CRLF, quoted newlines and chunks",
          "[importers][errors][lines]") {
    Fixture f;
    SECTION("first and last row, no final newline") {
        check_error(f.only_error(testing::edges_spec(f.dir.write("e.csv", "source,target\nx1,ann\nann,bob\nbob,ann"))), 2, 1,
                    "source", "unknown node 'x1'");
        check_error(f.only_error(testing::edges_spec(f.dir.write("e.csv", "source,target\nann,bob\nbob,ann\nbob,x9"))), 4, 5,
                    "target", "unknown node 'x9'");
    }
    SECTION("CRLF line endings") {
        check_error(f.only_error(testing::edges_spec(f.dir.write("e.csv", "source,target\r\nann,bob\r\nbob,x3\r\n"))), 3, 5,
                    "target", "unknown node 'x3'");
    }
    SECTION("a record spanning lines is reported where its bad field starts") {
        check_error(
            f.only_error(testing::nodes_spec(f.dir.write("n.csv", "id,kind,name\nzoe,customer,\"two\nlines\"\nyan,,Y\n"))), 4, 5,
            "kind", "empty kind");
    }
    SECTION("chunk boundaries, with and without quotes") {
        const auto saved = importers::detail::chunk_bytes();
        importers::detail::set_chunk_bytes(64);
        for (const bool quotes : {false, true}) {
            std::string text = "source,target,kind\n";
            // Quoted fields make the chunking scan quote parity (a kind may not hold a newline, so a
            // comma stands in for what a quote protects).
            for (int i = 0; i < 500; ++i) text += quotes ? "\"ann\",bob,\"a,kind\"\n" : "ann,bob,interaction\n";
            text += "ann,x500,interaction\n";
            const std::size_t bad_line = 2 + 500;
            const auto e = f.only_error(testing::edges_spec(f.dir.write("e.csv", text)));
            CHECK(e.line() == bad_line);
            CHECK(e.column() == 5);
        }
        importers::detail::set_chunk_bytes(saved);
    }
}

TEST_CASE("edge lists skip zero-weight lines and comments and count them", "[importers][edgelist]") {
    Fixture f;
    auto spec = testing::edges_spec(f.dir.write("k.txt", "# a comment\r\n 1 2 1\r\n 1 3 0\r\n% another\r\n 2 3 1\r\n"));
    spec.columns = {"source", "target", "weight"};
    spec.node_kind = "employee";
    const auto report = f.db->import(spec);
    CHECK(report.edges_added == 2);
    CHECK(report.edges_skipped_zero_weight == 1);
    CHECK(report.missing_nodes_created == 3);
    const auto g = f.db->snapshot();
    CHECK(g->node_kind_name(*g->find("3")) == "employee");
}

TEST_CASE("edge-list columns are checked before anything is read", "[importers][edgelist]") {
    Fixture f;
    auto spec = testing::edges_spec(f.dir.write("k.txt", "1 2\n"));
    spec.columns = {"source", "target", "wieght"};
    try {
        f.db->import(spec);
        FAIL("expected a ParamError");
    } catch (const graph::ParamError& e) {
        CHECK(e.field() == "columns/2");
    }
}

TEST_CASE("a missing input file is reported before anything is parsed", "[importers][errors]") {
    Fixture f;
    const auto e = f.only_error(testing::edges_spec(f.dir / "absent.csv"));
    CHECK(e.line() == 0);
    CHECK_THAT(e.message(), Catch::Contains("cannot open"));
}
