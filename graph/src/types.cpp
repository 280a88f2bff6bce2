#include "smorg/graph/types.h"

namespace smorg::graph {

std::string_view to_string(Provenance p) noexcept {
    switch (p) {
        case Provenance::owned:
            return "owned";
        case Provenance::copied:
            return "copied";
        case Provenance::borrowed:
            return "borrowed";
        case Provenance::displayed:
            return "displayed";
        case Provenance::derived:
            return "derived";
    }
    return "owned";
}

bool parse_provenance(std::string_view text, Provenance& out) noexcept {
    for (auto p : {Provenance::owned, Provenance::copied, Provenance::borrowed, Provenance::displayed, Provenance::derived}) {
        if (text == to_string(p)) {
            out = p;
            return true;
        }
    }
    return false;
}

}  // namespace smorg::graph

#include <charconv>
#include <cmath>

#include "smorg/graph/errors.h"

namespace smorg::graph {

std::string format_number(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    char buffer[32];
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
    return std::string(buffer, end);
}

}  // namespace smorg::graph
