#include "stager.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "smorg/graph/errors.h"

#include "formats/graph_file.h"
#include "text.h"

namespace smorg::importers::detail {

// ---- errors --------------------------------------------------------------------------------------

void ErrorList::add(ImportError error) {
    ++total_;
    if (errors_.size() < max_) errors_.push_back(std::move(error));
}

void ErrorList::merge(std::vector<ImportError> errors, std::size_t total) {
    for (auto& e : errors) {
        if (errors_.size() < max_) errors_.push_back(std::move(e));
    }
    total_ += total;
}

void ErrorList::throw_if_any() {
    if (total_ == 0) return;
    for (auto& e : errors_) {
        if (!e.table() && std::find(tables_.begin(), tables_.end(), e.file()) != tables_.end()) e = e.in_table();
    }
    // Phases find errors in their own order (parsing, then resolving ids); list them as the files read:
    // files in the order they first appear, then by line and column.
    std::vector<std::string> files;
    for (const auto& e : errors_) {
        if (std::find(files.begin(), files.end(), e.file()) == files.end()) files.push_back(e.file());
    }
    auto file_rank = [&](const ImportError& e) { return std::find(files.begin(), files.end(), e.file()) - files.begin(); };
    std::stable_sort(errors_.begin(), errors_.end(), [&](const ImportError& a, const ImportError& b) {
        const auto fa = file_rank(a), fb = file_rank(b);
        if (fa != fb) return fa < fb;
        return a.line() != b.line() ? a.line() < b.line() : a.column() < b.column();
    });
    throw ImportFailed(std::move(errors_), total_);
}

// ---- shared checks -------------------------------------------------------------------------------

std::optional<EdgeColumn> edge_column(std::string_view name) {
    static const std::pair<std::string_view, EdgeColumn> kNames[] = {
        {"source", EdgeColumn::source}, {"target", EdgeColumn::target},
        {"weight", EdgeColumn::weight}, {"timestamp", EdgeColumn::timestamp},
        {"value", EdgeColumn::value},   {"kind", EdgeColumn::kind},
        {"skip", EdgeColumn::skip}};
    for (const auto& [n, c] : kNames) {
        if (n == name) return c;
    }
    return std::nullopt;
}

std::optional<std::string> name_problem(std::string_view text, std::string_view what) {
    if (trim(text).empty()) return text.empty() ? "empty " + std::string(what) : std::string(what) + " is only blanks";
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            return std::string(what) + " holds a control character (byte " + std::to_string(u) + "): " + shown(text);
        }
    }
    return std::nullopt;
}

std::uint16_t EdgeChunk::kind(std::string_view name, std::size_t line, std::size_t column) {
    for (std::size_t i = 0; i < kind_names.size(); ++i) {
        if (kind_names[i] == name) return static_cast<std::uint16_t>(i);
    }
    // More distinct names than a vocabulary holds are caught when the chunk is absorbed; stop
    // growing the list here.
    if (kind_names.size() > graph::Vocabulary::kMaxSize) return static_cast<std::uint16_t>(kind_names.size() - 1);
    kind_names.emplace_back(name);
    kind_places.emplace_back(line, column);
    return static_cast<std::uint16_t>(kind_names.size() - 1);
}

// ---- the stager ----------------------------------------------------------------------------------

Stager::Stager(const ImportSpec& spec, const graph::Snapshot& base, graph::RunContext& run)
    : spec_(spec), errors_(spec.max_errors), run_(run) {
    batch_.base = &base;
    batch_.node_vocab = base.node_kinds();
    batch_.edge_vocab = base.edge_kinds();
    batch_.touched_existing.assign(base.node_count(), 0);
    batch_.report.provenance = spec.provenance;
}

void Stager::progress(std::string_view phase) const {
    if (total_bytes_ > 0) run_.report(phase, static_cast<double>(done_bytes_) / static_cast<double>(total_bytes_));
}

