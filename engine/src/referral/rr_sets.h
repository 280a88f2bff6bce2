#pragma once

// Reverse-reachable sets (Borgs et al. 2014), flat, generated in parallel from per-set streams so
// that set i depends only on (seed, stream_base + i): the shared tool of IMM seeds and the advocates'
// reach.

#include <cstdint>
#include <vector>

#include <tbb/enumerable_thread_specific.h>

#include "smorg/engine/run_context.h"

#include "cascade.h"

namespace smorg::engine::detail {

// Set i is nodes[offsets[i] .. offsets[i + 1]).
struct RrSets {
    std::vector<std::uint64_t> offsets{0};
    std::vector<graph::NodeIndex> nodes;
    std::uint64_t size() const { return offsets.size() - 1; }
};

using Cascades = tbb::enumerable_thread_specific<Cascade>;

// Appends sets first .. last - 1 (set i from stream (seed, stream_base + i)), in chunks of a fixed
// size stitched in order.
void generate(const graph::Subgraph& view, const ArcProbabilities& p, CascadeModel model, std::uint64_t seed,
              std::uint64_t stream_base, std::uint64_t first, std::uint64_t last, RrSets& out, RunContext& run,
              Cascades& cascades);

// What one set costs, measured on the first `count` sets of a stream: its mean size (nodes) and the
// arcs generating it looks at.
struct RrPilot {
    double nodes = 1;
    double arcs = 1;
    // Bytes `sets` of them take as RrSets plus the inverted index max coverage builds over them.
    double memory(double sets) const { return sets * (8 + 8 * nodes); }
};
RrPilot pilot(const graph::Subgraph& view, const ArcProbabilities& p, CascadeModel model, std::uint64_t seed,
              std::uint64_t stream_base, std::uint64_t count);

}  // namespace smorg::engine::detail
