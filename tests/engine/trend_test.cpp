#include "smorg/engine/trend.h"

#include <cmath>
#include <limits>
#include <vector>

#include <catch2/catch.hpp>

#include "smorg/graph/errors.h"

using namespace smorg;
using engine::WindowsParams;

namespace {

graph::Timestamp at(const char* text) { return *graph::parse_timestamp(text); }

// The p-value by brute force: every way to choose which n_a of the pooled items fall in window a.
double brute_force_p(unsigned hits_a, unsigned n_a, unsigned hits_b, unsigned n_b) {
    const unsigned n = n_a + n_b, k = hits_a + hits_b;
    std::vector<unsigned> item(n, 0);
    for (unsigned i = 0; i < k; ++i) item[i] = 1u;
    const auto stat = [&](double x) { return std::abs(x / n_a - (k - x) / n_b); };
    const double observed = stat(hits_a);
    double as_extreme = 0, total = 0;
    for (unsigned mask = 0; mask < (1u << n); ++mask) {
        if (static_cast<unsigned>(__builtin_popcount(mask)) != n_a) continue;
        unsigned x = 0;
        for (unsigned i = 0; i < n; ++i) x += (mask >> i & 1u) ? item[i] : 0u;
        ++total;
        if (stat(x) >= observed - 1e-12) ++as_extreme;
    }
    return as_extreme / total;
}

}  // namespace

TEST_CASE("trend windows: steps, calendar months, the last one cut at until, cumulative", "[engine][trend]") {
    WindowsParams p;
    p.since = at("2024-01-31");
    p.until = at("2024-05-15");
    p.step = graph::parse_time_step("1mo");
    auto w = engine::time_windows(p);
    REQUIRE(w.size() == 4);
    CHECK(w[0].since == at("2024-01-31"));
    CHECK(w[0].until == at("2024-02-29"));
    CHECK(w[1].until == at("2024-03-31"));
    CHECK(w[2].until == at("2024-04-30"));
    CHECK(w[3].since == at("2024-04-30"));
    CHECK(w[3].until == at("2024-05-15"));
    p.cumulative = true;
    w = engine::time_windows(p);
    for (const auto& x : w) CHECK(x.since == at("2024-01-31"));
    CHECK(w.back().until == at("2024-05-15"));

    WindowsParams b;
    b.boundaries = {at("2024-01-01"), at("2024-02-01"), at("2024-06-01")};
    w = engine::time_windows(b);
    REQUIRE(w.size() == 2);
    CHECK(w[1].since == at("2024-02-01"));
    CHECK(w[1].until == at("2024-06-01"));
}

TEST_CASE("trend windows: every bad shape is refused at its field", "[engine][trend]") {
    const auto field_of = [](const WindowsParams& p) {
        try {
            engine::time_windows(p);
        } catch (const graph::ParamError& e) {
            return e.field();
        }
        return std::string("(accepted)");
    };
    WindowsParams p;
    CHECK(field_of(p) == "step");
    p.step = graph::parse_time_step("1d");
    CHECK(field_of(p) == "since");
    p.since = at("2024-01-01");
    CHECK(field_of(p) == "until");
    p.until = at("2024-01-01");
    CHECK(field_of(p) == "until");
    p.until = at("2030-01-01");  // 2,192 daily windows
    CHECK(field_of(p) == "step");
    p.until = at("2024-01-01") + 240 * 86400;
    CHECK(field_of(p) == "(accepted)");
    p.until = *p.until + 1;
    CHECK(field_of(p) == "step");

    p.until = std::numeric_limits<graph::Timestamp>::max();
    CHECK(field_of(p) == "until");
    p.since = std::numeric_limits<graph::Timestamp>::min();
    CHECK(field_of(p) == "since");

    WindowsParams b;
    b.boundaries = {at("2024-01-01"), std::numeric_limits<graph::Timestamp>::max()};
    CHECK(field_of(b) == "boundaries/1");
    b.boundaries = {at("2024-01-01")};
    CHECK(field_of(b) == "boundaries");
    b.boundaries = {at("2024-01-01"), at("2024-03-01"), at("2024-02-01")};
    CHECK(field_of(b) == "boundaries/2");
    b.boundaries = {at("2024-01-01"), at("2024-03-01")};
    b.step = graph::parse_time_step("1d");
    CHECK(field_of(b) == "step");
}

TEST_CASE("the exact test of a change in share equals the full permutation enumeration", "[engine][trend]") {
    struct Case {
        unsigned ha, na, hb, nb;
    };
    for (const auto& c : std::vector<Case>{
             {0, 5, 5, 5}, {1, 6, 5, 7}, {3, 6, 3, 6}, {2, 4, 7, 10}, {6, 8, 1, 7}, {0, 1, 1, 1}, {4, 9, 0, 3}, {5, 5, 5, 5}}) {
        INFO(c.ha << "/" << c.na << " vs " << c.hb << "/" << c.nb);
        CHECK(engine::share_change_p_value(c.ha, c.na, c.hb, c.nb) ==
              Approx(brute_force_p(c.ha, c.na, c.hb, c.nb)).margin(1e-12));
    }
    CHECK(engine::share_change_p_value(3, 0, 4, 9) == 1.0);
    // Large windows: no change gives a large p, a real one a tiny p; both in bounded time.
    CHECK(engine::share_change_p_value(400'000, 1'000'000, 401'000, 1'000'000) > 0.1);
    CHECK(engine::share_change_p_value(400'000, 1'000'000, 410'000, 1'000'000) < 1e-20);
}

TEST_CASE("Kendall's tau-b by hand, with ties and degenerate lists", "[engine][trend]") {
    CHECK(*engine::kendall_tau_b({1, 2, 3, 4}, {1, 2, 3, 4}) == Approx(1));
    CHECK(*engine::kendall_tau_b({1, 2, 3, 4}, {4, 3, 2, 1}) == Approx(-1));
    // x = 1 2 3 4 5, y = 3 4 1 2 5: concordant 6, discordant 4 -> 0.2.
    CHECK(*engine::kendall_tau_b({1, 2, 3, 4, 5}, {3, 4, 1, 2, 5}) == Approx(0.2));
    // scipy.stats.kendalltau([1, 2, 2, 3], [1, 3, 2, 3]).statistic = 0.8 (tau-b).
    CHECK(*engine::kendall_tau_b({1, 2, 2, 3}, {1, 3, 2, 3}) == Approx(0.8));
    CHECK_FALSE(engine::kendall_tau_b({1}, {1}));
    CHECK_FALSE(engine::kendall_tau_b({2, 2, 2}, {1, 2, 3}));
}
