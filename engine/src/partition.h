#pragma once

// A 1D partition of an index space (node indexes, or a community level's positions) over the ranks
// of a run (docs/scale.md): rank r owns the contiguous indexes [first, last), cut so that each rank
// holds about the same work (arcs plus one per index); and its ghost table, built once: the
// indexes outside that range its own indexes read, grouped by their owners, whose values arrive
// once per superstep in one exchange. Only ghost values travel, so a superstep sends
// ghosts x sizeof(value) bytes in all, never a message per arc. On one rank there is nothing to
// exchange and the partition is the whole space.

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "smorg/graph/ranks.h"

namespace smorg::engine::detail {

// Who sends which values to whom: `send` (this rank's indexes, grouped by the rank that wants them,
// `send_counts` per rank) and `recv` (the ghosts, grouped by owner, `recv_counts` per rank).
struct GhostLists {
    std::vector<std::uint32_t> send, recv;
    std::vector<std::uint64_t> send_counts, recv_counts;

    // The lists split by group, in one pass: part g holds the indexes i with group[i] == g (< groups).
    // `group` must be the same on every rank (a colour class, say), so both sides agree on the counts.
    std::vector<GhostLists> split(const std::vector<std::uint32_t>& group, std::size_t groups) const {
        std::vector<GhostLists> out(groups);
        const auto ranks = send_counts.size();
        for (auto& part : out) {
            part.send_counts.assign(ranks, 0);
            part.recv_counts.assign(ranks, 0);
        }
        const auto deal = [&](const std::vector<std::uint32_t>& from, const std::vector<std::uint64_t>& counts, auto member) {
            std::size_t at = 0;
            for (std::size_t r = 0; r < counts.size(); ++r) {
                for (std::uint64_t k = 0; k < counts[r]; ++k, ++at) {
                    auto& part = out[group[from[at]]];
                    (part.*member.first).push_back(from[at]);
                    ++(part.*member.second)[r];
                }
            }
        };
        deal(send, send_counts, std::pair{&GhostLists::send, &GhostLists::send_counts});
        deal(recv, recv_counts, std::pair{&GhostLists::recv, &GhostLists::recv_counts});
        return out;
    }
};

class Partition {
public:
    // `count` indexes; cost(i) the work of index i (>= 0; one is added for the index itself);
    // neighbors(i, add) calls add(j) for every index j that owned index i reads in a superstep.
    // Every rank must pass the same count and costs (a collective: the ghost ids travel once).
    template <class Cost, class Neighbors>
    Partition(graph::Ranks& ranks, std::uint64_t count, Cost&& cost, Neighbors&& neighbors) : ranks_(&ranks) {
        const int parts = ranks.size();
        bounds_.assign(static_cast<std::size_t>(parts) + 1, count);
        bounds_[0] = 0;
        if (parts == 1) return;
        std::uint64_t total = 0;
        for (std::uint64_t i = 0; i < count; ++i) total += cost(i) + 1;
        // Rank r starts at the first index whose prefix cost reaches r / parts of the total.
        std::uint64_t prefix = 0;
        int next = 1;
        for (std::uint64_t i = 0; i < count && next < parts; ++i) {
            while (next < parts && prefix >= graph::share_of(total, next, parts).first)
                bounds_[static_cast<std::size_t>(next++)] = i;
            prefix += cost(i) + 1;
        }
        const std::uint64_t first = this->first(), last = this->last();
        auto& recv = lists_.recv;
        for (std::uint64_t i = first; i < last; ++i) {
            neighbors(i, [&](std::uint64_t j) {
                if (j < first || j >= last) recv.push_back(static_cast<std::uint32_t>(j));
            });
        }
        std::sort(recv.begin(), recv.end());
        recv.erase(std::unique(recv.begin(), recv.end()), recv.end());
        lists_.recv_counts.assign(static_cast<std::size_t>(parts), 0);
        for (auto j : recv) ++lists_.recv_counts[static_cast<std::size_t>(owner(j))];
        // Each owner learns which of its indexes this rank reads: the ids, once (set-up, counted
        // apart from the supersteps).
        const auto before = ranks.traffic;
        lists_.send = graph::exchange<std::uint32_t>(ranks, recv, lists_.recv_counts, lists_.send_counts);
        ranks.traffic.setup_bytes += ranks.traffic.exchange_bytes - before.exchange_bytes;
        ranks.traffic.exchange_bytes = before.exchange_bytes;
        ranks.traffic.exchanges = before.exchanges;
        ranks.traffic.ghosts += recv.size();
    }

    std::uint64_t first() const noexcept { return bounds_[static_cast<std::size_t>(ranks_->rank())]; }
    std::uint64_t last() const noexcept { return bounds_[static_cast<std::size_t>(ranks_->rank()) + 1]; }
    int owner(std::uint64_t i) const noexcept {
        return static_cast<int>(std::upper_bound(bounds_.begin(), bounds_.end(), i) - bounds_.begin()) - 1;
    }
    // The part of `sorted` (ascending indexes, e.g. a view's nodes) this rank owns.
    template <class T>
    std::span<const T> owned(const std::vector<T>& sorted) const {
        const auto begin = std::lower_bound(sorted.begin(), sorted.end(), first());
        return {begin, std::lower_bound(begin, sorted.end(), last())};
    }
    const GhostLists& ghosts() const noexcept { return lists_; }
    graph::Ranks& ranks() const noexcept { return *ranks_; }

    // Brings the ghosts' values up to date from their owners (`values` indexed by the space; only
    // owned entries are read, only ghost entries written). A collective.
    template <class T>
    void refresh(std::vector<T>& values) const {
        refresh(values, lists_);
    }
    template <class T>
    void refresh(std::vector<T>& values, const GhostLists& lists) const {
        if (ranks_->size() == 1) return;
        std::vector<T> out(lists.send.size());
        for (std::size_t k = 0; k < out.size(); ++k) out[k] = values[lists.send[k]];
        std::vector<std::uint64_t> counts;
        const auto in = graph::exchange<T>(*ranks_, out, lists.send_counts, counts);
        for (std::size_t k = 0; k < in.size(); ++k) values[lists.recv[k]] = in[k];
    }

    // Every rank's owned values to every rank: `values` complete everywhere. A collective.
    template <class T>
    void gather(std::vector<T>& values) const {
        if (ranks_->size() == 1) return;
        const auto all = graph::all_gather<T>(*ranks_, std::span<const T>(values.data() + first(), last() - first()));
        std::copy(all.begin(), all.end(), values.begin());
    }

private:
    graph::Ranks* ranks_;
    std::vector<std::uint64_t> bounds_;  // rank r owns [bounds_[r], bounds_[r + 1])
    GhostLists lists_;
};

}  // namespace smorg::engine::detail
