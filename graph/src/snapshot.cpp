#include "smorg/graph/snapshot.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include "smorg/graph/errors.h"

namespace smorg::graph {

// ---- columns -------------------------------------------------------------------------------------

void WeightColumn::assign(const std::vector<double>& weights) {
    narrow_.clear();
    wide_.clear();
    bool all_one = true;
    bool fits_float = true;
    for (double w : weights) {
        all_one = all_one && w == 1.0;
        fits_float = fits_float && static_cast<double>(static_cast<float>(w)) == w;
    }
    if (all_one) return;
    if (fits_float) {
        narrow_.resize(weights.size());
        for (std::size_t i = 0; i < weights.size(); ++i) narrow_[i] = static_cast<float>(weights[i]);
    } else {
        wide_ = weights;
    }
}

std::size_t WeightColumn::memory_bytes() const noexcept {
    return narrow_.capacity() * sizeof(float) + wide_.capacity() * sizeof(double);
}

void TimestampColumn::assign(const std::vector<Timestamp>& timestamps) {
    narrow_.clear();
    wide_.clear();
    base_ = 0;
    Timestamp lo = std::numeric_limits<Timestamp>::max();
    Timestamp hi = std::numeric_limits<Timestamp>::min();
    for (auto t : timestamps) {
        if (t == kNoTimestamp) continue;
        lo = std::min(lo, t);
        hi = std::max(hi, t);
    }
    if (lo > hi) return;  // no timestamps at all
    // The subtraction cannot overflow: both are real timestamps and kNoTimestamp is excluded.
    if (static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo) < kNarrowNone) {
        base_ = lo;
        narrow_.resize(timestamps.size());
        for (std::size_t i = 0; i < timestamps.size(); ++i) {
            narrow_[i] = timestamps[i] == kNoTimestamp ? kNarrowNone : static_cast<std::uint32_t>(timestamps[i] - lo);
        }
    } else {
        wide_ = timestamps;
    }
}

std::size_t TimestampColumn::memory_bytes() const noexcept {
    return narrow_.capacity() * sizeof(std::uint32_t) + wide_.capacity() * sizeof(Timestamp);
}

std::optional<double> ValueColumn::operator[](EdgeIndex e) const noexcept {
    const auto it = std::lower_bound(edges_.begin(), edges_.end(), e);
    if (it == edges_.end() || *it != e) return std::nullopt;
    return values_[static_cast<std::size_t>(it - edges_.begin())];
}

std::size_t ValueColumn::memory_bytes() const noexcept {
    return edges_.capacity() * sizeof(EdgeIndex) + values_.capacity() * sizeof(double);
}

// ---- snapshot ------------------------------------------------------------------------------------

NodeIndex Snapshot::source(EdgeIndex e) const noexcept {
    // The last node whose first out-edge is <= e.
    const auto it = std::upper_bound(out_offsets_.begin(), out_offsets_.end(), std::uint64_t{e});
    return static_cast<NodeIndex>(it - out_offsets_.begin() - 1);
}

std::size_t Snapshot::memory_bytes() const noexcept {
    std::size_t bytes = ids_.memory_bytes() + node_kinds_.capacity() + node_batch_.capacity() * 4;
    for (const auto& c : attributes_.columns()) bytes += c.memory_bytes();
    bytes += out_offsets_.capacity() * 8 + targets_.capacity() * 4 + edge_kinds_.capacity();
    bytes += weights_.memory_bytes() + timestamps_.memory_bytes() + values_.memory_bytes();
    bytes += in_offsets_.capacity() * 8 + in_sources_.capacity() * 4;
    return bytes;
}

Snapshot Snapshot::with_attributes(AttributeTable attributes) const {
    Snapshot s;
    s.ids_ = ids_;
    s.node_vocab_ = node_vocab_;
    s.edge_vocab_ = edge_vocab_;
    s.employee_kind_ = employee_kind_;
    s.node_kinds_ = node_kinds_;
    s.node_batch_ = node_batch_;
    s.attributes_ = std::move(attributes);
    for (auto& column : s.attributes_.columns()) column.resize(node_count());
    s.out_offsets_ = out_offsets_;
    s.targets_ = targets_;
    s.edge_kinds_ = edge_kinds_;
    s.weights_ = weights_;
    s.timestamps_ = timestamps_;
    s.values_ = values_;
    s.in_offsets_ = in_offsets_;
    s.in_sources_ = in_sources_;
    s.has_parallel_arcs_ = has_parallel_arcs_;
    s.edges_by_kind_ = edges_by_kind_;
    s.nodes_by_kind_ = nodes_by_kind_;
    return s;
}

