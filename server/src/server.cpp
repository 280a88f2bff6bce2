#include "smorg/server/server.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "console_files.h"
#include "http.h"
#include "runs.h"
#include "uploads.h"
#include <arpa/inet.h>
#include <httplib.h>

namespace smorg::server {

namespace fs = std::filesystem;
using detail::json;
using queries::ErrorCode;

bool is_loopback(const std::string& host) {
    if (host == "localhost" || host == "::1" || host == "[::1]") return true;
    in_addr v4{};
    return ::inet_pton(AF_INET, host.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

void validate(const ServerOptions& o) {
    if (o.db.empty()) throw std::invalid_argument("--db: give the database to serve");
    if (!is_loopback(o.host) && !o.token) {
        throw std::invalid_argument("--listen: " + o.host +
                                    " is reachable from other machines; serving it needs a token (--token-file)");
    }
    if (o.token && o.token->empty()) throw std::invalid_argument("--token-file: the token is empty");
    if (o.port < 0 || o.port > 65535) throw std::invalid_argument("--listen: the port must be in [0, 65535]");
    if (o.max_concurrent < 1 || o.max_concurrent > kMaxConcurrent) {
        throw std::invalid_argument("--max-concurrent must be in [1, " + std::to_string(kMaxConcurrent) + "]");
    }
    if (o.query_timeout.count() < 1 || static_cast<double>(o.query_timeout.count()) > kMaxQueryTimeoutSeconds * 1000) {
        throw std::invalid_argument("--query-timeout must be positive and at most a week");
    }
    if (o.grace.count() < 0 || static_cast<double>(o.grace.count()) > kMaxGraceSeconds * 1000) {
        throw std::invalid_argument("--grace must be in [0, 3600] seconds");
    }
    if (o.max_rows < 1) throw std::invalid_argument("--max-rows must be at least 1");
    if (o.max_body < 1 || o.max_body > kMaxBody) throw std::invalid_argument("--max-body must be in [1 byte, 16G]");
}

namespace {

// A private folder (mode 0700) for uploads, removed with the server.
struct Staging {
    fs::path path;
    Staging() {
        std::string pattern = (fs::temp_directory_path() / "smorg-serve-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("cannot create a folder for uploads in the temp directory");
        }
        path = pattern;
    }
    ~Staging() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    Staging(const Staging&) = delete;
    Staging& operator=(const Staging&) = delete;
};

const char* reason_text(int status) {
    switch (status) {
        case 401:
            return "a token is needed: send Authorization: Bearer <token>";
        case 404:
            return "no such endpoint; see docs/server.md";
        case 405:
            return "this endpoint does not take that method";
        case 413:
            return "the request body is larger than the server takes (--max-body)";
        default:
            return "the request could not be read";
    }
}

ErrorCode code_of(int status) {
    switch (status) {
        case 401:
            return ErrorCode::permission_denied;
        case 404:
            return ErrorCode::not_found;
        case 413:
            return ErrorCode::resource_exhausted;
        default:
            return ErrorCode::invalid_argument;
    }
}

}  // namespace

struct Server::Impl {
    ServerOptions options;
    Staging staging;
    queries::QueryEngine engine;
    detail::Runs runs;
    httplib::Server http;
    int port = 0;
    std::atomic<int> active{0};
    std::mutex log_mutex;
    std::ofstream log;
    std::once_flag stopping;
    std::atomic<bool> stop_requested{false};
    std::thread reaper;  // at shutdown: cancels what still runs after the grace period

    explicit Impl(ServerOptions o) : options(std::move(o)), engine(options.db, engine_options()) {
        if (options.log_path) {
            log.open(*options.log_path, std::ios::app);
            if (!log) throw std::runtime_error("--log: cannot write " + *options.log_path);
        }
        routes();
        // Each open connection holds a worker while it is kept alive (5 s idle at most): room for
        // the queries that may run, and for many more clients asking cheap things or waiting.
        const std::size_t threads = std::max<std::size_t>(32, 2 * static_cast<std::size_t>(options.max_concurrent) + 8);
        http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
        http.set_payload_max_length(options.max_body);
        // An idle kept-alive connection is held open this long, shutdown included: no longer than
        // the grace period (at least 1 s, at most 5 s).
        http.set_keep_alive_timeout(
            std::clamp<time_t>(std::chrono::duration_cast<std::chrono::seconds>(options.grace).count(), 1, 5));
        http.set_keep_alive_max_count(1000);
        http.set_tcp_nodelay(true);  // an answer is one write: sent at once, not held for an ACK
        port = options.port == 0 ? http.bind_to_any_port(options.host)
                                 : (http.bind_to_port(options.host, options.port) ? options.port : -1);
        if (port < 0) throw std::runtime_error("--listen: cannot listen on " + options.host + ":" + std::to_string(options.port));
    }

    ~Impl() {
        if (reaper.joinable()) reaper.join();
    }

    queries::EngineOptions engine_options() const {
        auto e = options.engine;
        // A server writes only where it was told to, and never an absolute path.
        e.allow_absolute_output = false;
        // Imports by name read the import directory only; without one, none (uploads are granted per request).
        if (!e.input_dirs) e.input_dirs = std::vector<fs::path>{};
        return e;
    }

    void answer(httplib::Response& res, int status, const json& body) {
        res.status = status;
        res.set_content(queries::to_text(body) + "\n", "application/json");
    }

    void access_log(const httplib::Request& req, const httplib::Response& res, const std::string& op,
                    std::chrono::steady_clock::time_point started) {
        if (!options.log_path) return;
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        const json line = {{"time", detail::iso_time(std::chrono::system_clock::now())},
                           {"client", req.remote_addr},
                           {"method", req.method},
                           {"path", req.path},
                           {"op", op.empty() ? json(nullptr) : json(op)},
                           {"status", res.status},
                           {"ms", ms},
                           {"bytes", res.body.size()}};
        std::lock_guard lock(log_mutex);
        log << queries::to_text(line) << '\n';
        log.flush();
    }

    // The op a request names, for /v1/runs and the log.
    static std::string op_of(const json& request) {
        if (request.is_array()) return "batch";
        if (request.is_object() && request.contains("op") && request["op"].is_string()) return request["op"].get<std::string>();
        return "";
    }

    // Runs one request under the server's limits: a slot (429 when none), its deadline, its entry
    // in /v1/runs, and a watch on the client's connection.
    void run_query(const httplib::Request& req, httplib::Response& res, json request, const detail::ImportUpload* upload) {
        const auto started = std::chrono::steady_clock::now();
        const auto op = op_of(request);
        auto timeout = detail::take_timeout(request);
        if (timeout.error) {
            answer(res, detail::http_status(*timeout.error), *timeout.error);
            return access_log(req, res, op, started);
        }
        if (++active > options.max_concurrent) {
            --active;
            res.set_header("Retry-After", "1");
            answer(res, 429,
                   queries::error_response(ErrorCode::resource_exhausted,
                                           "the server is busy: " + std::to_string(options.max_concurrent) +
                                               " queries are running (--max-concurrent); retry in a moment"));
            return access_log(req, res, op, started);
        }
        struct Slot {
            std::atomic<int>& active;
            ~Slot() { --active; }
        } slot{active};
        json response;
        {
            const int sock = detail::connection_socket(req.remote_addr, req.remote_port, req.local_port);
            const auto handle = runs.start(op, req.remote_addr, sock);
            auto& run = handle->context();
            const auto limit = std::min(options.query_timeout, timeout.value.value_or(options.query_timeout));
            run.set_deadline(queries::RunContext::Clock::now() + limit);
            response = upload ? engine.execute(request, run, upload->readable()) : engine.execute(request, run);
        }
        if (upload) upload->rename_in(response);
        detail::cap_rows(response, options.max_rows);
        answer(res, detail::http_status(response), response);
        access_log(req, res, op, started);
    }

    void routes() {
        http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
            if (options.allow_origin) {
                res.set_header("Access-Control-Allow-Origin", *options.allow_origin);
                res.set_header("Vary", "Origin");
            }
            if (req.method == "OPTIONS" && options.allow_origin) {
                res.set_header("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
                res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
                res.status = 204;
                return httplib::Server::HandlerResponse::Handled;
            }
            // The console's own files hold no data: they load without the token, and the page asks
            // for it when the server has one.
            const bool console_file = req.method == "GET" && (req.path == "/" || req.path.rfind("/console/", 0) == 0);
            if (options.token && !console_file && !detail::authorized(req.get_header_value("Authorization"), *options.token)) {
                res.set_header("WWW-Authenticate", "Bearer");
                answer(res, 401, queries::error_response(ErrorCode::permission_denied, reason_text(401)));
                access_log(req, res, "", std::chrono::steady_clock::now());
                return httplib::Server::HandlerResponse::Handled;
            }
            // A POST that says nothing of a body has none (RFC 9112): answered now, not after a read timeout.
            if ((req.method == "POST" || req.method == "PUT" || req.method == "PATCH") && !req.has_header("Content-Length") &&
                !req.has_header("Transfer-Encoding")) {
                answer(res, 400, queries::error_response(ErrorCode::invalid_argument, "the request has no body"));
                access_log(req, res, "", std::chrono::steady_clock::now());
                return httplib::Server::HandlerResponse::Handled;
            }
            return httplib::Server::HandlerResponse::Unhandled;
        });
        // httplib's own refusals (no route, a body over the limit) answer as the engine does.
        http.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
            if (!res.body.empty() || res.status == 204) return;
            answer(res, res.status, queries::error_response(code_of(res.status), reason_text(res.status)));
            access_log(req, res, "", std::chrono::steady_clock::now());
        });

        http.Post("/v1/query", [this](const httplib::Request& req, httplib::Response& res) {
            auto parsed = queries::parse_request(req.body);
            if (parsed.error) {
                answer(res, detail::http_status(*parsed.error), *parsed.error);
                return access_log(req, res, "", std::chrono::steady_clock::now());
            }
            run_query(req, res, std::move(parsed.request), nullptr);
        });
        http.Post("/v1/import", [this](const httplib::Request& req, httplib::Response& res) {
            const detail::ImportUpload upload(req, staging.path);
            if (upload.error()) {
                answer(res, detail::http_status(*upload.error()), *upload.error());
                return access_log(req, res, "import", std::chrono::steady_clock::now());
            }
            run_query(req, res, upload.request(), &upload);
        });
        http.Get("/v1/health", [this](const httplib::Request& req, httplib::Response& res) {
            const auto started = std::chrono::steady_clock::now();
            queries::RunContext run;
            const auto stats = engine.execute({{"op", "stats"}}, run);
            if (!queries::response_ok(stats)) {
                answer(res, detail::http_status(stats), stats);
            } else {
                const auto& r = stats["result"];
                answer(res, 200,
                       {{"ok", true},
                        {"status", "serving"},
                        {"db", options.db},
                        {"generation", r["store"]["generation"]},
                        {"nodes", r["nodes"]},
                        {"edges", r["edges"]},
                        {"running", runs.count()}});
            }
            access_log(req, res, "", started);
        });
        http.Get("/v1/stats", [this](const httplib::Request& req, httplib::Response& res) {
            const auto started = std::chrono::steady_clock::now();
            queries::RunContext run;
            const auto stats = engine.execute({{"op", "stats"}}, run);
            answer(res, detail::http_status(stats), stats);
            access_log(req, res, "stats", started);
        });
        http.Get("/v1/runs", [this](const httplib::Request& req, httplib::Response& res) {
            answer(res, 200, {{"ok", true}, {"runs", runs.list()}});
            access_log(req, res, "", std::chrono::steady_clock::now());
        });
        http.Delete(R"(/v1/runs/(\d{1,18}))", [this](const httplib::Request& req, httplib::Response& res) {
            const auto id = std::strtoull(req.matches[1].str().c_str(), nullptr, 10);
            if (runs.cancel(id)) {
                answer(res, 200, {{"ok", true}, {"cancelled", id}});
            } else {
                answer(res, 404, queries::error_response(ErrorCode::not_found, "no run " + std::to_string(id) + " is running"));
            }
            access_log(req, res, "", std::chrono::steady_clock::now());
        });
        // The web console: its page and files, from the binary.
        const auto console = [this](const httplib::Request& req, httplib::Response& res, std::string_view name) {
            const auto started = std::chrono::steady_clock::now();
            for (const auto& file : detail::console_files()) {
                if (file.name != name) continue;
                res.set_content(std::string(file.content), detail::console_content_type(name));
                res.set_header("Cache-Control", "no-cache");
                res.set_header("X-Content-Type-Options", "nosniff");
                res.set_header(
                    "Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
                res.status = 200;
                return access_log(req, res, "", started);
            }
            answer(res, 404, queries::error_response(ErrorCode::not_found, "the console has no file " + std::string(name)));
            access_log(req, res, "", started);
        };
        http.Get("/", [console](const httplib::Request& req, httplib::Response& res) { console(req, res, "index.html"); });
        http.Get(R"(/console/([A-Za-z0-9_.-]{1,64}))",
                 [console](const httplib::Request& req, httplib::Response& res) { console(req, res, req.matches[1].str()); });

        // The known endpoints, asked with another method.
        const auto wrong_method = [this](const httplib::Request& req, httplib::Response& res) {
            answer(res, 405, queries::error_response(ErrorCode::invalid_argument, reason_text(405)));
            access_log(req, res, "", std::chrono::steady_clock::now());
        };
        for (const char* path : {"/v1/query", "/v1/import"}) {
            http.Get(path, wrong_method);
            http.Delete(path, wrong_method);
        }
        for (const char* path : {"/v1/health", "/v1/stats", "/v1/runs"}) {
            http.Post(path, wrong_method);
            http.Delete(path, wrong_method);
        }
        for (const char* path : {"/v1/query", "/v1/import", "/v1/health", "/v1/stats", "/v1/runs", R"(/v1/runs/(\d{1,18}))"}) {
            http.Put(path, wrong_method);
            http.Patch(path, wrong_method);
            http.Options(path, wrong_method);
        }
    }

    void shutdown() {
        std::call_once(stopping, [this] {
            stop_requested = true;
            http.stop();  // no new connections; requests under way are answered
            reaper = std::thread([this] {
                if (!runs.wait_idle(std::chrono::steady_clock::now() + options.grace)) runs.cancel_all();
            });
        });
    }
};

Server::Server(ServerOptions options) {
    validate(options);
    impl_ = std::make_unique<Impl>(std::move(options));
}

Server::~Server() = default;

int Server::port() const { return impl_->port; }

std::string Server::url() const {
    const auto& host = impl_->options.host;
    const bool v6 = host.find(':') != std::string::npos && host.front() != '[';
    return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(impl_->port) + "/";
}

void Server::run() {
    if (!impl_->stop_requested) impl_->http.listen_after_bind();
    // listen returns once the workers have answered every request they had taken.
    if (impl_->reaper.joinable()) impl_->reaper.join();
}

void Server::shutdown() { impl_->shutdown(); }

}  // namespace smorg::server
