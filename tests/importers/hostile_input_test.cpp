// Input written to break the importer: special files, bombs, huge headers, numbers past double,
// bytes that are not UTF-8, control characters, too many kinds. Each is refused whole, at its place,
// quickly, and every message is printable.
#include <chrono>
#include <future>

#include <catch2/catch.hpp>

#include "smorg/graph/text.h"

#include "import_support.h"
#include "support/fixtures.h"
#include <sys/stat.h>

using namespace smorg;
using importers::ImportError;
using importers::ImportSpec;

namespace {

struct Fixture {
    testing::TempDir dir;
    std::unique_ptr<importers::Database> db = importers::Database::open((dir / "t.db").string());
    Fixture() { db->import(testing::nodes_spec(dir.write("base.csv", "id,kind,name\nann,customer,Ann\nbob,customer,Bob\n"))); }
    importers::ImportFailed failed(const ImportSpec& spec) { return testing::failed_import(*db, spec); }
    ImportError first_error(const ImportSpec& spec) {
        const auto f = failed(spec);
        REQUIRE(!f.errors().empty());
        return f.errors()[0];
    }
};

// Runs an import that must end (fail) within `seconds`.
importers::ImportFailed fails_within(Fixture& f, const ImportSpec& spec, double seconds) {
    auto done = std::async(std::launch::async, [&] { return testing::failed_import(*f.db, spec); });
    REQUIRE(done.wait_for(std::chrono::duration<double>(seconds)) == std::future_status::ready);
    return done.get();
}

bool printable(const std::string& text) { return graph::invalid_utf8_at(text) == std::string::npos; }

}  // namespace

TEST_CASE("only regular files are read: a FIFO or a device is refused, never waited on", "[importers][hostile]") {
    Fixture f;
    const auto fifo = (f.dir / "pipe.csv").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    auto e = fails_within(f, testing::edges_spec(fifo), 10).errors().at(0);
    CHECK_THAT(e.message(), Catch::Contains("not a regular file"));
    e = fails_within(f, testing::edges_spec("/dev/zero"), 10).errors().at(0);
    CHECK_THAT(e.message(), Catch::Contains("not a regular file"));
    e = fails_within(f, testing::edges_spec(f.dir.path()), 10).errors().at(0);
    CHECK_THAT(e.message(), Catch::Contains("directory"));
}

TEST_CASE("a file over max_file_bytes and a gzip bomb are refused before they fill memory", "[importers][hostile]") {
    Fixture f;
    auto spec = testing::edges_spec(f.dir.write("e.csv", "source,target\nann,bob\nbob,ann\n"));
    spec.max_file_bytes = 10;
    CHECK_THAT(f.first_error(spec).message(), Catch::Contains("max_file_bytes"));
    // 200 MB of zeros packs into about 200 KB: past 100 times its size, inflating stops.
    const auto bomb = f.dir / "bomb.txt.gz";
    testing::run_command("head -c 200000000 /dev/zero | gzip -c > '" + bomb.string() + "'");
    const auto e = fails_within(f, testing::edges_spec(bomb), 30).errors().at(0);
    CHECK_THAT(e.message(), Catch::Contains("decompression bomb"));
}

TEST_CASE("a header of tens of thousands of columns is refused at once", "[importers][hostile]") {
    Fixture f;
    for (const std::size_t columns : {32'000u, 1'000'000u}) {
        std::string header = "id,kind";
        for (std::size_t c = 0; c < columns; ++c) header += ",a" + std::to_string(c);
        const auto started = std::chrono::steady_clock::now();
        const auto e = f.first_error(testing::nodes_spec(f.dir.write("wide.csv", header + "\n")));
        CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() < 5);
        CHECK(e.line() == 1);
        CHECK_THAT(e.message(), Catch::Contains("at most 4096 attributes"));
    }
    // Within the bound per file, the database's total is still bounded.
    std::string header = "id,kind";
    for (int c = 0; c < 3000; ++c) header += ",b" + std::to_string(c);
    f.db->import(testing::nodes_spec(f.dir.write("w1.csv", header + "\n")));
    header = "id,kind";
    for (int c = 0; c < 3000; ++c) header += ",x" + std::to_string(c);
    CHECK_THAT(
        f.first_error(testing::nodes_spec(f.dir.write("w2.csv", header + "\nzed,customer" + std::string(3000, ',') + "\n")))
            .message(),
        Catch::Contains("too many attributes"));
}

