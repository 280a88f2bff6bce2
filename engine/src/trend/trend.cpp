#include "smorg/engine/trend.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "smorg/graph/errors.h"

namespace smorg::engine {

using graph::ParamError;
using graph::Timestamp;

std::vector<TimeWindow> time_windows(const WindowsParams& p) {
    const auto in_range = [](const std::string& field, Timestamp t) {
        if (t < WindowsParams::kEarliest || t > WindowsParams::kLatest) {
            throw ParamError(field, "a window bound must lie in the years 0000 to 9999, not at " + std::to_string(t) + " s");
        }
    };
    if (p.since) in_range("since", *p.since);
    if (p.until) in_range("until", *p.until);
    for (std::size_t i = 0; i < p.boundaries.size(); ++i) in_range("boundaries/" + std::to_string(i), p.boundaries[i]);
    std::vector<Timestamp> bounds;
    const auto too_many = [](const char* field) {
        throw ParamError(field, "a trend runs at most " + std::to_string(WindowsParams::kMaxWindows) +
                                    " windows: give a longer step or a shorter span");
    };
    if (!p.boundaries.empty()) {
        if (p.since || p.until || p.step) {
            throw ParamError(p.step    ? "step"
                             : p.since ? "since"
                                       : "until",
                             "give either boundaries or since, until and step, not both");
        }
        if (p.boundaries.size() < 2) throw ParamError("boundaries", "boundaries need at least two times (one window)");
        if (p.boundaries.size() > WindowsParams::kMaxWindows + 1) too_many("boundaries");
        for (std::size_t i = 1; i < p.boundaries.size(); ++i) {
            if (p.boundaries[i] <= p.boundaries[i - 1]) {
                throw ParamError("boundaries/" + std::to_string(i),
                                 "boundaries must increase: " + graph::format_timestamp(p.boundaries[i]) + " is not after " +
                                     graph::format_timestamp(p.boundaries[i - 1]));
            }
        }
        bounds = p.boundaries;
    } else {
        if (!p.step) throw ParamError("step", "give a step (\"30d\", \"1w\", \"3mo\", ...) or explicit boundaries");
        if (!p.since) throw ParamError("since", "give since, the start of the first window");
        if (!p.until) throw ParamError("until", "give until, the end of the last window");
        if (*p.until <= *p.since) {
            throw ParamError("until", "until (" + graph::format_timestamp(*p.until) + ") must be after since (" +
                                          graph::format_timestamp(*p.since) + ")");
        }
        bounds.push_back(*p.since);
        for (std::int64_t i = 1; bounds.back() < *p.until; ++i) {
            if (bounds.size() > WindowsParams::kMaxWindows) too_many("step");
            bounds.push_back(std::min(*p.until, graph::advance(*p.since, *p.step, i)));
        }
    }
    std::vector<TimeWindow> windows;
    windows.reserve(bounds.size() - 1);
    for (std::size_t i = 1; i < bounds.size(); ++i) windows.push_back({p.cumulative ? bounds.front() : bounds[i - 1], bounds[i]});
    return windows;
}

double share_change_p_value(std::uint64_t hits_a, std::uint64_t n_a, std::uint64_t hits_b, std::uint64_t n_b) {
    if (n_a == 0 || n_b == 0) return 1.0;
    // X = hits landing in window a ~ Hypergeometric(N = n_a + n_b, K = pooled hits, n = n_a).
    const double N = static_cast<double>(n_a + n_b), K = static_cast<double>(hits_a + hits_b), n = static_cast<double>(n_a);
    const auto diff = [&](double x) { return std::abs(x / n - (K - x) / static_cast<double>(n_b)); };
    const double observed = diff(static_cast<double>(hits_a)) * (1 - 1e-9);  // a relative margin for rounding
    const double lo = std::max(0.0, n - (N - K)), hi = std::min(n, K);
    // Sum outward from the mode with the pmf's ratio recurrence, relative to the mode's mass, and
    // stop once the terms no longer matter: linear in the spread, not in N.
    const double mode = std::clamp(std::floor((n + 1) * (K + 1) / (N + 2)), lo, hi);
    double total = 1.0, tail = diff(mode) >= observed ? 1.0 : 0.0;
    constexpr double kNegligible = 1e-18;
    double term = 1.0;
    for (double x = mode; x < hi; ++x) {  // P(x + 1) / P(x)
        term *= (K - x) * (n - x) / ((x + 1) * (N - K - n + x + 1));
        total += term;
        if (diff(x + 1) >= observed) tail += term;
        if (term < kNegligible * total) break;
    }
    term = 1.0;
    for (double x = mode; x > lo; --x) {  // P(x - 1) / P(x)
        term *= x * (N - K - n + x) / ((K - x + 1) * (n - x + 1));
        total += term;
        if (diff(x - 1) >= observed) tail += term;
        if (term < kNegligible * total) break;
    }
    return std::clamp(tail / total, 0.0, 1.0);
}

std::optional<double> kendall_tau_b(const std::vector<double>& x, const std::vector<double>& y) {
    const std::size_t n = std::min(x.size(), y.size());
    if (n < 2) return std::nullopt;
    double concordant = 0, discordant = 0, ties_x = 0, ties_y = 0;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = i + 1; j < n; ++j) {
            const double dx = x[i] - x[j], dy = y[i] - y[j];
            if (dx == 0 && dy == 0) continue;
            if (dx == 0) {
                ++ties_x;
            } else if (dy == 0) {
                ++ties_y;
            } else if ((dx > 0) == (dy > 0)) {
                ++concordant;
            } else {
                ++discordant;
            }
        }
    }
    const double denominator = std::sqrt((concordant + discordant + ties_x) * (concordant + discordant + ties_y));
    if (denominator == 0) return std::nullopt;
    return (concordant - discordant) / denominator;
}

}  // namespace smorg::engine
