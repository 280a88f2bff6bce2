// Writes a database's graph as a plain edge list "u v [w]" by smorg's node index, one arc per line,
// exactly as an algorithm sees it (parallel arcs merged, kinds filtered), so that peers in a
// benchmark load the very same graph.
//   smorg_bench_export_edgelist --db F --out F [--weighted] [--undirected] [--edge-kinds a,b]
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>

#include "smorg/graph/subgraph.h"
#include "smorg/importers/database.h"

using namespace smorg;

int main(int argc, char** argv) {
    std::string db_path, out_path;
    graph::SubgraphSpec spec;
    spec.weighted = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--db" && i + 1 < argc) {
            db_path = argv[++i];
        } else if (arg == "--out" && i + 1 < argc) {
            out_path = argv[++i];
        } else if (arg == "--weighted") {
            spec.weighted = true;
        } else if (arg == "--undirected") {
            spec.directed = false;
        } else if (arg == "--edge-kinds" && i + 1 < argc) {
            std::stringstream kinds(argv[++i]);
            for (std::string k; std::getline(kinds, k, ',');) spec.edge_kinds.push_back(k);
        } else {
            std::cerr << "usage: smorg_bench_export_edgelist --db F --out F [--weighted] [--undirected] [--edge-kinds a,b]\n";
            return 2;
        }
    }
    if (db_path.empty() || out_path.empty()) {
        std::cerr << "--db and --out are required\n";
        return 2;
    }
    const auto db = importers::Database::open(db_path, {.create = false});
    const auto g = db->snapshot();
    const auto view = graph::Subgraph::of(*g, spec);
    FILE* out = std::fopen(out_path.c_str(), "w");
    if (!out) {
        std::cerr << "cannot write " << out_path << ": " << std::strerror(errno) << '\n';
        return 1;
    }
    std::uint64_t arcs = 0;
    for (graph::NodeIndex u = 0; u < view.node_count(); ++u) {
        const auto targets = view.out_neighbors(u);
        const auto weights = view.out_weights(u);
        for (std::size_t k = 0; k < targets.size(); ++k) {
            // Undirected views list each tie from both ends; write it once.
            if (!spec.directed && targets[k] < u) continue;
            if (spec.weighted) {
                std::fprintf(out, "%u %u %.17g\n", u, targets[k], weights[k]);
            } else {
                std::fprintf(out, "%u %u\n", u, targets[k]);
            }
            ++arcs;
        }
    }
    std::fclose(out);
    std::cout << "{\"nodes\": " << view.node_count() << ", \"arcs\": " << arcs << "}\n";
    return 0;
}
