#pragma once

// Shared by the fuzz harnesses (each a LLVMFuzzerTestOneInput in <name>_fuzz.cpp). Built two ways:
// with libFuzzer (clang, `make fuzz`) to search for crashes, and with replay_main.cpp into plain
// programs that CTest runs over every file of tests/fuzz/corpus/<name>/, so an input that once
// crashed (and was added to the corpus) stays a regression test in every build.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

namespace smorg::fuzz {

// A per-process scratch file (on tmpfs when there is one), rewritten with `data` each call.
inline std::string scratch_file(std::string_view data, const std::string& name) {
    static const std::filesystem::path dir = [] {
        std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
        auto d = base / ("smorg-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    const auto path = (dir / name).string();
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(data.data(), static_cast<std::streamsize>(data.size()));
    return path;
}

// An exception that input must never cause: report it and abort, so the fuzzer keeps the input.
[[noreturn]] inline void bug(const char* harness, const std::exception& e) {
    std::fprintf(stderr, "%s: unexpected exception: %s\n", harness, e.what());
    std::abort();
}

}  // namespace smorg::fuzz