bool Stager::check_text(const std::string& file, std::size_t line, std::size_t column, std::string_view text,
                        const std::string& field) {
    const auto bad = invalid_utf8_at(text);
    if (bad != std::string_view::npos) {
        error(file, line, column + bad, field, "invalid UTF-8 (byte " + std::to_string(bad + 1) + " of the field)");
        return false;
    }
    const auto nul = text.find('\0');
    if (nul != std::string_view::npos) {
        error(file, line, column + nul, field, "a NUL byte (byte " + std::to_string(nul + 1) + " of the field)");
        return false;
    }
    return true;
}

std::optional<graph::KindId> Stager::intern_kind(graph::Vocabulary& vocab, std::string_view name, const std::string& file,
                                                 std::size_t line, std::size_t column, const char* what) {
    if (auto id = vocab.find(name)) return *id;
    if (vocab.size() >= graph::Vocabulary::kMaxSize) {
        error(file, line, column, "kind",
              "too many " + std::string(what) + " kinds: a database holds at most " +
                  std::to_string(graph::Vocabulary::kMaxSize) + ", and '" + graph::printable(name) + "' would be one more");
        return std::nullopt;
    }
    return vocab.intern(name);
}

std::optional<NodeIndex> Stager::declare(const std::string& file, std::size_t line, std::size_t id_column, std::size_t column,
                                         std::string_view id, std::optional<std::string_view> kind_name) {
    if (auto problem = name_problem(id, "id")) {
        error(file, line, id_column, "id", *problem);
        return std::nullopt;
    }
    std::optional<graph::KindId> kind;
    if (kind_name) {
        if (auto problem = name_problem(*kind_name, "kind")) {
            error(file, line, column, "kind", *problem);
            return std::nullopt;
        }
        kind = intern_kind(batch_.node_vocab, *kind_name, file, line, column, "node");
        if (!kind) return std::nullopt;
    }
    if (auto existing = find(id)) {
        if (kind && node_kind_of(*existing) != *kind) {
            error(file, line, column, "kind",
                  "node '" + std::string(id) + "' already exists with kind '" +
                      std::string(batch_.node_vocab.name(node_kind_of(*existing))) + "', not '" + std::string(*kind_name) + "'");
            return std::nullopt;
        }
        touch(*existing);
        return *existing;
    }
    if (!kind) kind = intern_kind(batch_.node_vocab, spec_.node_kind, file, line, column, "node");
    if (!kind) return std::nullopt;
    return create(id, *kind);
}

std::optional<graph::AttributeType> Stager::existing_type(std::string_view name) const {
    if (const auto it = attribute_ids_.find(std::string(name)); it != attribute_ids_.end()) {
        return batch_.attributes[it->second].type;
    }
    if (const auto* c = batch_.base->attributes().find(name)) return c->type();
    return graph::AttributeTable::reserved_type(name);
}

std::optional<std::uint32_t> Stager::attribute_index(std::string_view name, graph::AttributeType type, const std::string& file,
                                                     std::size_t line, std::size_t column) {
    const std::string key(name);
    if (const auto it = attribute_ids_.find(key); it != attribute_ids_.end()) return it->second;
    const bool fresh = !batch_.base->attributes().find(name);
    if (fresh) {
        // A new column: the base's plus the batch's new ones must stay within the bound.
        if (batch_.base->attributes().columns().size() + new_attributes_ >= kMaxAttributes) {
            error(file, line, column, key,
                  "too many attributes: a database holds at most " + std::to_string(kMaxAttributes) +
                      " attribute columns, and '" + key + "' would be one more");
            return std::nullopt;
        }
    }
    new_attributes_ += fresh ? 1 : 0;
    batch_.attributes.push_back({key, type});
    const auto index = static_cast<std::uint32_t>(batch_.attributes.size() - 1);
    attribute_ids_.emplace(key, index);
    return index;
}

