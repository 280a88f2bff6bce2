#include "smorg/graph/subgraph.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <utility>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>
#include <tbb/task_arena.h>

#include "smorg/graph/errors.h"

namespace smorg::graph {

std::vector<std::string> present_kinds(const Vocabulary& vocabulary, std::span<const std::string_view> wanted) {
    std::vector<std::string> out;
    for (auto kind : wanted) {
        if (vocabulary.find(kind)) out.emplace_back(kind);
    }
    return out;
}

SubgraphSpec with_default_edge_kinds(SubgraphSpec spec, const Snapshot& g, std::span<const std::string_view> wanted) {
    if (spec.edge_kinds.empty()) spec.edge_kinds = present_kinds(g.edge_kinds(), wanted);
    return spec;
}

void validate(const SubgraphSpec& spec, const Snapshot& g) {
    validate_kinds(spec.node_kinds, g.node_kinds(), "node_kinds", "node kind");
    validate_kinds(spec.edge_kinds, g.edge_kinds(), "edge_kinds", "edge kind");
    if (spec.since && spec.until && *spec.since >= *spec.until) {
        throw ParamError("until", "the window [since, until) is empty: until (" + std::to_string(*spec.until) +
                                      ") must be after since (" + std::to_string(*spec.since) + ")");
    }
}

ViewSize view_size(const Snapshot& g, const SubgraphSpec& spec) {
    ViewSize v;
    if (spec.node_kinds.empty()) {
        v.nodes = g.node_count();
    } else {
        for (const auto& k : spec.node_kinds) {
            if (auto id = g.node_kinds().find(k)) v.nodes += g.node_count_of(*id);
        }
    }
    std::uint64_t edges = 0;
    if (spec.edge_kinds.empty()) {
        edges = g.edge_count();
    } else {
        for (const auto& k : spec.edge_kinds) {
            if (auto id = g.edge_kinds().find(k)) edges += g.edge_count_of(*id);
        }
    }
    v.arcs = spec.directed ? edges : 2 * edges;
    v.zero_copy = spec.selects_everything() && spec.directed && !g.has_parallel_arcs() && (!spec.weighted || g.all_weights_one());
    const double n = static_cast<double>(g.node_count());
    if (v.zero_copy) {
        v.cost.work = n;
        v.cost.memory_bytes = 12 * n;  // the active list and a row of ones
        return v;
    }
    // Out-lists, their transpose and (undirected) the merged ties, each with offsets; weights when weighted.
    const double per_arc = 4.0 + (spec.weighted ? 8.0 : 0.0);
    const double arcs = static_cast<double>(v.arcs);
    v.cost.work = static_cast<double>(g.edge_count()) + 3 * arcs;
    v.cost.memory_bytes = 3 * (8 * n + per_arc * arcs) + 12 * n;
    return v;
}

namespace {

constexpr NodeIndex kChunk = 2048;  // nodes per build chunk; fixed, so the layout never depends on threads

struct Chunk {
    std::vector<std::uint32_t> degree;  // per node of the chunk
    std::vector<NodeIndex> targets;
    std::vector<double> weights;
};

struct Csr {
    std::vector<std::uint64_t> offsets;
    std::vector<NodeIndex> targets;
    std::vector<double> weights;  // empty when unweighted
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

// A CSR over n nodes whose lists come from collect(u, arcs) (which fills `arcs` for node u), built
// in parallel chunks of fixed size and stitched together in order; lists are sorted and parallel
// arcs merged.
template <class Collect>
Csr build_csr(NodeIndex n, bool weighted, Collect&& collect) {
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
                collect(u, arcs);
                merge_arcs(arcs, weighted);
                part.degree[u - first] = static_cast<std::uint32_t>(arcs.size());
                for (const auto& [v, w] : arcs) {
                    part.targets.push_back(v);
                    if (weighted) part.weights.push_back(w);
                }
            }
        }
    });
    Csr csr;
    csr.offsets.assign(std::size_t{n} + 1, 0);
    std::vector<std::uint64_t> chunk_start(std::size_t{chunks} + 1, 0);
    for (NodeIndex c = 0; c < chunks; ++c) {
        chunk_start[c + 1] = chunk_start[c] + parts[c].targets.size();
        const NodeIndex first = c * kChunk;
        for (std::size_t i = 0; i < parts[c].degree.size(); ++i) csr.offsets[first + i + 1] = parts[c].degree[i];
    }
    std::partial_sum(csr.offsets.begin(), csr.offsets.end(), csr.offsets.begin());
    const std::uint64_t m = csr.offsets[n];
    csr.targets.resize(m);
    if (weighted) csr.weights.resize(m);
    tbb::parallel_for(tbb::blocked_range<NodeIndex>(0, chunks, 1), [&](const auto& range) {
        for (NodeIndex c = range.begin(); c != range.end(); ++c) {
            const auto at = static_cast<std::ptrdiff_t>(chunk_start[c]);
            std::copy(parts[c].targets.begin(), parts[c].targets.end(), csr.targets.begin() + at);
            if (weighted) std::copy(parts[c].weights.begin(), parts[c].weights.end(), csr.weights.begin() + at);
            parts[c] = Chunk{};
        }
    });
    return csr;
}

