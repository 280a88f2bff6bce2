#include "common.h"
#include "ops/ops.h"

namespace smorg::queries::ops {

// Forget people (a single "id" or several "ids"). Ids that do not exist are reported, not errors,
// so that a retried erasure request succeeds.
json erase(OpContext& ctx, FieldReader& reader) {
    std::vector<std::string> ids;
    if (auto id = reader.maybe<std::string>("id")) ids.push_back(*id);
    if (auto more = reader.maybe<std::vector<std::string>>("ids")) ids.insert(ids.end(), more->begin(), more->end());
    reader.reject_unknown();
    if (ids.empty()) throw QueryError(ErrorCode::invalid_argument, "give 'id' or 'ids': who to erase", ctx.at);
    if (ctx.estimate) {
        graph::Estimate e;
        e.work = static_cast<double>(ctx.g().node_count() + ctx.g().edge_count());
        e.memory_bytes = static_cast<double>(ctx.g().memory_bytes());
        return estimate_result(ctx.run, e);
    }
    const auto report = ctx.db.erase(ids);
    json result = {{"erased", report.erased},
                   {"not_found", report.not_found},
                   {"edges_removed", report.edges_removed},
                   {"derived_removed", report.derived_removed},
                   {"scrubbed", report.scrubbed}};
    if (!report.scrubbed) {
        result["warning"] =
            "another process still reads an older view of the database file, so the erased values remain in "
            "its free pages until it lets go; the next import, erase or open of the database finishes the scrub";
    }
    return result;
}

}  // namespace smorg::queries::ops
