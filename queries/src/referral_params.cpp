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

void read_cascade_view(FieldReader& reader, const graph::Snapshot& g, graph::SubgraphSpec& subgraph,
                       engine::ProbabilityParams& probability) {
    probability = read_probability(reader);
    const unsigned filters = probability.source == engine::ProbabilitySource::weight ? kAllFilters : kAllFilters & ~kWeighted;
    subgraph = read_subgraph_or_engine_default(reader, g, subgraph, filters);
}

void read_crv_params(FieldReader& reader, const graph::Snapshot& g, engine::CrvParams& p) {
    p.organic_share = reader.optional<double>("organic_share", p.organic_share);
    p.acquisition_cost = reader.optional<double>("acquisition_cost", p.acquisition_cost);
    p.decay = reader.optional<double>("decay", p.decay);
    p.max_depth = reader.optional<int>("max_depth", p.max_depth);
    p.attribution = reader.optional_enum<engine::Attribution>("attribution", p.attribution);
    p.joined_attribute = reader.optional<std::string>("joined_attribute", p.joined_attribute);
    p.value_attribute = reader.optional<std::string>("value_attribute", p.value_attribute);
    // The defaults may be absent from a database (no join dates: no check; no clv: values come
    // from the referrals alone); an attribute asked for by name must exist.
    for (const char* key : {"joined_attribute", "value_attribute"}) {
        if (!reader.has(key)) continue;
        const auto& name = std::string_view(key) == "joined_attribute" ? p.joined_attribute : p.value_attribute;
        if (!g.attributes().find(name)) {
            throw QueryError(ErrorCode::not_found, "no attribute '" + name + "' in the database", reader.at(key));
        }
    }
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
        const auto& view = params.subgraph;
        const char* where = view.since || view.until  ? " in the chosen window"
                            : view.node_kinds.empty() ? ""
                                                      : " among the chosen node kinds";
        warnings.push_back(std::string("no referral ties") + where + ", so every value is 0; the graph's edge kinds: " +
                           edge_kinds_found(g) + (view.edge_kinds.empty() ? " (referrals are ties of kind 'referral')" : ""));
    }
    return warnings;
}

}  // namespace smorg::queries
