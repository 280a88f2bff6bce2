#include <map>

#include "smorg/graph/time.h"

#include "common.h"
#include "ops/ops.h"

namespace smorg::queries::ops {

json stats(OpContext& ctx, FieldReader& reader) {
    reader.reject_unknown();
    const auto& g = ctx.g();
    if (ctx.estimate)
        return estimate_result(
            ctx.run, {static_cast<double>(g.node_count() * (1 + g.attributes().columns().size())), 0, "", "upper bound"});
    json nodes_by_kind = json::object();
    json edges_by_kind = json::object();
    for (std::size_t k = 0; k < g.node_kinds().size(); ++k) {
        if (const auto c = g.node_count_of(static_cast<graph::KindId>(k))) nodes_by_kind[g.node_kinds().names()[k]] = c;
    }
    for (std::size_t k = 0; k < g.edge_kinds().size(); ++k) {
        if (const auto c = g.edge_count_of(static_cast<graph::KindId>(k))) edges_by_kind[g.edge_kinds().names()[k]] = c;
    }
    json attributes = json::array();
    const auto derived = ctx.db.derived_attributes();
    for (const auto& column : g.attributes().columns()) {
        std::uint64_t set = 0;
        for (graph::NodeIndex u = 0; u < g.node_count(); ++u) set += column.has(u) ? 1u : 0u;
        json entry = {{"name", column.name()}, {"type", graph::to_string(column.type())}, {"nodes", set}};
        for (const auto& d : derived) {
            if (d.name == column.name()) {
                entry["derived"] = {{"batch", d.batch}, {"op", d.op}, {"written_at", graph::format_timestamp(d.written_at)}};
            }
        }
        attributes.push_back(std::move(entry));
    }
    json batches = json::array();
    for (const auto& b : ctx.db.batches()) {
        batches.push_back({{"batch", b.id},
                           {"source", b.source},
                           {"started_at", graph::format_timestamp(b.started_at)},
                           {"provenance", graph::name_of(b.provenance)},
                           {"nodes_added", b.nodes_added},
                           {"edges_added", b.edges_added},
                           {"kept", b.kept}});
    }
    const auto store = ctx.db.stats();
    return {{"nodes", g.node_count()},
            {"edges", g.edge_count()},
            {"nodes_by_kind", nodes_by_kind},
            {"edges_by_kind", edges_by_kind},
            {"attributes", attributes},
            {"batches", batches},
            {"store",
             {{"path", store.path},
              {"file_bytes", store.file_bytes},
              {"generation", store.generation},
              {"snapshot_bytes", store.snapshot_bytes},
              {"loaded_from", store.loaded_from},
              {"scrub_pending", store.scrub_pending}}}};
}

}  // namespace smorg::queries::ops