TEST_CASE("JSON Lines numbers past double and deep nesting are errors at their line", "[importers][hostile]") {
    Fixture f;
    auto e = f.first_error(testing::edges_spec(f.dir.write(
        "e.jsonl",
        "{\"source\": \"ann\", \"target\": \"bob\"}\n{\"source\": \"ann\", \"target\": \"bob\", \"weight\": 1e309}\n")));
    CHECK(e.line() == 2);
    CHECK_THAT(e.message(), Catch::Contains("out of range"));
    e = f.first_error(testing::nodes_spec(
        f.dir.write("n.jsonl", "{\"id\": \"zed\", \"deep\": " + std::string(100000, '[') + std::string(100000, ']') + "}\n")));
    CHECK(e.line() == 1);
    CHECK_THAT(e.message(), Catch::Contains("deeper than 64"));
    e = f.first_error(testing::edges_spec(
        f.dir.write("t.jsonl", "{\"source\": \"ann\", \"target\": \"bob\", \"timestamp\": 18446744073709551615}\n")));
    CHECK(e.field() == "timestamp");
}

TEST_CASE("every message is printable, whatever bytes the input held", "[importers][hostile]") {
    Fixture f;
    // The parse-error echo of JSON Lines, a CSV header name, a quoted field that splits a character,
    // a file name: none is valid UTF-8.
    const std::vector<std::pair<std::string, std::string>> files = {
        {"bad.jsonl", "{\"id\": \"\xff\xfe\", oops}\n"},
        {"header.csv", "id,kind,na\xffme\nzed,customer,x\n"},
        {"split.csv", "id,kind,name\nzed,customer,\"\xc3\"\xa9\n"},
        {"na\xffme.csv", "source,target\nann,zzz\n"},
    };
    for (const auto& [name, content] : files) {
        const bool nodes = name.find("jsonl") != std::string::npos || name != "na\xffme.csv";
        const auto path = f.dir.write(name, content);
        const auto failure = f.failed(nodes ? testing::nodes_spec(path) : testing::edges_spec(path));
        INFO(name);
        CHECK(printable(failure.what()));
        for (const auto& e : failure.errors()) {
            CHECK(printable(e.what()));
            CHECK(printable(e.file()));
            CHECK(printable(e.message()));
        }
    }
}

TEST_CASE("a batch from a file whose name is not UTF-8 is recorded printably", "[importers][hostile]") {
    Fixture f;
    f.db->import(testing::nodes_spec(f.dir.write("pe\xffople.csv", "id,kind\nzed,customer\n")));
    for (const auto& b : f.db->batches()) CHECK(printable(b.source));
    CHECK_THAT(f.db->batches().back().source, Catch::Contains("pe\\xffople.csv"));
}

TEST_CASE("ids and kinds with NUL, control characters or only blanks are refused", "[importers][hostile]") {
    Fixture f;
    auto e = f.first_error(testing::nodes_spec(f.dir.write("n.csv", std::string("id,kind\nz\0d,customer\n", 22))));
    CHECK(e.line() == 2);
    e = f.first_error(testing::nodes_spec(f.dir.write("b.csv", "id,kind\n   ,customer\n")));
    CHECK_THAT(e.message(), Catch::Contains("empty id"));  // CSV fields are trimmed
    e = f.first_error(testing::nodes_spec(f.dir.write("b.jsonl", "{\"id\": \"   \", \"kind\": \"customer\"}\n")));
    CHECK_THAT(e.message(), Catch::Contains("only blanks"));
    e = f.first_error(testing::edges_spec(f.dir.write("k.csv", "source,target,kind\nann,bob,\"re\tf\"\n")));
    CHECK(e.field() == "kind");
    CHECK_THAT(e.message(), Catch::Contains("control character"));
    e = f.first_error(testing::edges_spec(f.dir.write("j.jsonl", "{\"source\": \"ann\\u0000x\", \"target\": \"bob\"}\n")));
    CHECK(e.field() == "source");
}

