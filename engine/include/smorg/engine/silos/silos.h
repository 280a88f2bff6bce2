#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "smorg/engine/community/communities.h"
#include "smorg/engine/run_context.h"
#include "smorg/graph/snapshot.h"
#include "smorg/graph/subgraph.h"

namespace smorg::engine {

struct SilosParams {
    static graph::SubgraphSpec default_spec() {
        auto spec = graph::undirected_spec();
        spec.weighted = false;
        return spec;
    }
    // The ties: edge_kinds (empty: {"communication"} when the database has it, else every kind); undirected (a tie =
    // an unordered pair of distinct people joined by at least one chosen edge) unless directed counts
    // arcs (and modularity, mixing and Burt's measures become the directed ones); unweighted unless
    // weighted, which weights modularity, Burt's measures and the spanners' path lengths (E-I and the
    // mixing matrix always count ties).
    graph::SubgraphSpec subgraph = default_spec();
    std::string group_by = "department";  // the grouping attribute
    std::uint64_t seed = 1;
    std::uint32_t permutations = 1000;  // label permutations behind the E-I p-values (0: none); <= kMaxPermutations
    std::size_t spanners = 10;          // boundary spanners listed; <= kMaxListed
    double cut_off_ratio = 0.1;         // a pair of groups is cut off below this observed / expected; >= 0
    double min_expected = 1.0;          // ... when at least this many ties were expected between them; > 0
    std::size_t introductions = 3;      // suggested per cut-off pair (for the 5 most cut-off pairs); <= kMaxIntroductions
    CommunityAlgorithm community_algorithm = CommunityAlgorithm::leiden;  // detected communities for NMI / ARI
    // Edges that count as contact across the wall (empty: {"interaction"}), in the subgraph's time
    // window; the wall spans every node kind, whatever node_kinds the groups' view keeps.
    std::vector<std::string> wall_kinds;
    std::string employee_kind = "employee";
    std::string customer_kind = "customer";

    static constexpr std::uint32_t kMaxPermutations = 1'000'000;
    static constexpr std::size_t kMaxListed = 100'000;
    static constexpr std::size_t kMaxIntroductions = 100;
};

struct GroupStats {
    std::string name;
    std::uint32_t size = 0;
    std::uint64_t internal = 0, external = 0;  // ties inside the group, ties to other groups
    double ei_index = 0;                       // (E - I) / (E + I): -1 all inside, +1 all across
    double ei_expected = 0;                    // its value if ties fell at random among pairs of people
    double p_value = 1;                        // share of label permutations with an E-I this low or lower
};

struct MixingCell {
    std::uint32_t a = 0, b = 0;  // group indexes, a <= b
    std::uint64_t observed = 0;
    double expected = 0;  // configuration model: d_a d_b / 2T (a != b), d_a^2 / 4T (a == b)
    double ratio = 0;     // observed / expected
};

struct Spanner {
    graph::NodeIndex node = graph::kNoNode;
    std::uint32_t group = 0;
    std::uint32_t ties_out = 0;        // ties into other groups
    std::uint32_t groups_reached = 0;  // distinct other groups tied to
    double betweenness = 0;            // cross-group betweenness: shortest paths between people of different groups
    double constraint = 0;             // Burt's constraint (low: a broker between otherwise separate contacts)
    double effective_size = 0;         // Burt's effective size (non-redundant contacts)
};

struct Introduction {
    std::uint32_t a_group = 0, b_group = 0;
    graph::NodeIndex a = graph::kNoNode, b = graph::kNoNode;
    double gain = 0;  // rise of the mean 1 / distance between the two groups' members
};

struct WallStats {
    std::uint64_t customers = 0;
    std::uint64_t customers_with_contact = 0;    // with any employee contact
    std::uint64_t single_contact_customers = 0;  // whose only employee contact is one person
    struct Group {
        std::uint64_t outside_contacts = 0;  // distinct outside people its members are in contact with
        double weight = 0;                   // total weight of those contacts
    };
    std::vector<Group> groups;                                                  // by group index
    std::vector<std::pair<graph::NodeIndex, graph::NodeIndex>> single_contact;  // (customer, employee), most valuable first
};

struct SilosResult {
    std::vector<std::string> edge_kinds;  // the kinds the ties came from, the default filled in (empty: every kind)
    std::vector<GroupStats> groups;
    std::uint64_t people = 0;     // grouped people in the view
    std::uint64_t ungrouped = 0;  // people in the view without a group (left out of the group figures)
    std::uint64_t isolated = 0;   // people of the chosen kinds with no tie in the view (not in it)
    std::uint64_t ties = 0, internal = 0, external = 0;
    double ei_index = 0, ei_expected = 0, ei_p_value = 1;
    std::vector<MixingCell> mixing;
    double modularity = 0;    // of the formal grouping, on the ties
    double nmi = 0, ari = 0;  // agreement of detected communities with the formal groups
    std::uint32_t communities = 0;
    double community_modularity = 0;
    std::vector<Spanner> spanners;
    std::vector<MixingCell> cut_off;
    std::vector<Introduction> introductions;
    WallStats wall;
};

void validate(const SilosParams& params, const graph::Snapshot& g);
// The permutation test, the communities, the cross-group betweenness and the introductions' searches.
Estimate estimate(const graph::Snapshot& g, const SilosParams& params);

// The silo map (docs/silos.md): per group internal and external ties and the Krackhardt & Stern (1988)
// E-I index with its random-mixing expectation and a seeded permutation test; the group mixing
// matrix against the configuration model; modularity of the formal groups; NMI and ARI against
// detected communities; boundary spanners by cross-group betweenness with Burt's (1992) constraint
// and effective size; cut-off pairs of groups and the introductions that would most shorten the
// paths between them; and the wall between employees and customers. Deterministic for a seed.
SilosResult silos(const graph::Snapshot& g, const SilosParams& params, RunContext& run);

// Agreement of two partitions of the same people (equal length; values are labels): normalized
// mutual information (arithmetic mean of the entropies, scikit-learn's default) and the adjusted Rand
// index (Hubert & Arabie 1985).
double normalized_mutual_information(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b);
double adjusted_rand_index(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b);

}  // namespace smorg::engine
