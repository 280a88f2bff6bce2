#include "field_reader.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "smorg/graph/text.h"
#include "smorg/graph/time.h"

namespace smorg::queries {

std::string_view type_phrase(const json& value) {
    switch (value.type()) {
        case json::value_t::null:
            return "null";
        case json::value_t::object:
            return "an object";
        case json::value_t::array:
            return "an array";
        case json::value_t::string:
            return "a string";
        case json::value_t::boolean:
            return "a boolean";
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
            return "an integer";
        case json::value_t::number_float:
            return "a number";
        default:
            return "an unsupported value";
    }
}

FieldReader::FieldReader(const json& value, std::string at) : value_(value), at_(std::move(at)) {
    if (!value_.is_object()) {
        throw QueryError(ErrorCode::invalid_argument, "expected an object, got " + std::string(type_phrase(value_)), at_);
    }
}

std::string FieldReader::at(std::string_view key) const { return pointer_append(at_, key); }

bool FieldReader::has(std::string_view key) const {
    known_.emplace(key);
    return value_.contains(key);
}

const json* FieldReader::raw(std::string_view key) {
    known_.emplace(key);
    const auto it = value_.find(key);
    if (it == value_.end()) return nullptr;
    read_.emplace(key);
    return &*it;
}

std::optional<graph::Timestamp> FieldReader::maybe_timestamp(std::string_view key) {
    const json* v = raw(key);
    if (!v) return std::nullopt;
    if (v->is_number_integer()) return v->get<graph::Timestamp>();
    if (v->is_string()) {
        if (auto t = graph::parse_timestamp(v->get_ref<const std::string&>())) return t;
        fail(key, ErrorCode::invalid_argument,
             "expected a timestamp (epoch seconds or ISO-8601 like \"2024-03-01T12:00:00Z\"), got \"" + v->get<std::string>() +
                 "\"");
    }
    fail(key, ErrorCode::invalid_argument,
         "expected a timestamp (epoch seconds or an ISO-8601 string), got " + std::string(type_phrase(*v)));
}

FieldReader FieldReader::object(std::string_view key) {
    const json* v = raw(key);
    if (!v) fail(key, ErrorCode::invalid_argument, "missing required field '" + std::string(key) + "'");
    return FieldReader(*v, at(key));
}

void FieldReader::reject_unknown() const {
    for (const auto& [key, _] : value_.items()) {
        if (read_.contains(key)) continue;
        // Name the closest known field when the key looks like a typo of it, else list them all.
        std::string message = "unknown field '" + key + "'";
        const auto closest = graph::closest_word(key, std::vector<std::string>(known_.begin(), known_.end()));
        if (!closest.empty()) {
            message += "; did you mean '" + closest + "'?";
        } else if (!known_.empty()) {
            std::string list;
            for (const auto& known : known_) list += (list.empty() ? "" : ", ") + known;
            message += "; known fields here: " + list;
        }
        throw QueryError(ErrorCode::invalid_argument, message, at(key));
    }
}

void FieldReader::fail(std::string_view key, ErrorCode code, const std::string& message) const {
    throw QueryError(code, message, key.empty() ? at_ : at(key));
}

namespace {
[[noreturn]] void wrong_type(const json& value, const std::string& at, std::string_view expected) {
    throw QueryError(ErrorCode::invalid_argument,
                     "expected " + std::string(expected) + ", got " + std::string(type_phrase(value)), at);
}

// An integer-valued JSON number (10 or 10.0) as int64, or a type error.
std::int64_t integral(const json& value, const std::string& at) {
    if (value.is_number_integer()) {
        if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
            throw QueryError(ErrorCode::invalid_argument, "integer out of range", at);
        }
        return value.get<std::int64_t>();
    }
    if (value.is_number_float()) {
        const double d = value.get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::abs(d) < 9.0e15) return static_cast<std::int64_t>(d);
        throw QueryError(ErrorCode::invalid_argument, "expected an integer, got " + value.dump(), at);
    }
    wrong_type(value, at, "an integer");
}
}  // namespace

template <>
bool FieldReader::convert<bool>(const json& value, const std::string& at) {
    if (!value.is_boolean()) wrong_type(value, at, "a boolean");
    return value.get<bool>();
}

template <>
std::int64_t FieldReader::convert<std::int64_t>(const json& value, const std::string& at) {
    return integral(value, at);
}

template <>
int FieldReader::convert<int>(const json& value, const std::string& at) {
    const auto v = integral(value, at);
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
        throw QueryError(ErrorCode::invalid_argument, "integer out of range: " + std::to_string(v), at);
    }
    return static_cast<int>(v);
}

template <>
std::uint64_t FieldReader::convert<std::uint64_t>(const json& value, const std::string& at) {
    if (value.is_number_unsigned()) return value.get<std::uint64_t>();
    const auto v = integral(value, at);
    if (v < 0) throw QueryError(ErrorCode::invalid_argument, "expected a non-negative integer, got " + std::to_string(v), at);
    return static_cast<std::uint64_t>(v);
}

template <>
std::uint32_t FieldReader::convert<std::uint32_t>(const json& value, const std::string& at) {
    const auto v = convert<std::uint64_t>(value, at);
    if (v > std::numeric_limits<std::uint32_t>::max()) {
        throw QueryError(ErrorCode::invalid_argument, "integer out of range: " + std::to_string(v), at);
    }
    return static_cast<std::uint32_t>(v);
}

template <>
double FieldReader::convert<double>(const json& value, const std::string& at) {
    if (!value.is_number()) wrong_type(value, at, "a number");
    return value.get<double>();
}

template <>
std::string FieldReader::convert<std::string>(const json& value, const std::string& at) {
    if (!value.is_string()) wrong_type(value, at, "a string");
    return value.get<std::string>();
}

template <>
std::vector<std::string> FieldReader::convert<std::vector<std::string>>(const json& value, const std::string& at) {
    if (!value.is_array()) wrong_type(value, at, "an array of strings");
    std::vector<std::string> out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        out.push_back(convert<std::string>(value[i], pointer_append(at, std::to_string(i))));
    }
    return out;
}

template <>
std::vector<double> FieldReader::convert<std::vector<double>>(const json& value, const std::string& at) {
    if (!value.is_array()) wrong_type(value, at, "an array of numbers");
    std::vector<double> out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        out.push_back(convert<double>(value[i], pointer_append(at, std::to_string(i))));
    }
    return out;
}

}  // namespace smorg::queries
