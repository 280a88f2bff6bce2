#include "rr_sets.h"

#include <algorithm>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "smorg/graph/random.h"

namespace smorg::engine::detail {

using graph::NodeIndex;

void generate(const graph::Subgraph& view, const ArcProbabilities& p, CascadeModel model, std::uint64_t seed,
              std::uint64_t stream_base, std::uint64_t first, std::uint64_t last, RrSets& out, RunContext& run,
              Cascades& cascades) {
    const auto& roots = view.nodes();
    constexpr std::uint64_t kChunk = 4096;
    const std::uint64_t chunks = (last - first + kChunk - 1) / kChunk;
    constexpr std::uint64_t kWave = 64;  // chunks per parallel wave: bounds the staging memory
    for (std::uint64_t wave = 0; wave < chunks; wave += kWave) {
        run.throw_if_cancelled();
        const std::uint64_t wave_end = std::min(chunks, wave + kWave);
        std::vector<std::vector<NodeIndex>> staged(wave_end - wave);
        std::vector<std::vector<std::uint32_t>> sizes(wave_end - wave);
        tbb::parallel_for(tbb::blocked_range<std::uint64_t>(wave, wave_end, 1), [&](const auto& r) {
            auto& cascade = cascades.local();
            for (auto c = r.begin(); c != r.end(); ++c) {
                auto& buffer = staged[c - wave];
                auto& lengths = sizes[c - wave];
                const std::uint64_t begin = first + c * kChunk;
                const std::uint64_t end = std::min(last, begin + kChunk);
                for (auto i = begin; i < end; ++i) {
                    auto rng = graph::Rng::stream(seed, stream_base + i);
                    const auto root = roots[rng.below(roots.size())];
                    const auto before = buffer.size();
                    cascade.reverse_reachable(view, p, root, model, rng, buffer);
                    lengths.push_back(static_cast<std::uint32_t>(buffer.size() - before));
                }
            }
        });
        for (std::size_t c = 0; c < staged.size(); ++c) {
            out.nodes.insert(out.nodes.end(), staged[c].begin(), staged[c].end());
            for (auto length : sizes[c]) out.offsets.push_back(out.offsets.back() + length);
        }
    }
}

RrPilot pilot(const graph::Subgraph& view, const ArcProbabilities& p, CascadeModel model, std::uint64_t seed,
              std::uint64_t stream_base, std::uint64_t count) {
    RrPilot out;
    const auto& roots = view.nodes();
    if (roots.empty() || count == 0) return out;
    Cascade cascade(view.node_count());
    std::vector<NodeIndex> buffer;
    double arcs = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
        auto rng = graph::Rng::stream(seed, stream_base + i);
        const auto root = roots[rng.below(roots.size())];
        cascade.reverse_reachable(view, p, root, model, rng, buffer);
        arcs += static_cast<double>(cascade.last_arcs());
    }
    out.nodes = static_cast<double>(buffer.size()) / static_cast<double>(count);
    out.arcs = arcs / static_cast<double>(count) + 16;
    return out;
}

}  // namespace smorg::engine::detail
