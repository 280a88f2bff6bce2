#include "smorg/engine/community/components.h"

#include <algorithm>
#include <numeric>

#include "smorg/graph/ranks.h"

#include "budget.h"
#include "numbering.h"
#include "partition.h"
#include "tarjan.h"

namespace smorg::engine {

using graph::NodeIndex;

void validate(const ComponentsParams& params, const graph::Snapshot& g) {
    graph::validate(params.subgraph, g);
    if (params.connectivity == Connectivity::strong && !params.subgraph.directed) {
        throw ParamError("directed", "strong components follow arcs as recorded: they need directed ties (directed: true)");
    }
}

Estimate estimate(const graph::Snapshot& g, const ComponentsParams& params) {
    validate(params, g);
    const auto view = graph::view_size(g, params.subgraph);
    return detail::on_view(view, detail::cost(2 * detail::kSearchArc * static_cast<double>(view.nodes + view.arcs),
                                              24 * static_cast<double>(g.node_count()), ""));
}

namespace {

std::uint32_t weak(const graph::Subgraph& view, ComponentsResult& r, RunContext& run) {
    std::uint32_t count = 0;
    std::vector<NodeIndex> queue;
    for (auto root : view.nodes()) {
        if (r.membership[root] != kNoComponent) continue;
        run.throw_if_cancelled();
        queue.assign(1, root);
        r.membership[root] = count;
        for (std::size_t head = 0; head < queue.size(); ++head) {
            const auto u = queue[head];
            for (auto side : {view.out_neighbors(u), view.in_neighbors(u)}) {
                for (auto v : side) {
                    if (r.membership[v] == kNoComponent) {
                        r.membership[v] = count;
                        queue.push_back(v);
                    }
                }
            }
        }
        ++count;
    }
    return count;
}

// Weak components over ranks (docs/scale.md): every node starts with its own index as its label
// and takes the smallest label among itself and its neighbours (both arc directions), superstep
// after superstep, until no label changes anywhere; each rank updates the nodes it owns and hears
// its ghosts' labels once per superstep. A component ends labelled by its smallest member, the same
// grouping the search finds on one rank; number_by_size then gives the same ids. O(D (V + E)) for
// diameter D.
void weak_over_ranks(const graph::Subgraph& view, ComponentsResult& r, RunContext& run) {
    const NodeIndex n = view.node_count();
    const detail::Partition part(
        run.ranks(), n,
        [&](std::uint64_t v) { return view.in_degree(static_cast<NodeIndex>(v)) + view.out_degree(static_cast<NodeIndex>(v)); },
        [&](std::uint64_t v, auto&& add) {
            for (auto side : {view.out_neighbors(static_cast<NodeIndex>(v)), view.in_neighbors(static_cast<NodeIndex>(v))}) {
                for (auto u : side) add(u);
            }
        });
    auto& label = r.membership;
    for (auto v : view.nodes()) label[v] = v;
    const auto owned = part.owned(r.nodes);
    std::vector<std::uint32_t> next(label);
    for (;;) {
        run.throw_if_any_cancelled();
        std::uint64_t changed = 0;
        for (const auto v : owned) {
            auto smallest = label[v];
            for (auto side : {view.out_neighbors(v), view.in_neighbors(v)}) {
                for (auto u : side) smallest = std::min(smallest, label[u]);
            }
            if (smallest != label[v]) ++changed;
            next[v] = smallest;
        }
        for (const auto v : owned) label[v] = next[v];
        part.ranks().sum(std::span(&changed, 1));
        if (changed == 0) break;
        part.refresh(label);
    }
    part.gather(label);
}

std::uint32_t strong(const graph::Subgraph& view, ComponentsResult& r, RunContext& run) {
    std::uint32_t id = 0;
    return detail::strong_components(
        view.node_count(), view.nodes(), [&](NodeIndex u) { return view.out_neighbors(u).size(); },
        [&](NodeIndex u, std::uint64_t i) { return view.out_neighbors(u)[i]; },
        [&](std::span<const NodeIndex> members) {
            for (auto w : members) r.membership[w] = id;
            ++id;
        },
        run);
}

}  // namespace

ComponentsResult components(const graph::Snapshot& g, const ComponentsParams& params, RunContext& run) {
    detail::enter(run, estimate(g, params));
    if (params.connectivity == Connectivity::strong && run.ranks().size() > 1) {
        throw ParamError("connectivity",
                         "strong components have no distributed form (Tarjan's search is sequential); weak ones do");
    }
    const auto shared_view = graph::Subgraph::shared(g, params.subgraph);
    const auto& view = *shared_view;
    ComponentsResult r;
    r.nodes = view.nodes();
    r.isolated = view.isolated();
    r.membership.assign(view.node_count(), kNoComponent);
    if (params.connectivity == Connectivity::weak && run.ranks().size() > 1) {
        weak_over_ranks(view, r, run);
    } else if (params.connectivity == Connectivity::weak) {
        weak(view, r, run);
    } else {
        strong(view, r, run);
    }
    r.sizes = detail::number_by_size(r.nodes, r.membership);
    run.report("components", 1.0);
    return r;
}

}  // namespace smorg::engine
