#pragma once

// The engine runs under the graph layer's RunContext (cancellation, deadline, progress, budget).

#include "smorg/graph/errors.h"
#include "smorg/graph/run_context.h"

namespace smorg::engine {

using graph::Cancelled;
using graph::Estimate;
using graph::Limits;
using graph::ParamError;
using graph::ResourceExhausted;
using graph::RunContext;

}  // namespace smorg::engine
