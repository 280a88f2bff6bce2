#include <filesystem>
#include <ostream>

#include "demo.h"
#include "silos_report.h"

namespace smorg::cli {

// Where the sample organization does not talk to itself: the planted Engineering / Support silo
// must show, and the map is drawn next to the database.
void demo_silos(DemoContext& ctx) {
    const auto svg = (std::filesystem::path(ctx.dir) / "silo-map.svg").string();
    const auto result = ctx.ask({{"op", "silos"}, {"permutations", 500}, {"svg", svg}});
    print_silos_report(ctx.out, result);
}

}  // namespace smorg::cli
