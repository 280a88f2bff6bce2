#pragma once

// The processes one run is spread over (MPI ranks, docs/scale.md): who this process is, how many
// there are, and the few collective moves smorg's distributed algorithms make. The vocabulary
// lives here, free of MPI, so that the engine's kernels and the queries layer speak it and only a
// front end (smorg-mpi) links an implementation. Every collective must be called by every rank,
// in the same order; the helpers below give answers that do not depend on message timing
// (integer sums are exact; floating sums are added in rank order).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace smorg::graph {

// What the exchanges of a run moved, counted on this rank: bytes it sent to other ranks (the ghost
// values of a superstep) and how many exchanges it took part in. Reset by the caller between runs.
struct RankTraffic {
    std::uint64_t exchanges = 0;       // exchange() calls (one per superstep of a partitioned op)
    std::uint64_t exchange_bytes = 0;  // bytes this rank sent to other ranks in them
    std::uint64_t ghosts = 0;          // ghost nodes of the partitions built (values this rank receives per superstep)
    std::uint64_t setup_bytes = 0;     // bytes of ghost ids sent once to build them (not a superstep)
};

class Ranks {
public:
    virtual ~Ranks() = default;
    virtual int rank() const noexcept = 0;
    virtual int size() const noexcept = 0;

    // Element-wise sum over every rank, in place on each: exact for integers.
    virtual void sum(std::span<std::uint64_t> values) = 0;
    // Every rank's `mine`, concatenated in rank order, to every rank; `counts[r]` receives the bytes
    // rank r gave.
    virtual std::vector<std::byte> all_gather(std::span<const std::byte> mine, std::vector<std::uint64_t>& counts) = 0;
    // Sends bytes [offset_r, offset_r + send_counts[r]) of `send` to rank r, for every r; returns what
    // every rank sent to this one, in rank order, with `recv_counts[r]` its bytes from rank r.
    virtual std::vector<std::byte> exchange(std::span<const std::byte> send, std::span<const std::uint64_t> send_counts,
                                            std::vector<std::uint64_t>& recv_counts) = 0;
    // Rank `root`'s `text` to every rank.
    virtual void broadcast(std::string& text, int root) = 0;

    RankTraffic traffic;
};

// One process alone: every collective is the identity. What a run has when no front end gave it
// ranks.
class SingleRank final : public Ranks {
public:
    int rank() const noexcept override { return 0; }
    int size() const noexcept override { return 1; }
    void sum(std::span<std::uint64_t>) override {}
    std::vector<std::byte> all_gather(std::span<const std::byte> mine, std::vector<std::uint64_t>& counts) override {
        counts.assign(1, mine.size());
        return {mine.begin(), mine.end()};
    }
    std::vector<std::byte> exchange(std::span<const std::byte> send, std::span<const std::uint64_t>,
                                    std::vector<std::uint64_t>& recv_counts) override {
        recv_counts.assign(1, send.size());
        return {send.begin(), send.end()};
    }
    void broadcast(std::string&, int) override {}
};

// The process-wide single rank (stateless but for its traffic, which stays zero).
Ranks& single_rank() noexcept;

// Part `part` of `parts` near-equal parts of [0, total): [first, last).
inline std::pair<std::uint64_t, std::uint64_t> share_of(std::uint64_t total, int part, int parts) {
    // floor(total * k / parts) without overflow: total = q * parts + r.
    const auto at = [&](int k) {
        const auto p = static_cast<std::uint64_t>(parts), kk = static_cast<std::uint64_t>(k);
        return total / p * kk + total % p * kk / p;
    };
    return {at(part), at(part + 1)};
}

// This rank's share of `total` work items (samples, RR sets), by index.
inline std::pair<std::uint64_t, std::uint64_t> my_share(const Ranks& ranks, std::uint64_t total) {
    return share_of(total, ranks.rank(), ranks.size());
}

// Every rank's values of type T, concatenated in rank order; `counts` (optional) receives how many
// each rank gave.
template <class T>
std::vector<T> all_gather(Ranks& ranks, std::span<const T> mine, std::vector<std::uint64_t>* counts = nullptr) {
    static_assert(std::is_trivially_copyable_v<T>);
    std::vector<std::uint64_t> bytes;
    const auto all = ranks.all_gather(std::as_bytes(mine), bytes);
    std::vector<T> out(all.size() / sizeof(T));
    if (!all.empty()) std::memcpy(out.data(), all.data(), all.size());
    if (counts) {
        counts->resize(bytes.size());
        std::transform(bytes.begin(), bytes.end(), counts->begin(), [](std::uint64_t b) { return b / sizeof(T); });
    }
    return out;
}

// Sums of `values` over every rank, added in rank order (the same bits whatever the timing), in
// place on every rank. Gathered a slice at a time, so the memory it takes beyond `values` is
// bounded by ranks x the slice.
inline void ordered_sum(Ranks& ranks, std::span<double> values) {
    if (ranks.size() == 1) return;
    constexpr std::size_t kSlice = std::size_t{1} << 20;
    // Every rank makes the same calls: the slices follow the length, which every rank shares.
    for (std::size_t at = 0; at == 0 || at < values.size(); at += kSlice) {
        const auto slice = values.subspan(at, std::min(kSlice, values.size() - at));
        const auto all = all_gather<double>(ranks, slice);
        for (std::size_t k = 0; k < slice.size(); ++k) {
            double total = all[k];
            for (int r = 1; r < ranks.size(); ++r) total += all[static_cast<std::size_t>(r) * slice.size() + k];
            slice[k] = total;
        }
    }
}

// True on every rank when `mine` is true on some rank.
inline bool any(Ranks& ranks, bool mine) {
    std::uint64_t flag = mine ? 1 : 0;
    ranks.sum(std::span(&flag, 1));
    return flag != 0;
}

// Sends values to other ranks: `send` holds, rank after rank, send_counts[r] values for rank r;
// returns what each rank sent here, rank order, with their counts in `recv_counts`.
template <class T>
std::vector<T> exchange(Ranks& ranks, std::span<const T> send, std::span<const std::uint64_t> send_counts,
                        std::vector<std::uint64_t>& recv_counts) {
    static_assert(std::is_trivially_copyable_v<T>);
    std::vector<std::uint64_t> bytes(send_counts.size());
    std::transform(send_counts.begin(), send_counts.end(), bytes.begin(), [](std::uint64_t c) { return c * sizeof(T); });
    std::vector<std::uint64_t> received;
    const auto all = ranks.exchange(std::as_bytes(send), bytes, received);
    std::vector<T> out(all.size() / sizeof(T));
    if (!all.empty()) std::memcpy(out.data(), all.data(), all.size());
    recv_counts.resize(received.size());
    std::transform(received.begin(), received.end(), recv_counts.begin(), [](std::uint64_t b) { return b / sizeof(T); });
    return out;
}

}  // namespace smorg::graph
