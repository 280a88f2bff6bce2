#include "smorg/engine/community/communities.h"

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
    const auto top = read_top(reader, 0);
    const auto rows_wanted = reader.optional<bool>("rows", true);
    reader.reject_unknown();
    if (ctx.estimate) return estimate_result(ctx.run, engine::estimate(g, p));
    const auto r = engine::communities(g, p, ctx.run);
    offer_column(ctx, "community", r.nodes, r.membership);
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
    if (rows_wanted) result["rows"] = membership_rows(g, r.nodes, r.membership, "community");
    return result;
}

}  // namespace smorg::queries::ops
