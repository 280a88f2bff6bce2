#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli.h"
#include "silos_report.h"

namespace smorg::cli {

void add_silos(CLI::App& app, Globals& globals, Command& command) {
    struct Options {
        std::string db, group_by, svg;
        std::vector<std::string> edge_kinds;
        std::uint32_t permutations = 1000;
        bool json_output = false;
    };
    auto o = std::make_shared<Options>();
    auto* sub = app.add_subcommand("silos", "Map the silos: which groups do not talk, who bridges them, where the wall is");
    sub->footer(
        "Runs the silos query and prints it as a report; --svg draws the map with Graphviz.\n\n"
        "Example:\n  smorg silos --db org.db --svg map.svg\n"
        "  smorg silos --db eu.db --group-by department --edge-kinds communication --permutations 200");
    sub->add_option("--db", o->db, "Database file")->required();
    sub->add_option("--group-by", o->group_by, "The grouping attribute (default department)");
    sub->add_option("--edge-kinds", o->edge_kinds, "Edge kinds that make ties (default communication)")->delimiter(',');
    sub->add_option("--permutations", o->permutations, "Label permutations for the E-I p-values (default 1000; 0: none)");
    sub->add_option("--svg", o->svg, "Write the silo map as SVG to this file");
    sub->add_flag("--json", o->json_output, "Print the JSON response instead of the report");
    sub->callback([o, &globals, &command] {
        command = [o, &globals]() -> int {
            json request = {{"op", "silos"}, {"permutations", o->permutations}};
            if (!o->group_by.empty()) request["group_by"] = o->group_by;
            if (!o->edge_kinds.empty()) request["edge_kinds"] = o->edge_kinds;
            if (!o->svg.empty()) request["svg"] = o->svg;
            const auto [response, code] =
                run_request(o->db, engine_options(globals, false, true), request, globals, o->json_output);
            if (code != kOk) return code;
            if (!o->json_output) print_silos_report(std::cout, response["result"]);
            return kOk;
        };
    });
}

void add_export(CLI::App& app, Globals& globals, Command& command) {
    struct Options {
        std::string db, format, out, attach, since, until;
        std::vector<std::string> node_kinds, edge_kinds;
        bool undirected = false;
    };
    auto o = std::make_shared<Options>();
    auto* sub = app.add_subcommand("export", "Write the graph (and analysis results) as GraphML, GEXF for Gephi, or DOT");
    sub->footer(
        "--attach takes a JSON array of queries whose per-person numbers become node attributes.\n\n"
        "Example:\n  smorg export --db org.db --format gexf --out org.gexf --edge-kinds communication \\\n"
        "    --attach '[{\"op\": \"communities\"}, {\"op\": \"centrality\", \"algorithm\": \"pagerank\"}]'");
    sub->add_option("--db", o->db, "Database file")->required();
    sub->add_option("--format", o->format, "graphml, gexf or dot")->required()->check(CLI::IsMember({"graphml", "gexf", "dot"}));
    sub->add_option("--out", o->out, "Output file")->required();
    sub->add_option("--node-kinds", o->node_kinds, "Only people of these kinds")->delimiter(',');
    sub->add_option("--edge-kinds", o->edge_kinds, "Only edges of these kinds")->delimiter(',');
    sub->add_option("--since", o->since, "Only edges from this time (epoch seconds or ISO-8601)");
    sub->add_option("--until", o->until, "Only edges before this time");
    sub->add_flag("--undirected", o->undirected, "Declare the graph undirected");
    sub->add_option("--attach", o->attach, "JSON array of queries to attach as node attributes");
    sub->callback([o, &globals, &command] {
        command = [o, &globals]() -> int {
            json request = {{"op", "export"}, {"format", o->format}, {"out", o->out}};
            if (!o->node_kinds.empty()) request["node_kinds"] = o->node_kinds;
            if (!o->edge_kinds.empty()) request["edge_kinds"] = o->edge_kinds;
            if (!o->since.empty()) request["since"] = o->since;
            if (!o->until.empty()) request["until"] = o->until;
            if (o->undirected) request["directed"] = false;
            if (!o->attach.empty()) {
                try {
                    request["attach"] = json::parse(o->attach);
                } catch (const json::parse_error& e) {
                    std::cerr << "smorg: --attach is not valid JSON: " << e.what() << '\n';
                    return kUsage;
                }
            }
            const auto [response, code] = run_request(o->db, engine_options(globals, false, true), request, globals, false);
            if (code != kOk) return code;
            const auto& r = response["result"];
            std::cout << "wrote " << r["file"].get<std::string>() << " (" << r["format"].get<std::string>() << "): " << r["nodes"]
                      << " nodes, " << r["edges"] << " edges";
            if (!r["attached"].empty()) std::cout << ", attributes " << queries::to_text(r["attached"]);
            std::cout << '\n';
            return kOk;
        };
    });
}

}  // namespace smorg::cli
