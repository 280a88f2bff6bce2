#pragma once

#include <iosfwd>

#include "cli.h"

namespace smorg::cli {

// The silos result as a readable report: groups, cut-off pairs, introductions, spanners, the wall.
void print_silos_report(std::ostream& out, const json& result);

}  // namespace smorg::cli
