// smorg as a library: build a graph in memory, rank people by PageRank over referrals, and ask the
// same through the JSON query engine.
//
//   top_referrers            uses a small built-in graph
//   top_referrers DB_FILE    opens a smorg database (made with `smorg import`)
#include <iostream>

#include "smorg/engine/centrality/pagerank.h"
#include "smorg/graph/snapshot.h"
#include "smorg/queries/query_engine.h"

int main(int argc, char** argv) {
    using namespace smorg;

    // 1. The engine directly, on a snapshot built in code.
    //    ann -> bob -> cai,  ann -> cai,  dee -> ann     (who referred whom)
    graph::SnapshotBuilder builder;
    const auto customer = builder.node_kinds().intern("customer");
    const auto referral = builder.edge_kinds().intern("referral");
    const graph::NodeIndex ann = builder.add_node("ann", customer, 1), bob = builder.add_node("bob", customer, 1),
                           cai = builder.add_node("cai", customer, 1), dee = builder.add_node("dee", customer, 1);
    for (auto [from, to] : {std::pair{ann, bob}, {bob, cai}, {ann, cai}, {dee, ann}}) {
        builder.add_edge({from, to, referral, 1.0, graph::kNoTimestamp, std::nullopt});
    }
    const graph::Snapshot g = std::move(builder).build();
    engine::RunContext run;
    engine::PageRankParams params;
    params.tolerance = 1e-10;
    const auto ranks = engine::pagerank(g, params, run);
    std::cout << "PageRank after " << ranks.iterations << " iterations:\n";
    for (auto node : ranks.nodes) std::cout << "  " << g.id(node) << "  " << ranks.score[node] << '\n';

    // 2. The JSON query engine, on a database file or an in-memory one.
    queries::QueryEngine engine(argc > 1 ? argv[1] : ":memory:");
    const auto response =
        engine.execute({{"op", "centrality"}, {"algorithm", "pagerank"}, {"edge_kinds", {"referral"}}, {"top", 5}});
    if (!queries::response_ok(response)) {
        // An empty in-memory database has no "referral" edges yet: the error says so, with its place.
        std::cout << "query error at " << response["error"]["at"] << ": " << response["error"]["message"] << '\n';
        return argc > 1 ? 1 : 0;
    }
    std::cout << response["result"]["rows"].dump(2) << '\n';
    return 0;
}
