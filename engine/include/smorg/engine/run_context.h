#pragma once

#include <atomic>
#include <functional>
#include <stdexcept>
#include <string_view>

#include "smorg/graph/errors.h"

namespace smorg::engine {

using graph::ParamError;

// Thrown by RunContext::throw_if_cancelled. An algorithm never returns a partial result.
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("the run was cancelled") {}
};

// Cancellation and progress for one run of an algorithm, passed by reference. cancel() may be
// called from any thread (a signal handler's thread, a server connection); progress is reported
// from the calling thread only, between batches of work, so the callback needs no locking.
class RunContext {
public:
    using ProgressFn = std::function<void(std::string_view phase, double done)>;  // done in [0, 1]

    RunContext() = default;
    explicit RunContext(ProgressFn on_progress) : on_progress_(std::move(on_progress)) {}
    RunContext(const RunContext&) = delete;
    RunContext& operator=(const RunContext&) = delete;

    void cancel() noexcept { cancelled_.store(true, std::memory_order_relaxed); }
    bool cancelled() const noexcept { return cancelled_.load(std::memory_order_relaxed); }
    void throw_if_cancelled() const {
        if (cancelled()) throw Cancelled();
    }
    void report(std::string_view phase, double done) const {
        if (on_progress_) on_progress_(phase, done < 0 ? 0 : (done > 1 ? 1 : done));
    }

private:
    ProgressFn on_progress_;
    std::atomic<bool> cancelled_{false};
};

}  // namespace smorg::engine
