// An R-MAT (Kronecker) graph with GAPBS's `-g` parameters (a = 0.57, b = c = 0.19, `degree` edges
// drawn per node), written as a plain undirected edge list that every peer reads the same way: each
// tie once as "u v" with u < v, no self-loops, no repeats, nodes without a tie dropped and the rest
// numbered 0 .. n-1 in a random order (as GAPBS permutes its ids). Deterministic for a seed at any
// thread count.
//   smorg_bench_rmat --scale S [--degree D] [--seed X] --out FILE
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include "smorg/graph/random.h"

using smorg::graph::Rng;

int main(int argc, char** argv) {
    int scale = 0, degree = 16;
    std::uint64_t seed = 1;
    std::string out_path;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--scale")
            scale = std::stoi(argv[i + 1]);
        else if (arg == "--degree")
            degree = std::stoi(argv[i + 1]);
        else if (arg == "--seed")
            seed = std::stoull(argv[i + 1]);
        else if (arg == "--out")
            out_path = argv[i + 1];
    }
    if (scale < 1 || scale > 30 || degree < 1 || degree > 1000 || out_path.empty()) {
        std::cerr << "usage: smorg_bench_rmat --scale 1..30 [--degree D] [--seed X] --out FILE\n";
        return 2;
    }
    const std::uint64_t n = std::uint64_t{1} << scale;
    const std::uint64_t m = n * static_cast<std::uint64_t>(degree);
    constexpr std::uint64_t kBlock = 1 << 16;
    const double a = 0.57, b = 0.19, c = 0.19;

    // A random relabelling, as GAPBS applies one: a Fisher-Yates shuffle from the seed.
    std::vector<std::uint32_t> label(n);
    for (std::uint64_t i = 0; i < n; ++i) label[i] = static_cast<std::uint32_t>(i);
    Rng shuffle = Rng::stream(seed, ~std::uint64_t{0});
    for (std::uint64_t i = n - 1; i > 0; --i) std::swap(label[i], label[shuffle.below(i + 1)]);

    std::vector<std::uint64_t> pairs(m);
    tbb::parallel_for(tbb::blocked_range<std::uint64_t>(0, (m + kBlock - 1) / kBlock, 1), [&](const auto& r) {
        for (auto block = r.begin(); block != r.end(); ++block) {
            Rng rng = Rng::stream(seed, block);
            for (std::uint64_t e = block * kBlock; e < std::min(m, (block + 1) * kBlock); ++e) {
                std::uint64_t u = 0, v = 0;
                for (int level = 0; level < scale; ++level) {
                    const double x = rng.uniform();
                    const std::uint64_t bit = std::uint64_t{1} << level;
                    if (x < a) {
                    } else if (x < a + b) {
                        v |= bit;
                    } else if (x < a + b + c) {
                        u |= bit;
                    } else {
                        u |= bit;
                        v |= bit;
                    }
                }
                std::uint64_t s = label[u], t = label[v];
                if (s > t) std::swap(s, t);
                pairs[e] = s == t ? ~std::uint64_t{0} : (s << 32 | t);
            }
        }
    });
    tbb::parallel_sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    if (!pairs.empty() && pairs.back() == ~std::uint64_t{0}) pairs.pop_back();

    // Nodes that kept a tie, numbered densely in their (random) label order.
    std::vector<std::uint32_t> dense(n, 0);
    for (auto p : pairs) dense[p >> 32] = dense[p & 0xffffffffu] = 1;
    std::uint32_t nodes = 0;
    for (auto& d : dense) d = d ? nodes++ : 0;

    FILE* out = std::fopen(out_path.c_str(), "w");
    if (!out) {
        std::cerr << "cannot write " << out_path << ": " << std::strerror(errno) << "\n";
        return 1;
    }
    std::vector<char> buffer(1 << 20);
    std::size_t used = 0;
    for (auto p : pairs) {
        if (used + 32 > buffer.size()) {
            std::fwrite(buffer.data(), 1, used, out);
            used = 0;
        }
        used +=
            static_cast<std::size_t>(std::snprintf(buffer.data() + used, 32, "%u %u\n", dense[p >> 32], dense[p & 0xffffffffu]));
    }
    std::fwrite(buffer.data(), 1, used, out);
    if (std::fclose(out) != 0) {
        std::cerr << "cannot write " << out_path << "\n";
        return 1;
    }
    std::printf("{\"nodes\": %u, \"edges\": %zu}\n", nodes, pairs.size());
    return 0;
}
