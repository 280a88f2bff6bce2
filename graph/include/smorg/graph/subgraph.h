#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "smorg/graph/enum_names.h"
#include "smorg/graph/run_context.h"
#include "smorg/graph/snapshot.h"
#include "smorg/graph/types.h"
#include "smorg/graph/where.h"

namespace smorg::graph {

// How path-based measures read a weight. Weight is tie strength everywhere in smorg, so by default
// a stronger tie is a shorter step: length = 1 / weight. `length` takes the weight as the length.
enum class WeightAs : std::uint8_t { strength, length };

// Which part of a snapshot an algorithm runs on. Member names are the JSON request's common filters.
struct SubgraphSpec {
    std::vector<std::string> node_kinds;  // keep only nodes of these kinds; empty: all kinds
    std::vector<NodeCondition> where;     // and only nodes that meet every condition (where.h)
    std::vector<std::string> edge_kinds;  // keep only edges of these kinds; empty: all kinds
    std::optional<Timestamp> since;       // keep edges with timestamp >= since (edges without a
    std::optional<Timestamp> until;       //   timestamp are dropped once a window is given); < until
    bool directed = true;                 // false: every edge joins both ends
    bool weighted = true;                 // false: every kept arc has weight 1
    // When edge kinds or a window are chosen, people with no tie left in the view are not part of
    // it (they would only dilute normalizations, fill communities with singletons and take teleport
    // mass); true keeps them, as networkx keeps every node of a graph.
    bool keep_isolated = false;

    bool selects_everything() const noexcept { return !filters_nodes() && edge_kinds.empty() && !since && !until; }
    // Node kinds or attribute conditions are chosen.
    bool filters_nodes() const noexcept { return !node_kinds.empty() || !where.empty(); }
    // Edge kinds or a window are chosen.
    bool filters_edges() const noexcept { return !edge_kinds.empty() || since || until; }
};

// Which stored edges and nodes a (validated) spec keeps: nodes of the chosen kinds that meet the
// `where` conditions; edges of the
// chosen kinds between two kept nodes with, once a window is given, a timestamp in [since, until)
// (edges without a timestamp are then left out). The one home of that rule.
class EdgeFilter {
public:
    EdgeFilter(const Snapshot& g, const SubgraphSpec& spec);
    bool node(NodeIndex u) const noexcept { return node_kind_ok_[g_->node_kind(u)] && (node_ok_.empty() || node_ok_[u] != 0); }
    // Kind and window (not the endpoints).
    bool edge(EdgeIndex e) const noexcept {
        if (!edge_kind_ok_[g_->edge_kind(e)]) return false;
        if (!windowed_) return true;
        const Timestamp t = g_->timestamp(e);
        return t != kNoTimestamp && t >= since_ && t < until_;
    }
    bool keeps(EdgeIndex e, NodeIndex source, NodeIndex target) const noexcept { return edge(e) && node(source) && node(target); }
    // Every node and every edge of the snapshot passes (the kinds chosen are all it has, no window).
    bool keeps_everything() const noexcept;

private:
    const Snapshot* g_;
    std::array<bool, 256> node_kind_ok_{};
    std::array<bool, 256> edge_kind_ok_{};
    std::vector<std::uint8_t> node_ok_;  // by node, when `where` has conditions
    bool windowed_ = false;
    Timestamp since_ = kNoTimestamp;
    Timestamp until_ = 0;
};

// The spec of the whole graph seen undirected: the default of measures defined on ties.
inline SubgraphSpec undirected_spec() {
    SubgraphSpec spec;
    spec.directed = false;
    return spec;
}

// Throws ParamError naming the field ("node_kinds/1", "until", "where/clv/>=") for an unknown kind,
// a condition that does not fit its attribute or an empty window.
void validate(const SubgraphSpec& spec, const Snapshot& g);

// Those of `wanted` that `vocabulary` holds, in the order given: an algorithm's default kinds on a
// database that may lack some of them.
std::vector<std::string> present_kinds(const Vocabulary& vocabulary, std::span<const std::string_view> wanted);

// `spec` with an algorithm's default edge kinds when it names none: those of `wanted` the snapshot
// has, or every kind when it has none of them. The one rule behind every op's default ties.
SubgraphSpec with_default_edge_kinds(SubgraphSpec spec, const Snapshot& g, std::span<const std::string_view> wanted);

// The size of the view a spec selects, known before it is built: at most `nodes` active nodes and
// `arcs` arcs (neighbour-list entries; an undirected view lists a tie twice), from the per-kind
// counts of the snapshot (a time window can only make it smaller). `cost` is what building it
// takes (nothing when the view points into the snapshot or the snapshot keeps it already).
struct ViewSize {
    std::uint64_t nodes = 0;
    std::uint64_t arcs = 0;
    bool zero_copy = false;
    bool cached = false;  // Subgraph::shared will hand out a view it keeps
    Estimate cost;
};
ViewSize view_size(const Snapshot& g, const SubgraphSpec& spec);

// An algorithm's view of a snapshot: the arcs that pass a SubgraphSpec, as out- and in-CSR with
// weights, over the snapshot's own node indexes (nodes outside the view are inactive and have no
// arcs). Parallel arcs between the same ordered pair are merged into one: weighted, the merged arc's
// weight is the sum of theirs; unweighted, it is 1. Undirected, an arc u->v and v->u both make the
// single tie {u, v} (weight summed the same way), listed in the neighbour lists of both ends, and a
// self-loop is listed once. Neighbour lists are sorted by node index.
//
// When the spec selects the whole snapshot, directed, and the snapshot has no parallel arcs and no
// weights other than 1 (or the view is unweighted), the view points into the snapshot's own arrays
// and copies nothing. Otherwise it builds its arrays in parallel, O(V + E log d); the undirected view
// of every edge of a snapshot whose weights are all 1 is one merge of its out- and in-lists, O(V + E).
class Subgraph {
public:
    static Subgraph of(const Snapshot& g, const SubgraphSpec& spec);
    // The same view, kept by the snapshot once built: later requests for an equal spec (the same
    // kinds in any order, window, directedness, weighting, keep_isolated) share it, for as long as
    // the snapshot lives. The kept views of one snapshot stay within view_cache_budget(), the least
    // recently used dropped first; a view larger than the budget is built for its caller alone.
    // Thread-safe.
    static std::shared_ptr<const Subgraph> shared(const Snapshot& g, const SubgraphSpec& spec);

