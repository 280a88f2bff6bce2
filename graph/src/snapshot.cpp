#include "smorg/graph/snapshot.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <tuple>

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

void Snapshot::copy_nodes_of(const Snapshot& from) {
    ids_ = from.ids_;
    node_vocab_ = from.node_vocab_;
    employee_kind_ = from.employee_kind_;
    node_kinds_ = from.node_kinds_;
    node_batch_ = from.node_batch_;
}

Snapshot Snapshot::with_attributes(AttributeTable attributes) const {
    Snapshot s;
    s.copy_nodes_of(*this);
    s.edge_vocab_ = edge_vocab_;
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

Snapshot Snapshot::with_edges(const Vocabulary& edge_kinds, std::span<const EdgeRecord> added) const {
    const NodeIndex n = node_count();
    const std::size_t old_m = edge_count();
    const std::size_t k = added.size();
    const std::size_t m = old_m + k;
    if (m >= std::numeric_limits<EdgeIndex>::max())
        throw std::length_error("too many edges for one snapshot: " + std::to_string(m));
    if (edge_kinds.size() < edge_vocab_.size()) throw std::invalid_argument("with_edges: the edge kinds lost some");
    for (std::size_t i = 0; i < edge_vocab_.size(); ++i) {
        if (edge_kinds.names()[i] != edge_vocab_.names()[i])
            throw std::invalid_argument("with_edges: the edge kinds were renumbered");
    }
    for (const auto& e : added) {
        if (e.source >= n || e.target >= n || e.kind >= edge_kinds.size())
            throw std::invalid_argument("with_edges: an edge out of range");
    }
    // The new edges in snapshot order: (source, kind, target, timestamp, arrival), as build() sorts.
    std::vector<std::uint32_t> order(k);
    std::iota(order.begin(), order.end(), 0u);
    auto key = [](const EdgeRecord& e) { return std::tuple(e.source, e.kind, e.target, e.timestamp); };
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return key(added[a]) < key(added[b]); });
    std::vector<std::uint64_t> new_out(std::size_t{n} + 1, 0), new_in(std::size_t{n} + 1, 0);
    for (const auto& e : added) {
        ++new_out[e.source + 1];
        ++new_in[e.target + 1];
    }
    std::partial_sum(new_out.begin(), new_out.end(), new_out.begin());
    std::partial_sum(new_in.begin(), new_in.end(), new_in.begin());

    Snapshot s;
    s.out_offsets_.resize(std::size_t{n} + 1);
    s.in_offsets_.resize(std::size_t{n} + 1);
    for (std::size_t u = 0; u <= n; ++u) {
        s.out_offsets_[u] = out_offsets_[u] + new_out[u];
        s.in_offsets_[u] = in_offsets_[u] + new_in[u];
    }
    s.targets_.resize(m);
    s.edge_kinds_.resize(m);
    // The weight and timestamp columns take the form WeightColumn/TimestampColumn::assign would
    // give the whole list, decided first, then written in place (no list of m doubles in between).
    bool new_all_one = true, new_fit_float = true;
    Timestamp lo = std::numeric_limits<Timestamp>::max(), hi = std::numeric_limits<Timestamp>::min();
    for (const auto& e : added) {
        new_all_one = new_all_one && e.weight == 1.0;
        new_fit_float = new_fit_float && static_cast<double>(static_cast<float>(e.weight)) == e.weight;
        if (e.timestamp != kNoTimestamp) {
            lo = std::min(lo, e.timestamp);
            hi = std::max(hi, e.timestamp);
        }
    }
    if (!timestamps_.empty()) {
        using Range = std::pair<Timestamp, Timestamp>;
        const auto [old_lo, old_hi] = tbb::parallel_reduce(
            tbb::blocked_range<EdgeIndex>(0, static_cast<EdgeIndex>(old_m), 1 << 16),
            Range{std::numeric_limits<Timestamp>::max(), std::numeric_limits<Timestamp>::min()},
            [&](const auto& r, Range acc) {
                for (EdgeIndex e = r.begin(); e != r.end(); ++e) {
                    const Timestamp t = timestamps_[e];
                    if (t == kNoTimestamp) continue;
                    acc.first = std::min(acc.first, t);
                    acc.second = std::max(acc.second, t);
                }
                return acc;
            },
            [](Range a, Range b) {
                return Range{std::min(a.first, b.first), std::max(a.second, b.second)};
            });
        lo = std::min(lo, old_lo);
        hi = std::max(hi, old_hi);
    }
    const bool old_all_one = weights_.all_one(), old_narrow = !weights_.narrow_.empty();
    const bool weights_none = old_all_one && new_all_one;
    const bool weights_narrow = !weights_none && (old_all_one || old_narrow) && new_fit_float;
    if (weights_narrow) {
        s.weights_.narrow_.resize(m);
    } else if (!weights_none) {
        s.weights_.wide_.resize(m);
    }
    const bool has_time = lo <= hi;
    const bool time_narrow =
        has_time && static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo) < TimestampColumn::kNarrowNone;
    if (time_narrow) {
        s.timestamps_.base_ = lo;
        s.timestamps_.narrow_.resize(m);
    } else if (has_time) {
        s.timestamps_.wide_.resize(m);
    }
    auto put = [&](std::uint64_t at, NodeIndex target, KindId kind, double weight, Timestamp t) {
        s.targets_[at] = target;
        s.edge_kinds_[at] = kind;
        if (weights_narrow) {
            s.weights_.narrow_[at] = static_cast<float>(weight);
        } else if (!weights_none) {
            s.weights_.wide_[at] = weight;
        }
        if (time_narrow) {
            s.timestamps_.narrow_[at] = t == kNoTimestamp ? TimestampColumn::kNarrowNone : static_cast<std::uint32_t>(t - lo);
        } else if (has_time) {
            s.timestamps_.wide_[at] = t;
        }
    };
    std::vector<EdgeIndex> placed(k);  // where each new edge (by arrival) lands
    // Each source's old edges (already in order) merged with its new ones; an old edge goes first
    // on equal keys, since it arrived first.
    tbb::parallel_for(tbb::blocked_range<NodeIndex>(0, n, 1024), [&](const auto& range) {
        for (NodeIndex u = range.begin(); u != range.end(); ++u) {
            std::uint64_t a = out_offsets_[u];
            const std::uint64_t a_end = out_offsets_[u + 1];
            std::uint64_t b = new_out[u];
            const std::uint64_t b_end = new_out[u + 1];
            std::uint64_t at = s.out_offsets_[u];
            while (a < a_end || b < b_end) {
                const auto old_edge = static_cast<EdgeIndex>(a);
                bool take_old = b == b_end;
                if (!take_old && a < a_end) {
                    const auto& e = added[order[b]];
                    take_old = std::tuple(edge_kinds_[a], targets_[a], timestamps_[old_edge]) <=
                               std::tuple(e.kind, e.target, e.timestamp);
                }
                if (take_old) {
                    put(at, targets_[a], edge_kinds_[a], weights_[old_edge], timestamps_[old_edge]);
                    ++a;
                } else {
                    const auto& e = added[order[b]];
                    put(at, e.target, e.kind, e.weight, e.timestamp);
                    placed[order[b]] = static_cast<EdgeIndex>(at);
                    ++b;
                }
                ++at;
            }
        }
    });
    // Values: an old edge moves down by the new edges of its source placed before it (and every new
    // edge of the sources before it).
    std::vector<std::pair<EdgeIndex, double>> values;
    for (std::size_t i = 0; i < values_.edges_.size(); ++i) {
        const EdgeIndex e = values_.edges_[i];
        const NodeIndex u = source(e);
        const auto first = order.begin() + static_cast<std::ptrdiff_t>(new_out[u]);
        const auto last = order.begin() + static_cast<std::ptrdiff_t>(new_out[u + 1]);
        const auto old_key = std::tuple(edge_kinds_[e], targets_[e], timestamps_[e]);
        const auto before = std::partition_point(first, last, [&](std::uint32_t j) {
            const auto& x = added[j];
            return std::tuple(x.kind, x.target, x.timestamp) < old_key;
        });
        values.emplace_back(static_cast<EdgeIndex>(e + new_out[u] + static_cast<std::uint64_t>(before - first)),
                            values_.values_[i]);
    }
    for (std::size_t i = 0; i < k; ++i) {
        if (added[i].value) values.emplace_back(placed[i], *added[i].value);
    }
    std::sort(values.begin(), values.end());
    for (const auto& [e, v] : values) {
        s.values_.edges_.push_back(e);
        s.values_.values_.push_back(v);
    }
    // In-lists: sorted sources, old and new merged.
    s.in_sources_.resize(m);
    std::vector<NodeIndex> new_sources(k);
    {
        std::vector<std::uint64_t> cursor(new_in.begin(), new_in.end() - 1);
        for (const auto i : order) new_sources[cursor[added[i].target]++] = added[i].source;  // sources ascending
    }
    tbb::parallel_for(tbb::blocked_range<NodeIndex>(0, n, 1024), [&](const auto& range) {
        for (NodeIndex v = range.begin(); v != range.end(); ++v) {
            std::merge(in_sources_.begin() + static_cast<std::ptrdiff_t>(in_offsets_[v]),
                       in_sources_.begin() + static_cast<std::ptrdiff_t>(in_offsets_[v + 1]),
                       new_sources.begin() + static_cast<std::ptrdiff_t>(new_in[v]),
                       new_sources.begin() + static_cast<std::ptrdiff_t>(new_in[v + 1]),
                       s.in_sources_.begin() + static_cast<std::ptrdiff_t>(s.in_offsets_[v]));
        }
    });

    s.copy_nodes_of(*this);
    s.attributes_ = attributes_;
    s.edge_vocab_ = edge_kinds;
    // Parallel arcs appear only where edges were added.
    s.has_parallel_arcs_ = has_parallel_arcs_;
    std::vector<NodeIndex> buffer;
    for (NodeIndex u = 0; u < n && !s.has_parallel_arcs_; ++u) {
        if (new_out[u] == new_out[u + 1]) continue;
        const auto list = s.out_targets(u);
        buffer.assign(list.begin(), list.end());
        std::sort(buffer.begin(), buffer.end());
        s.has_parallel_arcs_ = std::adjacent_find(buffer.begin(), buffer.end()) != buffer.end();
    }
    s.count_kinds();
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
