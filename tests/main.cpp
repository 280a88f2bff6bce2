// Catch2's main, plus one knob: SMORG_TEST_THREADS caps oneTBB's workers for the whole run. The
// ThreadSanitizer preset sets it to 1, so that the races it looks for are between smorg's own
// threads (readers, writers): Debian's libtbb is not instrumented, and TSan cannot see the
// synchronization inside it.
#define CATCH_CONFIG_RUNNER
#include <cstdlib>
#include <memory>

#include <catch2/catch.hpp>
#include <tbb/global_control.h>

int main(int argc, char** argv) {
    std::unique_ptr<tbb::global_control> limit;
    if (const char* threads = std::getenv("SMORG_TEST_THREADS"); threads && std::atoi(threads) > 0) {
        limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                      static_cast<std::size_t>(std::atoi(threads)));
    }
    return Catch::Session().run(argc, argv);
}
