#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "smorg/graph/enum_names.h"
#include "smorg/graph/types.h"

namespace smorg::graph {

enum class AttributeType : std::uint8_t { string, number, boolean };

std::string_view to_string(AttributeType type) noexcept;

// A value for one node; monostate means "not set".
using AttributeValue = std::variant<std::monostate, std::string, double, bool>;

// One typed node attribute over all nodes of a snapshot. Strings are dictionary encoded (one code
// per node, 0 = not set), which makes grouping by an attribute (e.g. department) an integer scan.
class AttributeColumn {
public:
    AttributeColumn(std::string name, AttributeType type) : name_(std::move(name)), type_(type) {}

    const std::string& name() const noexcept { return name_; }
    AttributeType type() const noexcept { return type_; }

    bool has(NodeIndex node) const noexcept;
    std::optional<double> number(NodeIndex node) const noexcept;
    std::optional<bool> boolean(NodeIndex node) const noexcept;
    // Empty when not set (an empty string cannot be stored: it reads as "not set").
    std::string_view string(NodeIndex node) const noexcept;
    AttributeValue value(NodeIndex node) const;

    // String columns: code of a node's value (0 = not set) and the dictionary (entry 0 is "").
    std::uint32_t code(NodeIndex node) const noexcept { return node < codes_.size() ? codes_[node] : 0; }
    const std::vector<std::string>& dictionary() const noexcept { return dictionary_; }

    // Builder side. `set` requires the value's type to match the column (monostate clears).
    void resize(NodeIndex nodes);
    void set(NodeIndex node, const AttributeValue& value);
    std::size_t memory_bytes() const noexcept;

    // Raw parts for serialization.
    std::vector<std::uint32_t>& codes() noexcept { return codes_; }
    std::vector<std::string>& mutable_dictionary() noexcept { return dictionary_; }
    std::vector<double>& numbers() noexcept { return numbers_; }
    std::vector<std::uint8_t>& booleans() noexcept { return booleans_; }
    const std::vector<std::uint32_t>& codes() const noexcept { return codes_; }
    const std::vector<double>& numbers() const noexcept { return numbers_; }
    const std::vector<std::uint8_t>& booleans() const noexcept { return booleans_; }
    // Drops dictionary entries no node uses and renumbers codes (after erasure).
    void compact_dictionary();

private:
    std::uint32_t code_for(const std::string& text);

    std::string name_;
    AttributeType type_;
    std::vector<std::uint32_t> codes_;         // string
    std::vector<std::string> dictionary_{""};  // string
    std::vector<double> numbers_;              // number: NaN = not set
    std::vector<std::uint8_t> booleans_;       // boolean: 0 false, 1 true, 2 not set
    // Dictionary lookup while building; rebuilt on demand, not serialized.
    std::unordered_map<std::string, std::uint32_t> lookup_;
};

// The attribute columns of a snapshot, by name. `name`, `department` (strings) and `clv` (number)
// are ordinary columns with reserved types.
class AttributeTable {
public:
    const AttributeColumn* find(std::string_view name) const noexcept;
    AttributeColumn* find(std::string_view name) noexcept;
    // Returns the column, creating it; throws ParamError(name) when it exists with another type.
    AttributeColumn& column(std::string_view name, AttributeType type, NodeIndex nodes);
    const std::vector<AttributeColumn>& columns() const noexcept { return columns_; }
    std::vector<AttributeColumn>& columns() noexcept { return columns_; }
    // The type a well-known attribute must have, if it is one.
    static std::optional<AttributeType> reserved_type(std::string_view name) noexcept;

private:
    std::vector<AttributeColumn> columns_;
};

}  // namespace smorg::graph

template <>
struct smorg::graph::EnumNames<smorg::graph::AttributeType> {
    static constexpr std::array<std::string_view, 3> names{"string", "number", "boolean"};
};
