#include <map>

#include "smorg/engine/centrality/betweenness.h"
#include "smorg/engine/centrality/closeness.h"
#include "smorg/engine/centrality/degree.h"
#include "smorg/engine/centrality/pagerank.h"
#include "smorg/engine/centrality/spectral.h"

#include "common.h"
#include "ops/ops.h"

namespace smorg::queries::ops {

namespace {

enum class Algorithm : std::uint8_t { degree, pagerank, betweenness, closeness, harmonic, eigenvector, katz };

}  // namespace
}  // namespace smorg::queries::ops

template <>
struct smorg::graph::EnumNames<smorg::queries::ops::Algorithm> {
    static constexpr std::array<std::string_view, 7> names{"degree",   "pagerank",    "betweenness", "closeness",
                                                           "harmonic", "eigenvector", "katz"};
};

namespace smorg::queries::ops {

namespace {

constexpr std::size_t kMaxExplained = 10;  // explanations cost work per row: at most this many rows

// Node weights (`sources`, `dangling`): an array of ids (equal weights) or an object id -> weight.
// Returns the pairs and, for error messages, the JSON key of each (its index or its id).
using NodeKeys = std::map<std::string, std::vector<std::string>>;
std::vector<std::pair<graph::NodeIndex, double>> read_node_weights(FieldReader& reader, const graph::Snapshot& g,
                                                                   const std::string& field, NodeKeys& all_keys) {
    std::vector<std::pair<graph::NodeIndex, double>> sources;
    const json* raw = reader.raw(field);
    if (!raw) return sources;
    auto& keys = all_keys[field];
    const auto at = reader.at(field);
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
                         "expected an array of ids or an object of id -> weight, got " + std::string(type_phrase(*raw)), at);
    }
    return sources;
}

// The engine names a bad node weight by its position ("sources/3"); the request may have named it by id.
[[noreturn]] void rethrow_source_error(const graph::ParamError& e, const NodeKeys& all_keys, const std::string& at) {
    for (const auto& [field, keys] : all_keys) {
        const std::string prefix = field + "/";
        if (e.field().rfind(prefix, 0) != 0) continue;
        const auto i = std::stoul(e.field().substr(prefix.size()));
        if (i < keys.size()) throw QueryError(ErrorCode::invalid_argument, e.what(), pointer_append(at + "/" + field, keys[i]));
    }
    throw;
}

struct Output {
    std::size_t top = 10;
    bool summary = false;
    bool explain = false;
};

// The rows (or the summary) and the population: the nodes that took part, and how many of the chosen
// kinds were left out for having no tie in the view.
json render(const OpContext& ctx, const std::vector<graph::NodeIndex>& nodes, std::uint64_t isolated,
            const std::vector<double>& score, const Output& out, json result, const RowExtra& extra = {}) {
    const auto& g = ctx.g();
    offer_column(ctx, result["algorithm"].get<std::string>(), nodes, score);
    result["nodes"] = nodes.size();
    result["isolated"] = isolated;
    if (out.summary) {
        result["summary"] = score_summary(nodes, score);
    } else {
        result["rows"] = ranked_rows(g, nodes, score, out.top, "score", extra);
    }
    return result;
}

std::size_t explained_rows(const Output& out) { return out.top == 0 ? kMaxExplained : std::min(out.top, kMaxExplained); }

json degree_op(OpContext& ctx, FieldReader& reader, const graph::SubgraphSpec& subgraph, const Output& out) {
    engine::DegreeParams p;
    p.subgraph = subgraph;
    p.direction = reader.optional_enum<engine::Direction>("direction", p.direction);
    p.normalized = reader.optional<bool>("normalized", p.normalized);
    reader.reject_unknown();
    if (ctx.estimate) return estimate_result(ctx.run, engine::estimate(ctx.g(), p));
    const auto r = engine::degree(ctx.g(), p, ctx.run);
    return render(ctx, r.nodes, r.isolated, r.score, out, {{"algorithm", "degree"}});
}

