#include <algorithm>
#include <limits>
#include <tuple>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "smorg/graph/random.h"

#include "map.h"

namespace smorg::engine::silo {

// Introductions for the five most cut-off pairs: people whose new tie would most raise the mean
// 1 / distance between the two groups' members (harmonic, so unreachable pairs count as 0).
void introductions(Map& m, SilosResult& r) {
    const auto& group = m.group;
    const auto& params = m.p;
    auto& run = m.run;
    const auto& undirected = m.ties_view;
    const NodeIndex n = undirected.node_count();
    if (params.introductions == 0 || r.cut_off.empty()) return;
    constexpr std::size_t kSample = 100;  // members per group whose distances are measured
    // Their random streams: one per pair, numbered from here (the permutation test's streams are
    // numbered from 0, one per permutation).
    constexpr std::uint64_t kIntroductionStreams = 0x5115;
    auto bfs = [&](NodeIndex s) {
        std::vector<std::uint32_t> d(n, std::numeric_limits<std::uint32_t>::max());
        std::vector<NodeIndex> queue{s};
        d[s] = 0;
        for (std::size_t h = 0; h < queue.size(); ++h) {
            for (auto v : undirected.out_neighbors(queue[h])) {
                if (d[v] == std::numeric_limits<std::uint32_t>::max()) {
                    d[v] = d[queue[h]] + 1;
                    queue.push_back(v);
                }
            }
        }
        return d;
    };
    for (std::size_t pair = 0; pair < r.cut_off.size() && pair < kIntroducedPairs; ++pair) {
        run.throw_if_cancelled();
        const auto& cell = r.cut_off[pair];
        std::vector<NodeIndex> A, B;
        for (auto u : undirected.nodes()) {
            if (group[u] == cell.a) A.push_back(u);
            if (group[u] == cell.b) B.push_back(u);
        }
        graph::Rng rng = graph::Rng::stream(params.seed, kIntroductionStreams + pair);
        auto sample = [&](std::vector<NodeIndex>& v) {
            graph::shuffle_prefix(v, kSample, rng);
            if (v.size() > kSample) v.resize(kSample);
        };
        sample(A);
        sample(B);
        std::vector<std::vector<std::uint32_t>> dA(A.size()), dB(B.size());
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, A.size() + B.size(), 1), [&](const auto& range) {
            for (auto i = range.begin(); i != range.end(); ++i) {
                if (i < A.size()) {
                    dA[i] = bfs(A[i]);
                } else {
                    dB[i - A.size()] = bfs(B[i - A.size()]);
                }
            }
        });
        auto inverse = [](std::uint32_t d) { return d == std::numeric_limits<std::uint32_t>::max() ? 0.0 : 1.0 / d; };
        // Candidates: the ten members of each side closest (harmonically) to their own side.
        auto central = [&](const std::vector<NodeIndex>& side, const std::vector<std::vector<std::uint32_t>>& dist) {
            std::vector<std::pair<double, NodeIndex>> score;
            for (auto a : side) {
                double h = 0;
                for (const auto& d : dist) h += d[a] == 0 ? 0.0 : inverse(d[a]);
                score.emplace_back(-h, a);
            }
            std::sort(score.begin(), score.end());
            std::vector<NodeIndex> out;
            for (std::size_t i = 0; i < score.size() && i < 10; ++i) out.push_back(score[i].second);
            return out;
        };
        const auto ca = central(A, dA), cb = central(B, dB);
        std::vector<std::tuple<double, NodeIndex, NodeIndex>> options;
        for (auto a : ca) {
            for (auto b : cb) {
                double gain = 0;
                for (std::size_t x = 0; x < A.size(); ++x) {
                    const auto xa = dA[x][a];
                    if (xa == std::numeric_limits<std::uint32_t>::max()) continue;
                    for (std::size_t y = 0; y < B.size(); ++y) {
                        const auto by = dB[y][b];
                        if (by == std::numeric_limits<std::uint32_t>::max()) continue;
                        const auto now = dA[x][B[y]];
                        const auto via = xa + 1 + by;
                        if (via < now) gain += 1.0 / via - inverse(now);
                    }
                }
                options.emplace_back(-gain, a, b);
            }
        }
        std::sort(options.begin(), options.end());
        const double pairs = static_cast<double>(A.size() * B.size());
        // The best options that do not lean on someone already suggested for this pair.
        std::vector<NodeIndex> used;
        std::size_t taken = 0;
        for (const auto& [gain, a, b] : options) {
            if (taken == params.introductions || -gain <= 0) break;
            if (std::find(used.begin(), used.end(), a) != used.end() || std::find(used.begin(), used.end(), b) != used.end()) {
                continue;
            }
            used.push_back(a);
            used.push_back(b);
            r.introductions.push_back({cell.a, cell.b, a, b, -gain / pairs});
            ++taken;
        }
    }
}

}  // namespace smorg::engine::silo
