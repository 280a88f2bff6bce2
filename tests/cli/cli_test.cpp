// The `smorg` command line as a user meets it: help on every subcommand, exit statuses, import errors
// that name the place, the silo report with its map, exports, and the demo.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/fixtures.h"
#include <sys/wait.h>

using nlohmann::json;
using smorg::testing::slurp;
using smorg::testing::TempDir;

namespace {

struct Outcome {
    int status = -1;
    std::string out, err;
};

std::string quoted(const std::string& s) {
    std::string q = "'";
    for (char c : s) {
        if (c == '\'') {
            q += "'\\''";
        } else {
            q += c;
        }
    }
    return q + "'";
}

// Runs `smorg <args>` (args already quoted as the shell needs), capturing stdout, stderr and the exit status.
Outcome run_smorg(const TempDir& dir, const std::string& args, const std::string& stdin_text = "") {
    const auto in = dir.write("stdin.txt", stdin_text);
    const auto out = dir / "stdout.txt", err = dir / "stderr.txt";
    const std::string command = std::string(SMORG_CLI) + " --quiet " + args + " <" + quoted(in.string()) + " >" +
                                quoted(out.string()) + " 2>" + quoted(err.string());
    const int raw = std::system(command.c_str());
    Outcome o;
    o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    o.out = slurp(out);
    o.err = slurp(err);
    return o;
}

const char* kNodes =
    "id,kind,name,department,clv\n"
    "ann,employee,Ann,Sales,\n"
    "bob,employee,Bob,Sales,\n"
    "cai,employee,Cai,Engineering,\n"
    "dee,employee,Dee,Engineering,\n"
    "eve,customer,Eve,,300\n"
    "fay,customer,Fay,,200\n";
const char* kEdges =
    "source,target,kind,weight,timestamp\n"
    "ann,bob,communication,3,2024-01-02\n"
    "cai,dee,communication,2,2024-01-03\n"
    "bob,cai,communication,1,2024-01-04\n"
    "ann,eve,interaction,2,2024-02-01\n"
    "eve,fay,referral,1,2024-03-01\n";

// A small organization imported into dir/org.db.
std::string imported(const TempDir& dir) {
    const auto nodes = dir.write("nodes.csv", kNodes), edges = dir.write("edges.csv", kEdges);
    const auto db = (dir / "org.db").string();
    const auto o =
        run_smorg(dir, "import --db " + quoted(db) + " --nodes " + quoted(nodes.string()) + " --edges " + quoted(edges.string()));
    REQUIRE(o.status == 0);
    return db;
}

}  // namespace

TEST_CASE("every subcommand has help", "[cli]") {
    TempDir dir;
    const auto top = run_smorg(dir, "--help");
    CHECK(top.status == 0);
    for (const char* sub : {"import", "query", "generate", "silos", "export", "demo"}) {
        INFO(sub);
        CHECK(top.out.find(sub) != std::string::npos);
        const auto o = run_smorg(dir, std::string(sub) + " --help");
        CHECK(o.status == 0);
        CHECK(o.out.find("Usage: smorg " + std::string(sub)) != std::string::npos);
    }
}

TEST_CASE("query exits 0 when answered, 1 when the query fails, 2 on a usage error", "[cli]") {
    TempDir dir;
    const auto db = imported(dir);
    const auto ok = run_smorg(dir, "query --db " + quoted(db) + " " + quoted(R"({"op": "node", "id": "ann"})"));
    CHECK(ok.status == 0);
    const auto answer = json::parse(ok.out);
    CHECK(answer["ok"] == true);
    CHECK(answer["result"]["attributes"]["department"] == "Sales");

    const auto failed = run_smorg(dir, "query --db " + quoted(db) + " " + quoted(R"({"op": "node", "id": "zed"})"));
    CHECK(failed.status == 1);
    CHECK(json::parse(failed.out)["error"]["code"] == "not_found");

    const auto unknown = run_smorg(
        dir, "query --db " + quoted(db) + " " + quoted(R"({"op": "centrality", "algorithm": "pagerank", "dampin": 0.5})"));
    CHECK(unknown.status == 1);
    CHECK(json::parse(unknown.out)["error"]["at"] == "/dampin");

    const auto from_stdin =
        run_smorg(dir, "query --db " + quoted(db) + " -", R"([{"op": "stats"}, {"op": "node", "id": "eve"}])");
    CHECK(from_stdin.status == 0);
    CHECK(json::parse(from_stdin.out).size() == 2);

    // Malformed JSON is a failed query (answered in the protocol, with the byte where it broke).
    const auto malformed = run_smorg(dir, "query --db " + quoted(db) + " " + quoted("{not json"));
    CHECK(malformed.status == 1);
    CHECK(json::parse(malformed.out)["error"]["code"] == "invalid_argument");

    CHECK(run_smorg(dir, "query " + quoted(R"({"op": "stats"})")).status == 2);  // no --db
    CHECK(run_smorg(dir, "query --db " + quoted(db)).status == 2);               // no request
    CHECK(run_smorg(dir, "frobnicate").status == 2);
}

