// JSON Lines: one object per line, a node ({"id", "kind", attributes...}) or an edge ({"source",
// "target", "kind", "weight", "timestamp", "value"}); "type" says which when the keys do not. Node
// objects apply in the node phase (before any edges of the batch), edge objects in the edge phase.
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "smorg/graph/errors.h"
#include "smorg/graph/time.h"

#include "../stager.h"
#include "../text.h"

namespace smorg::importers::detail {

namespace {

using json = nlohmann::json;

// A value as messages show it: scalars as written (strings shortened), containers by type only
// (never serialized: they may be large).
std::string described(const json& value) {
    if (value.is_string()) return shown(value.get_ref<const std::string&>());
    if (value.is_array()) return "an array";
    if (value.is_object()) return "an object";
    return value.dump();
}

}  // namespace

void Stager::jsonl(const std::string& file, const std::string& text, bool nodes_phase, std::optional<bool> rows_are_nodes) {
    EdgeChunk edges;
    edges.errors.max = errors_.max();
    // A row table holds one kind of object; an edge table is read in the edge phase alone, so that
    // phase reports its lines' own problems (a file's are reported once, in the node phase).
    const std::string_view table_type = rows_are_nodes ? (*rows_are_nodes ? "node" : "edge") : "";
    const bool reports_lines = nodes_phase || table_type == "edge";
    std::size_t line = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        ++line;
        if (line % 65536 == 0) run_.throw_if_cancelled();
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string_view raw(text.data() + start, end - start);
        start = end + 1;
        if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
        if (trim(raw).empty()) continue;
        if (reports_lines) ++batch_.report.lines;
        auto line_error = [&](std::size_t column, const std::string& field, const std::string& message) {
            if (reports_lines) error(file, line, column, field, message);
        };
        if (const auto deep = graph::json_too_deep(raw)) {
            line_error(deep->offset + 1, "", "the JSON nests deeper than " + std::to_string(graph::kMaxJsonDepth) + " levels");
            continue;
        }
        json object;
        try {
            object = json::parse(raw.begin(), raw.end());
        } catch (const json::parse_error& e) {
            const bool cut = e.byte >= raw.size();
            line_error(std::min<std::size_t>(e.byte, raw.size() + 1), "",
                       cut ? "the JSON object ends early (is the file truncated?)" : std::string("malformed JSON: ") + e.what());
            continue;
        } catch (const json::exception& e) {
            line_error(1, "", std::string("unreadable JSON (a number out of range?): ") + e.what());
            continue;
        }
        if (!object.is_object()) {
            line_error(1, "", "expected a JSON object per line");
            continue;
        }
        std::string type;
        if (auto it = object.find("type"); it != object.end()) {
            if (!it->is_string() || (*it != "node" && *it != "edge")) {
                line_error(1, "type", "\"type\" must be \"node\" or \"edge\"");
                continue;
            }
            type = it->get<std::string>();
            if (!table_type.empty() && type != table_type) {
                line_error(1, "type",
                           "a row of " + std::string(*rows_are_nodes ? "node_rows" : "edge_rows") + " must be " +
                               (*rows_are_nodes ? "a node" : "an edge"));
                continue;
            }
        } else if (!table_type.empty()) {
            type = std::string(table_type);
        } else if (object.contains("source") || object.contains("target")) {
            type = "edge";
        } else if (object.contains("id")) {
            type = "node";
        } else {
            line_error(1, "", "an object needs \"id\" (a node) or \"source\" and \"target\" (an edge)");
            continue;
        }
        if ((type == "node") != nodes_phase) continue;
        // A string field, checked; reports into the node phase's list or the edge chunk's.
        auto report = [&](const std::string& field, const std::string& message) {
            if (nodes_phase) {
                error(file, line, 1, field, message);
            } else {
                edges.errors.add(file, line, 1, field, message);
            }
        };
        auto string_field = [&](const char* key, bool required) -> std::optional<std::string> {
            const auto it = object.find(key);
            if (it == object.end()) {
                if (required) report(key, std::string("missing \"") + key + "\"");
                return std::nullopt;
            }
            if (!it->is_string()) {
                report(key, std::string("\"") + key + "\" must be a string, got " + described(*it));
                return std::nullopt;
            }
            return it->get<std::string>();
        };
        if (type == "node") {
            const auto id = string_field("id", true);
            std::optional<std::string> kind;
            if (object.contains("kind")) {
                kind = string_field("kind", false);
                if (!kind) continue;
            }
            if (!id) continue;
            const auto node = declare(file, line, 1, 1, *id, kind ? std::optional<std::string_view>(*kind) : std::nullopt);
            if (!node) continue;
            for (const auto& [key, value] : object.items()) {
                if (key == "id" || key == "kind" || key == "type") continue;
                if (auto problem = name_problem(key, "an attribute name")) {
                    error(file, line, 1, key, *problem);
                } else if (value.is_structured()) {
                    error(file, line, 1, key,
                          "attribute values must be a string, a number, a boolean or null, got " + described(value));
                } else if (value.is_null()) {
                    set_value(*node, key, std::monostate{}, file, line, 1);
                } else if (value.is_boolean()) {
                    set_value(*node, key, value.get<bool>(), file, line, 1);
                } else if (value.is_number()) {
                    set_value(*node, key, value.get<double>(), file, line, 1);
                } else if (value.get_ref<const std::string&>().empty()) {
                    set_value(*node, key, std::monostate{}, file, line, 1);
                } else if (check_text(file, line, 1, value.get_ref<const std::string&>(), key)) {
                    set_value(*node, key, value.get<std::string>(), file, line, 1);
                }
            }
            continue;
        }
        // An edge.
        bool ok = true;
        for (const auto& [key, value] : object.items()) {
            if (key != "type" && key != "source" && key != "target" && key != "kind" && key != "weight" && key != "timestamp" &&
                key != "value") {
                report(key, "unknown edge field '" + graph::printable(key) +
                                "' (edges have source, target, kind, weight, timestamp, value)");
                ok = false;
            }
        }
        EdgeDraft draft;
        draft.kind = edges.kind(spec_.edge_kind, line, 1);
        const auto source = string_field("source", true);
        const auto target = string_field("target", true);
        ok = ok && source && target;
        if (object.contains("kind")) {
            const auto kind = string_field("kind", false);
            ok = ok && kind && edge_field(edges, draft, EdgeColumn::kind, *kind, file, line, 1, false);
        }
        if (auto it = object.find("weight"); ok && it != object.end()) {
            const auto problem = it->is_number() ? weight_problem(it->get<double>(), false)
                                                 : std::optional<std::string>("weight must be a number, got " + described(*it));
            if (problem) {
                report("weight", *problem);
                ok = false;
            } else {
                draft.weight = it->get<double>();
            }
        }
        if (auto it = object.find("timestamp"); ok && it != object.end() && !it->is_null()) {
            std::optional<graph::Timestamp> parsed;
            if (it->is_number_unsigned()) {
                if (it->get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<graph::Timestamp>::max())) {
                    parsed = static_cast<graph::Timestamp>(it->get<std::uint64_t>());
                }
            } else if (it->is_number_integer()) {
                parsed = it->get<graph::Timestamp>();
            } else if (it->is_number_float()) {
                // A whole number written as a float (1717430124.0: what a data frame's column with
                // a missing value holds) is the same second.
                const double seconds = it->get<double>();
                if (std::isfinite(seconds) && std::trunc(seconds) == seconds && std::fabs(seconds) < 9.0e18) {
                    parsed = static_cast<graph::Timestamp>(seconds);
                }
            } else if (it->is_string()) {
                parsed = graph::parse_timestamp(it->get_ref<const std::string&>());
            }
            if (!parsed || *parsed == graph::kNoTimestamp) {
                report("timestamp", "expected whole epoch seconds or an ISO-8601 time, got " + described(*it));
                ok = false;
            } else {
                draft.timestamp = *parsed;
            }
        }
        if (auto it = object.find("value"); ok && it != object.end() && !it->is_null()) {
            if (!it->is_number() || !std::isfinite(it->get<double>())) {
                report("value", "expected a number, got " + described(*it));
                ok = false;
            } else {
                draft.value = it->get<double>();
            }
        }
        ok = ok && edge_end(edges, draft, false, *source, file, line, 1) && edge_end(edges, draft, true, *target, file, line, 1);
        if (!ok) {
            drop_row(edges);
            continue;
        }
        add_edge(edges, draft);
    }
    if (nodes_phase) return;
    std::vector<EdgeChunk> chunks(1);
    chunks[0] = std::move(edges);
    absorb(file, chunks, false, spec_.create_missing);
}

}  // namespace smorg::importers::detail
