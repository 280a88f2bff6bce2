#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "smorg/graph/enum_names.h"

namespace smorg::queries {

// A small closed set of error codes, in the spirit of Abseil's canonical codes. User mistakes and
// smorg's own bugs never share a code: an unexpected exception is `internal`.
enum class ErrorCode : std::uint8_t {
    invalid_argument,     // a field is missing, of the wrong type, out of range or unknown
    not_found,            // a named person, kind or attribute does not exist
    failed_precondition,  // the database is not in a state for this (e.g. empty)
    cancelled,            // the run was cancelled
    resource_exhausted,   // a limit was hit (too many results, memory)
    data_loss,            // an import failed: the files hold bad data; nothing landed
    internal,             // a bug in smorg
};

// A query failed. `at` is the JSON pointer of the field at fault ("" for the whole request).
class QueryError : public std::runtime_error {
public:
    QueryError(ErrorCode code, const std::string& message, std::string at = "")
        : std::runtime_error(message), code_(code), at_(std::move(at)) {}
    ErrorCode code() const noexcept { return code_; }
    const std::string& at() const noexcept { return at_; }

private:
    ErrorCode code_;
    std::string at_;
};

}  // namespace smorg::queries

template <>
struct smorg::graph::EnumNames<smorg::queries::ErrorCode> {
    static constexpr std::array<std::string_view, 7> names{"invalid_argument", "not_found", "failed_precondition",
                                                           "cancelled",        "resource_exhausted", "data_loss",
                                                           "internal"};
};
