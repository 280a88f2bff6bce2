// smorg-mpi: smorg's JSON queries over MPI ranks (docs/scale.md).
//
//   mpirun -np 4 smorg-mpi query --db org.db '{"op": "centrality", "algorithm": "pagerank", "top": 10}'
//
// Rank 0 reads the request and prints the answer; every rank opens the same database, runs the same
// request with its share of the work, and takes part in each collective. The answer has the shape
// `smorg query` gives, plus "ranks" and a "took" block of what the ranks exchanged.

#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "smorg/queries/query_engine.h"

#include "mpi_ranks.h"
#include <mpi.h>

namespace {

using nlohmann::json;
using smorg::queries::ErrorCode;

constexpr int kOk = 0, kFailed = 1, kUsage = 2;

// Every rank's request text: rank 0's, read from the argument, stdin or a file.
std::optional<std::string> read_request(const std::string& request, const std::string& file) {
    if (!file.empty()) {
        std::ifstream in(file, std::ios::binary);
        if (!in) return std::nullopt;
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    if (request == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
    return request;
}

// An error no other rank can be known to share (a bug, memory running out mid-run): the others may
// be waiting in a collective for this rank, so the whole job stops here, loudly.
bool stops_the_job(const json& response) {
    const auto check = [](const json& r) {
        if (r.value("ok", false)) return false;
        const auto code = r["error"].value("code", "");
        const auto message = r["error"].value("message", "");
        return code == "internal" || message.find("out of memory") != std::string::npos;
    };
    if (!response.is_array()) return check(response);
    for (const auto& r : response) {
        if (check(r)) return true;
    }
    return false;
}

int run_query(smorg::mpi::MpiRanks& ranks, const std::string& db, const std::string& request, const std::string& file,
              bool compact) {
    const bool root = ranks.rank() == 0;
    const auto print = [&](const json& response) {
        if (root) std::cout << smorg::queries::to_text(response, compact ? -1 : 2) << std::endl;
    };
    std::string text;
    std::uint64_t readable = 1;
    if (root) {
        auto read = read_request(request, file);
        readable = read ? 1 : 0;
        if (read) text = std::move(*read);
    }
    ranks.sum(std::span(&readable, 1));
    if (readable == 0) {
        print(smorg::queries::error_response(ErrorCode::not_found, "cannot read the request file '" + file + "'"));
        return kFailed;
    }
    ranks.broadcast(text, 0);
    if (text.empty()) {
        if (root) std::cerr << "smorg-mpi: give a request: as an argument, - for stdin, or --file F\n";
        return kUsage;
    }
    smorg::queries::EngineOptions options;
    options.ranks = &ranks;
    std::optional<smorg::queries::QueryEngine> engine;
    std::uint64_t opened = 1;
    json failure;
    try {
        engine.emplace(db, options);
    } catch (const smorg::queries::QueryError& e) {
        opened = 0;
        failure = smorg::queries::error_response(e.code(), e.what());
    }
    // Every rank learns whether every rank opened it, so none is left waiting for the others.
    ranks.sum(std::span(&opened, 1));
    if (opened != static_cast<std::uint64_t>(ranks.size())) {
        print(failure.is_null() ? smorg::queries::error_response(ErrorCode::failed_precondition,
                                                                 "another rank could not open the database '" + db + "'")
                                : failure);
        return kFailed;
    }
    smorg::queries::RunContext run;
    const auto response = engine->execute_text(text, run);
    if (stops_the_job(response)) {
        std::cerr << "smorg-mpi: rank " << ranks.rank() << ": " << smorg::queries::to_text(response) << '\n';
        MPI_Abort(MPI_COMM_WORLD, kFailed);
    }
    // The ranks answered alike, or the answer is not one.
    std::uint64_t ok = smorg::queries::response_ok(response) ? 1 : 0;
    ranks.sum(std::span(&ok, 1));
    if (ok != 0 && ok != static_cast<std::uint64_t>(ranks.size())) {
        if (root) std::cerr << "smorg-mpi: the ranks disagree on whether the request succeeded\n";
        MPI_Abort(MPI_COMM_WORLD, kFailed);
    }
    print(response);
    return ok != 0 ? kOk : kFailed;
}

}  // namespace

int main(int argc, char** argv) {
    int provided = 0;
    // Only the main thread of each rank calls MPI; smorg's worker threads never do.
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        std::cerr << "smorg-mpi: MPI could not start\n";
        return kFailed;
    }
    int status = kOk;
    {
        smorg::mpi::MpiRanks ranks(MPI_COMM_WORLD);
        CLI::App app{
            "smorg-mpi: smorg's queries over MPI ranks (docs/scale.md).\n"
            "Run it under mpirun or srun; rank 0 reads the request and prints the answer."};
        app.name("smorg-mpi");
        app.require_subcommand(1);
        app.fallthrough();
        int threads = 0;
        app.add_option("--threads", threads, "Worker threads per rank (default: every core; give cores / ranks per machine)")
            ->check(CLI::NonNegativeNumber);
        app.set_version_flag("--version", "smorg-mpi 0.1.0");
        std::string db, request, file;
        bool compact = false;
        auto* query = app.add_subcommand("query", "Answer a JSON query (or a batch) over the ranks");
        query->add_option("--db", db, "Database file, readable by every rank")->required();
        query->add_option("request", request, "The request as JSON, or - to read it from rank 0's stdin");
        query->add_option("--file", file, "Read the request from a file (on rank 0)");
        query->add_flag("--compact", compact, "One-line JSON output");
        query->footer(
            "Distributed ops: centrality (pagerank, degree, betweenness), components (weak),\n"
            "communities (label_propagation), spread, seeds. Others are refused at their field.\n\n"
            "Example:\n"
            "  mpirun -np 4 smorg-mpi --threads 1 query --db org.db '{\"op\": \"seeds\", \"k\": 50, \"seed\": 1}'");
        bool parsed = false;
        try {
            app.parse(argc, argv);
            parsed = true;
        } catch (const CLI::Success& e) {
            status = ranks.rank() == 0 ? app.exit(e) : 0;
        } catch (const CLI::ParseError& e) {
            if (ranks.rank() == 0) app.exit(e);
            status = kUsage;
        }
        if (parsed) {
            smorg::queries::ThreadLimit limit(threads);
            try {
                status = run_query(ranks, db, request, file, compact);
            } catch (const std::exception& e) {
                std::cerr << "smorg-mpi: rank " << ranks.rank() << ": " << e.what() << '\n';
                MPI_Abort(MPI_COMM_WORLD, kFailed);
            }
        }
    }
    MPI_Finalize();
    return status;
}
