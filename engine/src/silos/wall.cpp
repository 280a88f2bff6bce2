#include <algorithm>
#include <array>
#include <vector>

#include "map.h"

namespace smorg::engine::silo {

// The wall between the inside (employees) and the customers: who has any employee contact, who has
// exactly one, and per group the distinct outside people its members are in contact with.
void wall(const Map& m, SilosResult& r) {
    const auto& g = m.g;
    const auto& group = m.group;
    const auto& params = m.p;
    const auto G = m.G;
    r.wall.groups.resize(G);
    const auto employee = g.node_kinds().find(params.employee_kind);
    const auto customer = g.node_kinds().find(params.customer_kind);
    // The wall's edges: its kinds, in the map's time window (across every node kind: the wall
    // is between employees and everyone else, whatever the groups' view holds).
    graph::SubgraphSpec across;
    constexpr std::array<std::string_view, 1> kWallKinds{graph::kinds::interaction};
    across.edge_kinds = params.wall_kinds.empty() ? graph::present_kinds(g.edge_kinds(), kWallKinds) : params.wall_kinds;
    across.since = params.subgraph.since;
    across.until = params.subgraph.until;
    const graph::EdgeFilter filter(g, across);
    const bool any = !across.edge_kinds.empty();  // no wall kind in the database: no contact
    auto wall_edge = [&](graph::EdgeIndex x) { return any && filter.edge(x); };
    if (employee) {
        // Per outside person: the distinct employees in contact, and one of them. Employees are
        // visited group by group, so that each group counts an outside person once.
        std::vector<std::uint32_t> contacts(g.node_count(), 0);
        std::vector<NodeIndex> only(g.node_count(), graph::kNoNode);
        std::vector<std::uint32_t> last_seen(g.node_count(), kNoGroup);
        std::vector<std::uint32_t> group_seen(g.node_count(), kNoGroup);
        std::vector<NodeIndex> employees;
        for (NodeIndex e = 0; e < g.node_count(); ++e) {
            if (g.node_kind(e) == *employee) employees.push_back(e);
        }
        std::stable_sort(employees.begin(), employees.end(), [&](NodeIndex a, NodeIndex b) { return group[a] < group[b]; });
        for (const NodeIndex e : employees) {
            auto touch = [&](NodeIndex other, double w) {
                if (g.node_kind(other) == *employee) return;
                if (group[e] != kNoGroup) {
                    r.wall.groups[group[e]].weight += w;
                    if (group_seen[other] != group[e]) {
                        group_seen[other] = group[e];
                        ++r.wall.groups[group[e]].outside_contacts;
                    }
                }
                if (last_seen[other] == e) return;  // several edges with the same person
                last_seen[other] = e;
                ++contacts[other];
                only[other] = e;
            };
            for (auto x = g.out_begin(e); x < g.out_end(e); ++x) {
                if (wall_edge(x)) touch(g.target(x), g.weight(x));
            }
            g.for_each_in_edge(e, [&](NodeIndex source, graph::EdgeIndex x) {
                if (wall_edge(x)) touch(source, g.weight(x));
            });
        }
        const auto* clv = g.attributes().find("clv");
        std::vector<std::pair<double, NodeIndex>> single;
        for (NodeIndex c = 0; c < g.node_count(); ++c) {
            if (!customer || g.node_kind(c) != *customer) continue;
            ++r.wall.customers;
            if (contacts[c] > 0) ++r.wall.customers_with_contact;
            if (contacts[c] == 1) {
                ++r.wall.single_contact_customers;
                const double value = clv && clv->type() == graph::AttributeType::number ? clv->number(c).value_or(0.0) : 0.0;
                single.emplace_back(-value, c);
            }
        }
        std::sort(single.begin(), single.end());
        for (std::size_t i = 0; i < single.size() && i < 20; ++i) {
            r.wall.single_contact.emplace_back(single[i].second, only[single[i].second]);
        }
    }
}

}  // namespace smorg::engine::silo
