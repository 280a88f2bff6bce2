#pragma once

// Parallel building blocks whose results do not depend on the number of threads.

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include "smorg/engine/run_context.h"
#include "smorg/graph/ranks.h"
#include "smorg/graph/types.h"

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

// Batch b of `batches` near-equal batches of [0, total): [first, last).
template <class Index>
std::pair<Index, Index> batch_range(Index total, int b, int batches) {
    const auto at = [&](int k) {
        return static_cast<Index>(static_cast<std::uint64_t>(total) * static_cast<std::uint64_t>(k) /
                                  static_cast<std::uint64_t>(batches));
    };
    return {at(b), at(b + 1)};
}

// Runs body(first, last) over [0, total) in `batches` sequential batches, each a parallel loop,
// checking cancellation before and reporting progress after each batch. Cancellation is agreed by
// every rank of the run (every rank makes the same batches). `split_over_ranks`: each rank runs only
// its share of every batch, by index (work items whose result depends on their index alone).
template <class Index, class Body>
void for_batches(Index total, int batches, const RunContext& run, std::string_view phase, Body&& body, Index grain = 1,
                 bool split_over_ranks = false) {
    batches = std::max(1, batches);
    for (int b = 0; b < batches; ++b) {
        run.throw_if_any_cancelled();
        auto [first, last] = batch_range(total, b, batches);
        if (split_over_ranks) {
            const auto share = graph::my_share(run.ranks(), static_cast<std::uint64_t>(last - first));
            last = static_cast<Index>(first + share.second);
            first = static_cast<Index>(first + share.first);
        }
        if (first < last) {
            tbb::parallel_for(tbb::blocked_range<Index>(first, last, grain), [&](const tbb::blocked_range<Index>& r) {
                if (run.cancelled()) return;
                body(r.begin(), r.end());
            });
        }
        run.report(phase, static_cast<double>(b + 1) / batches);
    }
    run.throw_if_any_cancelled();
}

// W vectors of n sums each, the accumulator of a deterministic reduce over searches: a leaf
// allocates its vectors on first use (a leaf that adds nothing costs nothing), and joining adds
// them element-wise.
template <std::size_t W>
class VectorSums {
public:
    explicit VectorSums(graph::NodeIndex n) : n_(n) {}
    void add(std::size_t k, graph::NodeIndex i, double x) {
        if (sums_[0].empty()) {
            for (auto& s : sums_) s.assign(n_, 0.0);
        }
        sums_[k][i] += x;
    }
    // Adds other's sums to these (element by element, in index order).
    void join(VectorSums&& other) {
        if (other.sums_[0].empty()) return;
        if (sums_[0].empty()) {
            sums_ = std::move(other.sums_);
            return;
        }
        for (std::size_t k = 0; k < W; ++k) {
            for (std::size_t i = 0; i < sums_[k].size(); ++i) sums_[k][i] += other.sums_[k][i];
        }
    }
    // The sums, each n long (zeros where nothing was added).
    std::array<std::vector<double>, W> take() && {
        if (sums_[0].empty()) {
            for (auto& s : sums_) s.assign(n_, 0.0);
        }
        return std::move(sums_);
    }

private:
    graph::NodeIndex n_;
    std::array<std::vector<double>, W> sums_;
};

// Runs visit(i, sums) for every i in [0, count), where visit adds to a VectorSums<W> of n, and
// returns the totals. The work runs in `batches` sequential batches, each a deterministic parallel
// reduce with leaves of `grain`, checking cancellation and reporting progress per batch: the
// additions happen in the same order at any thread count, so the sums are the same bit for bit.
template <std::size_t W, class Index, class Visit>
std::array<std::vector<double>, W> batched_vector_sums(Index count, graph::NodeIndex n, int batches, Index grain,
                                                       const RunContext& run, std::string_view phase, Visit&& visit) {
    VectorSums<W> total(n);
    batches = std::max(1, batches);
    for (int b = 0; b < batches; ++b) {
        // Agreed by every rank, before and after every batch, empty or not (ranks' counts differ).
        run.throw_if_any_cancelled();
        const auto [first, last] = batch_range(count, b, batches);
        if (first == last) {
            run.throw_if_any_cancelled();
            continue;
        }
        auto batch = tbb::parallel_deterministic_reduce(
            tbb::blocked_range<Index>(first, last, grain), VectorSums<W>(n),
            [&](const tbb::blocked_range<Index>& r, VectorSums<W> acc) {
                // Checked before every item: one item may be a whole search.
                for (Index i = r.begin(); i != r.end() && !run.cancelled(); ++i) visit(i, acc);
                return acc;
            },
            [](VectorSums<W> a, VectorSums<W> c) {
                a.join(std::move(c));
                return a;
            });
        run.throw_if_any_cancelled();
        total.join(std::move(batch));
        run.report(phase, static_cast<double>(b + 1) / batches);
    }
    return std::move(total).take();
}

}  // namespace smorg::engine::detail
