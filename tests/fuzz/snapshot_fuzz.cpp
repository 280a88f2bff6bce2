// The snapshot reader on any bytes (with a valid digest appended, so that the structural checks, not
// the checksum, are what is tested): it must refuse what it cannot serve, and whatever it accepts
// must be safe for every algorithm to walk.
#include <sstream>

#include "smorg/engine/centrality/betweenness.h"
#include "smorg/engine/centrality/pagerank.h"
#include "smorg/engine/community/communities.h"
#include "smorg/graph/binary_io.h"
#include "smorg/graph/snapshot.h"
#include "smorg/graph/subgraph.h"

#include "fuzz_support.h"

using namespace smorg;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    const std::uint64_t digest = graph::Digest::of(bytes.data(), bytes.size());
    bytes.append(reinterpret_cast<const char*>(&digest), sizeof digest);
    std::istringstream in(bytes);
    graph::Snapshot g;
    try {
        g = graph::Snapshot::read(in, bytes.size());
    } catch (const graph::CorruptData&) {
        return 0;
    } catch (const std::exception& e) {
        fuzz::bug("snapshot_fuzz", e);
    }
    // Accepted: walk it the ways the engine does.
    try {
        for (graph::NodeIndex u = 0; u < g.node_count(); ++u) {
            g.for_each_in_edge(u, [&](graph::NodeIndex s, graph::EdgeIndex e) {
                if (g.target(e) != u || s >= g.node_count()) std::abort();
            });
            for (const auto& c : g.attributes().columns()) (void)c.value(u);
        }
        graph::RunContext run;
        run.set_limits({1e8, 1e9});
        engine::PageRankParams pr;
        pr.max_iterations = 20;
        (void)engine::pagerank(g, pr, run);
        engine::BetweennessParams bp;
        bp.subgraph.directed = false;
        (void)engine::betweenness(g, bp, run);
        engine::CommunityParams cp;
        (void)engine::communities(g, cp, run);
    } catch (const graph::ResourceExhausted&) {
    } catch (const std::exception& e) {
        fuzz::bug("snapshot_fuzz", e);
    }
    return 0;
}
