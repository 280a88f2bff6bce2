#pragma once

// Small graphs and helpers shared by the test suites. Depends on the graph layer only.

#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "smorg/graph/snapshot.h"

namespace smorg::testing {

struct TestEdge {
    graph::NodeIndex source;
    graph::NodeIndex target;
    double weight = 1.0;
    std::string kind = "interaction";
    graph::Timestamp timestamp = graph::kNoTimestamp;
};

// A snapshot with nodes "0" .. "n-1" (kind `node_kind`) and the given edges.
graph::Snapshot graph_from_edges(graph::NodeIndex n, const std::vector<TestEdge>& edges,
                                 const std::string& node_kind = "customer");

// Zachary's karate club (34 nodes, 78 ties, each stored once as an arc from the lower id).
graph::Snapshot karate_club();

// A seeded G(n, p) directed graph (no self-loops) with weights 1..5 when `weighted`.
graph::Snapshot random_graph(graph::NodeIndex n, double p, std::uint64_t seed, bool weighted = false);

// The shared data folder (SMORG_DATA_DIR or the configured default). When a data set is missing:
// under CI (the CI variable set) the test fails; elsewhere it is skipped with a message.
std::filesystem::path data_dir();
// Returns the path of a data file, or empty after recording the skip/failure.
std::filesystem::path data_file(const std::string& relative);

// The Python interpreter that has networkx / igraph (SMORG_PYTHON).
std::string python();
// The whole content of a file (empty when it cannot be read).
std::string slurp(const std::filesystem::path& path);

// Runs a command, returns its stdout; fails the test on a non-zero exit.
std::string run_command(const std::string& command);

// A child process with its stdout on a pipe (stderr inherited), killed and reaped by the destructor
// when still running.
class Process {
public:
    explicit Process(const std::vector<std::string>& argv);
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    // The next line of its stdout (without the newline), or nullopt at the end or after `seconds`.
    std::optional<std::string> read_line(double seconds = 60);
    void kill(int signal = 9);
    // Waits for the exit: the exit status, or 128 + the signal that ended it.
    int wait();
    int pid() const noexcept { return pid_; }

private:
    int pid_ = -1;
    int out_ = -1;
    std::string buffer_;
    bool reaped_ = false;
    int status_ = 0;
};

// A fresh empty directory under the system temp dir, removed by the destructor.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const noexcept { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
    // Writes `content` to a file in the directory and returns its path.
    std::filesystem::path write(const std::string& name, const std::string& content) const;

private:
    std::filesystem::path path_;
};

}  // namespace smorg::testing
