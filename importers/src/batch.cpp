#include "batch.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <nlohmann/json.hpp>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "chunks.h"
#include "csv.h"
#include "smorg/graph/errors.h"
#include "smorg/graph/time.h"
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

namespace {

using graph::NodeIndex;
using json = nlohmann::json;

// Errors found while parsing one chunk in parallel, merged in chunk order afterwards.
struct LocalErrors {
    std::vector<ImportError> errors;
    std::size_t total = 0;
    std::size_t max = 0;
    void add(const std::string& file, std::size_t line, std::size_t column, std::string field, std::string message) {
        ++total;
        if (errors.size() < max) errors.emplace_back(file, line, column, std::move(field), std::move(message));
    }
};

// An id that did not resolve while a chunk was parsed in parallel; resolved serially in file order.
struct Unresolved {
    std::size_t edge;  // position in the chunk's edges
    bool is_target;
    std::string id;
    std::size_t line, column;
};

// The edges of one chunk.
struct EdgeChunk {
    std::vector<NodeIndex> sources, targets;
    std::vector<std::uint16_t> kinds;  // local kind ids into `kind_names`
    std::vector<double> weights;
    std::vector<graph::Timestamp> timestamps;
    std::vector<std::pair<std::size_t, double>> values;
    std::vector<std::string> kind_names;
    std::vector<Unresolved> unresolved;
    LocalErrors errors;
    std::size_t skipped_zero = 0;
    std::size_t lines = 0;

