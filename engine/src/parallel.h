#pragma once

// Parallel building blocks whose results do not depend on the number of threads.

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include "smorg/engine/run_context.h"

namespace smorg::engine::detail {

// Several sums at once: f(i) returns a std::array<double, N>, summed element-wise over [0, n).
// parallel_deterministic_reduce with a fixed grain splits and joins the same way at any thread count,
// so the floating-point results are the same bit for bit.
template <std::size_t N, class Index, class F>
std::array<double, N> deterministic_sums(Index n, F&& f, Index grain = 4096) {
    using Sums = std::array<double, N>;
    return tbb::parallel_deterministic_reduce(
        tbb::blocked_range<Index>(0, n, grain), Sums{},
        [&](const tbb::blocked_range<Index>& r, Sums acc) {
            for (Index i = r.begin(); i != r.end(); ++i) {
                const Sums x = f(i);
                for (std::size_t k = 0; k < N; ++k) acc[k] += x[k];
            }
            return acc;
        },
        [](Sums a, const Sums& b) {
            for (std::size_t k = 0; k < N; ++k) a[k] += b[k];
            return a;
        });
}

// Sum of f(i) for i in [0, n), the same bits at any thread count.
template <class Index, class F>
double deterministic_sum(Index n, F&& f, Index grain = 4096) {
    return deterministic_sums<1, Index>(
        n, [&](Index i) { return std::array<double, 1>{static_cast<double>(f(i))}; }, grain)[0];
}

// Runs body(first, last) over [0, total) in `batches` sequential batches, each a parallel loop,
// checking cancellation before and reporting progress after each batch.
template <class Index, class Body>
void for_batches(Index total, int batches, const RunContext& run, std::string_view phase, Body&& body, Index grain = 1) {
    batches = std::max(1, batches);
    for (int b = 0; b < batches; ++b) {
        run.throw_if_cancelled();
        const Index first = static_cast<Index>(static_cast<std::uint64_t>(total) * static_cast<std::uint64_t>(b) /
                                               static_cast<std::uint64_t>(batches));
        const Index last = static_cast<Index>(static_cast<std::uint64_t>(total) * static_cast<std::uint64_t>(b + 1) /
                                              static_cast<std::uint64_t>(batches));
        if (first < last) {
            tbb::parallel_for(tbb::blocked_range<Index>(first, last, grain), [&](const tbb::blocked_range<Index>& r) {
                if (run.cancelled()) return;
                body(r.begin(), r.end());
            });
        }
        run.report(phase, static_cast<double>(b + 1) / batches);
    }
    run.throw_if_cancelled();
}

}  // namespace smorg::engine::detail
