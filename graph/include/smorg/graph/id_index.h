#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smorg/graph/types.h"

namespace smorg::graph {

// Interned external node ids. Ids are stored back to back in one character arena and found through
// an open-addressing hash table of node indexes, about 13 bytes per node plus the id text.
class IdIndex {
public:
    IdIndex() = default;

    // Returns the index of `id`, appending it as node size() when new; `added` tells which.
    NodeIndex intern(std::string_view id, bool* added = nullptr);
    std::optional<NodeIndex> find(std::string_view id) const noexcept;
    std::string_view id(NodeIndex index) const noexcept {
        return {arena_.data() + offsets_[index], offsets_[index + 1] - offsets_[index]};
    }
    NodeIndex size() const noexcept { return static_cast<NodeIndex>(offsets_.size() - 1); }
    void reserve(std::size_t nodes, std::size_t id_bytes);
    std::size_t memory_bytes() const noexcept;

    // Raw parts, for serialization. `from_parts` rebuilds the hash table.
    const std::string& arena() const noexcept { return arena_; }
    const std::vector<std::uint64_t>& offsets() const noexcept { return offsets_; }
    static IdIndex from_parts(std::string arena, std::vector<std::uint64_t> offsets);

private:
    void grow_table();
    std::size_t slot_of(std::string_view id) const noexcept;

    std::string arena_;
    std::vector<std::uint64_t> offsets_{0};
    std::vector<NodeIndex> table_;  // kNoNode = empty; size is a power of two
};

}  // namespace smorg::graph
