#include "smorg/graph/subgraph.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <numeric>
#include <utility>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>
#include <tbb/task_arena.h>

#include "smorg/graph/errors.h"

#include <unistd.h>

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
    validate(spec.where, g);
    if (spec.since && spec.until && *spec.since >= *spec.until) {
        throw ParamError("until", "the window [since, until) is empty: until (" + std::to_string(*spec.until) +
                                      ") must be after since (" + std::to_string(*spec.since) + ")");
    }
}

// The views one snapshot keeps, by the spec that made them; least recently used dropped first.
class ViewCache {
public:
    SubgraphPtr find(const std::string& key) {
        const std::lock_guard lock(mutex_);
        for (auto& entry : entries_) {
            if (entry.key == key) {
                entry.used = ++clock_;
                ++hits_;
                return entry.view;
            }
        }
        ++misses_;
        return nullptr;
    }
    bool holds(const std::string& key) {
        const std::lock_guard lock(mutex_);
        return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == key; });
    }
    // Keeps `view` unless it alone exceeds the budget; an equal view kept meanwhile by another
    // request is handed out instead, so that both callers share one.
    SubgraphPtr keep(const std::string& key, SubgraphPtr view) {
        const std::uint64_t budget = view_cache_budget();
        const std::uint64_t bytes = view->memory_bytes();
        const std::lock_guard lock(mutex_);
        for (auto& entry : entries_) {
            if (entry.key == key) return entry.view;
        }
        if (bytes > budget) return view;
        while (bytes_ + bytes > budget) {
            const auto oldest = std::min_element(entries_.begin(), entries_.end(),
                                                 [](const Entry& a, const Entry& b) { return a.used < b.used; });
            bytes_ -= oldest->bytes;
            entries_.erase(oldest);
        }
        entries_.push_back({key, view, bytes, ++clock_});
        bytes_ += bytes;
        return view;
    }
    ViewCacheStats stats() {
        const std::lock_guard lock(mutex_);
        return {entries_.size(), bytes_, hits_, misses_};
    }

private:
    struct Entry {
        std::string key;
        SubgraphPtr view;
        std::uint64_t bytes = 0;
        std::uint64_t used = 0;
    };
    std::mutex mutex_;
    std::vector<Entry> entries_;
    std::uint64_t bytes_ = 0, clock_ = 0, hits_ = 0, misses_ = 0;
};

ViewCache& ViewCacheSlot::get() const {
    const std::lock_guard lock(mutex_);
    if (!cache_) cache_ = std::make_shared<ViewCache>();
    return *cache_;
}

ViewCache* ViewCacheSlot::find() const {
    const std::lock_guard lock(mutex_);
    return cache_.get();
}

namespace {

std::atomic<std::uint64_t>& budget_bytes() {
    static std::atomic<std::uint64_t> bytes = [] {
        const long pages = sysconf(_SC_PHYS_PAGES);
        const long size = sysconf(_SC_PAGE_SIZE);
        if (pages <= 0 || size <= 0) return std::uint64_t{2} << 30;
        return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(size) / 4;
    }();
    return bytes;
}

// What makes two specs the same view: kinds as sets, the window, the flags.
std::string cache_key(const SubgraphSpec& spec) {
    std::string key;
    for (const auto* kinds : {&spec.node_kinds, &spec.edge_kinds}) {
        std::vector<std::string> sorted(*kinds);
        std::sort(sorted.begin(), sorted.end());
        sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
        for (const auto& k : sorted) {
            key += std::to_string(k.size());
            key += ':';
            key += k;
        }
        key += '|';
    }
    key += spec.since ? std::to_string(*spec.since) : "-";
    key += '|';
    key += spec.until ? std::to_string(*spec.until) : "-";
    key += spec.directed ? "|d" : "|u";
    key += spec.weighted ? "w" : "-";
    key += spec.keep_isolated ? "k" : "-";
    key += '|';
    key += condition_key(spec.where);
    return key;
}

// The view is the snapshot's own arrays: directed, every edge kept (the kinds chosen are all it
// has, no window), no parallel arcs to merge and no weight other than 1 to carry.
bool points_into(const Snapshot& g, const SubgraphSpec& spec, const EdgeFilter& filter) {
    return spec.directed && !g.has_parallel_arcs() && (!spec.weighted || g.all_weights_one()) && filter.keeps_everything();
}

bool cached(const Snapshot& g, const SubgraphSpec& spec) {
    auto* cache = g.views().find();
    return cache && cache->holds(cache_key(spec));
}

}  // namespace

std::uint64_t view_cache_budget() noexcept { return budget_bytes().load(std::memory_order_relaxed); }
void set_view_cache_budget(std::uint64_t bytes) noexcept { budget_bytes().store(bytes, std::memory_order_relaxed); }

