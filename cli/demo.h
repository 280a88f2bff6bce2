#pragma once

// `smorg demo`: generate the sample organization, import it, then run a list of sections, each a
// few queries printed as tables. Later capabilities add a section (a function in its own
// demo_<topic>.cpp and one line in kSections in demo.cpp).

#include <iosfwd>
#include <string>

#include "cli.h"

namespace smorg::cli {

struct DemoContext {
    queries::QueryEngine& engine;
    queries::RunContext& run;  // Ctrl-C cancels it
    std::ostream& out;
    std::string db_path;
    std::string dir;

    // Runs one request, shows it (so readers learn the protocol) and returns its result; throws
    // Interrupted when Ctrl-C stopped it, std::runtime_error if it fails otherwise (the demo's own
    // queries must not).
    json ask(const json& request, bool show_request = true);
};

struct Interrupted {};

void demo_overview(DemoContext& ctx);
void demo_reach(DemoContext& ctx);
void demo_advocates(DemoContext& ctx);
void demo_silos(DemoContext& ctx);

}  // namespace smorg::cli
