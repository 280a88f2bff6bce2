#include "smorg/engine/community/communities.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "budget.h"
#include "clustering.h"
#include "parallel.h"
#include "views.h"

namespace smorg::engine {

using graph::NodeIndex;

void validate(const CommunityParams& params, const graph::Snapshot& g) {
    graph::validate(params.subgraph, g);
    if (!(params.resolution > 0) || !std::isfinite(params.resolution)) {
        throw ParamError("resolution", "resolution must be a positive number, got " + graph::format_number(params.resolution));
    }
    if (params.max_levels < 1 || params.max_levels > CommunityParams::kMaxLevels) {
        throw ParamError("max_levels", "max_levels must be in [1, " + std::to_string(CommunityParams::kMaxLevels) + "]");
    }
    if (params.max_passes < 1 || params.max_passes > CommunityParams::kMaxPasses) {
        throw ParamError("max_passes", "max_passes must be in [1, " + std::to_string(CommunityParams::kMaxPasses) + "]");
    }
    if (!(params.tolerance >= 0)) throw ParamError("tolerance", "tolerance must be >= 0");
    if (params.iterations < 0 || params.iterations > CommunityParams::kMaxIterations) {
        throw ParamError("iterations",
                         "iterations must be between 0 (until stable) and " + std::to_string(CommunityParams::kMaxIterations));
    }
    if (!(params.randomness > 0) || !std::isfinite(params.randomness)) {
        throw ParamError("randomness", "randomness must be a positive number");
    }
    if (!(params.min_jaccard > 0 && params.min_jaccard <= 1))
        throw ParamError("previous/min_jaccard", "min_jaccard must be in (0, 1]");
    for (std::size_t u = 0; u < params.previous.size() && u < g.node_count(); ++u) {
        const double id = params.previous[u];
        if (std::isnan(id)) continue;
        if (!(id >= 0 && id < 9007199254740992.0) || id != std::floor(id)) {
            throw ParamError("previous/attribute", "previous community ids must be integers in [0, 2^53); '" +
                                                       std::string(g.id(static_cast<graph::NodeIndex>(u))) + "' has " +
                                                       graph::format_number(id));
        }
    }
}

namespace {

// Gives each community the previous id it overlaps best (one to one, Jaccard >= min_jaccard), else a
// fresh id above every previous one, in community order.
void keep_previous_ids(CommunityResult& r, const CommunityParams& params) {
    const auto& previous = params.previous;
    auto previous_of = [&](graph::NodeIndex u) { return u < previous.size() ? previous[u] : std::nan(""); };
    std::map<std::uint64_t, std::uint64_t> previous_size;  // previous id -> its people in this view
    std::map<std::pair<std::uint32_t, std::uint64_t>, std::uint64_t> overlap;
    std::uint64_t next_id = 0;
    for (std::size_t u = 0; u < previous.size(); ++u) {
        if (!std::isnan(previous[u])) next_id = std::max(next_id, static_cast<std::uint64_t>(previous[u]) + 1);
    }
    for (const auto u : r.nodes) {
        const double p = previous_of(u);
        if (std::isnan(p)) continue;
        const auto id = static_cast<std::uint64_t>(p);
        ++previous_size[id];
        ++overlap[{r.membership[u], id}];
    }
    struct Candidate {
        double jaccard;
        std::uint64_t shared;
        std::uint32_t community;
        std::uint64_t id;
    };
    std::vector<Candidate> candidates;
    for (const auto& [key, shared] : overlap) {
        const auto [community, id] = key;
        const double jaccard = static_cast<double>(shared) / static_cast<double>(r.sizes[community] + previous_size[id] - shared);
        if (jaccard >= params.min_jaccard) candidates.push_back({jaccard, shared, community, id});
    }
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
        if (a.jaccard != b.jaccard) return a.jaccard > b.jaccard;
        if (a.shared != b.shared) return a.shared > b.shared;
        if (a.community != b.community) return a.community < b.community;
        return a.id < b.id;
    });
    constexpr std::uint64_t kUnset = ~std::uint64_t{0};
    r.ids.assign(r.sizes.size(), kUnset);
    std::set<std::uint64_t> taken;
    for (const auto& c : candidates) {
        if (r.ids[c.community] != kUnset || taken.count(c.id)) continue;
        r.ids[c.community] = c.id;
        taken.insert(c.id);
        ++r.kept_ids;
    }
    for (auto& id : r.ids) {
        if (id == kUnset) {
            id = next_id++;
            ++r.new_ids;
        }
    }
    r.previous_communities = previous_size.size();
}

}  // namespace

