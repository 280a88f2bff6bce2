#include "referral_params.h"

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

std::vector<std::string> present_edge_kinds(const graph::Snapshot& g, std::initializer_list<std::string_view> wanted) {
    std::vector<std::string> out;
    for (auto k : wanted) {
        if (g.edge_kinds().find(k)) out.emplace_back(k);
    }
    return out;
}

}  // namespace smorg::queries
