#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>
#include <utility>

#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include "smorg/engine/referral/seeds.h"
#include "smorg/engine/referral/spread.h"

#include "support/fixtures.h"

using namespace smorg;
using engine::CascadeModel;
using engine::RunContext;
using graph::NodeIndex;

namespace {

// Exact expected spread by enumerating live-edge worlds (Kempe et al.: both models are equivalent to
// reachability in a random live-edge graph). IC: every arc is live independently with its
// probability. LT: every node keeps at most one in-arc, arc u->v with probability b(u, v).
// Returns the expected reach of every seed set given as bitmasks.
std::vector<double> exact_spread(const graph::Subgraph& view, const engine::ArcProbabilities& p, CascadeModel model,
                                 const std::vector<std::uint32_t>& seed_sets) {
    const NodeIndex n = view.node_count();
    struct Arc {
        NodeIndex from, to;
        double q;
    };
    std::vector<Arc> arcs;
    for (NodeIndex u = 0; u < n; ++u) {
        const auto targets = view.out_neighbors(u);
        for (std::size_t k = 0; k < targets.size(); ++k)
            arcs.push_back({u, targets[k], p.out_arc(view.out_offset(u) + k, targets[k])});
    }
    std::vector<double> expected(seed_sets.size(), 0.0);
    auto accumulate = [&](const std::vector<std::uint8_t>& live, double probability) {
        for (std::size_t s = 0; s < seed_sets.size(); ++s) {
            std::vector<std::uint8_t> reached(n, 0);
            std::vector<NodeIndex> stack;
            for (NodeIndex u = 0; u < n; ++u) {
                if (seed_sets[s] >> u & 1u) {
                    reached[u] = 1;
                    stack.push_back(u);
                }
            }
            while (!stack.empty()) {
                const auto u = stack.back();
                stack.pop_back();
                for (std::size_t a = 0; a < arcs.size(); ++a) {
                    if (live[a] && arcs[a].from == u && !reached[arcs[a].to]) {
                        reached[arcs[a].to] = 1;
                        stack.push_back(arcs[a].to);
                    }
                }
            }
            expected[s] += probability * std::accumulate(reached.begin(), reached.end(), 0.0);
        }
    };
    if (model == CascadeModel::independent_cascade) {
        REQUIRE(arcs.size() <= 16);
        for (std::uint32_t world = 0; world < (1u << arcs.size()); ++world) {
            std::vector<std::uint8_t> live(arcs.size());
            double probability = 1;
            for (std::size_t a = 0; a < arcs.size(); ++a) {
                live[a] = world >> a & 1u;
                probability *= live[a] ? arcs[a].q : 1 - arcs[a].q;
            }
            if (probability > 0) accumulate(live, probability);
        }
        return expected;
    }
    // LT: each node picks one of its in-arcs or none.
    std::vector<std::vector<std::size_t>> in(n);
    for (std::size_t a = 0; a < arcs.size(); ++a) in[arcs[a].to].push_back(a);
    std::vector<std::size_t> choice(n, 0);  // 0 = none, i = in[v][i - 1]
    while (true) {
        std::vector<std::uint8_t> live(arcs.size(), 0);
        double probability = 1;
        for (NodeIndex v = 0; v < n; ++v) {
            double total = 0;
            for (auto a : in[v]) total += arcs[a].q;
            if (choice[v] == 0) {
                probability *= 1 - total;
            } else {
                live[in[v][choice[v] - 1]] = 1;
                probability *= arcs[in[v][choice[v] - 1]].q;
            }
        }
        if (probability > 1e-15) accumulate(live, probability);
        NodeIndex v = 0;
        while (v < n && ++choice[v] > in[v].size()) choice[v++] = 0;
        if (v == n) break;
    }
    return expected;
}

//  0 -> 1 -> 3      a small DAG with a diamond
//  0 -> 2 -> 3 -> 4
graph::Snapshot diamond() { return testing::graph_from_edges(5, {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {3, 4}}); }

}  // namespace

TEST_CASE("Monte Carlo spread agrees with the exact expectation on small DAGs", "[engine][spread]") {
    const auto model = GENERATE(CascadeModel::independent_cascade, CascadeModel::linear_threshold);
    const auto g = diamond();
    engine::SpreadParams p;
    p.seeds = {0};
    p.model = model;
    p.probability.source = engine::ProbabilitySource::constant;
    p.probability.constant = 0.4;
    p.simulations = 200000;
    p.seed = 5;
    RunContext run;
    const auto r = engine::spread(g, p, run);
    const auto view = graph::Subgraph::of(g, p.subgraph);
    const auto exact = exact_spread(view, engine::arc_probabilities(view, p.probability, model), model, {1u})[0];
    INFO("exact " << exact << ", estimate " << r.mean << " [" << r.ci_low << ", " << r.ci_high << "]");
    CHECK(r.ci_low <= exact);
    CHECK(exact <= r.ci_high);
    CHECK(r.simulations == 200000);
    // By hand for IC: 1 + P(1) + P(2) + P(3) + P(4) with p = 0.4: P(3) = 1 - (1 - 0.16)^2.
    if (model == CascadeModel::independent_cascade) {
        const double p3 = 1 - (1 - 0.16) * (1 - 0.16);
        CHECK(exact == Approx(1 + 0.4 + 0.4 + p3 + p3 * 0.4));
    }
}

