#include "smorg/engine/silos/silos.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "budget.h"
#include "map.h"

namespace smorg::engine {

using graph::NodeIndex;
using silo::kNoGroup;

void validate(const SilosParams& params, const graph::Snapshot& g) {
    graph::validate(params.subgraph, g);
    if (!g.attributes().find(params.group_by)) {
        std::string known;
        for (const auto& c : g.attributes().columns()) known += (known.empty() ? "" : ", ") + c.name();
        throw graph::NotFound("group_by", "no attribute '" + params.group_by + "' to group people by; this database has: " +
                                              (known.empty() ? std::string("none") : known));
    }
    if (!(params.cut_off_ratio >= 0) || !std::isfinite(params.cut_off_ratio)) {
        throw ParamError("cut_off_ratio", "cut_off_ratio must be a finite number >= 0");
    }
    if (!(params.min_expected > 0) || !std::isfinite(params.min_expected)) {
        throw ParamError("min_expected", "min_expected must be a positive number");
    }
    if (params.permutations > SilosParams::kMaxPermutations) {
        throw ParamError("permutations", "permutations must be at most " + std::to_string(SilosParams::kMaxPermutations));
    }
    if (params.spanners > SilosParams::kMaxListed) {
        throw ParamError("spanners", "spanners must be at most " + std::to_string(SilosParams::kMaxListed));
    }
    if (params.introductions > SilosParams::kMaxIntroductions) {
        throw ParamError("introductions", "introductions must be at most " + std::to_string(SilosParams::kMaxIntroductions));
    }
    graph::validate_kinds(params.wall_kinds, g.edge_kinds(), "wall_kinds", "edge kind");
}

namespace {

Estimate cost_of(const graph::Snapshot& g, const SilosParams& params) {
    auto undirected = params.subgraph;
    undirected.directed = false;
    const auto size = graph::view_size(g, undirected);
    const double n = static_cast<double>(size.nodes), arcs = static_cast<double>(size.arcs),
                 all = static_cast<double>(g.node_count());
    const double sweep = n + arcs;
    const double permutations = static_cast<double>(params.permutations) * (arcs + n);
    const double communities = 2 * 30 * sweep;
    const double sources = n > silo::kExactSpannersUpTo ? static_cast<double>(silo::kSpannerPivots) : n;
    const double betweenness = sources * 2 * sweep;
    const double pairs = static_cast<double>(silo::kIntroducedPairs);
    const double introductions = pairs * 200 * sweep + pairs * 100 * static_cast<double>(params.introductions) * 100 * 100;
    const double memory = 3 * size.cost.memory_bytes + detail::workers() * (56 * all + 4 * arcs) +
                          4 * static_cast<double>(params.permutations) * 64 + 1000 * 4 * all;
    auto e = detail::cost(static_cast<double>(g.edge_count()) + permutations + communities + betweenness + introductions, memory,
                          permutations > betweenness ? "permutations" : "edge_kinds");
    return detail::on_view(size, e);
}

// The parameters with their defaults filled in from the snapshot.
SilosParams resolved(const graph::Snapshot& g, SilosParams params) {
    constexpr std::array<std::string_view, 1> kTies{graph::kinds::communication};
    params.subgraph = graph::with_default_edge_kinds(std::move(params.subgraph), g, kTies);
    return params;
}

}  // namespace

Estimate estimate(const graph::Snapshot& g, const SilosParams& given) {
    const auto params = resolved(g, given);
    validate(params, g);
    return cost_of(g, params);
}

namespace {

// Group index per node from the attribute's values (strings as they are; numbers and booleans by
// their text), in order of first appearance; kNoGroup without a value or outside the chosen people
// (node kinds and where), so that no group is listed that has nobody in the view.
std::vector<std::uint32_t> group_of(const graph::Snapshot& g, const graph::AttributeColumn& column,
                                    const graph::SubgraphSpec& spec, std::vector<std::string>& names) {
    std::vector<std::uint32_t> group(g.node_count(), kNoGroup);
    std::map<std::string, std::uint32_t> ids;
    const graph::EdgeFilter people(g, spec);
    for (NodeIndex u = 0; u < g.node_count(); ++u) {
        if (!people.node(u)) continue;
        const auto value = column.value(u);
        if (std::holds_alternative<std::monostate>(value)) continue;
        const std::string key = std::holds_alternative<std::string>(value) ? std::get<std::string>(value)
                                : std::holds_alternative<double>(value)    ? graph::format_number(std::get<double>(value))
                                                                           : (std::get<bool>(value) ? "true" : "false");
        const auto [it, added] = ids.emplace(key, static_cast<std::uint32_t>(names.size()));
        if (added) names.push_back(key);
        group[u] = it->second;
    }
    // Present the groups in a stable order: by name, so "Dept 10" and "4" sort as people expect.
    std::vector<std::uint32_t> order(names.size());
    std::iota(order.begin(), order.end(), 0u);
    auto numeric = [](const std::string& s, double& x) {
        char* end = nullptr;
        x = std::strtod(s.c_str(), &end);
        return !s.empty() && end == s.c_str() + s.size();
    };
    std::sort(order.begin(), order.end(), [&](auto a, auto b) {
        double x, y;
        if (numeric(names[a], x) && numeric(names[b], y)) return x < y;
        return names[a] < names[b];
    });
    std::vector<std::uint32_t> rank(names.size());
    std::vector<std::string> sorted(names.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) {
        rank[order[i]] = i;
        sorted[i] = names[order[i]];
    }
    names = std::move(sorted);
    for (auto& x : group) {
        if (x != kNoGroup) x = rank[x];
    }
    return group;
}

// By default the map covers the kinds of people who have a group (employees for departments), so
// that betweenness and communities are not diluted by everyone else.
graph::SubgraphSpec map_spec(const graph::Snapshot& g, const SilosParams& params, const std::vector<std::uint32_t>& group) {
    auto spec = params.subgraph;
    if (spec.node_kinds.empty()) {
        std::vector<std::uint8_t> kind_has_group(g.node_kinds().size(), 0);
        for (NodeIndex u = 0; u < g.node_count(); ++u) {
            if (group[u] != kNoGroup) kind_has_group[g.node_kind(u)] = 1;
        }
        for (std::size_t k = 0; k < kind_has_group.size(); ++k) {
            if (kind_has_group[k]) spec.node_kinds.push_back(g.node_kinds().names()[k]);
        }
    }
    return spec;
}

}  // namespace

SilosResult silos(const graph::Snapshot& g, const SilosParams& given, RunContext& run) {
    const auto params = resolved(g, given);
    detail::enter(run, estimate(g, params));
    SilosResult r;
    std::vector<std::string> names;
    auto group = group_of(g, *g.attributes().find(params.group_by), params.subgraph, names);
    const auto spec = map_spec(g, params, group);
    silo::Map m{g,
                params,
                run,
                std::move(group),
                static_cast<std::uint32_t>(names.size()),
                spec,
                graph::Subgraph::of(g, spec),
                graph::Subgraph::of(g, silo::undirected_of(spec)),
                {},
                {}};
    r.edge_kinds = params.subgraph.edge_kinds;
    r.isolated = m.view.isolated();
    r.groups.resize(m.G);
    for (std::uint32_t i = 0; i < m.G; ++i) r.groups[i].name = names[i];

    silo::count_ties(m, r);
    silo::ei_test(m, r);
    run.report("silos", 0.3);
    silo::mixing_and_modularity(m, r);
    silo::detected_communities(m, r);
    run.report("silos", 0.5);
    silo::boundary_spanners(m, r);
    run.report("silos", 0.7);
    silo::introductions(m, r);
    run.report("silos", 0.85);
    silo::wall(m, r);
    run.report("silos", 1.0);
    return r;
}

}  // namespace smorg::engine
