#include "smorg/graph/where.h"

#include <algorithm>
#include <cmath>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "smorg/graph/errors.h"
#include "smorg/graph/snapshot.h"
#include "smorg/graph/text.h"

namespace smorg::graph {

namespace {

std::string field_of(const NodeCondition& c) { return pointer_append(pointer_append("where", c.attribute), name_of(c.compare)); }

AttributeType type_of(const AttributeValue& v) {
    if (std::holds_alternative<double>(v)) return AttributeType::number;
    if (std::holds_alternative<bool>(v)) return AttributeType::boolean;
    return AttributeType::string;
}

bool ordering(Compare c) { return c == Compare::lt || c == Compare::le || c == Compare::gt || c == Compare::ge; }
bool listing(Compare c) { return c == Compare::in || c == Compare::not_in; }

std::string attribute_names(const Snapshot& g) {
    std::string out;
    for (const auto& column : g.attributes().columns()) {
        if (!out.empty()) out += ", ";
        out += column.name() + " (" + std::string(to_string(column.type())) + ")";
    }
    return out.empty() ? std::string("none") : out;
}

// One condition compiled against its column: what each node's value is tested with.
struct Test {
    const AttributeColumn* column = nullptr;
    Compare compare = Compare::eq;
    double number = 0;
    bool flag = false;
    std::vector<double> numbers;        // in/not_in over numbers, sorted
    std::vector<std::uint8_t> codes;    // strings: per dictionary code, 1 when the condition holds
    std::uint8_t booleans[2] = {0, 0};  // booleans: per value, 1 when the condition holds