    std::uint16_t kind(std::string_view name) {
        for (std::size_t i = 0; i < kind_names.size(); ++i) {
            if (kind_names[i] == name) return static_cast<std::uint16_t>(i);
        }
        kind_names.emplace_back(name);
        return static_cast<std::uint16_t>(kind_names.size() - 1);
    }
};

enum class EdgeColumn : std::uint8_t { source, target, weight, timestamp, value, kind, skip };

std::optional<EdgeColumn> edge_column(std::string_view name) {
    static const std::pair<std::string_view, EdgeColumn> kNames[] = {
        {"source", EdgeColumn::source},       {"target", EdgeColumn::target}, {"weight", EdgeColumn::weight},
        {"timestamp", EdgeColumn::timestamp}, {"value", EdgeColumn::value},   {"kind", EdgeColumn::kind},
        {"skip", EdgeColumn::skip}};
    for (const auto& [n, c] : kNames) {
        if (n == name) return c;
    }
    return std::nullopt;
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

constexpr NodeIndex kUnresolved = graph::kNoNode;

class Stager {
public:
    Stager(const ImportSpec& spec, const graph::Snapshot& base, const ProgressFn& progress)
        : spec_(spec), errors_(spec.max_errors), progress_(progress) {
        batch_.base = &base;
        batch_.node_vocab = base.node_kinds();
        batch_.edge_vocab = base.edge_kinds();
        batch_.touched_existing.assign(base.node_count(), 0);
        batch_.report.provenance = spec.provenance;
    }

    StagedBatch run();

private:
    // ---- shared helpers ----
    std::optional<NodeIndex> find(std::string_view id) const {
        if (auto n = batch_.base->find(id)) return *n;
        if (auto n = batch_.new_ids.find(id)) return batch_.base_nodes() + *n;
        return std::nullopt;
    }
    graph::KindId node_kind_of(NodeIndex node) const {
        return node < batch_.base_nodes() ? batch_.base->node_kind(node) : batch_.new_kinds[node - batch_.base_nodes()];
    }
    NodeIndex create(std::string_view id, graph::KindId kind) {
        const auto local = batch_.new_ids.intern(id);
        batch_.new_kinds.push_back(kind);
        return batch_.base_nodes() + local;
    }
    void touch(NodeIndex node) {
        if (node < batch_.base_nodes()) batch_.touched_existing[node] = 1;
    }
    std::optional<graph::AttributeType> existing_type(std::string_view name) const {
        for (const auto& a : batch_.attributes) {
            if (a.name == name) return a.type;
        }
        if (const auto* c = batch_.base->attributes().find(name)) return c->type();
        return graph::AttributeTable::reserved_type(name);
    }
    std::uint32_t attribute_index(std::string_view name, graph::AttributeType type) {
        for (std::uint32_t i = 0; i < batch_.attributes.size(); ++i) {
            if (batch_.attributes[i].name == name) return i;
        }
        batch_.attributes.push_back({std::string(name), type});
        return static_cast<std::uint32_t>(batch_.attributes.size() - 1);
    }
    void error(const std::string& file, std::size_t line, std::size_t column, std::string field, std::string message) {
        errors_.add(ImportError(file, line, column, std::move(field), std::move(message)));
    }
    bool check_utf8(const std::string& file, std::size_t line, std::size_t column, std::string_view text,
                    const std::string& field) {
        const auto bad = invalid_utf8_at(text);
        if (bad == std::string_view::npos) return true;
        error(file, line, column + bad, field, "invalid UTF-8 (byte " + std::to_string(bad + 1) + " of the field)");
        return false;
    }
    // Declares a node (node files, labels): an existing id keeps its kind and must not get another.
    std::optional<NodeIndex> declare(const std::string& file, std::size_t line, std::size_t column,
                                     std::string_view id, std::optional<std::string_view> kind_name) {
        graph::KindId kind = 0;
        if (kind_name) kind = intern_node_kind(*kind_name);
        if (auto existing = find(id)) {
            if (kind_name && node_kind_of(*existing) != kind) {
                error(file, line, column, "kind",
                      "node '" + std::string(id) + "' already exists with kind '" +
                          std::string(batch_.node_vocab.name(node_kind_of(*existing))) + "', not '" +
                          std::string(*kind_name) + "'");
                return std::nullopt;
            }
            touch(*existing);
            return *existing;
        }
        return create(id, kind_name ? kind : intern_node_kind(spec_.node_kind));
    }
    graph::KindId intern_node_kind(std::string_view name) { return batch_.node_vocab.intern(name); }
    void progress(std::string_view phase) {
        if (progress_ && total_bytes_ > 0) {
            progress_(phase, static_cast<double>(done_bytes_) / static_cast<double>(total_bytes_));
        }
    }

    // ---- formats ----
    Format format_of(const std::string& path) const;
    void csv_nodes(const std::string& file, const std::string& text);
    void jsonl(const std::string& file, const std::string& text, bool nodes_phase);
    void csv_edges(const std::string& file, const std::string& text);
    void edge_list(const std::string& file, const std::string& text);
    void labels(const std::string& file, const std::string& text);
    void absorb(const std::string& file, std::vector<EdgeChunk>& chunks, bool implicit_nodes, bool create_missing);
    void set_value(NodeIndex node, std::string_view name, graph::AttributeValue value, const std::string& file,
                   std::size_t line, std::size_t column);
    void typed_column(const std::string& file, const std::string& name,
                      std::vector<std::tuple<NodeIndex, std::string, std::size_t, std::size_t>>& raw);

    const ImportSpec& spec_;
    StagedBatch batch_;
    ErrorList errors_;
    const ProgressFn& progress_;
    std::size_t total_bytes_ = 0;
    std::size_t done_bytes_ = 0;
    std::vector<std::pair<std::string, json>> jsonl_edges_by_file_;
};

Format Stager::format_of(const std::string& path) const {
    if (spec_.format) return *spec_.format;
    const auto name = logical_name(path);
    auto ends = [&](std::string_view suffix) {
        return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends(".csv")) return Format::csv;
    if (ends(".jsonl") || ends(".ndjson")) return Format::jsonl;
    return Format::edgelist;
}

void Stager::set_value(NodeIndex node, std::string_view name, graph::AttributeValue value, const std::string& file,
                       std::size_t line, std::size_t column) {
    if (std::holds_alternative<std::monostate>(value)) {
        if (const auto type = existing_type(name)) batch_.values.push_back({node, attribute_index(name, *type), value});
        return;
    }
    graph::AttributeType type = graph::AttributeType::string;
    if (std::holds_alternative<double>(value)) type = graph::AttributeType::number;
    if (std::holds_alternative<bool>(value)) type = graph::AttributeType::boolean;
    if (const auto known = existing_type(name); known && *known != type) {
        error(file, line, column, std::string(name),
              "expected a " + std::string(graph::to_string(*known)) + " (attribute '" + std::string(name) +
                  "' holds " + std::string(graph::to_string(*known)) + " values), got a " +
                  std::string(graph::to_string(type)));
        return;
    }
    batch_.values.push_back({node, attribute_index(name, type), std::move(value)});
    touch(node);
}

// Types a CSV attribute column from all of its values in this file: number if every value is one,
// boolean if every value is true/false, else string; an attribute that already has a type (stored,
// reserved, or set earlier in the batch) keeps it, and a value that does not fit is an error.
void Stager::typed_column(const std::string& file, const std::string& name,
                          std::vector<std::tuple<NodeIndex, std::string, std::size_t, std::size_t>>& raw) {
    auto type = existing_type(name);
    if (!type) {
        bool numbers = true, booleans = true;
        for (const auto& [node, text, line, column] : raw) {
            numbers = numbers && parse_number(text).has_value();
            booleans = booleans && parse_boolean(text).has_value();
        }
        type = raw.empty() ? graph::AttributeType::string
               : numbers   ? graph::AttributeType::number
               : booleans  ? graph::AttributeType::boolean
                           : graph::AttributeType::string;
    }
    const auto index = attribute_index(name, *type);
    for (auto& [node, text, line, column] : raw) {
        graph::AttributeValue value;
        switch (*type) {
            case graph::AttributeType::string: value = std::move(text); break;
            case graph::AttributeType::number:
                if (auto d = parse_number(text)) {
                    value = *d;
                } else {
                    error(file, line, column, name, "expected a number, got " + shown(text));
                    continue;
                }
                break;
            case graph::AttributeType::boolean:
                if (auto b = parse_boolean(text)) {
                    value = *b;
                } else {
                    error(file, line, column, name, "expected true or false, got " + shown(text));
                    continue;
                }
                break;
        }
        batch_.values.push_back({node, index, std::move(value)});
        touch(node);
    }
}

void Stager::csv_nodes(const std::string& file, const std::string& text) {
    CsvReader reader(text, 1);
    CsvRecord record;
    CsvSyntaxError syntax;
    if (!reader.next(record, syntax) || record.fields.empty()) {
        if (!syntax.message.empty()) {
            error(file, syntax.line, syntax.column, "", syntax.message);
        } else {
            error(file, 1, 1, "", "the file is empty: a nodes CSV needs a header row (id,kind,...)");
        }
        return;
    }
    // Header.
    std::optional<std::size_t> id_col, kind_col;
    std::vector<std::pair<std::size_t, std::string>> attribute_cols;  // (column, attribute name)
    std::vector<std::string> seen;
    bool header_ok = true;
    for (std::size_t c = 0; c < record.fields.size(); ++c) {
        const auto& f = record.fields[c];
        const std::string name(trim(f.text));
        if (!check_utf8(file, f.line, f.column, f.text, "")) {
            header_ok = false;
            continue;
        }
        const std::string low = lower(name);
        const bool reserved = low == "id" || low == "kind" || low == "name" || low == "department" || low == "clv";
        const std::string key = reserved ? low : name;
        if (name.empty()) {
            error(file, f.line, f.column, "", "empty column name in the header");
            header_ok = false;
        } else if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
            error(file, f.line, f.column, name, "column '" + name + "' appears twice in the header");
            header_ok = false;
        } else if (key == "id") {
            id_col = c;
        } else if (key == "kind") {
            kind_col = c;
        } else {
            attribute_cols.emplace_back(c, key);
        }
        seen.push_back(key);
    }
    if (!id_col) {
        error(file, record.line, 1, "", "a nodes CSV needs an 'id' column (header: id,kind,...)");
        header_ok = false;
    }
    if (!header_ok) return;
    const std::size_t width = record.fields.size();
    std::vector<std::vector<std::tuple<NodeIndex, std::string, std::size_t, std::size_t>>> raw(attribute_cols.size());
    std::size_t rows = 0;
    while (reader.next(record, syntax)) {
        if (!syntax.message.empty()) {
            error(file, syntax.line, syntax.column, "", syntax.message);
            continue;
        }
        if (record.blank()) continue;
        ++rows;
        if (record.fields.size() != width) {
            error(file, record.line, 1, "",
                  "expected " + std::to_string(width) + " fields as in the header, found " + std::to_string(record.fields.size()));
            continue;
        }
        bool ok = true;
        for (const auto& f : record.fields) ok = check_utf8(file, f.line, f.column, f.text, "") && ok;
        if (!ok) continue;
        const auto& idf = record.fields[*id_col];
        if (idf.text.empty()) {
            error(file, idf.line, idf.column, "id", "empty id");
            continue;
        }
        std::optional<std::string_view> kind;
        if (kind_col) {
            const auto& kf = record.fields[*kind_col];
            if (trim(kf.text).empty()) {
                error(file, kf.line, kf.column, "kind", "empty kind");
                continue;
            }
            kind = trim(kf.text);
        }
        const auto node = declare(file, idf.line, kind_col ? record.fields[*kind_col].column : idf.column, idf.text, kind);
        if (!node) continue;
        for (std::size_t a = 0; a < attribute_cols.size(); ++a) {
            const auto& f = record.fields[attribute_cols[a].first];
            if (f.text.empty()) continue;
            raw[a].emplace_back(*node, std::string(f.text), f.line, f.column);
        }
    }
    if (!syntax.message.empty()) error(file, syntax.line, syntax.column, "", syntax.message);
    for (std::size_t a = 0; a < attribute_cols.size(); ++a) {
        typed_column(file, attribute_cols[a].second, raw[a]);
    }
    batch_.report.lines += rows + 1;
}

// JSON Lines: node objects apply in the node phase, edge objects in the edge phase.
void Stager::jsonl(const std::string& file, const std::string& text, bool nodes_phase) {
    std::size_t line = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        ++line;
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string_view raw(text.data() + start, end - start);
        start = end + 1;
        if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
        if (trim(raw).empty()) continue;
        if (nodes_phase) ++batch_.report.lines;
        json object;
        try {
            object = json::parse(raw.begin(), raw.end());
        } catch (const json::parse_error& e) {
            if (!nodes_phase) continue;  // reported once, in the node phase
            const bool cut = e.byte >= raw.size();
            error(file, line, std::min<std::size_t>(e.byte, raw.size() + 1), "",
                  cut ? "the JSON object ends early (is the file truncated?)"
                      : std::string("malformed JSON: ") + e.what());
            continue;
        }
        if (!object.is_object()) {
            if (nodes_phase) error(file, line, 1, "", "expected a JSON object per line");
            continue;
        }
        std::string type;
        if (auto it = object.find("type"); it != object.end()) {
            if (!it->is_string() || (*it != "node" && *it != "edge")) {
                if (nodes_phase) error(file, line, 1, "type", "\"type\" must be \"node\" or \"edge\"");
                continue;
            }
            type = it->get<std::string>();
        } else if (object.contains("source") || object.contains("target")) {
            type = "edge";
        } else if (object.contains("id")) {
            type = "node";
        } else {
            if (nodes_phase) error(file, line, 1, "", "an object needs \"id\" (a node) or \"source\" and \"target\" (an edge)");
            continue;
        }
        auto string_field = [&](const char* key, bool required) -> std::optional<std::string> {
            const auto it = object.find(key);
            if (it == object.end()) {
                if (required) error(file, line, 1, key, std::string("missing \"") + key + "\"");
                return std::nullopt;
            }
            if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
                error(file, line, 1, key, std::string("\"") + key + "\" must be a non-empty string");
                return std::nullopt;
            }
            return it->get<std::string>();
        };
        if (type == "node") {
            if (!nodes_phase) continue;
            const auto id = string_field("id", true);
            std::optional<std::string> kind;
            if (object.contains("kind")) {
                kind = string_field("kind", false);
                if (!kind) continue;
            }
            if (!id) continue;
            const auto node = declare(file, line, 1, *id, kind ? std::optional<std::string_view>(*kind) : std::nullopt);
            if (!node) continue;
            for (const auto& [key, value] : object.items()) {
                if (key == "id" || key == "kind" || key == "type") continue;
                if (value.is_structured()) {
                    error(file, line, 1, key, "attribute values must be a string, a number, a boolean or null");
                } else if (value.is_null()) {
                    set_value(*node, key, std::monostate{}, file, line, 1);
                } else if (value.is_boolean()) {
                    set_value(*node, key, value.get<bool>(), file, line, 1);
                } else if (value.is_number()) {
                    set_value(*node, key, value.get<double>(), file, line, 1);
                } else if (value.get_ref<const std::string&>().empty()) {
                    set_value(*node, key, std::monostate{}, file, line, 1);
                } else {
                    set_value(*node, key, value.get<std::string>(), file, line, 1);
                }
            }
            continue;
        }
        if (nodes_phase) continue;
        // An edge.
        for (const auto& [key, value] : object.items()) {
            if (key != "type" && key != "source" && key != "target" && key != "kind" && key != "weight" &&
                key != "timestamp" && key != "value") {
                error(file, line, 1, key, "unknown edge field '" + key + "' (edges have source, target, kind, weight, timestamp, value)");
            }
        }
        const auto source = string_field("source", true);
        const auto target = string_field("target", true);
        std::string kind = spec_.edge_kind;
        if (object.contains("kind")) {
            auto k = string_field("kind", false);
            if (!k) continue;
            kind = *k;
        }
        double weight = 1;
        if (auto it = object.find("weight"); it != object.end()) {
            if (!it->is_number() || !(it->get<double>() > 0) || !std::isfinite(it->get<double>())) {
                error(file, line, 1, "weight", "weight must be a number > 0, got " + it->dump());
                continue;
            }
            weight = it->get<double>();
        }
        graph::Timestamp ts = graph::kNoTimestamp;
        if (auto it = object.find("timestamp"); it != object.end() && !it->is_null()) {
            std::optional<graph::Timestamp> parsed;
            if (it->is_number_integer()) parsed = it->get<graph::Timestamp>();
            if (it->is_string()) parsed = graph::parse_timestamp(it->get_ref<const std::string&>());
            if (!parsed) {
                error(file, line, 1, "timestamp", "expected epoch seconds or an ISO-8601 time, got " + it->dump());
                continue;
            }
            ts = *parsed;
        }
        std::optional<double> value;
        if (auto it = object.find("value"); it != object.end() && !it->is_null()) {
            if (!it->is_number()) {
                error(file, line, 1, "value", "expected a number, got " + it->dump());
                continue;
            }
            value = it->get<double>();
        }
        if (!source || !target) continue;
        NodeIndex ends[2];
        bool ok = true;
        const std::string* ids[2] = {&*source, &*target};
        for (int k = 0; k < 2; ++k) {
            if (auto n = find(*ids[k])) {
                ends[k] = *n;
            } else if (spec_.create_missing) {
                ends[k] = create(*ids[k], intern_node_kind(graph::kinds::unknown));
                ++batch_.report.missing_nodes_created;
            } else {
                error(file, line, 1, k == 0 ? "source" : "target",
                      "unknown node '" + *ids[k] + "': no node file of this batch defines it and it is not stored "
                      "(--create-missing creates it)");
                ok = false;
            }
        }
        if (!ok) continue;
        if (value) batch_.values_by_edge.emplace_back(batch_.sources.size(), *value);
        batch_.sources.push_back(ends[0]);
        batch_.targets.push_back(ends[1]);
        batch_.kinds.push_back(batch_.edge_vocab.intern(kind));
        batch_.weights.push_back(weight);
        batch_.timestamps.push_back(ts);
    }
}

