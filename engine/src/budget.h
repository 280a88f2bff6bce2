#pragma once

// Building estimates (run_context.h) for the engine's entries: the view an algorithm reads, the
// workers that each hold their own scratch space, and counts derived from a double that must be
// bounded before they are used (a sample count from an epsilon, an RR-set count from a bound).

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <tbb/task_arena.h>

#include "smorg/engine/run_context.h"
#include "smorg/graph/subgraph.h"

namespace smorg::engine::detail {

// Work is counted in steps of about a nanosecond of one core, so that a budget reads as time. A
// step is one arc of a sweep or a BFS; the kernels whose steps cost more are weighted by what
// they were measured to cost per arc (single thread, the sample organization with 820,000 edges):
inline constexpr double kSweepArc = 3;            // PageRank, eigenvector, Katz: a pull over an arc
inline constexpr double kSearchArc = 3;           // closeness, harmonic: a BFS arc
inline constexpr double kSampleBfsArc = 10;       // a sampled path's bidirectional BFS (random access)
inline constexpr double kSampleDijkstraArc = 30;  // ... and its Dijkstra, with heap operations
inline constexpr double kCascadeArc = 13;         // a Monte Carlo cascade: a random draw per arc
inline constexpr double kRrArc = 9;               // a reverse-reachable set: the same, backwards
inline constexpr double kLocalMoveArc = 16;       // Louvain/Leiden local moving (scattered community sums)
inline constexpr double kPropagationArc = 8;      // label propagation

// Workers that may each hold a scratch space.
inline double workers() { return static_cast<double>(std::max(1, tbb::this_task_arena::max_concurrency())); }

inline Estimate cost(double work, double memory_bytes, std::string field, std::string basis = "upper bound") {
    Estimate e;
    e.work = work;
    e.memory_bytes = memory_bytes;
    e.field = std::move(field);
    e.basis = std::move(basis);
    return e;
}

// The view's build cost, then `algorithm` on it (the view stays in memory while it runs).
inline Estimate on_view(const graph::ViewSize& view, Estimate algorithm) {
    Estimate e = view.cost;
    const double view_bytes = view.zero_copy ? view.cost.memory_bytes : view.cost.memory_bytes / 3;
    e.memory_bytes = std::max(view.cost.memory_bytes, view_bytes + algorithm.memory_bytes);
    e.work += algorithm.work;
    e.field = algorithm.field;
    e.basis = algorithm.basis;
    return e;
}

// The start of an entry: its estimate (which validates the params) admitted against the run's
// limits, then a cancel check, so that nothing runs for a request the limits or a cancel refuse.
inline void enter(RunContext& run, const Estimate& estimate) {
    run.admit(estimate);
    run.throw_if_cancelled();
}

// A count computed in floating point (it may be huge, or not finite), as an integer no larger than
// `max`; ResourceExhausted at `field` when it exceeds it.
inline std::uint64_t bounded_count(double x, double max, const std::string& field, const std::string& what) {
    if (!(x <= max)) {
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "%.3g", x);
        throw ResourceExhausted(field, "this would need " + std::string(buffer) + " " + what + ", more than the " +
                                           graph::format_number(max) + " allowed; ask for less (" + field + ")");
    }
    return static_cast<std::uint64_t>(std::ceil(std::max(0.0, x)));
}

}  // namespace smorg::engine::detail
