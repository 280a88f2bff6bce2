#include "smorg/graph/id_index.h"

#include <algorithm>
#include <bit>
#include <functional>
#include <stdexcept>

namespace smorg::graph {

namespace {
// Fibonacci hashing on top of the standard string hash spreads its low bits over the table.
std::size_t mix(std::size_t h) noexcept { return h * 0x9E3779B97F4A7C15ull; }
}  // namespace

std::size_t IdIndex::slot_of(std::string_view id) const noexcept {
    const std::size_t mask = table_.size() - 1;
    std::size_t slot = (mix(std::hash<std::string_view>{}(id)) >> 20) & mask;
    while (table_[slot] != kNoNode && this->id(table_[slot]) != id) slot = (slot + 1) & mask;
    return slot;
}

void IdIndex::grow_table() {
    const std::size_t want = std::bit_ceil(std::max<std::size_t>(16, 2 * (size() + 1)));
    if (table_.size() >= want) return;
    table_.assign(want, kNoNode);
    for (NodeIndex i = 0; i < size(); ++i) table_[slot_of(id(i))] = i;
}

NodeIndex IdIndex::intern(std::string_view id, bool* added) {
    if (table_.size() < 2 * (static_cast<std::size_t>(size()) + 1)) grow_table();
    const std::size_t slot = slot_of(id);
    if (table_[slot] != kNoNode) {
        if (added) *added = false;
        return table_[slot];
    }
    const NodeIndex index = size();
    arena_.append(id);
    offsets_.push_back(arena_.size());
    table_[slot] = index;
    if (added) *added = true;
    return index;
}

std::optional<NodeIndex> IdIndex::find(std::string_view id) const noexcept {
    if (table_.empty()) return std::nullopt;
    const NodeIndex found = table_[slot_of(id)];
    if (found == kNoNode) return std::nullopt;
    return found;
}

void IdIndex::reserve(std::size_t nodes, std::size_t id_bytes) {
    arena_.reserve(id_bytes);
    offsets_.reserve(nodes + 1);
    const std::size_t want = std::bit_ceil(std::max<std::size_t>(16, 2 * (nodes + 1)));
    if (table_.size() < want) {
        table_.assign(want, kNoNode);
        for (NodeIndex i = 0; i < size(); ++i) table_[slot_of(this->id(i))] = i;
    }
}

std::size_t IdIndex::memory_bytes() const noexcept {
    return arena_.capacity() + offsets_.capacity() * sizeof(std::uint64_t) + table_.capacity() * sizeof(NodeIndex);
}

IdIndex IdIndex::from_parts(std::string arena, std::vector<std::uint64_t> offsets) {
    if (offsets.empty() || offsets.front() != 0 || offsets.back() != arena.size() ||
        !std::is_sorted(offsets.begin(), offsets.end())) {
        throw std::invalid_argument("the id table is damaged");
    }
    IdIndex index;
    index.arena_ = std::move(arena);
    index.offsets_ = std::move(offsets);
    index.table_.assign(std::bit_ceil(std::max<std::size_t>(16, 2 * (static_cast<std::size_t>(index.size()) + 1))), kNoNode);
    for (NodeIndex i = 0; i < index.size(); ++i) {
        const auto slot = index.slot_of(index.id(i));
        if (index.table_[slot] != kNoNode) throw std::invalid_argument("the id table holds an id twice");
        index.table_[slot] = i;
    }
    return index;
}

}  // namespace smorg::graph
