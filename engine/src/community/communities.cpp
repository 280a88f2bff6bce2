#include "smorg/engine/community/communities.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "smorg/graph/errors.h"
#include "smorg/graph/random.h"

#include "budget.h"
#include "parallel.h"
#include "views.h"

namespace smorg::engine {

using graph::NodeIndex;

void validate(const CommunityParams& params, const graph::Snapshot& g) {
    graph::validate(params.subgraph, g);
    if (!(params.resolution > 0) || !std::isfinite(params.resolution)) {
        throw ParamError("resolution", "resolution must be a positive number, got " + graph::format_number(params.resolution));
    }
    if (params.max_levels < 1 || params.max_levels > CommunityParams::kMaxLevels) {
        throw ParamError("max_levels", "max_levels must be in [1, " + std::to_string(CommunityParams::kMaxLevels) + "]");
    }
    if (params.max_passes < 1 || params.max_passes > CommunityParams::kMaxPasses) {
        throw ParamError("max_passes", "max_passes must be in [1, " + std::to_string(CommunityParams::kMaxPasses) + "]");
    }
    if (!(params.tolerance >= 0)) throw ParamError("tolerance", "tolerance must be >= 0");
    if (params.iterations < 0 || params.iterations > CommunityParams::kMaxIterations) {
        throw ParamError("iterations",
                         "iterations must be between 0 (until stable) and " + std::to_string(CommunityParams::kMaxIterations));
    }
    if (!(params.randomness > 0) || !std::isfinite(params.randomness)) {
        throw ParamError("randomness", "randomness must be a positive number");
    }
}

namespace {

// One level of the multilevel algorithms: a symmetric weighted adjacency without self-loops (a
// loop's weight is kept apart and counts twice in the node's degree) and each node's strength split
// into out and in. Undirected, out = in = degree / 2; directed, the adjacency holds w(u, v) + w(v, u)
// and out and in are the arc strengths, so one local-moving code serves both modularities.
struct Level {
    std::uint32_t n = 0;
    bool directed = false;
    std::vector<std::uint64_t> offsets;
    std::vector<std::uint32_t> targets;
    std::vector<double> weights;
    std::vector<double> loop;    // self-loop weight (counted once)
    std::vector<double> degree;  // sum of incident weights, loops twice (= out + in)
    std::vector<double> out, in;
    double total = 0;  // 2m: the sum of degrees
    // Directed label propagation: the in-arcs of each node (labels flow along arcs).
    std::vector<std::uint64_t> in_offsets;
    std::vector<std::uint32_t> in_sources;
    std::vector<double> in_weights;
};

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

// Calls f(v, w) for u's neighbours in a directed view, out- and in-lists merged (both sorted), with
// w(u, v) + w(v, u) summed; a self-loop once, with its arc weight.
template <class F>
void mutual_neighbours(const graph::Subgraph& view, graph::NodeIndex u, F&& f) {
    const auto outs = view.out_neighbors(u), ins = view.in_neighbors(u);
    const auto wo = view.out_weights(u), wi = view.in_weights(u);
    std::size_t a = 0, b = 0;
    while (a < outs.size() || b < ins.size()) {
        if (b < ins.size() && ins[b] == u) {
            ++b;  // the loop, seen as an out-arc
        } else if (b == ins.size() || (a < outs.size() && outs[a] < ins[b])) {
            f(outs[a], wo[a]);
            ++a;
        } else if (a == outs.size() || ins[b] < outs[a]) {
            f(ins[b], wi[b]);
            ++b;
        } else {
            f(outs[a], wo[a] + wi[b]);
            ++a;
            ++b;
        }
    }
}

Level level_from_directed(const graph::Subgraph& view, std::vector<std::uint32_t>& dense);

// Level 0 from a view, over its nodes only (dense ids in `nodes` order).
Level level_from(const graph::Subgraph& view, std::vector<std::uint32_t>& dense) {
    if (view.directed()) return level_from_directed(view, dense);
    const auto& nodes = view.nodes();
    Level l;
    l.n = static_cast<std::uint32_t>(nodes.size());
    dense.assign(view.node_count(), kNoCommunity);
    for (std::uint32_t i = 0; i < l.n; ++i) dense[nodes[i]] = i;
    l.offsets.assign(std::size_t{l.n} + 1, 0);
    l.loop.assign(l.n, 0.0);
    l.degree.assign(l.n, 0.0);
    tbb::parallel_for(tbb::blocked_range<std::uint32_t>(0, l.n, 2048), [&](const auto& r) {
        for (auto i = r.begin(); i != r.end(); ++i) {
            const auto targets = view.out_neighbors(nodes[i]);
            l.offsets[i + 1] = targets.size() - static_cast<std::uint64_t>(std::count(targets.begin(), targets.end(), nodes[i]));
        }
    });
    std::partial_sum(l.offsets.begin(), l.offsets.end(), l.offsets.begin());
    l.targets.resize(l.offsets[l.n]);
    l.weights.resize(l.offsets[l.n]);
    tbb::parallel_for(tbb::blocked_range<std::uint32_t>(0, l.n, 2048), [&](const auto& r) {
        for (auto i = r.begin(); i != r.end(); ++i) {
            const auto u = nodes[i];
            const auto targets = view.out_neighbors(u);
            const auto weights = view.out_weights(u);
            auto at = l.offsets[i];
            double degree = 0;
            for (std::size_t k = 0; k < targets.size(); ++k) {
                if (targets[k] == u) {
                    l.loop[i] = weights[k];
                    degree += 2 * weights[k];
                    continue;
                }
                l.targets[at] = dense[targets[k]];
                l.weights[at++] = weights[k];
                degree += weights[k];
            }
            l.degree[i] = degree;
        }
    });
    l.total = detail::deterministic_sum<std::uint32_t>(l.n, [&](std::uint32_t i) { return l.degree[i]; });
    l.out.resize(l.n);
    for (std::uint32_t i = 0; i < l.n; ++i) l.out[i] = l.degree[i] / 2;
    l.in = l.out;
    return l;
}

// Level 0 of a directed view: the symmetric adjacency w(u, v) + w(v, u), the arc strengths, and the
// in-arcs (for label propagation).
Level level_from_directed(const graph::Subgraph& view, std::vector<std::uint32_t>& dense) {
    const auto& nodes = view.nodes();
    Level l;
    l.n = static_cast<std::uint32_t>(nodes.size());
    l.directed = true;
    dense.assign(view.node_count(), kNoCommunity);
    for (std::uint32_t i = 0; i < l.n; ++i) dense[nodes[i]] = i;
    l.offsets.assign(std::size_t{l.n} + 1, 0);
    l.in_offsets.assign(std::size_t{l.n} + 1, 0);
    l.loop.assign(l.n, 0.0);
    l.degree.assign(l.n, 0.0);
    l.out.assign(l.n, 0.0);
    l.in.assign(l.n, 0.0);
    tbb::parallel_for(tbb::blocked_range<std::uint32_t>(0, l.n, 2048), [&](const auto& r) {
        for (auto i = r.begin(); i != r.end(); ++i) {
            const auto u = nodes[i];
            std::uint64_t count = 0;
            mutual_neighbours(view, u, [&](graph::NodeIndex v, double) { count += v != u ? 1 : 0; });
            l.offsets[i + 1] = count;
            l.in_offsets[i + 1] = view.in_degree(u);
        }
    });
    std::partial_sum(l.offsets.begin(), l.offsets.end(), l.offsets.begin());
    std::partial_sum(l.in_offsets.begin(), l.in_offsets.end(), l.in_offsets.begin());
    l.targets.resize(l.offsets[l.n]);
    l.weights.resize(l.offsets[l.n]);
    l.in_sources.resize(l.in_offsets[l.n]);
    l.in_weights.resize(l.in_offsets[l.n]);
    tbb::parallel_for(tbb::blocked_range<std::uint32_t>(0, l.n, 2048), [&](const auto& r) {
        for (auto i = r.begin(); i != r.end(); ++i) {
            const auto u = nodes[i];
            auto at = l.offsets[i];
            mutual_neighbours(view, u, [&](graph::NodeIndex v, double w) {
                if (v == u) {
                    l.loop[i] = w;
                    return;
                }
                l.targets[at] = dense[v];
                l.weights[at++] = w;
            });
            for (double w : view.out_weights(u)) l.out[i] += w;
            const auto sources = view.in_neighbors(u);
            const auto weights = view.in_weights(u);
            for (std::size_t k = 0; k < sources.size(); ++k) {
                l.in_sources[l.in_offsets[i] + k] = dense[sources[k]];
                l.in_weights[l.in_offsets[i] + k] = weights[k];
                l.in[i] += weights[k];
            }
            l.degree[i] = l.out[i] + l.in[i];
        }
    });
    l.total = detail::deterministic_sum<std::uint32_t>(l.n, [&](std::uint32_t i) { return l.degree[i]; });
    return l;
}

// The members of each community (ids 0..count-1), in node order: community c's members are
// members[start[c] .. start[c + 1]).
struct Members {
    std::vector<std::uint64_t> start;
    std::vector<std::uint32_t> members;
};
Members members_by_community(const std::vector<std::uint32_t>& part, std::uint32_t count) {
    Members m;
    m.start.assign(std::size_t{count} + 1, 0);
    for (auto c : part) ++m.start[c + 1];
    std::partial_sum(m.start.begin(), m.start.end(), m.start.begin());
    m.members.resize(part.size());
    std::vector<std::uint64_t> cursor(m.start.begin(), m.start.end() - 1);
    for (std::uint32_t u = 0; u < part.size(); ++u) m.members[cursor[part[u]]++] = u;
    return m;
}

// The quotient graph of a level by a partition (ids 0..count-1): community weights summed.
Level aggregate(const Level& l, const std::vector<std::uint32_t>& part, std::uint32_t count) {
    Level a;
    a.n = count;
    a.directed = l.directed;
    a.loop.assign(count, 0.0);
    a.degree.assign(count, 0.0);
    a.out.assign(count, 0.0);
    a.in.assign(count, 0.0);
    a.total = l.total;
    const auto grouped = members_by_community(part, count);
    const auto& start = grouped.start;
    const auto& members = grouped.members;
    // Each community's neighbour list, built in parallel chunks of communities, stitched in order.
    constexpr std::uint32_t kChunk = 1024;
    const std::uint32_t chunks = (count + kChunk - 1) / kChunk;
    std::vector<std::vector<std::uint32_t>> chunk_targets(chunks);
    std::vector<std::vector<double>> chunk_weights(chunks);
    std::vector<std::vector<std::uint64_t>> chunk_degrees(chunks);
    tbb::enumerable_thread_specific<std::pair<std::vector<double>, std::vector<std::uint32_t>>> scratch([count] {
        return std::pair{std::vector<double>(count, 0.0), std::vector<std::uint32_t>()};
    });
    tbb::parallel_for(tbb::blocked_range<std::uint32_t>(0, chunks, 1), [&](const auto& r) {
        auto& [weight_to, touched] = scratch.local();
        for (auto c = r.begin(); c != r.end(); ++c) {
            const std::uint32_t first = c * kChunk, last = std::min(count, first + kChunk);
            for (std::uint32_t community = first; community < last; ++community) {
                touched.clear();
                double loop = 0;
                for (auto m = start[community]; m < start[community + 1]; ++m) {
                    const auto u = members[m];
                    loop += l.loop[u];
                    for (auto a_ = l.offsets[u]; a_ < l.offsets[u + 1]; ++a_) {
                        const auto d = part[l.targets[a_]];
                        if (d == community) {
                            loop += l.weights[a_] / 2;  // each internal edge is seen from both ends
                            continue;
                        }
                        if (weight_to[d] == 0) touched.push_back(d);
                        weight_to[d] += l.weights[a_];
                    }
                }
                // Neighbours in order of first appearance: fixed by the member order, so no sort is needed.
                for (auto d : touched) {
                    chunk_targets[c].push_back(d);
                    chunk_weights[c].push_back(weight_to[d]);
                    weight_to[d] = 0;
                }
                chunk_degrees[c].push_back(touched.size());
                a.loop[community] = loop;
            }
        }
    });
    a.offsets.assign(std::size_t{count} + 1, 0);
    for (std::uint32_t c = 0; c < chunks; ++c) {
        for (std::size_t i = 0; i < chunk_degrees[c].size(); ++i) a.offsets[c * kChunk + i + 1] = chunk_degrees[c][i];
    }
    std::partial_sum(a.offsets.begin(), a.offsets.end(), a.offsets.begin());
    a.targets.reserve(a.offsets[count]);
    a.weights.reserve(a.offsets[count]);
    for (std::uint32_t c = 0; c < chunks; ++c) {
        a.targets.insert(a.targets.end(), chunk_targets[c].begin(), chunk_targets[c].end());
        a.weights.insert(a.weights.end(), chunk_weights[c].begin(), chunk_weights[c].end());
    }
    for (std::uint32_t u = 0; u < l.n; ++u) {
        a.degree[part[u]] += l.degree[u];
        a.out[part[u]] += l.out[u];
        a.in[part[u]] += l.in[u];
    }
    return a;
}

// Greedy colouring in a seeded random order: nodes of one colour are never adjacent, so their moves
// can be computed together. Returns the colour classes, each in node order.
std::vector<std::vector<std::uint32_t>> colour_classes(const Level& l, std::uint64_t seed) {
    std::vector<std::uint32_t> order(l.n);
    std::iota(order.begin(), order.end(), 0u);
    graph::Rng rng(seed);
    graph::shuffle(order, rng);
    std::vector<std::uint32_t> colour(l.n, kNoCommunity);
    std::vector<std::uint32_t> used_by;  // used_by[c] == u: colour c is taken around u
    std::uint32_t colours = 0;
    for (auto u : order) {
        for (auto a = l.offsets[u]; a < l.offsets[u + 1]; ++a) {
            const auto c = colour[l.targets[a]];
            if (c != kNoCommunity) used_by[c] = u;
        }
        std::uint32_t c = 0;
        while (c < colours && used_by[c] == u) ++c;
        if (c == colours) {
            ++colours;
            used_by.push_back(kNoCommunity);
        }
        colour[u] = c;
    }
    std::vector<std::vector<std::uint32_t>> classes(colours);
    for (std::uint32_t u = 0; u < l.n; ++u) classes[colour[u]].push_back(u);
    return classes;
}

// Per-thread dense accumulator of the weight from one node to each neighbouring community.
struct NeighbourWeights {
    std::vector<double> weight;
    std::vector<std::uint32_t> touched;
    explicit NeighbourWeights(std::uint32_t n) : weight(n, 0.0) {}
    void add(std::uint32_t c, double w) {
        if (weight[c] == 0) touched.push_back(c);
        weight[c] += w;
    }
    void clear() {
        for (auto c : touched) weight[c] = 0;
        touched.clear();
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

// Renumbers a partition to 0..count-1 in order of each community's smallest member.
std::uint32_t renumber(std::vector<std::uint32_t>& part) {
    std::vector<std::uint32_t> id(part.size(), kNoCommunity);
    std::uint32_t count = 0;
    for (auto& c : part) {
        if (id[c] == kNoCommunity) id[c] = count++;
        c = id[c];
    }
    return count;
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

// Community ids by decreasing size (ties: smallest member), and their sizes.
void finish(CommunityResult& r) {
    std::vector<std::uint64_t> size;
    std::vector<graph::NodeIndex> smallest;
    for (auto u : r.nodes) {
        const auto c = r.membership[u];
        if (c >= size.size()) {
            size.resize(c + 1, 0);
            smallest.resize(c + 1, graph::kNoNode);
        }
        ++size[c];
        smallest[c] = std::min(smallest[c], u);
    }
    std::vector<std::uint32_t> order(size.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(),
              [&](auto a, auto b) { return size[a] != size[b] ? size[a] > size[b] : smallest[a] < smallest[b]; });
    std::vector<std::uint32_t> id(size.size());
    r.sizes.clear();
    for (std::uint32_t i = 0; i < order.size(); ++i) {
        id[order[i]] = i;
        if (size[order[i]] > 0) r.sizes.push_back(size[order[i]]);
    }
    for (auto u : r.nodes) r.membership[u] = id[r.membership[u]];
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
    finish(r);
    r.modularity = modularity(view, r.membership, p.resolution);
    return r;
}

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
    tbb::enumerable_thread_specific<NeighbourWeights> scratch([&] { return NeighbourWeights(l.n); });
    std::vector<std::uint32_t> next(l.n);
    for (int round = 0; round < p.max_passes; ++round) {
        run.throw_if_cancelled();
        ++r.passes;
        std::uint64_t changed = 0;
        for (const auto& cls : classes) {
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
        }
        run.report("label_propagation", static_cast<double>(round + 1) / p.max_passes);
        if (changed == 0) break;
    }
    renumber(label);
    r.membership.assign(view.node_count(), kNoCommunity);
    for (std::uint32_t i = 0; i < r.nodes.size(); ++i) r.membership[r.nodes[i]] = label[i];
    finish(r);
    r.modularity = modularity(view, r.membership, p.resolution);
    return r;
}

}  // namespace

double modularity(const graph::Subgraph& view, const std::vector<std::uint32_t>& membership, double resolution) {
    const auto& nodes = view.nodes();
    const bool directed = view.directed();
    // Per node, in parallel: its strengths and the weight of its ties inside its community. Undirected,
    // a loop has two ends on the node and an internal edge is seen from both ends; directed, each arc
    // once, from its source. Summed per community in node order.
    std::vector<double> node_out(nodes.size(), 0.0), node_in(nodes.size(), 0.0), node_inside(nodes.size(), 0.0);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, nodes.size(), 2048), [&](const auto& r) {
        for (auto i = r.begin(); i != r.end(); ++i) {
            const auto u = nodes[i];
            const auto c = membership[u];
            if (c == kNoCommunity) continue;
            const auto targets = view.out_neighbors(u);
            const auto weights = view.out_weights(u);
            double out = 0, inside = 0;
            for (std::size_t k = 0; k < targets.size(); ++k) {
                const auto v = targets[k];
                if (membership[v] == kNoCommunity) continue;
                const double w = !directed && v == u ? 2 * weights[k] : weights[k];
                out += w;
                if (membership[v] == c) inside += w;
            }
            double in = out;
            if (directed) {
                in = 0;
                const auto sources = view.in_neighbors(u);
                const auto in_weights = view.in_weights(u);
                for (std::size_t k = 0; k < sources.size(); ++k) {
                    if (membership[sources[k]] != kNoCommunity) in += in_weights[k];
                }
            }
            node_out[i] = out;
            node_in[i] = in;
            node_inside[i] = inside;
        }
    });
    std::vector<double> inside, out, in;
    double total = 0;  // undirected: 2m (the sum of degrees); directed: m (the sum of arc weights)
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const auto c = membership[nodes[i]];
        if (c == kNoCommunity) continue;
        if (c >= inside.size()) {
            inside.resize(c + 1, 0.0);
            out.resize(c + 1, 0.0);
            in.resize(c + 1, 0.0);
        }
        out[c] += node_out[i];
        in[c] += node_in[i];
        inside[c] += node_inside[i];
        total += node_out[i];
    }
    if (total <= 0) return 0;
    double q = 0;
    // Undirected (networkx): L_c / m - gamma (d_c / 2m)^2; directed (Leicht & Newman):
    // L_c / m - gamma out_c in_c / m^2, with L_c the weight inside c.
    for (std::size_t c = 0; c < inside.size(); ++c) q += inside[c] / total - resolution * (out[c] / total) * (in[c] / total);
    return q;
}

