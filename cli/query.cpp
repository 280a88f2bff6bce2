#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>

#include "cli.h"

namespace smorg::cli {

void add_query(CLI::App& app, Globals& globals, Command& command) {
    struct Options {
        std::string db, request, file, format = "json", rows;
        bool compact = false;
    };
    auto o = std::make_shared<Options>();
    auto* sub = app.add_subcommand("query", "Answer a JSON query (or a batch: a JSON array of queries)");
    std::string ops = "Ops:\n";
    for (const auto& op : queries::op_summaries()) {
        ops += "  " + std::string(op.name) + std::string(12 - std::min<std::size_t>(11, op.name.size()), ' ') +
               std::string(op.summary) + "\n";
    }
    sub->footer(ops +
                "\nExit status: 0 when every query succeeded, 1 when one failed, 2 on a usage error,\n"
                "130 when interrupted (Ctrl-C).\n\n"
                "Examples:\n"
                "  smorg query --db org.db '{\"op\": \"stats\"}'\n"
                "  smorg query --db org.db '{\"op\": \"centrality\", \"algorithm\": \"pagerank\", "
                "\"edge_kinds\": [\"referral\", \"interaction\"], \"top\": 10}' --format table\n"
                "  smorg query --db org.db '{\"op\": \"advocates\", \"top\": 100}' --format csv > advocates.csv\n"
                "  echo '[{\"op\": \"node\", \"id\": \"c000042\"}]' | smorg query --db org.db -");
    sub->add_option("--db", o->db, "Database file")->required();
    sub->add_option("request", o->request, "The request as JSON, or - to read it from stdin");
    sub->add_option("--file", o->file, "Read the request from a file");
    sub->add_option("--format", o->format,
                    "json (default), table, or the answer's rows as csv or jsonl (one JSON object per line)")
        ->check(CLI::IsMember({"json", "table", "csv", "jsonl"}));
    sub->add_option("--rows", o->rows, "With csv or jsonl: the answer's table to write (default rows; e.g. silos' groups)");
    sub->add_flag("--compact", o->compact, "One-line JSON output");
    sub->callback([o, &globals, &command, sub] {
        command = [o, &globals, sub]() -> int {
            // In JSON mode every failure is a JSON error object on stdout, like the answers.
            auto fail = [&](queries::ErrorCode code, const std::string& message) {
                const json response = {{"ok", false},
                                       {"error", {{"code", smorg::graph::name_of(code)}, {"message", message}, {"at", ""}}}};
                if (o->format == "json") {
                    print_json(response, o->compact);
                } else {
                    print_error(response);
                }
                return kFailed;
            };
            if (!o->rows.empty() && o->format != "csv" && o->format != "jsonl") {
                std::cerr << "smorg: --rows chooses the table of --format csv or jsonl\n";
                return kUsage;
            }
            std::string text;
            if (!o->file.empty()) {
                std::ifstream in(o->file, std::ios::binary);
                if (!in) return fail(queries::ErrorCode::not_found, "cannot read the request file '" + o->file + "'");
                text.assign(std::istreambuf_iterator<char>(in), {});
            } else if (o->request == "-") {
                text.assign(std::istreambuf_iterator<char>(std::cin), {});
            } else {
                text = o->request;
            }
            if (text.empty()) {
                std::cerr << "smorg: give a request: as an argument, - for stdin, or --file F\n\n" << sub->help();
                return kUsage;
            }
            std::optional<queries::QueryEngine> engine;
            try {
                engine.emplace(o->db, engine_options(globals, false));
            } catch (const queries::QueryError& e) {
                return fail(e.code(), e.what());
            }
            queries::RunContext run(progress_printer(globals));
            InterruptGuard guard(run);
            const auto response = engine->execute_text(text, run);
            end_progress();
            if (o->format == "table") {
                const auto show = [](const json& r) {
                    if (r.value("ok", false)) {
                        std::cout << "== " << r.value("op", "") << " (" << r.value("took_ms", 0.0) << " ms)\n";
                        print_result(std::cout, r["result"]);
                    } else {
                        print_error(r);
                    }
                };
                if (response.is_array()) {
                    for (const auto& r : response) show(r);
                } else {
                    show(response);
                }
            } else if (o->format == "csv" || o->format == "jsonl") {
                // Failures go to stderr, so what stdout holds is always the table.
                const auto failed = [](const json& r) { return !queries::response_ok(r); };
                if (response.is_array()) {
                    for (const auto& r : response) {
                        if (failed(r)) print_error(r);
                    }
                } else if (failed(response)) {
                    print_error(response);
                    return failure_code(response);
                }
                if (auto why = write_rows(std::cout, response, o->format, o->rows)) {
                    std::cerr << "smorg: " << *why << '\n';
                    return queries::response_ok(response) ? kUsage : failure_code(response);
                }
            } else {
                print_json(response, o->compact);
            }
            return queries::response_ok(response) ? kOk : failure_code(response);
        };
    });
}

}  // namespace smorg::cli