// Appends parsed chunks in file order: ids that did not resolve during the parallel parse are
// created (implicit edge-list nodes, create_missing) or reported, in order of first appearance so
// new nodes get their indexes deterministically; kinds are mapped to the batch vocabulary.
void Stager::absorb(const std::string& file, std::vector<EdgeChunk>& chunks, bool implicit_nodes, bool create_missing) {
    for (auto& chunk : chunks) {
        errors_.merge(std::move(chunk.errors.errors), chunk.errors.total);
        batch_.report.edges_skipped_zero_weight += chunk.skipped_zero;
        batch_.report.lines += chunk.lines;
        for (const auto& u : chunk.unresolved) {
            std::optional<NodeIndex> node = find(u.id);
            if (!node && (implicit_nodes || create_missing)) {
                node = create(u.id, intern_node_kind(implicit_nodes ? spec_.node_kind : std::string(graph::kinds::unknown)));
                ++batch_.report.missing_nodes_created;
            }
            if (!node) {
                errors_.add(ImportError(file, u.line, u.column, u.is_target ? "target" : "source",
                                        "unknown node '" + u.id +
                                            "': no node file of this batch defines it and it is not stored "
                                            "(--create-missing creates it)"));
                continue;
            }
            (u.is_target ? chunk.targets : chunk.sources)[u.edge] = *node;
        }
    }
    if (errors_.total() > 0) return;  // the batch will not land

    std::vector<std::size_t> offset(chunks.size() + 1, batch_.sources.size());
    std::vector<std::vector<graph::KindId>> kind_maps(chunks.size());
    for (std::size_t c = 0; c < chunks.size(); ++c) {
        offset[c + 1] = offset[c] + chunks[c].sources.size();
        for (const auto& name : chunks[c].kind_names) kind_maps[c].push_back(batch_.edge_vocab.intern(name));
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

void Stager::csv_edges(const std::string& file, const std::string& text) {
    CsvReader header_reader(text, 1);
    CsvRecord header;
    CsvSyntaxError syntax;
    if (!header_reader.next(header, syntax) || header.fields.empty()) {
        if (!syntax.message.empty()) {
            error(file, syntax.line, syntax.column, "", syntax.message);
        } else {
            error(file, 1, 1, "", "the file is empty: an edges CSV needs a header row (source,target,...)");
        }
        return;
    }
    std::vector<EdgeColumn> columns;
    bool header_ok = true;
    std::vector<EdgeColumn> seen;
    for (const auto& f : header.fields) {
        const std::string name = lower(trim(f.text));
        const auto column = edge_column(name);
        if (!column || *column == EdgeColumn::skip) {
            error(file, f.line, f.column, std::string(trim(f.text)),
                  "unknown edge column '" + std::string(trim(f.text)) +
                      "' (edges have source, target, kind, weight, timestamp, value; people's attributes go in a nodes file)");
            header_ok = false;
            continue;
        }
        if (std::find(seen.begin(), seen.end(), *column) != seen.end()) {
            error(file, f.line, f.column, name, "column '" + name + "' appears twice in the header");
            header_ok = false;
        }
        seen.push_back(*column);
        columns.push_back(*column);
    }
    for (auto required : {EdgeColumn::source, EdgeColumn::target}) {
        if (std::find(seen.begin(), seen.end(), required) == seen.end()) {
            error(file, 1, 1, "", "an edges CSV needs 'source' and 'target' columns");
            header_ok = false;
            break;
        }
    }
    if (!header_ok) return;

    const std::string_view body(text.data() + header_reader.position(), text.size() - header_reader.position());
    const auto pieces = split_chunks(body, chunk_bytes(), true);
    std::vector<EdgeChunk> chunks(pieces.size());
    const std::size_t first_line = header_reader.line();
    const std::size_t width = columns.size();
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, pieces.size(), 1), [&](const auto& r) {
        for (std::size_t c = r.begin(); c != r.end(); ++c) {
            auto& out = chunks[c];
            out.errors.max = errors_.max();
            const auto& piece = pieces[c];
            CsvReader reader(body.substr(piece.begin, piece.end - piece.begin), first_line + piece.line - 1);
            CsvRecord record;
            CsvSyntaxError bad;
            const std::uint16_t default_kind = out.kind(spec_.edge_kind);
            while (reader.next(record, bad)) {
                if (!bad.message.empty()) {
                    out.errors.add(file, bad.line, bad.column, "", bad.message);
                    continue;
                }
                if (record.blank()) continue;
                if (record.fields.size() != width) {
                    out.errors.add(file, record.line, 1, "",
                                   "expected " + std::to_string(width) + " fields as in the header, found " +
                                       std::to_string(record.fields.size()));
                    continue;
                }
                NodeIndex ends[2] = {kUnresolved, kUnresolved};
                std::uint16_t kind = default_kind;
                double weight = 1;
                graph::Timestamp ts = graph::kNoTimestamp;
                std::optional<double> value;
                bool ok = true;
                for (std::size_t k = 0; k < width && ok; ++k) {
                    const auto& f = record.fields[k];
                    const auto bad_utf8 = invalid_utf8_at(f.text);
                    if (bad_utf8 != std::string_view::npos) {
                        out.errors.add(file, f.line, f.column + bad_utf8, "", "invalid UTF-8");
                        ok = false;
                        break;
                    }
                    switch (columns[k]) {
                        case EdgeColumn::source:
                        case EdgeColumn::target: {
                            const bool is_target = columns[k] == EdgeColumn::target;
                            if (f.text.empty()) {
                                out.errors.add(file, f.line, f.column, is_target ? "target" : "source", "empty id");
                                ok = false;
                                break;
                            }
                            if (auto n = find(f.text)) {
                                ends[is_target] = *n;
                            } else {
                                out.unresolved.push_back({out.sources.size(), is_target, std::string(f.text), f.line, f.column});
                            }
                            break;
                        }
                        case EdgeColumn::kind:
                            if (trim(f.text).empty()) {
                                out.errors.add(file, f.line, f.column, "kind", "empty kind");
                                ok = false;
                            } else {
                                kind = out.kind(trim(f.text));
                            }
                            break;
                        case EdgeColumn::weight:
                            if (f.text.empty()) break;
                            if (auto w = parse_number(f.text); w && *w > 0) {
                                weight = *w;
                            } else {
                                out.errors.add(file, f.line, f.column, "weight",
                                               w ? "weight must be > 0 (it is tie strength), got " + shown(f.text)
                                                 : "expected a number, got " + shown(f.text));
                                ok = false;
                            }
                            break;
                        case EdgeColumn::timestamp:
                            if (f.text.empty()) break;
                            if (auto t = graph::parse_timestamp(trim(f.text))) {
                                ts = *t;
                            } else {
                                out.errors.add(file, f.line, f.column, "timestamp",
                                               "expected epoch seconds or an ISO-8601 time, got " + shown(f.text));
                                ok = false;
                            }
                            break;
                        case EdgeColumn::value:
                            if (f.text.empty()) break;
                            if (auto v = parse_number(f.text)) {
                                value = *v;
                            } else {
                                out.errors.add(file, f.line, f.column, "value", "expected a number, got " + shown(f.text));
                                ok = false;
                            }
                            break;
                        case EdgeColumn::skip: break;
                    }
                }
                if (!ok) {
                    // Forget this row's unresolved ids.
                    while (!out.unresolved.empty() && out.unresolved.back().edge == out.sources.size()) out.unresolved.pop_back();
                    continue;
                }
                if (value) out.values.emplace_back(out.sources.size(), *value);
                out.sources.push_back(ends[0]);
                out.targets.push_back(ends[1]);
                out.kinds.push_back(kind);
                out.weights.push_back(weight);
                out.timestamps.push_back(ts);
            }
            if (!bad.message.empty()) out.errors.add(file, bad.line, bad.column, "", bad.message);
            out.lines = reader.line() - (first_line + piece.line - 1);
        }
    });
    batch_.report.lines += 1;  // the header
    const std::size_t before = batch_.sources.size();
    for (std::size_t c = 0, at = before; c < chunks.size(); ++c) {
        for (auto& [pos, v] : chunks[c].values) batch_.values_by_edge.emplace_back(at + pos, v);
        at += chunks[c].sources.size();
    }
    absorb(file, chunks, false, spec_.create_missing);
}

