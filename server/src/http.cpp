#include "http.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>

#include "smorg/queries/query_engine.h"

namespace smorg::server::detail {

namespace {

int status_of(const json& answer) {
    if (answer.is_object() && answer.value("ok", false)) return 200;
    const auto code = answer.is_object() && answer.contains("error") ? answer["error"].value("code", "") : "";
    if (code == "invalid_argument") return 400;
    if (code == "permission_denied") return 403;
    if (code == "not_found") return 404;
    if (code == "failed_precondition") return 409;
    if (code == "resource_exhausted" || code == "data_loss") return 422;
    if (code == "cancelled") return 499;
    if (code == "deadline_exceeded") return 504;
    return 500;
}

std::optional<json> take_one(json& request, const std::string& at, std::optional<std::chrono::milliseconds>& smallest) {
    if (!request.is_object() || !request.contains("timeout_ms")) return std::nullopt;
    const auto& value = request["timeout_ms"];
    const bool positive =
        value.is_number_unsigned() ? value.get<std::uint64_t>() > 0 : value.is_number_integer() && value.get<std::int64_t>() > 0;
    if (!positive) {
        return queries::error_response(queries::ErrorCode::invalid_argument,
                                       "timeout_ms must be a positive whole number of milliseconds", at + "/timeout_ms");
    }
    // Beyond a year it cannot lower any server's timeout: held there, so no sum overflows.
    constexpr std::uint64_t kYear = std::uint64_t{365} * 24 * 3600 * 1000;
    const std::chrono::milliseconds ms(static_cast<std::int64_t>(std::min(value.get<std::uint64_t>(), kYear)));
    if (!smallest || ms < *smallest) smallest = ms;
    request.erase("timeout_ms");
    return std::nullopt;
}

void cap_one(json& answer, std::size_t max_rows) {
    if (!answer.is_object() || !answer.contains("result") || !answer["result"].is_object()) return;
    auto& result = answer["result"];
    if (!result.contains("rows") || !result["rows"].is_array() || result["rows"].size() <= max_rows) return;
    const auto total = result["rows"].size();
    result["rows"].erase(result["rows"].begin() + static_cast<std::ptrdiff_t>(max_rows), result["rows"].end());
    result["rows_truncated"] = {{"total", total}, {"returned", max_rows}};
}

}  // namespace

int http_status(const json& response) {
    if (response.is_array()) {
        for (const auto& answer : response) {
            if (const int s = status_of(answer); s != 200) return s;
        }
        return 200;
    }
    return status_of(response);
}

Timeout take_timeout(json& request) {
    Timeout t;
    if (request.is_array()) {
        for (std::size_t i = 0; i < request.size() && !t.error; ++i)
            t.error = take_one(request[i], "/" + std::to_string(i), t.value);
    } else {
        t.error = take_one(request, "", t.value);
    }
    return t;
}

void cap_rows(json& response, std::size_t max_rows) {
    if (response.is_array()) {
        for (auto& answer : response) cap_one(answer, max_rows);
    } else {
        cap_one(response, max_rows);
    }
}

bool authorized(std::string_view given, std::string_view token) {
    constexpr std::string_view kScheme = "Bearer ";
    const bool scheme = given.substr(0, kScheme.size()) == kScheme;
    const auto presented = scheme ? given.substr(kScheme.size()) : std::string_view{};
    // Every byte of the longer string is compared, so the time says nothing about the token.
    unsigned char diff = presented.size() == token.size() ? 0 : 1;
    const std::size_t n = std::max(presented.size(), token.size());
    for (std::size_t i = 0; i < n; ++i) {
        const auto a = static_cast<unsigned char>(i < presented.size() ? presented[i] : 0);
        const auto b = static_cast<unsigned char>(i < token.size() ? token[i] : 0);
        diff = static_cast<unsigned char>(diff | (a ^ b));
    }
    return scheme && diff == 0;
}

std::string iso_time(std::chrono::system_clock::time_point t) {
    const auto since = t.time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since - seconds).count();
    const std::time_t tt = seconds.count();
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    return buffer;
}

std::string console_content_type(std::string_view name) {
    const auto ends = [&](std::string_view tail) {
        return name.size() >= tail.size() && name.substr(name.size() - tail.size()) == tail;
    };
    if (ends(".html")) return "text/html; charset=utf-8";
    if (ends(".js")) return "text/javascript; charset=utf-8";
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".svg")) return "image/svg+xml";
    return "application/octet-stream";
}

}  // namespace smorg::server::detail
