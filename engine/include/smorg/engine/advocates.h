#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "smorg/engine/referral/crv.h"
#include "smorg/engine/referral/spread.h"
#include "smorg/engine/run_context.h"
#include "smorg/graph/snapshot.h"
#include "smorg/graph/where.h"

namespace smorg::engine {

// The parts of an advocate's score. Each is turned into a percentile among the candidates (ties
// share their mid-rank), then combined with these weights (>= 0, not all 0).
struct AdvocateWeights {
    double value = 0.5;       // realized referral value: CRV; employees add credit for the customers they serve
    double reach = 0.3;       // expected people reached when activated alone (RR-set estimate)
    double engagement = 0.2;  // total weight of interactions, given and received
};

// Whom a component's percentile compares a person with.
enum class PercentileScope : std::uint8_t {
    kind,  // people of the same kind: an employee's engagement against employees', a customer's against
           //   customers' (the raw numbers of different kinds are not comparable)
    all,   // every candidate
};

struct AdvocatesParams {
    std::vector<std::string> candidate_kinds;  // who is ranked; empty: customer, influencer, employee (those present)
    std::vector<graph::NodeCondition> where;   // and only candidates that meet these conditions (graph/where.h)
    AdvocateWeights weights;
    PercentileScope compare_within = PercentileScope::kind;
    CrvParams crv;                         // how referral value is computed (its subgraph picks the referrals)
    std::vector<std::string> reach_kinds;  // ties influence travels along; empty: referral, interaction (those
                                           //   present; every kind when neither is)
    CascadeModel model = CascadeModel::independent_cascade;
    ProbabilityParams probability;         // default: from weights (weighted cascade)
    std::uint64_t reach_samples = 100000;  // RR sets behind the reach estimate; in [1, kMaxReachSamples]
    std::string interaction_kind = "interaction";
    std::string employee_kind = "employee";
    std::uint64_t seed = 1;
    // A time window for all three components: the referrals behind the value, the ties behind the
    // reach and the interactions behind the engagement ([since, until); undated ties left out).
    std::optional<graph::Timestamp> since, until;

    static constexpr std::uint64_t kMaxReachSamples = 100'000'000;
};

struct AdvocatesResult {
    std::vector<graph::NodeIndex> nodes;  // the candidates, ascending
    std::vector<double> score;            // by NodeIndex: weighted mean of the percentiles, in [0, 1]
    // Raw components and their percentiles, by NodeIndex.
    std::vector<double> value, reach, engagement;
    std::vector<double> value_pct, reach_pct, engagement_pct;
    // What makes up the value: own referral value, and (employees) credit for served customers.
    std::vector<double> own_crv, employee_credit;
    std::vector<std::uint32_t> referred_direct, referred_indirect;  // |R_1| and |R_2..H|
    std::vector<std::uint32_t> served_customers, served_referrers;  // employees: customers engaged, of whom referred
    ReferralFindings findings;
};

void validate(const AdvocatesParams& params, const graph::Snapshot& g);
// CRV's, then the reach's RR sets at the cost of a pilot of 64.
Estimate estimate(const graph::Snapshot& g, const AdvocatesParams& params);

// One ranking of customers, influencers and employees that joins realized value (CRV), reach
// potential (single-seed spread from reverse-influence sampling) and engagement (weighted
// interactions). An employee's value also counts the customers they engage: each served customer's
// CRV, shared among the employees who serve them in proportion to interaction weight. Deterministic
// for a seed at any thread count.
AdvocatesResult advocates(const graph::Snapshot& g, const AdvocatesParams& params, RunContext& run);

}  // namespace smorg::engine

template <>
struct smorg::graph::EnumNames<smorg::engine::PercentileScope> {
    static constexpr std::array<std::string_view, 2> names{"kind", "all"};
};
