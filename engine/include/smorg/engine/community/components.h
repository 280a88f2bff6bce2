#pragma once

#include <cstdint>
#include <vector>

#include "smorg/engine/run_context.h"
#include "smorg/graph/enum_names.h"
#include "smorg/graph/snapshot.h"
#include "smorg/graph/subgraph.h"

namespace smorg::engine {

enum class Connectivity : std::uint8_t {
    weak,    // joined by a path when arcs are read both ways
    strong,  // each reaches the other along arcs as recorded
};

struct ComponentsParams {
    graph::SubgraphSpec subgraph;  // strong components need directed ties (the default)
    Connectivity connectivity = Connectivity::weak;
};

struct ComponentsResult {
    std::vector<graph::NodeIndex> nodes;    // the subgraph's nodes, ascending
    std::uint64_t isolated = 0;             // left out: no tie in the chosen view
    std::vector<std::uint32_t> membership;  // by NodeIndex: component id; kNoComponent outside the subgraph
    std::vector<std::uint64_t> sizes;       // by id: ids run by decreasing size, ties by smallest member
};

inline constexpr std::uint32_t kNoComponent = 0xffffffffu;

void validate(const ComponentsParams& params, const graph::Snapshot& g);
// One traversal of the view.
Estimate estimate(const graph::Snapshot& g, const ComponentsParams& params);

// Weakly connected components by BFS over both arc directions; strongly connected components by
// Tarjan's algorithm (iterative). O(V + E); exact, so the same at any thread count.
ComponentsResult components(const graph::Snapshot& g, const ComponentsParams& params, RunContext& run);

}  // namespace smorg::engine

template <>
struct smorg::graph::EnumNames<smorg::engine::Connectivity> {
    static constexpr std::array<std::string_view, 2> names{"weak", "strong"};
};