void Stager::set_value(NodeIndex node, std::string_view name, graph::AttributeValue value, const std::string& file,
                       std::size_t line, std::size_t column) {
    if (std::holds_alternative<std::monostate>(value)) {
        if (const auto type = existing_type(name)) {
            if (const auto index = attribute_index(name, *type, file, line, column))
                batch_.values.push_back({node, *index, value});
        }
        return;
    }
    graph::AttributeType type = graph::AttributeType::string;
    if (std::holds_alternative<double>(value)) type = graph::AttributeType::number;
    if (std::holds_alternative<bool>(value)) type = graph::AttributeType::boolean;
    if (const auto known = existing_type(name); known && *known != type) {
        error(file, line, column, std::string(name),
              "expected a " + std::string(graph::to_string(*known)) + " (attribute '" + std::string(name) + "' holds " +
                  std::string(graph::to_string(*known)) + " values), got a " + std::string(graph::to_string(type)));
        return;
    }
    const auto index = attribute_index(name, type, file, line, column);
    if (!index) return;
    batch_.values.push_back({node, *index, std::move(value)});
    touch(node);
}

// Types an attribute column from all of its values in this file: number if every value is one,
// boolean if every value is true/false, else string; an attribute that already has a type (stored,
// reserved, or set earlier in the batch) keeps it, and a value that does not fit is an error.
void Stager::typed_column(const std::string& file, const std::string& name, std::size_t line, std::size_t column,
                          RawValues& raw) {
    auto type = existing_type(name);
    if (!type) {
        bool numbers = true, booleans = true;
        for (const auto& [node, text, l, c] : raw) {
            numbers = numbers && parse_number(text).has_value();
            booleans = booleans && parse_boolean(text).has_value();
        }
        type = raw.empty() ? graph::AttributeType::string
               : numbers   ? graph::AttributeType::number
               : booleans  ? graph::AttributeType::boolean
                           : graph::AttributeType::string;
    }
    const auto index = attribute_index(name, *type, file, line, column);
    if (!index) return;
    for (auto& [node, text, l, c] : raw) {
        graph::AttributeValue value;
        switch (*type) {
            case graph::AttributeType::string:
                value = std::move(text);
                break;
            case graph::AttributeType::number:
                if (auto d = parse_number(text)) {
                    value = *d;
                } else {
                    error(file, l, c, name, "expected a number, got " + shown(text));
                    continue;
                }
                break;
            case graph::AttributeType::boolean:
                if (auto b = parse_boolean(text)) {
                    value = *b;
                } else {
                    error(file, l, c, name, "expected true or false, got " + shown(text));
                    continue;
                }
                break;
        }
        batch_.values.push_back({node, *index, std::move(value)});
        touch(node);
    }
}

