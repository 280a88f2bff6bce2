#include "smorg/engine/centrality/closeness.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <span>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>

#include "smorg/graph/random.h"

#include "budget.h"
#include "msbfs.h"
#include "parallel.h"
#include "sssp.h"

namespace smorg::engine {

using graph::NodeIndex;

void validate(const ClosenessParams& params, const graph::Snapshot& g) {
    graph::validate(params.subgraph, g);
    if (params.direction == Direction::total) {
        throw ParamError("direction", "direction must be \"in\" or \"out\" for closeness and harmonic centrality");
    }
    if (params.samples && *params.samples < 1) throw ParamError("samples", "samples must be at least 1");
}

Estimate estimate(const graph::Snapshot& g, const ClosenessParams& params) {
    validate(params, g);
    const auto view = graph::view_size(g, params.subgraph);
    const double n = static_cast<double>(view.nodes);
    const double sources = params.samples ? std::min(n, static_cast<double>(*params.samples)) : n;
    const double search = (n + static_cast<double>(view.arcs)) * (params.subgraph.weighted ? std::log2(n + 2) : 1.0);
    const double all = static_cast<double>(g.node_count());
    const double per_node = static_cast<double>(std::max<std::size_t>(24, detail::MultiBfsWorkspace::bytes_per_node()));
    const double memory = detail::workers() * per_node * all + (params.samples ? 4 * detail::workers() * 16 * all : 0.0);
    return detail::on_view(view, detail::cost(detail::kSearchArc * sources * search, memory, params.samples ? "samples" : ""));
}

namespace {

double finish(DistanceMeasure measure, double total, double reached, double n, const ClosenessParams& p) {
    if (measure == DistanceMeasure::harmonic) return p.normalized && n > 1 ? total / (n - 1) : total;
    // reached counts the other nodes; networkx's r includes the node itself.
    if (total <= 0 || n <= 1) return 0.0;
    return (p.wf_improved ? reached / (n - 1) : 1.0) * (reached / total);
}

ClosenessResult run_measure(const graph::Snapshot& g, const ClosenessParams& p, DistanceMeasure measure, RunContext& run) {
    if (measure == DistanceMeasure::harmonic && !p.wf_improved) {
        throw ParamError("wf_improved", "wf_improved applies to closeness; harmonic centrality needs no correction");
    }
    if (measure == DistanceMeasure::closeness && p.normalized) {
        throw ParamError("normalized", "normalized applies to harmonic centrality; closeness is already a mean");
    }
    detail::enter(run, estimate(g, p));
    const auto shared_view = graph::Subgraph::shared(g, p.subgraph);
    const auto& view = *shared_view;
    const NodeIndex n = view.node_count();
    const auto& nodes = view.nodes();
    const auto count = static_cast<NodeIndex>(nodes.size());
    const bool incoming = view.directed() && p.direction == Direction::in;
    const bool weight_is_length = p.weight_as == graph::WeightAs::length;
    // One weight on every arc makes every path's length its hop count times that arc's length:
    // BFS then gives the distances Dijkstra would.
    const std::optional<double> uniform = view.weighted() ? view.uniform_weight() : std::optional<double>{1.0};
    const double hop_length = uniform ? (weight_is_length ? *uniform : 1.0 / *uniform) : 1.0;
    const bool hops = uniform && std::isfinite(hop_length) && hop_length > 0;
    const bool weighted = view.weighted() && !hops;
    const std::string phase(graph::name_of(measure));
    ClosenessResult result;
    result.nodes = nodes;
    result.isolated = view.isolated();
    result.score.assign(n, 0.0);
    const double nd = count;

    if ((!p.samples || *p.samples >= count) && hops) {
        // Exact over hops: 64 sources per traversal, each a lane of the bit-parallel frontier.
        result.samples = count;
        const detail::SsspMode mode{false, weight_is_length, incoming, false};
        tbb::enumerable_thread_specific<detail::MultiBfsWorkspace> lanes([n] { return detail::MultiBfsWorkspace(n); });
        constexpr auto kLanes = static_cast<NodeIndex>(detail::kBfsLanes);
        const NodeIndex batches = (count + kLanes - 1) / kLanes;
        detail::for_batches<NodeIndex>(batches, 32, run, phase, [&](NodeIndex first, NodeIndex last) {
            auto& ws = lanes.local();
            for (NodeIndex b = first; b < last && !run.cancelled(); ++b) {
                const NodeIndex begin = b * kLanes;
                const NodeIndex end = std::min<NodeIndex>(count, begin + kLanes);
                const std::span<const NodeIndex> sources(nodes.data() + begin, end - begin);
                std::array<std::uint64_t, detail::kBfsLanes> hop_sum{};
                std::array<std::uint64_t, detail::kBfsLanes> reached{};
                std::array<double, detail::kBfsLanes> inverse_sum{};
                detail::multi_bfs(view, nodes, sources, mode, ws, [&](std::uint32_t d, const detail::LaneCounts& c) {
                    for (std::size_t lane = 0; lane < sources.size(); ++lane) {
                        hop_sum[lane] += d * c[lane];
                        reached[lane] += c[lane];
                        inverse_sum[lane] += static_cast<double>(c[lane]) / d;
                    }
                });
                for (std::size_t lane = 0; lane < sources.size(); ++lane) {
                    const double total = measure == DistanceMeasure::harmonic ? inverse_sum[lane] / hop_length
                                                                              : static_cast<double>(hop_sum[lane]) * hop_length;
                    result.score[sources[lane]] = finish(measure, total, static_cast<double>(reached[lane]), nd, p);
                }
            }
        });
        return result;
    }

    tbb::enumerable_thread_specific<detail::SsspWorkspace> workspaces([n] { return detail::SsspWorkspace(n); });
    // A search's distance to v: Dijkstra's, or BFS's hops times the one arc length.
    auto distance = [&](const detail::SsspWorkspace& ws, NodeIndex v) { return hops ? ws.dist[v] * hop_length : ws.dist[v]; };

    if (!p.samples || *p.samples >= count) {
        // Exact: each node runs its own search, against the arcs for "in" (distances to it).
        result.samples = count;
        const detail::SsspMode mode{weighted, weight_is_length, incoming, false};
        detail::for_batches<NodeIndex>(count, 32, run, phase, [&](NodeIndex first, NodeIndex last) {
            auto& ws = workspaces.local();
            for (NodeIndex i = first; i < last; ++i) {
                const NodeIndex u = nodes[i];
                detail::shortest_paths(view, u, mode, ws);
                double total = 0;
                double reached = 0;
                for (auto v : ws.order) {
                    if (v == u) continue;
                    total += measure == DistanceMeasure::harmonic ? 1.0 / distance(ws, v) : distance(ws, v);
                    reached += 1;
                }
                result.score[u] = finish(measure, total, reached, nd, p);
            }
        });
        return result;
    }

    // Sampled: searches from random pivots along the arcs ("in": a pivot's distance to u counts for
    // u), scaled by (n - 1) / (pivots other than u).
    result.sampled = true;
    const std::uint64_t k = *p.samples;
    result.samples = k;
    std::vector<NodeIndex> order(nodes);
    graph::Rng rng(p.seed);
    graph::shuffle_prefix(order, k, rng);
    order.resize(k);
    std::vector<std::uint8_t> is_pivot(n, 0);
    for (auto v : order) is_pivot[v] = 1;
    const detail::SsspMode mode{weighted, weight_is_length, view.directed() && !incoming, false};
    // Per node: the sum of distances (or of their reciprocals) from the pivots, and how many
    // pivots reach it.
    const auto sums =
        detail::batched_vector_sums<2>(k, n, 16, std::uint64_t{1}, run, phase, [&](std::uint64_t i, detail::VectorSums<2>& acc) {
            auto& ws = workspaces.local();
            const NodeIndex pivot = order[i];
            detail::shortest_paths(view, pivot, mode, ws);
            for (auto v : ws.order) {
                if (v == pivot) continue;
                acc.add(0, v, measure == DistanceMeasure::harmonic ? 1.0 / distance(ws, v) : distance(ws, v));
                acc.add(1, v, 1.0);
            }
        });
    for (auto u : nodes) {
        const double others = static_cast<double>(k) - (is_pivot[u] ? 1.0 : 0.0);
        const double scale = others > 0 ? (nd - 1) / others : 0.0;
        result.score[u] = finish(measure, sums[0][u] * scale, sums[1][u] * scale, nd, p);
    }
    return result;
}

}  // namespace

ClosenessResult closeness(const graph::Snapshot& g, const ClosenessParams& params, RunContext& run) {
    return run_measure(g, params, DistanceMeasure::closeness, run);
}

ClosenessResult harmonic(const graph::Snapshot& g, const ClosenessParams& params, RunContext& run) {
    return run_measure(g, params, DistanceMeasure::harmonic, run);
}

}  // namespace smorg::engine
