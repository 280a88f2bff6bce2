#pragma once

// What the server's HTTP handling is made of, each testable without a socket: the status an answer
// gets, the server's own edits of a request (timeout_ms) and of an answer (max_rows), the token check.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace smorg::server::detail {

using json = nlohmann::json;

// The HTTP status of an answer: 200 when ok (a batch: when every answer is ok), else by the error
// code of the (first failed) answer (docs/server.md).
int http_status(const json& response);

// Takes the `timeout_ms` fields out of a request (an object, or each object of a batch) and returns
// the smallest; an error response at the field's pointer when one is not a positive integer.
struct Timeout {
    std::optional<std::chrono::milliseconds> value;
    std::optional<json> error;
};
Timeout take_timeout(json& request);

// Cuts every answer's `rows` to `max_rows`, adding "rows_truncated": {"total", "returned"} to
// the result it cut.
void cap_rows(json& response, std::size_t max_rows);

// True when `given` is "Bearer <token>"; takes the same time whatever the bytes compared.
bool authorized(std::string_view given, std::string_view token);

// The Content-Type of a console file, by its extension.
std::string console_content_type(std::string_view name);

// An ISO-8601 UTC time with milliseconds, as the access log and /v1/runs write it.
std::string iso_time(std::chrono::system_clock::time_point t);

}  // namespace smorg::server::detail
