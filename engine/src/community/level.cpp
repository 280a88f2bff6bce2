#include <algorithm>
#include <numeric>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "smorg/graph/random.h"

#include "clustering.h"
#include "parallel.h"

namespace smorg::engine::clustering {

using graph::NodeIndex;

namespace {

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

}  // namespace

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

}  // namespace smorg::engine::clustering
