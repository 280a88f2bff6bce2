#include "http.h"

#include <catch2/catch.hpp>

#include "smorg/server/server.h"

using namespace smorg;
using server::detail::json;

TEST_CASE("an answer's HTTP status follows its error code; a batch's, its first failure", "[server]") {
    using server::detail::http_status;
    auto failed = [](const char* code) { return json{{"ok", false}, {"error", {{"code", code}, {"message", ""}, {"at", ""}}}}; };
    CHECK(http_status(json{{"ok", true}}) == 200);
    CHECK(http_status(failed("invalid_argument")) == 400);
    CHECK(http_status(failed("permission_denied")) == 403);
    CHECK(http_status(failed("not_found")) == 404);
    CHECK(http_status(failed("failed_precondition")) == 409);
    CHECK(http_status(failed("resource_exhausted")) == 422);
    CHECK(http_status(failed("data_loss")) == 422);
    CHECK(http_status(failed("cancelled")) == 499);
    CHECK(http_status(failed("deadline_exceeded")) == 504);
    CHECK(http_status(failed("internal")) == 500);
    CHECK(http_status(json::array({json{{"ok", true}}, failed("not_found"), failed("internal")})) == 404);
    CHECK(http_status(json::array({json{{"ok", true}}})) == 200);
}

TEST_CASE("timeout_ms is taken out of a request, the smallest of a batch wins, a bad one is refused at its pointer", "[server]") {
    using server::detail::take_timeout;
    json one = {{"op", "stats"}, {"timeout_ms", 250}};
    auto t = take_timeout(one);
    REQUIRE(t.value);
    CHECK(t.value->count() == 250);
    CHECK_FALSE(one.contains("timeout_ms"));

    json batch = json::array({{{"op", "stats"}, {"timeout_ms", 900}}, {{"op", "stats"}}, {{"op", "stats"}, {"timeout_ms", 40}}});
    t = take_timeout(batch);
    REQUIRE(t.value);
    CHECK(t.value->count() == 40);

    for (const json& bad : {json(0), json(-5), json(1.5), json("10")}) {
        json request = json::array({{{"op", "stats"}}, {{"op", "stats"}, {"timeout_ms", bad}}});
        t = take_timeout(request);
        REQUIRE(t.error);
        CHECK((*t.error)["error"]["at"] == "/1/timeout_ms");
    }
    json none = {{"op", "stats"}};
    CHECK_FALSE(take_timeout(none).value);
}

TEST_CASE("rows beyond max_rows are cut, and the answer says how many there were", "[server]") {
    json answer = {{"ok", true}, {"result", {{"rows", json::array({1, 2, 3, 4, 5})}}}};
    server::detail::cap_rows(answer, 2);
    CHECK(answer["result"]["rows"] == json::array({1, 2}));
    CHECK(answer["result"]["rows_truncated"] == json{{"total", 5}, {"returned", 2}});
    json small = {{"ok", true}, {"result", {{"rows", json::array({1})}}}};
    server::detail::cap_rows(small, 2);
    CHECK_FALSE(small["result"].contains("rows_truncated"));
}

TEST_CASE("the token is checked as a Bearer credential, byte for byte", "[server]") {
    using server::detail::authorized;
    CHECK(authorized("Bearer s3cret", "s3cret"));
    CHECK_FALSE(authorized("Bearer s3cre", "s3cret"));
    CHECK_FALSE(authorized("Bearer s3cretX", "s3cret"));
    CHECK_FALSE(authorized("Basic s3cret", "s3cret"));
    CHECK_FALSE(authorized("", "s3cret"));
    CHECK_FALSE(authorized("s3cret", "s3cret"));
}

TEST_CASE("a server binds other than loopback only with a token", "[server]") {
    CHECK(server::is_loopback("127.0.0.1"));
    CHECK(server::is_loopback("127.8.9.10"));
    CHECK(server::is_loopback("::1"));
    CHECK(server::is_loopback("localhost"));
    CHECK_FALSE(server::is_loopback("0.0.0.0"));
    CHECK_FALSE(server::is_loopback("10.0.0.1"));
    CHECK_FALSE(server::is_loopback("::"));
    server::ServerOptions o;
    o.db = "x.db";
    o.host = "0.0.0.0";
    CHECK_THROWS_AS(server::validate(o), std::invalid_argument);
    o.token = "";
    CHECK_THROWS_AS(server::validate(o), std::invalid_argument);
    o.token = "t";
    CHECK_NOTHROW(server::validate(o));
    o.max_concurrent = 0;
    CHECK_THROWS_AS(server::validate(o), std::invalid_argument);
}
