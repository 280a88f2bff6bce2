#pragma once

// What spread and seeds share before they run: the influence view's default ties.

#include "smorg/engine/referral/spread.h"

namespace smorg::engine::detail {

// params with the influence view's default ties (engine::influence_view) filled in, validated
// against g (ParamError at the field that is wrong).
template <class Params>
Params with_influence_view(const graph::Snapshot& g, const Params& given) {
    auto params = given;
    params.subgraph = influence_view(g, given.subgraph);
    validate(params, g);
    return params;
}

}  // namespace smorg::engine::detail
