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
    const auto report = ctx.db.erase(ids);
    return {{"erased", report.erased}, {"not_found", report.not_found}, {"edges_removed", report.edges_removed}};
}

}  // namespace smorg::queries::ops