json pagerank_op(OpContext& ctx, FieldReader& reader, const graph::SubgraphSpec& subgraph, const Output& out) {
    const auto& g = ctx.g();
    engine::PageRankParams p;
    p.subgraph = subgraph;
    p.damping = reader.optional<double>("damping", p.damping);
    p.tolerance = reader.optional<double>("tolerance", p.tolerance);
    p.max_iterations = reader.optional<int>("max_iterations", p.max_iterations);
    NodeKeys keys;
    p.sources = read_node_weights(reader, g, "sources", keys);
    p.dangling = read_node_weights(reader, g, "dangling", keys);
    if (out.explain) p.explain = explained_rows(out);
    reader.reject_unknown();
    engine::PageRankResult r;
    try {
        if (ctx.estimate) {
            engine::validate(p, g);
            return estimate_result(ctx.run, engine::estimate(g, p));
        }
        r = engine::pagerank(g, p, ctx.run);
    } catch (const graph::ParamError& e) {
        rethrow_source_error(e, keys, ctx.at);
    }
    RowExtra extra;
    if (out.explain) {
        extra = [&](json& row, graph::NodeIndex v) {
            for (const auto& [node, contributions] : r.explanations) {
                if (node != v) continue;
                json reasons = json::array();
                for (const auto& c : contributions) {
                    json reason = {{"share", c.share}};
                    if (c.from == graph::kNoNode) {
                        reason["from"] = p.sources.empty() ? "teleport" : "teleport to the sources";
                    } else {
                        reason["from"] = node_ref(g, c.from);
                    }
                    reasons.push_back(std::move(reason));
                }
                row["explain"] = std::move(reasons);
            }
        };
    }
    return render(ctx, r.nodes, r.isolated, r.score, out,
                  {{"algorithm", "pagerank"},
                   {"iterations", r.iterations},
                   {"converged", r.converged},
                   {"personalized", !p.sources.empty()}},
                  extra);
}

// Group ids per node from an attribute (for cross-group betweenness): equal values, equal group.
// People without a value are each a group of their own, so every pair with them counts.
std::vector<std::uint32_t> read_groups(FieldReader& reader, const graph::Snapshot& g) {
    const auto name = reader.maybe<std::string>("cross_group");
    if (!name) return {};
    const auto* column = g.attributes().find(*name);
    if (!column) {
        throw QueryError(ErrorCode::not_found, "no attribute '" + *name + "' to group people by", reader.at("cross_group"));
    }
    std::vector<std::uint32_t> groups(g.node_count());
    std::map<std::string, std::uint32_t> ids;
    auto next_id = static_cast<std::uint32_t>(g.node_count());  // ids above every node index for the ungrouped
    for (graph::NodeIndex u = 0; u < g.node_count(); ++u) {
        const auto value = column->value(u);
        if (std::holds_alternative<std::monostate>(value)) {
            groups[u] = u;
            continue;
        }
        const std::string key = std::holds_alternative<std::string>(value) ? std::get<std::string>(value)
                                : std::holds_alternative<double>(value)    ? graph::format_number(std::get<double>(value))
                                                                           : (std::get<bool>(value) ? "true" : "false");
        const auto [it, added] = ids.emplace(key, next_id);
        if (added) ++next_id;
        groups[u] = it->second;
    }
    return groups;
}

