#include "graphviz.h"

#include <cerrno>
#include <csignal>
#include <cstring>

#include "smorg/queries/query_error.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace smorg::queries {

std::string dot_quote(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

namespace {

// The `dot` program, which lays out every engine (`-K`): the one found when smorg was built, or the
// first on PATH when that one is gone (an installed smorg on another machine).
const char* dot_program() {
    static const bool built_in = ::access(SMORG_DOT_EXECUTABLE, X_OK) == 0;
    return built_in ? SMORG_DOT_EXECUTABLE : "dot";
}

struct Fd {
    int fd = -1;
    Fd() = default;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    void reset() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

// Waits for the child, killing it first when asked, and returns its wait status.
int reap(pid_t child, bool kill_first) {
    if (kill_first) ::kill(child, SIGKILL);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

}  // namespace

std::string render_svg(const std::string& dot, const std::string& engine, const std::string& at, const RunContext& run) {
    // Graphviz runs as its own program, fed the DOT on stdin: a layout cannot be interrupted from
    // inside, takes seconds on a large map, and its libraries are not safe to start in a forked copy
    // of a threaded process. A cancel (or the deadline) kills it. stdin is a socket, so a write to
    // a program that already quit fails with EPIPE instead of raising SIGPIPE in the caller.
    const auto fail = [&](const std::string& why) { return QueryError(ErrorCode::failed_precondition, why, at); };
    int in_pair[2], out_pipe[2], err_pipe[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair) != 0) throw fail("cannot start the Graphviz layout");
    Fd in_parent, in_child, out_read, out_write, err_read, err_write;
    in_parent.fd = in_pair[0];
    in_child.fd = in_pair[1];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw fail("cannot start the Graphviz layout");
    out_read.fd = out_pipe[0];
    out_write.fd = out_pipe[1];
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) throw fail("cannot start the Graphviz layout");
    err_read.fd = err_pipe[0];
    err_write.fd = err_pipe[1];

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_child.fd, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_write.fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_write.fd, STDERR_FILENO);
    const std::string layout = "-K" + engine;
    const char* program = dot_program();
    char* argv[] = {const_cast<char*>(program), const_cast<char*>("-Tsvg"), const_cast<char*>(layout.c_str()), nullptr};
    pid_t child = -1;
    const int spawned = ::posix_spawnp(&child, program, &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        throw fail(spawned == ENOENT ? "Graphviz is not installed: the `dot` program was not found (install the graphviz package)"
                                     : std::string("cannot start Graphviz's `dot`: ") + std::strerror(spawned));
    }
    in_child.reset();
    out_write.reset();
    err_write.reset();

    run.report("laying out the map", 0);
    std::string svg, errors;
    std::size_t sent = 0;
    if (dot.empty()) in_parent.reset();
    while (out_read.fd >= 0 || err_read.fd >= 0) {
        if (run.cancelled()) {
            reap(child, true);
            run.throw_if_cancelled();
        }
        pollfd fds[3];
        nfds_t count = 0;
        for (const Fd* f : {&out_read, &err_read}) {
            if (f->fd >= 0) fds[count++] = pollfd{f->fd, POLLIN, 0};
        }
        if (in_parent.fd >= 0) fds[count++] = pollfd{in_parent.fd, POLLOUT, 0};
        const int ready = ::poll(fds, count, 50);
        if (ready < 0 && errno != EINTR) break;
        if (ready <= 0) continue;
        for (nfds_t i = 0; i < count; ++i) {
            if (fds[i].revents == 0) continue;
            if (fds[i].fd == in_parent.fd) {
                const auto put = ::send(in_parent.fd, dot.data() + sent, dot.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (put > 0) sent += static_cast<std::size_t>(put);
                if ((put < 0 && errno != EINTR && errno != EAGAIN) || sent == dot.size()) in_parent.reset();
                continue;
            }
            Fd& source = fds[i].fd == out_read.fd ? out_read : err_read;
            char chunk[65536];
            const auto got = ::read(source.fd, chunk, sizeof chunk);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) {
                source.reset();
                continue;
            }
            (&source == &out_read ? svg : errors).append(chunk, static_cast<std::size_t>(got));
        }
    }
    const int status = reap(child, false);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && svg.find("<svg") != std::string::npos) {
        run.report("laying out the map", 1);
        return svg;
    }
    while (!errors.empty() && (errors.back() == '\n' || errors.back() == '\r')) errors.pop_back();
    if (WIFSIGNALED(status))
        throw fail("the Graphviz layout ended without a map (it crashed)" + (errors.empty() ? "" : ": " + errors));
    throw fail("Graphviz could not lay out the map with '" + engine + "'" + (errors.empty() ? "" : ": " + errors));
}

}  // namespace smorg::queries