TEST_CASE("in JSON mode every failure is a JSON error on stdout", "[cli]") {
    TempDir dir;
    const auto db = imported(dir);
    const auto missing_db =
        run_smorg(dir, "query --db " + quoted((dir / "absent.db").string()) + " " + quoted(R"({"op": "stats"})"));
    CHECK(missing_db.status == 1);
    CHECK(json::parse(missing_db.out)["error"]["code"] == "not_found");
    CHECK_FALSE(std::filesystem::exists(dir / "absent.db"));

    const auto bad_utf8 = run_smorg(dir, "query --db " + quoted(db) + " -", "{\"op\": \"node\", \"id\": \"\xff\xfe\"}");
    CHECK(bad_utf8.status == 1);
    const auto utf8_error = json::parse(bad_utf8.out);
    CHECK(utf8_error["error"]["code"] == "invalid_argument");
    CHECK_THAT(bad_utf8.out, !Catch::Contains("json.exception"));

    const auto typo = run_smorg(dir, "query --db " + quoted(db) + " " + quoted(R"({"op": "centraliti"})"));
    CHECK_THAT(json::parse(typo.out)["error"]["message"].get<std::string>(), Catch::Contains("did you mean 'centrality'"));

    const auto no_file = run_smorg(dir, "query --db " + quoted(db) + " --file " + quoted((dir / "absent.json").string()));
    CHECK(no_file.status == 1);
    CHECK(json::parse(no_file.out)["error"]["code"] == "not_found");

    const auto no_input = run_smorg(dir, "query --db " + quoted(db) + " " + quoted(R"({"op": "import", "edges": "absent.csv"})"));
    CHECK(json::parse(no_input.out)["error"]["code"] == "not_found");
    CHECK(json::parse(no_input.out)["error"]["at"] == "/edges");
}

TEST_CASE("query writes rows as CSV and JSON Lines", "[cli]") {
    TempDir dir;
    const auto db = imported(dir);
    const auto csv = run_smorg(
        dir, "query --db " + quoted(db) + " --format csv " + quoted(R"({"op": "centrality", "algorithm": "degree", "top": 2})"));
    REQUIRE(csv.status == 0);
    CHECK(csv.out == "rank,id,name,kind,score\n1,ann,Ann,employee,5.0\n2,bob,Bob,employee,4.0\n");

    // Nested fields get dotted names; a field holding a comma or a quote is quoted.
    const auto named = dir.write("named.csv", "id,kind,name\nq,customer,\"Quote \"\"Q\"\", Esq.\"\nr,customer,R\n");
    const auto tie = dir.write("tie.csv", "source,target,kind\nq,r,interaction\n");
    REQUIRE(
        run_smorg(dir, "import --db " + quoted(db) + " --nodes " + quoted(named.string()) + " --edges " + quoted(tie.string()))
            .status == 0);
    const auto quoted_csv = run_smorg(
        dir,
        "query --db " + quoted(db) + " --format csv " +
            quoted(
                R"({"op": "centrality", "algorithm": "degree", "node_kinds": ["customer"], "edge_kinds": ["interaction"], "top": 0})"));
    CHECK_THAT(quoted_csv.out, Catch::Contains(R"("Quote ""Q"", Esq.")"));
    const auto advocates =
        run_smorg(dir, "query --db " + quoted(db) + " --format csv " + quoted(R"({"op": "advocates", "top": 1})"));
    REQUIRE(advocates.status == 0);
    CHECK_THAT(advocates.out.substr(0, advocates.out.find('\n')), Catch::Contains("components.value.raw"));

    const auto jsonl = run_smorg(
        dir, "query --db " + quoted(db) + " --format jsonl --rows groups " + quoted(R"({"op": "silos", "permutations": 0})"));
    REQUIRE(jsonl.status == 0);
    std::size_t lines = 0;
    for (std::size_t at = 0, next; (next = jsonl.out.find('\n', at)) != std::string::npos; at = next + 1, ++lines) {
        CHECK(json::parse(jsonl.out.substr(at, next - at)).contains("group"));
    }
    CHECK(lines == 2);  // Sales and Engineering

    const auto no_rows =
        run_smorg(dir, "query --db " + quoted(db) + " --format csv " + quoted(R"({"op": "silos", "permutations": 0})"));
    CHECK(no_rows.status == 2);
    CHECK_THAT(no_rows.err, Catch::Contains("--rows: groups"));
    CHECK(run_smorg(dir, "query --db " + quoted(db) + " --rows groups " + quoted(R"({"op": "stats"})")).status == 2);
}