void Stager::edge_list(const std::string& file, const std::string& text) {
    std::vector<EdgeColumn> columns;
    for (const auto& name : spec_.columns) columns.push_back(*edge_column(name));  // checked by validate_spec
    const std::size_t width = columns.size();
    // Comma separated when the first data line has a comma; whitespace otherwise.
    char separator = ' ';
    for (std::size_t start = 0; start < text.size();) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const auto line = trim(std::string_view(text).substr(start, end - start));
        if (!line.empty() && line[0] != '#' && line[0] != '%') {
            if (line.find(',') != std::string_view::npos) separator = ',';
            break;
        }
        start = end + 1;
    }
    const auto pieces = split_chunks(text, chunk_bytes(), false);
    std::vector<EdgeChunk> chunks(pieces.size());
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, pieces.size(), 1), [&](const auto& r) {
        std::vector<std::pair<std::string_view, std::size_t>> fields;  // (text, column)
        for (std::size_t c = r.begin(); c != r.end(); ++c) {
            auto& out = chunks[c];
            out.errors.max = errors_.max();
            const auto& piece = pieces[c];
            const std::uint16_t default_kind = out.kind(spec_.edge_kind);
            std::size_t line = piece.line;
            for (std::size_t start = piece.begin; start < piece.end; ++line) {
                std::size_t end = text.find('\n', start);
                if (end == std::string::npos || end > piece.end) end = piece.end;
                std::string_view raw(text.data() + start, end - start);
                start = end + 1;
                ++out.lines;
                if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
                const auto content = trim(raw);
                if (content.empty() || content[0] == '#' || content[0] == '%') continue;
                const auto bad_utf8 = invalid_utf8_at(raw);
                if (bad_utf8 != std::string_view::npos) {
                    out.errors.add(file, line, bad_utf8 + 1, "", "invalid UTF-8");
                    continue;
                }
                fields.clear();
                std::size_t i = 0;
                while (i < raw.size()) {
                    if (separator == ' ') {
                        while (i < raw.size() && (raw[i] == ' ' || raw[i] == '\t')) ++i;
                        if (i >= raw.size()) break;
                        const std::size_t s = i;
                        while (i < raw.size() && raw[i] != ' ' && raw[i] != '\t') ++i;
                        fields.emplace_back(raw.substr(s, i - s), s + 1);
                    } else {
                        const std::size_t s = i;
                        while (i < raw.size() && raw[i] != ',') ++i;
                        fields.emplace_back(trim(raw.substr(s, i - s)), s + 1);
                        if (i < raw.size()) {
                            ++i;
                            if (i == raw.size()) fields.emplace_back(std::string_view(), i + 1);
                        }
                    }
                }
                if (fields.size() != width) {
                    out.errors.add(file, line, 1, "",
                                   "expected " + std::to_string(width) + " columns (" + [&] {
                                       std::string names;
                                       for (const auto& n : spec_.columns) names += (names.empty() ? "" : ",") + n;
                                       return names;
                                   }() + "), found " + std::to_string(fields.size()));
                    continue;
                }
                NodeIndex ends[2] = {kUnresolved, kUnresolved};
                std::uint16_t kind = default_kind;
                double weight = 1;
                graph::Timestamp ts = graph::kNoTimestamp;
                std::optional<double> value;
                bool ok = true;
                bool zero = false;
                std::size_t unresolved_before = out.unresolved.size();
                for (std::size_t k = 0; k < width && ok; ++k) {
                    const auto [f, column] = fields[k];
                    switch (columns[k]) {
                        case EdgeColumn::source:
                        case EdgeColumn::target: {
                            const bool is_target = columns[k] == EdgeColumn::target;
                            if (f.empty()) {
                                out.errors.add(file, line, column, is_target ? "target" : "source", "empty id");
                                ok = false;
                            } else if (auto n = find(f)) {
                                ends[is_target] = *n;
                            } else {
                                out.unresolved.push_back({out.sources.size(), is_target, std::string(f), line, column});
                            }
                            break;
                        }
                        case EdgeColumn::kind:
                            if (f.empty()) {
                                out.errors.add(file, line, column, "kind", "empty kind");
                                ok = false;
                            } else {
                                kind = out.kind(f);
                            }
                            break;
                        case EdgeColumn::weight:
                            if (auto w = parse_number(f); w && *w >= 0) {
                                weight = *w;
                                zero = *w == 0;
                            } else {
                                out.errors.add(file, line, column, "weight",
                                               w ? "weight must be >= 0 (0 skips the line), got " + shown(f)
                                                 : "expected a number, got " + shown(f));
                                ok = false;
                            }
                            break;
                        case EdgeColumn::timestamp:
                            if (auto t = graph::parse_timestamp(f)) {
                                ts = *t;
                            } else {
                                out.errors.add(file, line, column, "timestamp",
                                               "expected epoch seconds or an ISO-8601 time, got " + shown(f));
                                ok = false;
                            }
                            break;
                        case EdgeColumn::value:
                            if (auto v = parse_number(f)) {
                                value = *v;
                            } else {
                                out.errors.add(file, line, column, "value", "expected a number, got " + shown(f));
                                ok = false;
                            }
                            break;
                        case EdgeColumn::skip: break;
                    }
                }
                if (!ok || zero) {
                    out.unresolved.resize(unresolved_before);
                    if (ok && zero) ++out.skipped_zero;
                    continue;
                }
                if (value) out.values.emplace_back(out.sources.size(), *value);
                out.sources.push_back(ends[0]);
                out.targets.push_back(ends[1]);
                out.kinds.push_back(kind);
                out.weights.push_back(weight);
                out.timestamps.push_back(ts);
            }
        }
    });
    for (std::size_t c = 0, at = batch_.sources.size(); c < chunks.size(); ++c) {
        for (auto& [pos, v] : chunks[c].values) batch_.values_by_edge.emplace_back(at + pos, v);
        at += chunks[c].sources.size();
    }
    absorb(file, chunks, true, false);
}

