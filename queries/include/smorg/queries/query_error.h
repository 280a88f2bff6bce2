#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "smorg/graph/enum_names.h"
#include "smorg/graph/text.h"

namespace smorg::queries {

// A small closed set of error codes, in the spirit of Abseil's canonical codes. User mistakes and
// smorg's own bugs never share a code: an unexpected exception is `internal`.
enum class ErrorCode : std::uint8_t {
    invalid_argument,     // a field is missing, of the wrong type, out of range or unknown
    not_found,            // a named person, kind, attribute or input file does not exist
    failed_precondition,  // the database is not in a state for this (e.g. empty)
    cancelled,            // the run was cancelled
    deadline_exceeded,    // the run passed its deadline and was cancelled
    resource_exhausted,   // a limit was hit (work, memory, sizes): refused before it started
    permission_denied,    // a file outside the places this engine may read or write
    data_loss,            // an import failed: the files hold bad data; nothing landed
    internal,             // a bug in smorg
};

// A query failed. `at` is the JSON pointer of the field at fault ("" for the whole request).
class QueryError : public std::runtime_error {
public:
    // The message is made printable (valid UTF-8) here, whatever it quotes.
    QueryError(ErrorCode code, const std::string& message, std::string at = "")
        : std::runtime_error(graph::printable(message)), code_(code), at_(graph::printable(at)) {}
    ErrorCode code() const noexcept { return code_; }
    const std::string& at() const noexcept { return at_; }

private:
    ErrorCode code_;
    std::string at_;
};

}  // namespace smorg::queries

template <>
struct smorg::graph::EnumNames<smorg::queries::ErrorCode> {
    static constexpr std::array<std::string_view, 9> names{"invalid_argument",  "not_found",         "failed_precondition",
                                                           "cancelled",         "deadline_exceeded", "resource_exhausted",
                                                           "permission_denied", "data_loss",         "internal"};
};