    bool holds(NodeIndex u) const {
        if (compare == Compare::exists) return column->has(u) == flag;
        switch (column->type()) {
            case AttributeType::string: {
                const auto code = column->code(u);
                return code != 0 && codes[code] != 0;
            }
            case AttributeType::boolean: {
                const auto b = column->boolean(u);
                return b && booleans[*b ? 1 : 0] != 0;
            }
            case AttributeType::number: {
                const auto v = column->number(u);
                if (!v) return false;
                switch (compare) {
                    case Compare::eq:
                        return *v == number;
                    case Compare::ne:
                        return *v != number;
                    case Compare::lt:
                        return *v < number;
                    case Compare::le:
                        return *v <= number;
                    case Compare::gt:
                        return *v > number;
                    case Compare::ge:
                        return *v >= number;
                    case Compare::in:
                        return std::binary_search(numbers.begin(), numbers.end(), *v);
                    case Compare::not_in:
                        return !std::binary_search(numbers.begin(), numbers.end(), *v);
                    case Compare::exists:
                        break;
                }
            }
        }
        return false;
    }
};

Test compile(const NodeCondition& c, const Snapshot& g) {
    Test t;
    t.column = g.attributes().find(c.attribute);
    t.compare = c.compare;
    if (c.compare == Compare::exists) {
        t.flag = std::get<bool>(c.values.front());
        return t;
    }
    const bool negated = c.compare == Compare::ne || c.compare == Compare::not_in;
    switch (t.column->type()) {
        case AttributeType::string: {
            const auto& dictionary = t.column->dictionary();
            t.codes.assign(dictionary.size(), negated ? 1 : 0);
            for (std::size_t code = 1; code < dictionary.size(); ++code) {
                for (const auto& v : c.values) {
                    if (std::get<std::string>(v) == dictionary[code]) t.codes[code] = negated ? 0 : 1;
                }
            }
            break;
        }
        case AttributeType::boolean:
            t.booleans[0] = t.booleans[1] = negated ? 1 : 0;
            for (const auto& v : c.values) t.booleans[std::get<bool>(v) ? 1 : 0] = negated ? 0 : 1;
            break;
        case AttributeType::number:
            t.number = std::get<double>(c.values.front());
            for (const auto& v : c.values) t.numbers.push_back(std::get<double>(v));
            std::sort(t.numbers.begin(), t.numbers.end());
            break;
    }
    return t;
}

}  // namespace

const AttributeColumn& require_attribute(const Snapshot& g, const std::string& name, const std::string& field) {
    if (const auto* column = g.attributes().find(name)) return *column;
    std::vector<std::string> names;
    for (const auto& col : g.attributes().columns()) names.push_back(col.name());
    const auto closest = closest_word(name, names);
    throw NotFound(field, "no node has an attribute '" + name + "'" +
                              (closest.empty() ? "" : " (did you mean '" + closest + "'?)") +
                              "; this database has: " + attribute_names(g));
}

void validate(const std::vector<NodeCondition>& where, const Snapshot& g) {
    if (where.size() > kMaxConditions) {
        throw ParamError("where",
                         "at most " + std::to_string(kMaxConditions) + " conditions, got " + std::to_string(where.size()));
    }
    for (const auto& c : where) {
        const auto* column = &require_attribute(g, c.attribute, pointer_append("where", c.attribute));
        const std::string field = field_of(c);
        const std::string op(name_of(c.compare));
        if (c.compare == Compare::exists) {
            if (c.values.size() != 1 || !std::holds_alternative<bool>(c.values[0])) {
                throw ParamError(field, "'exists' takes true or false");
            }
            continue;
        }
        if (ordering(c.compare) && column->type() != AttributeType::number) {
            throw ParamError(field, "'" + op + "' orders numbers; '" + c.attribute + "' holds " +
                                        std::string(to_string(column->type())) +
                                        " values: use '=', '!=', 'in', 'not_in' or 'exists'");
        }
        if (listing(c.compare) && (c.values.empty() || c.values.size() > kMaxConditionValues)) {
            throw ParamError(field, "'" + op + "' takes a list of 1 to " + std::to_string(kMaxConditionValues) + " values, got " +
                                        std::to_string(c.values.size()));
        }
        if (!listing(c.compare) && c.values.size() != 1) throw ParamError(field, "'" + op + "' takes one value");
        for (std::size_t i = 0; i < c.values.size(); ++i) {
            const auto& v = c.values[i];
            const std::string at = listing(c.compare) ? field + "/" + std::to_string(i) : field;
            if (std::holds_alternative<std::monostate>(v) || type_of(v) != column->type()) {
                throw ParamError(
                    at, "expected a " + std::string(to_string(column->type())) + " (the type of '" + c.attribute + "')" +
                            (std::holds_alternative<std::monostate>(v) ? "" : ", got a " + std::string(to_string(type_of(v)))));
            }
            if (const double* x = std::get_if<double>(&v); x && !std::isfinite(*x))
                throw ParamError(at, "expected a finite number");
        }
    }
}

std::vector<std::uint8_t> select_nodes(const std::vector<NodeCondition>& where, const Snapshot& g) {
    validate(where, g);
    std::vector<Test> tests;
    tests.reserve(where.size());
    for (const auto& c : where) tests.push_back(compile(c, g));
    const NodeIndex n = g.node_count();
    std::vector<std::uint8_t> ok(n, 1);
    tbb::parallel_for(tbb::blocked_range<NodeIndex>(0, n, 4096), [&](const tbb::blocked_range<NodeIndex>& r) {
        for (NodeIndex u = r.begin(); u < r.end(); ++u) {
            for (const auto& t : tests) {
                if (!t.holds(u)) {
                    ok[u] = 0;
                    break;
                }
            }
        }
    });
    return ok;
}

std::string condition_key(const std::vector<NodeCondition>& where) {
    std::vector<std::string> parts;
    for (const auto& c : where) {
        std::string part = std::to_string(c.attribute.size()) + ":" + c.attribute + std::string(name_of(c.compare));
        std::vector<std::string> values;
        for (const auto& v : c.values) {
            if (const auto* s = std::get_if<std::string>(&v)) {
                values.push_back("s" + std::to_string(s->size()) + ":" + *s);
            } else if (const auto* d = std::get_if<double>(&v)) {
                values.push_back("n" + format_number(*d));
            } else if (const auto* b = std::get_if<bool>(&v)) {
                values.push_back(*b ? "t" : "f");
            }
        }
        std::sort(values.begin(), values.end());
        for (const auto& v : values) part += "," + v;
        parts.push_back(std::move(part));
    }
    std::sort(parts.begin(), parts.end());
    std::string key;
    for (const auto& p : parts) key += p + ";";
    return key;
}

}  // namespace smorg::graph
