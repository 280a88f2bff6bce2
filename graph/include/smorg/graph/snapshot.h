#pragma once

#include <algorithm>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "smorg/graph/attributes.h"
#include "smorg/graph/binary_io.h"
#include "smorg/graph/id_index.h"
#include "smorg/graph/types.h"
#include "smorg/graph/vocabulary.h"

namespace smorg::graph {

// Per-edge weights stored in the narrowest exact form: absent when every weight is 1, float when
// every weight is exactly a float (counts, most real data), double otherwise.
class WeightColumn {
public:
    double operator[](EdgeIndex e) const noexcept {
        if (!narrow_.empty()) return narrow_[e];
        if (!wide_.empty()) return wide_[e];
        return 1.0;
    }
    bool all_one() const noexcept { return narrow_.empty() && wide_.empty(); }
    void assign(const std::vector<double>& weights);
    std::size_t memory_bytes() const noexcept;

    std::vector<float> narrow_;
    std::vector<double> wide_;
};

// Per-edge timestamps: absent when no edge has one; as 32-bit offsets from a base when the range
// allows (UINT32_MAX = none), 64-bit otherwise.
class TimestampColumn {
public:
    Timestamp operator[](EdgeIndex e) const noexcept {
        if (!narrow_.empty()) {
            const auto d = narrow_[e];
            return d == kNarrowNone ? kNoTimestamp : base_ + static_cast<Timestamp>(d);
        }
        if (!wide_.empty()) return wide_[e];
        return kNoTimestamp;
    }
    bool empty() const noexcept { return narrow_.empty() && wide_.empty(); }
    void assign(const std::vector<Timestamp>& timestamps);
    std::size_t memory_bytes() const noexcept;

    static constexpr std::uint32_t kNarrowNone = 0xffffffffu;
    Timestamp base_ = 0;
    std::vector<std::uint32_t> narrow_;
    std::vector<Timestamp> wide_;
};

// Per-edge referral values, sparse: only the few edges that carry one.
class ValueColumn {
public:
    std::optional<double> operator[](EdgeIndex e) const noexcept;
    std::size_t size() const noexcept { return edges_.size(); }
    std::size_t memory_bytes() const noexcept;

    std::vector<EdgeIndex> edges_;  // ascending
    std::vector<double> values_;
};

// An edge as handed to the builder.
struct EdgeRecord {
    NodeIndex source = kNoNode;
    NodeIndex target = kNoNode;
    KindId kind = 0;
    double weight = 1.0;                 // > 0
    Timestamp timestamp = kNoTimestamp;  // kNoTimestamp: none
    std::optional<double> value;         // money a referral brought
};

class SnapshotBuilder;
class ViewCache;  // subgraph.cpp

// Where a snapshot keeps the views built from it (Subgraph::shared), created on first use. A moved
// or moved-into snapshot starts with none: a kept view points at the snapshot that built it.
class ViewCacheSlot {
public:
    ViewCacheSlot() = default;
    ViewCacheSlot(ViewCacheSlot&&) noexcept {}
    ViewCacheSlot& operator=(ViewCacheSlot&&) noexcept {
        const std::lock_guard lock(mutex_);
        cache_.reset();
        return *this;
    }
    ViewCacheSlot(const ViewCacheSlot&) = delete;
    ViewCacheSlot& operator=(const ViewCacheSlot&) = delete;
    ~ViewCacheSlot() = default;

    // The cache, made when first asked for.
    ViewCache& get() const;
    // The cache when one was made, else nullptr.
    ViewCache* find() const;

private:
    mutable std::mutex mutex_;
    mutable std::shared_ptr<ViewCache> cache_;
};

// The immutable in-memory graph (docs/importing.md, the data model). Nodes carry an external id, a kind, the
// import batch that created them and attribute columns. Edges are stored once, sorted by
// (source, kind, target, timestamp); out-adjacency is a CSR over that order and in-adjacency a CSR of
// sources (sorted). About 9 bytes per edge plus the weight and timestamp columns when the data has them. Writers build a new
// snapshot and swap it in; readers keep theirs.
class Snapshot {
public:
    Snapshot() = default;
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;
    Snapshot(Snapshot&&) noexcept = default;
    Snapshot& operator=(Snapshot&&) noexcept = default;

    NodeIndex node_count() const noexcept { return ids_.size(); }
    EdgeIndex edge_count() const noexcept { return static_cast<EdgeIndex>(targets_.size()); }

