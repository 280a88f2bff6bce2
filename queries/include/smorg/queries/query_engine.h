#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "smorg/engine/run_context.h"
#include "smorg/queries/query_error.h"

namespace smorg::queries {

// Cancellation and progress for one request; cancel() from any thread.
using RunContext = engine::RunContext;

struct EngineOptions {
    bool create = true;  // create the database file when it does not exist
};

// The JSON query protocol of DESIGN.md over one database. A request is an object with "op" and
// its parameters, or an array of them (a batch, answered in order, each independently). The
// answer is {"ok": true, "op", "result", "took_ms"} or {"ok": false, "error": {"code", "message",
// "at"}}; in a batch, "at" starts with the request's index. Thread-safe: concurrent requests each
// read the snapshot that was current when they started.
class QueryEngine {
public:
    // Opens the database at `path` (":memory:" for one that is never written to disk). Throws
    // QueryError (not_found when missing and !options.create, data_loss when unreadable).
    explicit QueryEngine(const std::string& path, const EngineOptions& options = {});
    ~QueryEngine();
    QueryEngine(QueryEngine&&) noexcept;
    QueryEngine& operator=(QueryEngine&&) noexcept;

    // Answers a request; never throws for bad input: every error is a response.
    nlohmann::json execute(const nlohmann::json& request, RunContext& run);
    nlohmann::json execute(const nlohmann::json& request);
    // Parses `text` first; malformed JSON is an invalid_argument response naming the byte offset.
    nlohmann::json execute_text(std::string_view text, RunContext& run);

    const std::string& path() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Caps the threads smorg's parallel algorithms use while it lives (threads >= 1; 0 = every core).
// Answers do not depend on it: every algorithm gives the same result at any thread count.
class ThreadLimit {
public:
    explicit ThreadLimit(int threads);
    ~ThreadLimit();
    ThreadLimit(const ThreadLimit&) = delete;
    ThreadLimit& operator=(const ThreadLimit&) = delete;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// True when a response (or every response of a batch) is ok.
bool response_ok(const nlohmann::json& response);

// The ops the protocol knows, with a one-line summary each, for help texts.
struct OpSummary {
    std::string_view name;
    std::string_view summary;
};
const std::vector<OpSummary>& op_summaries();

}  // namespace smorg::queries
