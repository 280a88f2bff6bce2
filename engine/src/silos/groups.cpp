#include <algorithm>
#include <map>
#include <numeric>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "smorg/graph/random.h"

#include "map.h"
#include "views.h"

namespace smorg::engine::silo {

namespace {

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

}  // namespace

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

}  // namespace smorg::engine::silo
