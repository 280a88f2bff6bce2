#include "smorg/engine/referral/spread.h"

#include "common.h"
#include "ops/ops.h"
#include "referral_params.h"

namespace smorg::queries::ops {

// Monte Carlo reach of given seeds, over referral and interaction ties by default.
json spread(OpContext& ctx, FieldReader& reader) {
    const auto& g = ctx.g();
    engine::SpreadParams p;
    read_cascade_view(reader, g, p.subgraph, p.probability);
    if (!reader.has("seeds")) throw QueryError(ErrorCode::invalid_argument, "missing required field 'seeds'", reader.at("seeds"));
    p.seeds = read_nodes(reader, g, "seeds");
    p.model = reader.optional_enum<engine::CascadeModel>("model", p.model);
    p.simulations = reader.optional<std::uint64_t>("simulations", p.simulations);
    p.ci_width = reader.maybe<double>("ci_width");
    p.seed = reader.optional<std::uint64_t>("seed", p.seed);
    // Explained: `top` people reached most (0: as many as explain allows).
    if (reader.optional<bool>("explain", false)) {
        p.explain = read_top(reader);
        if (p.explain == 0) p.explain = engine::SpreadParams::kMaxExplain;
    }
    reader.reject_unknown();
    if (ctx.estimate) return estimate_result(ctx.run, engine::estimate(g, p));
    const auto r = engine::spread(g, p, ctx.run);
    json seeds = json::array();
    for (auto s : p.seeds) seeds.push_back(node_ref(g, s));
    json result = {{"nodes", r.nodes},
                   {"isolated", r.isolated},
                   {"mean", r.mean},
                   {"ci_low", r.ci_low},
                   {"ci_high", r.ci_high},
                   {"stddev", r.stddev},
                   {"simulations", r.simulations},
                   {"stopped_early", r.stopped_early},
                   {"model", graph::name_of(p.model)},
                   {"seeds", seeds}};
    if (p.explain > 0) {
        json reached = json::array();
        for (const auto& [v, share] : r.reached_most) {
            json row = node_ref(g, v);
            row["share_of_simulations"] = share;
            reached.push_back(std::move(row));
        }
        result["reached_most"] = std::move(reached);
    }
    return result;
}

}  // namespace smorg::queries::ops
