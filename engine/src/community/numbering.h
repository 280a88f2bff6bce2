#pragma once

// How components and communities number their groups.

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "smorg/graph/types.h"

namespace smorg::engine::detail {

// Renumbers the groups of `nodes` (membership by node index) so that ids run by decreasing size,
// ties by smallest member, and returns the size of each group by its new id (groups left without
// members are not counted).
inline std::vector<std::uint64_t> number_by_size(const std::vector<graph::NodeIndex>& nodes,
                                                 std::vector<std::uint32_t>& membership) {
    std::vector<std::uint64_t> size;
    std::vector<graph::NodeIndex> smallest;
    for (auto u : nodes) {
        const auto c = membership[u];
        if (c >= size.size()) {
            size.resize(c + 1, 0);
            smallest.resize(c + 1, graph::kNoNode);
        }
        ++size[c];
        smallest[c] = std::min(smallest[c], u);
    }
    std::vector<std::uint32_t> order(size.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(),
              [&](auto a, auto b) { return size[a] != size[b] ? size[a] > size[b] : smallest[a] < smallest[b]; });
    std::vector<std::uint32_t> id(size.size());
    std::vector<std::uint64_t> sizes;
    for (std::uint32_t i = 0; i < order.size(); ++i) {
        id[order[i]] = i;
        if (size[order[i]] > 0) sizes.push_back(size[order[i]]);
    }
    for (auto u : nodes) membership[u] = id[membership[u]];
    return sizes;
}

}  // namespace smorg::engine::detail
