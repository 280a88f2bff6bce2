#include "smorg/engine/referral/crv.h"

#include <algorithm>
#include <bitset>
#include <cmath>
#include <string>
#include <unordered_map>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "smorg/graph/errors.h"

#include "budget.h"
#include "community/tarjan.h"

namespace smorg::engine {

using graph::NodeIndex;

namespace {

const graph::AttributeColumn* number_column(const graph::Snapshot& g, const std::string& name, const char* field) {
    const auto* column = g.attributes().find(name);
    if (column && column->type() != graph::AttributeType::number) {
        throw ParamError(
            field, "attribute '" + name + "' holds " + std::string(graph::to_string(column->type())) + " values, not numbers");
    }
    return column;
}

// The referral kinds: the spec's edge kinds, or "referral" when it names none.
graph::SubgraphSpec referral_spec(const graph::SubgraphSpec& spec) {
    graph::SubgraphSpec out = spec;
    if (out.edge_kinds.empty()) out.edge_kinds = {"referral"};
    return out;
}

struct Referral {
    NodeIndex source;
    NodeIndex target;
    graph::Timestamp timestamp;
    graph::EdgeIndex edge;
    double value;  // V for this referral
};

// Storage order breaks ties; referrals with a timestamp come before those without.
bool earlier(const Referral& a, const Referral& b) {
    const bool ta = a.timestamp != graph::kNoTimestamp, tb = b.timestamp != graph::kNoTimestamp;
    if (ta != tb) return ta;
    if (ta && a.timestamp != b.timestamp) return a.timestamp < b.timestamp;
    return a.edge < b.edge;
}

// An attributed referral: `target` counts for `source` with weight `share`.
struct Arc {
    NodeIndex target;
    double share;
    double value;
};

// Members of strongly connected components with more than one node.
std::uint64_t cycle_members(NodeIndex n, const std::vector<std::uint64_t>& offsets, const std::vector<Arc>& arcs,
                            const RunContext& run) {
    std::vector<NodeIndex> referrers;
    for (NodeIndex u = 0; u < n; ++u) {
        if (offsets[u] != offsets[u + 1]) referrers.push_back(u);
    }
    std::uint64_t members = 0;
    detail::strong_components(
        n, referrers, [&](NodeIndex u) { return offsets[u + 1] - offsets[u]; },
        [&](NodeIndex u, std::uint64_t i) { return arcs[offsets[u] + i].target; },
        [&](std::span<const NodeIndex> component) {
            if (component.size() > 1) members += component.size();
        },
        run);
    return members;
}

// Per-thread scratch for one referrer's walk; epochs avoid clearing n-sized arrays.
struct Walk {
    std::vector<std::uint32_t> seen;  // epoch at which a node was reached
    std::vector<int> depth;           // its hop count from the referrer (valid when seen)
    std::vector<double> share;
    std::vector<NodeIndex> parent;
    std::vector<NodeIndex> frontier, next;
    std::uint32_t epoch = 0;
    explicit Walk(NodeIndex n) : seen(n, 0), depth(n, 0), share(n, 0.0), parent(n, graph::kNoNode) {}
};

}  // namespace

void validate(const CrvParams& params, const graph::Snapshot& g) {
    auto spec = params.subgraph;
    // The default referral kind may simply not exist yet: that is no referrals, not an error.
    if (spec.edge_kinds.empty() && !g.edge_kinds().find("referral")) spec.edge_kinds = {};
    graph::validate(spec, g);
    // Referral chains run from referrer to referred as recorded, and count money, not tie strength.
    if (!spec.directed) throw ParamError("directed", "referrals run from referrer to referred: crv takes directed ties only");
    if (!spec.weighted)
        throw ParamError("weighted",
                         "referral value counts each referral's value, never its weight: weighted has no effect here");
    if (spec.keep_isolated) throw ParamError("keep_isolated", "crv ranks referrers only: keep_isolated has no effect here");
    auto in_unit = [](double x) { return x >= 0 && x <= 1; };
    if (!in_unit(params.organic_share)) {
        throw ParamError("organic_share", "organic_share must be in [0, 1], got " + graph::format_number(params.organic_share));
    }
    if (!(params.acquisition_cost >= 0) || !std::isfinite(params.acquisition_cost)) {
        throw ParamError("acquisition_cost",
                         "acquisition_cost must be a finite number >= 0, got " + graph::format_number(params.acquisition_cost));
    }
    if (!in_unit(params.decay)) throw ParamError("decay", "decay must be in [0, 1], got " + graph::format_number(params.decay));
    if (params.max_depth < 1 || params.max_depth > 64) {
        throw ParamError("max_depth", "max_depth must be in [1, 64], got " + std::to_string(params.max_depth));
    }
    number_column(g, params.joined_attribute, "joined_attribute");
    number_column(g, params.value_attribute, "value_attribute");
    for (const auto& [field, split] : {std::pair{"clv_split", params.clv_split}, std::pair{"crv_split", params.crv_split}}) {
        if (split && !std::isfinite(*split)) throw ParamError(field, std::string(field) + " must be a finite number");
    }
}

Estimate estimate(const graph::Snapshot& g, const CrvParams& params) {
    validate(params, g);
    const auto spec = referral_spec(params.subgraph);
    double referrals = 0;
    for (const auto& k : spec.edge_kinds) {
        if (auto id = g.edge_kinds().find(k)) referrals += static_cast<double>(g.edge_count_of(*id));
    }
    const double n = static_cast<double>(g.node_count());
    // Each attributed referral is walked from at most max_depth referrers (one per hop above it) with
    // first/last attribution; even attribution can share a customer among several.
    const double walks = params.attribution == Attribution::even ? 4.0 * params.max_depth : params.max_depth;
    return detail::cost(static_cast<double>(g.edge_count()) + referrals * (std::log2(referrals + 2) + walks),
                        80 * referrals + 8 * n + detail::workers() * 24 * n, "max_depth");
}

CrvResult crv(const graph::Snapshot& g, const CrvParams& params, RunContext& run) {
    detail::enter(run, estimate(g, params));
    const NodeIndex n = g.node_count();
    CrvResult result;
    result.crv.assign(n, 0.0);
    result.direct.assign(n, 0.0);
    result.indirect.assign(n, 0.0);
    const auto* joined = number_column(g, params.joined_attribute, "joined_attribute");
    const auto* clv = number_column(g, params.value_attribute, "value_attribute");
    const auto spec = referral_spec(params.subgraph);
    const bool any_kind = g.edge_kinds().find(spec.edge_kinds.front()).has_value() || spec.edge_kinds.size() > 1;

    // 1. The referral edges that pass the filters.
    std::vector<Referral> referrals;
    if (any_kind) {
        graph::validate(spec, g);
        const graph::EdgeFilter filter(g, spec);
        for (NodeIndex u = 0; u < n; ++u) {
            if (!filter.node(u)) continue;
            for (auto e = g.out_begin(u); e < g.out_end(u); ++e) {
                const NodeIndex w = g.target(e);
                if (!filter.keeps(e, u, w)) continue;
                const auto t = g.timestamp(e);
                double value = 0;
                if (auto v = g.value(e)) {
                    value = *v;
                } else if (clv) {
                    value = clv->number(w).value_or(0.0);
                }
                referrals.push_back({u, w, t, e, value});
            }
        }
    }
    run.throw_if_cancelled();
    auto& findings = result.findings;
    findings.referrals = referrals.size();

    // 2. Clean and attribute, per referred customer.
    std::sort(referrals.begin(), referrals.end(),
              [](const Referral& a, const Referral& b) { return a.target != b.target ? a.target < b.target : earlier(a, b); });
    std::vector<std::pair<NodeIndex, Arc>> kept;  // (source, arc)
    for (std::size_t i = 0; i < referrals.size();) {
        const NodeIndex w = referrals[i].target;
        std::size_t j = i;
        while (j < referrals.size() && referrals[j].target == w) ++j;
        const auto joined_at = joined ? joined->number(w) : std::nullopt;
        std::vector<const Referral*> valid;
        for (std::size_t k = i; k < j; ++k) {
            const auto& r = referrals[k];
            const bool repeat = std::any_of(referrals.begin() + static_cast<std::ptrdiff_t>(i),
                                            referrals.begin() + static_cast<std::ptrdiff_t>(k),
                                            [&](const Referral& e) { return e.source == r.source; });
            if (r.source == w) {
                ++findings.self_referrals;
            } else if (repeat) {
                ++findings.repeat_referrals;  // sorted earliest first: the first one is judged alone
            } else if (joined_at && r.timestamp != graph::kNoTimestamp && static_cast<double>(r.timestamp) > *joined_at) {
                ++findings.already_customers;
            } else {
                valid.push_back(&r);
            }
        }
        if (valid.size() > 1) ++findings.multi_referrer_customers;
        if (!valid.empty()) {
            switch (params.attribution) {
                case Attribution::first:
                case Attribution::last: {
                    // The earliest (latest) referral; referrals at the very same time share the credit,
                    // since neither came first. Without timestamps, storage order decides.
                    const Referral* pick = params.attribution == Attribution::first ? valid.front() : valid.back();
                    std::vector<const Referral*> tied;
                    for (const auto* r : valid) {
                        if (r == pick || (pick->timestamp != graph::kNoTimestamp && r->timestamp == pick->timestamp))
                            tied.push_back(r);
                    }
                    for (const auto* r : tied) kept.push_back({r->source, {w, 1.0 / static_cast<double>(tied.size()), r->value}});
                    break;
                }
                case Attribution::even:
                    for (const auto* r : valid)
                        kept.push_back({r->source, {w, 1.0 / static_cast<double>(valid.size()), r->value}});
                    break;
            }
        }
        i = j;
    }
    findings.used = kept.size();
    std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first < b.first : a.second.target < b.second.target;
    });
    std::vector<std::uint64_t> offsets(std::size_t{n} + 1, 0);
    std::vector<Arc> arcs;
    arcs.reserve(kept.size());
    for (const auto& [source, arc] : kept) {
        ++offsets[source + 1];
        arcs.push_back(arc);
    }
    for (NodeIndex u = 0; u < n; ++u) offsets[u + 1] += offsets[u];
    findings.cycle_members = cycle_members(n, offsets, arcs, run);

    // 3. Every referrer's walk over the attributed referrals, in parallel, each into its own slots.
    for (NodeIndex u = 0; u < n; ++u) {
        if (offsets[u + 1] > offsets[u]) result.nodes.push_back(u);
    }
    const auto& nodes = result.nodes;
    result.referred_by_depth.assign(nodes.size(), {});
    const double o = params.organic_share, A = params.acquisition_cost, d = params.decay;
    const auto H = params.max_depth;
    tbb::enumerable_thread_specific<Walk> walks([n] { return Walk(n); });
    auto walk = [&](NodeIndex u, Walk& w, std::vector<CrvContribution>* explain) {
        if (++w.epoch == 0) {  // wrapped: clear once every 2^32 walks
            std::fill(w.seen.begin(), w.seen.end(), 0);
            w.epoch = 1;
        }
        const std::uint32_t mark = w.epoch;
        w.seen[u] = mark;
        w.depth[u] = 0;
        w.share[u] = 1.0;
        std::unordered_map<NodeIndex, std::size_t> explained;
        w.frontier.assign(1, u);
        std::vector<std::uint32_t> depths;
        double direct = 0, indirect = 0, weight = 1.0;
        for (int h = 1; h <= H && !w.frontier.empty(); ++h, weight *= d) {
            w.next.clear();
            for (const NodeIndex x : w.frontier) {
                for (auto a = offsets[x]; a < offsets[x + 1]; ++a) {
                    const auto& arc = arcs[a];
                    const NodeIndex target = arc.target;
                    if (w.seen[target] == mark && w.depth[target] < h) continue;  // reached earlier (or the referrer)
                    if (w.seen[target] != mark) {
                        w.seen[target] = mark;
                        w.depth[target] = h;
                        w.share[target] = 0;
                        w.parent[target] = x;
                        w.next.push_back(target);
                    }
                    const double share = w.share[x] * arc.share;
                    w.share[target] += share;
                    const double value = weight * share * ((1 - o) * arc.value + o * A);
                    (h == 1 ? direct : indirect) += value;
                    if (explain) {
                        const auto [it, added] = explained.emplace(target, explain->size());
                        if (added) {
                            explain->push_back({target, h, value, {}});
                        } else {
                            (*explain)[it->second].value += value;
                        }
                    }
                }
            }
            depths.push_back(static_cast<std::uint32_t>(w.next.size()));
            std::swap(w.frontier, w.next);
        }
        if (explain) {
            // Chains: back from each customer along the first parent it was reached from.
            for (auto& c : *explain) {
                for (NodeIndex x = c.customer; x != u; x = w.parent[x]) c.chain.push_back(x);
                c.chain.push_back(u);
                std::reverse(c.chain.begin(), c.chain.end());
            }
        }
        while (!depths.empty() && depths.back() == 0) depths.pop_back();
        return std::tuple{direct, indirect, std::move(depths)};
    };
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, nodes.size(), 256), [&](const auto& r) {
        if (run.cancelled()) return;
        auto& w = walks.local();
        for (std::size_t i = r.begin(); i != r.end(); ++i) {
            const NodeIndex u = nodes[i];
            auto [direct, indirect, depths] = walk(u, w, nullptr);
            result.direct[u] = direct;
            result.indirect[u] = indirect;
            result.crv[u] = direct + indirect;
            result.referred_by_depth[i] = std::move(depths);
        }
    });
    run.throw_if_cancelled();
    run.report("crv", 1.0);

    // 4. Explanations for the top referrers: the customers (and chains) that gave most of the value.
    if (params.explain > 0) {
        std::vector<NodeIndex> top(nodes);
        const std::size_t k = std::min(params.explain, top.size());
        std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(k), top.end(), [&](NodeIndex a, NodeIndex b) {
            return result.crv[a] != result.crv[b] ? result.crv[a] > result.crv[b] : a < b;
        });
        Walk w(n);
        for (std::size_t i = 0; i < k; ++i) {
            std::vector<CrvContribution> contributions;
            walk(top[i], w, &contributions);
            std::sort(contributions.begin(), contributions.end(), [](const auto& a, const auto& b) {
                return a.value != b.value ? a.value > b.value : a.customer < b.customer;
            });
            if (contributions.size() > 5) contributions.resize(5);
            result.explanations.emplace_back(top[i], std::move(contributions));
        }
    }

    // 5. Kumar's segments over the customers with a CLV.
    if (clv) {
        const auto customer = g.node_kinds().find(params.customer_kind);
        std::vector<NodeIndex> customers;
        for (NodeIndex u = 0; u < n && customer; ++u) {
            if (g.node_kind(u) == *customer && clv->has(u)) customers.push_back(u);
        }
        auto median = [&](auto&& value) {
            std::vector<double> values;
            for (auto u : customers) values.push_back(value(u));
            if (values.empty()) return 0.0;
            const auto mid = values.size() / 2;
            std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
            double m = values[mid];
            if (values.size() % 2 == 0) {
                m = (m + *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid))) / 2;
            }
            return m;
        };
        result.clv_split = params.clv_split ? *params.clv_split : median([&](NodeIndex u) { return *clv->number(u); });
        result.crv_split = params.crv_split ? *params.crv_split : median([&](NodeIndex u) { return result.crv[u]; });
        for (auto u : customers) {
            const bool high_clv = *clv->number(u) > result.clv_split;
            const bool high_crv = result.crv[u] > result.crv_split;
            const Segment s = high_clv ? (high_crv ? Segment::champions : Segment::affluents)
                                       : (high_crv ? Segment::advocates : Segment::misers);
            result.segments.emplace_back(u, s);
            ++result.segment_counts[static_cast<int>(s)];
        }
    }
    return result;
}

}  // namespace smorg::engine
