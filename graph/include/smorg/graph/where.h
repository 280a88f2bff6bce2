#pragma once

// Node filters by attribute: the `where` of every request that takes node kinds.

#include <cstdint>
#include <string>
#include <vector>

#include "smorg/graph/attributes.h"
#include "smorg/graph/enum_names.h"
#include "smorg/graph/types.h"

namespace smorg::graph {

class Snapshot;

// How a condition compares a node's value. Ordering (lt .. ge) is for numbers; eq, ne, in and
// not_in for every type; exists asks whether the node has a value at all.
enum class Compare : std::uint8_t { eq, ne, lt, le, gt, ge, in, not_in, exists };

// One condition on one attribute: `values` holds one value (eq .. ge), the allowed values (in,
// not_in: 1 to kMaxConditionValues) or one boolean (exists). A node without a value for the
// attribute meets no condition but {"exists": false}.
struct NodeCondition {
    std::string attribute;
    Compare compare = Compare::eq;
    std::vector<AttributeValue> values;
    friend bool operator==(const NodeCondition&, const NodeCondition&) = default;
};

inline constexpr std::size_t kMaxConditions = 64;
inline constexpr std::size_t kMaxConditionValues = 10000;

// The attribute column `name`, or NotFound at `field` naming the attributes there are (and the
// closest one to a typo): the one lookup behind where, previous and any field naming an attribute.
const AttributeColumn& require_attribute(const Snapshot& g, const std::string& name, const std::string& field);

// Throws ParamError at "where/<attribute>/<operator>" (or its element, or "where/<attribute>" for
// an attribute the snapshot lacks) when a condition cannot be applied: an unknown attribute, a
// value of another type than the attribute's column, an ordering of strings or booleans, an empty
// or oversized list. Attribute names are escaped as JSON pointer tokens.
void validate(const std::vector<NodeCondition>& where, const Snapshot& g);

// Per node, 1 when it meets every condition: the one evaluation of `where`. Validates first.
std::vector<std::uint8_t> select_nodes(const std::vector<NodeCondition>& where, const Snapshot& g);

// The conditions as text that is equal for equal lists (view cache keys).
std::string condition_key(const std::vector<NodeCondition>& where);

}  // namespace smorg::graph

template <>
struct smorg::graph::EnumNames<smorg::graph::Compare> {
    static constexpr std::array<std::string_view, 9> names{"=", "!=", "<", "<=", ">", ">=", "in", "not_in", "exists"};
};
