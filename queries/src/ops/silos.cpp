#include "smorg/engine/silos/silos.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "common.h"
#include "files.h"
#include "graphviz.h"
#include "ops/ops.h"
#include "referral_params.h"

namespace smorg::queries::ops {

namespace {

std::string fixed(double x, int digits) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", digits, x);
    return buffer;
}

// The silo map in DOT: one node per group (area by headcount), one edge per pair of groups that talk
// (width by observed / expected), cut-off pairs dashed in red.
std::string silo_map(const engine::SilosResult& r, const std::string& title) {
    std::ostringstream dot;
    dot << "graph silos {\n"
        << "  graph [overlap=false, splines=true, sep=\"+12\", fontname=\"Helvetica\", fontsize=16, labelloc=t, label="
        << dot_quote(title) << "];\n"
        << "  node [shape=circle, style=filled, fillcolor=\"#dbe8f6\", color=\"#4a78b0\", fontname=\"Helvetica\", fontsize=11];\n"
        << "  edge [color=\"#7f9fc4\", fontname=\"Helvetica\", fontsize=9];\n";
    std::uint32_t largest = 1;
    for (const auto& g : r.groups) largest = std::max(largest, g.size);
    for (std::size_t i = 0; i < r.groups.size(); ++i) {
        const auto& g = r.groups[i];
        if (g.size == 0) continue;
        const double width = 0.6 + 1.8 * std::sqrt(static_cast<double>(g.size) / largest);
        const bool silo = g.ei_index < g.ei_expected;
        dot << "  g" << i
            << " [label=" << dot_quote(g.name + "\n" + std::to_string(g.size) + " people\nE-I " + fixed(g.ei_index, 2))
            << ", width=" << fixed(width, 2) << ", fixedsize=true" << (silo ? ", fillcolor=\"#f6dbdb\"" : "") << "];\n";
    }
    // One edge per pair of groups (Graphviz 2.43's neato splines corrupt memory on multi-edges).
    auto is_cut_off = [&](const engine::MixingCell& cell) {
        return std::any_of(r.cut_off.begin(), r.cut_off.end(), [&](const auto& c) { return c.a == cell.a && c.b == cell.b; });
    };
    for (const auto& cell : r.mixing) {
        if (cell.a == cell.b || cell.observed == 0 || is_cut_off(cell)) continue;
        const double pen = std::clamp(0.5 + 2.5 * cell.ratio, 0.5, 8.0);
        dot << "  g" << cell.a << " -- g" << cell.b << " [penwidth=" << fixed(pen, 2)
            << ", tooltip=" << dot_quote(std::to_string(cell.observed) + " ties, " + fixed(cell.expected, 1) + " expected")
            << "];\n";
    }
    for (const auto& cell : r.cut_off) {
        dot << "  g" << cell.a << " -- g" << cell.b
            << " [style=dashed, color=\"#c0392b\", penwidth=2, fontcolor=\"#c0392b\", label="
            << dot_quote("cut off: " + std::to_string(cell.observed) + " of " + fixed(cell.expected, 1) + " expected") << "];\n";
    }
    dot << "}\n";
    return dot.str();
}

json cell_json(const engine::SilosResult& r, const engine::MixingCell& c) {
    return {{"a", r.groups[c.a].name},
            {"b", r.groups[c.b].name},
            {"observed", c.observed},
            {"expected", c.expected},
            {"ratio", c.ratio}};
}

}  // namespace