TEST_CASE("spread stops early once the interval is narrow enough", "[engine][spread]") {
    const auto g = diamond();
    engine::SpreadParams p;
    p.seeds = {0};
    p.probability.source = engine::ProbabilitySource::constant;
    p.probability.constant = 0.5;
    p.simulations = 1000000;
    p.ci_width = 0.05;
    RunContext run;
    const auto r = engine::spread(g, p, run);
    CHECK(r.stopped_early);
    CHECK(r.simulations < 1000000);
    CHECK(r.ci_high - r.ci_low <= 0.05);
}

TEST_CASE("spread is the same at 1 and 2 threads, including where it stops", "[engine][spread][determinism]") {
    const auto g = testing::random_graph(500, 0.01, 3, true);
    auto run_with = [&](int threads) {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
        engine::SpreadParams p;
        p.seeds = {0, 1, 2};
        p.ci_width = 0.5;
        p.simulations = 50000;
        RunContext run;
        const auto r = engine::spread(g, p, run);
        return std::tuple{r.mean, r.ci_low, r.simulations};
    };
    CHECK(run_with(1) == run_with(2));
}

TEST_CASE("history probabilities learn from referrals with a prior", "[engine][spread]") {
    //  a made 1 referral out of 3 interactions: (1 + 1) / (1 + 3 + 1 + 9)
    graph::SnapshotBuilder b;
    const auto customer = b.node_kinds().intern("customer");
    for (const char* id : {"a", "b", "c", "d"}) b.add_node(id, customer, 1);
    const auto referral = b.edge_kinds().intern("referral");
    const auto interaction = b.edge_kinds().intern("interaction");
    b.add_edge({0, 1, referral, 1, graph::kNoTimestamp, std::nullopt});
    for (NodeIndex t : {1u, 2u, 3u}) b.add_edge({0, t, interaction, 1, graph::kNoTimestamp, std::nullopt});
    const auto g = std::move(b).build();
    engine::ProbabilityParams p;
    p.source = engine::ProbabilitySource::history;
    graph::SubgraphSpec spec;
    spec.edge_kinds = {"interaction"};
    const auto view = graph::Subgraph::of(g, spec);
    const auto q = engine::arc_probabilities(view, p, CascadeModel::independent_cascade);
    REQUIRE(q.out.size() == 3);
    for (double x : q.out) CHECK(x == Approx(2.0 / 14));
}

TEST_CASE("probabilities held as one number or per target equal their per-arc definition", "[engine][spread]") {
    // A random graph with hubs (so LT scales some targets down), uniform or mixed weights.
    const bool uniform = GENERATE(true, false);
    std::mt19937_64 rng(uniform ? 3 : 4);
    const NodeIndex n = 300;
    std::vector<testing::TestEdge> edges;
    std::set<std::pair<NodeIndex, NodeIndex>> seen;
    for (int i = 0; i < 3000; ++i) {
        const auto u = static_cast<NodeIndex>(rng() % n);
        const auto v = static_cast<NodeIndex>(rng() % (u % 5 == 0 ? 20 : n));
        if (u != v && seen.insert({u, v}).second) edges.push_back({u, v, uniform ? 2.0 : static_cast<double>(1 + rng() % 4)});
    }
    const auto g = testing::graph_from_edges(n, edges);
    const auto view = graph::Subgraph::of(g, {});
    for (const auto source : {engine::ProbabilitySource::constant, engine::ProbabilitySource::weight}) {
        for (const auto model : {CascadeModel::independent_cascade, CascadeModel::linear_threshold}) {
            engine::ProbabilityParams params;
            params.source = source;
            params.constant = 0.3;
            const auto p = engine::arc_probabilities(view, params, model);
            INFO("source " << static_cast<int>(source) << ", model " << static_cast<int>(model) << ", uniform " << uniform);
            CHECK(static_cast<double>(p.memory_bytes()) == engine::probability_bytes(view, params, model));
            const bool per_arc = source == engine::ProbabilitySource::weight && !uniform;
            CHECK(p.out.empty() == !per_arc);
            const bool by_target =
                source == engine::ProbabilitySource::constant ? model == CascadeModel::linear_threshold : uniform;
            CHECK(p.to.empty() == !by_target);
            auto expected = [&](NodeIndex v, double w) {
                if (source == engine::ProbabilitySource::weight) return w / view.in_strength(v);
                const double total = 0.3 * static_cast<double>(view.in_degree(v));
                return model == CascadeModel::linear_threshold && total > 1 ? 0.3 / total : 0.3;
            };
            double worst = 0;
            for (NodeIndex u = 0; u < n; ++u) {
                for (std::size_t k = 0; k < view.out_neighbors(u).size(); ++k) {
                    const auto v = view.out_neighbors(u)[k];
                    worst = std::max(worst, std::abs(p.out_arc(view.out_offset(u) + k, v) - expected(v, view.out_weights(u)[k])));
                }
                for (std::size_t k = 0; k < view.in_neighbors(u).size(); ++k)
                    worst = std::max(worst, std::abs(p.in_arc(view.in_offset(u) + k, u) - expected(u, view.in_weights(u)[k])));
            }
            CHECK(worst < 1e-15);
        }
    }
}

