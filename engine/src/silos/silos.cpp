#include "smorg/engine/silos/silos.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "smorg/engine/centrality/betweenness.h"
#include "smorg/graph/errors.h"
#include "smorg/graph/random.h"

#include "budget.h"
#include "views.h"

namespace smorg::engine {

using graph::NodeIndex;

namespace {

constexpr std::uint32_t kNoGroup = std::numeric_limits<std::uint32_t>::max();
// Cross-group betweenness is exact up to this many people, and from this many random sources above.
constexpr std::size_t kExactSpannersUpTo = 5000;
constexpr std::uint64_t kSpannerPivots = 2000;

double entropy(const std::map<std::uint32_t, double>& counts, double n) {
    double h = 0;
    for (const auto& [label, c] : counts) {
        if (c > 0) h -= c / n * std::log(c / n);
    }
    return h;
}

// Group index per node from the attribute's values (strings as they are; numbers and booleans by
// their text), in order of first appearance; kNoGroup without a value.
std::vector<std::uint32_t> group_of(const graph::Snapshot& g, const graph::AttributeColumn& column,
                                    std::vector<std::string>& names) {
    std::vector<std::uint32_t> group(g.node_count(), kNoGroup);
    std::map<std::string, std::uint32_t> ids;
    for (NodeIndex u = 0; u < g.node_count(); ++u) {
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

struct Tie {
    NodeIndex u, v;
};

// Internal tie counts per group under a labelling.
void count_internal(const std::vector<Tie>& ties, const std::vector<std::uint32_t>& label, std::vector<std::uint64_t>& internal,
                    std::uint64_t& total_internal) {
    std::fill(internal.begin(), internal.end(), 0);
    total_internal = 0;
    for (const auto& t : ties) {
        if (label[t.u] == label[t.v]) {
            ++internal[label[t.u]];
            ++total_internal;
        }
    }
}

double ei(double external, double internal) {
    return external + internal > 0 ? (external - internal) / (external + internal) : 0.0;
}

}  // namespace

double normalized_mutual_information(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
    const double n = static_cast<double>(a.size());
    if (a.empty()) return 0;
    std::map<std::uint32_t, double> ca, cb;
    std::map<std::pair<std::uint32_t, std::uint32_t>, double> joint;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ca[a[i]] += 1;
        cb[b[i]] += 1;
        joint[{a[i], b[i]}] += 1;
    }
    double mi = 0;
    for (const auto& [key, c] : joint) mi += c / n * std::log(c * n / (ca[key.first] * cb[key.second]));
    const double ha = entropy(ca, n), hb = entropy(cb, n);
    if (ha == 0 && hb == 0) return 1.0;  // both a single cluster: identical
    const double mean = (ha + hb) / 2;
    return mean > 0 ? std::max(0.0, mi / mean) : 0.0;
}

double adjusted_rand_index(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
    const double n = static_cast<double>(a.size());
    if (a.size() < 2) return 1.0;
    std::map<std::uint32_t, double> ca, cb;
    std::map<std::pair<std::uint32_t, std::uint32_t>, double> joint;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ca[a[i]] += 1;
        cb[b[i]] += 1;
        joint[{a[i], b[i]}] += 1;
    }
    auto pairs = [](double x) { return x * (x - 1) / 2; };
    double index = 0, sa = 0, sb = 0;
    for (const auto& [key, c] : joint) index += pairs(c);
    for (const auto& [k, c] : ca) sa += pairs(c);
    for (const auto& [k, c] : cb) sb += pairs(c);
    const double expected = sa * sb / pairs(n);
    const double maximum = (sa + sb) / 2;
    if (maximum == expected) return 1.0;
    return (index - expected) / (maximum - expected);
}

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
    const double sources = n > 5000 ? 2000 : n;
    const double betweenness = sources * 2 * sweep;
    const double introductions = 5.0 * 200 * sweep + 5.0 * 100 * static_cast<double>(params.introductions) * 100 * 100;
    const double memory = 3 * size.cost.memory_bytes + detail::workers() * (56 * all + 4 * arcs) +
                          4 * static_cast<double>(params.permutations) * 64 + 1000 * 4 * all;
    auto e = detail::cost(static_cast<double>(g.edge_count()) + permutations + communities + betweenness + introductions, memory,
                          permutations > betweenness ? "permutations" : "edge_kinds");
    return detail::on_view(size, e);
}
}  // namespace

