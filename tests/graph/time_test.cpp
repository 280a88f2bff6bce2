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
