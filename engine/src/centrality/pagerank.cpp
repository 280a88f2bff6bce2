#include "smorg/engine/centrality/pagerank.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "smorg/graph/ranks.h"

#include "budget.h"
#include "parallel.h"
#include "partition.h"
#include "power_iteration.h"

namespace smorg::engine {

void validate(const PageRankParams& params, const graph::Snapshot& g) {
    graph::validate(params.subgraph, g);
    if (!(params.damping >= 0 && params.damping < 1)) {
        throw ParamError("damping", "damping must be in [0, 1), got " + graph::format_number(params.damping));
    }
    if (!(params.tolerance > 0) || !std::isfinite(params.tolerance)) {
        throw ParamError("tolerance", "tolerance must be a positive number, got " + graph::format_number(params.tolerance));
    }
    if (params.max_iterations < 1 || params.max_iterations > PageRankParams::kMaxIterations) {
        throw ParamError("max_iterations", "max_iterations must be in [1, " + std::to_string(PageRankParams::kMaxIterations) +
                                               "], got " + std::to_string(params.max_iterations));
    }
    if (params.explain > PageRankParams::kMaxExplain) {
        throw ParamError("explain", "explain at most " + std::to_string(PageRankParams::kMaxExplain) + " nodes");
    }
    for (const auto& [field, pairs] : {std::pair{"sources", &params.sources}, std::pair{"dangling", &params.dangling}}) {
        double total = 0;
        for (std::size_t i = 0; i < pairs->size(); ++i) {
            const auto& [node, weight] = (*pairs)[i];
            const std::string at = std::string(field) + "/" + std::to_string(i);
            if (node >= g.node_count()) throw ParamError(at, "node index out of range");
            if (!(weight >= 0) || !std::isfinite(weight)) {
                throw ParamError(at, "a weight must be a finite number >= 0, got " + graph::format_number(weight));
            }
            total += weight;
        }
        if (!pairs->empty() && !(total > 0))
            throw ParamError(field, std::string("the weights of ") + field + " must not all be 0");
    }
}

Estimate estimate(const graph::Snapshot& g, const PageRankParams& params) {
    validate(params, g);
    const auto view = graph::view_size(g, params.subgraph);
    const double n = static_cast<double>(g.node_count());
    const double sweep = static_cast<double>(view.nodes) + static_cast<double>(view.arcs);
    return detail::on_view(view, detail::cost(detail::kSweepArc * params.max_iterations * sweep, 48 * n, "max_iterations"));
}

namespace {

std::vector<PageRankContribution> explain(const graph::Subgraph& view, const PageRankResult& result, const PageRankParams& params,
                                          graph::NodeIndex node, std::size_t k) {
    std::vector<PageRankContribution> out;
    const double total = result.score[node];
    if (!(total > 0)) return out;
    const auto sources = view.in_neighbors(node);
    const auto weights = view.in_weights(node);
    double from_arcs = 0;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        const auto u = sources[i];
        const double strength = view.out_strength(u);
        if (strength <= 0) continue;
        const double part = params.damping * result.score[u] * weights[i] / strength;
        from_arcs += part;
        out.push_back({u, part / total});
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.share != b.share ? a.share > b.share : a.from < b.from; });
    if (out.size() > k) out.resize(k);
    out.push_back({graph::kNoNode, std::max(0.0, 1.0 - from_arcs / total)});
    return out;
}

}  // namespace

