#include "silos_report.h"

#include <cmath>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace smorg::cli {

namespace {
std::string fixed(double x, int digits) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(digits) << x;
    return s.str();
}

// A number rounded for a table cell (it stays a number, so the column stays right-aligned).
double rounded(const json& x, int digits) {
    const double scale = std::pow(10.0, digits);
    return std::round(x.get<double>() * scale) / scale;
}
}  // namespace

void print_silos_report(std::ostream& out, const json& r) {
    out << "  " << r["people"] << " people in " << r["groups"].size() << " groups (by " << r["group_by"].get<std::string>()
        << "), " << r["ties"] << " ties over " << r["edge_kinds"].dump() << ": " << r["internal"] << " inside groups, "
        << r["external"] << " across\n";
    out << "  E-I index " << fixed(r["ei_index"].get<double>(), 3) << " (random mixing would give "
        << fixed(r["ei_expected"].get<double>(), 3) << "; p = " << fixed(r["ei_p_value"].get<double>(), 4) << " over "
        << r["permutations"] << " permutations); modularity of the groups " << fixed(r["modularity"].get<double>(), 3)
        << "; detected communities (" << r["communities"]["algorithm"].get<std::string>() << ", " << r["communities"]["count"]
        << ") agree with the groups: NMI " << fixed(r["nmi"].get<double>(), 3) << ", ARI " << fixed(r["ari"].get<double>(), 3)
        << '\n';
    json groups = json::array();
    for (const auto& g : r["groups"]) {
        groups.push_back({{"group", g["group"]},
                          {"size", g["size"]},
                          {"internal", g["internal"]},
                          {"external", g["external"]},
                          {"E-I", rounded(g["ei_index"], 3)},
                          {"E-I if random", rounded(g["ei_expected"], 3)},
                          {"p", rounded(g["p_value"], 4)}});
    }
    print_table(out, groups, {"group", "size", "internal", "external", "E-I", "E-I if random", "p"});
    if (r["cut_off"].empty()) {
        out << "  no pair of groups is cut off\n";
    } else {
        out << "  cut off from each other (far fewer ties than their activity predicts):\n";
        json rows = json::array();
        for (const auto& c : r["cut_off"]) {
            rows.push_back({{"groups", c["a"].get<std::string>() + " / " + c["b"].get<std::string>()},
                            {"ties", c["observed"]},
                            {"expected", rounded(c["expected"], 1)},
                            {"observed / expected", rounded(c["ratio"], 3)}});
        }
        print_table(out, rows, {"groups", "ties", "expected", "observed / expected"});
    }
    if (!r["introductions"].empty()) {
        out << "  introductions that would most shorten the paths between cut-off groups:\n";
        for (const auto& i : r["introductions"]) {
            out << "    " << i["between"][0].get<std::string>() << " / " << i["between"][1].get<std::string>() << ": introduce "
                << i["introduce"]["id"].get<std::string>() << " (" << i["introduce"].value("name", "") << ") to "
                << i["to"]["id"].get<std::string>() << " (" << i["to"].value("name", "") << "), mean 1/distance +"
                << fixed(i["gain"].get<double>(), 4) << '\n';
        }
    }
    out << "  boundary spanners (cross-group betweenness; low constraint = a broker):\n";
    json spanners = json::array();
    for (const auto& s : r["spanners"]) {
        spanners.push_back({{"id", s["id"]},
                            {"name", s.value("name", "")},
                            {"group", s["group"]},
                            {"ties out", s["ties_out"]},
                            {"groups reached", s["groups_reached"]},
                            {"betweenness", rounded(s["cross_group_betweenness"], 4)},
                            {"constraint", rounded(s["constraint"], 3)},
                            {"effective size", rounded(s["effective_size"], 1)}});
    }
    print_table(out, spanners,
                {"id", "name", "group", "ties out", "groups reached", "betweenness", "constraint", "effective size"});
    const auto& w = r["wall"];
    out << "  the wall: " << w["customers_with_employee_contact"] << " of " << w["customers"] << " customers ("
        << fixed(100 * w["share_with_contact"].get<double>(), 1) << "%) have any employee contact; "
        << w["single_contact_customers"] << " depend on a single employee, e.g.\n";
    std::size_t shown = 0;
    for (const auto& c : w["single_contact"]) {
        if (shown++ == 5) break;
        out << "    " << c["id"].get<std::string>() << " (" << c.value("name", "") << ") -> only "
            << c["only_contact"]["id"].get<std::string>() << " (" << c["only_contact"].value("name", "") << ")\n";
    }
    json wall = json::array();
    for (const auto& g : w["groups"]) {
        if (g["outside_contacts"].get<std::uint64_t>() == 0) continue;
        wall.push_back({{"group", g["group"]},
                        {"outside contacts", g["outside_contacts"]},
                        {"per person", rounded(g["contacts_per_person"], 1)},
                        {"contact weight", rounded(g["contact_weight"], 1)}});
    }
    if (!wall.empty()) {
        out << "  groups that face the outside:\n";
        print_table(out, wall, {"group", "outside contacts", "per person", "contact weight"});
    }
    if (r.contains("svg")) out << "  map written to " << r["svg"].get<std::string>() << '\n';
}

}  // namespace smorg::cli
