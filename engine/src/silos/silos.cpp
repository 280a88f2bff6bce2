#include "smorg/engine/silos/silos.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "budget.h"
#include "rng.h"
#include "views.h"
#include "smorg/engine/centrality/betweenness.h"
#include "smorg/graph/errors.h"

namespace smorg::engine {

using graph::NodeIndex;

namespace {

constexpr std::uint32_t kNoGroup = std::numeric_limits<std::uint32_t>::max();

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

double ei(double external, double internal) { return external + internal > 0 ? (external - internal) / (external + internal) : 0.0; }

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
    auto spec = params.subgraph;
    spec.weighted = false;
    auto undirected = spec;
    undirected.directed = false;
    const auto size = graph::view_size(g, undirected);
    const double n = static_cast<double>(size.nodes), arcs = static_cast<double>(size.arcs), all = static_cast<double>(g.node_count());
    const double sweep = n + arcs;
    const double permutations = static_cast<double>(params.permutations) * (arcs + n);
    const double communities = 2 * 30 * sweep;
    const double sources = n > 5000 ? 2000 : n;
    const double betweenness = sources * 2 * sweep;
    const double introductions = 5.0 * 200 * sweep + 5.0 * 100 * static_cast<double>(params.introductions) * 100 * 100;
    const double memory = 3 * size.cost.memory_bytes + detail::workers() * (56 * all + 4 * arcs) + 4 * static_cast<double>(params.permutations) * 64 +
                          1000 * 4 * all;
    auto e = detail::cost(static_cast<double>(g.edge_count()) + permutations + communities + betweenness + introductions, memory,
                          permutations > betweenness ? "permutations" : "edge_kinds");
    return detail::on_view(size, e);
}
}  // namespace

Estimate estimate(const graph::Snapshot& g, const SilosParams& params) {
    validate(params, g);
    return cost_of(g, params);
}