double modularity(const graph::Subgraph& view, const std::vector<std::uint32_t>& membership, double resolution) {
    const auto& nodes = view.nodes();
    const bool directed = view.directed();
    // Per node, in parallel: its strengths and the weight of its ties inside its community. Undirected,
    // a loop has two ends on the node and an internal edge is seen from both ends; directed, each arc
    // once, from its source. Summed per community in node order.
    std::vector<double> node_out(nodes.size(), 0.0), node_in(nodes.size(), 0.0), node_inside(nodes.size(), 0.0);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, nodes.size(), 2048), [&](const auto& r) {
        for (auto i = r.begin(); i != r.end(); ++i) {
            const auto u = nodes[i];
            const auto c = membership[u];
            if (c == kNoCommunity) continue;
            const auto targets = view.out_neighbors(u);
            const auto weights = view.out_weights(u);
            double out = 0, inside = 0;
            for (std::size_t k = 0; k < targets.size(); ++k) {
                const auto v = targets[k];
                if (membership[v] == kNoCommunity) continue;
                const double w = !directed && v == u ? 2 * weights[k] : weights[k];
                out += w;
                if (membership[v] == c) inside += w;
            }
            double in = out;
            if (directed) {
                in = 0;
                const auto sources = view.in_neighbors(u);
                const auto in_weights = view.in_weights(u);
                for (std::size_t k = 0; k < sources.size(); ++k) {
                    if (membership[sources[k]] != kNoCommunity) in += in_weights[k];
                }
            }
            node_out[i] = out;
            node_in[i] = in;
            node_inside[i] = inside;
        }
    });
    std::vector<double> inside, out, in;
    double total = 0;  // undirected: 2m (the sum of degrees); directed: m (the sum of arc weights)
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const auto c = membership[nodes[i]];
        if (c == kNoCommunity) continue;
        if (c >= inside.size()) {
            inside.resize(c + 1, 0.0);
            out.resize(c + 1, 0.0);
            in.resize(c + 1, 0.0);
        }
        out[c] += node_out[i];
        in[c] += node_in[i];
        inside[c] += node_inside[i];
        total += node_out[i];
    }
    if (total <= 0) return 0;
    double q = 0;
    // Undirected (networkx): L_c / m - gamma (d_c / 2m)^2; directed (Leicht & Newman):
    // L_c / m - gamma out_c in_c / m^2, with L_c the weight inside c.
    for (std::size_t c = 0; c < inside.size(); ++c) q += inside[c] / total - resolution * (out[c] / total) * (in[c] / total);
    return q;
}

Estimate estimate(const graph::Snapshot& g, const CommunityParams& params) {
    validate(params, g);
    const auto view = graph::view_size(g, params.subgraph);
    const double sweep = static_cast<double>(view.nodes) + static_cast<double>(view.arcs);
    const bool propagation = params.algorithm == CommunityAlgorithm::label_propagation;
    const double runs = params.iterations > 0 ? params.iterations : 10.0;
    const double sweeps =
        propagation ? params.max_passes : runs * std::min(30.0, static_cast<double>(params.max_passes) * params.max_levels);
    // Level 0 and one aggregate, the colour classes and per-worker neighbour weights.
    const double memory = 2 * (16 * static_cast<double>(view.nodes) + 12 * static_cast<double>(view.arcs)) +
                          detail::workers() * 12 * static_cast<double>(view.nodes);
    const double per_arc = propagation ? detail::kPropagationArc : detail::kLocalMoveArc;
    return detail::on_view(view, detail::cost(per_arc * sweeps * sweep, memory, propagation ? "max_passes" : "iterations",
                                              propagation ? "upper bound" : "typical"));
}

CommunityResult communities(const graph::Snapshot& g, const CommunityParams& params, RunContext& run) {
    detail::enter(run, estimate(g, params));
    const auto shared_view = graph::Subgraph::shared(g, params.subgraph);
    const auto& view = *shared_view;
    auto r = detail::communities(view, params, run);
    if (!params.previous.empty()) keep_previous_ids(r, params);
    return r;
}

CommunityResult detail::communities(const graph::Subgraph& view, const CommunityParams& params, RunContext& run) {
    validate(params, view.snapshot());
    return params.algorithm == CommunityAlgorithm::label_propagation ? clustering::label_propagation(view, params, run)
                                                                     : clustering::multilevel(view, params, run);
}

}  // namespace smorg::engine
