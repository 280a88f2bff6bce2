#pragma once

#include <optional>
#include <vector>

#include "smorg/engine/run_context.h"
#include "smorg/graph/snapshot.h"
#include "smorg/graph/subgraph.h"

namespace smorg::engine {

struct EigenvectorParams {
    graph::SubgraphSpec subgraph;  // weighted: arcs count by tie strength
    double tolerance = 1e-6;       // converged when the L1 change is < n * tolerance (networkx); > 0
    int max_iterations = 100;      // in [1, kMaxSpectralIterations]
};

struct KatzParams {
    graph::SubgraphSpec subgraph;
    // Attenuation; the series converges only below 1 / lambda_max (the largest eigenvalue of the
    // view's adjacency). Unset: networkx's 0.1, or 0.9 / lambda_max when 0.1 would diverge
    // (lambda_max > 9), lambda_max estimated by power iteration; > 0.
    std::optional<double> alpha;
    double beta = 1.0;          // weight every node gets for free; finite
    double tolerance = 1e-6;    // as eigenvector; > 0
    int max_iterations = 1000;  // in [1, kMaxSpectralIterations]
    bool normalized = true;     // scale to unit Euclidean length (networkx)
};

struct SpectralResult {
    std::vector<graph::NodeIndex> nodes;
    // Katz: the alpha used, and the largest eigenvalue when it was estimated (alpha unset, or the run
    // diverged). A run that diverges (alpha >= 1 / lambda_max) has no scores: `diverged`, all 0.
    double alpha = 0;
    std::optional<double> largest_eigenvalue;
    bool diverged = false;
    std::uint64_t isolated = 0;  // left out: no tie in the chosen view
    std::vector<double> score;   // by NodeIndex
    int iterations = 0;
    bool converged = false;  // false: max_iterations reached; the scores are the last iterate
    double last_change = 0;  // L1 change of the last sweep
};

inline constexpr int kMaxSpectralIterations = 1'000'000;  // the bound of max_iterations

void validate(const EigenvectorParams& params, const graph::Snapshot& g);
void validate(const KatzParams& params, const graph::Snapshot& g);
// max_iterations sweeps over the view.
Estimate estimate(const graph::Snapshot& g, const EigenvectorParams& params);
Estimate estimate(const graph::Snapshot& g, const KatzParams& params);

// Eigenvector centrality by power iteration on A^T + I, normalized to unit length after each sweep,
// exactly networkx's eigenvector_centrality (the shift keeps bipartite graphs from oscillating).
// O(iterations (V + E)); the same bits at any thread count.
SpectralResult eigenvector(const graph::Snapshot& g, const EigenvectorParams& params, RunContext& run);
// Katz centrality (Katz 1953): x = alpha A^T x + beta, by fixed-point iteration from 0, networkx's
// katz_centrality. Diverges when alpha >= 1 / lambda_max: then `diverged`, and no scores are given
// (the last iterate would rank by nonsense near 1e307).
SpectralResult katz(const graph::Snapshot& g, const KatzParams& params, RunContext& run);

}  // namespace smorg::engine
