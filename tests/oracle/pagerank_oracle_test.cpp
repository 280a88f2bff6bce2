// PageRank and degree against networkx on real data sets (foundation issue): max absolute
// difference <= 1e-6 at tolerance 1e-10.
#include <catch2/catch.hpp>

#include "oracle_support.h"
#include "support/fixtures.h"

using namespace smorg;
using nlohmann::json;

namespace {
struct Set {
    const char* file;
    bool directed;
};
}  // namespace

TEST_CASE("pagerank equals networkx's on email-Eu-core and karate", "[oracle][pagerank]") {
    for (const Set set : {Set{"email-Eu-core/email-Eu-core.txt", true}, Set{"karate/karate.edge", false}}) {
        for (const bool weighted : {false, true}) {
            DYNAMIC_SECTION(set.file << (weighted ? " weighted" : " unweighted")) {
                const auto file = testing::data_file(set.file);
                if (file.empty()) continue;
                auto engine = testing::load_edge_list(file, {"source", "target"});
                const json params = {{"damping", 0.85}, {"tolerance", 1e-10}, {"max_iterations", 1000}};
                json request = {{"algorithm", "pagerank"}, {"directed", set.directed}, {"weighted", weighted}};
                request.update(params);
                const auto ours = testing::smorg_scores(engine, request);
                const auto theirs = testing::networkx_scores({{"edges", file.string()},
                                                              {"directed", set.directed},
                                                              {"weighted", weighted},
                                                              {"algorithm", "pagerank"},
                                                              {"params", params}});
                CHECK(testing::max_abs_difference(ours, theirs) <= 1e-6);
            }
        }
    }
}

TEST_CASE("personalized pagerank equals networkx's on email-Eu-core", "[oracle][pagerank]") {
    const auto file = testing::data_file("email-Eu-core/email-Eu-core.txt");
    if (file.empty()) return;
    auto engine = testing::load_edge_list(file, {"source", "target"});
    const json sources = {{"0", 1.0}, {"5", 2.0}, {"17", 0.5}};
    const auto ours = testing::smorg_scores(
        engine, {{"algorithm", "pagerank"}, {"tolerance", 1e-10}, {"max_iterations", 1000}, {"sources", sources}});
    const auto theirs =
        testing::networkx_scores({{"edges", file.string()},
                                  {"algorithm", "pagerank"},
                                  {"params", {{"tolerance", 1e-10}, {"max_iterations", 1000}, {"sources", sources}}}});
    CHECK(testing::max_abs_difference(ours, theirs) <= 1e-6);
}

TEST_CASE("pagerank with a dangling distribution equals networkx's on email-Eu-core", "[oracle][pagerank]") {
    const auto file = testing::data_file("email-Eu-core/email-Eu-core.txt");
    if (file.empty()) return;
    auto engine = testing::load_edge_list(file, {"source", "target"});
    // email-Eu-core has dangling people (who sent no email); their mass goes to two others.
    const json dangling = {{"1", 3.0}, {"2", 1.0}};
    const json params = {{"tolerance", 1e-10}, {"max_iterations", 1000}, {"dangling", dangling}};
    json request = params;
    request["algorithm"] = "pagerank";
    const auto ours = testing::smorg_scores(engine, request);
    const auto theirs = testing::networkx_scores({{"edges", file.string()}, {"algorithm", "pagerank"}, {"params", params}});
    CHECK(testing::max_abs_difference(ours, theirs) <= 1e-6);
    // And it changes the answer: not the default spread of dangling mass.
    request.erase("dangling");
    const auto plain = testing::smorg_scores(engine, request);
    CHECK(testing::max_abs_difference(ours, plain) > 1e-4);
}

TEST_CASE("degree equals networkx's on email-Eu-core and karate", "[oracle][degree]") {
    for (const Set set : {Set{"email-Eu-core/email-Eu-core.txt", true}, Set{"karate/karate.edge", false}}) {
        for (const char* direction : {"in", "out", "total"}) {
            if (!set.directed && std::string(direction) != "total") continue;
            DYNAMIC_SECTION(set.file << " " << direction) {
                const auto file = testing::data_file(set.file);
                if (file.empty()) continue;
                auto engine = testing::load_edge_list(file, {"source", "target"});
                const json params = {{"direction", direction}, {"normalized", true}};
                json request = {{"algorithm", "degree"}, {"directed", set.directed}, {"weighted", false}};
                request.update(params);
                const auto ours = testing::smorg_scores(engine, request);
                const auto theirs = testing::networkx_scores({{"edges", file.string()},
                                                              {"directed", set.directed},
                                                              {"weighted", false},
                                                              {"algorithm", "degree"},
                                                              {"params", params}});
                CHECK(testing::max_abs_difference(ours, theirs) <= 1e-12);
            }
        }
    }
}

TEST_CASE("pagerank on email-Eu-core is the same at 1 and 2 threads", "[oracle][pagerank][determinism]") {
    const auto file = testing::data_file("email-Eu-core/email-Eu-core.txt");
    if (file.empty()) return;
    auto engine = testing::load_edge_list(file, {"source", "target"});
    const json request = {{"algorithm", "pagerank"}, {"tolerance", 1e-12}};
    testing::Scores one, two;
    {
        queries::ThreadLimit limit(1);
        one = testing::smorg_scores(engine, request);
    }
    {
        queries::ThreadLimit limit(2);
        two = testing::smorg_scores(engine, request);
    }
    CHECK(one == two);
}
