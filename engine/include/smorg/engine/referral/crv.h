#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "smorg/engine/run_context.h"
#include "smorg/graph/enum_names.h"
#include "smorg/graph/snapshot.h"
#include "smorg/graph/subgraph.h"

namespace smorg::engine {

// Who gets a customer that several people referred.
enum class Attribution : std::uint8_t {
    first,  // the earliest referral (by timestamp; by storage order without timestamps); several at
            //   the very same earliest time share the credit equally
    last,   // the latest (ties shared the same way)
    even,   // each of the k referrers gets 1/k
};

// Kumar's four customer segments from CLV x CRV.
enum class Segment : std::uint8_t { champions, affluents, advocates, misers };

struct CrvParams {
    graph::SubgraphSpec subgraph;  // which edges are referrals: edge_kinds (default {"referral"}),
                                   //   and [since, until) on their timestamps; node_kinds. directed,
                                   //   weighted and keep_isolated keep their defaults (else ParamError)
    double organic_share = 0;      // o: share of referred customers who would have joined anyway; [0, 1]
    double acquisition_cost = 0;   // A: acquisition cost a referral saves; >= 0
    double decay = 0.5;            // d: weight of each further hop; [0, 1]
    int max_depth = 3;             // H: hops followed; >= 1
    Attribution attribution = Attribution::first;
    std::string joined_attribute = "joined_at";  // number attribute: when a customer joined (epoch s)
    std::string value_attribute = "clv";         // V(w) when the referral carries no value
    std::size_t explain = 0;                     // explain this many top referrers (0 = none)
    std::optional<double> clv_split;             // segment split points; default: the medians over customers
    std::optional<double> crv_split;
    std::string customer_kind = "customer";  // the people segmented
};

// How the referrals that were read were cleaned, each a count.
struct ReferralFindings {
    std::uint64_t referrals = 0;                 // referral edges read
    std::uint64_t used = 0;                      // kept after cleaning and attribution (even: every referrer)
    std::uint64_t self_referrals = 0;            // someone referring themselves: dropped
    std::uint64_t repeat_referrals = 0;          // the same person referring the same customer again: dropped
    std::uint64_t already_customers = 0;         // referred after they had joined (timestamp > joined_at): dropped
    std::uint64_t multi_referrer_customers = 0;  // customers referred by several people: attributed
    std::uint64_t cycle_members = 0;             // people on referral cycles that remain (no timestamps to break
                                                 //   them): followed once, never back to the referrer
};

struct CrvContribution {
    graph::NodeIndex customer = graph::kNoNode;
    int depth = 0;
    double value = 0;                     // its contribution to the referrer's CRV
    std::vector<graph::NodeIndex> chain;  // referrer -> ... -> customer
};

struct CrvResult {
    std::vector<graph::NodeIndex> nodes;                        // every referrer with at least one kept referral
    std::vector<double> crv, direct, indirect;                  // by NodeIndex
    std::vector<std::vector<std::uint32_t>> referred_by_depth;  // per referrer in `nodes` order: [h-1] = |R_h|
    ReferralFindings findings;
    // Segments of the customers (every customer of customer_kind with a CLV).
    double clv_split = 0, crv_split = 0;
    std::vector<std::pair<graph::NodeIndex, Segment>> segments;
    std::uint64_t segment_counts[4] = {0, 0, 0, 0};
    std::vector<std::pair<graph::NodeIndex, std::vector<CrvContribution>>> explanations;  // top referrers, best first
};

void validate(const CrvParams& params, const graph::Snapshot& g);
// A pass over the edges, then the attributed referrals walked from the referrers above them.
Estimate estimate(const graph::Snapshot& g, const CrvParams& params);

// Customer referral value after V. Kumar (docs/referral.md): for each referrer u,
//   CRV(u) = sum over h = 1..H of d^(h-1) * sum over w in R_h(u) of share(u, w) * [(1 - o) V(w) + o A],
// R_h(u) the customers first reached from u in h hops over the attributed referrals (each customer
// once per referrer, never u itself), share(u, w) the product of attribution weights along the
// chains (1 with first/last), V(w) the referral's value, else w's CLV, else 0. Self-referrals,
// repeats and referrals of existing customers are dropped and counted first. O(referrers * size of
// their H-hop referral trees); each referrer is computed alone, so the result is thread-count free.
CrvResult crv(const graph::Snapshot& g, const CrvParams& params, RunContext& run);

}  // namespace smorg::engine

template <>
struct smorg::graph::EnumNames<smorg::engine::Attribution> {
    static constexpr std::array<std::string_view, 3> names{"first", "last", "even"};
};
template <>
struct smorg::graph::EnumNames<smorg::engine::Segment> {
    static constexpr std::array<std::string_view, 4> names{"champions", "affluents", "advocates", "misers"};
};
