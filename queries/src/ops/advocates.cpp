#include "smorg/engine/advocates.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "common.h"
#include "files.h"
#include "ops/ops.h"
#include "pictures.h"
#include "referral_params.h"

namespace smorg::queries::ops {

namespace {

std::string money(double x) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.0f", x);
    return buffer;
}

std::string top_share(double percentile, const std::string& peers) {
    const double top = std::max(1.0, std::ceil((1 - percentile) * 100));
    return "top " + money(top) + "% of " + peers;
}

// The two or three facts that most explain a row: the components in order of what they add to the
// score, each said in the data's own numbers.
json facts(const engine::AdvocatesResult& r, const engine::AdvocateWeights& w, graph::NodeIndex u, bool employee,
           const std::string& peers) {
    struct Part {
        double weight;
        std::string text;
    };
    std::vector<Part> parts;
    if (r.value[u] > 0) {
        std::string text;
        if (r.own_crv[u] > 0) {
            text = "brought " + std::to_string(r.referred_direct[u]) + " customer" + (r.referred_direct[u] == 1 ? "" : "s") +
                   " directly";
            if (r.referred_indirect[u] > 0)
                text += " and " + std::to_string(r.referred_indirect[u]) + " more through their referrals";
            text += " (referral value " + money(r.own_crv[u]) + ")";
        }
        if (employee && r.employee_credit[u] > 0) {
            if (!text.empty()) text += "; ";
            text += "serves " + std::to_string(r.served_customers[u]) + " customers, " + std::to_string(r.served_referrers[u]) +
                    " of whom referred others (credit " + money(r.employee_credit[u]) + ")";
        }
        parts.push_back({w.value * r.value_pct[u], text + ", " + top_share(r.value_pct[u], peers) + " for value"});
    }
    if (r.reach[u] > 0) {
        char reach[64];
        std::snprintf(reach, sizeof reach, "%.1f", r.reach[u]);
        parts.push_back({w.reach * r.reach_pct[u], std::string("would reach about ") + reach + " people on their own, " +
                                                       top_share(r.reach_pct[u], peers) + " for reach"});
    }
    if (r.engagement[u] > 0) {
        parts.push_back({w.engagement * r.engagement_pct[u], "interaction weight " + money(r.engagement[u]) + ", " +
                                                                 top_share(r.engagement_pct[u], peers) + " for engagement"});
    }
    std::stable_sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) { return a.weight > b.weight; });
    json out = json::array();
    for (std::size_t i = 0; i < parts.size() && i < 3; ++i) out.push_back(parts[i].text);
    if (out.empty()) out.push_back("no referrals, reach or interactions on record");
    return out;
}

}  // namespace

