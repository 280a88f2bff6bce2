#pragma once

#include <string>

namespace smorg::queries {

// Lays out a graph given in DOT with Graphviz's `engine` (neato, dot, circo, ...) and returns it as
// SVG. Throws QueryError (failed_precondition) when Graphviz cannot parse, lay out or render it.
std::string render_svg(const std::string& dot, const std::string& engine, const std::string& at);

// A string as a DOT double-quoted ID, escaped.
std::string dot_quote(const std::string& text);

}  // namespace smorg::queries
