#include "referral_params.h"

#include "common.h"

namespace smorg::queries {

engine::ProbabilityParams read_probability(FieldReader& reader) {
    engine::ProbabilityParams p;
    const json* raw = reader.raw("probability");
    if (raw) {
        if (raw->is_number()) {
            p.source = engine::ProbabilitySource::constant;
            p.constant = raw->get<double>();
        } else if (raw->is_string() && (*raw == "weight" || *raw == "history")) {
            p.source = *raw == "weight" ? engine::ProbabilitySource::weight : engine::ProbabilitySource::history;
        } else {
            throw QueryError(ErrorCode::invalid_argument,
                             "expected a probability (a number in [0, 1]), \"weight\" or \"history\", got " + raw->dump(),
                             reader.at("probability"));
        }
    }
    if (reader.has("prior")) {
        if (p.source != engine::ProbabilitySource::history) {
            throw QueryError(ErrorCode::invalid_argument, "prior applies to \"probability\": \"history\"", reader.at("prior"));
        }
        auto prior = reader.object("prior");
        p.prior_referrals = prior.optional<double>("referrals", p.prior_referrals);
        p.prior_interactions = prior.optional<double>("interactions", p.prior_interactions);
        prior.reject_unknown();
    }
    return p;
}

void read_crv_params(FieldReader& reader, engine::CrvParams& p) {
    p.organic_share = reader.optional<double>("organic_share", p.organic_share);
    p.acquisition_cost = reader.optional<double>("acquisition_cost", p.acquisition_cost);
    p.decay = reader.optional<double>("decay", p.decay);
    p.max_depth = reader.optional<int>("max_depth", p.max_depth);
    p.attribution = reader.optional_enum<engine::Attribution>("attribution", p.attribution);
    p.joined_attribute = reader.optional<std::string>("joined_attribute", p.joined_attribute);
    p.value_attribute = reader.optional<std::string>("value_attribute", p.value_attribute);
}

json referral_warnings(const graph::Snapshot& g, const engine::CrvParams& params, const engine::ReferralFindings& findings) {
    json warnings = json::array();
    const auto customer = g.node_kinds().find(params.customer_kind);
    if (!customer || g.node_count_of(*customer) == 0) {
        warnings.push_back("no node of kind '" + params.customer_kind + "': referral value is credited from customers' " +
                           params.value_attribute + ", so every value is 0; the graph's node kinds: " + node_kinds_found(g) +
                           " (import nodes with a kind column)");
    }
    if (findings.referrals == 0) {
        const bool window = params.subgraph.since || params.subgraph.until;
        warnings.push_back(std::string("no referral ties") + (window ? " in the chosen window" : "") +
                           ", so every value is 0; the graph's edge kinds: " + edge_kinds_found(g) +
                           (params.subgraph.edge_kinds.empty() ? " (referrals are ties of kind 'referral'; choose edge_kinds)" : ""));
    }
    return warnings;
}

std::vector<std::string> present_edge_kinds(const graph::Snapshot& g, std::initializer_list<std::string_view> wanted) {
    std::vector<std::string> out;
    for (auto k : wanted) {
        if (g.edge_kinds().find(k)) out.emplace_back(k);
    }
    return out;
}

}  // namespace smorg::queries
