// The fields of an edge, read the same way whatever the format: ids that resolve now or in file
// order later, kinds as local names, weights in range (tie strength: > 0; an edge list's 0 skips the
// line), timestamps as epoch seconds or ISO-8601, values as finite numbers.
#include <cmath>

#include "smorg/graph/errors.h"
#include "smorg/graph/time.h"

#include "stager.h"
#include "text.h"

namespace smorg::importers::detail {

std::optional<std::string> weight_problem(double weight, bool zero_skips) {
    if (zero_skips && weight == 0) return std::nullopt;
    if (!(weight > 0) || !std::isfinite(weight)) {
        return zero_skips ? "weight must be >= 0 (0 skips the line), got " + graph::format_number(weight)
                          : "weight must be > 0 (it is tie strength), got " + graph::format_number(weight);
    }
    if (weight < graph::kMinWeight || weight > graph::kMaxWeight) {
        return "weight must be in [" + graph::format_number(graph::kMinWeight) + ", " + graph::format_number(graph::kMaxWeight) +
               "], got " + graph::format_number(weight);
    }
    return std::nullopt;
}

bool Stager::edge_end(EdgeChunk& out, EdgeDraft& draft, bool is_target, std::string_view id, const std::string& file,
                      std::size_t line, std::size_t column_no) const {
    const char* field = is_target ? "target" : "source";
    if (auto problem = name_problem(id, "id")) {
        out.errors.add(file, line, column_no, field, *problem);
        return false;
    }
    if (auto n = find(id)) {
        draft.ends[is_target] = *n;
    } else {
        out.unresolved.push_back({out.sources.size(), is_target, std::string(id), line, column_no});
    }
    return true;
}

bool Stager::edge_field(EdgeChunk& out, EdgeDraft& draft, EdgeColumn column, std::string_view text, const std::string& file,
                        std::size_t line, std::size_t column_no, bool edge_list_line) const {
    switch (column) {
        case EdgeColumn::source:
        case EdgeColumn::target:
            return edge_end(out, draft, column == EdgeColumn::target, text, file, line, column_no);
        case EdgeColumn::kind:
            if (auto problem = name_problem(text, "kind")) {
                out.errors.add(file, line, column_no, "kind", *problem);
                return false;
            }
            draft.kind = out.kind(text, line, column_no);
            return true;
        case EdgeColumn::weight: {
            if (text.empty() && !edge_list_line) return true;  // CSV: an empty weight is the default 1
            const auto w = parse_number(text);
            const auto problem =
                w ? weight_problem(*w, edge_list_line) : std::optional<std::string>("expected a number, got " + shown(text));
            if (problem) {
                out.errors.add(file, line, column_no, "weight", *problem);
                return false;
            }
            draft.weight = *w;
            draft.skip = *w == 0;
            return true;
        }
        case EdgeColumn::timestamp:
            if (text.empty() && !edge_list_line) return true;
            if (auto t = graph::parse_timestamp(text); t && *t != graph::kNoTimestamp) {
                draft.timestamp = *t;
                return true;
            }
            out.errors.add(file, line, column_no, "timestamp", "expected epoch seconds or an ISO-8601 time, got " + shown(text));
            return false;
        case EdgeColumn::value:
            if (text.empty() && !edge_list_line) return true;
            if (auto v = parse_number(text)) {
                draft.value = *v;
                return true;
            }
            out.errors.add(file, line, column_no, "value", "expected a number, got " + shown(text));
            return false;
        case EdgeColumn::skip:
            return true;
    }
    return true;
}

void Stager::add_edge(EdgeChunk& out, const EdgeDraft& d) {
    if (d.value) out.values.emplace_back(out.sources.size(), *d.value);
    out.sources.push_back(d.ends[0]);
    out.targets.push_back(d.ends[1]);
    out.kinds.push_back(d.kind);
    out.weights.push_back(d.weight);
    out.timestamps.push_back(d.timestamp);
}

void Stager::drop_row(EdgeChunk& out) {
    while (!out.unresolved.empty() && out.unresolved.back().edge == out.sources.size()) out.unresolved.pop_back();
}

}  // namespace smorg::importers::detail