// Appends parsed chunks in file order: ids that did not resolve during the parallel parse are
// created (implicit edge-list nodes, create_missing) or reported, in order of first appearance so
// new nodes get their indexes deterministically; kinds are mapped to the batch vocabulary.
void Stager::absorb(const std::string& file, std::vector<EdgeChunk>& chunks, bool implicit_nodes, bool create_missing) {
    std::vector<std::vector<graph::KindId>> kind_maps(chunks.size());
    for (std::size_t c = 0; c < chunks.size(); ++c) {
        auto& chunk = chunks[c];
        errors_.merge(std::move(chunk.errors.errors), chunk.errors.total);
        batch_.report.edges_skipped_zero_weight += chunk.skipped_zero;
        batch_.report.lines += chunk.lines;
        for (std::size_t k = 0; k < chunk.kind_names.size(); ++k) {
            const auto [line, column] = chunk.kind_places[k];
            const auto id = intern_kind(batch_.edge_vocab, chunk.kind_names[k], file, line, column, "edge");
            kind_maps[c].push_back(id.value_or(0));
        }
        for (const auto& u : chunk.unresolved) {
            std::optional<NodeIndex> node = find(u.id);
            if (!node && (implicit_nodes || create_missing)) {
                const auto kind =
                    intern_kind(batch_.node_vocab, implicit_nodes ? spec_.node_kind : std::string(graph::kinds::unknown), file,
                                u.line, u.column, "node");
                if (!kind) continue;
                node = create(u.id, *kind);
                ++batch_.report.missing_nodes_created;
            }
            if (!node) {
                errors_.add(ImportError(file, u.line, u.column, u.is_target ? "target" : "source",
                                        "unknown node '" + u.id +
                                            "': no node file of this batch defines it and it is not stored "
                                            "(create_missing creates it)"));
                continue;
            }
            (u.is_target ? chunk.targets : chunk.sources)[u.edge] = *node;
        }
    }
    if (errors_.total() > 0) return;  // the batch will not land

    std::vector<std::size_t> offset(chunks.size() + 1, batch_.sources.size());
    for (std::size_t c = 0; c < chunks.size(); ++c) {
        offset[c + 1] = offset[c] + chunks[c].sources.size();
        for (auto& [pos, v] : chunks[c].values) batch_.values_by_edge.emplace_back(offset[c] + pos, v);
    }
    const std::size_t end = offset[chunks.size()];
    batch_.sources.resize(end);
    batch_.targets.resize(end);
    batch_.kinds.resize(end);
    batch_.weights.resize(end);
    batch_.timestamps.resize(end);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, chunks.size(), 1), [&](const auto& r) {
        for (std::size_t c = r.begin(); c != r.end(); ++c) {
            auto& chunk = chunks[c];
            const auto at = static_cast<std::ptrdiff_t>(offset[c]);
            std::copy(chunk.sources.begin(), chunk.sources.end(), batch_.sources.begin() + at);
            std::copy(chunk.targets.begin(), chunk.targets.end(), batch_.targets.begin() + at);
            std::copy(chunk.weights.begin(), chunk.weights.end(), batch_.weights.begin() + at);
            std::copy(chunk.timestamps.begin(), chunk.timestamps.end(), batch_.timestamps.begin() + at);
            for (std::size_t i = 0; i < chunk.kinds.size(); ++i) batch_.kinds[offset[c] + i] = kind_maps[c][chunk.kinds[i]];
            chunk = EdgeChunk{};
        }
    });
}

