#include "smorg/graph/subgraph.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <numeric>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "smorg/graph/errors.h"

namespace smorg::graph {

void validate(const SubgraphSpec& spec, const Snapshot& g) {
    for (std::size_t i = 0; i < spec.node_kinds.size(); ++i) {
        if (!g.node_kinds().find(spec.node_kinds[i])) {
            throw ParamError("node_kinds/" + std::to_string(i),
                             "unknown node kind '" + spec.node_kinds[i] +
                                 "'; this database has: " + g.node_kinds().joined());
        }
    }
    for (std::size_t i = 0; i < spec.edge_kinds.size(); ++i) {
        if (!g.edge_kinds().find(spec.edge_kinds[i])) {
            throw ParamError("edge_kinds/" + std::to_string(i),
                             "unknown edge kind '" + spec.edge_kinds[i] +
                                 "'; this database has: " + g.edge_kinds().joined());
        }
    }
    if (spec.since && spec.until && *spec.since >= *spec.until) {
        throw ParamError("until", "the window [since, until) is empty: until (" +
                                      std::to_string(*spec.until) + ") must be after since (" +
                                      std::to_string(*spec.since) + ")");
    }
}

namespace {

constexpr NodeIndex kChunk = 2048;  // nodes per build chunk; fixed, so the layout never depends on threads

struct Chunk {
    std::vector<std::uint32_t> degree;  // per node of the chunk
    std::vector<NodeIndex> targets;
    std::vector<double> weights;
};

// Sorts (neighbour, weight) pairs by neighbour and merges duplicates: weights summed, or 1.
void merge_arcs(std::vector<std::pair<NodeIndex, double>>& arcs, bool weighted) {
    std::sort(arcs.begin(), arcs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::size_t out = 0;
    for (std::size_t i = 0; i < arcs.size(); ++i) {
        if (out > 0 && arcs[out - 1].first == arcs[i].first) {
            if (weighted) arcs[out - 1].second += arcs[i].second;
        } else {
            arcs[out++] = {arcs[i].first, weighted ? arcs[i].second : 1.0};
        }
    }
    arcs.resize(out);
}

}  // namespace

Subgraph Subgraph::of(const Snapshot& g, const SubgraphSpec& spec) {
    validate(spec, g);
    Subgraph s;
    s.g_ = &g;
    s.n_ = g.node_count();
    s.directed_ = spec.directed;
    s.weighted_ = spec.weighted;
    const NodeIndex n = s.n_;

    std::bitset<256> node_kind_ok;
    std::bitset<256> edge_kind_ok;
    if (spec.node_kinds.empty()) {
        node_kind_ok.set();
    } else {
        for (const auto& k : spec.node_kinds) node_kind_ok.set(*g.node_kinds().find(k));
        s.active_.resize(n);
        for (NodeIndex u = 0; u < n; ++u) s.active_[u] = node_kind_ok.test(g.node_kind(u)) ? 1 : 0;
    }
    if (spec.edge_kinds.empty()) {
        edge_kind_ok.set();
    } else {
        for (const auto& k : spec.edge_kinds) edge_kind_ok.set(*g.edge_kinds().find(k));
    }
    s.nodes_.reserve(n);
    for (NodeIndex u = 0; u < n; ++u) {
        if (s.active(u)) s.nodes_.push_back(u);
    }

    if (spec.selects_everything() && spec.directed && !g.has_parallel_arcs() &&
        (!spec.weighted || g.all_weights_one())) {
        s.out_offsets_ = g.out_offsets().data();
        s.out_targets_ = g.targets().data();
        s.in_offsets_ = g.in_offsets().data();
        s.in_sources_ = g.in_sources().data();
        std::uint64_t max_degree = 0;
        for (NodeIndex u = 0; u < n; ++u) max_degree = std::max({max_degree, g.out_degree(u), g.in_degree(u)});
        s.ones_.assign(max_degree, 1.0);
        return s;
    }

    const bool windowed = spec.since.has_value() || spec.until.has_value();
    const Timestamp since = spec.since.value_or(kNoTimestamp);
    const Timestamp until = spec.until.value_or(std::numeric_limits<Timestamp>::max());
    auto keep = [&](EdgeIndex e, NodeIndex a, NodeIndex b) {
        if (!edge_kind_ok.test(g.edge_kind(e)) || !s.active(a) || !s.active(b)) return false;
        if (!windowed) return true;
        const Timestamp t = g.timestamp(e);
        return t != kNoTimestamp && t >= since && t < until;
    };

    const bool weighted = spec.weighted;
    const NodeIndex chunks = (n + kChunk - 1) / kChunk;
    std::vector<Chunk> parts(chunks);
    tbb::parallel_for(tbb::blocked_range<NodeIndex>(0, chunks, 1), [&](const auto& range) {
        std::vector<std::pair<NodeIndex, double>> arcs;
        for (NodeIndex c = range.begin(); c != range.end(); ++c) {
            auto& part = parts[c];
            const NodeIndex first = c * kChunk;
            const NodeIndex last = std::min(n, first + kChunk);
            part.degree.resize(last - first);
            for (NodeIndex u = first; u < last; ++u) {
                arcs.clear();
                if (s.active(u)) {
                    for (EdgeIndex e = g.out_begin(u); e < g.out_end(u); ++e) {
                        if (keep(e, u, g.target(e))) arcs.emplace_back(g.target(e), g.weight(e));
                    }
                    if (!spec.directed) {
                        const auto sources = g.in_sources(u);
                        const auto edges = g.in_edges(u);
                        for (std::size_t i = 0; i < sources.size(); ++i) {
                            // A self-loop was already taken from the out-list.
                            if (sources[i] != u && keep(edges[i], sources[i], u)) {
                                arcs.emplace_back(sources[i], g.weight(edges[i]));
                            }
                        }
                    }
                    merge_arcs(arcs, weighted);
                }
                part.degree[u - first] = static_cast<std::uint32_t>(arcs.size());
                for (const auto& [v, w] : arcs) {
                    part.targets.push_back(v);
                    if (weighted) part.weights.push_back(w);
                }
            }
        }
    });

    s.owned_out_offsets_.assign(std::size_t{n} + 1, 0);
    std::vector<std::uint64_t> chunk_start(std::size_t{chunks} + 1, 0);
    for (NodeIndex c = 0; c < chunks; ++c) {
        chunk_start[c + 1] = chunk_start[c] + parts[c].targets.size();
        const NodeIndex first = c * kChunk;
        for (std::size_t i = 0; i < parts[c].degree.size(); ++i) {
            s.owned_out_offsets_[first + i + 1] = parts[c].degree[i];
        }
    }
    std::partial_sum(s.owned_out_offsets_.begin(), s.owned_out_offsets_.end(), s.owned_out_offsets_.begin());
    const std::uint64_t m = s.owned_out_offsets_[n];
    s.owned_out_targets_.resize(m);
    if (weighted) s.owned_out_weights_.resize(m);
    tbb::parallel_for(tbb::blocked_range<NodeIndex>(0, chunks, 1), [&](const auto& range) {
        for (NodeIndex c = range.begin(); c != range.end(); ++c) {
            std::copy(parts[c].targets.begin(), parts[c].targets.end(),
                      s.owned_out_targets_.begin() + static_cast<std::ptrdiff_t>(chunk_start[c]));
            if (weighted) {
                std::copy(parts[c].weights.begin(), parts[c].weights.end(),
                          s.owned_out_weights_.begin() + static_cast<std::ptrdiff_t>(chunk_start[c]));
            }
            parts[c] = Chunk{};
        }
    });

    if (spec.directed) {
        // Transpose: sources arrive in ascending order, so in-lists come out sorted.
        s.owned_in_offsets_.assign(std::size_t{n} + 1, 0);
        for (auto v : s.owned_out_targets_) ++s.owned_in_offsets_[v + 1];
        std::partial_sum(s.owned_in_offsets_.begin(), s.owned_in_offsets_.end(), s.owned_in_offsets_.begin());
        s.owned_in_sources_.resize(m);
        if (weighted) s.owned_in_weights_.resize(m);
        std::vector<std::uint64_t> cursor(s.owned_in_offsets_.begin(), s.owned_in_offsets_.end() - 1);
        for (NodeIndex u = 0; u < n; ++u) {
            for (auto a = s.owned_out_offsets_[u]; a < s.owned_out_offsets_[u + 1]; ++a) {
                const auto at = cursor[s.owned_out_targets_[a]]++;
                s.owned_in_sources_[at] = u;
                if (weighted) s.owned_in_weights_[at] = s.owned_out_weights_[a];
            }
        }
    }
    s.point_at_owned();
    std::uint64_t max_degree = 0;
    for (NodeIndex u = 0; u < n; ++u) max_degree = std::max({max_degree, s.out_degree(u), s.in_degree(u)});
    s.ones_.assign(max_degree, 1.0);
    return s;
}

void Subgraph::point_at_owned() {
    out_offsets_ = owned_out_offsets_.data();
    out_targets_ = owned_out_targets_.data();
    out_weights_ = weighted_ ? owned_out_weights_.data() : nullptr;
    if (directed_) {
        in_offsets_ = owned_in_offsets_.data();
        in_sources_ = owned_in_sources_.data();
        in_weights_ = weighted_ ? owned_in_weights_.data() : nullptr;
    } else {
        in_offsets_ = out_offsets_;
        in_sources_ = out_targets_;
        in_weights_ = out_weights_;
    }
}

double Subgraph::out_strength(NodeIndex u) const noexcept {
    const auto w = out_weights(u);
    return std::accumulate(w.begin(), w.end(), 0.0);
}

double Subgraph::in_strength(NodeIndex v) const noexcept {
    const auto w = in_weights(v);
    return std::accumulate(w.begin(), w.end(), 0.0);
}

}  // namespace smorg::graph
