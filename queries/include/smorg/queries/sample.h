#pragma once

// The built-in sample organization, for front ends (`smorg generate`, `smorg demo`) and tests.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "smorg/graph/run_context.h"
#include "smorg/graph/types.h"

namespace smorg::queries {

// The built-in sample organization (`smorg generate`): departments whose people talk more inside
// than across, two departments that barely talk, a reporting hierarchy, customers who refer
// customers in chains (a few champions with long chains), influencers who are not customers but
// bring some, employees who engage customers (some customers depend on one employee), prospects and
// partners. Deterministic for a seed at any thread count; streams its output, so it scales to tens
// of millions of edges.
struct SampleOrgParams {
    std::uint32_t employees = 120;   // >= 10
    std::uint32_t customers = 1500;  // >= 10
    std::uint32_t influencers = 15;
    std::uint32_t prospects = 0;           // default: customers / 5
    std::uint32_t partners = 0;            // default: max(3, customers / 500)
    double interactions_per_customer = 4;  // mean customer-to-customer interactions per customer
    std::uint64_t seed = 1;
    // A planted event: from this time on, the two walled-off departments (Engineering and Support)
    // talk like any other pair; before it, they barely do. None: the wall stands throughout.
    std::optional<graph::Timestamp> wall_opens;
    // A planted event: from this time on, the leading champion (the first customer, who refers the
    // most) refers no one; the customers they would have brought arrive on their own.
    std::optional<graph::Timestamp> champion_stops;
};

struct SampleOrgReport {
    std::filesystem::path nodes_file;  // <dir>/nodes.csv
    std::filesystem::path edges_file;  // <dir>/edges.csv
    std::map<std::string, std::uint64_t> nodes_by_kind;
    std::map<std::string, std::uint64_t> edges_by_kind;
    std::uint64_t bytes = 0;
    std::vector<std::string> departments;
    std::pair<std::string, std::string> cut_off_departments;  // the planted silo pair
    std::string champion;                                     // the id of the leading champion
};

// Writes nodes.csv and edges.csv into `dir` (created when missing), reporting progress by phase.
// Throws graph::ParamError for bad params and QueryError (failed_precondition) when the files
// cannot be written.
SampleOrgReport generate_sample_org(const std::filesystem::path& dir, const SampleOrgParams& params,
                                    const graph::RunContext::ProgressFn& progress = {});

}  // namespace smorg::queries
