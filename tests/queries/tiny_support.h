#pragma once

// The tiny database the queries tests share (tests/data/tiny: five people and their ties).

#include <string>

#include <nlohmann/json.hpp>

#include "smorg/queries/query_engine.h"

namespace smorg::testing {

// tests/data/tiny/, with its trailing slash.
const std::string& tiny_dir();
// Imports the tiny files into `engine` and returns the answer.
nlohmann::json import_tiny(queries::QueryEngine& engine);
// The result of a request that must answer ok (the answer is shown when it does not).
nlohmann::json result_of(queries::QueryEngine& engine, const nlohmann::json& request);
// An in-memory database holding the tiny files (the import is required to succeed).
queries::QueryEngine tiny_engine();

}  // namespace smorg::testing