json betweenness_op(OpContext& ctx, FieldReader& reader, const graph::SubgraphSpec& subgraph, const Output& out) {
    const auto& g = ctx.g();
    engine::BetweennessParams p;
    p.subgraph = subgraph;
    p.weight_as = reader.optional_enum<graph::WeightAs>("weight_as", p.weight_as);
    p.normalized = reader.optional<bool>("normalized", p.normalized);
    p.endpoints = reader.optional<bool>("endpoints", p.endpoints);
    p.epsilon = reader.maybe<double>("epsilon");
    p.delta = reader.optional<double>("delta", p.delta);
    p.pivots = reader.maybe<std::uint64_t>("pivots");
    p.seed = reader.optional<std::uint64_t>("seed", p.seed);
    p.groups = read_groups(reader, g);
    if (!p.epsilon && reader.has("delta")) {
        throw QueryError(ErrorCode::invalid_argument, "delta applies to sampled betweenness: give epsilon too",
                         reader.at("delta"));
    }
    if (!p.epsilon && !p.pivots && reader.has("seed")) {
        throw QueryError(ErrorCode::invalid_argument, "seed applies to sampled betweenness: give epsilon or pivots too",
                         reader.at("seed"));
    }
    if (out.explain) p.explain = explained_rows(out);
    reader.reject_unknown();
    if (ctx.estimate) {
        engine::validate(p, g);
        return estimate_result(ctx.run, engine::estimate(g, p));
    }
    const auto r = engine::betweenness(g, p, ctx.run);
    json result = {{"algorithm", "betweenness"}, {"sampled", r.sampled}, {"normalized", p.normalized}};
    if (r.exact_instead) {
        result["epsilon"] = *p.epsilon;
        result["error_bound"] = 0;
        result["note"] = "the bound for this epsilon needs at least as many samples as there are nodes: computed exactly";
    }
    if (p.pivots) result["pivots"] = r.samples;
    if (r.sampled && p.epsilon) {
        result["samples"] = r.samples;
        result["epsilon"] = *p.epsilon;
        result["delta"] = p.delta;
        result["error_bound"] = r.error_bound;
        result["vertex_diameter_bound"] = r.vertex_diameter_bound;
    }
    if (!p.groups.empty()) result["cross_group"] = reader.value().at("cross_group");
    RowExtra extra;
    if (out.explain) {
        extra = [&](json& row, graph::NodeIndex v) {
            for (const auto& [node, reasons] : r.explanations) {
                if (node != v) continue;
                json list = json::array();
                for (const auto& reason : reasons) {
                    json path = json::array();
                    for (auto u : reason.path) path.push_back(g.id(u));
                    list.push_back({{"source", g.id(reason.source)},
                                    {"target", g.id(reason.target)},
                                    {"share", reason.share},
                                    {"path", path}});
                }
                row["explain"] = std::move(list);
            }
        };
    }
    return render(ctx, r.nodes, r.isolated, r.score, out, std::move(result), extra);
}

json distance_op(OpContext& ctx, FieldReader& reader, const graph::SubgraphSpec& subgraph, const Output& out,
                 engine::DistanceMeasure measure) {
    engine::ClosenessParams p;
    p.subgraph = subgraph;
    p.weight_as = reader.optional_enum<graph::WeightAs>("weight_as", p.weight_as);
    p.direction = reader.optional_enum<engine::Direction>("direction", p.direction);
    if (measure == engine::DistanceMeasure::harmonic) p.normalized = reader.optional<bool>("normalized", p.normalized);
    if (measure == engine::DistanceMeasure::closeness) p.wf_improved = reader.optional<bool>("wf_improved", p.wf_improved);
    p.samples = reader.maybe<std::uint64_t>("samples");
    p.seed = reader.optional<std::uint64_t>("seed", p.seed);
    if (!p.samples && reader.has("seed")) {
        throw QueryError(ErrorCode::invalid_argument,
                         std::string("seed applies to sampled ") + std::string(graph::name_of(measure)) + ": give samples too",
                         reader.at("seed"));
    }
    reader.reject_unknown();
    if (ctx.estimate) return estimate_result(ctx.run, engine::estimate(ctx.g(), p));
    const auto r = measure == engine::DistanceMeasure::closeness ? engine::closeness(ctx.g(), p, ctx.run)
                                                                 : engine::harmonic(ctx.g(), p, ctx.run);
    json result = {{"algorithm", graph::name_of(measure)}, {"sampled", r.sampled}, {"samples", r.samples}};
    return render(ctx, r.nodes, r.isolated, r.score, out, std::move(result));
}

json spectral_result(const char* name, const engine::SpectralResult& r) {
    json result = {{"algorithm", name}, {"iterations", r.iterations}, {"converged", r.converged}};
    if (!r.converged && !r.diverged) {
        result["warning"] = std::string("did not converge in ") + std::to_string(r.iterations) + " iterations (last change " +
                            graph::format_number(r.last_change) + "): the scores are the last iterate; raise max_iterations";
    }
    return result;
}

