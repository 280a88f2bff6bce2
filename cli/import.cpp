#include <iomanip>
#include <iostream>

#include "cli.h"

namespace smorg::cli {

void add_import(CLI::App& app, Globals& globals, Command& command) {
    struct Options {
        std::string db;
        std::vector<std::string> nodes, edges;
        std::string format, columns, edge_kind, node_kind, node_kind_from, edge_kind_from, labels, label_attribute, provenance;
        bool create_missing = false;
        bool json_output = false;
        std::size_t max_errors = 100;
    };
    auto o = std::make_shared<Options>();
    auto* sub = app.add_subcommand("import", "Import a batch of nodes and edges from files into a database");
    sub->footer(
        "Formats: CSV (nodes: id,kind,... with any further columns as attributes; edges:\n"
        "source,target[,kind,weight,timestamp,value]), JSON Lines (one node or edge object per line),\n"
        "edge lists as SNAP publishes them (whitespace or comma separated, # comments), and graph files\n"
        "holding nodes and edges together: GraphML, GEXF, GML and Pajek (give them as --nodes or --edges).\n"
        "Any of them may be gzipped (.gz).\n"
        "A batch lands whole or not at all: any error lists file:line:column and nothing is stored.\n\n"
        "Examples:\n"
        "  smorg import --db org.db --nodes nodes.csv --edges edges.csv\n"
        "  smorg import --db eu.db --edges email-Eu-core.txt --edge-kind communication --node-kind employee \\\n"
        "               --labels email-Eu-core-department-labels.txt --label-attribute department\n"
        "  smorg import --db k.db --edges Krack-High-Tec-edgelist-Advice.txt --columns source,target,weight\n"
        "  smorg import --db karate.db --edges karate.gml --node-kind member");
    sub->add_option("--db", o->db, "Database file (created when missing)")->required();
    sub->add_option("--nodes", o->nodes, "Node file(s): CSV, JSON Lines or graph files");
    sub->add_option("--edges", o->edges, "Edge file(s): CSV, JSON Lines, edge lists or graph files");
    sub->add_option("--format", o->format,
                    "csv, jsonl, edgelist, graphml, gexf, gml or pajek (default: by file extension, else by content)")
        ->check(CLI::IsMember({"csv", "jsonl", "edgelist", "graphml", "gexf", "gml", "pajek"}));
    sub->add_option("--columns", o->columns,
                    "Edge lists: what each column is, comma separated (source,target,weight,timestamp,value,kind,skip); "
                    "default source,target");
    sub->add_option("--edge-kind", o->edge_kind, "Kind of the edges of an edge list (default interaction)");
    sub->add_option("--node-kind", o->node_kind, "Kind of nodes first named by an edge list or labels file (default unknown)");
    sub->add_option("--node-kind-from", o->node_kind_from,
                    "Graph files: the node attribute that gives each node's kind (default kind, else --node-kind)");
    sub->add_option("--edge-kind-from", o->edge_kind_from,
                    "Graph files: the edge attribute that gives each edge's kind (default kind, else --edge-kind)");
    sub->add_option("--labels", o->labels, "A labels file: 'node value' per line");
    sub->add_option("--label-attribute", o->label_attribute, "The attribute the labels set (default label)");
    sub->add_option("--provenance", o->provenance, "owned (default), copied, borrowed or displayed")
        ->check(CLI::IsMember({"owned", "copied", "borrowed", "displayed"}));
    sub->add_flag("--create-missing", o->create_missing, "Create nodes that edges name but no node file defines (kind unknown)");
    sub->add_option("--max-errors", o->max_errors, "Errors listed before giving up (default 100)")->check(CLI::PositiveNumber);
    sub->add_flag("--json", o->json_output, "Print the JSON response instead of a summary");
    sub->callback([o, &globals, &command] {
        command = [o, &globals]() -> int {
            json request = {{"op", "import"}};
            if (!o->nodes.empty()) request["nodes"] = o->nodes;
            if (!o->edges.empty()) request["edges"] = o->edges;
            if (!o->format.empty()) request["format"] = o->format;
            if (!o->columns.empty()) {
                std::vector<std::string> columns;
                std::stringstream in(o->columns);
                for (std::string c; std::getline(in, c, ',');) columns.push_back(c);
                request["columns"] = columns;
            }
            if (!o->edge_kind.empty()) request["edge_kind"] = o->edge_kind;
            if (!o->node_kind.empty()) request["node_kind"] = o->node_kind;
            if (!o->node_kind_from.empty()) request["node_kind_from"] = o->node_kind_from;
            if (!o->edge_kind_from.empty()) request["edge_kind_from"] = o->edge_kind_from;
            if (!o->labels.empty()) request["labels"] = o->labels;
            if (!o->label_attribute.empty()) request["label_attribute"] = o->label_attribute;
            if (!o->provenance.empty()) request["provenance"] = o->provenance;
            if (o->create_missing) request["create_missing"] = true;
            request["max_errors"] = o->max_errors;
            if (o->provenance == "borrowed" || o->provenance == "displayed") {
                std::cerr << "smorg: " << o->provenance
                          << " data is kept in memory only, for one analysis; a separate import\n"
                             "command would forget it at once. Send the import and your queries as one batch:\n"
                             "  smorg query --db "
                          << o->db << " '[{\"op\":\"import\",...,\"provenance\":\"" << o->provenance << "\"}, {...}]'\n";
                return kUsage;
            }
            const auto [response, code] = run_request(o->db, engine_options(globals, true), request, globals, o->json_output);
            if (code != kOk) return code;
            if (!o->json_output) {
                const auto& r = response["result"];
                std::cout << "imported batch " << r["batch"] << " (" << r["provenance"].get<std::string>() << ") into " << o->db
                          << ": " << r["nodes_added"] << " nodes added, " << r["nodes_updated"] << " updated, "
                          << r["missing_nodes_created"] << " created from edges, " << r["edges_added"] << " edges";
                if (r["edges_skipped_zero_weight"].get<std::uint64_t>() > 0) {
                    std::cout << " (" << r["edges_skipped_zero_weight"] << " lines with weight 0 skipped)";
                }
                if (r["undirected_edges"].get<std::uint64_t>() > 0) {
                    std::cout << " (" << r["undirected_edges"] << " undirected: query them with \"directed\": false)";
                }
                std::cout << ", " << r["lines"] << " lines in " << std::fixed << std::setprecision(2)
                          << r["seconds"].get<double>() << std::defaultfloat << " s\n";
                for (const auto& d : r["dropped"]) {
                    std::cout << "  not kept: " << d["element"].get<std::string>() << " " << d["name"].get<std::string>() << " ("
                              << d["count"] << " in " << d["file"].get<std::string>() << "): smorg's graph has no place for it\n";
                }
            }
            return kOk;
        };
    });
}

}  // namespace smorg::cli
