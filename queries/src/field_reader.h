#pragma once

// Strict reading of one JSON object of a request: every read knows its JSON pointer, wrong types
// and bad values are QueryErrors at that pointer, and reject_unknown() reports any key that no one
// read. Each op reads its params with it and then lets the engine validate ranges.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "smorg/graph/enum_names.h"
#include "smorg/graph/text.h"
#include "smorg/graph/types.h"
#include "smorg/queries/query_error.h"

namespace smorg::queries {

using json = nlohmann::json;

// "a string", "a number", ...: how a JSON value's type is named in messages.
std::string_view type_phrase(const json& value);

class FieldReader {
public:
    // `value` must be an object; else an invalid_argument error at `at`.
    FieldReader(const json& value, std::string at);

    const std::string& at() const noexcept { return at_; }
    // The JSON pointer of `key` inside this object.
    std::string at(std::string_view key) const;
    bool has(std::string_view key) const;
    const json& value() const noexcept { return value_; }

    // The raw value of `key` (marking it read), or nullptr when absent.
    const json* raw(std::string_view key);
    template <class T>
    T required(std::string_view key) {
        const json* v = raw(key);
        if (!v) fail(key, ErrorCode::invalid_argument, "missing required field '" + std::string(key) + "'");
        return convert<T>(*v, at(key));
    }
    template <class T>
    T optional(std::string_view key, T fallback) {
        const json* v = raw(key);
        return v ? convert<T>(*v, at(key)) : std::move(fallback);
    }
    template <class T>
    std::optional<T> maybe(std::string_view key) {
        const json* v = raw(key);
        if (!v) return std::nullopt;
        return convert<T>(*v, at(key));
    }
    // An enum spelled like its JSON string (see graph::EnumNames).
    template <class E>
    E optional_enum(std::string_view key, E fallback) {
        const json* v = raw(key);
        return v ? convert_enum<E>(*v, at(key)) : fallback;
    }
    template <class E>
    E required_enum(std::string_view key) {
        const json* v = raw(key);
        if (!v) fail(key, ErrorCode::invalid_argument, "missing required field '" + std::string(key) + "'");
        return convert_enum<E>(*v, at(key));
    }
    // A timestamp: epoch seconds (integer) or an ISO-8601 string.
    std::optional<graph::Timestamp> maybe_timestamp(std::string_view key);
    // A nested object, read strictly the same way.
    FieldReader object(std::string_view key);

    // Throws invalid_argument at the first key that was never read.
    void reject_unknown() const;
    [[noreturn]] void fail(std::string_view key, ErrorCode code, const std::string& message) const;

    template <class T>
    static T convert(const json& value, const std::string& at);
    template <class E>
    static E convert_enum(const json& value, const std::string& at) {
        if (!value.is_string()) {
            throw QueryError(ErrorCode::invalid_argument,
                             "expected one of " + graph::allowed_names<E>() + ", got " + std::string(type_phrase(value)), at);
        }
        const auto& text = value.get_ref<const std::string&>();
        if (auto parsed = graph::parse_enum<E>(text)) return *parsed;
        throw QueryError(ErrorCode::invalid_argument, "expected one of " + graph::allowed_names<E>() + ", got \"" + text + "\"",
                         at);
    }

private:
    const json& value_;
    std::string at_;
    std::set<std::string, std::less<>> read_;
    mutable std::set<std::string, std::less<>> known_;  // every field asked for, present or not (for hints)
};

// Appends a key to a JSON pointer, escaping '~' and '/'.
using graph::pointer_append;

template <>
bool FieldReader::convert<bool>(const json& value, const std::string& at);
template <>
int FieldReader::convert<int>(const json& value, const std::string& at);
template <>
std::int64_t FieldReader::convert<std::int64_t>(const json& value, const std::string& at);
template <>
std::uint64_t FieldReader::convert<std::uint64_t>(const json& value, const std::string& at);
template <>
std::uint32_t FieldReader::convert<std::uint32_t>(const json& value, const std::string& at);
template <>
double FieldReader::convert<double>(const json& value, const std::string& at);
template <>
std::string FieldReader::convert<std::string>(const json& value, const std::string& at);
template <>
std::vector<std::string> FieldReader::convert<std::vector<std::string>>(const json& value, const std::string& at);
template <>
std::vector<double> FieldReader::convert<std::vector<double>>(const json& value, const std::string& at);

}  // namespace smorg::queries