namespace {
bool ends_with(std::string_view name, std::string_view suffix) {
    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

std::optional<Format> format_by_name(const std::string& path) {
    const auto name = logical_name(path);
    static const std::pair<std::string_view, Format> kSuffixes[] = {
        {".csv", Format::csv},         {".jsonl", Format::jsonl}, {".ndjson", Format::jsonl},
        {".graphml", Format::graphml}, {".gexf", Format::gexf},   {".gml", Format::gml},
        {".net", Format::pajek},       {".paj", Format::pajek},   {".pajek", Format::pajek}};
    for (const auto& [suffix, format] : kSuffixes) {
        if (ends_with(name, suffix)) return format;
    }
    return std::nullopt;
}

bool may_be_graph_file(const ImportSpec& spec, const std::string& path) {
    if (spec.format) return is_graph_file(*spec.format);
    const auto named = format_by_name(path);
    return named ? is_graph_file(*named) : ends_with(logical_name(path), ".xml");
}

std::optional<Format> Stager::format_of(const std::string& path, std::string_view text) {
    if (spec_.format) return *spec_.format;
    if (const auto named = format_by_name(path)) return *named;
    const auto name = logical_name(path);
    auto ends = [&](std::string_view suffix) { return ends_with(name, suffix); };
    std::string problem;
    if (const auto sniffed = sniff_format(text, problem)) return *sniffed;
    if (problem.empty() && (ends(".dot") || ends(".gv"))) {
        problem = "a Graphviz DOT file: smorg writes DOT but does not read it (save the graph as GraphML or GML)";
    }
    if (problem.empty() && (ends(".xlsx") || ends(".xls") || ends(".ods"))) {
        problem = "a spreadsheet: save the sheet as CSV";
    }
    if (!problem.empty()) {
        error(path, 1, 1, "",
              "this is " + problem + ". smorg reads CSV, JSON Lines, edge lists, GraphML, GEXF, GML and Pajek (see --format)");
        return std::nullopt;
    }
    return Format::edgelist;
}

}  // namespace smorg::importers::detail

namespace smorg::importers {

void validate(const ImportSpec& spec) {
    using detail::edge_column;
    using detail::EdgeColumn;
    using detail::name_problem;
    using graph::invalid_utf8_at;
    if (spec.max_errors < 1 || spec.max_errors > ImportSpec::kMaxErrorsLimit) {
        throw graph::ParamError("max_errors", "max_errors must be in [1, " + std::to_string(ImportSpec::kMaxErrorsLimit) + "]");
    }
    if (spec.max_file_bytes < 1 || spec.max_file_bytes > (std::uint64_t{1} << 40)) {
        throw graph::ParamError("max_file_bytes", "max_file_bytes must be in [1, 2^40]");
    }
    if (spec.provenance == graph::Provenance::derived) {
        throw graph::ParamError("provenance",
                                "derived values are written by a query's \"write\", not imported: choose owned, "
                                "copied, borrowed or displayed");
    }
    for (const auto& [field, kind] : {std::pair{"edge_kind", &spec.edge_kind}, std::pair{"node_kind", &spec.node_kind}}) {
        if (auto problem = name_problem(*kind, "a kind"); problem || invalid_utf8_at(*kind) != std::string_view::npos) {
            throw graph::ParamError(field, std::string(field) + " must be a non-empty UTF-8 name without control characters");
        }
    }
    if (!spec.labels.empty() && (spec.label_attribute.empty() || name_problem(spec.label_attribute, "a name") ||
                                 invalid_utf8_at(spec.label_attribute) != std::string_view::npos)) {
        throw graph::ParamError("label_attribute", "label_attribute must be a non-empty UTF-8 name");
    }
    // A table's errors are told apart from a file's by its name: it may not be a file of the batch.
    std::vector<std::string_view> names(spec.nodes.begin(), spec.nodes.end());
    names.insert(names.end(), spec.edges.begin(), spec.edges.end());
    if (!spec.labels.empty()) names.push_back(spec.labels);
    for (const auto& [field, tables] : {std::pair{"node_rows", &spec.node_rows}, std::pair{"edge_rows", &spec.edge_rows}}) {
        for (std::size_t i = 0; i < tables->size(); ++i) {
            const auto& name = (*tables)[i].name;
            const auto at = std::string(field) + "/" + std::to_string(i);
            if (name.size() > ImportSpec::kMaxSourceBytes || name_problem(name, "a name") ||
                invalid_utf8_at(name) != std::string_view::npos) {
                throw graph::ParamError(at, "a row table needs a UTF-8 name without control characters, at most " +
                                                std::to_string(ImportSpec::kMaxSourceBytes) + " bytes");
            }
            if (std::find(names.begin(), names.end(), name) != names.end()) {
                throw graph::ParamError(at, "row table '" + name + "' has the name of another input of the batch: name it apart");
            }
            names.push_back(name);
        }
    }
    if (spec.source.size() > ImportSpec::kMaxSourceBytes || invalid_utf8_at(spec.source) != std::string_view::npos ||
        (!spec.source.empty() && name_problem(spec.source, "a source"))) {
        throw graph::ParamError("source", "source must be UTF-8 text without control characters, at most " +
                                              std::to_string(ImportSpec::kMaxSourceBytes) + " bytes");
    }
    for (const auto& [field, name] :
         {std::pair{"node_kind_from", &spec.node_kind_from}, std::pair{"edge_kind_from", &spec.edge_kind_from}}) {
        if (!*name) continue;
        if (name_problem(**name, "a name") || invalid_utf8_at(**name) != std::string_view::npos) {
            throw graph::ParamError(field, std::string(field) + " must be a non-empty UTF-8 attribute name");
        }
        // Only graph files have attributes on edges, and kinds in a named attribute.
        bool graph_files = false;
        for (const auto* files : {&spec.nodes, &spec.edges}) {
            for (const auto& f : *files) graph_files = graph_files || detail::may_be_graph_file(spec, f);
        }
        if (!graph_files) {
            throw graph::ParamError(field, std::string(field) +
                                               " applies to graph files (GraphML, GEXF, GML, Pajek), and the batch has none "
                                               "(name them by extension or give format)");
        }
    }
    int sources = 0, targets = 0;
    for (std::size_t i = 0; i < spec.columns.size(); ++i) {
        const auto c = edge_column(spec.columns[i]);
        if (!c) {
            throw graph::ParamError(
                "columns/" + std::to_string(i),
                "unknown column name '" + spec.columns[i] + "' (use source, target, weight, timestamp, value, kind, skip)");
        }
        sources += *c == EdgeColumn::source;
        targets += *c == EdgeColumn::target;
        for (std::size_t j = 0; j < i; ++j) {
            if (spec.columns[j] == spec.columns[i] && *c != EdgeColumn::skip) {
                throw graph::ParamError("columns/" + std::to_string(i), "column '" + spec.columns[i] + "' given twice");
            }
        }
    }
    if (sources != 1 || targets != 1) throw graph::ParamError("columns", "columns must name one source and one target");
}

graph::Estimate estimate(const ImportSpec& spec) {
    // The whole text is held while it is checked, plus about twice as much of staged records; a
    // graph file is held as a document and as nodes and edges besides (about nine times its text,
    // measured on GraphML, GEXF and GML files of half a million edges).
    graph::Estimate e;
    auto add = [&](double bytes, double held) {
        e.work += bytes;
        e.memory_bytes += held * bytes;
    };
    for (const auto* files : {&spec.nodes, &spec.edges}) {
        for (const auto& f : *files) {
            std::error_code ec;
            const auto size = std::filesystem::file_size(f, ec);
            if (!ec) add(static_cast<double>(size), detail::may_be_graph_file(spec, f) ? 10.0 : 3.0);
        }
    }
    if (!spec.labels.empty()) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(spec.labels, ec);
        if (!ec) add(static_cast<double>(size), 3.0);
    }
    for (const auto* tables : {&spec.node_rows, &spec.edge_rows}) {
        for (const auto& t : *tables) add(static_cast<double>(t.text.size()), 3.0);
    }
    // The field that drives the cost, as the request names it.
    e.field = !spec.edges.empty() ? "edges" : !spec.edge_rows.empty() ? "edge_rows" : !spec.nodes.empty() ? "nodes" : "node_rows";
    return e;
}

}  // namespace smorg::importers

