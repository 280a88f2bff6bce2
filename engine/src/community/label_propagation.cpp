#include <algorithm>
#include <numeric>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "smorg/graph/random.h"
#include "smorg/graph/ranks.h"

#include "clustering.h"
#include "numbering.h"
#include "parallel.h"
#include "partition.h"

namespace smorg::engine::clustering {

using graph::NodeIndex;

CommunityResult label_propagation(const graph::Subgraph& view, const CommunityParams& p, RunContext& run) {
    CommunityResult r;
    r.nodes = view.nodes();
    r.isolated = view.isolated();
    r.levels = 1;
    r.iterations = 1;
    std::vector<std::uint32_t> dense;
    const Level l = level_from(view, dense);
    std::vector<std::uint32_t> label(l.n);
    std::iota(label.begin(), label.end(), 0u);
    const auto classes = colour_classes(l, p.seed);
    // Over ranks (docs/scale.md), each updates the members of a colour class it owns and hears the
    // new labels of that class's ghosts before the next class: the same updates in the same order
    // as on one rank, so the same labels.
    const detail::Partition part(
        run.ranks(), l.n,
        [&](std::uint64_t u) { return l.directed ? l.in_offsets[u + 1] - l.in_offsets[u] : l.offsets[u + 1] - l.offsets[u]; },
        [&](std::uint64_t u, auto&& add) {
            if (l.directed) {
                for (auto a = l.in_offsets[u]; a < l.in_offsets[u + 1]; ++a) add(l.in_sources[a]);
            } else {
                for (auto a = l.offsets[u]; a < l.offsets[u + 1]; ++a) add(l.targets[a]);
            }
        });
    std::vector<detail::GhostLists> class_ghosts;
    if (run.ranks().size() > 1) {
        std::vector<std::uint32_t> colour(l.n);
        for (std::uint32_t c = 0; c < classes.size(); ++c) {
            for (auto u : classes[c]) colour[u] = c;
        }
        class_ghosts = part.ghosts().split(colour, classes.size());
    }
    tbb::enumerable_thread_specific<NeighbourWeights> scratch([&] { return NeighbourWeights(l.n); });
    std::vector<std::uint32_t> next(l.n);
    for (int round = 0; round < p.max_passes; ++round) {
        run.throw_if_any_cancelled();
        ++r.passes;
        std::uint64_t changed = 0;
        for (std::size_t k = 0; k < classes.size(); ++k) {
            // The class's members this rank owns (classes list their members ascending).
            const auto cls = part.owned(classes[k]);
            tbb::parallel_for(tbb::blocked_range<std::size_t>(0, cls.size(), 256), [&](const auto& range) {
                auto& nw = scratch.local();
                for (auto i = range.begin(); i != range.end(); ++i) {
                    const auto u = cls[i];
                    // Directed, labels flow along arcs: a node hears its in-neighbours.
                    if (l.directed) {
                        for (auto a = l.in_offsets[u]; a < l.in_offsets[u + 1]; ++a) {
                            if (l.in_sources[a] != u) nw.add(label[l.in_sources[a]], l.in_weights[a]);
                        }
                    } else {
                        for (auto a = l.offsets[u]; a < l.offsets[u + 1]; ++a) nw.add(label[l.targets[a]], l.weights[a]);
                    }
                    // The heaviest label; the current one wins a tie, else a random one among the tied.
                    double best = -1;
                    std::uint32_t ties = 0;
                    std::uint32_t choice = label[u];
                    for (auto c : nw.touched) best = std::max(best, nw.weight[c]);
                    if (best > 0 && nw.weight[label[u]] < best) {
                        std::sort(nw.touched.begin(), nw.touched.end());
                        for (auto c : nw.touched) ties += nw.weight[c] == best ? 1u : 0u;
                        auto rng = graph::Rng::stream(p.seed, static_cast<std::uint64_t>(round) * l.n + u);
                        auto pick = rng.below(ties);
                        for (auto c : nw.touched) {
                            if (nw.weight[c] == best && pick-- == 0) {
                                choice = c;
                                break;
                            }
                        }
                    }
                    next[u] = choice;
                    nw.clear();
                }
            });
            for (auto u : cls) {
                if (next[u] != label[u]) {
                    label[u] = next[u];
                    ++changed;
                }
            }
            if (!class_ghosts.empty()) part.refresh(label, class_ghosts[k]);
        }
        part.ranks().sum(std::span(&changed, 1));
        run.report("label_propagation", static_cast<double>(round + 1) / p.max_passes);
        if (changed == 0) break;
    }
    part.gather(label);
    renumber(label);
    r.membership.assign(view.node_count(), kNoCommunity);
    for (std::uint32_t i = 0; i < r.nodes.size(); ++i) r.membership[r.nodes[i]] = label[i];
    r.sizes = detail::number_by_size(r.nodes, r.membership);
    r.modularity = modularity(view, r.membership, p.resolution);
    return r;
}

}  // namespace smorg::engine::clustering
