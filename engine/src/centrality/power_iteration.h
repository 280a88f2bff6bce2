#pragma once

// The loop every power iteration shares (PageRank, eigenvector, Katz): sweeps until the L1 change
// of one falls below the threshold, a sweep's change is not finite (a diverging series), or
// max_iterations run out; each sweep checks for a cancel first and reports its progress after.

#include <cmath>
#include <string_view>

#include "smorg/engine/run_context.h"

namespace smorg::engine::detail {

// `sweep()` computes the next iterate, swaps it in and returns its L1 change. Sets the result's
// iterations, last_change and converged.
template <class Result, class Sweep>
void power_iterate(Result& result, int max_iterations, double threshold, std::string_view phase, RunContext& run, Sweep&& sweep) {
    for (int it = 1; it <= max_iterations; ++it) {
        run.throw_if_any_cancelled();  // agreed by every rank: a sweep is a superstep
        const double change = sweep();
        result.iterations = it;
        result.last_change = change;
        run.report(phase, static_cast<double>(it) / max_iterations);
        if (!std::isfinite(change)) return;
        if (change < threshold) {
            result.converged = true;
            return;
        }
    }
}

}  // namespace smorg::engine::detail