void Stager::labels(const std::string& file, const std::string& text) {
    std::vector<std::tuple<NodeIndex, std::string, std::size_t, std::size_t>> raw;
    std::size_t line = 0;
    for (std::size_t start = 0; start < text.size();) {
        ++line;
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string_view content(text.data() + start, end - start);
        start = end + 1;
        if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
        const auto trimmed = trim(content);
        if (trimmed.empty() || trimmed[0] == '#' || trimmed[0] == '%') continue;
        const auto bad = invalid_utf8_at(content);
        if (bad != std::string_view::npos) {
            error(file, line, bad + 1, "", "invalid UTF-8");
            continue;
        }
        const std::size_t id_start = static_cast<std::size_t>(trimmed.data() - content.data());
        const auto split = trimmed.find_first_of(" \t,");
        if (split == std::string_view::npos) {
            error(file, line, id_start + 1, "", "expected 'node value', found one field");
            continue;
        }
        const auto id = trimmed.substr(0, split);
        auto value = trimmed.substr(split + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t' || value.front() == ',')) value.remove_prefix(1);
        const std::size_t value_column = static_cast<std::size_t>(value.data() - content.data()) + 1;
        if (value.empty()) {
            error(file, line, value_column, spec_.label_attribute, "empty label");
            continue;
        }
        const auto node = declare(file, line, id_start + 1, id, std::nullopt);
        if (!node) continue;
        raw.emplace_back(*node, std::string(value), line, value_column);
    }
    batch_.report.lines += line;
    typed_column(file, spec_.label_attribute, raw);
}

void validate_spec(const ImportSpec& spec) {
    if (spec.max_errors < 1) throw graph::ParamError("max_errors", "max_errors must be at least 1");
    if (spec.edge_kind.empty() || invalid_utf8_at(spec.edge_kind) != std::string_view::npos) {
        throw graph::ParamError("edge_kind", "edge_kind must be a non-empty UTF-8 string");
    }
    if (spec.node_kind.empty() || invalid_utf8_at(spec.node_kind) != std::string_view::npos) {
        throw graph::ParamError("node_kind", "node_kind must be a non-empty UTF-8 string");
    }
    if (!spec.labels.empty() && spec.label_attribute.empty()) {
        throw graph::ParamError("label_attribute", "label_attribute must not be empty");
    }
    int sources = 0, targets = 0;
    for (std::size_t i = 0; i < spec.columns.size(); ++i) {
        const auto c = edge_column(spec.columns[i]);
        if (!c) {
            throw graph::ParamError("columns/" + std::to_string(i),
                                    "unknown column name '" + spec.columns[i] +
                                        "' (use source, target, weight, timestamp, value, kind, skip)");
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

StagedBatch Stager::run() {
    validate_spec(spec_);
    struct Input {
        std::string path;
        Format format;
        bool nodes;
    };
    std::vector<Input> inputs;
    for (const auto& f : spec_.nodes) inputs.push_back({f, format_of(f), true});
    for (const auto& f : spec_.edges) inputs.push_back({f, format_of(f), false});
    for (const auto& in : inputs) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(in.path, ec);
        if (!ec) total_bytes_ += static_cast<std::size_t>(size);
    }
    if (!spec_.labels.empty()) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(spec_.labels, ec);
        if (!ec) total_bytes_ += static_cast<std::size_t>(size);
    }

    // Read every file first: a missing or unreadable file is reported before any parsing.
    std::vector<std::string> texts(inputs.size());
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        try {
            texts[i] = read_file(inputs[i].path);
            batch_.report.bytes += texts[i].size();
        } catch (const ImportError& e) {
            errors_.add(e);
        }
    }
    std::string label_text;
    if (!spec_.labels.empty()) {
        try {
            label_text = read_file(spec_.labels);
            batch_.report.bytes += label_text.size();
        } catch (const ImportError& e) {
            errors_.add(e);
        }
    }
    errors_.throw_if_any();

    // Phase 1: nodes (node files, and the node objects of every JSON Lines file).
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const auto& in = inputs[i];
        if (in.format == Format::jsonl) {
            jsonl(in.path, texts[i], true);
        } else if (in.nodes) {
            if (in.format != Format::csv) {
                error(in.path, 0, 0, "", "a nodes file must be CSV or JSON Lines");
                continue;
            }
            csv_nodes(in.path, texts[i]);
            done_bytes_ += texts[i].size();
            progress("parse");
        }
    }
    // Phase 2: edges.
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const auto& in = inputs[i];
        if (in.format == Format::jsonl) {
            jsonl(in.path, texts[i], false);
        } else if (!in.nodes) {
            if (in.format == Format::csv) {
                csv_edges(in.path, texts[i]);
            } else {
                edge_list(in.path, texts[i]);
            }
        } else {
            continue;
        }
        done_bytes_ += texts[i].size();
        texts[i] = std::string();
        progress("parse");
    }
    // Phase 3: labels.
    if (!spec_.labels.empty()) {
        const auto before = batch_.new_ids.size();
        labels(spec_.labels, label_text);
        batch_.report.missing_nodes_created += batch_.new_ids.size() - before;
        done_bytes_ += label_text.size();
        progress("parse");
    }
    errors_.throw_if_any();

    batch_.report.nodes_added = batch_.new_ids.size();
    batch_.report.edges_added = batch_.sources.size();
    std::uint64_t updated = 0;
    for (auto t : batch_.touched_existing) updated += t;
    batch_.report.nodes_updated = updated;
    return std::move(batch_);
}

}  // namespace

StagedBatch stage(const ImportSpec& spec, const graph::Snapshot& base, const ProgressFn& progress) {
    Stager stager(spec, base, progress);
    return stager.run();
}

}  // namespace smorg::importers::detail
