#include "smorg/engine/centrality/spectral.h"

#include <cmath>
#include <string>

#include "budget.h"
#include "parallel.h"
#include "power_iteration.h"

namespace smorg::engine {

using graph::NodeIndex;

namespace {

void check_iteration(double tolerance, int max_iterations) {
    if (!(tolerance > 0) || !std::isfinite(tolerance)) {
        throw ParamError("tolerance", "tolerance must be a positive number, got " + graph::format_number(tolerance));
    }
    if (max_iterations < 1 || max_iterations > kMaxSpectralIterations) {
        throw ParamError("max_iterations", "max_iterations must be in [1, " + std::to_string(kMaxSpectralIterations) + "], got " +
                                               std::to_string(max_iterations));
    }
}

// The view's nodes with every score 0; converged when there is nothing to iterate (no nodes).
SpectralResult zero_scores(const graph::Subgraph& view) {
    SpectralResult result;
    result.nodes = view.nodes();
    result.isolated = view.isolated();
    result.score.assign(view.node_count(), 0.0);
    result.converged = view.nodes().empty();
    return result;
}

Estimate sweeps(const graph::Snapshot& g, const graph::SubgraphSpec& spec, int max_iterations) {
    const auto view = graph::view_size(g, spec);
    const double sweep = static_cast<double>(view.nodes) + static_cast<double>(view.arcs);
    return detail::on_view(view, detail::cost(detail::kSweepArc * max_iterations * sweep,
                                              16 * static_cast<double>(g.node_count()), "max_iterations"));
}

// y[v] = own * x[v] + sum over in-arcs u -> v of x[u] * w(u, v), in fixed order per node.
void pull(const graph::Subgraph& view, const std::vector<double>& x, std::vector<double>& y, double own) {
    const auto& nodes = view.nodes();
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, nodes.size(), 2048), [&](const auto& r) {
        for (std::size_t i = r.begin(); i != r.end(); ++i) {
            const NodeIndex v = nodes[i];
            const auto sources = view.in_neighbors(v);
            const auto weights = view.in_weights(v);
            double sum = own * x[v];
            for (std::size_t k = 0; k < sources.size(); ++k) sum += x[sources[k]] * weights[k];
            y[v] = sum;
        }
    });
}

}  // namespace

void validate(const EigenvectorParams& params, const graph::Snapshot& g) {
    graph::validate(params.subgraph, g);
    check_iteration(params.tolerance, params.max_iterations);
}

void validate(const KatzParams& params, const graph::Snapshot& g) {
    graph::validate(params.subgraph, g);
    check_iteration(params.tolerance, params.max_iterations);
    if (params.alpha && (!(*params.alpha > 0) || !std::isfinite(*params.alpha))) {
        throw ParamError("alpha", "alpha must be a positive number, got " + graph::format_number(*params.alpha));
    }
    if (!std::isfinite(params.beta)) throw ParamError("beta", "beta must be a finite number");
}

Estimate estimate(const graph::Snapshot& g, const EigenvectorParams& params) {
    validate(params, g);
    return sweeps(g, params.subgraph, params.max_iterations);
}

Estimate estimate(const graph::Snapshot& g, const KatzParams& params) {
    validate(params, g);
    return sweeps(g, params.subgraph, params.max_iterations);
}

SpectralResult eigenvector(const graph::Snapshot& g, const EigenvectorParams& params, RunContext& run) {
    detail::enter(run, estimate(g, params));
    const auto shared_view = graph::Subgraph::shared(g, params.subgraph);
    const auto& view = *shared_view;
    const auto& nodes = view.nodes();
    const auto count = static_cast<NodeIndex>(nodes.size());
    auto result = zero_scores(view);
    if (count == 0) return result;
    std::vector<double> x(view.node_count(), 0.0), y(view.node_count(), 0.0);
    for (auto u : nodes) x[u] = 1.0 / count;
    detail::power_iterate(result, params.max_iterations, count * params.tolerance, "eigenvector", run, [&] {
        pull(view, x, y, 1.0);
        const double norm2 = detail::deterministic_sum<NodeIndex>(count, [&](NodeIndex i) { return y[nodes[i]] * y[nodes[i]]; });
        const double norm = norm2 > 0 ? std::sqrt(norm2) : 1.0;
        const double change = detail::deterministic_sum<NodeIndex>(count, [&](NodeIndex i) {
            const NodeIndex u = nodes[i];
            y[u] /= norm;
            return std::abs(y[u] - x[u]);
        });
        x.swap(y);
        return change;
    });
    result.score = std::move(x);
    return result;
}