// One ranking of customers, influencers and employees: realized value, reach, engagement.
json advocates(OpContext& ctx, FieldReader& reader) {
    const auto& g = ctx.g();
    engine::AdvocatesParams p;
    p.candidate_kinds = reader.optional<std::vector<std::string>>("candidate_kinds", {});
    p.where = read_where(reader);
    p.compare_within = reader.optional_enum<engine::PercentileScope>("compare_within", p.compare_within);
    if (reader.has("weights")) {
        auto w = reader.object("weights");
        p.weights.value = w.optional<double>("value", p.weights.value);
        p.weights.reach = w.optional<double>("reach", p.weights.reach);
        p.weights.engagement = w.optional<double>("engagement", p.weights.engagement);
        w.reject_unknown();
    }
    read_crv_params(reader, g, p.crv);
    p.reach_kinds = reader.optional<std::vector<std::string>>("reach_kinds", {});
    p.model = reader.optional_enum<engine::CascadeModel>("model", p.model);
    p.probability = read_probability(reader);
    p.reach_samples = reader.optional<std::uint64_t>("reach_samples", p.reach_samples);
    p.seed = reader.optional<std::uint64_t>("seed", p.seed);
    p.since = reader.maybe_timestamp("since");
    p.until = reader.maybe_timestamp("until");
    const auto top = read_top(reader);
    const bool explain = reader.optional<bool>("explain", true);
    auto picture = PictureRequest::read(reader);
    reader.reject_unknown();
    if (picture.drawn() && (top == 0 || top > pictures::kMaxBars)) {
        reader.fail("top", ErrorCode::invalid_argument,
                    "the advocates chart draws at most " + std::to_string(pictures::kMaxBars) + " people: give top from 1 to " +
                        std::to_string(pictures::kMaxBars) + " with svg or inline_svg");
    }
    picture.resolve(ctx, reader);
    if (ctx.estimate) return estimate_result(ctx.run, engine::estimate(g, p));
    const auto r = engine::advocates(g, p, ctx.run);
    offer_column(ctx, "advocate_score", r.nodes, r.score);
    if (ctx.column) {
        ctx.column->amounts.assign(g.node_count(), std::numeric_limits<double>::quiet_NaN());
        for (auto u : r.nodes) ctx.column->amounts[u] = r.value[u];
    }
    const auto employee = g.node_kinds().find(p.employee_kind);
    std::vector<pictures::AdvocateBar> bars;
    const auto rows = ranked_rows(g, r.nodes, r.score, top, "score", [&](json& row, graph::NodeIndex u) {
        row["components"] = {
            {"value", {{"raw", r.value[u]}, {"percentile", r.value_pct[u]}}},
            {"reach", {{"raw", r.reach[u]}, {"percentile", r.reach_pct[u]}}},
            {"engagement", {{"raw", r.engagement[u]}, {"percentile", r.engagement_pct[u]}}},
        };
        const std::string peers = p.compare_within == engine::PercentileScope::kind ? std::string(g.node_kind_name(u)) + "s"
                                                                                    : std::string("candidates");
        if (explain) row["facts"] = facts(r, p.weights, u, employee && g.node_kind(u) == *employee, peers);
        const double total = p.weights.value + p.weights.reach + p.weights.engagement;
        bars.push_back({row.contains("name") ? row["name"].get<std::string>() : row["id"].get<std::string>(),
                        std::string(g.node_kind_name(u)), p.weights.value * r.value_pct[u] / total,
                        p.weights.reach * r.reach_pct[u] / total, p.weights.engagement * r.engagement_pct[u] / total});
    });
    json answer = {{"candidates", r.nodes.size()},
                   {"rows", rows},
                   {"weights", {{"value", p.weights.value}, {"reach", p.weights.reach}, {"engagement", p.weights.engagement}}},
                   {"compare_within", graph::name_of(p.compare_within)},
                   {"findings",
                    {{"referrals", r.findings.referrals},
                     {"used", r.findings.used},
                     {"self_referrals", r.findings.self_referrals},
                     {"repeat_referrals", r.findings.repeat_referrals},
                     {"already_customers", r.findings.already_customers},
                     {"multi_referrer_customers", r.findings.multi_referrer_customers},
                     {"cycle_members", r.findings.cycle_members}}}};
    json warnings = json::array();
    if (r.nodes.empty()) {
        warnings.push_back(std::string("no candidates: ") +
                           (!p.where.empty()            ? "no candidate meets the where conditions"
                            : p.candidate_kinds.empty() ? "the graph holds no customer, influencer or employee"
                                                        : "no node of the chosen candidate_kinds") +
                           "; its node kinds: " + node_kinds_found(g) +
                           " (import nodes with a kind column, or choose candidate_kinds)");
    } else {
        auto referrals = p.crv;  // the window applies to the referrals too
        referrals.subgraph.since = p.since;
        referrals.subgraph.until = p.until;
        warnings = referral_warnings(g, referrals, r.findings);
    }
    if (!warnings.empty()) answer["warnings"] = std::move(warnings);
    if (picture.drawn()) {
        picture.deliver(answer,
                        pictures::advocates_chart(bars, "Top " + std::to_string(bars.size()) + " advocates of " +
                                                            std::to_string(r.nodes.size()) + " candidates"),
                        reader);
    }
    return answer;
}

}  // namespace smorg::queries::ops
