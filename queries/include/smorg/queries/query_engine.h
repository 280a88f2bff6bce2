#pragma once

#include <chrono>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "smorg/graph/ranks.h"
#include "smorg/graph/run_context.h"
#include "smorg/queries/query_error.h"

namespace smorg::queries {

// Cancellation and progress for one request; cancel() from any thread.
using RunContext = graph::RunContext;

struct EngineOptions {
    // Create the database file when it does not exist (to import into it). false: a missing file is
    // not_found, so that a reader pointed at the wrong place learns it at once.
    bool create = false;
    // Files queries may touch. Imports read only inside the folders of `input_dirs` (unset:
    // anywhere; empty: no file at all), relative names taken from the first. Exports and maps write
    // only names relative to `output_dir`, never through "..", never over the database or its
    // companion files (unset: no query writes a file); absolute paths too when
    // `allow_absolute_output`.
    std::optional<std::vector<std::filesystem::path>> input_dirs;
    std::optional<std::filesystem::path> output_dir;
    bool allow_absolute_output = false;
    // The budget of each request: work (a request's "max_work" may change it, up to
    // max_work_ceiling) and working memory (a request cannot raise it).
    graph::Limits limits;
    double max_work_ceiling = std::numeric_limits<double>::infinity();
    // How long a write waits for another process's write.
    std::chrono::milliseconds lock_timeout{std::chrono::minutes(5)};
    // The processes a distributed front end runs this engine on (docs/scale.md), every one with its
    // own engine over the same database, all executing the same requests in the same order. Unset:
    // this process alone, every op. Set (one rank or more): only the ops with a distributed form run
    // (others are refused at their field), nothing is written, and each answer adds "ranks" and a
    // "took" block of what the ranks exchanged.
    graph::Ranks* ranks = nullptr;
};

// The JSON query protocol (docs/queries.md, docs/reference.md) over one database. A request is an object with "op" and
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
    // As execute, and this request's imports may also read the files inside `readable` (a
    // server's uploads, staged for this request alone).
    nlohmann::json execute(const nlohmann::json& request, RunContext& run, const std::vector<std::filesystem::path>& readable);
    // One request (an object) of an op that has per-person values — centrality, communities,
    // components, crv, advocates — answered as execute does, with those values in `values`: one per
    // node of the snapshot the request read, in its order (NaN: not in the answer's view), and that
    // snapshot's ids in `ids` when given. The values are the engine's numbers, never read back from
    // rows. An op without such values is refused at "/op", and an estimate at "/estimate", before
    // anything runs.
    nlohmann::json execute_values(const nlohmann::json& request, RunContext& run, std::vector<double>& values,
                                  std::vector<std::string>* ids = nullptr);
    // Parses `text` first (parse_request); malformed JSON is an invalid_argument response naming
    // the byte offset.
    nlohmann::json execute_text(std::string_view text, RunContext& run);

    const std::string& path() const;
    // The ids of every node, in the order of the snapshot a request would read now (a binding
    // lays whole score vectors out in this order).
    std::vector<std::string> node_ids() const;

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

// A request's text checked and parsed as execute_text does (nesting depth, UTF-8, syntax): the
// request, or the error response that says why not.
struct ParsedRequest {
    nlohmann::json request;
    std::optional<nlohmann::json> error;
};
ParsedRequest parse_request(std::string_view text);

// An error response {"ok": false, "error": {"code", "message", "at"}}, as the engine answers.
nlohmann::json error_response(ErrorCode code, const std::string& message, const std::string& at = "");

// True when a response (or every response of a batch) is ok.
bool response_ok(const nlohmann::json& response);

// A response as text: always valid UTF-8 JSON, whatever strings it holds (a byte that is not UTF-8
// becomes U+FFFD). indent < 0: one line. Every front end prints answers through this.
std::string to_text(const nlohmann::json& response, int indent = -1);

// The ops the protocol knows, with a one-line summary each, for help texts.
struct OpSummary {
    std::string_view name;
    std::string_view summary;
};
const std::vector<OpSummary>& op_summaries();

}  // namespace smorg::queries
