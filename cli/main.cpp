#include <filesystem>
#include <iostream>
#include <string>

#include "smorg/queries/query_engine.h"

#include "cli.h"

namespace {
// The installed documents: beside the running program (<prefix>/bin/smorg and
// <prefix>/share/doc/smorg), else where the build was configured to install them.
std::string doc_dir() {
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto beside = exe.parent_path().parent_path() / SMORG_DOC_DIR_RELATIVE;
        if (std::filesystem::is_directory(beside, ec)) return beside.lexically_normal().string();
    }
    return SMORG_DOC_DIR;
}
}  // namespace

int main(int argc, char** argv) {
    using namespace smorg::cli;
    CLI::App app{
        "smorg: a relationship and influence engine.\n"
        "Load customers, employees, influencers and their ties into one graph; rank advocates and map silos."};
    app.name("smorg");
    app.require_subcommand(1);
    app.fallthrough();  // global options may come after the subcommand
    Globals globals;
    app.add_option("--threads", globals.threads, "Worker threads (default: every core); answers do not depend on it")
        ->check(CLI::NonNegativeNumber);
    app.add_flag("-q,--quiet", globals.quiet, "No progress output on stderr");
    app.add_option("--max-memory", globals.max_memory,
                   "Working memory a query may use, e.g. 8G or 512M (default: half the machine's memory); "
                   "larger queries are refused before they start");
    app.add_option(
           "--max-work", globals.max_work,
           "Default work budget of a query in steps (default 1e11, about a minute or two); a request's max_work overrides it")
        ->check(CLI::PositiveNumber);
    app.add_option("--output-dir", globals.output_dir,
                   "Where JSON queries may write files (exports, maps): relative names only (default: the current directory; "
                   "smorg serve: nowhere)")
        ->each([&globals](const std::string&) { globals.output_dir_given = true; });
    app.add_flag("--allow-absolute-paths", globals.allow_absolute_paths, "Let JSON queries write absolute paths too");
    app.set_version_flag("--version", "smorg 0.1.0");
    app.footer(std::string("Every op, field, result and error: docs/reference.md; the protocol: docs/queries.md.\n"
                           "Installed under ") +
               doc_dir() + " (README.md, docs/); `smorg SUBCOMMAND --help` for each command.");

    Command command;
    add_import(app, globals, command);
    add_query(app, globals, command);
    add_generate(app, globals, command);
    add_silos(app, globals, command);
    add_export(app, globals, command);
    add_demo(app, globals, command);
    add_serve(app, globals, command);

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {  // --help, --help-all, --version
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return kUsage;
    }
    if (!command) return kUsage;
    smorg::queries::ThreadLimit limit(globals.threads);
    try {
        return command();
    } catch (const std::exception& e) {  // QueryError, and what the front end itself throws
        end_progress();
        std::cerr << "smorg: " << e.what() << '\n';
        return kFailed;
    }
}
