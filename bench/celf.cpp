// CELF greedy influence maximization (Leskovec et al. 2007) with Monte Carlo spread estimates: the
// classic baseline IMM is measured against. Lives here, not in the product: it is far too slow for
// real graphs, which is the point of the comparison.
//   smorg_bench_celf --db F --k K [--simulations S] [--evaluate S] [--epsilon E]
// Prints JSON: CELF's and IMM's seeds, their spreads measured the same way, and both times.
#include <chrono>
#include <iostream>
#include <queue>
#include <string>

#include "smorg/engine/referral/seeds.h"
#include "smorg/engine/referral/spread.h"
#include "smorg/importers/database.h"

using namespace smorg;

int main(int argc, char** argv) {
    std::string db_path;
    std::uint32_t k = 10;
    std::uint64_t simulations = 500, evaluate = 20000;
    double epsilon = 0.1;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--db")
            db_path = argv[i + 1];
        else if (arg == "--k")
            k = static_cast<std::uint32_t>(std::stoul(argv[i + 1]));
        else if (arg == "--simulations")
            simulations = std::stoull(argv[i + 1]);
        else if (arg == "--evaluate")
            evaluate = std::stoull(argv[i + 1]);
        else if (arg == "--epsilon")
            epsilon = std::stod(argv[i + 1]);
    }
    if (db_path.empty()) {
        std::cerr << "usage: smorg_bench_celf --db F --k K [--simulations S] [--evaluate S] [--epsilon E]\n";
        return 2;
    }
    const auto db = importers::Database::open(db_path, {.create = false});
    const auto g = db->snapshot();
    const auto view = graph::Subgraph::of(*g, {});
    engine::RunContext run;
    auto spread_of = [&](const std::vector<graph::NodeIndex>& seeds, std::uint64_t sims) {
        engine::SpreadParams sp;
        sp.seeds = seeds;
        sp.simulations = sims;
        sp.seed = 99;
        return engine::spread(*g, sp, run).mean;
    };

    const auto t0 = std::chrono::steady_clock::now();
    // CELF: a max-heap of (stale marginal gain, node, round it was computed in).
    using Entry = std::tuple<double, graph::NodeIndex, std::uint32_t>;
    std::priority_queue<Entry> heap;
    for (auto u : view.nodes()) heap.emplace(spread_of({u}, simulations), u, 0);
    std::vector<graph::NodeIndex> celf;
    double current = 0;
    std::uint64_t evaluations = view.nodes().size();
    while (celf.size() < k && !heap.empty()) {
        auto [gain, u, round] = heap.top();
        heap.pop();
        if (round == celf.size()) {
            celf.push_back(u);
            current += gain;
            continue;
        }
        auto with = celf;
        with.push_back(u);
        heap.emplace(spread_of(with, simulations) - current, u, static_cast<std::uint32_t>(celf.size()));
        ++evaluations;
    }
    const double celf_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    const auto t1 = std::chrono::steady_clock::now();
    engine::SeedsParams sp;
    sp.k = k;
    sp.epsilon = epsilon;
    sp.simulations = 1;
    const auto imm = engine::seeds(*g, sp, run);
    const double imm_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();

    std::cout << "{\"nodes\": " << view.nodes().size() << ", \"k\": " << k << ", \"celf_seconds\": " << celf_seconds
              << ", \"celf_evaluations\": " << evaluations << ", \"celf_spread\": " << spread_of(celf, evaluate)
              << ", \"imm_seconds\": " << imm_seconds << ", \"imm_rr_sets\": " << imm.rr_sets
              << ", \"imm_spread\": " << spread_of(imm.seeds, evaluate) << "}\n";
    return 0;
}
