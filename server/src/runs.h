#pragma once

// The queries a server is running: listed by /v1/runs, cancelled by DELETE /v1/runs/{id}, by a
// client that goes away, or at shutdown.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "smorg/queries/query_engine.h"

namespace smorg::server::detail {

class Runs;

// One running query: its RunContext, what it is and how far it got.
class Run {
public:
    Run(std::uint64_t id, std::string op, std::string client, int socket);
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;

    std::uint64_t id() const { return id_; }
    queries::RunContext& context() { return run_; }
    nlohmann::json describe() const;

private:
    friend class Runs;
    const std::uint64_t id_;
    const std::string op_, client_;
    const int socket_;  // the client's connection, watched for a hang-up; -1 when unknown
    const std::chrono::system_clock::time_point started_ = std::chrono::system_clock::now();
    const std::chrono::steady_clock::time_point clock_ = std::chrono::steady_clock::now();
    mutable std::mutex mutex_;  // guards phase_ and progress_, written by the run's thread
    std::string phase_ = "starting";
    double progress_ = 0;
    queries::RunContext run_;
};

class Runs {
public:
    // Watches the clients of running queries: one that hangs up cancels its query.
    Runs();
    ~Runs();
    Runs(const Runs&) = delete;
    Runs& operator=(const Runs&) = delete;

    // A new run, listed until the returned handle is released.
    std::shared_ptr<Run> start(std::string op, std::string client, int socket);
    nlohmann::json list() const;
    // False when no such run.
    bool cancel(std::uint64_t id);
    void cancel_all();
    std::size_t count() const;
    // Waits until no run is listed, or `until`; true when none is.
    bool wait_idle(std::chrono::steady_clock::time_point until) const;

private:
    void finish(std::uint64_t id);
    std::vector<std::shared_ptr<Run>> live() const;
    void watch();

    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::map<std::uint64_t, std::weak_ptr<Run>> runs_;
    std::uint64_t next_ = 1;
    std::atomic<bool> stop_{false};
    std::thread watcher_;
};

// The socket of the connection a request came on (matched by both ends' addresses), or -1.
int connection_socket(const std::string& remote_addr, int remote_port, int local_port);

}  // namespace smorg::server::detail