namespace smorg::importers::detail {

StagedBatch Stager::run() {
    importers::validate(spec_);
    struct Input {
        std::string path;
        Format format;
        bool nodes;
        const RowTable* table = nullptr;  // rows held in memory instead of a file
    };
    std::vector<Input> inputs;
    for (const auto& f : spec_.nodes) inputs.push_back({f, Format::csv, true});
    for (const auto& t : spec_.node_rows) inputs.push_back({t.name, Format::jsonl, true, &t});
    for (const auto& f : spec_.edges) inputs.push_back({f, Format::csv, false});
    for (const auto& t : spec_.edge_rows) inputs.push_back({t.name, Format::jsonl, false, &t});
    if (!spec_.labels.empty()) inputs.push_back({spec_.labels, Format::edgelist, false});
    std::vector<std::string> tables;
    for (const auto& in : inputs) {
        if (in.table) {
            total_bytes_ += in.table->text.size();
            tables.push_back(in.table->name);
            continue;
        }
        std::error_code ec;
        const auto size = std::filesystem::file_size(in.path, ec);
        if (!ec) total_bytes_ += static_cast<std::size_t>(size);
    }
    errors_.set_tables(std::move(tables));
    run_.admit(importers::estimate(spec_));

    // Read every file first: a missing or unreadable file is reported before any parsing. A row
    // table's text is read where it is, not copied.
    std::vector<std::string> read(inputs.size());
    std::vector<const std::string*> texts(inputs.size(), nullptr);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        run_.throw_if_cancelled();
        if (const auto* table = inputs[i].table) {
            if (table->text.size() > spec_.max_file_bytes) {
                error(table->name, 0, 0, "",
                      "the rows are larger than max_file_bytes (" + std::to_string(spec_.max_file_bytes) + " bytes)");
                continue;
            }
            texts[i] = &table->text;
        } else {
            try {
                read[i] = read_file(inputs[i].path, spec_.max_file_bytes);
                texts[i] = &read[i];
            } catch (const ImportError& e) {
                errors_.add(e);
                continue;
            }
        }
        batch_.report.bytes += texts[i]->size();
        // The format: a file's from the spec, its name or its first bytes (a labels file is read as
        // an edge list is); a table's is JSON Lines.
        const bool labels_input = !spec_.labels.empty() && i + 1 == inputs.size();
        if (!inputs[i].table && !labels_input) {
            if (const auto f = format_of(inputs[i].path, *texts[i])) inputs[i].format = *f;
        }
    }
    errors_.throw_if_any();
    const bool with_labels = !spec_.labels.empty();
    const std::size_t files = inputs.size() - (with_labels ? 1 : 0);
    auto done = [&](std::size_t i) {  // an input read whole: count it, let go of a file's text
        done_bytes_ += texts[i]->size();
        read[i] = std::string();
        progress("parse");
    };