// The reverse of a CSR, every list sorted by source. The sources are cut into ranges of about equal
// arc counts, one per worker; each range counts its arcs per target, then fills its own slice of
// every list in source order. The answer is the same whatever the cut. The per-range counters
// (4 bytes per node and range) are kept below a third of the answer's size.
Csr transpose(const Csr& out, NodeIndex n, bool weighted) {
    Csr in;
    const std::uint64_t m = out.offsets[n];
    const std::uint64_t workers = static_cast<std::uint64_t>(std::clamp(tbb::this_task_arena::max_concurrency(), 1, 8));
    const auto parts = static_cast<std::size_t>(std::clamp<std::uint64_t>(m / std::max<std::uint64_t>(n, 1), 1, workers));
    std::vector<NodeIndex> cut(parts + 1, n);
    cut[0] = 0;
    for (std::size_t p = 1; p < parts; ++p) {
        const auto at = std::lower_bound(out.offsets.begin(), out.offsets.end(), m * p / parts);
        cut[p] = std::max(cut[p - 1], static_cast<NodeIndex>(std::min<std::ptrdiff_t>(at - out.offsets.begin(), n)));
    }
    // slot[p][v]: first the number of part p's arcs into v, then where part p's slice of v's list starts.
    std::vector<std::vector<std::uint32_t>> slot(parts, std::vector<std::uint32_t>(n, 0));
    tbb::parallel_for(std::size_t{0}, parts, [&](std::size_t p) {
        for (auto a = out.offsets[cut[p]]; a < out.offsets[cut[p + 1]]; ++a) ++slot[p][out.targets[a]];
    });
    in.offsets.assign(std::size_t{n} + 1, 0);
    tbb::parallel_for(tbb::blocked_range<NodeIndex>(0, n, kChunk), [&](const auto& r) {
        for (NodeIndex v = r.begin(); v != r.end(); ++v) {
            std::uint32_t running = 0;
            for (std::size_t p = 0; p < parts; ++p) running += std::exchange(slot[p][v], running);
            in.offsets[v + 1] = running;
        }
    });
    std::partial_sum(in.offsets.begin(), in.offsets.end(), in.offsets.begin());
    in.targets.resize(m);
    if (weighted) in.weights.resize(m);
    tbb::parallel_for(std::size_t{0}, parts, [&](std::size_t p) {
        auto& next = slot[p];
        for (NodeIndex u = cut[p]; u < cut[p + 1]; ++u) {
            for (auto a = out.offsets[u]; a < out.offsets[u + 1]; ++a) {
                const auto v = out.targets[a];
                const auto at = in.offsets[v] + next[v]++;
                in.targets[at] = u;
                if (weighted) in.weights[at] = out.weights[a];
            }
        }
    });
    return in;
}

// The ties of an undirected view: every arc between two people, either way, merged (weights summed);
// a self-loop once. Both lists of u are sorted without repeats, so one merge walk gives u's ties:
// walked once to count them and once to write them in place.
Csr ties_of(const Csr& out, const Csr& in, NodeIndex n, bool weighted) {
    auto walk = [&](NodeIndex u, auto&& emit) {
        auto a = out.offsets[u];
        auto b = in.offsets[u];
        const auto a_end = out.offsets[u + 1];
        const auto b_end = in.offsets[u + 1];
        while (a < a_end || b < b_end) {
            if (b < b_end && in.targets[b] == u) {
                ++b;  // the loop, already seen as an out-arc
            } else if (b == b_end || (a < a_end && out.targets[a] < in.targets[b])) {
                emit(out.targets[a], weighted ? out.weights[a] : 1.0);
                ++a;
            } else if (a == a_end || in.targets[b] < out.targets[a]) {
                emit(in.targets[b], weighted ? in.weights[b] : 1.0);
                ++b;
            } else {
                emit(out.targets[a], weighted ? out.weights[a] + in.weights[b] : 1.0);
                ++a;
                ++b;
            }
        }
    };
    Csr ties;
    ties.offsets.assign(std::size_t{n} + 1, 0);
    tbb::parallel_for(tbb::blocked_range<NodeIndex>(0, n, kChunk), [&](const auto& r) {
        for (NodeIndex u = r.begin(); u != r.end(); ++u) {
            std::uint64_t count = 0;
            walk(u, [&](NodeIndex, double) { ++count; });
            ties.offsets[u + 1] = count;
        }
    });
    std::partial_sum(ties.offsets.begin(), ties.offsets.end(), ties.offsets.begin());
    ties.targets.resize(ties.offsets[n]);
    if (weighted) ties.weights.resize(ties.offsets[n]);
    tbb::parallel_for(tbb::blocked_range<NodeIndex>(0, n, kChunk), [&](const auto& r) {
        for (NodeIndex u = r.begin(); u != r.end(); ++u) {
            auto at = ties.offsets[u];
            walk(u, [&](NodeIndex v, double w) {
                ties.targets[at] = v;
                if (weighted) ties.weights[at] = w;
                ++at;
            });
        }
    });
    return ties;
}

}  // namespace

