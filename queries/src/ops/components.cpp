#include "smorg/engine/community/components.h"

#include "common.h"
#include "ops/ops.h"

namespace smorg::queries::ops {

// Weakly or strongly connected components: how many, their sizes, and each person's component.
json components(OpContext& ctx, FieldReader& reader) {
    const auto& g = ctx.g();
    engine::ComponentsParams p;
    // Weights make no component, and direction is the connectivity's: weak ignores it, strong follows it.
    p.subgraph = read_subgraph(reader, {}, kAllFilters & ~kWeighted & ~kDirected);
    p.connectivity = reader.optional_enum<engine::Connectivity>("connectivity", p.connectivity);
    const auto top = read_top(reader, 0);
    const auto rows_wanted = reader.optional<bool>("rows", true);
    reader.reject_unknown();
    if (ctx.estimate) return estimate_result(ctx.run, engine::estimate(g, p));
    const auto r = engine::components(g, p, ctx.run);
    offer_column(ctx, "component", r.nodes, r.membership);
    json sizes = json::array();
    for (std::size_t c = 0; c < r.sizes.size() && (top == 0 || c < top); ++c) sizes.push_back(r.sizes[c]);
    json result = {{"connectivity", graph::name_of(p.connectivity)},
                   {"components", r.sizes.size()},
                   {"largest", r.sizes.empty() ? 0 : r.sizes.front()},
                   {"sizes", sizes},
                   {"nodes", r.nodes.size()},
                   {"isolated", r.isolated}};
    if (rows_wanted) result["rows"] = membership_rows(g, r.nodes, r.membership, "component");
    return result;
}

}  // namespace smorg::queries::ops
