#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "smorg/graph/snapshot.h"
#include "smorg/importers/database.h"
#include "smorg/queries/query_engine.h"

#include "field_reader.h"

namespace smorg::queries {

// Where an op run for export's `attach` leaves its per-person values: the engine's own numbers, by
// node (NaN: none), never read back from rendered rows.
struct NodeColumn {
    std::string name;
    bool integer = false;  // community and component ids
    std::vector<double> values;
    std::vector<double> amounts;  // advocates: each person's realized value (own CRV + employee credit), for trend
    bool filled = false;
};

// The ops that offer per-person values (NodeColumn): what export can attach and what
// QueryEngine::execute_values serves.
inline constexpr std::array<std::string_view, 5> kPerPersonOps{"centrality", "communities", "components", "crv", "advocates"};
bool offers_per_person_values(std::string_view op);
// "centrality, communities, components, crv, advocates": for messages.
std::string per_person_ops_list();

// What one request of a batch runs with.
struct OpContext {
    importers::Database& db;
    graph::SnapshotPtr snapshot;  // taken when the request started; the op reads only this one
    RunContext& run;
    std::string at;  // JSON pointer of the request ("" alone, "/2" in a batch)
    const EngineOptions& options;
    bool estimate = false;         // "estimate": true: answer the op's estimated cost, run nothing
    NodeColumn* column = nullptr;  // set by export's attach: the op offers its per-person values here

    const graph::Snapshot& g() const { return *snapshot; }
};

// An op reads its params with the FieldReader (shape only: types, required and unknown fields),
// calls reader.reject_unknown(), lets the engine validate ranges, runs, and returns its "result".
using OpFn = json (*)(OpContext& ctx, FieldReader& reader);

struct OpEntry {
    std::string_view name;
    std::string_view summary;
    OpFn run;
};

// Every op, in the order help texts list them (ops/registry.cpp).
const std::vector<OpEntry>& op_table();
// The op of that name, or nullptr.
const OpEntry* find_op(std::string_view name);
// "; did you mean 'stats'?" or "; known ops: stats, node, ...": for an unknown op's message.
std::string op_suggestion(std::string_view name);

}  // namespace smorg::queries