    // Nodes.
    std::string_view id(NodeIndex node) const noexcept { return ids_.id(node); }
    std::optional<NodeIndex> find(std::string_view id) const noexcept { return ids_.find(id); }
    KindId node_kind(NodeIndex node) const noexcept { return node_kinds_[node]; }
    std::string_view node_kind_name(NodeIndex node) const { return node_vocab_.name(node_kinds_[node]); }
    std::uint32_t node_batch(NodeIndex node) const noexcept { return node_batch_[node]; }
    const Vocabulary& node_kinds() const noexcept { return node_vocab_; }
    const AttributeTable& attributes() const noexcept { return attributes_; }
    const IdIndex& ids() const noexcept { return ids_; }
    // Employees are the inside (I) of the silo map (docs/silos.md); every other kind is outside (E).
    bool is_inside(NodeIndex node) const noexcept { return employee_kind_ != kNoKind && node_kinds_[node] == employee_kind_; }

    // Edges.
    NodeIndex target(EdgeIndex e) const noexcept { return targets_[e]; }
    // O(log V): edges do not store their source; iterate out_edges where it matters.
    NodeIndex source(EdgeIndex e) const noexcept;
    KindId edge_kind(EdgeIndex e) const noexcept { return edge_kinds_[e]; }
    std::string_view edge_kind_name(EdgeIndex e) const { return edge_vocab_.name(edge_kinds_[e]); }
    double weight(EdgeIndex e) const noexcept { return weights_[e]; }
    Timestamp timestamp(EdgeIndex e) const noexcept { return timestamps_[e]; }
    std::optional<double> value(EdgeIndex e) const noexcept { return values_[e]; }
    const Vocabulary& edge_kinds() const noexcept { return edge_vocab_; }
    bool has_timestamps() const noexcept { return !timestamps_.empty(); }
    bool all_weights_one() const noexcept { return weights_.all_one(); }
    // True when some ordered pair (u, v) is joined by more than one edge (of any kinds).
    bool has_parallel_arcs() const noexcept { return has_parallel_arcs_; }

    // Out-edges of `node`: edge indexes [first, last), targets in the same order.
    EdgeIndex out_begin(NodeIndex node) const noexcept { return static_cast<EdgeIndex>(out_offsets_[node]); }
    EdgeIndex out_end(NodeIndex node) const noexcept { return static_cast<EdgeIndex>(out_offsets_[node + 1]); }
    std::span<const NodeIndex> out_targets(NodeIndex node) const noexcept {
        return {targets_.data() + out_offsets_[node], targets_.data() + out_offsets_[node + 1]};
    }
    // In-edges of `node`: their sources and edge indexes, sorted by source.
    std::span<const NodeIndex> in_sources(NodeIndex node) const noexcept {
        return {in_sources_.data() + in_offsets_[node], in_sources_.data() + in_offsets_[node + 1]};
    }
    // Calls f(source, edge) for every edge into `node`, sources ascending. Edges keep no back
    // pointer from the in-CSR (4 bytes per edge saved); each distinct source's out-list is searched
    // instead, one binary search per kind segment: O(kinds * log degree) per source.
    template <class F>
    void for_each_in_edge(NodeIndex node, F&& f) const {
        const auto sources = in_sources(node);
        for (std::size_t i = 0; i < sources.size();) {
            const NodeIndex s = sources[i];
            while (i < sources.size() && sources[i] == s) ++i;
            const auto kinds_begin = edge_kinds_.begin();
            for (EdgeIndex e = out_begin(s), end = out_end(s); e < end;) {
                const auto segment_end =
                    static_cast<EdgeIndex>(std::upper_bound(kinds_begin + e, kinds_begin + end, edge_kinds_[e]) - kinds_begin);
                auto at = std::lower_bound(targets_.begin() + e, targets_.begin() + segment_end, node);
                for (; at != targets_.begin() + segment_end && *at == node; ++at) {
                    f(s, static_cast<EdgeIndex>(at - targets_.begin()));
                }
                e = segment_end;
            }
        }
    }
    std::uint64_t out_degree(NodeIndex node) const noexcept { return out_offsets_[node + 1] - out_offsets_[node]; }
    std::uint64_t in_degree(NodeIndex node) const noexcept { return in_offsets_[node + 1] - in_offsets_[node]; }

    // Raw CSR arrays (for zero-copy views and serialization).
    const std::vector<std::uint64_t>& out_offsets() const noexcept { return out_offsets_; }
    const std::vector<NodeIndex>& targets() const noexcept { return targets_; }
    const std::vector<std::uint64_t>& in_offsets() const noexcept { return in_offsets_; }
    const std::vector<NodeIndex>& in_sources() const noexcept { return in_sources_; }

    // Bytes held by this snapshot (all arrays, ids, attributes).
    std::size_t memory_bytes() const noexcept;

    // Edges and nodes of each kind (by KindId), counted once when the snapshot is made.
    std::uint64_t edge_count_of(KindId kind) const noexcept { return kind < edges_by_kind_.size() ? edges_by_kind_[kind] : 0; }
    std::uint64_t node_count_of(KindId kind) const noexcept { return kind < nodes_by_kind_.size() ? nodes_by_kind_[kind] : 0; }

