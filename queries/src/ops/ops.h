#pragma once

// One function per op, one file per op (ops/<op>.cpp); registry.cpp lists them.

#include "op_context.h"

namespace smorg::queries::ops {

json stats(OpContext& ctx, FieldReader& reader);
json node(OpContext& ctx, FieldReader& reader);
json neighbors(OpContext& ctx, FieldReader& reader);
json path(OpContext& ctx, FieldReader& reader);
json centrality(OpContext& ctx, FieldReader& reader);
json import(OpContext& ctx, FieldReader& reader);
json erase(OpContext& ctx, FieldReader& reader);
json crv(OpContext& ctx, FieldReader& reader);
json spread(OpContext& ctx, FieldReader& reader);
json seeds(OpContext& ctx, FieldReader& reader);
json advocates(OpContext& ctx, FieldReader& reader);
json communities(OpContext& ctx, FieldReader& reader);
json components(OpContext& ctx, FieldReader& reader);
json silos(OpContext& ctx, FieldReader& reader);
json export_graph(OpContext& ctx, FieldReader& reader);
json trend(OpContext& ctx, FieldReader& reader);

}  // namespace smorg::queries::ops
