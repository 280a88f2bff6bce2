#include <algorithm>

#include "smorg/graph/text.h"

#include "ops/ops.h"

namespace smorg::queries {

bool offers_per_person_values(std::string_view op) {
    return std::find(kPerPersonOps.begin(), kPerPersonOps.end(), op) != kPerPersonOps.end();
}

std::string per_person_ops_list() {
    std::string list;
    for (auto name : kPerPersonOps) list += (list.empty() ? "" : ", ") + std::string(name);
    return list;
}

const std::vector<OpEntry>& op_table() {
    static const std::vector<OpEntry> table{
        {"stats", "counts of nodes and edges by kind, import batches, store size", ops::stats},
        {"node", "one person: kind, attributes, degree, provenance", ops::node},
        {"neighbors", "a person's ties (direction, edge kinds, time window, limit)", ops::neighbors},
        {"path", "a shortest path between two people", ops::path},
        {"centrality", "rank people by degree, pagerank, betweenness, closeness, harmonic, eigenvector, katz", ops::centrality},
        {"crv", "customer referral value per referrer, data-quality findings, Kumar's segments", ops::crv},
        {"spread", "expected people reached from given seeds (independent cascade, linear threshold)", ops::spread},
        {"seeds", "the best k seeds for a campaign (IMM), with their marginal gains", ops::seeds},
        {"advocates", "one ranking of customers, influencers and employees with its reasons", ops::advocates},
        {"communities", "Louvain, Leiden or label propagation: communities, their sizes, modularity", ops::communities},
        {"components", "weakly or strongly connected components: how many, their sizes, each person's", ops::components},
        {"silos", "the silo map: E-I, mixing, spanners, cut-off groups, introductions, the wall", ops::silos},
        {"trend", "an op (silos, advocates, crv, centrality) over time windows: per window, and which changes are real",
         ops::trend},
        {"export", "the graph and attached results as GraphML, GEXF (Gephi) or DOT", ops::export_graph},
        {"import", "a batch import from files (CSV, JSON Lines, edge lists)", ops::import},
        {"erase", "forget people: their node, ties and attributes", ops::erase},
    };
    return table;
}

const OpEntry* find_op(std::string_view name) {
    for (const auto& op : op_table()) {
        if (op.name == name) return &op;
    }
    return nullptr;
}

std::string op_suggestion(std::string_view name) {
    std::vector<std::string> names;
    for (const auto& op : op_table()) names.emplace_back(op.name);
    const auto closest = graph::closest_word(name, names);
    if (!closest.empty()) return "; did you mean '" + closest + "'?";
    std::string known;
    for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
    return "; known ops: " + known;
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
