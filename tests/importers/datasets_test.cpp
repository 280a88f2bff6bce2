// Every real data set in ../shared/data imports with the options the docs give, and the counts
// its README measured come out.
#include <catch2/catch.hpp>

#include "import_support.h"
#include "support/fixtures.h"

using namespace smorg;

namespace {

struct Expected {
    graph::NodeIndex nodes;
    graph::EdgeIndex edges;
};

std::shared_ptr<const graph::Snapshot> import_set(const testing::TempDir& dir, importers::ImportSpec spec) {
    auto db = importers::Database::open((dir / "d.db").string());
    db->import(spec);
    return db->snapshot();
}

}  // namespace

TEST_CASE("email-Eu-core imports with its department labels", "[importers][datasets]") {
    const auto edges = testing::data_file("email-Eu-core/email-Eu-core.txt");
    const auto labels = testing::data_file("email-Eu-core/email-Eu-core-department-labels.txt");
    if (edges.empty() || labels.empty()) return;
    testing::TempDir dir;
    importers::ImportSpec spec;
    spec.edges = {edges.string()};
    spec.edge_kind = "communication";
    spec.node_kind = "employee";
    spec.labels = labels.string();
    spec.label_attribute = "department";
    const auto g = import_set(dir, spec);
    CHECK(g->node_count() == 1005);
    CHECK(g->edge_count() == 25571);
    const auto* department = g->attributes().find("department");
    REQUIRE(department);
    CHECK(department->type() == graph::AttributeType::string);
    CHECK(department->dictionary().size() == 43);  // 42 departments + "not set"
    std::size_t labelled = 0;
    for (graph::NodeIndex u = 0; u < g->node_count(); ++u) labelled += department->has(u) ? 1u : 0u;
    CHECK(labelled == 1005);
}

TEST_CASE("Krackhardt's high-tech managers import as employees with advice ties", "[importers][datasets]") {
    const auto attributes = testing::data_file("krackhardt-high-tech/Krack-High-Tec-Attributes.csv");
    const auto advice = testing::data_file("krackhardt-high-tech/Krack-High-Tec-edgelist-Advice.txt");
    const auto friendship = testing::data_file("krackhardt-high-tech/Krack-High-Tec-edgelist-Friendship.txt");
    const auto reports = testing::data_file("krackhardt-high-tech/Krack-High-Tec-edgelist-ReportsTo.txt");
    if (attributes.empty() || advice.empty() || friendship.empty() || reports.empty()) return;
    testing::TempDir dir;
    auto db = importers::Database::open((dir / "k.db").string());
    auto people = testing::nodes_spec(attributes);
    people.node_kind = "employee";
    db->import(people);
    std::size_t total = 0;
    for (const auto& [file, kind, ties] :
         {std::tuple{advice, "advice", 190}, std::tuple{friendship, "friendship", 102}, std::tuple{reports, "reports_to", 20}}) {
        auto spec = testing::edges_spec(file);
        spec.columns = {"source", "target", "weight"};
        spec.edge_kind = kind;
        const auto report = db->import(spec);
        CHECK(report.edges_added == static_cast<std::uint64_t>(ties));
        CHECK(report.edges_skipped_zero_weight == 21u * 21u - static_cast<std::uint64_t>(ties));
        CHECK(report.missing_nodes_created == 0);
        total += static_cast<std::size_t>(ties);
    }
    const auto g = db->snapshot();
    CHECK(g->node_count() == 21);
    CHECK(g->edge_count() == total);
    CHECK(g->attributes().find("DEPT")->number(*g->find("7")) == 0.0);
    CHECK(g->attributes().find("TENURE")->number(*g->find("1")) == 9.333);
}

TEST_CASE("the SNAP edge lists import with their counts", "[importers][datasets]") {
    struct Set {
        const char* file;
        std::vector<std::string> columns;
        Expected expected;
    };
    const Set sets[] = {
        {"karate/karate.edge", {"source", "target"}, {34, 78}},
        {"CollegeMsg/CollegeMsg.txt", {"source", "target", "timestamp"}, {1899, 59835}},
        {"higgs-twitter/higgs-reply_network.edgelist", {"source", "target", "weight"}, {38918, 32523}},
        {"higgs-twitter/higgs-mention_network.edgelist", {"source", "target", "weight"}, {116408, 150818}},
        {"wiki-Vote/wiki-Vote.txt", {"source", "target"}, {7115, 103689}},
        {"soc-Epinions1/soc-Epinions1.txt.gz", {"source", "target"}, {75879, 508837}},
        {"email-Enron/email-Enron.txt.gz", {"source", "target"}, {36692, 367662}},
        {"bitcoin-alpha/soc-sign-bitcoinalpha.csv", {"source", "target", "skip", "timestamp"}, {3783, 24186}},
    };
    for (const auto& set : sets) {
        DYNAMIC_SECTION(set.file) {
            const auto file = testing::data_file(set.file);
            if (file.empty()) continue;
            testing::TempDir dir;
            auto spec = testing::edges_spec(file);
            spec.columns = set.columns;
            spec.format = importers::Format::edgelist;
            const auto g = import_set(dir, spec);
            CHECK(g->node_count() == set.expected.nodes);
            CHECK(g->edge_count() == set.expected.edges);
            if (set.columns.back() == "timestamp") CHECK(g->has_timestamps());
        }
    }
}

TEST_CASE("the CollegeMsg time span comes out as published", "[importers][datasets]") {
    const auto file = testing::data_file("CollegeMsg/CollegeMsg.txt");
    if (file.empty()) return;
    testing::TempDir dir;
    auto spec = testing::edges_spec(file);
    spec.columns = {"source", "target", "timestamp"};
    const auto g = import_set(dir, spec);
    graph::Timestamp lo = INT64_MAX, hi = INT64_MIN;
    for (graph::EdgeIndex e = 0; e < g->edge_count(); ++e) {
        lo = std::min(lo, g->timestamp(e));
        hi = std::max(hi, g->timestamp(e));
    }
    CHECK(lo >= 1081987200);  // 2004-04-15
    CHECK(hi < 1098835200);   // 2004-10-27
}
