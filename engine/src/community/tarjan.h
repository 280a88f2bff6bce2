#pragma once

// Tarjan's strongly connected components, iterative: an explicit call stack, so a chain of a
// million nodes cannot overflow the thread's stack.

#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "smorg/engine/run_context.h"
#include "smorg/graph/types.h"

namespace smorg::engine::detail {

// Finds the strongly connected components reachable from `roots` (visited in their order) over
// nodes [0, n): degree(u) is u's number of successors and target(u, i) its i-th. Each component is
// given, as it is completed, to on_component(members), a span of its nodes. Cancellation is checked
// at each new root. Returns the number of components.
template <class Roots, class Degree, class Target, class OnComponent>
std::uint32_t strong_components(graph::NodeIndex n, const Roots& roots, Degree&& degree, Target&& target,
                                OnComponent&& on_component, const RunContext& run) {
    using graph::NodeIndex;
    std::vector<NodeIndex> index(n, graph::kNoNode), low(n, 0), stack;
    std::vector<std::uint8_t> on_stack(n, 0);
    std::vector<std::pair<NodeIndex, std::uint64_t>> calls;  // (node, its next successor)
    NodeIndex counter = 0;
    std::uint32_t count = 0;
    auto open = [&](NodeIndex u) {
        index[u] = low[u] = counter++;
        stack.push_back(u);
        on_stack[u] = 1;
        calls.emplace_back(u, 0);
    };
    for (const NodeIndex root : roots) {
        if (index[root] != graph::kNoNode) continue;
        run.throw_if_cancelled();
        open(root);
        while (!calls.empty()) {
            auto& [u, next] = calls.back();
            if (next < degree(u)) {
                const NodeIndex w = target(u, next++);
                if (index[w] == graph::kNoNode) {
                    open(w);
                } else if (on_stack[w]) {
                    low[u] = std::min(low[u], index[w]);
                }
                continue;
            }
            const NodeIndex done = u;
            calls.pop_back();
            if (!calls.empty()) low[calls.back().first] = std::min(low[calls.back().first], low[done]);
            if (low[done] != index[done]) continue;
            // done is the component's root: its members lie above it on the stack.
            auto first = stack.size() - 1;
            while (stack[first] != done) --first;
            on_component(std::span<const NodeIndex>(stack.data() + first, stack.size() - first));
            for (auto i = first; i < stack.size(); ++i) on_stack[stack[i]] = 0;
            stack.resize(first);
            ++count;
        }
    }
    return count;
}

}  // namespace smorg::engine::detail
