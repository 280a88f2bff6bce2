#include <iostream>

#include "smorg/graph/time.h"
#include "smorg/queries/sample.h"

#include "cli.h"

namespace smorg::cli {

namespace {

// An option holding a date (a timestamp as imports take it), refused with what was expected.
void date_option(CLI::App* sub, const std::string& name, std::optional<graph::Timestamp>& target, const std::string& help) {
    sub->add_option_function<std::string>(
           name,
           [name, &target](const std::string& text) {
               const auto t = graph::parse_timestamp(text);
               if (!t) throw CLI::ValidationError(name, "expected a date like 2023-07-01, got '" + text + "'");
               target = *t;
           },
           help)
        ->type_name("DATE");
}

}  // namespace

void add_generate(CLI::App& app, Globals& globals, Command& command) {
    struct Options {
        std::string out;
        queries::SampleOrgParams params;
    };
    auto o = std::make_shared<Options>();
    auto* sub = app.add_subcommand("generate", "Write the built-in sample organization as CSV (nodes.csv, edges.csv)");
    sub->footer(
        "Departments that talk more inside than across (Engineering and Support barely talk), a reporting\n"
        "hierarchy, customers who refer customers in chains, influencers who are not customers, employees\n"
        "who engage customers. Deterministic for a seed; scales to tens of millions of edges.\n\n"
        "Example:\n  smorg generate --out org --customers 5000 && smorg import --db org.db --nodes org/nodes.csv --edges "
        "org/edges.csv");
    sub->add_option("--out", o->out, "Output folder (created when missing)")->required();
    sub->add_option("--employees", o->params.employees, "Employees (default 120)")->check(CLI::Range(10u, 10'000'000u));
    sub->add_option("--customers", o->params.customers, "Customers (default 1500)")->check(CLI::Range(10u, 100'000'000u));
    sub->add_option("--influencers", o->params.influencers, "Influencers (default 15)");
    sub->add_option("--prospects", o->params.prospects, "Prospects (default customers / 5)");
    sub->add_option("--partners", o->params.partners, "Partners (default customers / 500, at least 3)");
    sub->add_option("--interactions-per-customer", o->params.interactions_per_customer,
                    "Mean customer-to-customer interactions per customer (default 4)")
        ->check(CLI::Range(0.0, 1000.0));
    sub->add_option("--seed", o->params.seed, "Random seed (default 1)");
    date_option(sub, "--wall-opens", o->params.wall_opens,
                "A planted event: from this date on, Engineering and Support talk like any other pair of departments");
    date_option(sub, "--champion-stops", o->params.champion_stops,
                "A planted event: from this date on, the leading champion (c000001) refers no one");
    sub->callback([o, &globals, &command] {
        command = [o, &globals]() -> int {
            const auto report = queries::generate_sample_org(o->out, o->params, progress_printer(globals));
            end_progress();
            std::uint64_t nodes = 0, edges = 0;
            for (const auto& [kind, n] : report.nodes_by_kind) nodes += n;
            for (const auto& [kind, n] : report.edges_by_kind) edges += n;
            std::cout << "wrote " << report.nodes_file.string() << " (" << nodes << " nodes) and " << report.edges_file.string()
                      << " (" << edges << " edges), " << static_cast<double>(report.bytes) / 1e6 << " MB\n  nodes:";
            for (const auto& [kind, n] : report.nodes_by_kind) std::cout << ' ' << kind << '=' << n;
            std::cout << "\n  edges:";
            for (const auto& [kind, n] : report.edges_by_kind) std::cout << ' ' << kind << '=' << n;
            std::cout << '\n';
            return kOk;
        };
    });
}

}  // namespace smorg::cli
