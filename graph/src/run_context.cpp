#include "smorg/graph/run_context.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "smorg/graph/errors.h"
#include "smorg/graph/ranks.h"
#include "smorg/graph/text.h"

#include <unistd.h>

namespace smorg::graph {

Estimate& Estimate::then(const Estimate& other, bool held) {
    // The part that costs more names the parameter to change.
    if (!other.field.empty() && (field.empty() || other.work >= work)) field = other.field;
    if (other.basis != "upper bound") basis = other.basis;
    work += other.work;
    memory_bytes = held ? memory_bytes + other.memory_bytes : std::max(memory_bytes, other.memory_bytes);
    return *this;
}

double Limits::default_max_memory() noexcept {
    static const double bytes = [] {
        const long pages = sysconf(_SC_PHYS_PAGES);
        const long size = sysconf(_SC_PAGE_SIZE);
        if (pages <= 0 || size <= 0) return 8.0 * (1ull << 30);
        return 0.5 * static_cast<double>(pages) * static_cast<double>(size);
    }();
    return bytes;
}

ResourceExhausted::ResourceExhausted(std::string field, const std::string& message)
    : std::runtime_error(printable(message)), field_(std::move(field)) {}

std::string format_bytes(double bytes) {
    const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (bytes >= 1024 && u < 5) {
        bytes /= 1024;
        ++u;
    }
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
    return buffer;
}

namespace {
std::string scientific(double x) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.2g", x);
    return buffer;
}
}  // namespace

void RunContext::admit(const Estimate& e) const {
    const std::string why = e.basis == "upper bound" ? "" : " (" + e.basis + ")";
    if (!(e.memory_bytes <= limits_.max_memory_bytes)) {
        throw ResourceExhausted(e.field, "this would need about " + format_bytes(e.memory_bytes) + " of working memory" + why +
                                             ", more than the " + format_bytes(limits_.max_memory_bytes) +
                                             " allowed; ask for less" + (e.field.empty() ? "" : " (" + e.field + ")"));
    }
    if (!(e.work <= limits_.max_work)) {
        throw ResourceExhausted(e.field, "this would take about " + scientific(e.work) + " steps of work" + why +
                                             ", more than max_work (" + scientific(limits_.max_work) + "); ask for less" +
                                             (e.field.empty() ? "" : " (" + e.field + ")") + " or raise max_work");
    }
}

Ranks& RunContext::ranks() const noexcept { return ranks_ ? *ranks_ : single_rank(); }

void RunContext::throw_if_any_cancelled() const {
    if (!ranks_ || ranks_->size() == 1) return throw_if_cancelled();
    // Which of the two stopped it travels too: a deadline anywhere reads as a deadline.
    const bool deadline = deadline_ && Clock::now() >= *deadline_;
    std::uint64_t flags[2] = {cancelled_.load(std::memory_order_relaxed) ? 1u : 0u, deadline ? 1u : 0u};
    ranks_->sum(flags);
    if (flags[1] != 0) throw Cancelled(true);
    if (flags[0] != 0) throw Cancelled(false);
}

Ranks& single_rank() noexcept {
    static SingleRank one;
    return one;
}

}  // namespace smorg::graph
