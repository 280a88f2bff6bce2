#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include "smorg/graph/errors.h"
#include "smorg/queries/sample.h"

#include "support/fixtures.h"

using namespace smorg;

using testing::slurp;

namespace {

std::vector<std::vector<std::string>> rows(const std::string& text) {
    std::vector<std::vector<std::string>> out;
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        std::vector<std::string> fields;
        std::istringstream cells(line);
        for (std::string f; std::getline(cells, f, ',');) fields.push_back(f);
        if (!line.empty() && line.back() == ',') fields.emplace_back();
        out.push_back(fields);
    }
    return out;
}

}  // namespace

TEST_CASE("the sample organization is the same at any thread count", "[queries][sample][determinism]") {
    testing::TempDir one, two;
    queries::SampleOrgParams p;
    p.customers = 20000;  // several parallel chunks
    p.seed = 3;
    {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
        queries::generate_sample_org(one.path(), p);
    }
    {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
        queries::generate_sample_org(two.path(), p);
    }
    CHECK(slurp(one / "nodes.csv") == slurp(two / "nodes.csv"));
    CHECK(slurp(one / "edges.csv") == slurp(two / "edges.csv"));
    p.seed = 4;
    testing::TempDir other;
    queries::generate_sample_org(other.path(), p);
    CHECK(slurp(other / "edges.csv") != slurp(one / "edges.csv"));
}

TEST_CASE("the sample organization has the planted structure it promises", "[queries][sample]") {
    testing::TempDir dir;
    queries::SampleOrgParams p;
    const auto report = queries::generate_sample_org(dir.path(), p);
    CHECK(report.cut_off_departments == std::pair<std::string, std::string>{"Engineering", "Support"});

    std::map<std::string, std::string> kind, department;
    const auto nodes = rows(slurp(report.nodes_file));
    for (const auto& r : nodes) {
        REQUIRE(r.size() == 6);
        kind[r[0]] = r[1];
        department[r[0]] = r[3];
    }
    CHECK(nodes.size() == p.employees + p.customers + p.influencers + p.customers / 5 + 3);

    std::uint64_t inside = 0, across = 0, walled = 0, self_referrals = 0;
    std::map<std::string, std::uint64_t> edges_by_kind, referrals_by_source;
    std::set<std::pair<std::string, std::string>> referral_pairs;
    std::uint64_t repeated = 0;
    for (const auto& r : rows(slurp(report.edges_file))) {
        REQUIRE(r.size() == 6);
        REQUIRE(kind.count(r[0]));
        REQUIRE(kind.count(r[1]));
        ++edges_by_kind[r[2]];
        if (r[2] == "communication") {
            CHECK(kind[r[0]] == "employee");
            CHECK(kind[r[1]] == "employee");
            (department[r[0]] == department[r[1]] ? inside : across) += 1;
            const std::set<std::string> pair{department[r[0]], department[r[1]]};
            if (pair == std::set<std::string>{"Engineering", "Support"}) ++walled;
        }
        if (r[2] == "referral") {
            CHECK(kind[r[1]] == "customer");
            CHECK(kind[r[0]] != "employee");
            if (r[0] == r[1]) ++self_referrals;
            if (!referral_pairs.emplace(r[0], r[1]).second) ++repeated;
            ++referrals_by_source[r[0]];
        }
    }
    for (const auto& [k, n] : report.edges_by_kind) CHECK(edges_by_kind[k] == n);
    CHECK(inside > 2 * across);  // departments talk more inside than across
    CHECK(walled == 1);          // Engineering and Support barely talk
    CHECK(self_referrals == 1);  // planted data-quality problems
    CHECK(repeated >= 1);
    std::uint64_t champion = 0;
    for (const auto& [source, n] : referrals_by_source) champion = std::max(champion, n);
    CHECK(champion >= 10);  // a few people bring many customers
    CHECK(edges_by_kind["reports_to"] == p.employees - 1);
}

TEST_CASE("the sample organization refuses sizes it cannot honour", "[queries][sample]") {
    testing::TempDir dir;
    queries::SampleOrgParams p;
    p.employees = 3;
    try {
        queries::generate_sample_org(dir.path(), p);
        FAIL("expected a ParamError");
    } catch (const graph::ParamError& e) {
        CHECK(e.field() == "employees");
    }
}
