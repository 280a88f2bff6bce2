#pragma once

// `smorg serve`: the JSON query protocol over HTTP, on one resident database (docs/server.md).
// A front end like the command line: it reaches the engine through smorg::queries only.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "smorg/queries/query_engine.h"

namespace smorg::server {

struct ServerOptions {
    std::string db;                 // the database file (":memory:" for one never written to disk)
    queries::EngineOptions engine;  // create, output_dir, input_dirs (the import directory), limits
    std::string host = "127.0.0.1";
    int port = 7474;                   // 0: a free port, chosen at bind
    std::optional<std::string> token;  // when set, every request needs "Authorization: Bearer <token>"
    int max_concurrent = 4;            // queries and imports at once; more are answered 429
    std::chrono::milliseconds query_timeout{std::chrono::minutes(5)};  // a request's timeout_ms may lower it
    std::size_t max_rows = 100'000;                                    // longer `rows` are cut, and the answer says so
    std::size_t max_body = 64u << 20;                                  // request bodies larger than this are answered 413
    std::optional<std::string> log_path;                               // access log, JSON Lines
    std::optional<std::string> allow_origin;                           // CORS: the one origin allowed; none by default
    std::chrono::milliseconds grace{std::chrono::seconds(10)};         // at shutdown, before running queries are cancelled
};

inline constexpr int kMaxConcurrent = 1024;
inline constexpr std::size_t kMaxBody = std::size_t{16} << 30;  // a body is held in memory whole
inline constexpr double kMaxQueryTimeoutSeconds = 7 * 24 * 3600.0;
inline constexpr double kMaxGraceSeconds = 3600.0;

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback(const std::string& host);

// std::invalid_argument naming the option when the options cannot be served: a host other than
// loopback without a token, an empty token, counts or sizes out of range.
void validate(const ServerOptions& options);

class Server {
public:
    // Opens the database (queries::QueryError when it cannot) and binds the address
    // (std::runtime_error when it cannot); serving starts with run().
    explicit Server(ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    int port() const;
    std::string url() const;  // http://host:port/

    // Answers requests until shutdown(); returns once the last request has been answered.
    void run();
    // From any thread: stop accepting; running queries may finish for the grace period, then they
    // are cancelled. Safe to call more than once.
    void shutdown();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace smorg::server
