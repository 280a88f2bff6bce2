#include "graphviz.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <memory>

#include "smorg/queries/query_error.h"

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

// Lays out and renders in this process; on failure, the reason.
std::string render_here(const std::string& dot, const std::string& engine, std::string& error) {
    std::unique_ptr<GVC_t, int (*)(GVC_t*)> gvc(gvContext(), gvFreeContext);
    if (!gvc) {
        error = "Graphviz could not start";
        return {};
    }
    std::unique_ptr<Agraph_t, int (*)(Agraph_t*)> graph(agmemread(dot.c_str()), agclose);
    if (!graph) {
        error = "Graphviz could not read the generated map";
        return {};
    }
    if (gvLayout(gvc.get(), graph.get(), engine.c_str()) != 0) {
        error = "Graphviz could not lay out the map with '" + engine + "'";
        return {};
    }
    char* data = nullptr;
    unsigned int length = 0;
    const int rendered = gvRenderData(gvc.get(), graph.get(), "svg", &data, &length);
    std::string svg = rendered == 0 && data ? std::string(data, length) : std::string();
    if (data) gvFreeRenderData(data);
    gvFreeLayout(gvc.get(), graph.get());
    if (rendered != 0) error = "Graphviz could not render SVG";
    return svg;
}

void write_all(int fd, const std::string& text) {
    for (std::size_t at = 0; at < text.size();) {
        const auto put = ::write(fd, text.data() + at, text.size() - at);
        if (put < 0 && errno == EINTR) continue;
        if (put <= 0) return;
        at += static_cast<std::size_t>(put);
    }
}

}  // namespace

std::string render_svg(const std::string& dot, const std::string& engine, const std::string& at, const RunContext& run) {
    // Graphviz cannot be interrupted, and a large layout takes seconds: it runs in a child process
    // that a cancel (or the deadline) kills. The child writes "ok\n" or "error\n" and the text.
    int fds[2];
    if (::pipe(fds) != 0) throw QueryError(ErrorCode::failed_precondition, "cannot start the Graphviz layout", at);
    const pid_t child = ::fork();
    if (child < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        throw QueryError(ErrorCode::failed_precondition, "cannot start the Graphviz layout", at);
    }
    if (child == 0) {
        ::close(fds[0]);
        std::string error;
        const auto svg = render_here(dot, engine, error);
        write_all(fds[1], error.empty() ? "ok\n" + svg : "error\n" + error);
        ::close(fds[1]);
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string output;
    bool cancelled = false;
    for (;;) {
        if (run.cancelled()) {
            cancelled = true;
            ::kill(child, SIGKILL);
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        const int ready = ::poll(&p, 1, 50);
        if (ready < 0 && errno != EINTR) break;
        if (ready <= 0) continue;
        char chunk[65536];
        const auto got = ::read(fds[0], chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        output.append(chunk, static_cast<std::size_t>(got));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (cancelled) run.throw_if_cancelled();
    if (output.rfind("ok\n", 0) == 0) return output.substr(3);
    if (output.rfind("error\n", 0) == 0) throw QueryError(ErrorCode::failed_precondition, output.substr(6), at);
    throw QueryError(ErrorCode::failed_precondition, "the Graphviz layout ended without a map (it crashed)", at);
}

}  // namespace smorg::queries
