#include "write.h"

#include <limits>
#include <stdexcept>

#include "smorg/graph/errors.h"

namespace smorg::queries {

std::optional<WriteRequest> read_write(FieldReader& reader, std::string_view op, bool estimate) {
    // Only the ops that give per-person values know the field (an unknown field's hint lists it).
    if (!offers_per_person_values(op)) {
        if (!reader.value().contains("write")) return std::nullopt;
        (void)reader.raw("write");
        throw QueryError(ErrorCode::invalid_argument,
                         "op '" + std::string(op) + "' gives no per-person values to write; write takes " + per_person_ops_list(),
                         reader.at("write"));
    }
    if (!reader.has("write")) return std::nullopt;
    const std::string at = reader.at("write");
    if (estimate) {
        (void)reader.raw("write");
        throw QueryError(ErrorCode::invalid_argument,
                         "an estimate runs nothing, so it writes nothing: leave out write or estimate", at);
    }
    auto fields = reader.object("write");
    WriteRequest w;
    w.attribute = fields.required<std::string>("attribute");
    w.replace = fields.optional<bool>("replace", false);
    fields.reject_unknown();
    w.at = at;
    return w;
}

json write_back(const OpContext& ctx, const WriteRequest& write, const NodeColumn& column, const json& request) {
    if (!column.filled) throw std::logic_error("the op offered no per-person values");
    importers::DerivedWrite w;
    w.attribute = write.attribute;
    w.computed_on = ctx.snapshot;
    w.values.assign(ctx.g().node_count(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t u = 0; u < column.values.size() && u < w.values.size(); ++u) w.values[u] = column.values[u];
    w.replace = write.replace;
    w.op = request.value("op", std::string());
    if (const auto algorithm = request.find("algorithm"); algorithm != request.end() && algorithm->is_string()) {
        w.op += " " + algorithm->get<std::string>();
    }
    importers::DerivedReport report;
    try {
        report = ctx.db.write_derived(w);
    } catch (const graph::ParamError& e) {
        throw QueryError(ErrorCode::invalid_argument, e.what(), pointer_append(write.at, e.field()));
    } catch (const importers::StoreError& e) {
        throw QueryError(ErrorCode::failed_precondition, e.what(), write.at);
    }
    return {{"attribute", write.attribute},
            {"batch", report.batch},
            {"people", report.people},
            {"cleared", report.cleared},
            {"replaced", report.replaced}};
}

}  // namespace smorg::queries