ViewCacheStats view_cache_stats(const Snapshot& g) {
    auto* cache = g.views().find();
    return cache ? cache->stats() : ViewCacheStats{};
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
    // A view with conditions is never the snapshot's own arrays: no need to evaluate them here.
    v.zero_copy = spec.where.empty() && points_into(g, spec, EdgeFilter(g, spec));
    const double n = static_cast<double>(g.node_count());
    if (!v.zero_copy && (v.cached = cached(g, spec))) return v;
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
    const auto by_neighbour = [](const auto& a, const auto& b) { return a.first < b.first; };
    if (!std::is_sorted(arcs.begin(), arcs.end(), by_neighbour)) std::sort(arcs.begin(), arcs.end(), by_neighbour);
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

// One node's ties from its sorted out-targets and in-sources when neither list repeats a node (no
// parallel arcs): a merge that takes the smaller head each step without branching on it. A node in
// both lists is a tie of two arcs (weight 2), unless it is u's own loop (1). Counts when `to` is
// null (and notes in `several` a tie of two arcs); writes the ties (and weights, when `weights`).
std::uint64_t merge_ties(NodeIndex u, std::span<const NodeIndex> out, std::span<const NodeIndex> in, NodeIndex* to,
                         double* weights, bool& several) {
    std::size_t a = 0, b = 0, k = 0;
    while (a < out.size() && b < in.size()) {
        const NodeIndex x = out[a], y = in[b];
        const NodeIndex v = x < y ? x : y;
        const bool both = x == y && v != u;
        if (to) {
            to[k] = v;
            if (weights) weights[k] = both ? 2.0 : 1.0;
        } else {
            several |= both;
        }
        ++k;
        a += x <= y ? 1 : 0;
        b += y <= x ? 1 : 0;
    }
    const auto rest = a < out.size() ? out.subspan(a) : in.subspan(b);
    if (to) {
        std::copy(rest.begin(), rest.end(), to + k);
        if (weights) std::fill_n(weights + k, rest.size(), 1.0);
    }
    return k + rest.size();
}

// The ties of every edge of a snapshot whose edges all weigh 1, without a directed copy first:
// u's ties are the union of its out-targets and in-sources (both sorted; an out-list of several
// kinds is sorted per kind and merged here), walked once to count and once to write. A tie's weight
// is the number of arcs that make it, a loop's the number of loops; weighted, the weights are kept
// only when some tie has more than one arc (otherwise all are 1 and no array is needed).
Csr all_ties(const Snapshot& g, NodeIndex n, bool weighted) {
    const bool simple = !g.has_parallel_arcs();
    auto sorted_out = [&](NodeIndex u, std::vector<NodeIndex>& scratch) {
        std::span<const NodeIndex> out = g.out_targets(u);
        if (std::is_sorted(out.begin(), out.end())) return out;
        scratch.assign(out.begin(), out.end());
        std::sort(scratch.begin(), scratch.end());
        return std::span<const NodeIndex>(scratch);
    };
    // With parallel arcs: a node's repeats are grouped and counted.
    auto walk = [&](NodeIndex u, std::span<const NodeIndex> out, auto&& emit) {
        const auto in = g.in_sources(u);
        std::size_t a = 0, b = 0;
        while (a < out.size() || b < in.size()) {
            const NodeIndex v = b == in.size() || (a < out.size() && out[a] < in[b]) ? out[a] : in[b];
            std::uint32_t arcs = 0;
            for (; a < out.size() && out[a] == v; ++a) ++arcs;
            for (; b < in.size() && in[b] == v; ++b) arcs += v != u ? 1 : 0;  // a loop counts as its out-arc
            emit(v, arcs);
        }
    };
    Csr ties;
    ties.offsets.assign(std::size_t{n} + 1, 0);
    std::atomic<bool> several{false};
    tbb::parallel_for(tbb::blocked_range<NodeIndex>(0, n, kChunk), [&](const auto& r) {
        std::vector<NodeIndex> scratch;
        bool seen = false;
        for (NodeIndex u = r.begin(); u != r.end(); ++u) {
            const auto out = sorted_out(u, scratch);
            std::uint64_t count = 0;
            if (simple) {
                count = merge_ties(u, out, g.in_sources(u), nullptr, nullptr, seen);
            } else {
                walk(u, out, [&](NodeIndex, std::uint32_t arcs) {
                    ++count;
                    seen |= arcs > 1;
                });
            }
            ties.offsets[u + 1] = count;
        }
        if (seen) several.store(true, std::memory_order_relaxed);
    });
    std::partial_sum(ties.offsets.begin(), ties.offsets.end(), ties.offsets.begin());
    const bool keep_weights = weighted && several.load();
    ties.targets.resize(ties.offsets[n]);
    if (keep_weights) ties.weights.resize(ties.offsets[n]);
    tbb::parallel_for(tbb::blocked_range<NodeIndex>(0, n, kChunk), [&](const auto& r) {
        std::vector<NodeIndex> scratch;
        bool unused = false;
        for (NodeIndex u = r.begin(); u != r.end(); ++u) {
            const auto out = sorted_out(u, scratch);
            auto at = ties.offsets[u];
            if (simple) {
                merge_ties(u, out, g.in_sources(u), ties.targets.data() + at, keep_weights ? ties.weights.data() + at : nullptr,
                           unused);
                continue;
            }
            walk(u, out, [&](NodeIndex v, std::uint32_t arcs) {
                ties.targets[at] = v;
                if (keep_weights) ties.weights[at] = arcs;
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
    if (!spec.where.empty()) node_ok_ = select_nodes(spec.where, g);
}

bool EdgeFilter::keeps_everything() const noexcept {
    if (windowed_) return false;
    if (std::find(node_ok_.begin(), node_ok_.end(), std::uint8_t{0}) != node_ok_.end()) return false;
    for (std::size_t k = 0; k < g_->node_kinds().size(); ++k) {
        if (!node_kind_ok_[k] && g_->node_count_of(static_cast<KindId>(k)) > 0) return false;
    }
    for (std::size_t k = 0; k < g_->edge_kinds().size(); ++k) {
        if (!edge_kind_ok_[k] && g_->edge_count_of(static_cast<KindId>(k)) > 0) return false;
    }
    return true;
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
    if (spec.filters_nodes()) {
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

    auto keep = [&](EdgeIndex e, NodeIndex a, NodeIndex b) { return filter.edge(e) && s.active(a) && s.active(b); };

    const bool weighted = spec.weighted;
    if (points_into(g, spec, filter)) {
        s.out_offsets_ = g.out_offsets().data();
        s.out_targets_ = g.targets().data();
        s.in_offsets_ = g.in_offsets().data();
        s.in_sources_ = g.in_sources().data();
    } else {
        Csr out, in;
        if (!spec.directed && filter.keeps_everything() && (!weighted || g.all_weights_one())) {
            out = all_ties(g, n, weighted);
        } else {
            // The filtered, merged directed arcs.
            out = build_csr(n, weighted, [&](NodeIndex u, std::vector<std::pair<NodeIndex, double>>& arcs) {
                if (!s.active(u)) return;
                for (EdgeIndex e = g.out_begin(u); e < g.out_end(u); ++e) {
                    if (keep(e, u, g.target(e))) arcs.emplace_back(g.target(e), g.weight(e));
                }
            });
            in = transpose(out, n, weighted);
            if (!spec.directed) {
                Csr ties = ties_of(out, in, n, weighted);
                out = std::move(ties);
                in = Csr{};
            }
        }
        s.owned_out_offsets_ = std::move(out.offsets);
        s.owned_out_targets_ = std::move(out.targets);
        s.owned_out_weights_ = std::move(out.weights);
        s.owned_in_offsets_ = std::move(in.offsets);
        s.owned_in_sources_ = std::move(in.targets);
        s.owned_in_weights_ = std::move(in.weights);
        s.point_at_owned();
    }
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

SubgraphPtr Subgraph::shared(const Snapshot& g, const SubgraphSpec& spec) {
    validate(spec, g);
    auto& cache = g.views().get();
    const std::string key = cache_key(spec);
    if (auto kept = cache.find(key)) return kept;
    return cache.keep(key, std::make_shared<const Subgraph>(of(g, spec)));
}

std::size_t Subgraph::memory_bytes() const noexcept {
    return active_.capacity() + nodes_.capacity() * sizeof(NodeIndex) + ones_.capacity() * sizeof(double) +
           owned_out_offsets_.capacity() * 8 + owned_out_targets_.capacity() * sizeof(NodeIndex) +
           owned_out_weights_.capacity() * sizeof(double) + owned_in_offsets_.capacity() * 8 +
           owned_in_sources_.capacity() * sizeof(NodeIndex) + owned_in_weights_.capacity() * sizeof(double);
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
    // No weight array: every weight is 1 (unweighted, or all_ties found no tie of several arcs).
    out_offsets_ = owned_out_offsets_.data();
    out_targets_ = owned_out_targets_.data();
    out_weights_ = weighted_ && !owned_out_weights_.empty() ? owned_out_weights_.data() : nullptr;
    if (directed_) {
        in_offsets_ = owned_in_offsets_.data();
        in_sources_ = owned_in_sources_.data();
        in_weights_ = weighted_ && !owned_in_weights_.empty() ? owned_in_weights_.data() : nullptr;
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
