#include "smorg/engine/community/communities.h"

#include <cmath>

#include "smorg/graph/where.h"

#include "common.h"
#include "ops/ops.h"

namespace smorg::queries::ops {

// Louvain, Leiden or label propagation on the undirected ties: modularity, community sizes, and
// each person's community.
json communities(OpContext& ctx, FieldReader& reader) {
    const auto& g = ctx.g();
    engine::CommunityParams p;
    graph::SubgraphSpec defaults;
    defaults.directed = false;
    p.subgraph = read_subgraph(reader, defaults);
    p.algorithm = reader.optional_enum<engine::CommunityAlgorithm>("algorithm", p.algorithm);
    p.resolution = reader.optional<double>("resolution", p.resolution);
    p.seed = reader.optional<std::uint64_t>("seed", p.seed);
    p.max_passes = reader.optional<int>("max_passes", p.max_passes);
    // The multilevel schemes' own knobs; label propagation has no levels and no gain to stop at.
    if (p.algorithm != engine::CommunityAlgorithm::label_propagation) {
        p.max_levels = reader.optional<int>("max_levels", p.max_levels);
        p.tolerance = reader.optional<double>("tolerance", p.tolerance);
        p.iterations = reader.optional<int>("iterations", p.iterations);
    }
    if (p.algorithm == engine::CommunityAlgorithm::leiden) p.randomness = reader.optional<double>("randomness", p.randomness);
    std::string previous_attribute;
    if (reader.has("previous")) {
        auto previous = reader.object("previous");
        previous_attribute = previous.required<std::string>("attribute");
        p.min_jaccard = previous.optional<double>("min_jaccard", p.min_jaccard);
        previous.reject_unknown();
        const auto at = previous.at("attribute");
        const auto* column = &graph::require_attribute(g, previous_attribute, "previous/attribute");
        if (column->type() != graph::AttributeType::number) {
            throw QueryError(ErrorCode::invalid_argument,
                             "'" + previous_attribute + "' holds " + std::string(graph::to_string(column->type())) +
                                 " values; previous community ids are numbers (a communities run's write)",
                             at);
        }
        p.previous.resize(g.node_count());
        for (graph::NodeIndex u = 0; u < g.node_count(); ++u) p.previous[u] = column->number(u).value_or(std::nan(""));
    }
    const auto top = read_top(reader, 0);
    const auto rows_wanted = reader.optional<bool>("rows", true);
    reader.reject_unknown();
    if (ctx.estimate) return estimate_result(ctx.run, engine::estimate(g, p));
    const auto r = engine::communities(g, p, ctx.run);
    // Each person's community by the id it carries: its index, or with `previous` the id it kept.
    std::vector<std::uint64_t> carried(r.membership.size(), engine::kNoCommunity);
    for (const auto u : r.nodes) carried[u] = r.ids.empty() ? r.membership[u] : r.ids[r.membership[u]];
    offer_column(ctx, "community", r.nodes, carried);
    json result = {{"algorithm", graph::name_of(p.algorithm)},
                   {"resolution", p.resolution},
                   {"modularity", r.modularity},
                   {"communities", r.sizes.size()},
                   {"levels", r.levels},
                   {"passes", r.passes},
                   {"iterations", r.iterations},
                   {"nodes", r.nodes.size()},
                   {"isolated", r.isolated}};
    json sizes = json::array();
    for (std::size_t c = 0; c < r.sizes.size() && (top == 0 || c < top); ++c) sizes.push_back(r.sizes[c]);
    result["sizes"] = sizes;
    if (!r.ids.empty()) {
        json ids = json::array();
        for (std::size_t c = 0; c < r.ids.size() && (top == 0 || c < top); ++c) ids.push_back(r.ids[c]);
        result["ids"] = ids;
        result["previous"] = {{"attribute", previous_attribute},
                              {"min_jaccard", p.min_jaccard},
                              {"communities", r.previous_communities},
                              {"kept", r.kept_ids},
                              {"new", r.new_ids},
                              {"ended", r.previous_communities - r.kept_ids}};
    }
    if (rows_wanted) result["rows"] = membership_rows(g, r.nodes, carried, "community");
    return result;
}

}  // namespace smorg::queries::ops