    // Phase 1: nodes (node files, node tables, the node objects of every JSON Lines file and the
    // nodes of every graph file, which is read whole here).
    std::vector<GraphFile> graph_files(files);
    for (std::size_t i = 0; i < files; ++i) {
        run_.throw_if_cancelled();
        const auto& in = inputs[i];
        if (in.table) {
            if (in.nodes) {
                jsonl(in.path, *texts[i], true, true);
                done(i);
            }
        } else if (in.format == Format::jsonl) {
            jsonl(in.path, *texts[i], true, std::nullopt);
        } else if (is_graph_file(in.format)) {
            graph_files[i] = read_graph_file(in.path, *texts[i], in.format);
            graph_nodes(in.path, graph_files[i]);
        } else if (in.nodes) {
            if (in.format != Format::csv) {
                error(in.path, 0, 0, "",
                      "a nodes file must be CSV, JSON Lines or a graph file (GraphML, GEXF, GML, Pajek), not an edge list");
                continue;
            }
            csv_nodes(in.path, *texts[i]);
            done(i);
        }
    }
    // Phase 2: edges (edge files, edge tables, and the edges of every JSON Lines and graph file).
    for (std::size_t i = 0; i < files; ++i) {
        run_.throw_if_cancelled();
        const auto& in = inputs[i];
        if (in.table) {
            if (in.nodes) continue;
            jsonl(in.path, *texts[i], false, false);
        } else if (in.format == Format::jsonl) {
            jsonl(in.path, *texts[i], false, std::nullopt);
        } else if (is_graph_file(in.format)) {
            graph_edges(in.path, graph_files[i]);
            graph_files[i] = GraphFile{};
        } else if (!in.nodes) {
            if (in.format == Format::csv) {
                csv_edges(in.path, *texts[i]);
            } else {
                edge_list(in.path, *texts[i]);
            }
        } else {
            continue;
        }
        done(i);
    }
    // Phase 3: labels.
    if (with_labels) {
        run_.throw_if_cancelled();
        const auto before = batch_.new_ids.size();
        labels(spec_.labels, *texts.back());
        batch_.report.missing_nodes_created += batch_.new_ids.size() - before;
        done(inputs.size() - 1);
    }
    run_.throw_if_cancelled();
    errors_.throw_if_any();

    batch_.report.nodes_added = batch_.new_ids.size();
    batch_.report.edges_added = batch_.sources.size();
    std::uint64_t updated = 0;
    for (auto t : batch_.touched_existing) updated += t;
    batch_.report.nodes_updated = updated;
    return std::move(batch_);
}

StagedBatch stage(const ImportSpec& spec, const graph::Snapshot& base, graph::RunContext& run) {
    Stager stager(spec, base, run);
    return stager.run();
}

}  // namespace smorg::importers::detail