TEST_CASE("Ctrl-C stops a query within a second, answers cancelled and exits 130", "[cli]") {
    TempDir dir;
    const auto db = imported(dir);
    smorg::testing::Process query({SMORG_CLI, "--quiet", "query", "--db", db, "--compact",
                                   R"({"op": "spread", "seeds": ["ann"], "simulations": 100000000, "max_work": 1e12})"});
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    const auto sent = std::chrono::steady_clock::now();
    query.kill(SIGINT);
    const auto line = query.read_line(10);
    const int status = query.wait();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
    CHECK(status == 130);
    REQUIRE(line);
    CHECK(json::parse(*line)["error"]["code"] == "cancelled");
    CHECK(seconds < 3);  // the goal is well under a second; the margin is for a loaded machine
}

TEST_CASE("a bad import names file and line, exits non-zero and stores nothing", "[cli]") {
    TempDir dir;
    const auto db = imported(dir);
    const auto bad = dir.write(
        "bad.csv", "source,target,kind,weight\nann,bob,communication,2\nann,zed,communication,1\nbob,ann,communication,x\n");
    const auto o = run_smorg(dir, "import --db " + quoted(db) + " --edges " + quoted(bad.string()));
    CHECK(o.status != 0);
    CHECK(o.err.find("bad.csv:3") != std::string::npos);  // unknown node 'zed'
    CHECK(o.err.find("bad.csv:4") != std::string::npos);  // malformed weight
    CHECK(o.err.find("nothing was imported") != std::string::npos);
    const auto stats = json::parse(run_smorg(dir, "query --db " + quoted(db) + " " + quoted(R"({"op": "stats"})")).out);
    CHECK(stats["result"]["edges"] == 5);

    // With --create-missing the unknown person is created with kind "unknown".
    const auto fixed = dir.write("fixed.csv", "source,target,kind,weight\nann,zed,communication,1\n");
    CHECK(run_smorg(dir, "import --db " + quoted(db) + " --create-missing --edges " + quoted(fixed.string())).status == 0);
    const auto zed = json::parse(run_smorg(dir, "query --db " + quoted(db) + " " + quoted(R"({"op": "node", "id": "zed"})")).out);
    CHECK(zed["result"]["kind"] == "unknown");
}

TEST_CASE("silos prints the report and draws the map", "[cli]") {
    TempDir dir;
    const auto db = imported(dir);
    const auto svg = dir / "map.svg";
    const auto o = run_smorg(dir, "silos --db " + quoted(db) + " --permutations 50 --svg " + quoted(svg.string()));
    CHECK(o.status == 0);
    CHECK(o.out.find("Engineering") != std::string::npos);
    CHECK(o.out.find("boundary spanners") != std::string::npos);
    CHECK(slurp(svg).find("<svg") != std::string::npos);
    const auto as_json = run_smorg(dir, "silos --db " + quoted(db) + " --permutations 0 --json");
    CHECK(as_json.status == 0);
    CHECK(json::parse(as_json.out)["result"]["groups"].size() == 2);
}

TEST_CASE("export writes GraphML, GEXF and DOT with attached results", "[cli]") {
    TempDir dir;
    const auto db = imported(dir);
    for (const char* format : {"graphml", "gexf", "dot"}) {
        INFO(format);
        const auto out = dir / (std::string("org.") + format);
        const auto o = run_smorg(dir, "export --db " + quoted(db) + " --format " + format + " --out " + quoted(out.string()) +
                                          " --attach " + quoted(R"([{"op": "centrality", "algorithm": "pagerank"}])"));
        CHECK(o.status == 0);
        const auto text = slurp(out);
        CHECK(text.find("ann") != std::string::npos);
        CHECK(text.find("pagerank") != std::string::npos);
    }
    CHECK(run_smorg(dir, "export --db " + quoted(db) + " --format svg --out x").status == 2);
}

TEST_CASE("generate and demo run end to end", "[cli]") {
    TempDir dir;
    const auto o = run_smorg(dir, "demo --dir " + quoted((dir / "demo").string()) + " --customers 300 --employees 60");
    CHECK(o.status == 0);
    for (const char* section : {"=== The organization", "=== Reach", "=== Advocates", "=== Silos", "cut off"}) {
        INFO(section);
        CHECK(o.out.find(section) != std::string::npos);
    }
    CHECK(std::filesystem::exists(dir / "demo" / "silo-map.svg"));
    // The same seed writes the same files.
    CHECK(run_smorg(dir, "generate --out " + quoted((dir / "a").string()) + " --customers 100 --employees 20 --seed 5").status ==
          0);
    CHECK(run_smorg(dir, "generate --out " + quoted((dir / "b").string()) + " --customers 100 --employees 20 --seed 5").status ==
          0);
    CHECK(slurp(dir / "a" / "edges.csv") == slurp(dir / "b" / "edges.csv"));
    CHECK(!slurp(dir / "a" / "edges.csv").empty());
}