// ---- builder -------------------------------------------------------------------------------------

SnapshotBuilder::SnapshotBuilder(const Snapshot& base, std::span<const NodeIndex> remove) {
    node_vocab_ = base.node_vocab_;
    edge_vocab_ = base.edge_vocab_;
    const NodeIndex n = base.node_count();
    std::vector<NodeIndex> remap(n);
    std::vector<std::uint8_t> removed(n, 0);
    for (auto r : remove) {
        if (r < n) removed[r] = 1;
    }
    if (remove.empty()) {
        ids_ = base.ids_;
        node_kinds_ = base.node_kinds_;
        node_batch_ = base.node_batch_;
        attributes_ = base.attributes_;
        std::iota(remap.begin(), remap.end(), NodeIndex{0});
    } else {
        for (NodeIndex u = 0; u < n; ++u) {
            if (removed[u]) {
                remap[u] = kNoNode;
                continue;
            }
            remap[u] = ids_.intern(base.id(u));
            node_kinds_.push_back(base.node_kinds_[u]);
            node_batch_.push_back(base.node_batch_[u]);
        }
        for (const auto& column : base.attributes_.columns()) {
            // A column only removed people had values in goes with them: its name may say who they were.
            bool kept = false, erased = false;
            for (NodeIndex u = 0; u < n && !(kept && erased); ++u) {
                if (!column.has(u)) continue;
                (remap[u] == kNoNode ? erased : kept) = true;
            }
            if (erased && !kept) continue;
            auto& c = attributes_.column(column.name(), column.type(), ids_.size());
            for (NodeIndex u = 0; u < n; ++u) {
                if (remap[u] != kNoNode && column.has(u)) c.set(remap[u], column.value(u));
            }
            c.compact_dictionary();
        }
    }
    reserve(0, base.edge_count());
    for (NodeIndex u = 0; u < n; ++u) {
        if (remap[u] == kNoNode) continue;
        for (EdgeIndex e = base.out_begin(u); e < base.out_end(u); ++e) {
            const NodeIndex v = base.target(e);
            if (remap[v] == kNoNode) continue;
            add_edge({remap[u], remap[v], base.edge_kind(e), base.weight(e), base.timestamp(e), base.value(e)});
        }
    }
}

void SnapshotBuilder::reserve(std::size_t nodes, std::size_t edges) {
    if (nodes) {
        ids_.reserve(nodes, nodes * 8);
        node_kinds_.reserve(nodes);
        node_batch_.reserve(nodes);
    }
    sources_.reserve(sources_.size() + edges);
    targets_.reserve(targets_.size() + edges);
    kinds_.reserve(kinds_.size() + edges);
    weights_.reserve(weights_.size() + edges);
    timestamps_.reserve(timestamps_.size() + edges);
}

NodeIndex SnapshotBuilder::add_node(std::string_view id, KindId kind, std::uint32_t batch, bool* added) {
    bool fresh = false;
    const NodeIndex index = ids_.intern(id, &fresh);
    if (fresh) {
        node_kinds_.push_back(kind);
        node_batch_.push_back(batch);
    }
    if (added) *added = fresh;
    return index;
}

void SnapshotBuilder::set_attribute(NodeIndex node, std::string_view name, const AttributeValue& value) {
    if (std::holds_alternative<std::monostate>(value)) {
        if (auto* c = attributes_.find(name)) c->set(node, value);
        return;
    }
    AttributeType type = AttributeType::string;
    if (std::holds_alternative<double>(value)) type = AttributeType::number;
    if (std::holds_alternative<bool>(value)) type = AttributeType::boolean;
    attributes_.column(name, type, ids_.size()).set(node, value);
}

void SnapshotBuilder::add_edge(const EdgeRecord& edge) {
    if (edge.source >= ids_.size() || edge.target >= ids_.size()) {
        throw std::out_of_range("edge endpoint out of range");
    }
    if (!(edge.weight >= kMinWeight && edge.weight <= kMaxWeight)) {
        throw ParamError("weight", "a weight must be in [" + format_number(kMinWeight) + ", " + format_number(kMaxWeight) +
                                       "], got " + format_number(edge.weight));
    }
    if (edge.value) values_.emplace_back(sources_.size(), *edge.value);
    sources_.push_back(edge.source);
    targets_.push_back(edge.target);
    kinds_.push_back(edge.kind);
    weights_.push_back(edge.weight);
    timestamps_.push_back(edge.timestamp);
}

