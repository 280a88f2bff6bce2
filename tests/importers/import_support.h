#pragma once

#include <filesystem>
#include <string>

#include <catch2/catch.hpp>
#include <zlib.h>

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

// `text` as one gzip member (what `gzip` writes).
inline std::string gzipped(std::string text) {
    uLongf size = compressBound(static_cast<uLong>(text.size())) + 64;
    std::string packed(size, '\0');
    z_stream z{};
    REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) == Z_OK);  // 16 + 15: a gzip header
    z.next_in = reinterpret_cast<Bytef*>(text.data());
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(packed.data());
    z.avail_out = static_cast<uInt>(packed.size());
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    packed.resize(z.total_out);
    deflateEnd(&z);
    return packed;
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
