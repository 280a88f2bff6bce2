// Opens a database and reports how long loading its snapshot took and how much memory it holds.
//   smorg_bench_snapshot --db F
#include <chrono>
#include <iostream>
#include <string>

#include "smorg/importers/database.h"

int main(int argc, char** argv) {
    if (argc != 3 || std::string(argv[1]) != "--db") {
        std::cerr << "usage: smorg_bench_snapshot --db F\n";
        return 2;
    }
    const auto started = std::chrono::steady_clock::now();
    const auto db = smorg::importers::Database::open(argv[2], {.create = false});
    const auto g = db->snapshot();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const auto bytes = g->memory_bytes();
    std::cout << "{\"open_seconds\": " << seconds << ", \"nodes\": " << g->node_count() << ", \"edges\": " << g->edge_count()
              << ", \"memory_bytes\": " << bytes << ", \"bytes_per_edge\": "
              << static_cast<double>(bytes) / static_cast<double>(std::max<std::uint32_t>(1, g->edge_count())) << "}\n";
    return 0;
}
