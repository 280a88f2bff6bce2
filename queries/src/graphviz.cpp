#include "graphviz.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <memory>

#include "smorg/queries/query_error.h"

namespace smorg::queries {

std::string dot_quote(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

std::string render_svg(const std::string& dot, const std::string& engine, const std::string& at) {
    std::unique_ptr<GVC_t, int (*)(GVC_t*)> gvc(gvContext(), gvFreeContext);
    if (!gvc) throw QueryError(ErrorCode::failed_precondition, "Graphviz could not start", at);
    std::unique_ptr<Agraph_t, int (*)(Agraph_t*)> graph(agmemread(dot.c_str()), agclose);
    if (!graph) throw QueryError(ErrorCode::internal, "Graphviz could not read the generated map", at);
    if (gvLayout(gvc.get(), graph.get(), engine.c_str()) != 0) {
        throw QueryError(ErrorCode::failed_precondition, "Graphviz could not lay out the map with '" + engine + "'", at);
    }
    char* data = nullptr;
    unsigned int length = 0;
    const int rendered = gvRenderData(gvc.get(), graph.get(), "svg", &data, &length);
    std::string svg = rendered == 0 && data ? std::string(data, length) : std::string();
    if (data) gvFreeRenderData(data);
    gvFreeLayout(gvc.get(), graph.get());
    if (rendered != 0) throw QueryError(ErrorCode::failed_precondition, "Graphviz could not render SVG", at);
    return svg;
}

}  // namespace smorg::queries
