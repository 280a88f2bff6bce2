#pragma once

#include <string>

#include "smorg/queries/query_engine.h"

namespace smorg::queries {

// Lays out a graph given in DOT with Graphviz's `engine` (neato, dot, circo, ...) and returns it as
// SVG. Graphviz's `dot` program does the work as a child process that `run`'s cancel or deadline
// kills (Graphviz itself cannot be interrupted); progress phase "laying out the map". Throws
// QueryError (failed_precondition) when Graphviz is missing or cannot parse, lay out or render it,
// with Graphviz's own message; Cancelled when cancelled.
std::string render_svg(const std::string& dot, const std::string& engine, const std::string& at, const RunContext& run);

// A string as a DOT double-quoted ID, escaped.
std::string dot_quote(const std::string& text);

}  // namespace smorg::queries
