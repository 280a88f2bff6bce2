#pragma once

// The web console's files (server/console), built into the binary by server/embed.cmake.

#include <string_view>
#include <vector>

namespace smorg::server::detail {

struct ConsoleFile {
    std::string_view name;     // e.g. "index.html"
    std::string_view content;  // the file's bytes
};

const std::vector<ConsoleFile>& console_files();

}  // namespace smorg::server::detail
