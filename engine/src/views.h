#pragma once

// Entries on a view the caller has already built, for algorithms that run others on their own view
// (silos runs betweenness and communities on its ties; seeds measures its set's spread). Each does
// what its public entry does after building the view, admission included: the public entries are
// these plus Subgraph::shared.

#include "smorg/engine/centrality/betweenness.h"
#include "smorg/engine/community/communities.h"
#include "smorg/engine/referral/spread.h"
#include "smorg/graph/subgraph.h"

namespace smorg::engine::detail {

BetweennessResult betweenness(const graph::Subgraph& view, const BetweennessParams& params, RunContext& run);
CommunityResult communities(const graph::Subgraph& undirected_view, const CommunityParams& params, RunContext& run);
SpreadResult spread(const graph::Subgraph& view, const ArcProbabilities& probabilities, const SpreadParams& params,
                    RunContext& run);

}  // namespace smorg::engine::detail
