#include "mpi_ranks.h"

#include <climits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace smorg::mpi {

namespace {

// MPI counts are ints: a message of more than INT_MAX bytes is refused rather than cut.
int bounded(std::uint64_t bytes, const char* what) {
    if (bytes > static_cast<std::uint64_t>(INT_MAX)) {
        throw std::length_error(std::string(what) + " of more than 2 GiB between ranks: use more ranks");
    }
    return static_cast<int>(bytes);
}

void check(int code, const char* call) {
    if (code != MPI_SUCCESS) throw std::runtime_error(std::string(call) + " failed");
}

// Counts and displacements of a v-collective, each bounded.
void layout(std::span<const std::uint64_t> bytes, std::vector<int>& counts, std::vector<int>& displs, const char* what) {
    counts.resize(bytes.size());
    displs.resize(bytes.size());
    std::uint64_t at = 0;
    for (std::size_t r = 0; r < bytes.size(); ++r) {
        counts[r] = bounded(bytes[r], what);
        displs[r] = bounded(at, what);
        at += bytes[r];
    }
    (void)bounded(at, what);
}

}  // namespace

MpiRanks::MpiRanks(MPI_Comm comm) {
    check(MPI_Comm_dup(comm, &comm_), "MPI_Comm_dup");
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
}

MpiRanks::~MpiRanks() { MPI_Comm_free(&comm_); }

void MpiRanks::sum(std::span<std::uint64_t> values) {
    constexpr std::size_t kChunk = std::size_t{1} << 26;  // elements per call: counts stay ints
    for (std::size_t at = 0; at < values.size(); at += kChunk) {
        const auto count = static_cast<int>(std::min(kChunk, values.size() - at));
        check(MPI_Allreduce(MPI_IN_PLACE, values.data() + at, count, MPI_UINT64_T, MPI_SUM, comm_), "MPI_Allreduce");
    }
}

std::vector<std::byte> MpiRanks::all_gather(std::span<const std::byte> mine, std::vector<std::uint64_t>& counts) {
    std::uint64_t size = mine.size();
    counts.assign(static_cast<std::size_t>(size_), 0);
    check(MPI_Allgather(&size, 1, MPI_UINT64_T, counts.data(), 1, MPI_UINT64_T, comm_), "MPI_Allgather");
    std::vector<int> sizes, displs;
    layout(counts, sizes, displs, "a gather");
    std::vector<std::byte> all(std::accumulate(counts.begin(), counts.end(), std::uint64_t{0}));
    check(MPI_Allgatherv(mine.data(), bounded(mine.size(), "a gather"), MPI_BYTE, all.data(), sizes.data(), displs.data(),
                         MPI_BYTE, comm_),
          "MPI_Allgatherv");
    return all;
}

std::vector<std::byte> MpiRanks::exchange(std::span<const std::byte> send, std::span<const std::uint64_t> send_counts,
                                          std::vector<std::uint64_t>& recv_counts) {
    ++traffic.exchanges;
    for (int r = 0; r < size_; ++r) {
        if (r != rank_) traffic.exchange_bytes += send_counts[static_cast<std::size_t>(r)];
    }
    recv_counts.assign(static_cast<std::size_t>(size_), 0);
    check(MPI_Alltoall(send_counts.data(), 1, MPI_UINT64_T, recv_counts.data(), 1, MPI_UINT64_T, comm_), "MPI_Alltoall");
    std::vector<int> send_sizes, send_displs, recv_sizes, recv_displs;
    layout(send_counts, send_sizes, send_displs, "an exchange");
    layout(recv_counts, recv_sizes, recv_displs, "an exchange");
    std::vector<std::byte> in(std::accumulate(recv_counts.begin(), recv_counts.end(), std::uint64_t{0}));
    check(MPI_Alltoallv(send.data(), send_sizes.data(), send_displs.data(), MPI_BYTE, in.data(), recv_sizes.data(),
                        recv_displs.data(), MPI_BYTE, comm_),
          "MPI_Alltoallv");
    return in;
}

void MpiRanks::broadcast(std::string& text, int root) {
    std::uint64_t size = text.size();
    check(MPI_Bcast(&size, 1, MPI_UINT64_T, root, comm_), "MPI_Bcast");
    text.resize(size);
    check(MPI_Bcast(text.data(), bounded(size, "a broadcast"), MPI_BYTE, root, comm_), "MPI_Bcast");
}

}  // namespace smorg::mpi
