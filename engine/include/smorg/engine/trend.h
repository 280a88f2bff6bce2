#pragma once

// The statistics behind change over time (the `trend` op): a sequence of time windows, an exact
// permutation test of the change of a share between two windows, and Kendall's tau between two
// rankings.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "smorg/graph/time.h"
#include "smorg/graph/types.h"

namespace smorg::engine {

struct WindowsParams {
    // Either since, until and step (windows [since + i step, since + (i+1) step), the last one cut at
    // until), or explicit boundaries b0 < b1 < ... < bk (windows [b(i), b(i+1))).
    std::optional<graph::Timestamp> since, until;
    std::optional<graph::TimeStep> step;
    std::vector<graph::Timestamp> boundaries;
    bool cumulative = false;  // every window starts at the first boundary (growing), not at the previous end
    static constexpr std::size_t kMaxWindows = 240;
    // Every bound lies in the years 0000 to 9999 (UTC).
    static constexpr graph::Timestamp kEarliest = -62167219200;  // 0000-01-01T00:00:00Z
    static constexpr graph::Timestamp kLatest = 253402300800;    // 10000-01-01T00:00:00Z
};

struct TimeWindow {
    graph::Timestamp since = 0, until = 0;  // [since, until)
};

// The windows, in time order. Throws graph::ParamError naming the field ("step", "boundaries/3",
// "until") for a missing step or bound, a bound outside [kEarliest, kLatest], boundaries out of order,
// or more than kMaxWindows windows.
std::vector<TimeWindow> time_windows(const WindowsParams& params);

// Whether the share of `hits` among a window's items changed between two windows (a: hits_a of
// n_a, b: hits_b of n_b): the two-sided p-value of the permutation test that reassigns the pooled
// n_a + n_b items to the two windows at random (keeping each window's size), with the absolute
// difference of the shares as its statistic. Exact (the permutation distribution is hypergeometric),
// so it needs no seed; 1 when either window is empty.
double share_change_p_value(std::uint64_t hits_a, std::uint64_t n_a, std::uint64_t hits_b, std::uint64_t n_b);

// Kendall's tau-b of two equally long score lists (ties handled as scipy's kendalltau does); nullopt
// when fewer than two items or when either list is constant. O(n^2): for ranked tops, n <= a few hundred.
std::optional<double> kendall_tau_b(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace smorg::engine
