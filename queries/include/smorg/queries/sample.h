#pragma once

// The built-in sample organization, for front ends (`smorg generate`, `smorg demo`): front ends
// reach the importers layer only through queries.

#include "smorg/importers/sample_org.h"

namespace smorg::queries {

using importers::generate_sample_org;
using importers::SampleOrgParams;
using importers::SampleOrgReport;

}  // namespace smorg::queries
