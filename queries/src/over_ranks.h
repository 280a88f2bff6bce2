#pragma once

// What runs over ranks (docs/scale.md): the one home of which ops, and which of their forms, have a
// distributed form. A request for anything else is refused at its field before it runs, never run
// on one rank without saying so.

#include <string>

#include <nlohmann/json.hpp>

namespace smorg::queries {

// Throws QueryError (invalid_argument) at the field of `request` that asks for a form with no
// distributed form; `at` is the request's own pointer.
void check_over_ranks(const nlohmann::json& request, const std::string& at);

// "centrality (pagerank, degree, betweenness), components (weak), ...": for messages.
std::string over_ranks_list();

}  // namespace smorg::queries
