#pragma once

// One worker's cascade machinery: forward simulations (Monte Carlo spread) and reverse-reachable
// sets (IMM), for the independent cascade and linear threshold models. Marks are epochs, so nothing
// n-sized is cleared between runs. Every random draw comes from the caller's per-item stream, in an
// order fixed by the traversal, so a run depends only on (seed, item).

#include <cstdint>
#include <vector>

#include "smorg/engine/referral/spread.h"
#include "smorg/graph/random.h"
#include "smorg/graph/subgraph.h"

namespace smorg::engine::detail {

class Cascade {
public:
    explicit Cascade(graph::NodeIndex n) : mark_(n, 0), threshold_(n, 0), received_(n, 0) {}

    // People reached from `seeds` (seeds included) in one simulated cascade; `arcs` (optional) adds
    // the arcs it looked at.
    std::uint32_t simulate(const graph::Subgraph& view, const ArcProbabilities& p, const std::vector<graph::NodeIndex>& seeds,
                           CascadeModel model, graph::Rng& rng, std::uint64_t* arcs = nullptr) {
        const auto epoch = next_epoch();
        queue_.clear();
        for (auto s : seeds) {
            if (mark_[s] != epoch) {
                mark_[s] = epoch;
                queue_.push_back(s);
            }
        }
        // LT: a node's threshold is drawn the first time influence reaches it (touched_ epoch).
        const auto touched = next_epoch();
        for (std::size_t head = 0; head < queue_.size(); ++head) {
            const auto u = queue_[head];
            const auto targets = view.out_neighbors(u);
            const auto first = view.out_offset(u);
            for (std::size_t k = 0; k < targets.size(); ++k) {
                const auto v = targets[k];
                if (mark_[v] == epoch) continue;
                const double q = p.out_arc(first + k, v);
                if (model == CascadeModel::independent_cascade) {
                    if (q > 0 && rng.uniform() < q) {
                        mark_[v] = epoch;
                        queue_.push_back(v);
                    }
                } else {
                    if (touched_mark(v) != touched) {
                        set_touched(v, touched);
                        threshold_[v] = rng.uniform();
                        received_[v] = 0;
                    }
                    received_[v] += q;
                    if (received_[v] >= threshold_[v] && q > 0) {
                        mark_[v] = epoch;
                        queue_.push_back(v);
                    }
                }
            }
        }
        if (arcs) {
            for (auto u : queue_) *arcs += view.out_degree(u) + 1;
        }
        return static_cast<std::uint32_t>(queue_.size());
    }

    // The people the last simulate() reached, seeds first.
    const std::vector<graph::NodeIndex>& reached() const noexcept { return queue_; }

    // A random reverse-reachable set rooted at `root`, appended to `out`: the people whose activation
    // would reach the root in one random live-edge world (Borgs et al. 2014).
    void reverse_reachable(const graph::Subgraph& view, const ArcProbabilities& p, graph::NodeIndex root, CascadeModel model,
                           graph::Rng& rng, std::vector<graph::NodeIndex>& out) {
        const auto epoch = next_epoch();
        const auto begin = out.size();
        last_arcs_ = 0;
        mark_[root] = epoch;
        out.push_back(root);
        if (model == CascadeModel::independent_cascade) {
            for (std::size_t head = begin; head < out.size(); ++head) {
                const auto v = out[head];
                const auto sources = view.in_neighbors(v);
                const auto first = view.in_offset(v);
                last_arcs_ += sources.size() + 1;
                for (std::size_t k = 0; k < sources.size(); ++k) {
                    const auto u = sources[k];
                    if (mark_[u] == epoch) continue;
                    const double q = p.in_arc(first + k, v);
                    if (q > 0 && rng.uniform() < q) {
                        mark_[u] = epoch;
                        out.push_back(u);
                    }
                }
            }
            return;
        }
        // LT live-edge: each node keeps at most one in-arc, arc u->v with probability b(u, v).
        for (graph::NodeIndex v = root;;) {
            const auto sources = view.in_neighbors(v);
            const auto first = view.in_offset(v);
            last_arcs_ += sources.size() + 1;
            double x = rng.uniform();
            graph::NodeIndex picked = graph::kNoNode;
            for (std::size_t k = 0; k < sources.size(); ++k) {
                const double q = p.in_arc(first + k, v);
                if (x < q) {
                    picked = sources[k];
                    break;
                }
                x -= q;
            }
            if (picked == graph::kNoNode || mark_[picked] == epoch) return;
            mark_[picked] = epoch;
            out.push_back(picked);
            v = picked;
        }
    }

    // The arcs the last reverse_reachable looked at.
    std::uint64_t last_arcs() const noexcept { return last_arcs_; }

private:
    std::uint32_t next_epoch() {
        if (++epoch_ == 0) {
            std::fill(mark_.begin(), mark_.end(), 0);
            std::fill(touched_.begin(), touched_.end(), 0);
            epoch_ = 1;
        }
        return epoch_;
    }
    std::uint32_t touched_mark(graph::NodeIndex v) {
        if (touched_.empty()) touched_.assign(mark_.size(), 0);
        return touched_[v];
    }
    void set_touched(graph::NodeIndex v, std::uint32_t e) { touched_[v] = e; }

    std::vector<std::uint32_t> mark_;
    std::vector<std::uint32_t> touched_;
    std::vector<double> threshold_;
    std::vector<double> received_;
    std::vector<graph::NodeIndex> queue_;
    std::uint32_t epoch_ = 0;
    std::uint64_t last_arcs_ = 0;
};

}  // namespace smorg::engine::detail