    const Snapshot& snapshot() const noexcept { return *g_; }
    NodeIndex node_count() const noexcept { return n_; }
    bool directed() const noexcept { return directed_; }
    bool weighted() const noexcept { return weighted_; }
    // Number of arcs (directed) or of neighbour-list entries (undirected: 2 per tie, 1 per loop).
    std::uint64_t arc_count() const noexcept { return out_offsets_[n_]; }

    bool active(NodeIndex node) const noexcept { return active_.empty() || active_[node] != 0; }
    // The active nodes, ascending.
    const std::vector<NodeIndex>& nodes() const noexcept { return nodes_; }
    // Nodes of the chosen kinds left out for having no tie in the view (see keep_isolated).
    std::uint64_t isolated() const noexcept { return isolated_; }

    std::span<const NodeIndex> out_neighbors(NodeIndex u) const noexcept {
        return {out_targets_ + out_offsets_[u], out_targets_ + out_offsets_[u + 1]};
    }
    // Weights parallel to out_neighbors (all 1 when unweighted).
    std::span<const double> out_weights(NodeIndex u) const noexcept {
        const auto begin = out_offsets_[u];
        const auto size = out_offsets_[u + 1] - begin;
        return out_weights_ ? std::span<const double>(out_weights_ + begin, size) : std::span<const double>(ones_.data(), size);
    }
    std::span<const NodeIndex> in_neighbors(NodeIndex v) const noexcept {
        return {in_sources_ + in_offsets_[v], in_sources_ + in_offsets_[v + 1]};
    }
    std::span<const double> in_weights(NodeIndex v) const noexcept {
        const auto begin = in_offsets_[v];
        const auto size = in_offsets_[v + 1] - begin;
        return in_weights_ ? std::span<const double>(in_weights_ + begin, size) : std::span<const double>(ones_.data(), size);
    }
    std::uint64_t out_degree(NodeIndex u) const noexcept { return out_offsets_[u + 1] - out_offsets_[u]; }
    std::uint64_t in_degree(NodeIndex v) const noexcept { return in_offsets_[v + 1] - in_offsets_[v]; }
    // Offset of u's first out-arc: out arcs are numbered 0 .. arc_count()-1 in CSR order.
    std::uint64_t out_offset(NodeIndex u) const noexcept { return out_offsets_[u]; }
    // Offset of v's first in-arc in the in-CSR (its own numbering; undirected views share the out one).
    std::uint64_t in_offset(NodeIndex v) const noexcept { return in_offsets_[v]; }
    // Arc `a` (an out-arc number) by itself: its target and weight.
    NodeIndex arc_target(std::uint64_t a) const noexcept { return out_targets_[a]; }
    double arc_weight(std::uint64_t a) const noexcept { return out_weights_ ? out_weights_[a] : 1.0; }
    // True when the view copied nothing from the snapshot.
    bool zero_copy() const noexcept { return owned_out_offsets_.empty(); }
    // The weight every arc has, when all have the same one (always 1 unweighted); nullopt when the
    // weights differ or there are no arcs. Shortest paths then need no Dijkstra: a BFS finds them.
    std::optional<double> uniform_weight() const noexcept { return uniform_weight_; }

