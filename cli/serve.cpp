#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

#include "smorg/server/server.h"

#include "cli.h"
#include <pthread.h>

namespace smorg::cli {

namespace {

// HOST:PORT, [V6]:PORT or HOST (the default port).
void parse_listen(const std::string& text, server::ServerOptions& o) {
    std::string host = text, port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos) throw std::invalid_argument("--listen: a bracketed address needs its ']'");
        host = text.substr(1, close - 1);
        if (close + 1 < text.size() && text[close + 1] == ':') port = text.substr(close + 2);
    } else if (const auto colon = text.rfind(':'); colon != std::string::npos && text.find(':') == colon) {
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    if (host.empty()) throw std::invalid_argument("--listen: give HOST:PORT, e.g. 127.0.0.1:7474");
    o.host = host;
    if (!port.empty()) {
        std::size_t used = 0;
        int p = -1;
        try {
            p = std::stoi(port, &used);
        } catch (const std::exception&) {
        }
        if (used != port.size() || p < 0 || p > 65535) throw std::invalid_argument("--listen: the port must be in [0, 65535]");
        o.port = p;
    }
}

std::string read_token(const std::string& file) {
    std::ifstream in(file);
    if (!in) throw std::invalid_argument("--token-file: cannot read " + file);
    std::string token;
    std::getline(in, token);
    const auto first = token.find_first_not_of(" \t\r\n");
    const auto last = token.find_last_not_of(" \t\r\n");
    return first == std::string::npos ? "" : token.substr(first, last - first + 1);
}

}  // namespace

void add_serve(CLI::App& app, Globals& globals, Command& command) {
    struct Options {
        std::string db, listen = "127.0.0.1:7474", token_file, max_body = "64M", import_dir, log, allow_origin;
        int max_concurrent = 4;
        double query_timeout = 300, grace = 10;
        std::size_t max_rows = 100000;
        bool create = false;
    };
    auto o = std::make_shared<Options>();
    auto* sub = app.add_subcommand("serve", "Serve the JSON protocol over HTTP, holding the database in memory");
    sub->footer(
        "Answers POST /v1/query with exactly what `smorg query --compact` prints; also /v1/import,\n"
        "/v1/health, /v1/stats, /v1/runs (see docs/server.md). Loopback only unless a token is given.\n"
        "SIGTERM or Ctrl-C: stop accepting, let running queries finish (--grace), then cancel them.\n"
        "Exports and maps are written only inside --output-dir (smorg's global option; for the server\n"
        "it has no default, so without it no request writes a file).\n\n"
        "Example:\n  smorg serve --db org.db\n"
        "  curl -s localhost:7474/v1/query -d '{\"op\": \"centrality\", \"algorithm\": \"pagerank\", \"top\": 5}'");
    sub->add_option("--db", o->db, "Database file")->required();
    sub->add_flag("--create", o->create, "Create the database when it does not exist (to import into it)");
    sub->add_option("--listen", o->listen, "HOST:PORT to listen on (default 127.0.0.1:7474; port 0: a free one)");
    sub->add_option("--token-file", o->token_file, "A file whose first line is the token every request must carry");
    sub->add_option("--max-concurrent", o->max_concurrent, "Queries at once; more are answered 429 (default 4)")
        ->check(CLI::Range(1, server::kMaxConcurrent));
    sub->add_option("--query-timeout", o->query_timeout,
                    "Seconds a query may run (default 300, at most a week); timeout_ms may lower it")
        ->check(CLI::Range(0.001, server::kMaxQueryTimeoutSeconds));
    sub->add_option("--max-rows", o->max_rows, "Rows an answer may hold; longer ones are cut (default 100000)")
        ->check(CLI::PositiveNumber);
    sub->add_option("--max-body", o->max_body, "Largest request body, e.g. 64M (default; at most 16G)");
    sub->add_option("--import-dir", o->import_dir, "Where imports by file name may read (default: uploads only)");
    sub->add_option("--log", o->log, "Append an access log (JSON Lines) to this file");
    sub->add_option("--allow-origin", o->allow_origin, "The one web origin allowed to call (CORS); none by default");
    sub->add_option("--grace", o->grace, "Seconds running queries may finish at shutdown (default 10)")
        ->check(CLI::Range(0.0, server::kMaxGraceSeconds));
    sub->callback([o, &globals, &command] {
        command = [o, &globals]() -> int {
            server::ServerOptions s;
            try {
                s.db = o->db;
                s.engine = engine_options(globals, o->create);
                // The global --output-dir, with no default: a server writes nowhere unless told where.
                if (globals.allow_absolute_paths) {
                    throw std::invalid_argument(
                        "--allow-absolute-paths: a server writes only relative names inside --output-dir");
                }
                if (!globals.output_dir_given) s.engine.output_dir.reset();
                if (!o->import_dir.empty()) s.engine.input_dirs = std::vector<std::filesystem::path>{o->import_dir};
                parse_listen(o->listen, s);
                if (!o->token_file.empty()) s.token = read_token(o->token_file);
                s.max_concurrent = o->max_concurrent;
                s.query_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(o->query_timeout * 1000));
                s.max_rows = o->max_rows;
                double body = 0;
                try {
                    body = parse_bytes(o->max_body);
                } catch (const std::exception&) {
                    throw std::invalid_argument("--max-body takes a size like 64M, 1G or 1048576, got '" + o->max_body + "'");
                }
                if (body > static_cast<double>(server::kMaxBody)) throw std::invalid_argument("--max-body must be at most 16G");
                s.max_body = static_cast<std::size_t>(body);
                if (!o->log.empty()) s.log_path = o->log;
                if (!o->allow_origin.empty()) s.allow_origin = o->allow_origin;
                s.grace = std::chrono::milliseconds(static_cast<std::int64_t>(o->grace * 1000));
                server::validate(s);
            } catch (const std::invalid_argument& e) {
                std::cerr << "smorg serve: " << e.what() << '\n';
                return kUsage;
            }
            // SIGTERM and SIGINT are taken by one thread that shuts the server down: blocked here,
            // before any thread exists, so every thread inherits the mask.
            sigset_t signals;
            sigemptyset(&signals);
            sigaddset(&signals, SIGTERM);
            sigaddset(&signals, SIGINT);
            pthread_sigmask(SIG_BLOCK, &signals, nullptr);
            server::Server server(std::move(s));
            std::cout << "smorg: serving " << o->db << " at " << server.url() << std::endl;
            std::atomic<bool> served{false};
            std::thread waiter([&] {
                int signal = 0;
                sigwait(&signals, &signal);
                if (!served) server.shutdown();
            });
            server.run();
            served = true;
            pthread_kill(waiter.native_handle(), SIGTERM);  // wakes the waiter when no signal came
            waiter.join();
            std::cerr << "smorg: stopped\n";
            return kOk;
        };
    });
}

}  // namespace smorg::cli
