#include "runs.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "http.h"
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

namespace smorg::server::detail {

namespace {

constexpr auto kWatchInterval = std::chrono::milliseconds(100);

// The address and port of a socket address, as httplib spells them.
bool address_of(const sockaddr_storage& a, std::string& host, int& port) {
    char buffer[INET6_ADDRSTRLEN] = {};
    if (a.ss_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(&a);
        inet_ntop(AF_INET, &in->sin_addr, buffer, sizeof buffer);
        port = ntohs(in->sin_port);
    } else if (a.ss_family == AF_INET6) {
        const auto* in = reinterpret_cast<const sockaddr_in6*>(&a);
        inet_ntop(AF_INET6, &in->sin6_addr, buffer, sizeof buffer);
        port = ntohs(in->sin6_port);
    } else {
        return false;
    }
    host = buffer;
    return true;
}

// True when the peer of `socket` has closed its side (or the connection broke).
bool hung_up(int socket) {
    pollfd p{socket, static_cast<short>(POLLIN | POLLRDHUP), 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    if (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) return true;
    if (p.revents & POLLIN) {
        // Readable: the next request of a keep-alive client, or the end of the stream.
        char byte;
        return ::recv(socket, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
    }
    return false;
}

}  // namespace

int connection_socket(const std::string& remote_addr, int remote_port, int local_port) {
    DIR* fds = ::opendir("/proc/self/fd");
    if (!fds) return -1;
    int found = -1;
    while (const dirent* entry = ::readdir(fds)) {
        char* end = nullptr;
        const long fd = std::strtol(entry->d_name, &end, 10);
        if (end == entry->d_name || *end != '\0') continue;
        sockaddr_storage peer{}, local{};
        socklen_t peer_size = sizeof peer, local_size = sizeof local;
        const int s = static_cast<int>(fd);
        if (::getpeername(s, reinterpret_cast<sockaddr*>(&peer), &peer_size) != 0) continue;
        if (::getsockname(s, reinterpret_cast<sockaddr*>(&local), &local_size) != 0) continue;
        std::string peer_host, local_host;
        int peer_port = -1, port = -1;
        if (!address_of(peer, peer_host, peer_port) || !address_of(local, local_host, port)) continue;
        if (peer_host == remote_addr && peer_port == remote_port && port == local_port) {
            found = s;
            break;
        }
    }
    ::closedir(fds);
    return found;
}

Run::Run(std::uint64_t id, std::string op, std::string client, int socket)
    : id_(id), op_(std::move(op)), client_(std::move(client)), socket_(socket), run_([this](std::string_view phase, double done) {
          std::lock_guard lock(mutex_);
          phase_ = phase;
          progress_ = done;
      }) {}

nlohmann::json Run::describe() const {
    std::lock_guard lock(mutex_);
    const auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - clock_).count();
    return {{"id", id_},
            {"op", op_},
            {"client", client_},
            {"started", iso_time(started_)},
            {"elapsed_ms", elapsed},
            {"phase", phase_},
            {"progress", progress_}};
}

Runs::Runs() : watcher_([this] { watch(); }) {}

Runs::~Runs() {
    stop_ = true;
    changed_.notify_all();
    watcher_.join();
}

std::shared_ptr<Run> Runs::start(std::string op, std::string client, int socket) {
    std::lock_guard lock(mutex_);
    const auto id = next_++;
    auto* run = new Run(id, std::move(op), std::move(client), socket);
    // Released by the handler that runs it: then it leaves the list.
    std::shared_ptr<Run> handle(run, [this](Run* r) {
        finish(r->id());
        delete r;
    });
    runs_.emplace(id, handle);
    return handle;
}

void Runs::finish(std::uint64_t id) {
    {
        std::lock_guard lock(mutex_);
        runs_.erase(id);
    }
    changed_.notify_all();
}

// The live runs, copied under the lock. A run whose handler has let go is released by the caller,
// outside the lock (its release takes the lock to unlist it).
std::vector<std::shared_ptr<Run>> Runs::live() const {
    std::vector<std::shared_ptr<Run>> out;
    std::lock_guard lock(mutex_);
    for (const auto& [id, weak] : runs_) {
        if (auto run = weak.lock()) out.push_back(std::move(run));
    }
    return out;
}

nlohmann::json Runs::list() const {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& run : live()) out.push_back(run->describe());
    return out;
}

bool Runs::cancel(std::uint64_t id) {
    for (const auto& run : live()) {
        if (run->id() == id) {
            run->context().cancel();
            return true;
        }
    }
    return false;
}

void Runs::cancel_all() {
    for (const auto& run : live()) run->context().cancel();
}

std::size_t Runs::count() const {
    std::lock_guard lock(mutex_);
    return runs_.size();
}

bool Runs::wait_idle(std::chrono::steady_clock::time_point until) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_until(lock, until, [this] { return runs_.empty(); });
}

void Runs::watch() {
    while (!stop_) {
        {
            std::unique_lock lock(mutex_);
            changed_.wait_for(lock, kWatchInterval, [this] { return stop_.load(); });
        }
        // A run's socket stays open while the run is live: its handler has not answered yet.
        for (const auto& run : live()) {
            if (run->socket_ >= 0 && hung_up(run->socket_)) run->context().cancel();
        }
    }
}

}  // namespace smorg::server::detail