    // Sum of out_weights(u) / in_weights(v).
    double out_strength(NodeIndex u) const noexcept;
    double in_strength(NodeIndex v) const noexcept;

    // Bytes this view holds beyond the snapshot's own arrays.
    std::size_t memory_bytes() const noexcept;

    Subgraph(Subgraph&&) noexcept = default;
    Subgraph& operator=(Subgraph&&) noexcept = default;
    Subgraph(const Subgraph&) = delete;
    Subgraph& operator=(const Subgraph&) = delete;
    ~Subgraph() = default;

private:
    Subgraph() = default;
    void point_at_owned();

    const Snapshot* g_ = nullptr;
    NodeIndex n_ = 0;
    bool directed_ = true;
    bool weighted_ = true;
    std::vector<std::uint8_t> active_;  // empty: all active
    std::vector<NodeIndex> nodes_;
    std::uint64_t isolated_ = 0;

    const std::uint64_t* out_offsets_ = nullptr;
    const NodeIndex* out_targets_ = nullptr;
    const double* out_weights_ = nullptr;
    const std::uint64_t* in_offsets_ = nullptr;
    const NodeIndex* in_sources_ = nullptr;
    const double* in_weights_ = nullptr;

    std::vector<std::uint64_t> owned_out_offsets_;
    std::vector<NodeIndex> owned_out_targets_;
    std::vector<double> owned_out_weights_;
    std::vector<std::uint64_t> owned_in_offsets_;
    std::vector<NodeIndex> owned_in_sources_;
    std::vector<double> owned_in_weights_;
    std::vector<double> ones_;  // max degree entries of 1.0, for unweighted views
    std::optional<double> uniform_weight_;

    void find_uniform_weight();
};

using SubgraphPtr = std::shared_ptr<const Subgraph>;

// The bytes of views each snapshot may keep (Subgraph::shared). Default: a quarter of the machine's
// physical memory; 0 keeps none. Applies to views kept from then on.
std::uint64_t view_cache_budget() noexcept;
void set_view_cache_budget(std::uint64_t bytes) noexcept;

// What a snapshot's kept views are: how many, their bytes, and how often a request found its view
// kept (hits) or built it (misses).
struct ViewCacheStats {
    std::uint64_t views = 0;
    std::uint64_t bytes = 0;
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
};
ViewCacheStats view_cache_stats(const Snapshot& g);

}  // namespace smorg::graph

template <>
struct smorg::graph::EnumNames<smorg::graph::WeightAs> {
    static constexpr std::array<std::string_view, 2> names{"strength", "length"};
};
