#include "smorg/graph/time.h"

#include <catch2/catch.hpp>

using smorg::graph::format_timestamp;
using smorg::graph::parse_timestamp;

TEST_CASE("timestamps parse as epoch seconds or ISO-8601", "[graph][time]") {
    CHECK(parse_timestamp("0") == 0);
    CHECK(parse_timestamp("1700000000") == 1700000000);
    CHECK(parse_timestamp("-86400") == -86400);
    CHECK(parse_timestamp("1970-01-02") == 86400);
    CHECK(parse_timestamp("2024-02-29T00:00:00Z") == 1709164800);
    CHECK(parse_timestamp("2024-02-29 01:00") == 1709168400);
    CHECK(parse_timestamp("2024-02-29T02:00:00+02:00") == 1709164800);
    CHECK(parse_timestamp("2024-02-29T00:00:00.750Z") == 1709164800);
    CHECK(parse_timestamp("1969-12-31T23:59:59Z") == -1);
}

TEST_CASE("malformed or impossible timestamps are refused", "[graph][time]") {
    for (const char* bad : {"", "yesterday", "2023-02-29", "2024-13-01", "2024-01-01T25:00", "2024-1-1", "12.5",
                            "2024-01-01T00:00:00+2", "2024-01-01X"}) {
        INFO(bad);
        CHECK_FALSE(parse_timestamp(bad));
    }
}

TEST_CASE("timestamps format as ISO-8601 UTC", "[graph][time]") {
    CHECK(format_timestamp(0) == "1970-01-01T00:00:00Z");
    CHECK(format_timestamp(1709168400) == "2024-02-29T01:00:00Z");
    CHECK(format_timestamp(-1) == "1969-12-31T23:59:59Z");
}

namespace graph = smorg::graph;

TEST_CASE("time steps: parsed strictly, fixed lengths and calendar months", "[graph][time]") {
    using graph::TimeStep;
    using U = TimeStep::Unit;
    REQUIRE(graph::parse_time_step("30d")->count == 30);
    CHECK(graph::parse_time_step("30d")->unit == U::day);
    CHECK(graph::parse_time_step("12h")->unit == U::hour);
    CHECK(graph::parse_time_step("1w")->unit == U::week);
    CHECK(graph::parse_time_step("3mo")->unit == U::month);
    CHECK(graph::parse_time_step("1y")->unit == U::year);
    for (const char* bad : {"", "d", "0d", "-1d", "1", "1m", "1 d", "1dd", "100001d", "99999999999999999999d"}) {
        INFO(bad);
        CHECK_FALSE(graph::parse_time_step(bad));
    }
    const auto t = [](const char* text) { return *graph::parse_timestamp(text); };
    CHECK(graph::advance(t("2024-03-01T06:00:00Z"), *graph::parse_time_step("1w"), 2) == t("2024-03-15T06:00:00Z"));
    CHECK(graph::advance(t("2024-03-01T06:00:00Z"), *graph::parse_time_step("12h"), 3) == t("2024-03-02T18:00:00Z"));
    // Months keep the day and the time of day, clamped to the month's end; from one start, no drift.
    const auto month = *graph::parse_time_step("1mo");
    CHECK(graph::advance(t("2024-01-31T10:00:00Z"), month, 1) == t("2024-02-29T10:00:00Z"));
    CHECK(graph::advance(t("2023-01-31"), month, 1) == t("2023-02-28"));
    CHECK(graph::advance(t("2024-01-31"), month, 2) == t("2024-03-31"));
    CHECK(graph::advance(t("2024-11-15"), *graph::parse_time_step("3mo"), 1) == t("2025-02-15"));
    CHECK(graph::advance(t("2024-02-29"), *graph::parse_time_step("1y"), 1) == t("2025-02-28"));
    CHECK(graph::advance(t("1969-12-15"), month, 1) == t("1970-01-15"));
    CHECK(graph::advance(t("1970-01-15"), month, -1) == t("1969-12-15"));
}
