#pragma once

// Reading the cascade parameters shared by the spread, seeds and advocates ops.

#include "smorg/engine/referral/crv.h"
#include "smorg/engine/referral/spread.h"
#include "smorg/graph/snapshot.h"

#include "field_reader.h"

namespace smorg::queries {

// `probability`: a number (constant), "weight" or "history"; with "history", an optional `prior`
// object {"referrals": a, "interactions": b}.
engine::ProbabilityParams read_probability(FieldReader& reader);

// The cascade's view (the subgraph fields, defaulting to the engine's influence view) and its
// probability, as spread and seeds read them: `weighted` is accepted only when the probability is
// read from the weights, the one case where weights change the answer.
void read_cascade_view(FieldReader& reader, const graph::Snapshot& g, graph::SubgraphSpec& subgraph,
                       engine::ProbabilityParams& probability);

// The CRV parameters, flat in the request (organic_share, acquisition_cost, decay, max_depth,
// attribution, joined_attribute, value_attribute: an attribute named explicitly must exist).
void read_crv_params(FieldReader& reader, const graph::Snapshot& g, engine::CrvParams& params);

// Why a referral value answer is empty, when it is: no referral ties in the view, or no customers
// whose value could be credited, each naming the kinds the graph does hold. Empty when neither.
json referral_warnings(const graph::Snapshot& g, const engine::CrvParams& params, const engine::ReferralFindings& findings);

}  // namespace smorg::queries
