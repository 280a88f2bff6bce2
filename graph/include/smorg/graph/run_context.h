#pragma once

// One run of a piece of work (an algorithm, an import): cancellation, a deadline, progress, and the
// budget it must fit in. Every layer takes it by reference; it lives in the lowest one so that the
// importers honour Ctrl-C the same way the algorithms do.

#include <atomic>
#include <chrono>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace smorg::graph {

class Ranks;  // ranks.h

// Thrown by RunContext::throw_if_cancelled. Work never returns a partial result.
class Cancelled : public std::runtime_error {
public:
    explicit Cancelled(bool deadline = false)
        : std::runtime_error(deadline ? "the run passed its deadline and was cancelled" : "the run was cancelled"),
          deadline_(deadline) {}
    // True when the deadline, not a cancel() call, stopped the run.
    bool deadline() const noexcept { return deadline_; }

private:
    bool deadline_;
};

// What a piece of work is expected to cost, before it runs. `work` counts elementary steps (arc
// visits, rows, samples times their cost); `memory_bytes` the working memory beyond the snapshot
// it reads. `field` names the parameter that drives the cost (a JSON field, for the error's
// pointer); `basis` says how the figures were found ("upper bound", "pilot of 16 samples").
struct Estimate {
    double work = 0;
    double memory_bytes = 0;
    std::string field;
    std::string basis = "upper bound";

    // Adds another part (run in sequence: work adds up; memory is the larger peak unless `held`).
    Estimate& then(const Estimate& other, bool held = false);
};

// The budget one run may use. Work beyond `max_work` or memory beyond `max_memory_bytes` is refused
// before it starts (ResourceExhausted at the driving parameter).
struct Limits {
    // About a minute or two of arc visits on two cores; a request may raise it (see docs/queries.md).
    static constexpr double kDefaultMaxWork = 1e11;
    double max_work = kDefaultMaxWork;
    double max_memory_bytes = default_max_memory();

    // Half of the machine's physical memory (the default memory budget).
    static double default_max_memory() noexcept;
};

// A limit was hit (work, memory, a size). `field` is the parameter at fault, spelled like the JSON
// request ("epsilon", "simulations"), or empty for the whole request.
class ResourceExhausted : public std::runtime_error {
public:
    ResourceExhausted(std::string field, const std::string& message);
    const std::string& field() const noexcept { return field_; }

private:
    std::string field_;
};

// Cancellation, deadline, progress and budget for one run, passed by reference. cancel() may be
// called from any thread (a signal handler's, a server connection's); progress is reported from the
// calling thread only, between batches of work, so the callback needs no locking.
class RunContext {
public:
    using ProgressFn = std::function<void(std::string_view phase, double done)>;  // done in [0, 1]
    using Clock = std::chrono::steady_clock;

    RunContext() = default;
    explicit RunContext(ProgressFn on_progress) : on_progress_(std::move(on_progress)) {}
    RunContext(const RunContext&) = delete;
    RunContext& operator=(const RunContext&) = delete;

    void cancel() noexcept { cancelled_.store(true, std::memory_order_relaxed); }
    // True once cancel() was called or the deadline has passed.
    bool cancelled() const noexcept {
        if (cancelled_.load(std::memory_order_relaxed)) return true;
        return deadline_ && Clock::now() >= *deadline_;
    }
    void throw_if_cancelled() const {
        if (cancelled_.load(std::memory_order_relaxed)) throw Cancelled(false);
        if (deadline_ && Clock::now() >= *deadline_) throw Cancelled(true);
    }
    void report(std::string_view phase, double done) const {
        if (on_progress_) on_progress_(phase, done < 0 ? 0 : (done > 1 ? 1 : done));
    }
    const ProgressFn& progress() const noexcept { return on_progress_; }

    // The run stops (Cancelled with deadline() true) once this time has passed.
    void set_deadline(std::optional<Clock::time_point> deadline) noexcept { deadline_ = deadline; }
    std::optional<Clock::time_point> deadline() const noexcept { return deadline_; }

    const Limits& limits() const noexcept { return limits_; }
    void set_limits(const Limits& limits) noexcept { limits_ = limits; }
    // Throws ResourceExhausted (at estimate.field) when the estimate does not fit the limits.
    void admit(const Estimate& estimate) const;

    // The processes this run is spread over (ranks.h): one, unless a distributed front end set them.
    Ranks& ranks() const noexcept;
    void set_ranks(Ranks* ranks) noexcept { ranks_ = ranks; }
    // throw_if_cancelled agreed by every rank: a collective (every rank calls it at the same point of
    // the run), so one rank's cancel or deadline stops all of them there instead of leaving the others
    // waiting for it. On one rank, throw_if_cancelled.
    void throw_if_any_cancelled() const;

private:
    ProgressFn on_progress_;
    std::atomic<bool> cancelled_{false};
    std::optional<Clock::time_point> deadline_;
    Limits limits_;
    Ranks* ranks_ = nullptr;
};

// "12.3 GiB", "850 MiB": for messages about memory.
std::string format_bytes(double bytes);

}  // namespace smorg::graph
