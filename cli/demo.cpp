#include "demo.h"

#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "smorg/queries/sample.h"

namespace smorg::cli {

namespace {

struct Section {
    const char* title;
    void (*run)(DemoContext&);
};

constexpr Section kSections[] = {
    {"The organization", demo_overview},
    {"Reach: who sits at the centre of referrals and conversations", demo_reach},
    {"Advocates: who brings customers, and who could", demo_advocates},
    {"Silos: where the organization does not talk to itself", demo_silos},
};

}  // namespace

json DemoContext::ask(const json& request, bool show_request) {
    if (show_request) out << "\n$ smorg query --db " << db_path << " '" << queries::to_text(request) << "'\n";
    const auto response = engine.execute(request, run);
    if (!queries::response_ok(response)) {
        if (failure_code(response) == kInterrupted) throw Interrupted{};
        print_error(response);
        throw std::runtime_error("a demo query failed");
    }
    return response["result"];
}

void demo_overview(DemoContext& ctx) {
    const auto stats = ctx.ask({{"op", "stats"}});
    ctx.out << "  " << stats["nodes"] << " people and " << stats["edges"] << " ties\n";
    json rows = json::array();
    for (const auto& [kind, n] : stats["nodes_by_kind"].items()) rows.push_back({{"kind", kind}, {"nodes", n}});
    print_table(ctx.out, rows, {"kind", "nodes"});
    rows = json::array();
    for (const auto& [kind, n] : stats["edges_by_kind"].items()) rows.push_back({{"edge kind", kind}, {"edges", n}});
    print_table(ctx.out, rows, {"edge kind", "edges"});
}

void demo_reach(DemoContext& ctx) {
    auto pagerank =
        ctx.ask({{"op", "centrality"}, {"algorithm", "pagerank"}, {"edge_kinds", {"referral", "interaction"}}, {"top", 10}});
    ctx.out << "  top 10 by PageRank over referral and interaction ties (" << pagerank["iterations"] << " iterations)\n";
    print_table(ctx.out, pagerank["rows"]);
    auto inside = ctx.ask({{"op", "centrality"},
                           {"algorithm", "degree"},
                           {"edge_kinds", {"communication"}},
                           {"directed", false},
                           {"weighted", false},
                           {"top", 5}});
    ctx.out << "  the best-connected employees (ties over internal communication)\n";
    print_table(ctx.out, inside["rows"]);
}

void add_demo(CLI::App& app, Globals& globals, Command& command) {
    struct Options {
        std::string dir;
        queries::SampleOrgParams params;
    };
    auto o = std::make_shared<Options>();
    o->dir = (std::filesystem::temp_directory_path() / "smorg-demo").string();
    auto* sub = app.add_subcommand("demo", "Generate the sample organization, import it and show what smorg finds");
    sub->add_option("--dir", o->dir, "Where the sample files and database go (default: <tmp>/smorg-demo)");
    sub->add_option("--customers", o->params.customers, "Customers in the sample (default 1500)")
        ->check(CLI::Range(10u, 10'000'000u));
    sub->add_option("--employees", o->params.employees, "Employees in the sample (default 120)")
        ->check(CLI::Range(10u, 1'000'000u));
    sub->add_option("--seed", o->params.seed, "Random seed (default 1)");
    sub->callback([o, &globals, &command] {
        command = [o, &globals]() -> int {
            std::filesystem::create_directories(o->dir);
            const auto db = (std::filesystem::path(o->dir) / "sample.db").string();
            for (const char* suffix : {"", "-wal", "-shm", ".snapshot"}) std::filesystem::remove(db + suffix);
            std::cout << "smorg demo: a sample organization of " << o->params.employees << " employees and "
                      << o->params.customers << " customers\n";
            const auto report = queries::generate_sample_org(o->dir, o->params, progress_printer(globals));
            end_progress();
            auto options = engine_options(globals, true);
            options.output_dir = o->dir;  // the map goes beside the sample files
            options.allow_absolute_output = true;
            queries::QueryEngine engine(db, options);
            queries::RunContext run(progress_printer(globals));
            InterruptGuard guard(run);
            const auto imported = engine.execute(
                {{"op", "import"}, {"nodes", report.nodes_file.string()}, {"edges", report.edges_file.string()}}, run);
            end_progress();
            if (!queries::response_ok(imported)) {
                print_error(imported);
                return failure_code(imported);
            }
            std::cout << "imported " << report.nodes_file.string() << " and " << report.edges_file.string() << " into " << db
                      << '\n';
            queries::RunContext sections;  // they print tables, not progress lines
            InterruptGuard section_guard(sections);
            DemoContext ctx{engine, sections, std::cout, db, o->dir};
            try {
                for (const auto& section : kSections) {
                    std::cout << "\n=== " << section.title << " ===\n";
                    section.run(ctx);
                }
            } catch (const Interrupted&) {
                std::cerr << "smorg: interrupted\n";
                return kInterrupted;
            }
            std::cout << "\nThe database stays at " << db << "; try for example:\n  smorg query --db " << db
                      << " '{\"op\": \"node\", \"id\": \"c000042\"}'\n"
                      << "\nSee it in a browser (advocates, the silo map, referral value, a query box):\n  smorg serve --db "
                      << db << "\n  then open the console at http://127.0.0.1:7474/ (xdg-open http://127.0.0.1:7474/)\n";
            return kOk;
        };
    });
}

}  // namespace smorg::cli