Snapshot SnapshotBuilder::build() && {
    Snapshot s;
    const NodeIndex n = ids_.size();
    const std::size_t m = sources_.size();
    if (m >= std::numeric_limits<EdgeIndex>::max()) {
        throw std::length_error("too many edges for one snapshot: " + std::to_string(m));
    }

    // Out-CSR: counting sort by source, then each source's edges by (kind, target, timestamp,
    // arrival) so the order depends only on the input sequence.
    s.out_offsets_.assign(std::size_t{n} + 1, 0);
    for (auto u : sources_) ++s.out_offsets_[u + 1];
    std::partial_sum(s.out_offsets_.begin(), s.out_offsets_.end(), s.out_offsets_.begin());
    std::vector<EdgeIndex> order(m);
    {
        std::vector<std::uint64_t> cursor(s.out_offsets_.begin(), s.out_offsets_.end() - 1);
        for (std::size_t i = 0; i < m; ++i) order[cursor[sources_[i]]++] = static_cast<EdgeIndex>(i);
    }
    tbb::parallel_for(tbb::blocked_range<NodeIndex>(0, n, 1024), [&](const auto& range) {
        for (NodeIndex u = range.begin(); u != range.end(); ++u) {
            auto first = order.begin() + static_cast<std::ptrdiff_t>(s.out_offsets_[u]);
            auto last = order.begin() + static_cast<std::ptrdiff_t>(s.out_offsets_[u + 1]);
            std::sort(first, last, [&](EdgeIndex a, EdgeIndex b) {
                if (kinds_[a] != kinds_[b]) return kinds_[a] < kinds_[b];
                if (targets_[a] != targets_[b]) return targets_[a] < targets_[b];
                if (timestamps_[a] != timestamps_[b]) return timestamps_[a] < timestamps_[b];
                return a < b;
            });
        }
    });

    s.targets_.resize(m);
    s.edge_kinds_.resize(m);
    {
        std::vector<double> weights(m);
        std::vector<Timestamp> timestamps(m);
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, m, 1 << 14), [&](const auto& range) {
            for (std::size_t i = range.begin(); i != range.end(); ++i) {
                const auto from = order[i];
                s.targets_[i] = targets_[from];
                s.edge_kinds_[i] = kinds_[from];
                weights[i] = weights_[from];
                timestamps[i] = timestamps_[from];
            }
        });
        s.weights_.assign(weights);
        s.timestamps_.assign(timestamps);
    }
    if (!values_.empty()) {
        std::vector<EdgeIndex> position(m);
        for (std::size_t i = 0; i < m; ++i) position[order[i]] = static_cast<EdgeIndex>(i);
        std::vector<std::pair<EdgeIndex, double>> values;
        values.reserve(values_.size());
        for (const auto& [at, v] : values_) values.emplace_back(position[at], v);
        std::sort(values.begin(), values.end());
        for (const auto& [e, v] : values) {
            s.values_.edges_.push_back(e);
            s.values_.values_.push_back(v);
        }
    }
    order = {};

    // In-CSR: edges arrive in source order, so each in-list comes out sorted by source.
    s.in_offsets_.assign(std::size_t{n} + 1, 0);
    for (auto v : s.targets_) ++s.in_offsets_[v + 1];
    std::partial_sum(s.in_offsets_.begin(), s.in_offsets_.end(), s.in_offsets_.begin());
    s.in_sources_.resize(m);
    {
        std::vector<std::uint64_t> cursor(s.in_offsets_.begin(), s.in_offsets_.end() - 1);
        for (NodeIndex u = 0; u < n; ++u) {
            for (auto e = s.out_offsets_[u]; e < s.out_offsets_[u + 1]; ++e) {
                const auto at = cursor[s.targets_[e]]++;
                s.in_sources_[at] = u;
            }
        }
    }

    s.ids_ = std::move(ids_);
    s.node_vocab_ = std::move(node_vocab_);
    s.edge_vocab_ = std::move(edge_vocab_);
    s.employee_kind_ = s.node_vocab_.find(kinds::employee).value_or(kNoKind);
    s.node_kinds_ = std::move(node_kinds_);
    s.node_batch_ = std::move(node_batch_);
    s.attributes_ = std::move(attributes_);
    for (auto& c : s.attributes_.columns()) c.resize(n);
    s.has_parallel_arcs_ = s.find_parallel_arcs();
    s.count_kinds();
    return s;
}

}  // namespace smorg::graph