Estimate estimate(const graph::Snapshot& g, const CommunityParams& params) {
    validate(params, g);
    const auto view = graph::view_size(g, params.subgraph);
    const double sweep = static_cast<double>(view.nodes) + static_cast<double>(view.arcs);
    const bool propagation = params.algorithm == CommunityAlgorithm::label_propagation;
    const double runs = params.iterations > 0 ? params.iterations : 10.0;
    const double sweeps =
        propagation ? params.max_passes : runs * std::min(30.0, static_cast<double>(params.max_passes) * params.max_levels);
    // Level 0 and one aggregate, the colour classes and per-worker neighbour weights.
    const double memory = 2 * (16 * static_cast<double>(view.nodes) + 12 * static_cast<double>(view.arcs)) +
                          detail::workers() * 12 * static_cast<double>(view.nodes);
    const double per_arc = propagation ? detail::kPropagationArc : detail::kLocalMoveArc;
    return detail::on_view(view, detail::cost(per_arc * sweeps * sweep, memory, propagation ? "max_passes" : "iterations",
                                              propagation ? "upper bound" : "typical"));
}

CommunityResult communities(const graph::Snapshot& g, const CommunityParams& params, RunContext& run) {
    detail::enter(run, estimate(g, params));
    const auto view = graph::Subgraph::of(g, params.subgraph);
    return detail::communities(view, params, run);
}

CommunityResult detail::communities(const graph::Subgraph& view, const CommunityParams& params, RunContext& run) {
    validate(params, view.snapshot());
    return params.algorithm == CommunityAlgorithm::label_propagation ? label_propagation(view, params, run)
                                                                     : multilevel(view, params, run);
}

}  // namespace smorg::engine
