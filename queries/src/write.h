#pragma once

// A request's "write": the per-person values of a row-returning op kept as a derived attribute.

#include <optional>
#include <string>

#include "field_reader.h"
#include "op_context.h"

namespace smorg::queries {

struct WriteRequest {
    std::string attribute;
    bool replace = false;
    std::string at;  // the JSON pointer of "write"
};

// Reads "write" ({"attribute", "replace"}), or nullopt when absent. Refused at /write for an op
// that gives no per-person values and together with "estimate" (nothing runs, nothing is written).
std::optional<WriteRequest> read_write(FieldReader& reader, std::string_view op, bool estimate);

// Stores the column the op filled as the attribute and answers {attribute, batch, people, cleared,
// replaced}. Errors of the store are placed under /write.
json write_back(const OpContext& ctx, const WriteRequest& write, const NodeColumn& column, const json& request);

}  // namespace smorg::queries