TEST_CASE("more kinds than a vocabulary holds is an error at the first one too many", "[importers][hostile]") {
    Fixture f;
    std::string text = "source,target,kind\n";
    for (int k = 0; k < 300; ++k) text += "ann,bob,k" + std::to_string(k) + "\n";
    const auto e = f.first_error(testing::edges_spec(f.dir.write("kinds.csv", text)));
    CHECK_THAT(e.message(), Catch::Contains("too many edge kinds"));
    CHECK(e.line() > 200);
    std::string nodes = "id,kind\n";
    for (int k = 0; k < 300; ++k) nodes += "n" + std::to_string(k) + ",kind" + std::to_string(k) + "\n";
    CHECK_THAT(f.first_error(testing::nodes_spec(f.dir.write("nk.csv", nodes))).message(),
               Catch::Contains("too many node kinds"));
}

TEST_CASE("weights outside the range lengths and sums survive are refused", "[importers][hostile]") {
    Fixture f;
    for (const char* w : {"1e-310", "1e-200", "1e101"}) {
        const auto e =
            f.first_error(testing::edges_spec(f.dir.write("w.csv", std::string("source,target,weight\nann,bob,") + w + "\n")));
        INFO(w);
        CHECK(e.field() == "weight");
        CHECK_THAT(e.message(), Catch::Contains("weight must be in"));
    }
}

TEST_CASE("a failed first import into a new path leaves no database behind", "[importers][hostile]") {
    testing::TempDir dir;
    const auto path = (dir / "new.db").string();
    {
        auto db = importers::Database::open(path);
        testing::failed_import(*db, testing::edges_spec(dir.write("e.csv", "source,target\nann,bob\n")));
    }
    for (const char* suffix : {"", "-wal", "-shm", ".snapshot"}) CHECK_FALSE(std::filesystem::exists(path + suffix));
    {
        auto db = importers::Database::open(path);
        db->import(testing::nodes_spec(dir.write("n.csv", "id,kind\nann,customer\n")));
    }
    CHECK(std::filesystem::exists(path));
}

TEST_CASE("a borrowed batch keeps no file name in the store; an erased person's own attribute goes too", "[importers][erase]") {
    testing::TempDir dir;
    const auto path = (dir / "t.db").string();
    auto db = importers::Database::open(path);
    db->import(testing::nodes_spec(dir.write("n.csv", "id,kind,name\nann,customer,Ann\nbob,customer,Bob\n")));
    auto spec = testing::nodes_spec(dir.write("jane_doe_contacts.csv", "id,kind\ncai,customer\n"));
    spec.provenance = graph::Provenance::borrowed;
    db->import(spec);
    CHECK(db->snapshot()->find("cai"));
    CHECK(db->batches().back().source == "(borrowed: not kept)");
    db->import(testing::nodes_spec(dir.write("m.csv", "id,kind,ann_private_notes\nann,customer,likes cats\n")));
    REQUIRE(db->snapshot()->attributes().find("ann_private_notes"));
    db->erase({"ann"});
    CHECK_FALSE(db->snapshot()->attributes().find("ann_private_notes"));
    db.reset();
    for (const char* suffix : {"", "-wal", ".snapshot"}) {
        const auto bytes = testing::slurp(path + suffix);
        CHECK(bytes.find("jane_doe") == std::string::npos);
        CHECK(bytes.find("ann_private_notes") == std::string::npos);
        CHECK(bytes.find("likes cats") == std::string::npos);
    }
}