namespace {

// The largest eigenvalue of the view's adjacency (its spectral radius, >= 0) by power iteration on
// A^T + I (the shift keeps periodic graphs from oscillating), until the estimate settles to 1e-9
// relative or 1000 sweeps.
double largest_eigenvalue(const graph::Subgraph& view, RunContext& run) {
    const auto& nodes = view.nodes();
    const auto count = static_cast<NodeIndex>(nodes.size());
    std::vector<double> x(view.node_count(), 0.0), y(view.node_count(), 0.0);
    for (auto u : nodes) x[u] = 1.0 / std::sqrt(static_cast<double>(count));
    double estimate = 0;
    for (int it = 0; it < 1000; ++it) {
        run.throw_if_cancelled();
        pull(view, x, y, 1.0);
        const double norm =
            std::sqrt(detail::deterministic_sum<NodeIndex>(count, [&](NodeIndex i) { return y[nodes[i]] * y[nodes[i]]; }));
        if (!(norm > 0)) return 0;
        for (auto u : nodes) y[u] /= norm;
        x.swap(y);
        const double next = norm - 1;  // ||(A^T + I) x|| for a unit x, less the shift
        if (it > 10 && std::abs(next - estimate) <= 1e-9 * std::max(1.0, std::abs(next))) return std::max(0.0, next);
        estimate = next;
    }
    return std::max(0.0, estimate);
}

// networkx's 0.1 where the series converges with it, else 0.9 / lambda_max: well inside the radius
// of convergence, so the iteration settles. (On a graph without cycles lambda_max is 0 and the
// power-iteration estimate only tends to it, which is why 0.1 also caps the choice.)
double default_alpha(double lambda_max) { return lambda_max * 0.1 < 0.9 ? 0.1 : 0.9 / lambda_max; }

}  // namespace

SpectralResult katz(const graph::Snapshot& g, const KatzParams& params, RunContext& run) {
    detail::enter(run, estimate(g, params));
    const auto shared_view = graph::Subgraph::shared(g, params.subgraph);
    const auto& view = *shared_view;
    const auto& nodes = view.nodes();
    const auto count = static_cast<NodeIndex>(nodes.size());
    auto result = zero_scores(view);
    if (count == 0) {
        result.alpha = params.alpha.value_or(0.1);
        return result;
    }
    if (!params.alpha) {
        result.largest_eigenvalue = largest_eigenvalue(view, run);
        result.alpha = default_alpha(*result.largest_eigenvalue);
    } else {
        result.alpha = *params.alpha;
    }
    const double alpha = result.alpha;
    std::vector<double> x(view.node_count(), 0.0), y(view.node_count(), 0.0);
    detail::power_iterate(result, params.max_iterations, count * params.tolerance, "katz", run, [&] {
        pull(view, x, y, 0.0);
        const double change = detail::deterministic_sum<NodeIndex>(count, [&](NodeIndex i) {
            const NodeIndex u = nodes[i];
            y[u] = alpha * y[u] + params.beta;
            return std::abs(y[u] - x[u]);
        });
        x.swap(y);
        return change;  // not finite: diverged
    });
    if (!result.converged) {
        // Not converged: either too few iterations or a series that cannot converge. Which one, the
        // spectral radius says; a divergent run ranks nobody.
        if (!result.largest_eigenvalue) result.largest_eigenvalue = largest_eigenvalue(view, run);
        if (!std::isfinite(result.last_change) || alpha * *result.largest_eigenvalue >= 1 - 1e-9) {
            result.diverged = true;
            result.score.assign(view.node_count(), 0.0);
            return result;
        }
    }
    if (params.normalized) {  // the last iterate too, when max_iterations ran out first (it said so: converged false)
        const double norm2 = detail::deterministic_sum<NodeIndex>(count, [&](NodeIndex i) { return x[nodes[i]] * x[nodes[i]]; });
        if (norm2 > 0) {
            const double s = 1.0 / std::sqrt(norm2);
            for (auto u : nodes) x[u] *= s;
        }
    }
    result.score = std::move(x);
    return result;
}

}  // namespace smorg::engine