SilosResult silos(const graph::Snapshot& g, const SilosParams& params, RunContext& run) {
    validate(params, g);
    run.admit(cost_of(g, params));
    run.throw_if_cancelled();
    SilosResult r;
    std::vector<std::string> names;
    const auto group = group_of(g, *g.attributes().find(params.group_by), names);
    const auto G = static_cast<std::uint32_t>(names.size());
    auto spec = params.subgraph;
    spec.weighted = false;  // a tie is there or not
    if (spec.node_kinds.empty()) {
        // By default the map covers the kinds of people who have a group (employees for departments),
        // so that betweenness and communities are not diluted by everyone else.
        std::vector<std::uint8_t> kind_has_group(g.node_kinds().size(), 0);
        for (NodeIndex u = 0; u < g.node_count(); ++u) {
            if (group[u] != kNoGroup) kind_has_group[g.node_kind(u)] = 1;
        }
        for (std::size_t k = 0; k < kind_has_group.size(); ++k) {
            if (kind_has_group[k]) spec.node_kinds.push_back(g.node_kinds().names()[k]);
        }
    }
    const auto view = graph::Subgraph::of(g, spec);
    r.isolated = view.isolated();
    const NodeIndex n = view.node_count();
    const bool directed = spec.directed;

    // People and ties among the grouped.
    r.groups.resize(G);
    for (std::uint32_t i = 0; i < G; ++i) r.groups[i].name = names[i];
    for (auto u : view.nodes()) {
        if (group[u] == kNoGroup) {
            ++r.ungrouped;
            continue;
        }
        ++r.people;
        ++r.groups[group[u]].size;
    }
    std::vector<Tie> ties;
    for (auto u : view.nodes()) {
        if (group[u] == kNoGroup) continue;
        for (auto v : view.out_neighbors(u)) {
            if (v == u || group[v] == kNoGroup || (!directed && v < u)) continue;
            ties.push_back({u, v});
        }
    }
    r.ties = ties.size();
    std::vector<double> degree(G, 0.0);  // tie ends per group
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint64_t> mixing;
    for (const auto& t : ties) {
        const auto a = group[t.u], b = group[t.v];
        degree[a] += 1;
        degree[b] += 1;
        ++mixing[{std::min(a, b), std::max(a, b)}];
        if (a == b) {
            ++r.groups[a].internal;
            ++r.internal;
        } else {
            ++r.groups[a].external;
            ++r.groups[b].external;
            ++r.external;
        }
    }
    // E-I and its value under random mixing of groups of these sizes.
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
        for (auto u : view.nodes()) {
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
                auto rng = Rng::stream(params.seed, i);
                for (std::size_t k = pool.size(); k > 1; --k) std::swap(pool[k - 1], pool[rng.below(k)]);
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
    run.report("silos", 0.3);

    // Mixing against the configuration model, and modularity of the formal groups.
    const double T = static_cast<double>(ties.size());
    for (std::uint32_t a = 0; a < G; ++a) {
        for (std::uint32_t b = a; b < G; ++b) {
            MixingCell cell{a, b, 0, 0, 0};
            const auto it = mixing.find({a, b});
            cell.observed = it == mixing.end() ? 0 : it->second;
            if (T > 0) cell.expected = a == b ? degree[a] * degree[a] / (4 * T) : degree[a] * degree[b] / (2 * T);
            cell.ratio = cell.expected > 0 ? static_cast<double>(cell.observed) / cell.expected : 0.0;
            if (cell.observed > 0 || cell.expected > 0) r.mixing.push_back(cell);
        }
    }
    if (T > 0) {
        for (std::uint32_t c = 0; c < G; ++c) {
            r.modularity += static_cast<double>(r.groups[c].internal) / T - (degree[c] / (2 * T)) * (degree[c] / (2 * T));
        }
    }
    for (const auto& cell : r.mixing) {
        if (cell.a != cell.b && cell.expected >= params.min_expected && cell.ratio < params.cut_off_ratio) {
            r.cut_off.push_back(cell);
        }
    }
    std::sort(r.cut_off.begin(), r.cut_off.end(), [](const auto& x, const auto& y) {
        return x.ratio != y.ratio ? x.ratio < y.ratio : x.expected > y.expected;
    });

    // Detected communities against the formal groups.
    {
        auto community_spec = spec;
        community_spec.directed = false;
        const auto undirected = graph::Subgraph::of(g, community_spec);
        CommunityParams cp;
        cp.subgraph = community_spec;
        cp.algorithm = params.community_algorithm;
        cp.seed = params.seed;
        const auto c = detail::communities(undirected, cp, run);
        r.community_modularity = c.modularity;
        std::vector<std::uint32_t> formal, detected;
        std::vector<std::uint8_t> used(c.sizes.size(), 0);
        for (auto u : c.nodes) {
            if (group[u] == kNoGroup) continue;
            formal.push_back(group[u]);
            detected.push_back(c.membership[u]);
            if (!used[c.membership[u]]) {
                used[c.membership[u]] = 1;
                ++r.communities;  // communities among the grouped people
            }
        }
        r.nmi = normalized_mutual_information(formal, detected);
        r.ari = adjusted_rand_index(formal, detected);
    }
    run.report("silos", 0.5);

    // Boundary spanners: ties into other groups, cross-group betweenness, Burt's measures.
    {
        auto undirected_spec = spec;
        undirected_spec.directed = false;
        const auto undirected = graph::Subgraph::of(g, undirected_spec);
        BetweennessParams bp;
        bp.subgraph = undirected_spec;
        bp.groups.assign(n, 0);
        for (NodeIndex u = 0; u < n; ++u) bp.groups[u] = group[u] == kNoGroup ? G + u : group[u];
        bp.normalized = true;
        if (undirected.nodes().size() > 5000) {
            bp.pivots = 2000;  // cross-group betweenness from 2000 random sources on big graphs
            bp.seed = params.seed;
        }
        const auto b = detail::betweenness(undirected, bp, run);
        std::vector<Spanner> candidates;
        std::vector<std::uint8_t> seen_group(G, 0);
        for (auto u : undirected.nodes()) {
            if (group[u] == kNoGroup) continue;
            Spanner s;
            s.node = u;
            s.group = group[u];
            std::vector<std::uint32_t> reached;
            for (auto v : undirected.out_neighbors(u)) {
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
        if (candidates.size() > params.spanners) candidates.resize(params.spanners);
        // Burt's constraint and effective size on the unweighted ties (networkx's definitions): with
        // n_i neighbours, p_ij = 1 / n_i.
        std::vector<std::uint32_t> mark(n, 0);
        std::uint32_t stamp = 0;
        for (auto& s : candidates) {
            const auto u = s.node;
            std::vector<NodeIndex> around;
            for (auto v : undirected.out_neighbors(u)) {
                if (v != u) around.push_back(v);
            }
            const double ni = static_cast<double>(around.size());
            ++stamp;
            for (auto v : around) mark[v] = stamp;
            double constraint = 0;
            double redundancy = 0;
            for (auto j : around) {
                double indirect = 0;
                double shared = 0;
                double nj = 0;
                for (auto q : undirected.out_neighbors(j)) nj += q != j ? 1 : 0;
                for (auto q : undirected.out_neighbors(j)) {
                    if (q == j || q == u || mark[q] != stamp) continue;
                    double nq = 0;
                    for (auto x : undirected.out_neighbors(q)) nq += x != q ? 1 : 0;
                    indirect += (1 / ni) * (1 / nq);
                    shared += 1;
                }
                constraint += (1 / ni + indirect) * (1 / ni + indirect);
                redundancy += shared;
                (void)nj;
            }
            s.constraint = constraint;
            s.effective_size = ni - redundancy / ni;  // n - 2t / n, t ties among the neighbours
        }
        r.spanners = std::move(candidates);
    }
    run.report("silos", 0.7);

    // Introductions for the five most cut-off pairs: people whose new tie would most raise the mean
    // 1 / distance between the two groups (harmonic, so unreachable pairs count as 0).
    if (params.introductions > 0 && !r.cut_off.empty()) {
        auto undirected_spec = spec;
        undirected_spec.directed = false;
        const auto undirected = graph::Subgraph::of(g, undirected_spec);
        constexpr std::size_t kSample = 100;  // members per group whose distances are measured
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
            Rng rng = Rng::stream(params.seed, 0x5115 + pair);
            auto sample = [&](std::vector<NodeIndex>& v) {
                for (std::size_t i = 0; i < v.size() && i < kSample; ++i) std::swap(v[i], v[i + rng.below(v.size() - i)]);
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
                if (std::find(used.begin(), used.end(), a) != used.end() || std::find(used.begin(), used.end(), b) != used.end()) {
                    continue;
                }
                used.push_back(a);
                used.push_back(b);
                r.introductions.push_back({cell.a, cell.b, a, b, -gain / pairs});
                ++taken;
            }
        }
    }
    run.report("silos", 0.85);

    // The wall between the inside (employees) and the customers.
    {
        r.wall.groups.resize(G);
        const auto employee = g.node_kinds().find(params.employee_kind);
        const auto customer = g.node_kinds().find(params.customer_kind);
        std::vector<std::string> kinds = params.wall_kinds;
        if (kinds.empty() && g.edge_kinds().find("interaction")) kinds = {"interaction"};
        std::vector<std::uint8_t> wall_kind(g.edge_kinds().size(), 0);
        for (const auto& k : kinds) wall_kind[*g.edge_kinds().find(k)] = 1;
        if (employee) {
            // Per outside person: the distinct employees in contact, and one of them.
            std::vector<std::uint32_t> contacts(g.node_count(), 0);
            std::vector<NodeIndex> only(g.node_count(), graph::kNoNode);
            std::vector<std::uint32_t> last_seen(g.node_count(), kNoGroup);
            for (NodeIndex e = 0; e < g.node_count(); ++e) {
                if (g.node_kind(e) != *employee) continue;
                auto touch = [&](NodeIndex other, double w) {
                    if (g.node_kind(other) == *employee) return;
                    if (group[e] != kNoGroup) r.wall.groups[group[e]].weight += w;
                    if (last_seen[other] == e) return;  // several edges with the same person
                    last_seen[other] = e;
                    ++contacts[other];
                    only[other] = e;
                    if (group[e] != kNoGroup) ++r.wall.groups[group[e]].outside_contacts;
                };
                for (auto x = g.out_begin(e); x < g.out_end(e); ++x) {
                    if (wall_kind[g.edge_kind(x)]) touch(g.target(x), g.weight(x));
                }
                g.for_each_in_edge(e, [&](NodeIndex source, graph::EdgeIndex x) {
                    if (wall_kind[g.edge_kind(x)]) touch(source, g.weight(x));
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
    run.report("silos", 1.0);
    return r;
}

}  // namespace smorg::engine