PageRankResult pagerank(const graph::Snapshot& g, const PageRankParams& params, RunContext& run) {
    detail::enter(run, estimate(g, params));
    const auto shared_view = graph::Subgraph::shared(g, params.subgraph);
    const auto& view = *shared_view;
    using graph::NodeIndex;
    const NodeIndex n = view.node_count();
    const auto& nodes = view.nodes();
    const auto count = static_cast<NodeIndex>(nodes.size());
    PageRankResult result;
    result.nodes = nodes;
    result.isolated = view.isolated();
    result.score.assign(n, 0.0);
    if (count == 0) {
        result.converged = true;
        return result;
    }

    // A distribution over the subgraph's nodes from (node, weight) pairs; empty when none are given.
    auto distribution = [&](const std::vector<std::pair<NodeIndex, double>>& pairs, const char* field) {
        std::vector<double> p;
        if (pairs.empty()) return p;
        p.assign(n, 0.0);
        double total = 0;
        for (std::size_t i = 0; i < pairs.size(); ++i) {
            const auto& [u, w] = pairs[i];
            if (!view.active(u)) {
                throw ParamError(std::string(field) + "/" + std::to_string(i),
                                 std::string(field) + " '" + std::string(view.snapshot().id(u)) +
                                     "' is not in the chosen subgraph (without a tie in it? keep_isolated keeps it)");
            }
            p[u] += w;
            total += w;
        }
        for (auto& x : p) x /= total;
        return p;
    };
    // Teleport distribution: uniform, or the sources' weights; dangling mass goes the same way unless
    // a dangling distribution is given.
    const std::vector<double> teleport = distribution(params.sources, "sources");
    const std::vector<double> to_dangling = distribution(params.dangling, "dangling");

    std::vector<double> inverse_strength(n, 0.0);  // 1 / out-strength; 0 marks a dangling node
    tbb::parallel_for(tbb::blocked_range<NodeIndex>(0, count, 4096), [&](const auto& r) {
        for (NodeIndex i = r.begin(); i != r.end(); ++i) {
            const double strength = view.out_strength(nodes[i]);
            inverse_strength[nodes[i]] = strength > 0 ? 1 / strength : 0.0;
        }
    });

    // Spread over ranks (docs/scale.md), each sweeps the nodes it owns, pulling over their in-arcs,
    // and the shares of the in-neighbours other ranks own (its ghosts) arrive once per sweep. On one
    // rank the partition is everything and nothing travels.
    const detail::Partition part(
        run.ranks(), n, [&](std::uint64_t v) { return view.in_degree(static_cast<NodeIndex>(v)); },
        [&](std::uint64_t v, auto&& add) {
            for (auto u : view.in_neighbors(static_cast<NodeIndex>(v))) add(u);
        });
    const auto owned = part.owned(nodes);
    const auto owned_count = static_cast<NodeIndex>(owned.size());

    // x: the scores; share[u] = x[u] / strength[u], what u sends along each unit of arc weight.
    std::vector<double> x(n, 0.0), next(n, 0.0);
    std::vector<double> share(n, 0.0), next_share(n, 0.0);
    for (auto u : nodes) {
        x[u] = 1.0 / count;
        share[u] = x[u] * inverse_strength[u];
    }
    // Sums over the owned nodes, then over the ranks in rank order: the same bits at any thread count.
    std::array<double, 1> dangling{detail::deterministic_sum<NodeIndex>(
        owned_count, [&](NodeIndex i) { return inverse_strength[owned[i]] == 0 ? x[owned[i]] : 0.0; })};
    graph::ordered_sum(part.ranks(), dangling);
    const double d = params.damping;
    const bool weighted = view.weighted();
    const bool uniform = params.sources.empty();
    const double uniform_teleport = 1.0 / count;

    detail::power_iterate(result, params.max_iterations, count * params.tolerance, "pagerank", run, [&] {
        // One pass, in fixed order: each node pulls over its in-arcs, and the same pass measures the
        // change and prepares what the node sends and the dangling mass for the next sweep.
        const double base = to_dangling.empty() ? d * dangling[0] + (1 - d) : 1 - d;
        const double dangling_share = to_dangling.empty() ? 0.0 : d * dangling[0];
        auto sums = detail::deterministic_sums<2, NodeIndex>(owned_count, [&](NodeIndex i) {
            const NodeIndex v = owned[i];
            const auto sources = view.in_neighbors(v);
            double sum = 0;
            if (weighted) {
                const auto weights = view.in_weights(v);
                for (std::size_t k = 0; k < sources.size(); ++k) sum += share[sources[k]] * weights[k];
            } else {
                for (auto u : sources) sum += share[u];
            }
            double value = d * sum + base * (uniform ? uniform_teleport : teleport[v]);
            if (dangling_share != 0) value += dangling_share * to_dangling[v];
            next[v] = value;
            next_share[v] = value * inverse_strength[v];
            return std::array<double, 2>{std::abs(value - x[v]), inverse_strength[v] == 0 ? value : 0.0};
        });
        graph::ordered_sum(part.ranks(), sums);
        x.swap(next);
        share.swap(next_share);
        part.refresh(share);
        dangling[0] = sums[1];
        return sums[0];
    });
    part.gather(x);
    result.score = std::move(x);
    if (params.explain > 0) {
        std::vector<NodeIndex> top(nodes);
        const auto k = std::min(params.explain, top.size());
        const auto& score = result.score;
        std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(k), top.end(),
                          [&](NodeIndex a, NodeIndex b) { return score[a] != score[b] ? score[a] > score[b] : a < b; });
        for (std::size_t i = 0; i < k; ++i) result.explanations.emplace_back(top[i], explain(view, result, params, top[i], 3));
    }
    return result;
}

}  // namespace smorg::engine
