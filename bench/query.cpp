// One JSON request answered `repeat` times by one resident engine, as a server or a batch would:
// the time to open the database (snapshot load), then each answer's time, so that what the first
// request pays once (views) shows against the later ones. Prints one JSON line with the seconds,
// the first answer's result (without rows) and the process's peak memory.
//   smorg_bench_query --db F --request JSON [--repeat N] [--threads T]
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "smorg/queries/query_engine.h"

#include <sys/resource.h>

using namespace smorg;

int main(int argc, char** argv) {
    std::string db_path, request_text;
    int repeat = 2, threads = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--db")
            db_path = argv[i + 1];
        else if (arg == "--request")
            request_text = argv[i + 1];
        else if (arg == "--repeat")
            repeat = std::stoi(argv[i + 1]);
        else if (arg == "--threads")
            threads = std::stoi(argv[i + 1]);
    }
    if (db_path.empty() || request_text.empty() || repeat < 1) {
        std::cerr << "usage: smorg_bench_query --db F --request JSON [--repeat N] [--threads T]\n";
        return 2;
    }
    std::optional<queries::ThreadLimit> limit;
    if (threads > 0) limit.emplace(threads);
    const auto request = nlohmann::json::parse(request_text);
    using clock = std::chrono::steady_clock;
    auto t0 = clock::now();
    queries::EngineOptions options;
    options.limits = {1e18, 1e18};
    queries::QueryEngine engine(db_path, options);
    (void)engine.node_ids();  // the snapshot is loaded
    const double open_seconds = std::chrono::duration<double>(clock::now() - t0).count();
    nlohmann::json out;
    out["open_seconds"] = open_seconds;
    out["seconds"] = nlohmann::json::array();
    for (int i = 0; i < repeat; ++i) {
        auto t = clock::now();
        auto response = engine.execute(request);
        out["seconds"].push_back(std::chrono::duration<double>(clock::now() - t).count());
        if (!queries::response_ok(response)) {
            std::cerr << queries::to_text(response, 2) << "\n";
            return 1;
        }
        if (i == 0) {
            auto& result = response["result"];
            if (result.is_object()) result.erase("rows");
            out["result"] = result;
        }
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    out["peak_bytes"] = static_cast<double>(usage.ru_maxrss) * 1024;
    std::cout << out.dump() << "\n";
    return 0;
}
