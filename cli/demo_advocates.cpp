#include <iomanip>
#include <ostream>

#include "demo.h"

namespace smorg::cli {

// Who brings the sample organization its customers: referral value, then one advocate ranking with
// its reasons, then the best campaign seeds.
void demo_advocates(DemoContext& ctx) {
    auto crv = ctx.ask({{"op", "crv"}, {"top", 5}});
    const auto& f = crv["findings"];
    ctx.out << "  referral value (CRV, decay 0.5 per hop, 3 hops) of the top referrers; " << f["referrals"] << " referrals read, "
            << f["used"] << " kept: dropped " << f["self_referrals"] << " self-referral(s), " << f["repeat_referrals"]
            << " repeat(s), " << f["already_customers"] << " of people who were customers already; "
            << f["multi_referrer_customers"] << " customers had several referrers (first one counts)\n";
    json rows = json::array();
    for (const auto& row : crv["rows"]) {
        rows.push_back({{"rank", row["rank"]},
                        {"id", row["id"]},
                        {"name", row.value("name", "")},
                        {"kind", row["kind"]},
                        {"crv", row["crv"]},
                        {"direct", row["direct"]},
                        {"indirect", row["indirect"]},
                        {"referred by depth", row["referred"].dump()},
                        {"segment", row.value("segment", "-")}});
    }
    print_table(ctx.out, rows, {"rank", "id", "name", "kind", "crv", "direct", "indirect", "referred by depth", "segment"});
    const auto& s = crv["segments"];
    ctx.out << "  Kumar's segments (split at the median CLV " << s["clv_split"] << " and CRV " << s["crv_split"]
            << "): champions " << s["champions"] << ", affluents " << s["affluents"] << ", advocates " << s["advocates"]
            << ", misers " << s["misers"] << "\n";

    auto advocates = ctx.ask({{"op", "advocates"}, {"top", 10}});
    ctx.out << "  one ranking of customers, influencers and employees: value 0.5, reach 0.3, engagement 0.2, each a\n"
               "  percentile among people of the same kind\n";
    for (const auto& row : advocates["rows"]) {
        ctx.out << "  " << std::right << std::setw(2) << row["rank"].get<int>() << ". " << row["id"].get<std::string>() << "  "
                << row.value("name", "") << " (" << row["kind"].get<std::string>() << ")  score " << std::fixed
                << std::setprecision(3) << row["score"].get<double>() << std::defaultfloat << '\n';
        for (const auto& fact : row["facts"]) ctx.out << "        - " << fact.get<std::string>() << '\n';
    }

    auto seeds = ctx.ask({{"op", "seeds"}, {"k", 5}, {"candidate_kinds", {"influencer", "customer"}}, {"simulations", 2000}});
    ctx.out << "  the 5 best seeds for a campaign among influencers and customers (IMM, epsilon 0.1, " << seeds["rr_sets"]
            << " RR sets): expected reach " << std::fixed << std::setprecision(1) << seeds["spread"]["mean"].get<double>()
            << " people [" << seeds["spread"]["ci_low"].get<double>() << ", " << seeds["spread"]["ci_high"].get<double>()
            << "] by Monte Carlo" << std::defaultfloat << '\n';
    print_table(ctx.out, seeds["rows"], {"rank", "id", "name", "kind", "marginal_gain"});
}

}  // namespace smorg::cli
