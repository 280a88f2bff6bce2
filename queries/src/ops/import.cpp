
#include "common.h"
#include "files.h"
#include "ops/ops.h"

namespace smorg::queries::ops {

namespace {
// A file field: one path or an array of paths, each where this engine may read.
std::vector<std::string> read_files(OpContext& ctx, FieldReader& reader, std::string_view key) {
    const json* raw = reader.raw(key);
    if (!raw) return {};
    if (raw->is_string()) return {input_path(ctx, raw->get<std::string>(), reader.at(key))};
    auto files = FieldReader::convert<std::vector<std::string>>(*raw, reader.at(key));
    for (std::size_t i = 0; i < files.size(); ++i)
        files[i] = input_path(ctx, files[i], pointer_append(reader.at(key), std::to_string(i)));
    return files;
}
// A rows field: an array of objects, or one string of JSON Lines (one object per line), as text the
// importer reads like a JSON Lines file.
std::vector<importers::RowTable> read_rows(FieldReader& reader, std::string_view key) {
    const json* raw = reader.raw(key);
    if (!raw) return {};
    importers::RowTable table{std::string(key), {}};
    if (raw->is_string()) {
        table.text = raw->get<std::string>();
    } else if (raw->is_array()) {
        for (std::size_t i = 0; i < raw->size(); ++i) {
            const auto& row = (*raw)[i];
            if (!row.is_object()) {
                throw QueryError(ErrorCode::invalid_argument, "each row must be an object, got " + std::string(type_phrase(row)),
                                 pointer_append(reader.at(key), std::to_string(i)));
            }
            table.text += row.dump(-1, ' ', false, json::error_handler_t::replace);
            table.text += '\n';
        }
    } else {
        throw QueryError(ErrorCode::invalid_argument,
                         "expected an array of row objects or a string of JSON Lines, got " + std::string(type_phrase(*raw)),
                         reader.at(key));
    }
    return {std::move(table)};
}
}  // namespace

json import(OpContext& ctx, FieldReader& reader) {
    importers::ImportSpec spec;
    spec.nodes = read_files(ctx, reader, "nodes");
    spec.edges = read_files(ctx, reader, "edges");
    spec.node_rows = read_rows(reader, "node_rows");
    spec.edge_rows = read_rows(reader, "edge_rows");
    if (reader.has("format")) spec.format = reader.optional_enum<importers::Format>("format", importers::Format::csv);
    spec.columns = reader.optional<std::vector<std::string>>("columns", spec.columns);
    spec.edge_kind = reader.optional<std::string>("edge_kind", spec.edge_kind);
    spec.node_kind = reader.optional<std::string>("node_kind", spec.node_kind);
    if (const auto from = reader.maybe<std::string>("node_kind_from")) spec.node_kind_from = *from;
    if (const auto from = reader.maybe<std::string>("edge_kind_from")) spec.edge_kind_from = *from;
    if (const auto labels = reader.maybe<std::string>("labels")) spec.labels = input_path(ctx, *labels, reader.at("labels"));
    spec.label_attribute = reader.optional<std::string>("label_attribute", spec.label_attribute);
    spec.provenance = reader.optional_enum<graph::Provenance>("provenance", spec.provenance);
    spec.create_missing = reader.optional<bool>("create_missing", spec.create_missing);
    spec.max_errors = static_cast<std::size_t>(reader.optional<std::uint64_t>("max_errors", spec.max_errors));
    spec.max_file_bytes = reader.optional<std::uint64_t>("max_file_bytes", spec.max_file_bytes);
    spec.source = reader.optional<std::string>("source", spec.source);
    reader.reject_unknown();
    if (spec.nodes.empty() && spec.edges.empty() && spec.node_rows.empty() && spec.edge_rows.empty() && spec.labels.empty()) {
        throw QueryError(ErrorCode::invalid_argument, "nothing to import: give nodes, edges, node_rows, edge_rows or labels",
                         ctx.at);
    }
    if (ctx.estimate) {
        importers::validate(spec);  // what the import would refuse, the estimate refuses too
        const auto e = importers::estimate(spec);
        return estimate_result(ctx.run, e);
    }
    const auto report = ctx.db.import(spec, ctx.run);
    return {{"batch", report.batch},
            {"provenance", graph::name_of(report.provenance)},
            {"nodes_added", report.nodes_added},
            {"nodes_updated", report.nodes_updated},
            {"missing_nodes_created", report.missing_nodes_created},
            {"edges_added", report.edges_added},
            {"edges_skipped_zero_weight", report.edges_skipped_zero_weight},
            {"undirected_edges", report.undirected_edges},
            {"dropped",
             [&] {
                 json dropped = json::array();
                 for (const auto& d : report.dropped) {
                     dropped.push_back({{"file", d.file}, {"element", d.element}, {"name", d.name}, {"count", d.count}});
                 }
                 return dropped;
             }()},
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
