// A process that imports one batch into a database, for the crash and concurrency tests: they
// start it, wait for it to reach a phase, and kill it there (or let two run at once).
//   smorg_import_child DB [--nodes F]... [--edges F]... [--pause-at PHASE] [--erase ID]...
//   smorg_import_child DB --read-for SECONDS
// With --pause-at, it prints "at PHASE" on stdout the first time the import reports that phase
// ("parse", "store", "snapshot", "cache") and then waits to be killed. It prints "done" at the end.
// With --read-for, it holds an SQLite read transaction on DB (as a slow reader would), prints
// "reading", and ends it after SECONDS.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include <sqlite3.h>
#include <tbb/global_control.h>

#include "smorg/importers/database.h"

using namespace smorg;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: smorg_import_child DB [--nodes F]... [--edges F]... [--pause-at PHASE] [--erase ID]...\n";
        return 2;
    }
    // As the test suites: SMORG_TEST_THREADS caps oneTBB's workers (1 under ThreadSanitizer).
    std::unique_ptr<tbb::global_control> limit;
    if (const char* threads = std::getenv("SMORG_TEST_THREADS"); threads && std::atoi(threads) > 0) {
        limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                      static_cast<std::size_t>(std::atoi(threads)));
    }
    importers::ImportSpec spec;
    std::string pause_at;
    std::vector<std::string> erase;
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--nodes") spec.nodes.emplace_back(argv[i + 1]);
        if (arg == "--edges") spec.edges.emplace_back(argv[i + 1]);
        if (arg == "--pause-at") pause_at = argv[i + 1];
        if (arg == "--erase") erase.emplace_back(argv[i + 1]);
    }
    if (argc == 4 && std::string(argv[2]) == "--read-for") {
        sqlite3* db = nullptr;
        if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return 1;
        sqlite3_exec(db, "BEGIN; SELECT count(*) FROM nodes;", nullptr, nullptr, nullptr);
        std::cout << "reading" << std::endl;
        std::this_thread::sleep_for(std::chrono::duration<double>(std::stod(argv[3])));
        sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
        sqlite3_close(db);
        std::cout << "done" << std::endl;
        return 0;
    }
    try {
        auto db = importers::Database::open(argv[1]);
        bool paused = false;
        graph::RunContext run([&](std::string_view phase, double) {
            if (paused || pause_at.empty() || phase != pause_at) return;
            paused = true;
            std::cout << "at " << phase << std::endl;
            std::this_thread::sleep_for(std::chrono::minutes(5));  // until killed
        });
        if (!spec.nodes.empty() || !spec.edges.empty()) db->import(spec, run);
        if (!erase.empty()) db->erase(erase);
        std::cout << "done" << std::endl;
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "smorg_import_child: " << e.what() << '\n';
        return 1;
    }
}
