#pragma once

// Reading the common filters and rendering ranked results, shared by the ops.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "smorg/graph/snapshot.h"
#include "smorg/graph/subgraph.h"
#include "smorg/queries/query_engine.h"

#include "field_reader.h"
#include "op_context.h"

namespace smorg::queries {

// The common filters an op takes: an op reads only those that change its answer, so the others are
// refused as unknown fields.
enum Filters : unsigned {
    kNodeKinds = 1u << 0,     // node_kinds and where
    kEdgeKinds = 1u << 1,     // edge_kinds
    kWindow = 1u << 2,        // since, until
    kDirected = 1u << 3,      // directed
    kWeighted = 1u << 4,      // weighted
    kKeepIsolated = 1u << 5,  // keep_isolated
    kAllFilters = (1u << 6) - 1,
};

// `where`: attribute conditions ({"clv": {">=": 100}}), shape only; empty when absent.
std::vector<graph::NodeCondition> read_where(FieldReader& reader);
// The conditions as the JSON that reads back as them.
json where_json(const std::vector<graph::NodeCondition>& where);

// The filters of `fields`; absent fields keep `defaults`.
graph::SubgraphSpec read_subgraph(FieldReader& reader, graph::SubgraphSpec defaults = {}, unsigned fields = kAllFilters);

// The same, for an op whose engine entry picks default edge kinds when none are named (crv, spread,
// seeds, silos): absent `edge_kinds` leaves the choice to the engine, and `[]` (every kind, as
// everywhere) becomes the list of every kind `g` has.
graph::SubgraphSpec read_subgraph_or_engine_default(FieldReader& reader, const graph::Snapshot& g,
                                                    graph::SubgraphSpec defaults = {}, unsigned fields = kAllFilters);

// `top`: how many rows (>= 0; 0 = all). Default `fallback`.
std::size_t read_top(FieldReader& reader, std::size_t fallback = 10);

// The node with external id `id`, or a not_found error at `at`.
graph::NodeIndex resolve_node(const graph::Snapshot& g, const std::string& id, const std::string& at);
// A required field holding one id.
graph::NodeIndex read_node(FieldReader& reader, const graph::Snapshot& g, std::string_view key);
// An optional field holding an array of ids (each error points at its element); empty when absent.
std::vector<graph::NodeIndex> read_nodes(FieldReader& reader, const graph::Snapshot& g, std::string_view key);

// {"id", "kind"} plus "name" when the node has one.
json node_ref(const graph::Snapshot& g, graph::NodeIndex node);

// One row per node: its node_ref and `field`: the group it is in (membership by node index).
template <class Id>
json membership_rows(const graph::Snapshot& g, const std::vector<graph::NodeIndex>& nodes, const std::vector<Id>& membership,
                     const char* field) {
    json rows = json::array();
    for (auto u : nodes) {
        json row = node_ref(g, u);
        row[field] = membership[u];
        rows.push_back(std::move(row));
    }
    return rows;
}

// The k best of `nodes` by score (descending; ties by node index), best first; k = 0: all.
// O(n + k log k): selects before it sorts.
std::vector<graph::NodeIndex> top_nodes(const std::vector<graph::NodeIndex>& nodes, const std::vector<double>& score,
                                        std::size_t k);

// Rows {id, kind, [name], <score_field>, rank} for the top nodes; `extra` may add fields per row.
using RowExtra = std::function<void(json& row, graph::NodeIndex node)>;
json ranked_rows(const graph::Snapshot& g, const std::vector<graph::NodeIndex>& nodes, const std::vector<double>& score,
                 std::size_t top, std::string_view score_field = "score", const RowExtra& extra = {});

// {count, min, max, mean, p25, p50, p75, p90, p99} of score over nodes (nearest-rank percentiles).
json score_summary(const std::vector<graph::NodeIndex>& nodes, const std::vector<double>& score);

// A finite double for JSON (NaN and infinities become null).
json number(double value);

// For export's attach: offers an op's per-person values (by NodeIndex, for `nodes`) when asked for.
void offer_column(const OpContext& ctx, std::string name, const std::vector<graph::NodeIndex>& nodes,
                  const std::vector<double>& values, bool integer = false);
template <class T>
void offer_column(const OpContext& ctx, std::string name, const std::vector<graph::NodeIndex>& nodes,
                  const std::vector<T>& values) {
    if (!ctx.column) return;
    std::vector<double> as_double(values.begin(), values.end());
    offer_column(ctx, std::move(name), nodes, as_double, true);
}

// For warnings about an empty population: the kinds the graph holds, with counts, most first:
// "unknown (3)", "customer (1200), employee (80)"; "none" for an empty graph.
std::string node_kinds_found(const graph::Snapshot& g);
std::string edge_kinds_found(const graph::Snapshot& g);

// The answer of an op asked with "estimate": true: its estimated work and memory, the budget they
// are measured against and whether they fit it. Nothing runs.
json estimate_result(const RunContext& run, const graph::Estimate& estimate);

// Text XML 1.0 can hold: bytes that are not UTF-8 shown as \xNN and the control characters it cannot
// hold (not even as character references) written as U+FFFD. What the GraphML and GEXF exports give
// pugixml, which escapes the special characters.
std::string xml_chars(std::string_view raw);
// xml_chars with the five special characters escaped: character data or a double-quoted attribute
// value of the hand-written SVG pictures.
std::string xml(std::string_view raw);

}  // namespace smorg::queries
