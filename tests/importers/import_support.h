#pragma once

#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "smorg/importers/database.h"

namespace smorg::testing {

// Runs an import that must fail and returns the failure.
inline importers::ImportFailed failed_import(importers::Database& db, const importers::ImportSpec& spec) {
    try {
        db.import(spec);
    } catch (const importers::ImportFailed& e) {
        return e;
    }
    FAIL("the import was expected to fail");
    throw std::logic_error("unreachable");
}

inline importers::ImportSpec edges_spec(const std::filesystem::path& file) {
    importers::ImportSpec spec;
    spec.edges = {file.string()};
    return spec;
}

inline importers::ImportSpec nodes_spec(const std::filesystem::path& file) {
    importers::ImportSpec spec;
    spec.nodes = {file.string()};
    return spec;
}

}  // namespace smorg::testing
