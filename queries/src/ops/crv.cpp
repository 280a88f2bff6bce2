#include "smorg/engine/referral/crv.h"

#include "common.h"
#include "ops/ops.h"
#include "referral_params.h"

namespace smorg::queries::ops {

// Customer referral value per referrer, with the data-quality findings and Kumar's segments.
json crv(OpContext& ctx, FieldReader& reader) {
    const auto& g = ctx.g();
    engine::CrvParams p;
    p.subgraph =
        read_subgraph_or_engine_default(reader, g, {}, kNodeKinds | kEdgeKinds | kWindow);  // referrals run as made, by value
    read_crv_params(reader, g, p);
    p.clv_split = reader.maybe<double>("clv_split");
    p.crv_split = reader.maybe<double>("crv_split");
    const auto top = read_top(reader);
    const bool explain = reader.optional<bool>("explain", false);
    if (explain) p.explain = top == 0 ? 10 : std::min<std::size_t>(top, 10);
    reader.reject_unknown();
    if (ctx.estimate) return estimate_result(ctx.run, engine::estimate(g, p));
    const auto r = engine::crv(g, p, ctx.run);
    offer_column(ctx, "crv", r.nodes, r.crv);

    std::vector<std::uint32_t> position(g.node_count(), 0);
    for (std::size_t i = 0; i < r.nodes.size(); ++i) position[r.nodes[i]] = static_cast<std::uint32_t>(i);
    std::vector<std::int8_t> segment(g.node_count(), -1);
    for (const auto& [u, s] : r.segments) segment[u] = static_cast<std::int8_t>(s);
    const auto rows = ranked_rows(g, r.nodes, r.crv, top, "crv", [&](json& row, graph::NodeIndex u) {
        row["direct"] = r.direct[u];
        row["indirect"] = r.indirect[u];
        row["referred"] = r.referred_by_depth[position[u]];
        if (segment[u] >= 0) row["segment"] = graph::name_of(static_cast<engine::Segment>(segment[u]));
        for (const auto& [node, contributions] : r.explanations) {
            if (node != u) continue;
            json list = json::array();
            for (const auto& c : contributions) {
                json chain = json::array();
                for (auto x : c.chain) chain.push_back(g.id(x));
                list.push_back({{"customer", g.id(c.customer)}, {"depth", c.depth}, {"value", c.value}, {"chain", chain}});
            }
            row["explain"] = std::move(list);
        }
    });
    const auto& f = r.findings;
    json segments = {{"clv_split", r.clv_split}, {"crv_split", r.crv_split}};
    for (int s = 0; s < 4; ++s) segments[std::string(graph::name_of(static_cast<engine::Segment>(s)))] = r.segment_counts[s];
    json answer = {{"referrers", r.nodes.size()},
                   {"rows", rows},
                   {"findings",
                    {{"referrals", f.referrals},
                     {"used", f.used},
                     {"self_referrals", f.self_referrals},
                     {"repeat_referrals", f.repeat_referrals},
                     {"already_customers", f.already_customers},
                     {"multi_referrer_customers", f.multi_referrer_customers},
                     {"cycle_members", f.cycle_members}}},
                   {"segments", segments},
                   {"params",
                    {{"organic_share", p.organic_share},
                     {"acquisition_cost", p.acquisition_cost},
                     {"decay", p.decay},
                     {"max_depth", p.max_depth},
                     {"attribution", graph::name_of(p.attribution)}}}};
    if (auto warnings = referral_warnings(g, p, f); !warnings.empty()) answer["warnings"] = std::move(warnings);
    return answer;
}

}  // namespace smorg::queries::ops
