#include "common.h"
#include "ops/ops.h"

namespace smorg::queries::ops {

namespace {
// A file field: one path or an array of paths.
std::vector<std::string> read_files(FieldReader& reader, std::string_view key) {
    const json* raw = reader.raw(key);
    if (!raw) return {};
    if (raw->is_string()) return {raw->get<std::string>()};
    return FieldReader::convert<std::vector<std::string>>(*raw, reader.at(key));
}
}  // namespace

json import(OpContext& ctx, FieldReader& reader) {
    importers::ImportSpec spec;
    spec.nodes = read_files(reader, "nodes");
    spec.edges = read_files(reader, "edges");
    if (reader.has("format")) spec.format = reader.optional_enum<importers::Format>("format", importers::Format::csv);
    spec.columns = reader.optional<std::vector<std::string>>("columns", spec.columns);
    spec.edge_kind = reader.optional<std::string>("edge_kind", spec.edge_kind);
    spec.node_kind = reader.optional<std::string>("node_kind", spec.node_kind);
    spec.labels = reader.optional<std::string>("labels", spec.labels);
    spec.label_attribute = reader.optional<std::string>("label_attribute", spec.label_attribute);
    spec.provenance = reader.optional_enum<graph::Provenance>("provenance", spec.provenance);
    spec.create_missing = reader.optional<bool>("create_missing", spec.create_missing);
    spec.max_errors = static_cast<std::size_t>(reader.optional<std::uint64_t>("max_errors", spec.max_errors));
    reader.reject_unknown();
    if (spec.nodes.empty() && spec.edges.empty() && spec.labels.empty()) {
        throw QueryError(ErrorCode::invalid_argument, "nothing to import: give nodes, edges or labels", ctx.at);
    }
    const auto report = ctx.db.import(spec, [&](std::string_view phase, double done) { ctx.run.report(phase, done); });
    return {{"batch", report.batch},
            {"provenance", graph::name_of(report.provenance)},
            {"nodes_added", report.nodes_added},
            {"nodes_updated", report.nodes_updated},
            {"missing_nodes_created", report.missing_nodes_created},
            {"edges_added", report.edges_added},
            {"edges_skipped_zero_weight", report.edges_skipped_zero_weight},
            {"lines", report.lines},
            {"bytes", report.bytes},
            {"seconds", report.seconds},
            {"phases", [&] {
                 json phases = json::object();
                 for (const auto& [name, seconds] : report.phases) phases[name] = seconds;
                 return phases;
             }()}};
}

}  // namespace smorg::queries::ops
