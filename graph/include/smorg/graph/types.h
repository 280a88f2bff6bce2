#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

namespace smorg::graph {

// Dense internal index of a node in a snapshot (0 .. node_count-1). Never shown to users: results
// speak external ids (NodeId strings).
using NodeIndex = std::uint32_t;
// Dense internal index of an edge in a snapshot, in out-adjacency order (source, kind, target).
using EdgeIndex = std::uint32_t;
// Interned node or edge kind.
using KindId = std::uint8_t;
// Seconds since the Unix epoch.
using Timestamp = std::int64_t;

inline constexpr NodeIndex kNoNode = std::numeric_limits<NodeIndex>::max();
inline constexpr Timestamp kNoTimestamp = std::numeric_limits<Timestamp>::min();
inline constexpr KindId kNoKind = std::numeric_limits<KindId>::max();

// The range of an edge weight (tie strength). Bounded both ways so that lengths (1 / weight), sums
// of weights and products of probabilities stay finite and non-zero.
inline constexpr double kMinWeight = 1e-100;
inline constexpr double kMaxWeight = 1e100;

// Where an imported record comes from (docs/importing.md, provenance).
enum class Provenance : std::uint8_t {
    owned,      // this store is the canonical source
    copied,     // synced from another system
    borrowed,   // pulled in for one analysis, not kept in the store
    displayed,  // shown to the organization but not held by it (a public profile page): not kept either
    derived,    // computed by smorg from the stored graph (a query's `write`), kept
};

// Whether a batch of that provenance reaches the store's rows (owned, copied, derived) or lives in
// memory for this session only (borrowed, displayed). The one home of that rule.
constexpr bool kept_in_store(Provenance p) noexcept { return p != Provenance::borrowed && p != Provenance::displayed; }

std::string_view to_string(Provenance p) noexcept;
// Parses "owned", "copied", "borrowed", "displayed" or "derived"; returns false on anything else.
bool parse_provenance(std::string_view text, Provenance& out) noexcept;

// The known kinds (docs/importing.md). Vocabularies are open: any other kind is allowed.
namespace kinds {
inline constexpr std::string_view customer = "customer";
inline constexpr std::string_view prospect = "prospect";
inline constexpr std::string_view employee = "employee";
inline constexpr std::string_view partner = "partner";
inline constexpr std::string_view influencer = "influencer";
inline constexpr std::string_view unknown = "unknown";

inline constexpr std::string_view referral = "referral";
inline constexpr std::string_view interaction = "interaction";
inline constexpr std::string_view communication = "communication";
inline constexpr std::string_view reports_to = "reports_to";
inline constexpr std::string_view follows = "follows";
}  // namespace kinds

// Well-known node attribute names.
namespace attributes {
inline constexpr std::string_view name = "name";
inline constexpr std::string_view department = "department";
inline constexpr std::string_view clv = "clv";
}  // namespace attributes

}  // namespace smorg::graph
