#include "fixtures.h"

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "smorg_test_paths.h"
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace smorg::testing {

graph::Snapshot graph_from_edges(graph::NodeIndex n, const std::vector<TestEdge>& edges, const std::string& node_kind) {
    graph::SnapshotBuilder b;
    const auto kind = b.node_kinds().intern(node_kind);
    for (graph::NodeIndex i = 0; i < n; ++i) b.add_node(std::to_string(i), kind, 1);
    for (const auto& e : edges) {
        b.add_edge({e.source, e.target, b.edge_kinds().intern(e.kind), e.weight, e.timestamp, std::nullopt});
    }
    return std::move(b).build();
}

graph::Snapshot karate_club() {
    static constexpr std::array<std::pair<int, int>, 78> kTies{{
        {0, 1},   {0, 2},   {0, 3},   {0, 4},   {0, 5},   {0, 6},   {0, 7},   {0, 8},   {0, 10},  {0, 11},  {0, 12},  {0, 13},
        {0, 17},  {0, 19},  {0, 21},  {0, 31},  {1, 2},   {1, 3},   {1, 7},   {1, 13},  {1, 17},  {1, 19},  {1, 21},  {1, 30},
        {2, 3},   {2, 7},   {2, 8},   {2, 9},   {2, 13},  {2, 27},  {2, 28},  {2, 32},  {3, 7},   {3, 12},  {3, 13},  {4, 6},
        {4, 10},  {5, 6},   {5, 10},  {5, 16},  {6, 16},  {8, 30},  {8, 32},  {8, 33},  {9, 33},  {13, 33}, {14, 32}, {14, 33},
        {15, 32}, {15, 33}, {18, 32}, {18, 33}, {19, 33}, {20, 32}, {20, 33}, {22, 32}, {22, 33}, {23, 25}, {23, 27}, {23, 29},
        {23, 32}, {23, 33}, {24, 25}, {24, 27}, {24, 31}, {25, 31}, {26, 29}, {26, 33}, {27, 33}, {28, 31}, {28, 33}, {29, 32},
        {29, 33}, {30, 32}, {30, 33}, {31, 32}, {31, 33}, {32, 33},
    }};
    std::vector<TestEdge> edges;
    for (const auto& [a, b] : kTies) {
        edges.push_back({static_cast<graph::NodeIndex>(a), static_cast<graph::NodeIndex>(b)});
    }
    return graph_from_edges(34, edges);
}

graph::Snapshot random_graph(graph::NodeIndex n, double p, std::uint64_t seed, bool weighted) {
    std::mt19937_64 rng(seed);  // test-only; the engine never uses std distributions
    std::vector<TestEdge> edges;
    for (graph::NodeIndex u = 0; u < n; ++u) {
        for (graph::NodeIndex v = 0; v < n; ++v) {
            if (u == v) continue;
            if (static_cast<double>(rng() >> 11) * 0x1.0p-53 < p) {
                edges.push_back({u, v, weighted ? static_cast<double>(1 + rng() % 5) : 1.0});
            }
        }
    }
    return graph_from_edges(n, edges);
}

std::filesystem::path data_dir() {
    if (const char* env = std::getenv("SMORG_DATA_DIR"); env && *env) return env;
    return SMORG_TEST_DATA_DIR_DEFAULT;
}

std::filesystem::path data_file(const std::string& relative) {
    const auto path = data_dir() / relative;
    if (std::filesystem::exists(path)) return path;
    if (std::getenv("CI")) {
        FAIL("data set missing under CI: " << path.string());
    }
    WARN("data set missing, test skipped: " << path.string());
    return {};
}

std::string python() {
    if (const char* env = std::getenv("SMORG_PYTHON"); env && *env) return env;
    return SMORG_TEST_PYTHON_DEFAULT;
}

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::string run_command(const std::string& command) {
    std::string output;
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    REQUIRE(pipe);
    std::array<char, 65536> buffer;
    std::size_t got = 0;
    while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0) output.append(buffer.data(), got);
    const int status = pclose(pipe.release());
    INFO("command: " << command);
    REQUIRE(status == 0);
    return output;
}

Process::Process(const std::vector<std::string>& argv) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    out_ = pipe_fds[0];
    if (rc != 0) {
        ::close(out_);
        throw std::runtime_error("could not start " + argv[0]);
    }
}

Process::~Process() {
    if (!reaped_) {
        ::kill(pid_, SIGKILL);
        wait();
    }
    if (out_ >= 0) ::close(out_);
}

std::optional<std::string> Process::read_line(double seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (true) {
        const auto nl = buffer_.find('\n');
        if (nl != std::string::npos) {
            auto line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            return line;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()).count();
        if (left <= 0) return std::nullopt;
        pollfd p{out_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
        char chunk[4096];
        const auto got = ::read(out_, chunk, sizeof chunk);
        if (got <= 0) return std::nullopt;
        buffer_.append(chunk, static_cast<std::size_t>(got));
    }
}

void Process::kill(int signal) {
    if (!reaped_) ::kill(pid_, signal);
}

int Process::wait() {
    if (!reaped_) {
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        reaped_ = true;
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    return status_;
}

TempDir::TempDir() {
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto candidate = std::filesystem::temp_directory_path() / ("smorg-test-" + std::to_string(rd()));
        if (std::filesystem::create_directory(candidate)) {
            path_ = candidate;
            return;
        }
    }
    throw std::runtime_error("could not create a temporary directory");
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& content) const {
    const auto path = path_ / name;
    std::ofstream out(path, std::ios::binary);
    out << content;
    return path;
}

}  // namespace smorg::testing
