#pragma once

// The `smorg` command line: a thin front end that turns argv into JSON queries. Each subcommand
// lives in its own file and registers itself through one add_<command> function listed in main.cpp.

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "smorg/queries/query_engine.h"

namespace smorg::cli {

using json = nlohmann::json;

// Exit codes: 0 ok, 1 the work failed (bad data, a failed query), 2 usage error, 130 interrupted
// (Ctrl-C: the work stopped and stored nothing; 128 + SIGINT, as shells report it).
inline constexpr int kOk = 0;
inline constexpr int kFailed = 1;
inline constexpr int kUsage = 2;
inline constexpr int kInterrupted = 130;

struct Globals {
    int threads = 0;                    // --threads: 0 = every core
    bool quiet = false;                 // --quiet: no progress on stderr
    std::string max_memory;             // --max-memory: working memory per query ("8G", "512M"); default half the RAM
    double max_work = 0;                // --max-work: default work budget per query; 0 = the engine's
    std::string output_dir = ".";       // --output-dir: where queries may write files (relative names)
    bool output_dir_given = false;      // --output-dir was on the command line (serve has no default)
    bool allow_absolute_paths = false;  // --allow-absolute-paths: queries may also write absolute paths
};

// The engine options the globals ask for. `trusted_paths`: file names came from this command line
// (smorg export --out, smorg silos --svg), so absolute ones are allowed.
queries::EngineOptions engine_options(const Globals& globals, bool create, bool trusted_paths = false);

// "8G", "512M", "1.5T", "4096" (bytes; binary units). std::invalid_argument when it is not a size.
double parse_bytes(const std::string& text);

// A subcommand's work, set by its parse callback and run by main after parsing.
using Command = std::function<int()>;

void add_import(CLI::App& app, Globals& globals, Command& command);
void add_query(CLI::App& app, Globals& globals, Command& command);
void add_generate(CLI::App& app, Globals& globals, Command& command);
void add_demo(CLI::App& app, Globals& globals, Command& command);
void add_silos(CLI::App& app, Globals& globals, Command& command);
void add_export(CLI::App& app, Globals& globals, Command& command);
void add_serve(CLI::App& app, Globals& globals, Command& command);

// Progress on stderr, only when stderr is a terminal and not --quiet: one self-rewriting line.
queries::RunContext::ProgressFn progress_printer(const Globals& globals);
// Ends the progress line (if one was drawn).
void end_progress();

// Cancels `run` on Ctrl-C while the guard lives (guards nest: the innermost one wins).
class InterruptGuard {
public:
    explicit InterruptGuard(queries::RunContext& run);
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    queries::RunContext* previous_ = nullptr;
};

// One request (or batch) on a new engine over `db`, with progress on stderr and Ctrl-C as a cancel.
// With `json_output` the response is printed as JSON; a failed response is printed as an error
// otherwise. `code` is kOk, or the exit code of the failure.
struct Outcome {
    json response;
    int code = kOk;
};
Outcome run_request(const std::string& db, const queries::EngineOptions& options, const json& request, const Globals& globals,
                    bool json_output);

// Human output of a query result: scalar fields as "key: value" lines, `rows` (and other arrays of
// objects) as aligned tables.
void print_result(std::ostream& out, const json& result);
void print_table(std::ostream& out, const json& rows, std::size_t max_width = 40);
// The same with the columns in the order given (rows' other fields are left out).
void print_table(std::ostream& out, const json& rows, const std::vector<std::string>& columns, std::size_t max_width = 40);
// The exit code of a failed response (or batch): kInterrupted when a request was cancelled.
int failure_code(const json& response);
// An answer's table (`field`, default "rows"; in a batch, of every answer that has it, with a
// `request` column) as "csv" (RFC 4180, a header from the row fields, nested objects as dotted
// names) or "jsonl" (one row per line). Returns why not when the answer has no such table.
std::optional<std::string> write_rows(std::ostream& out, const json& response, const std::string& format,
                                      const std::string& field);
// A failed response, as "error (code) at /pointer: message" plus any import errors, on stderr.
void print_error(const json& response);
// A response as JSON text on stdout (always valid UTF-8).
void print_json(const json& response, bool compact);

}  // namespace smorg::cli