namespace {
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

// What the steps of the map share: the groups, the people of the map, their ties.
struct Map {
    const graph::Snapshot& g;
    const SilosParams& p;
    RunContext& run;
    std::vector<std::uint32_t> group;  // by node; kNoGroup without one
    std::uint32_t G = 0;
    graph::SubgraphSpec spec;        // the people of the map, directed and weighted as asked
    graph::Subgraph view;            // that view
    graph::Subgraph ties_view;       // the same, undirected: paths, distances, neighbourhoods
    std::vector<Tie> ties;           // among the grouped: pairs (undirected) or arcs (directed), no loops
    std::vector<double> tie_weight;  // 1 each unweighted
};

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

graph::SubgraphSpec undirected_of(graph::SubgraphSpec spec) {
    spec.directed = false;
    return spec;
}

// People per group and the ties among the grouped, with the internal / external counts of each group.
void count_ties(Map& m, SilosResult& r) {
    const auto& group = m.group;
    for (auto u : m.view.nodes()) {
        if (group[u] == kNoGroup) {
            ++r.ungrouped;
            continue;
        }
        ++r.people;
        ++r.groups[group[u]].size;
    }
    for (auto u : m.view.nodes()) {
        if (group[u] == kNoGroup) continue;
        const auto targets = m.view.out_neighbors(u);
        const auto weights = m.view.out_weights(u);
        for (std::size_t k = 0; k < targets.size(); ++k) {
            const auto v = targets[k];
            if (v == u || group[v] == kNoGroup || (!m.spec.directed && v < u)) continue;
            m.ties.push_back({u, v});
            m.tie_weight.push_back(weights[k]);
        }
    }
    r.ties = m.ties.size();
    for (const auto& t : m.ties) {
        const auto a = group[t.u], b = group[t.v];
        if (a == b) {
            ++r.groups[a].internal;
            ++r.internal;
        } else {
            ++r.groups[a].external;
            ++r.groups[b].external;
            ++r.external;
        }
    }
}

// E-I per group and overall, its value if ties fell at random among pairs of people of these group
// sizes, and the permutation test: shuffle who is in which group (sizes kept); how often is E-I this low?
void ei_test(const Map& m, SilosResult& r) {
    const auto& group = m.group;
    const auto G = m.G;
    const auto& params = m.p;
    const auto& ties = m.ties;
    auto& run = m.run;
    const bool directed = m.spec.directed;
    const double N = static_cast<double>(r.people);
    double possible_internal = 0, possible_external = 0;
    for (auto& s : r.groups) {
        s.ei_index = ei(static_cast<double>(s.external), static_cast<double>(s.internal));
        const double size = s.size;
        const double inside = directed ? size * (size - 1) : size * (size - 1) / 2;
        const double across = directed ? 2 * size * (N - size) : size * (N - size);
        s.ei_expected = ei(across, inside);
        possible_internal += inside;
        possible_external += across / 2;  // every cross pair is counted from both groups
    }
    r.ei_index = ei(static_cast<double>(r.external), static_cast<double>(r.internal));
    r.ei_expected = ei(possible_external, possible_internal);
    // Permutation test: shuffle who is in which group (sizes kept); how often is E-I this low?
    if (params.permutations > 0 && !ties.empty()) {
        std::vector<NodeIndex> grouped;
        for (auto u : m.view.nodes()) {
            if (group[u] != kNoGroup) grouped.push_back(u);
        }
        std::vector<std::uint32_t> at_most_group(static_cast<std::size_t>(params.permutations) * G, 0);
        std::vector<std::uint8_t> at_most_total(params.permutations, 0);
        tbb::parallel_for(tbb::blocked_range<std::uint32_t>(0, params.permutations, 8), [&](const auto& range) {
            std::vector<std::uint32_t> label(group);
            std::vector<std::uint32_t> pool(grouped.size());
            std::vector<std::uint64_t> internal(G);
            for (auto i = range.begin(); i != range.end(); ++i) {
                if (run.cancelled()) return;
                for (std::size_t k = 0; k < grouped.size(); ++k) pool[k] = group[grouped[k]];
                auto rng = graph::Rng::stream(params.seed, i);
                graph::shuffle(pool, rng);
                for (std::size_t k = 0; k < grouped.size(); ++k) label[grouped[k]] = pool[k];
                std::uint64_t total_internal = 0;
                count_internal(ties, label, internal, total_internal);
                // A group's external ties are its tie ends minus two per internal tie; the ends move
                // with the labels, so they are recounted.
                std::vector<double> ends(G, 0.0);
                for (const auto& t : ties) {
                    ends[label[t.u]] += 1;
                    ends[label[t.v]] += 1;
                }
                for (std::uint32_t c = 0; c < G; ++c) {
                    const double I = static_cast<double>(internal[c]);
                    const double E = ends[c] - 2 * I;
                    at_most_group[static_cast<std::size_t>(i) * G + c] = ei(E, I) <= r.groups[c].ei_index + 1e-12 ? 1 : 0;
                }
                const double I = static_cast<double>(total_internal);
                at_most_total[i] = ei(static_cast<double>(ties.size()) - I, I) <= r.ei_index + 1e-12 ? 1 : 0;
            }
        });
        run.throw_if_cancelled();
        const double P = params.permutations;
        r.ei_p_value = (1 + static_cast<double>(std::accumulate(at_most_total.begin(), at_most_total.end(), 0u))) / (1 + P);
        for (std::uint32_t c = 0; c < G; ++c) {
            double hits = 0;
            for (std::uint32_t i = 0; i < params.permutations; ++i) hits += at_most_group[static_cast<std::size_t>(i) * G + c];
            r.groups[c].p_value = (1 + hits) / (1 + P);
        }
    }
}

// The group mixing matrix against the configuration model, the modularity of the formal groups
// (undirected: Newman's; directed: Leicht & Newman's; weighted when asked), and the cut-off pairs.
void mixing_and_modularity(const Map& m, SilosResult& r) {
    const auto G = m.G;
    const bool directed = m.spec.directed;
    // Tie counts (mixing, expectations) and tie weights (modularity) per group.
    std::vector<double> out(G, 0.0), in(G, 0.0), weight_out(G, 0.0), weight_in(G, 0.0), inside(G, 0.0);
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint64_t> mixing;
    double total_weight = 0;
    for (std::size_t i = 0; i < m.ties.size(); ++i) {
        const auto a = m.group[m.ties[i].u], b = m.group[m.ties[i].v];
        const double w = m.tie_weight[i];
        out[a] += 1;
        in[b] += 1;
        weight_out[a] += w;
        weight_in[b] += w;
        if (!directed) {
            // An undirected tie has two ends: each group's degree counts both.
            out[b] += 1;
            in[a] += 1;
            weight_out[b] += w;
            weight_in[a] += w;
        }
        total_weight += w;
        if (a == b) inside[a] += w;
        ++mixing[{std::min(a, b), std::max(a, b)}];
    }
    const double T = static_cast<double>(m.ties.size());
    for (std::uint32_t a = 0; a < G; ++a) {
        for (std::uint32_t b = a; b < G; ++b) {
            MixingCell cell{a, b, 0, 0, 0};
            const auto it = mixing.find({a, b});
            cell.observed = it == mixing.end() ? 0 : it->second;
            if (T > 0) {
                // Ties expected between the groups if each end were drawn in proportion to tie ends.
                if (directed) {
                    cell.expected = a == b ? out[a] * in[a] / T : (out[a] * in[b] + out[b] * in[a]) / T;
                } else {
                    cell.expected = a == b ? out[a] * out[a] / (4 * T) : out[a] * out[b] / (2 * T);
                }
            }
            cell.ratio = cell.expected > 0 ? static_cast<double>(cell.observed) / cell.expected : 0.0;
            if (cell.observed > 0 || cell.expected > 0) r.mixing.push_back(cell);
        }
    }
    if (total_weight > 0) {
        for (std::uint32_t c = 0; c < G; ++c) {
            r.modularity +=
                directed ? inside[c] / total_weight - (weight_out[c] / total_weight) * (weight_in[c] / total_weight)
                         : inside[c] / total_weight - (weight_out[c] / (2 * total_weight)) * (weight_out[c] / (2 * total_weight));
        }
    }
    for (const auto& cell : r.mixing) {
        if (cell.a != cell.b && cell.expected >= m.p.min_expected && cell.ratio < m.p.cut_off_ratio) r.cut_off.push_back(cell);
    }
    std::sort(r.cut_off.begin(), r.cut_off.end(),
              [](const auto& x, const auto& y) { return x.ratio != y.ratio ? x.ratio < y.ratio : x.expected > y.expected; });
}

// Detected communities (on the map's own ties, with its modularity) against the formal groups.
void detected_communities(Map& m, SilosResult& r) {
    CommunityParams cp;
    cp.subgraph = m.spec;
    cp.algorithm = m.p.community_algorithm;
    cp.seed = m.p.seed;
    const auto c = detail::communities(m.view, cp, m.run);
    r.community_modularity = c.modularity;
    std::vector<std::uint32_t> formal, detected;
    std::vector<std::uint8_t> used(c.sizes.size(), 0);
    for (auto u : c.nodes) {
        if (m.group[u] == kNoGroup) continue;
        formal.push_back(m.group[u]);
        detected.push_back(c.membership[u]);
        if (!used[c.membership[u]]) {
            used[c.membership[u]] = 1;
            ++r.communities;  // communities among the grouped people
        }
    }
    r.nmi = normalized_mutual_information(formal, detected);
    r.ari = adjusted_rand_index(formal, detected);
}

// Each neighbour of u with its mutual tie strength (networkx's mutual weight: w(u, v) + w(v, u) over
// the map's arcs; undirected, the tie's weight), in neighbour order. 1 per arc unweighted.
std::vector<std::pair<NodeIndex, double>> mutual_ties(const Map& m, NodeIndex u) {
    std::vector<std::pair<NodeIndex, double>> out;
    if (!m.spec.directed) {
        const auto targets = m.ties_view.out_neighbors(u);
        const auto weights = m.ties_view.out_weights(u);
        for (std::size_t k = 0; k < targets.size(); ++k) {
            if (targets[k] != u) out.emplace_back(targets[k], weights[k]);
        }
        return out;
    }
    const auto outs = m.view.out_neighbors(u), ins = m.view.in_neighbors(u);
    const auto wo = m.view.out_weights(u), wi = m.view.in_weights(u);
    std::size_t a = 0, b = 0;
    while (a < outs.size() || b < ins.size()) {
        if (a < outs.size() && outs[a] == u) {
            ++a;
        } else if (b < ins.size() && ins[b] == u) {
            ++b;
        } else if (b == ins.size() || (a < outs.size() && outs[a] < ins[b])) {
            out.emplace_back(outs[a], wo[a]);
            ++a;
        } else if (a == outs.size() || ins[b] < outs[a]) {
            out.emplace_back(ins[b], wi[b]);
            ++b;
        } else {
            out.emplace_back(outs[a], wo[a] + wi[b]);
            ++a;
            ++b;
        }
    }
    return out;
}

// Boundary spanners: ties into other groups, cross-group betweenness, and Burt's (1992) constraint and
// effective size as networkx defines them (with tie strengths when weighted; over both directions of
// the arcs when directed).
void boundary_spanners(Map& m, SilosResult& r) {
    const auto& group = m.group;
    const auto G = m.G;
    const NodeIndex n = m.ties_view.node_count();
    BetweennessParams bp;
    bp.subgraph = undirected_of(m.spec);
    bp.groups.assign(n, 0);
    for (NodeIndex u = 0; u < n; ++u) bp.groups[u] = group[u] == kNoGroup ? G + u : group[u];
    bp.normalized = true;
    if (m.ties_view.nodes().size() > kExactSpannersUpTo) {
        bp.pivots = kSpannerPivots;  // cross-group betweenness from random sources on big maps
        bp.seed = m.p.seed;
    }
    const auto b = detail::betweenness(m.ties_view, bp, m.run);
    std::vector<Spanner> candidates;
    std::vector<std::uint8_t> seen_group(G, 0);
    for (auto u : m.ties_view.nodes()) {
        if (group[u] == kNoGroup) continue;
        Spanner s;
        s.node = u;
        s.group = group[u];
        std::vector<std::uint32_t> reached;
        for (auto v : m.ties_view.out_neighbors(u)) {
            if (v == u || group[v] == kNoGroup || group[v] == group[u]) continue;
            ++s.ties_out;
            if (!seen_group[group[v]]) {
                seen_group[group[v]] = 1;
                reached.push_back(group[v]);
            }
        }
        for (auto x : reached) seen_group[x] = 0;
        s.groups_reached = static_cast<std::uint32_t>(reached.size());
        if (s.ties_out == 0) continue;
        s.betweenness = b.score[u];
        candidates.push_back(s);
    }
    std::sort(candidates.begin(), candidates.end(), [](const Spanner& x, const Spanner& y) {
        if (x.betweenness != y.betweenness) return x.betweenness > y.betweenness;
        if (x.ties_out != y.ties_out) return x.ties_out > y.ties_out;
        return x.node < y.node;
    });
    if (candidates.size() > m.p.spanners) candidates.resize(m.p.spanners);
    // p_ij = mutual(i, j) / sum of i's mutual ties; constraint(u) = sum over j of (p_uj + sum over q of
    // p_uq p_qj)^2; effective size(u) = sum over j of (1 - sum over q of p_uq m_jq), m_jq = mutual(j, q)
    // / j's strongest mutual tie (q ranging over u's other neighbours).
    std::vector<double> p_u(n, 0.0);
    std::vector<double> strength_of(n, -1.0);  // sum of a node's mutual ties, found when first needed
    auto strength = [&](NodeIndex v) {
        if (strength_of[v] < 0) {
            double total = 0;
            for (const auto& [q, w] : mutual_ties(m, v)) total += w;
            strength_of[v] = total;
        }
        return strength_of[v];
    };
    std::vector<std::uint32_t> mark(n, 0);
    std::uint32_t stamp = 0;
    for (auto& s : candidates) {
        const auto u = s.node;
        const auto around = mutual_ties(m, u);
        ++stamp;
        for (const auto& [v, w] : around) {
            mark[v] = stamp;
            p_u[v] = w / strength(u);
        }
        double constraint = 0, effective = 0;
        for (const auto& [j, w_uj] : around) {
            double j_max = 0;
            const auto of_j = mutual_ties(m, j);
            for (const auto& [q, w] : of_j) j_max = std::max(j_max, w);
            double indirect = 0, redundancy = 0;
            for (const auto& [q, w_jq] : of_j) {
                if (q == u || mark[q] != stamp) continue;
                indirect += p_u[q] * (w_jq / strength(q));  // p_uq p_qj: mutual weights are symmetric
                redundancy += p_u[q] * (w_jq / j_max);
            }
            constraint += (p_u[j] + indirect) * (p_u[j] + indirect);
            effective += 1 - redundancy;
        }
        s.constraint = constraint;
        s.effective_size = effective;
    }
    r.spanners = std::move(candidates);
}

// Introductions for the five most cut-off pairs: people whose new tie would most raise the mean
// 1 / distance between the two groups' members (harmonic, so unreachable pairs count as 0).
void introductions(Map& m, SilosResult& r) {
    const auto& group = m.group;
    const auto& params = m.p;
    auto& run = m.run;
    const auto& undirected = m.ties_view;
    const NodeIndex n = undirected.node_count();
    // Introductions for the five most cut-off pairs: people whose new tie would most raise the mean
    // 1 / distance between the two groups (harmonic, so unreachable pairs count as 0).
    if (params.introductions > 0 && !r.cut_off.empty()) {
        constexpr std::size_t kSample = 100;  // members per group whose distances are measured
        // Their random streams: one per pair, numbered from here (the permutation test's streams are
        // numbered from 0, one per permutation).
        constexpr std::uint64_t kIntroductionStreams = 0x5115;
        auto bfs = [&](NodeIndex s) {
            std::vector<std::uint32_t> d(n, std::numeric_limits<std::uint32_t>::max());
            std::vector<NodeIndex> queue{s};
            d[s] = 0;
            for (std::size_t h = 0; h < queue.size(); ++h) {
                for (auto v : undirected.out_neighbors(queue[h])) {
                    if (d[v] == std::numeric_limits<std::uint32_t>::max()) {
                        d[v] = d[queue[h]] + 1;
                        queue.push_back(v);
                    }
                }
            }
            return d;
        };
        for (std::size_t pair = 0; pair < r.cut_off.size() && pair < 5; ++pair) {
            run.throw_if_cancelled();
            const auto& cell = r.cut_off[pair];
            std::vector<NodeIndex> A, B;
            for (auto u : undirected.nodes()) {
                if (group[u] == cell.a) A.push_back(u);
                if (group[u] == cell.b) B.push_back(u);
            }
            graph::Rng rng = graph::Rng::stream(params.seed, kIntroductionStreams + pair);
            auto sample = [&](std::vector<NodeIndex>& v) {
                graph::shuffle_prefix(v, kSample, rng);
                if (v.size() > kSample) v.resize(kSample);
            };
            sample(A);
            sample(B);
            std::vector<std::vector<std::uint32_t>> dA(A.size()), dB(B.size());
            tbb::parallel_for(tbb::blocked_range<std::size_t>(0, A.size() + B.size(), 1), [&](const auto& range) {
                for (auto i = range.begin(); i != range.end(); ++i) {
                    if (i < A.size()) {
                        dA[i] = bfs(A[i]);
                    } else {
                        dB[i - A.size()] = bfs(B[i - A.size()]);
                    }
                }
            });
            auto inverse = [](std::uint32_t d) { return d == std::numeric_limits<std::uint32_t>::max() ? 0.0 : 1.0 / d; };
            // Candidates: the ten members of each side closest (harmonically) to their own side.
            auto central = [&](const std::vector<NodeIndex>& side, const std::vector<std::vector<std::uint32_t>>& dist) {
                std::vector<std::pair<double, NodeIndex>> score;
                for (auto a : side) {
                    double h = 0;
                    for (const auto& d : dist) h += d[a] == 0 ? 0.0 : inverse(d[a]);
                    score.emplace_back(-h, a);
                }
                std::sort(score.begin(), score.end());
                std::vector<NodeIndex> out;
                for (std::size_t i = 0; i < score.size() && i < 10; ++i) out.push_back(score[i].second);
                return out;
            };
            const auto ca = central(A, dA), cb = central(B, dB);
            std::vector<std::tuple<double, NodeIndex, NodeIndex>> options;
            for (auto a : ca) {
                for (auto b : cb) {
                    double gain = 0;
                    for (std::size_t x = 0; x < A.size(); ++x) {
                        const auto xa = dA[x][a];
                        if (xa == std::numeric_limits<std::uint32_t>::max()) continue;
                        for (std::size_t y = 0; y < B.size(); ++y) {
                            const auto by = dB[y][b];
                            if (by == std::numeric_limits<std::uint32_t>::max()) continue;
                            const auto now = dA[x][B[y]];
                            const auto via = xa + 1 + by;
                            if (via < now) gain += 1.0 / via - inverse(now);
                        }
                    }
                    options.emplace_back(-gain, a, b);
                }
            }
            std::sort(options.begin(), options.end());
            const double pairs = static_cast<double>(A.size() * B.size());
            // The best options that do not lean on someone already suggested for this pair.
            std::vector<NodeIndex> used;
            std::size_t taken = 0;
            for (const auto& [gain, a, b] : options) {
                if (taken == params.introductions || -gain <= 0) break;
                if (std::find(used.begin(), used.end(), a) != used.end() ||
                    std::find(used.begin(), used.end(), b) != used.end()) {
                    continue;
                }
                used.push_back(a);
                used.push_back(b);
                r.introductions.push_back({cell.a, cell.b, a, b, -gain / pairs});
                ++taken;
            }
        }
    }
}

// The wall between the inside (employees) and the customers: who has any employee contact, who has
// exactly one, and per group the distinct outside people its members are in contact with.
void wall(const Map& m, SilosResult& r) {
    const auto& g = m.g;
    const auto& group = m.group;
    const auto& params = m.p;
    const auto G = m.G;
    // The wall between the inside (employees) and the customers.
    {
        r.wall.groups.resize(G);
        const auto employee = g.node_kinds().find(params.employee_kind);
        const auto customer = g.node_kinds().find(params.customer_kind);
        // The wall's edges: its kinds, in the map's time window (across every node kind: the wall
        // is between employees and everyone else, whatever the groups' view holds).
        graph::SubgraphSpec across;
        constexpr std::array<std::string_view, 1> kWallKinds{graph::kinds::interaction};
        across.edge_kinds = params.wall_kinds.empty() ? graph::present_kinds(g.edge_kinds(), kWallKinds) : params.wall_kinds;
        across.since = params.subgraph.since;
        across.until = params.subgraph.until;
        const graph::EdgeFilter filter(g, across);
        const bool any = !across.edge_kinds.empty();  // no wall kind in the database: no contact
        auto wall_edge = [&](graph::EdgeIndex x) { return any && filter.edge(x); };
        if (employee) {
            // Per outside person: the distinct employees in contact, and one of them. Employees are
            // visited group by group, so that each group counts an outside person once.
            std::vector<std::uint32_t> contacts(g.node_count(), 0);
            std::vector<NodeIndex> only(g.node_count(), graph::kNoNode);
            std::vector<std::uint32_t> last_seen(g.node_count(), kNoGroup);
            std::vector<std::uint32_t> group_seen(g.node_count(), kNoGroup);
            std::vector<NodeIndex> employees;
            for (NodeIndex e = 0; e < g.node_count(); ++e) {
                if (g.node_kind(e) == *employee) employees.push_back(e);
            }
            std::stable_sort(employees.begin(), employees.end(), [&](NodeIndex a, NodeIndex b) { return group[a] < group[b]; });
            for (const NodeIndex e : employees) {
                auto touch = [&](NodeIndex other, double w) {
                    if (g.node_kind(other) == *employee) return;
                    if (group[e] != kNoGroup) {
                        r.wall.groups[group[e]].weight += w;
                        if (group_seen[other] != group[e]) {
                            group_seen[other] = group[e];
                            ++r.wall.groups[group[e]].outside_contacts;
                        }
                    }
                    if (last_seen[other] == e) return;  // several edges with the same person
                    last_seen[other] = e;
                    ++contacts[other];
                    only[other] = e;
                };
                for (auto x = g.out_begin(e); x < g.out_end(e); ++x) {
                    if (wall_edge(x)) touch(g.target(x), g.weight(x));
                }
                g.for_each_in_edge(e, [&](NodeIndex source, graph::EdgeIndex x) {
                    if (wall_edge(x)) touch(source, g.weight(x));
                });
            }
            const auto* clv = g.attributes().find("clv");
            std::vector<std::pair<double, NodeIndex>> single;
            for (NodeIndex c = 0; c < g.node_count(); ++c) {
                if (!customer || g.node_kind(c) != *customer) continue;
                ++r.wall.customers;
                if (contacts[c] > 0) ++r.wall.customers_with_contact;
                if (contacts[c] == 1) {
                    ++r.wall.single_contact_customers;
                    const double value = clv && clv->type() == graph::AttributeType::number ? clv->number(c).value_or(0.0) : 0.0;
                    single.emplace_back(-value, c);
                }
            }
            std::sort(single.begin(), single.end());
            for (std::size_t i = 0; i < single.size() && i < 20; ++i) {
                r.wall.single_contact.emplace_back(single[i].second, only[single[i].second]);
            }
        }
    }
}

}  // namespace

SilosResult silos(const graph::Snapshot& g, const SilosParams& given, RunContext& run) {
    const auto params = resolved(g, given);
    detail::enter(run, estimate(g, params));
    SilosResult r;
    std::vector<std::string> names;
    auto group = group_of(g, *g.attributes().find(params.group_by), names);
    const auto spec = map_spec(g, params, group);
    Map m{g,
          params,
          run,
          std::move(group),
          static_cast<std::uint32_t>(names.size()),
          spec,
          graph::Subgraph::of(g, spec),
          graph::Subgraph::of(g, undirected_of(spec)),
          {},
          {}};
    r.edge_kinds = params.subgraph.edge_kinds;
    r.isolated = m.view.isolated();
    r.groups.resize(m.G);
    for (std::uint32_t i = 0; i < m.G; ++i) r.groups[i].name = names[i];

    count_ties(m, r);
    ei_test(m, r);
    run.report("silos", 0.3);
    mixing_and_modularity(m, r);
    detected_communities(m, r);
    run.report("silos", 0.5);
    boundary_spanners(m, r);
    run.report("silos", 0.7);
    introductions(m, r);
    run.report("silos", 0.85);
    wall(m, r);
    run.report("silos", 1.0);
    return r;
}

}  // namespace smorg::engine
