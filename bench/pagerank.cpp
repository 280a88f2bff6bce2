// PageRank on a database's graph (directed, unweighted, as the exported edge list peers read):
// view build time, then either a fixed number of sweeps (seconds per iteration) or a run to a
// tolerance (time to converge).
//   smorg_bench_pagerank --db F [--threads N] [--iterations K | --tolerance T] [--scores FILE]
#include "smorg/engine/centrality/pagerank.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include <tbb/global_control.h>

#include "smorg/importers/database.h"

using namespace smorg;

int main(int argc, char** argv) {
    std::string db_path, scores_path;
    int threads = 0, iterations = 0;
    double tolerance = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--db")
            db_path = argv[i + 1];
        else if (arg == "--threads")
            threads = std::stoi(argv[i + 1]);
        else if (arg == "--iterations")
            iterations = std::stoi(argv[i + 1]);
        else if (arg == "--tolerance")
            tolerance = std::stod(argv[i + 1]);
        else if (arg == "--scores")
            scores_path = argv[i + 1];
    }
    if (db_path.empty() || (iterations <= 0) == (tolerance <= 0)) {
        std::cerr << "usage: smorg_bench_pagerank --db F [--threads N] (--iterations K | --tolerance T) [--scores FILE]\n";
        return 2;
    }
    std::optional<tbb::global_control> limit;
    if (threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    const auto db = importers::Database::open(db_path, {.create = false});
    const auto g = db->snapshot();
    engine::PageRankParams p;
    p.subgraph.weighted = false;
    if (iterations > 0) {
        p.tolerance = 1e-300;  // never converges early: exactly `iterations` sweeps
        p.max_iterations = iterations;
    } else {
        p.tolerance = tolerance;
        p.max_iterations = 10000;
    }
    // The view alone, then the whole entry (which builds it again): the sweeps are the difference.
    auto t0 = std::chrono::steady_clock::now();
    const auto view = graph::Subgraph::of(*g, p.subgraph);
    auto t1 = std::chrono::steady_clock::now();
    engine::RunContext run;
    run.set_limits({1e18, 1e18});
    const auto r = engine::pagerank(*g, p, run);
    auto t2 = std::chrono::steady_clock::now();
    const double view_seconds = std::chrono::duration<double>(t1 - t0).count();
    const double seconds = std::max(0.0, std::chrono::duration<double>(t2 - t1).count() - view_seconds);
    if (!scores_path.empty()) {
        FILE* out = std::fopen(scores_path.c_str(), "w");
        for (graph::NodeIndex u = 0; u < view.node_count(); ++u) std::fprintf(out, "%.17g\n", r.score[u]);
        std::fclose(out);
    }
    std::printf(
        "{\"nodes\": %u, \"arcs\": %llu, \"view_seconds\": %.6f, \"seconds\": %.6f, \"iterations\": %d, "
        "\"seconds_per_iteration\": %.6f, \"converged\": %s}\n",
        view.node_count(), static_cast<unsigned long long>(view.arc_count()), view_seconds, seconds, r.iterations,
        seconds / r.iterations, r.converged ? "true" : "false");
    return 0;
}
