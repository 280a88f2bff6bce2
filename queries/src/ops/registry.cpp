#include "ops/ops.h"

namespace smorg::queries {

const std::vector<OpEntry>& op_table() {
    static const std::vector<OpEntry> table{
        {"stats", "counts of nodes and edges by kind, import batches, store size", ops::stats},
        {"node", "one person: kind, attributes, degree, provenance", ops::node},
        {"neighbors", "a person's ties (direction, edge kinds, time window, limit)", ops::neighbors},
        {"path", "a shortest path between two people", ops::path},
        {"centrality", "rank people by degree, pagerank, ...", ops::centrality},
        {"import", "a batch import from files (CSV, JSON Lines, edge lists)", ops::import},
        {"erase", "forget people: their node, ties and attributes", ops::erase},
    };
    return table;
}

const std::vector<OpSummary>& op_summaries() {
    static const std::vector<OpSummary> summaries = [] {
        std::vector<OpSummary> out;
        for (const auto& op : op_table()) out.push_back({op.name, op.summary});
        return out;
    }();
    return summaries;
}

}  // namespace smorg::queries
