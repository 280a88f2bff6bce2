#include "smorg/engine/silos/silos.h"

#include "common.h"
#include "files.h"
#include "ops/ops.h"
#include "pictures.h"
#include "referral_params.h"

namespace smorg::queries::ops {

namespace {

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
    auto picture = PictureRequest::read(reader);
    pictures::MapOptions map;
    map.group_by = p.group_by;
    map.min_expected = p.min_expected;
    map.cut_off_ratio = p.cut_off_ratio;
    const bool drawn = picture.drawn();
    for (const char* field : {"map_groups", "map_ties"}) {
        if (reader.has(field) && !drawn) {
            reader.fail(field, ErrorCode::invalid_argument,
                        std::string(field) + " shapes the map: give svg or inline_svg with it");
        }
    }
    map.max_groups = static_cast<std::size_t>(reader.optional<std::uint64_t>("map_groups", map.max_groups));
    if (map.max_groups < 2 || map.max_groups > pictures::MapOptions::kMaxGroups) {
        reader.fail("map_groups", ErrorCode::invalid_argument,
                    "map_groups must be between 2 and " + std::to_string(pictures::MapOptions::kMaxGroups));
    }
    const auto ties = reader.optional<std::string>("map_ties", "significant");
    if (ties != "significant" && ties != "all") {
        reader.fail("map_ties", ErrorCode::invalid_argument, "map_ties must be \"significant\" or \"all\"");
    }
    map.all_ties = ties == "all";
    const bool with_mixing = reader.optional<bool>("mixing", true);
    reader.reject_unknown();
    picture.resolve(ctx, reader);
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
    if (drawn) {
        ctx.run.throw_if_cancelled();
        const auto at = reader.at(picture.svg ? "svg" : "inline_svg");
        picture.deliver(result, pictures::silo_map(g, r, map, at, ctx.run), reader);
    }
    return result;
}

}  // namespace smorg::queries::ops