    // Compact binary form: a versioned header and the raw arrays. `read` checks the content as it
    // loads it (every index in range, the in-CSR the transpose of the out-CSR, sorted lists, typed
    // columns of the right size) and throws CorruptData rather than return a snapshot that could
    // crash or mislead an algorithm. The stream forms add (and check) a digest of every byte.
    void write(BinaryWriter& out) const;
    static Snapshot read(BinaryReader& in);
    void write(std::ostream& out) const;
    static Snapshot read(std::istream& in, std::uint64_t size);

    // A stable digest of the content (ids, kinds, edges, columns): equal for equal graphs.
    std::uint64_t fingerprint() const;

    // The same graph with other attribute columns (each sized to node_count()): a copy of the
    // arrays, O(V + E) memory traffic and no sorting (writing a derived attribute).
    Snapshot with_attributes(AttributeTable attributes) const;

    // The same graph with `added` edges between its nodes merged in: equal (fingerprint and every
    // array) to rebuilding it with the edges appended, in O(V + E + k log k) for k new edges,
    // parallel, without sorting the old ones (an import that appends edges). `edge_kinds` is this
    // snapshot's edge vocabulary, possibly with new kinds after its own. Throws
    // std::invalid_argument for an endpoint or kind out of range.
    Snapshot with_edges(const Vocabulary& edge_kinds, std::span<const EdgeRecord> added) const;

    // The views built from this snapshot and kept (Subgraph::shared); they go with it.
    const ViewCacheSlot& views() const noexcept { return views_; }

private:
    friend class SnapshotBuilder;

    IdIndex ids_;
    Vocabulary node_vocab_;
    Vocabulary edge_vocab_;
    KindId employee_kind_ = kNoKind;
    std::vector<KindId> node_kinds_;
    std::vector<std::uint32_t> node_batch_;
    AttributeTable attributes_;

    std::vector<std::uint64_t> out_offsets_{0};
    std::vector<NodeIndex> targets_;
    std::vector<KindId> edge_kinds_;
    WeightColumn weights_;
    TimestampColumn timestamps_;
    ValueColumn values_;
    std::vector<std::uint64_t> in_offsets_{0};
    std::vector<NodeIndex> in_sources_;
    bool has_parallel_arcs_ = false;
    std::vector<std::uint64_t> edges_by_kind_, nodes_by_kind_;
    ViewCacheSlot views_;

    void count_kinds();
    // Ids, node kinds and batches of `from` (the node side of a derived snapshot; not attributes).
    void copy_nodes_of(const Snapshot& from);
    bool find_parallel_arcs() const;
    void verify() const;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

// Collects nodes and edges, then sorts them into a Snapshot. Node indexes handed out by add_node are
// the snapshot's indexes. Not thread-safe; build() sorts in parallel.
class SnapshotBuilder {
public:
    SnapshotBuilder() = default;
    // Starts from everything in `base` (to add a batch to it), optionally without some nodes, every
    // edge touching them and every attribute column only they had values in (erasure). Indexes of
    // kept nodes shift down past removed ones.
    explicit SnapshotBuilder(const Snapshot& base, std::span<const NodeIndex> remove = {});

    NodeIndex node_count() const noexcept { return ids_.size(); }
    std::size_t edge_count() const noexcept { return sources_.size(); }
    void reserve(std::size_t nodes, std::size_t edges);

    std::optional<NodeIndex> find(std::string_view id) const noexcept { return ids_.find(id); }
    std::string_view id(NodeIndex node) const noexcept { return ids_.id(node); }
    KindId node_kind(NodeIndex node) const noexcept { return node_kinds_[node]; }
    Vocabulary& node_kinds() noexcept { return node_vocab_; }
    Vocabulary& edge_kinds() noexcept { return edge_vocab_; }
    AttributeTable& attributes() noexcept { return attributes_; }

    // Adds a node, or returns the existing one with that id (its kind is left as it was: callers
    // check conflicts, since only they know the line to blame). `added` tells which.
    NodeIndex add_node(std::string_view id, KindId kind, std::uint32_t batch, bool* added = nullptr);
    void set_node_kind(NodeIndex node, KindId kind) { node_kinds_[node] = kind; }
    // Throws ParamError(name) on a type that conflicts with the column.
    void set_attribute(NodeIndex node, std::string_view name, const AttributeValue& value);
    void add_edge(const EdgeRecord& edge);

    Snapshot build() &&;

private:
    IdIndex ids_;
    Vocabulary node_vocab_;
    Vocabulary edge_vocab_;
    std::vector<KindId> node_kinds_;
    std::vector<std::uint32_t> node_batch_;
    AttributeTable attributes_;

    std::vector<NodeIndex> sources_;
    std::vector<NodeIndex> targets_;
    std::vector<KindId> kinds_;
    std::vector<double> weights_;
    std::vector<Timestamp> timestamps_;
    std::vector<std::pair<std::size_t, double>> values_;  // (edge position, value)
};

}  // namespace smorg::graph