json eigenvector_op(OpContext& ctx, FieldReader& reader, const graph::SubgraphSpec& subgraph, const Output& out) {
    engine::EigenvectorParams p;
    p.subgraph = subgraph;
    p.tolerance = reader.optional<double>("tolerance", p.tolerance);
    p.max_iterations = reader.optional<int>("max_iterations", p.max_iterations);
    reader.reject_unknown();
    if (ctx.estimate) return estimate_result(ctx.run, engine::estimate(ctx.g(), p));
    const auto r = engine::eigenvector(ctx.g(), p, ctx.run);
    return render(ctx, r.nodes, r.isolated, r.score, out, spectral_result("eigenvector", r));
}

json katz_op(OpContext& ctx, FieldReader& reader, const graph::SubgraphSpec& subgraph, const Output& out) {
    engine::KatzParams p;
    p.subgraph = subgraph;
    p.alpha = reader.maybe<double>("alpha");
    p.beta = reader.optional<double>("beta", p.beta);
    p.tolerance = reader.optional<double>("tolerance", p.tolerance);
    p.max_iterations = reader.optional<int>("max_iterations", p.max_iterations);
    p.normalized = reader.optional<bool>("normalized", p.normalized);
    reader.reject_unknown();
    if (ctx.estimate) return estimate_result(ctx.run, engine::estimate(ctx.g(), p));
    const auto r = engine::katz(ctx.g(), p, ctx.run);
    json result = spectral_result("katz", r);
    result["alpha"] = r.alpha;
    result["alpha_chosen"] = !p.alpha.has_value();
    if (r.largest_eigenvalue) result["largest_eigenvalue"] = *r.largest_eigenvalue;
    if (r.diverged) {
        // No ranking: the last iterate of a divergent series says nothing about anyone.
        const double limit = *r.largest_eigenvalue > 0 ? 1 / *r.largest_eigenvalue : 0;
        result["diverged"] = true;
        result["nodes"] = r.nodes.size();
        result["isolated"] = r.isolated;
        if (out.summary) {
            result["summary"] = score_summary({}, {});  // nobody scored
        } else {
            result["rows"] = json::array();
        }
        result["warning"] = "the Katz series diverges: alpha (" + graph::format_number(r.alpha) +
                            ") is not below 1 / the largest eigenvalue (1 / " + graph::format_number(*r.largest_eigenvalue) +
                            " = " + graph::format_number(limit) +
                            "); give a smaller alpha, or leave alpha out to have one chosen";
        return result;
    }
    return render(ctx, r.nodes, r.isolated, r.score, out, std::move(result));
}

}  // namespace

json centrality(OpContext& ctx, FieldReader& reader) {
    const auto algorithm = reader.required_enum<Algorithm>("algorithm");
    const auto subgraph = read_subgraph(reader);
    Output out;
    out.top = read_top(reader);
    out.summary = reader.optional<bool>("summary", false);
    const bool explainable = algorithm == Algorithm::pagerank || algorithm == Algorithm::betweenness;
    if (explainable) out.explain = reader.optional<bool>("explain", false);
    if (out.explain && out.summary) {
        throw QueryError(ErrorCode::invalid_argument, "explain applies to rows; it cannot go with summary", reader.at("explain"));
    }
    switch (algorithm) {
        case Algorithm::degree:
            return degree_op(ctx, reader, subgraph, out);
        case Algorithm::pagerank:
            return pagerank_op(ctx, reader, subgraph, out);
        case Algorithm::betweenness:
            return betweenness_op(ctx, reader, subgraph, out);
        case Algorithm::closeness:
            return distance_op(ctx, reader, subgraph, out, engine::DistanceMeasure::closeness);
        case Algorithm::harmonic:
            return distance_op(ctx, reader, subgraph, out, engine::DistanceMeasure::harmonic);
        case Algorithm::eigenvector:
            return eigenvector_op(ctx, reader, subgraph, out);
        case Algorithm::katz:
            return katz_op(ctx, reader, subgraph, out);
    }
    throw QueryError(ErrorCode::internal, "unhandled algorithm");
}

}  // namespace smorg::queries::ops
