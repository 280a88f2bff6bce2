#include "common.h"
#include "ops/ops.h"
#include "smorg/engine/centrality/degree.h"
#include "smorg/engine/centrality/pagerank.h"

namespace smorg::queries::ops {

namespace {

enum class Algorithm : std::uint8_t { degree, pagerank };

}  // namespace
}  // namespace smorg::queries::ops

template <>
struct smorg::graph::EnumNames<smorg::queries::ops::Algorithm> {
    static constexpr std::array<std::string_view, 2> names{"degree", "pagerank"};
};

namespace smorg::queries::ops {

namespace {

// `sources`: an array of ids (equal weights) or an object id -> weight. Returns the pairs and, for
// error messages, the JSON key of each (its index or its id).
std::vector<std::pair<graph::NodeIndex, double>> read_sources(FieldReader& reader, const graph::Snapshot& g,
                                                              std::vector<std::string>& keys) {
    std::vector<std::pair<graph::NodeIndex, double>> sources;
    const json* raw = reader.raw("sources");
    if (!raw) return sources;
    const auto at = reader.at("sources");
    if (raw->is_array()) {
        for (std::size_t i = 0; i < raw->size(); ++i) {
            const auto item_at = pointer_append(at, std::to_string(i));
            sources.emplace_back(resolve_node(g, FieldReader::convert<std::string>((*raw)[i], item_at), item_at), 1.0);
            keys.push_back(std::to_string(i));
        }
    } else if (raw->is_object()) {
        for (const auto& [id, weight] : raw->items()) {
            const auto item_at = pointer_append(at, id);
            sources.emplace_back(resolve_node(g, id, item_at), FieldReader::convert<double>(weight, item_at));
            keys.push_back(id);
        }
    } else {
        throw QueryError(ErrorCode::invalid_argument,
                         "expected an array of ids or an object of id -> weight, got " + std::string(type_phrase(*raw)),
                         at);
    }
    return sources;
}

// The engine names a bad source by its position ("sources/3"); the request may have named it by id.
[[noreturn]] void rethrow_source_error(const graph::ParamError& e, const std::vector<std::string>& keys,
                                       const std::string& at) {
    const std::string prefix = "sources/";
    if (e.field().rfind(prefix, 0) == 0) {
        const auto i = std::stoul(e.field().substr(prefix.size()));
        if (i < keys.size()) throw QueryError(ErrorCode::invalid_argument, e.what(), pointer_append(at + "/sources", keys[i]));
    }
    throw;
}

struct Output {
    std::size_t top = 10;
    bool summary = false;
};

json render(const graph::Snapshot& g, const std::vector<graph::NodeIndex>& nodes, const std::vector<double>& score,
            const Output& out, json result) {
    result["nodes"] = nodes.size();
    if (out.summary) {
        result["summary"] = score_summary(nodes, score);
    } else {
        result["rows"] = ranked_rows(g, nodes, score, out.top);
    }
    return result;
}

}  // namespace

json centrality(OpContext& ctx, FieldReader& reader) {
    const auto& g = ctx.g();
    const auto algorithm = reader.required_enum<Algorithm>("algorithm");
    const auto subgraph = read_subgraph(reader);
    Output out;
    out.top = read_top(reader);
    out.summary = reader.optional<bool>("summary", false);

    switch (algorithm) {
        case Algorithm::degree: {
            engine::DegreeParams p;
            p.subgraph = subgraph;
            p.direction = reader.optional_enum<engine::Direction>("direction", p.direction);
            p.normalized = reader.optional<bool>("normalized", p.normalized);
            reader.reject_unknown();
            const auto r = engine::degree(g, p, ctx.run);
            return render(g, r.nodes, r.score, out, {{"algorithm", "degree"}});
        }
        case Algorithm::pagerank: {
            engine::PageRankParams p;
            p.subgraph = subgraph;
            p.damping = reader.optional<double>("damping", p.damping);
            p.tolerance = reader.optional<double>("tolerance", p.tolerance);
            p.max_iterations = reader.optional<int>("max_iterations", p.max_iterations);
            std::vector<std::string> keys;
            p.sources = read_sources(reader, g, keys);
            reader.reject_unknown();
            engine::PageRankResult r;
            try {
                r = engine::pagerank(g, p, ctx.run);
            } catch (const graph::ParamError& e) {
                rethrow_source_error(e, keys, ctx.at);
            }
            return render(g, r.nodes, r.score, out,
                          {{"algorithm", "pagerank"},
                           {"iterations", r.iterations},
                           {"converged", r.converged},
                           {"personalized", !p.sources.empty()}});
        }
    }
    throw QueryError(ErrorCode::internal, "unhandled algorithm");
}

}  // namespace smorg::queries::ops
