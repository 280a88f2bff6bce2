#include "common.h"
#include "ops/ops.h"
#include "referral_params.h"
#include "smorg/engine/referral/spread.h"

namespace smorg::queries::ops {

// Monte Carlo reach of given seeds, over referral and interaction ties by default.
json spread(OpContext& ctx, FieldReader& reader) {
    const auto& g = ctx.g();
    engine::SpreadParams p;
    graph::SubgraphSpec defaults;
    defaults.edge_kinds = present_edge_kinds(g, {"referral", "interaction"});
    p.subgraph = read_subgraph(reader, defaults);
    if (!reader.has("seeds")) throw QueryError(ErrorCode::invalid_argument, "missing required field 'seeds'", reader.at("seeds"));
    p.seeds = read_nodes(reader, g, "seeds");
    p.model = reader.optional_enum<engine::CascadeModel>("model", p.model);
    p.probability = read_probability(reader);
    p.simulations = reader.optional<std::uint64_t>("simulations", p.simulations);
    p.ci_width = reader.maybe<double>("ci_width");
    p.seed = reader.optional<std::uint64_t>("seed", p.seed);
    reader.reject_unknown();
    if (ctx.estimate) return estimate_result(ctx.run, engine::estimate(g, p));
    const auto r = engine::spread(g, p, ctx.run);
    json seeds = json::array();
    for (auto s : p.seeds) seeds.push_back(node_ref(g, s));
    return {{"nodes", r.nodes},
            {"isolated", r.isolated},
            {"mean", r.mean},
            {"ci_low", r.ci_low},
            {"ci_high", r.ci_high},
            {"stddev", r.stddev},
            {"simulations", r.simulations},
            {"stopped_early", r.stopped_early},
            {"model", graph::name_of(p.model)},
            {"seeds", seeds}};
}

}  // namespace smorg::queries::ops
