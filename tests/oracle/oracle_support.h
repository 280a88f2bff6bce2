#pragma once

// Runs smorg (through the query engine, the whole stack) and networkx on the same data set and
// returns both score maps by node id.

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "smorg/queries/query_engine.h"

namespace smorg::testing {

using Scores = std::map<std::string, double>;

// The oracle script's answer for `request` (see tests/oracle/nx_oracle.py).
Scores networkx_scores(const nlohmann::json& request);

// All rows of a centrality query, by id.
Scores smorg_scores(queries::QueryEngine& engine, nlohmann::json request);

// An in-memory database holding one edge list.
queries::QueryEngine load_edge_list(const std::filesystem::path& file, const std::vector<std::string>& columns,
                                    const std::string& edge_kind = "interaction");

// max |a - b| over the ids of `expected` (an id missing from `actual` fails the test).
double max_abs_difference(const Scores& actual, const Scores& expected);
double max_rel_difference(const Scores& actual, const Scores& expected);

}  // namespace smorg::testing