EdgeFilter::EdgeFilter(const Snapshot& g, const SubgraphSpec& spec) : g_(&g) {
    for (std::size_t k = 0; k < g.node_kinds().size(); ++k) node_kind_ok_[k] = spec.node_kinds.empty();
    for (const auto& k : spec.node_kinds) {
        if (auto id = g.node_kinds().find(k)) node_kind_ok_[*id] = true;
    }
    for (std::size_t k = 0; k < g.edge_kinds().size(); ++k) edge_kind_ok_[k] = spec.edge_kinds.empty();
    for (const auto& k : spec.edge_kinds) {
        if (auto id = g.edge_kinds().find(k)) edge_kind_ok_[*id] = true;
    }
    windowed_ = spec.since.has_value() || spec.until.has_value();
    since_ = spec.since.value_or(kNoTimestamp);
    until_ = spec.until.value_or(std::numeric_limits<Timestamp>::max());
}

Subgraph Subgraph::of(const Snapshot& g, const SubgraphSpec& spec) {
    validate(spec, g);
    Subgraph s;
    s.g_ = &g;
    s.n_ = g.node_count();
    s.directed_ = spec.directed;
    s.weighted_ = spec.weighted;
    const NodeIndex n = s.n_;
    const EdgeFilter filter(g, spec);
    if (!spec.node_kinds.empty()) {
        s.active_.resize(n);
        for (NodeIndex u = 0; u < n; ++u) s.active_[u] = filter.node(u) ? 1 : 0;
    }
    auto list_nodes = [&] {
        s.nodes_.clear();
        s.nodes_.reserve(n);
        for (NodeIndex u = 0; u < n; ++u) {
            if (s.active(u)) s.nodes_.push_back(u);
        }
    };
    list_nodes();

    if (spec.selects_everything() && spec.directed && !g.has_parallel_arcs() && (!spec.weighted || g.all_weights_one())) {
        s.out_offsets_ = g.out_offsets().data();
        s.out_targets_ = g.targets().data();
        s.in_offsets_ = g.in_offsets().data();
        s.in_sources_ = g.in_sources().data();
        std::uint64_t max_degree = 0;
        for (NodeIndex u = 0; u < n; ++u) max_degree = std::max({max_degree, g.out_degree(u), g.in_degree(u)});
        s.ones_.assign(max_degree, 1.0);
        s.find_uniform_weight();
        return s;
    }

    auto keep = [&](EdgeIndex e, NodeIndex a, NodeIndex b) { return filter.edge(e) && s.active(a) && s.active(b); };

    const bool weighted = spec.weighted;
    // The filtered, merged directed arcs.
    Csr out = build_csr(n, weighted, [&](NodeIndex u, std::vector<std::pair<NodeIndex, double>>& arcs) {
        if (!s.active(u)) return;
        for (EdgeIndex e = g.out_begin(u); e < g.out_end(u); ++e) {
            if (keep(e, u, g.target(e))) arcs.emplace_back(g.target(e), g.weight(e));
        }
    });
    Csr in = transpose(out, n, weighted);
    if (!spec.directed) {
        Csr ties = ties_of(out, in, n, weighted);
        out = std::move(ties);
        in = Csr{};
    }
    s.owned_out_offsets_ = std::move(out.offsets);
    s.owned_out_targets_ = std::move(out.targets);
    s.owned_out_weights_ = std::move(out.weights);
    s.owned_in_offsets_ = std::move(in.offsets);
    s.owned_in_sources_ = std::move(in.targets);
    s.owned_in_weights_ = std::move(in.weights);
    s.point_at_owned();
    if (spec.filters_edges() && !spec.keep_isolated) {
        // People the chosen ties do not touch are not part of the view.
        if (s.active_.empty()) s.active_.assign(n, 1);
        for (auto u : s.nodes_) {
            if (s.out_degree(u) == 0 && s.in_degree(u) == 0) {
                s.active_[u] = 0;
                ++s.isolated_;
            }
        }
        if (s.isolated_ > 0) list_nodes();
    }
    std::uint64_t max_degree = 0;
    for (NodeIndex u = 0; u < n; ++u) max_degree = std::max({max_degree, s.out_degree(u), s.in_degree(u)});
    s.ones_.assign(max_degree, 1.0);
    s.find_uniform_weight();
    return s;
}

void Subgraph::find_uniform_weight() {
    const std::uint64_t m = arc_count();
    uniform_weight_.reset();
    if (m == 0) return;
    if (!out_weights_) {
        uniform_weight_ = 1.0;
        return;
    }
    const double first = out_weights_[0];
    const bool uniform = tbb::parallel_reduce(
        tbb::blocked_range<std::uint64_t>(0, m, 1 << 16), true,
        [&](const auto& r, bool ok) {
            for (auto a = r.begin(); ok && a != r.end(); ++a) ok = out_weights_[a] == first;
            return ok;
        },
        [](bool a, bool b) { return a && b; });
    if (uniform) uniform_weight_ = first;
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
