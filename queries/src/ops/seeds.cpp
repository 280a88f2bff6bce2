#include "smorg/engine/referral/seeds.h"

#include "common.h"
#include "ops/ops.h"
#include "referral_params.h"

namespace smorg::queries::ops {

// The best k seeds by reverse-influence sampling (IMM), with their marginal gains and the Monte
// Carlo spread of the chosen set.
json seeds(OpContext& ctx, FieldReader& reader) {
    const auto& g = ctx.g();
    engine::SeedsParams p;
    read_cascade_view(reader, g, p.subgraph, p.probability);
    p.k = reader.optional<std::uint32_t>("k", p.k);
    p.model = reader.optional_enum<engine::CascadeModel>("model", p.model);
    p.epsilon = reader.optional<double>("epsilon", p.epsilon);
    p.l = reader.optional<double>("l", p.l);
    p.candidate_kinds = reader.optional<std::vector<std::string>>("candidate_kinds", {});
    p.seed = reader.optional<std::uint64_t>("seed", p.seed);
    p.simulations = reader.optional<std::uint64_t>("simulations", p.simulations);
    p.max_rr_sets = reader.optional<std::uint64_t>("max_rr_sets", p.max_rr_sets);
    reader.reject_unknown();
    if (ctx.estimate) return estimate_result(ctx.run, engine::estimate(g, p));
    const auto r = engine::seeds(g, p, ctx.run);
    json rows = json::array();
    for (std::size_t i = 0; i < r.seeds.size(); ++i) {
        json row = node_ref(g, r.seeds[i]);
        row["rank"] = i + 1;
        row["marginal_gain"] = r.marginal_gain[i];
        rows.push_back(std::move(row));
    }
    return {{"rows", rows},
            {"estimated_spread", r.estimated_spread},
            {"spread",
             {{"mean", r.spread.mean},
              {"ci_low", r.spread.ci_low},
              {"ci_high", r.spread.ci_high},
              {"simulations", r.spread.simulations}}},
            {"rr_sets", r.rr_sets},
            {"rr_sets_sampling", r.rr_sets_sampling},
            {"opt_lower_bound", r.opt_lower_bound},
            {"candidates", r.candidates},
            {"nodes", r.nodes},
            {"isolated", r.isolated},
            {"model", graph::name_of(p.model)},
            {"guarantee", "with probability >= 1 - 1/n^" + graph::format_number(p.l) + ", spread >= (1 - 1/e - " +
                              graph::format_number(p.epsilon) + ") x the best " + std::to_string(p.k) + " candidates'"}};
}

}  // namespace smorg::queries::ops