// The silo map: E-I per group, mixing, modularity, NMI/ARI, spanners, cut-off pairs, introductions,
// the wall; with "svg", the map drawn by Graphviz into that file.
json silos(OpContext& ctx, FieldReader& reader) {
    const auto& g = ctx.g();
    engine::SilosParams p;
    p.subgraph = read_subgraph_or_engine_default(reader, g, p.subgraph);
    p.group_by = reader.optional<std::string>("group_by", p.group_by);
    p.seed = reader.optional<std::uint64_t>("seed", p.seed);
    p.permutations = reader.optional<std::uint32_t>("permutations", p.permutations);
    p.spanners = static_cast<std::size_t>(reader.optional<std::uint64_t>("spanners", p.spanners));
    p.cut_off_ratio = reader.optional<double>("cut_off_ratio", p.cut_off_ratio);
    p.min_expected = reader.optional<double>("min_expected", p.min_expected);
    p.introductions = static_cast<std::size_t>(reader.optional<std::uint64_t>("introductions", p.introductions));
    p.community_algorithm = reader.optional_enum<engine::CommunityAlgorithm>("community_algorithm", p.community_algorithm);
    p.wall_kinds = reader.optional<std::vector<std::string>>("wall_kinds", {});
    const auto svg = reader.maybe<std::string>("svg");
    const bool with_mixing = reader.optional<bool>("mixing", true);
    reader.reject_unknown();
    const auto svg_path = svg ? std::optional<std::filesystem::path>(output_path(ctx, *svg, reader.at("svg"))) : std::nullopt;
    if (ctx.estimate) return estimate_result(ctx.run, engine::estimate(g, p));
    const auto r = engine::silos(g, p, ctx.run);

    json groups = json::array();
    for (const auto& s : r.groups) {
        groups.push_back({{"group", s.name},
                          {"size", s.size},
                          {"internal", s.internal},
                          {"external", s.external},
                          {"ei_index", s.ei_index},
                          {"ei_expected", s.ei_expected},
                          {"p_value", s.p_value}});
    }
    json mixing = json::array();
    if (with_mixing) {
        for (const auto& c : r.mixing) mixing.push_back(cell_json(r, c));
    }
    json spanners = json::array();
    for (const auto& s : r.spanners) {
        json row = node_ref(g, s.node);
        row["group"] = r.groups[s.group].name;
        row["ties_out"] = s.ties_out;
        row["groups_reached"] = s.groups_reached;
        row["cross_group_betweenness"] = s.betweenness;
        row["constraint"] = s.constraint;
        row["effective_size"] = s.effective_size;
        spanners.push_back(std::move(row));
    }
    json cut_off = json::array();
    for (const auto& c : r.cut_off) cut_off.push_back(cell_json(r, c));
    json introductions = json::array();
    for (const auto& i : r.introductions) {
        introductions.push_back({{"between", {r.groups[i.a_group].name, r.groups[i.b_group].name}},
                                 {"introduce", node_ref(g, i.a)},
                                 {"to", node_ref(g, i.b)},
                                 {"gain", i.gain}});
    }
    json wall_groups = json::array();
    for (std::size_t i = 0; i < r.wall.groups.size(); ++i) {
        const auto& w = r.wall.groups[i];
        const double size = r.groups[i].size;
        wall_groups.push_back({{"group", r.groups[i].name},
                               {"outside_contacts", w.outside_contacts},
                               {"contact_weight", w.weight},
                               {"contacts_per_person", size > 0 ? static_cast<double>(w.outside_contacts) / size : 0.0}});
    }
    json single = json::array();
    for (const auto& [customer, employee] : r.wall.single_contact) {
        json row = node_ref(g, customer);
        row["only_contact"] = node_ref(g, employee);
        single.push_back(std::move(row));
    }
    json result = {{"group_by", p.group_by},
                   {"edge_kinds", r.edge_kinds},
                   {"people", r.people},
                   {"ungrouped", r.ungrouped},
                   {"isolated", r.isolated},
                   {"ties", r.ties},
                   {"internal", r.internal},
                   {"external", r.external},
                   {"ei_index", r.ei_index},
                   {"ei_expected", r.ei_expected},
                   {"ei_p_value", r.ei_p_value},
                   {"permutations", p.permutations},
                   {"groups", groups},
                   {"mixing", mixing},
                   {"modularity", r.modularity},
                   {"communities",
                    {{"algorithm", graph::name_of(p.community_algorithm)},
                     {"count", r.communities},
                     {"modularity", r.community_modularity}}},
                   {"nmi", r.nmi},
                   {"ari", r.ari},
                   {"spanners", spanners},
                   {"cut_off", cut_off},
                   {"introductions", introductions},
                   {"wall",
                    {{"customers", r.wall.customers},
                     {"customers_with_employee_contact", r.wall.customers_with_contact},
                     {"share_with_contact", r.wall.customers > 0 ? static_cast<double>(r.wall.customers_with_contact) /
                                                                       static_cast<double>(r.wall.customers)
                                                                 : 0.0},
                     {"single_contact_customers", r.wall.single_contact_customers},
                     {"single_contact", single},
                     {"groups", wall_groups}}}};
    if (svg_path) {
        ctx.run.throw_if_cancelled();
        write_output(*svg_path,
                     render_svg(silo_map(r, "Silo map by " + p.group_by + " (edge width: observed / expected ties)"), "neato",
                                reader.at("svg"), ctx.run),
                     reader.at("svg"));
        result["svg"] = *svg;
    }
    return result;
}

}  // namespace smorg::queries::ops
