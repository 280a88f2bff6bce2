#include "over_ranks.h"

#include <array>
#include <string_view>

#include "smorg/queries/query_error.h"

#include "field_reader.h"

namespace smorg::queries {

namespace {

struct Form {
    std::string_view op;
    std::string_view field;  // empty: every form of the op
    std::array<std::string_view, 3> values;
    std::string_view says;
};

// Partitioned ops sweep each rank's own nodes with a ghost exchange per superstep; sampling ops
// split their samples by index over ranks that each hold the graph.
constexpr std::array<Form, 5> kForms{{
    {"centrality", "algorithm", {"pagerank", "degree", "betweenness"}, "centrality (pagerank, degree, betweenness)"},
    {"components", "", {}, "components (weak)"},
    {"communities", "algorithm", {"label_propagation", "", ""}, "communities (label_propagation)"},
    {"spread", "", {}, "spread"},
    {"seeds", "", {}, "seeds"},
}};

[[noreturn]] void refuse(const std::string& at, const std::string& field, const std::string& why) {
    throw QueryError(ErrorCode::invalid_argument, why + "; over ranks smorg runs " + over_ranks_list(),
                     field.empty() ? at : pointer_append(at, field));
}

std::string text_of(const nlohmann::json& request, const char* field) {
    const auto it = request.find(field);
    return it != request.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string over_ranks_list() {
    std::string list;
    for (const auto& form : kForms) list += (list.empty() ? "" : ", ") + std::string(form.says);
    return list;
}

void check_over_ranks(const nlohmann::json& request, const std::string& at) {
    if (!request.is_object()) return;  // the op's own reader says what is wrong with it
    const auto op = text_of(request, "op");
    const Form* form = nullptr;
    for (const auto& f : kForms) {
        if (f.op == op) form = &f;
    }
    if (!form) refuse(at, "op", "op '" + op + "' has no distributed form");
    if (request.contains("write")) refuse(at, "write", "nothing is written to the store over ranks: leave write out");
    if (!form->field.empty()) {
        const auto value = text_of(request, std::string(form->field).c_str());
        bool found = false;
        for (auto v : form->values) found = found || (!v.empty() && v == value);
        if (!found) {
            refuse(at, std::string(form->field),
                   value.empty() ? "give " + std::string(form->field) + " " + std::string(form->values[0]) + " over ranks"
                                 : op + " " + value + " has no distributed form");
        }
    }
    if (op == "centrality" && text_of(request, "algorithm") == "betweenness") {
        // Sources (exact, pivots) and samples (epsilon) split over ranks; the explanation's own
        // searches do not.
        if (request.contains("explain")) refuse(at, "explain", "betweenness explain has no distributed form");
    }
}

}  // namespace smorg::queries
