#include <algorithm>
#include <cmath>
#include <numeric>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "smorg/graph/random.h"

#include "clustering.h"
#include "numbering.h"
#include "parallel.h"

namespace smorg::engine::clustering {

using graph::NodeIndex;

namespace {

// The null-model term of modularity: what joining a community of strengths (to, ti) costs a node of
// strengths (ko, ki). Undirected (Newman): gamma k K / 2m with k = ko + ki; directed (Leicht & Newman
// 2008): gamma (ko ti + ki to) / m.
struct NullModel {
    bool directed = false;
    double gamma = 1;
    double m2 = 0;  // 2m
    double operator()(double ko, double ki, double to, double ti) const {
        return directed ? gamma * (ko * ti + ki * to) / (m2 / 2) : gamma * (ko + ki) * (to + ti) / m2;
    }
};

struct Move {
    std::uint32_t to = kNoCommunity;
    double weight_to = 0;    // weight from the node to the target community
    double weight_from = 0;  // weight from the node to the rest of its own community
};

// Local moving (Louvain's phase one) over colour classes. `part` is updated in place; returns the
// number of passes that moved something.
int local_moving(const Level& l, std::vector<std::uint32_t>& part, const CommunityParams& p,
                 const std::vector<std::vector<std::uint32_t>>& classes, RunContext& run, int& passes) {
    const double m2 = l.total;
    if (m2 <= 0) return 0;
    const NullModel cost{l.directed, p.resolution, m2};
    std::vector<double> tout(l.n, 0.0), tin(l.n, 0.0);  // community strength totals (ids < n)
    std::vector<std::uint32_t> members(l.n, 0);
    for (std::uint32_t u = 0; u < l.n; ++u) {
        tout[part[u]] += l.out[u];
        tin[part[u]] += l.in[u];
        ++members[part[u]];
    }
    // Ids of empty communities: a node may leave for one of its own (as Leiden's local moving allows).
    std::vector<std::uint32_t> empty;
    for (std::uint32_t c = l.n; c-- > 0;) {
        if (members[c] == 0) empty.push_back(c);
    }
    constexpr std::uint32_t kAlone = kNoCommunity - 1;  // proposal: move to an empty community
    tbb::enumerable_thread_specific<NeighbourWeights> scratch([&] { return NeighbourWeights(l.n); });
    std::vector<Move> moves(l.n);
    // Only nodes next to a move of the previous pass are looked at again (the queue of Leiden's fast
    // local moving, kept as flags so the order stays the colour order).
    std::vector<std::uint8_t> active(l.n, 1), next_active(l.n, 0);
    int moved_passes = 0;
    for (int pass = 0; pass < p.max_passes; ++pass) {
        run.throw_if_cancelled();
        ++passes;
        double gained = 0;
        std::uint64_t moved = 0;
        for (const auto& cls : classes) {
            tbb::parallel_for(tbb::blocked_range<std::size_t>(0, cls.size(), 256), [&](const auto& r) {
                auto& nw = scratch.local();
                for (auto i = r.begin(); i != r.end(); ++i) {
                    const auto u = cls[i];
                    const auto own = part[u];
                    if (!active[u]) {
                        moves[u] = {own, 0, 0};
                        continue;
                    }
                    const auto arcs_end = l.offsets[u + 1];
                    for (auto a = l.offsets[u]; a < arcs_end; ++a) {
                        if (a + 8 < arcs_end) __builtin_prefetch(&part[l.targets[a + 8]]);
                        nw.add(part[l.targets[a]], l.weights[a]);
                    }
                    const double ko = l.out[u], ki = l.in[u];
                    const double from = nw.weight[own];
                    // Gain of joining community c (u taken out of its own first): w(u, c) less the null model.
                    const double stay = from - cost(ko, ki, tout[own] - ko, tin[own] - ki);
                    Move best{own, from, from};
                    double best_gain = stay;
                    for (auto c : nw.touched) {
                        if (c == own) continue;
                        const double gain = nw.weight[c] - cost(ko, ki, tout[c], tin[c]);
                        if (gain > best_gain + 1e-12 || (gain == best_gain && best.to != own && c < best.to)) {
                            best_gain = gain;
                            best = {c, nw.weight[c], from};
                        }
                    }
                    // Alone, u gains nothing and pays nothing: better than a community that costs it.
                    if (best_gain < -1e-12 && members[own] > 1) best = {kAlone, 0, from};
                    moves[u] = best;
                    nw.clear();
                }
            });
            // Apply in node order, re-checking each gain against the totals as they now are.
            for (auto u : cls) {
                auto mv = moves[u];
                const auto own = part[u];
                if (mv.to == own) continue;
                if (mv.to == kAlone) {
                    if (members[own] == 1 || empty.empty()) continue;
                    mv.to = empty.back();
                }
                const double ko = l.out[u], ki = l.in[u];
                const double gain = (mv.weight_to - cost(ko, ki, tout[mv.to], tin[mv.to])) -
                                    (mv.weight_from - cost(ko, ki, tout[own] - ko, tin[own] - ki));
                if (gain <= 1e-12) continue;
                if (members[mv.to] == 0) empty.pop_back();
                tout[own] -= ko;
                tin[own] -= ki;
                tout[mv.to] += ko;
                tin[mv.to] += ki;
                if (--members[own] == 0) empty.push_back(own);
                ++members[mv.to];
                part[u] = mv.to;
                gained += gain;
                ++moved;
                next_active[u] = 1;
                for (auto a = l.offsets[u]; a < l.offsets[u + 1]; ++a) next_active[l.targets[a]] = 1;
            }
        }
        if (moved > 0) ++moved_passes;
        if (moved == 0 || gained / m2 * 2 < p.tolerance) break;
        active.swap(next_active);
        std::fill(next_active.begin(), next_active.end(), 0);
    }
    return moved_passes;
}

// Leiden's refinement: inside each community, nodes merge from singletons into well-connected
// sub-communities, each merge drawn at random in proportion to exp(gain / theta) among those that do
// not lose quality. Communities are refined independently, in parallel, each from its own stream.
std::vector<std::uint32_t> refine(const Level& l, const std::vector<std::uint32_t>& part, std::uint32_t count,
                                  const CommunityParams& p, std::uint64_t stream) {
    const double m2 = l.total;
    const NullModel cost{l.directed, p.resolution, m2};
    const auto grouped = members_by_community(part, count);
    const auto& start = grouped.start;
    const auto& members = grouped.members;
    std::vector<std::uint32_t> refined(l.n);
    std::iota(refined.begin(), refined.end(), 0u);     // singletons, named by their node
    std::vector<double> sub_out(l.out), sub_in(l.in);  // strength totals of each sub-community (by its name)
    std::vector<double> sub_external(l.n, 0.0);        // weight from the sub-community to the rest of its community
    std::vector<std::uint32_t> sub_size(l.n, 1);
    std::vector<double> community_out(count, 0.0), community_in(count, 0.0);
    for (std::uint32_t u = 0; u < l.n; ++u) {
        community_out[part[u]] += l.out[u];
        community_in[part[u]] += l.in[u];
    }
    tbb::enumerable_thread_specific<NeighbourWeights> scratch([&] { return NeighbourWeights(l.n); });
    tbb::parallel_for(tbb::blocked_range<std::uint32_t>(0, count, 16), [&](const auto& r) {
        auto& nw = scratch.local();
        std::vector<std::uint32_t> order;
        std::vector<double> chance;
        std::vector<std::uint32_t> options;
        for (auto c = r.begin(); c != r.end(); ++c) {
            const auto first = start[c], last = start[c + 1];
            if (last - first < 2) continue;
            const double Kout = community_out[c], Kin = community_in[c];
            for (auto m = first; m < last; ++m) {
                const auto u = members[m];
                double inside = 0;
                for (auto a = l.offsets[u]; a < l.offsets[u + 1]; ++a) {
                    if (part[l.targets[a]] == c) inside += l.weights[a];
                }
                sub_external[u] = inside;
            }
            order.assign(members.begin() + static_cast<std::ptrdiff_t>(first),
                         members.begin() + static_cast<std::ptrdiff_t>(last));
            graph::Rng rng = graph::Rng::stream(stream, c);
            graph::shuffle(order, rng);
            for (const auto v : order) {
                if (sub_size[refined[v]] != 1) continue;  // already joined by someone
                const double ko = l.out[v], ki = l.in[v];
                if (sub_external[v] < cost(ko, ki, Kout - ko, Kin - ki)) continue;  // not well connected
                for (auto a = l.offsets[v]; a < l.offsets[v + 1]; ++a) {
                    const auto w = l.targets[a];
                    if (part[w] == c) nw.add(refined[w], l.weights[a]);
                }
                options.assign(1, refined[v]);
                chance.assign(1, 0.0);  // staying alone: gain 0
                double best = 0;
                for (auto s : nw.touched) {
                    if (s == refined[v]) continue;
                    const double to = sub_out[s], ti = sub_in[s];
                    if (sub_external[s] < cost(to, ti, Kout - to, Kin - ti)) continue;  // sub-community not well connected
                    const double gain = nw.weight[s] - cost(ko, ki, to, ti);
                    if (gain < 0) continue;
                    options.push_back(s);
                    chance.push_back(gain);
                    best = std::max(best, gain);
                }
                // Draw in proportion to exp(gain / theta), shifted by the best gain to stay finite.
                double sum = 0;
                for (auto& x : chance) sum += (x = std::exp((x - best) / p.randomness));
                double pick = rng.uniform() * sum;
                std::size_t chosen = 0;
                for (; chosen + 1 < chance.size() && pick >= chance[chosen]; ++chosen) pick -= chance[chosen];
                const auto s = options[chosen];
                if (s != refined[v]) {
                    const double between = nw.weight[s];
                    sub_external[s] = sub_external[s] + sub_external[v] - 2 * between;
                    sub_out[s] += ko;
                    sub_in[s] += ki;
                    ++sub_size[s];
                    --sub_size[refined[v]];
                    refined[v] = s;
                }
                nw.clear();
            }
        }
    });
    return refined;
}

// Leiden's guarantee, enforced once more at the end: a community whose members are not all connected
// inside it is split into its connected parts (which can only raise modularity). The refinement makes
// this a no-op in all but degenerate cases (nodes that never merge at any level).
void split_disconnected(const graph::Subgraph& view, std::vector<std::uint32_t>& membership) {
    std::uint32_t next = 0;
    for (auto u : view.nodes()) next = std::max(next, membership[u] + 1);
    std::vector<std::uint8_t> seen(view.node_count(), 0);
    std::vector<std::uint8_t> community_seen(next, 0);
    std::vector<graph::NodeIndex> stack;
    for (auto root : view.nodes()) {
        if (seen[root]) continue;
        const auto c = membership[root];
        const auto id = community_seen[c] ? next++ : c;  // the first part keeps the id
        community_seen[c] = 1;
        stack.assign(1, root);
        seen[root] = 1;
        while (!stack.empty()) {
            const auto u = stack.back();
            stack.pop_back();
            membership[u] = id;
            for (auto v : view.out_neighbors(u)) {
                if (!seen[v] && membership[v] == c) {
                    seen[v] = 1;
                    stack.push_back(v);
                }
            }
        }
    }
}

// One run of the multilevel scheme from a level-0 partition `part` (singletons, or the previous run's
// answer); returns the level-0 membership (dense ids) it ends with.
std::vector<std::uint32_t> multilevel_run(const Level& base, const std::vector<std::vector<std::uint32_t>>& base_classes,
                                          std::vector<std::uint32_t> part, const CommunityParams& p, std::uint64_t iteration,
                                          RunContext& run, CommunityResult& r) {
    const bool leiden = p.algorithm == CommunityAlgorithm::leiden;
    Level coarse;  // the current level once aggregated (level 0 is `base`, never copied)
    const Level* level = &base;
    std::vector<std::uint32_t> node_of(base.n);  // node_of[level-0 node] = its node at the current level
    std::iota(node_of.begin(), node_of.end(), 0u);
    auto step = [&](const std::vector<std::uint32_t>& by, std::uint32_t count) {
        for (auto& x : node_of) x = by[x];
        coarse = aggregate(*level, by, count);
        level = &coarse;
    };
    // Aggregates the communities themselves: each becomes one node, in a community of its own.
    auto step_to_communities = [&](std::uint32_t count) {
        step(part, count);
        part.resize(count);
        std::iota(part.begin(), part.end(), 0u);
    };
    for (int lv = 0; lv < p.max_levels; ++lv) {
        run.throw_if_cancelled();
        r.levels = std::max(r.levels, lv + 1);
        const std::uint64_t stream =
            (p.seed * std::uint64_t{0x9E3779B97F4A7C15} + iteration) * 1315423911u + static_cast<std::uint64_t>(lv);
        std::vector<std::vector<std::uint32_t>> own_classes;
        const auto& classes = lv == 0 ? base_classes : (own_classes = colour_classes(*level, stream));
        const int moved = local_moving(*level, part, p, classes, run, r.passes);
        const auto count = renumber(part);
        if (!leiden) {
            if (moved == 0 || count == level->n) break;
            step_to_communities(count);
            continue;
        }
        // Leiden: aggregate the refined partition; its nodes start in their unrefined community.
        auto refined = refine(*level, part, count, p, stream ^ std::uint64_t{0xA5A5A5A5A5A5A5A5});
        const auto refined_count = renumber(refined);
        if (moved == 0 && refined_count == count) break;  // stable: nothing moves, nothing splits
        if (refined_count == level->n) {
            // Nothing merged in refinement: aggregate the communities themselves.
            if (moved == 0 || count == level->n) break;
            step_to_communities(count);
            continue;
        }
        std::vector<std::uint32_t> parent(refined_count);
        for (std::uint32_t u = 0; u < level->n; ++u) parent[refined[u]] = part[u];
        step(refined, refined_count);
        part = std::move(parent);
    }
    std::vector<std::uint32_t> out(base.n);
    for (std::uint32_t i = 0; i < base.n; ++i) out[i] = part[node_of[i]];
    return out;
}

}  // namespace

// Runs the multilevel scheme again from its own answer until modularity stops improving (Leiden's
// "iterate until stable"; it also polishes Louvain's last level).
CommunityResult multilevel(const graph::Subgraph& view, const CommunityParams& p, RunContext& run) {
    CommunityResult r;
    r.nodes = view.nodes();
    r.isolated = view.isolated();
    std::vector<std::uint32_t> dense;
    const Level base = level_from(view, dense);
    std::vector<std::uint32_t> part(base.n);
    std::iota(part.begin(), part.end(), 0u);
    auto to_membership = [&](const std::vector<std::uint32_t>& dense_part) {
        std::vector<std::uint32_t> membership(view.node_count(), kNoCommunity);
        for (std::uint32_t i = 0; i < r.nodes.size(); ++i) membership[r.nodes[i]] = dense_part[i];
        return membership;
    };
    double best = -1;
    const int runs = p.iterations > 0 ? p.iterations : CommunityParams::kMaxIterations;
    const auto base_classes = colour_classes(base, p.seed);  // level 0's colouring serves every run
    for (int iteration = 0; iteration < runs; ++iteration) {
        auto next = multilevel_run(base, base_classes, part, p, static_cast<std::uint64_t>(iteration), run, r);
        ++r.iterations;
        const double q = modularity(view, to_membership(next), p.resolution);
        run.report(graph::name_of(p.algorithm), static_cast<double>(iteration + 1) / runs);
        // Keep a run only if it improved; in "until stable" mode, a run must buy a real improvement
        // (1e-5 of modularity) to earn the next one.
        const bool improved = q > best;
        if (improved) part = std::move(next);
        if (!improved || (p.iterations == 0 && q <= best + std::max(p.tolerance, 1e-5))) break;
        best = q;
    }
    r.membership = to_membership(part);
    if (p.algorithm == CommunityAlgorithm::leiden) split_disconnected(view, r.membership);
    r.sizes = detail::number_by_size(r.nodes, r.membership);
    r.modularity = modularity(view, r.membership, p.resolution);
    return r;
}

}  // namespace smorg::engine::clustering