TEST_CASE("IMM reaches at least (1 - 1/e - epsilon) of the best seed set, and in practice 95 %", "[engine][seeds]") {
    const auto model = GENERATE(CascadeModel::independent_cascade, CascadeModel::linear_threshold);
    const auto seed = GENERATE(1u, 2u, 3u);
    // 10 nodes, 15 arcs: small enough to enumerate every live-edge world for every pair of seeds.
    std::vector<testing::TestEdge> edges;
    std::uint32_t x = seed * 2654435761u;
    while (edges.size() < 15) {
        x = x * 1103515245u + 12345u;
        const NodeIndex u = (x >> 16) % 10, v = (x >> 8) % 10;
        if (u == v) continue;
        bool dup = false;
        for (const auto& e : edges) dup = dup || (e.source == u && e.target == v);
        if (!dup) edges.push_back({u, v, 1.0 + (x >> 24) % 3});
    }
    const auto g = testing::graph_from_edges(10, edges);
    engine::SeedsParams p;
    p.k = 2;
    p.model = model;
    p.epsilon = 0.1;
    p.seed = seed;
    p.simulations = 1000;
    RunContext run;
    const auto r = engine::seeds(g, p, run);
    REQUIRE(r.seeds.size() == 2);
    const auto view = graph::Subgraph::of(g, p.subgraph);
    const auto q = engine::arc_probabilities(view, p.probability, model);
    std::vector<std::uint32_t> sets;
    for (NodeIndex a = 0; a < 10; ++a) {
        for (NodeIndex b = a + 1; b < 10; ++b) sets.push_back(1u << a | 1u << b);
    }
    const auto chosen_mask = (1u << r.seeds[0]) | (1u << r.seeds[1]);
    sets.push_back(chosen_mask);
    const auto spreads = exact_spread(view, q, model, sets);
    const double best = *std::max_element(spreads.begin(), spreads.end() - 1);
    const double ours = spreads.back();
    INFO("best " << best << ", IMM's " << ours);
    CHECK(ours >= (1 - 1 / std::exp(1.0) - p.epsilon) * best);
    CHECK(ours >= 0.95 * best);
    CHECK(r.rr_sets > 0);
    CHECK(r.marginal_gain[0] >= r.marginal_gain[1]);
}

TEST_CASE("seeds are restricted to candidate kinds and the same at 1 and 2 threads", "[engine][seeds][determinism]") {
    graph::SnapshotBuilder b;
    const auto customer = b.node_kinds().intern("customer");
    const auto influencer = b.node_kinds().intern("influencer");
    const auto interaction = b.edge_kinds().intern("interaction");
    for (int i = 0; i < 300; ++i) b.add_node("n" + std::to_string(i), i % 10 == 0 ? influencer : customer, 1);
    for (NodeIndex u = 0; u < 300; ++u) {
        for (NodeIndex k = 1; k <= (u % 10 == 0 ? 25u : 3u); ++k) {
            b.add_edge({u, (u * 37 + k * 11) % 300, interaction, 1, graph::kNoTimestamp, std::nullopt});
        }
    }
    const auto g = std::move(b).build();
    auto run_with = [&](int threads) {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
        engine::SeedsParams p;
        p.k = 5;
        p.candidate_kinds = {"influencer"};
        p.simulations = 2000;
        RunContext run;
        return engine::seeds(g, p, run);
    };
    const auto one = run_with(1), two = run_with(2);
    CHECK(one.seeds == two.seeds);
    CHECK(one.spread.mean == two.spread.mean);
    for (auto s : one.seeds) CHECK(g.node_kind_name(s) == "influencer");
}

TEST_CASE("seeds refuses bad parameters with the field", "[engine][seeds]") {
    const auto g = diamond();
    RunContext run;
    auto field_of = [&](const engine::SeedsParams& p) {
        try {
            (void)engine::seeds(g, p, run);
        } catch (const engine::ParamError& e) {
            return e.field();
        } catch (const graph::NotFound& e) {  // a kind the graph does not have
            return e.field();
        }
        return std::string("none");
    };
    engine::SeedsParams p;
    p.k = 0;
    CHECK(field_of(p) == "k");
    p = {};
    p.k = 9;
    CHECK(field_of(p) == "k");
    p = {};
    p.epsilon = 1;
    CHECK(field_of(p) == "epsilon");
    p = {};
    p.candidate_kinds = {"robot"};
    CHECK(field_of(p) == "candidate_kinds/0");
}
