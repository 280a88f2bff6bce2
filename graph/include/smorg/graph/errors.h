#pragma once

#include <stdexcept>
#include <string>

#include "smorg/graph/text.h"

namespace smorg::graph {

// The shortest text that reads back as `value` ("1.5", "1e-10", "nan"): for messages that quote a
// bad number (std::to_string would print "1.500000").
std::string format_number(double value);

// Messages are made printable (valid UTF-8) here, once, whatever they quote.

// A parameter of an algorithm or a subgraph filter is out of range or names something that does
// not exist. `field` is the parameter's path relative to the params struct, spelled like the JSON
// request ("damping", "node_kinds/2", "sources/alice"), so a query front end turns it into a JSON
// pointer without a mapping table.
class ParamError : public std::invalid_argument {
public:
    ParamError(const std::string& field, const std::string& message)
        : std::invalid_argument(printable(message)), field_(printable(field)) {}
    const std::string& field() const noexcept { return field_; }

private:
    std::string field_;
};

// A named thing (a node id, a kind, an attribute) does not exist.
class NotFound : public std::out_of_range {
public:
    NotFound(const std::string& field, const std::string& message)
        : std::out_of_range(printable(message)), field_(printable(field)) {}
    const std::string& field() const noexcept { return field_; }

private:
    std::string field_;
};

}  // namespace smorg::graph
