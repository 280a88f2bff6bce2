#pragma once

// graph::Ranks over an MPI communicator: the only place smorg calls MPI.

#include "smorg/graph/ranks.h"

#include <mpi.h>

namespace smorg::mpi {

class MpiRanks final : public graph::Ranks {
public:
    // A duplicate of `comm`, so smorg's messages never mix with a caller's.
    explicit MpiRanks(MPI_Comm comm);
    ~MpiRanks() override;
    MpiRanks(const MpiRanks&) = delete;
    MpiRanks& operator=(const MpiRanks&) = delete;

    int rank() const noexcept override { return rank_; }
    int size() const noexcept override { return size_; }
    void sum(std::span<std::uint64_t> values) override;
    std::vector<std::byte> all_gather(std::span<const std::byte> mine, std::vector<std::uint64_t>& counts) override;
    std::vector<std::byte> exchange(std::span<const std::byte> send, std::span<const std::uint64_t> send_counts,
                                    std::vector<std::uint64_t>& recv_counts) override;
    void broadcast(std::string& text, int root) override;

private:
    MPI_Comm comm_;
    int rank_ = 0;
    int size_ = 1;
};

}  // namespace smorg::mpi
