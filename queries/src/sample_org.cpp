// The built-in sample organization. Every person's facts are a pure function of (seed, person), drawn
// from that person's own random stream, so the output is the same at any thread count and the
// customers can be generated in parallel chunks and written in order. Referral chains follow a
// copying model (a new customer is often referred by the referrer of an earlier referred customer),
// which gives the heavy-tailed "few champions" shape that real referral programmes show.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "smorg/graph/errors.h"
#include "smorg/graph/random.h"
#include "smorg/queries/query_error.h"
#include "smorg/queries/sample.h"

namespace smorg::queries {

namespace {

// Stream families, so that the same index in two roles draws different numbers.
enum Family : std::uint64_t {
    kEmployee = 1ull << 40,
    kCustomer = 2ull << 40,
    kInfluencer = 3ull << 40,
    kProspect = 4ull << 40,
    kPartner = 5ull << 40,
    kCustomerEdges = 6ull << 40,
    kClv = 7ull << 40,
};

constexpr std::array<std::string_view, 8> kDepartments{"Sales",   "Support",    "Engineering", "Marketing",
                                                       "Finance", "Operations", "Product",     "Legal"};
constexpr std::array<std::string_view, 24> kFirst{"Ada",   "Ben",  "Chloe", "Dev",  "Elena", "Farid", "Grace", "Hugo",
                                                  "Iris",  "Jon",  "Kira",  "Liam", "Maya",  "Nils",  "Omar",  "Priya",
                                                  "Quinn", "Rosa", "Sam",   "Tara", "Umar",  "Vera",  "Wen",   "Yusuf"};
constexpr std::array<std::string_view, 20> kLast{"Abe",    "Brandt", "Costa",  "Dahl",     "Evans", "Fischer", "Garcia",
                                                 "Haas",   "Ito",    "Jensen", "Kowalski", "Lopez", "Moreau",  "Novak",
                                                 "Okafor", "Patel",  "Quint",  "Rossi",    "Silva", "Tanaka"};

constexpr graph::Timestamp kStart = 1609459200;  // 2021-01-01T00:00:00Z
constexpr graph::Timestamp kSpan = 5 * 365 * 86400;

std::string id(char prefix, std::uint64_t index, int width) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%c%0*llu", prefix, width, static_cast<unsigned long long>(index + 1));
    return buffer;
}

class Writer {
public:
    std::string text;
    Writer& field(std::string_view s) {
        text.append(s);
        return *this;
    }
    Writer& comma() {
        text.push_back(',');
        return *this;
    }
    Writer& integer(std::int64_t v) {
        char buffer[24];
        const auto end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;
        text.append(buffer, end);
        return *this;
    }
    Writer& money(double v) {
        char buffer[32];
        const int n = std::snprintf(buffer, sizeof buffer, "%.2f", v);
        text.append(buffer, static_cast<std::size_t>(n));
        return *this;
    }
    void end() { text.push_back('\n'); }
};

struct Layout {
    SampleOrgParams p;
    std::uint32_t departments = 0;
    std::vector<std::uint32_t> dept_first;  // first employee index of each department (+ end)
    std::uint32_t engineering = 2;
    std::uint32_t support = 1;
    int emp_width = 5, cust_width = 6, infl_width = 4, prosp_width = 6, part_width = 3;

    std::string employee(std::uint64_t i) const { return id('e', i, emp_width); }
    std::string customer(std::uint64_t i) const { return id('c', i, cust_width); }
    std::string influencer(std::uint64_t i) const { return id('i', i, infl_width); }
    std::string prospect(std::uint64_t i) const { return id('p', i, prosp_width); }
    std::string partner(std::uint64_t i) const { return "pa" + id('0', i, part_width).substr(1); }
    std::string department_name(std::uint32_t d) const {
        return d < kDepartments.size() ? std::string(kDepartments[d]) : "Dept " + std::to_string(d + 1);
    }
    std::uint32_t department_of(std::uint32_t e) const {
        const auto it = std::upper_bound(dept_first.begin(), dept_first.end(), e);
        return static_cast<std::uint32_t>(it - dept_first.begin() - 1);
    }
    graph::Timestamp joined_at(std::uint64_t c) const {
        // Customers join in index order over five years.
        return kStart + static_cast<graph::Timestamp>(static_cast<double>(kSpan) * static_cast<double>(c) /
                                                      static_cast<double>(p.customers));
    }
};

int width_for(std::uint64_t count, int minimum) {
    int w = 1;
    for (std::uint64_t n = count; n >= 10; n /= 10) ++w;
    return std::max(w, minimum);
}

std::string person_name(std::uint64_t family, std::uint64_t i) {
    const auto h = (family >> 40) * 7919 + i * 2654435761ull;
    return std::string(kFirst[h % kFirst.size()]) + " " + std::string(kLast[(h / kFirst.size()) % kLast.size()]);
}

// Who referred customer c, as a pure function of (seed, c).
struct Referral {
    enum Source : std::uint8_t { none, customer, influencer, partner } source = none;
    std::uint64_t by = 0;
};

Referral referral_of(const Layout& L, std::uint64_t c) {
    auto rng = graph::Rng::stream(L.p.seed, kCustomer + c);
    Referral r;
    if (c < std::max<std::uint64_t>(5, L.p.customers / 10) || !rng.bernoulli(0.4)) return r;
    const double kind = rng.uniform();
    if (kind < 0.06 && L.p.influencers > 0) return {Referral::influencer, rng.below(L.p.influencers)};
    if (kind < 0.09 && L.p.partners > 0) return {Referral::partner, rng.below(L.p.partners)};
    if (kind < 0.30) {
        // Champions: a handful of early customers who keep bringing people, the most active far more.
        const std::uint64_t champions = std::max<std::uint64_t>(5, L.p.customers / 100);
        const double u = rng.uniform();
        return {Referral::customer, std::min(c - 1, static_cast<std::uint64_t>(u * u * static_cast<double>(champions)))};
    }
    const std::uint64_t earlier = rng.below(c);
    if (rng.bernoulli(0.7)) {
        // Copying: the referrer of an earlier referred customer refers again (preferential attachment).
        const auto prior = referral_of(L, earlier);
        if (prior.source == Referral::customer) return prior;
    }
    return {Referral::customer, earlier};
}

double clv_of(const Layout& L, std::uint64_t c) {
    auto rng = graph::Rng::stream(L.p.seed, kClv + c);
    return std::round(std::exp(6.0 + 0.9 * rng.normal()) * 100.0) / 100.0;
}

}  // namespace

SampleOrgReport generate_sample_org(const std::filesystem::path& dir, const SampleOrgParams& params,
                                    const graph::RunContext::ProgressFn& progress) {
    if (params.employees < 10) throw graph::ParamError("employees", "employees must be at least 10");
    if (params.customers < 10) throw graph::ParamError("customers", "customers must be at least 10");
    if (!(params.interactions_per_customer >= 0 && params.interactions_per_customer <= 1000)) {
        throw graph::ParamError("interactions_per_customer", "interactions_per_customer must be in [0, 1000]");
    }
    if (params.customers > 100'000'000 || params.employees > 10'000'000 || params.influencers > 10'000'000) {
        throw graph::ParamError("customers", "at most 100 million customers and 10 million employees or influencers");
    }
    Layout L;
    L.p = params;
    if (L.p.prospects == 0) L.p.prospects = params.customers / 5;
    if (L.p.partners == 0) L.p.partners = std::max<std::uint32_t>(3, params.customers / 500);
    const auto& p = L.p;
    L.emp_width = width_for(p.employees, 5);
    L.cust_width = width_for(p.customers, 6);
    L.infl_width = width_for(p.influencers, 4);
    L.prosp_width = width_for(p.prospects, 6);
    L.part_width = width_for(p.partners, 3);

    // Departments: 8 named ones, more for large organizations; sizes decay so Sales and Support lead.
    L.departments = std::clamp<std::uint32_t>(p.employees / 12, 4, 8) + p.employees / 2500;
    {
        std::vector<double> share(L.departments);
        double total = 0;
        for (std::uint32_t d = 0; d < L.departments; ++d) total += share[d] = 1.0 / (1.0 + 0.25 * d);
        L.dept_first.push_back(0);
        double acc = 0;
        for (std::uint32_t d = 0; d + 1 < L.departments; ++d) {
            acc += share[d] / total;
            L.dept_first.push_back(std::max(L.dept_first.back() + 2, static_cast<std::uint32_t>(acc * p.employees)));
        }
        L.dept_first.push_back(p.employees);
    }

    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    SampleOrgReport report;
    report.nodes_file = dir / "nodes.csv";
    report.edges_file = dir / "edges.csv";
    for (std::uint32_t d = 0; d < L.departments; ++d) report.departments.push_back(L.department_name(d));
    report.cut_off_departments = {L.department_name(L.engineering), L.department_name(L.support)};
    report.champion = L.customer(0);
    std::ofstream nodes(report.nodes_file, std::ios::binary);
    std::ofstream edges(report.edges_file, std::ios::binary);
    if (!nodes || !edges)
        throw QueryError(ErrorCode::failed_precondition, "cannot write the sample organization into " + dir.string());
    auto emit = [&](std::ofstream& out, const std::string& text) {
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        report.bytes += text.size();
    };
    auto count_edges = [&](std::string_view kind, std::uint64_t n) { report.edges_by_kind[std::string(kind)] += n; };

    // ---- nodes ----------------------------------------------------------------------------------
    Writer w;
    w.field("id,kind,name,department,clv,joined_at").end();
    for (std::uint32_t e = 0; e < p.employees; ++e) {
        w.field(L.employee(e)).comma().field("employee").comma().field(person_name(kEmployee, e)).comma();
        w.field(L.department_name(L.department_of(e))).comma().comma().end();
    }
    for (std::uint32_t i = 0; i < p.influencers; ++i) {
        w.field(L.influencer(i))
            .comma()
            .field("influencer")
            .comma()
            .field(person_name(kInfluencer, i))
            .comma()
            .comma()
            .comma()
            .end();
    }
    for (std::uint32_t i = 0; i < p.partners; ++i) {
        w.field(L.partner(i)).comma().field("partner").comma().field(person_name(kPartner, i)).comma().comma().comma().end();
    }
    emit(nodes, w.text);
    w.text.clear();
    report.nodes_by_kind["employee"] = p.employees;
    report.nodes_by_kind["influencer"] = p.influencers;
    report.nodes_by_kind["partner"] = p.partners;
    report.nodes_by_kind["customer"] = p.customers;
    report.nodes_by_kind["prospect"] = p.prospects;

    constexpr std::uint64_t kChunk = 4096;
    auto chunked = [&](std::uint64_t total, std::ofstream& out, std::string_view phase, auto&& body) {
        const std::uint64_t chunks = (total + kChunk - 1) / kChunk;
        constexpr std::uint64_t kBatch = 64;  // chunks generated in parallel, then written in order
        std::vector<std::string> texts(kBatch);
        for (std::uint64_t first = 0; first < chunks; first += kBatch) {
            const std::uint64_t last = std::min(chunks, first + kBatch);
            tbb::parallel_for(tbb::blocked_range<std::uint64_t>(first, last, 1), [&](const auto& range) {
                for (std::uint64_t c = range.begin(); c != range.end(); ++c) {
                    Writer cw;
                    cw.text.reserve(kChunk * 64);
                    body(c * kChunk, std::min(total, (c + 1) * kChunk), cw);
                    texts[c - first] = std::move(cw.text);
                }
            });
            for (std::uint64_t c = first; c < last; ++c) emit(out, texts[c - first]);
            if (progress) progress(phase, static_cast<double>(last) / static_cast<double>(chunks));
        }
    };
    chunked(p.customers, nodes, "nodes", [&](std::uint64_t a, std::uint64_t b, Writer& cw) {
        for (auto c = a; c < b; ++c) {
            cw.field(L.customer(c)).comma().field("customer").comma().field(person_name(kCustomer, c)).comma().comma();
            cw.money(clv_of(L, c)).comma().integer(L.joined_at(c)).end();
        }
    });
    chunked(p.prospects, nodes, "nodes", [&](std::uint64_t a, std::uint64_t b, Writer& cw) {
        for (auto i = a; i < b; ++i) {
            cw.field(L.prospect(i))
                .comma()
                .field("prospect")
                .comma()
                .field(person_name(kProspect, i))
                .comma()
                .comma()
                .comma()
                .end();
        }
    });

    // ---- edges: the inside -----------------------------------------------------------------------
    w.field("source,target,kind,weight,timestamp,value").end();
    std::uint64_t communication = 0, reports_to = 0;
    const std::uint32_t eng_first = L.dept_first[L.engineering];
    const std::uint32_t sup_first = L.dept_first[L.support], sup_last = L.dept_first[L.support + 1];
    bool bridge_written = false;
    for (std::uint32_t e = 0; e < p.employees; ++e) {
        auto rng = graph::Rng::stream(p.seed, kEmployee + e);
        const std::uint32_t d = L.department_of(e);
        const std::uint32_t first = L.dept_first[d], last = L.dept_first[d + 1];
        // Reporting line: the CEO (e0) at the top, each department head reports to the CEO, everyone
        // else to an earlier member of their department.
        if (e != 0) {
            const std::uint32_t boss = e == first ? 0 : first + static_cast<std::uint32_t>(rng.below(e - first));
            w.field(L.employee(e))
                .comma()
                .field(L.employee(boss))
                .comma()
                .field("reports_to")
                .comma()
                .integer(1)
                .comma()
                .comma()
                .end();
            ++reports_to;
        }
        const std::uint32_t size = last - first;
        const auto inside = std::min<std::uint32_t>(size - 1, 5 + static_cast<std::uint32_t>(rng.below(4)));
        for (std::uint32_t k = 0; k < inside; ++k) {
            const std::uint32_t peer = first + static_cast<std::uint32_t>(rng.below(size));
            if (peer == e) continue;
            w.field(L.employee(e)).comma().field(L.employee(peer)).comma().field("communication").comma();
            w.integer(static_cast<std::int64_t>(2 + rng.below(30)))
                .comma()
                .integer(kStart + static_cast<graph::Timestamp>(rng.below(kSpan)))
                .comma()
                .end();
            ++communication;
        }
        const auto across = 1 + rng.below(3);
        for (std::uint64_t k = 0; k < across; ++k) {
            const std::uint32_t peer = static_cast<std::uint32_t>(rng.below(p.employees));
            const std::uint32_t pd = L.department_of(peer);
            const bool walled = (d == L.engineering && pd == L.support) || (d == L.support && pd == L.engineering);
            if (pd == d || (walled && !p.wall_opens)) continue;
            const auto weight = static_cast<std::int64_t>(1 + rng.below(6));
            const auto t = kStart + static_cast<graph::Timestamp>(rng.below(kSpan));
            if (walled && t < *p.wall_opens) continue;  // the wall stands until it opens
            w.field(L.employee(e)).comma().field(L.employee(peer)).comma().field("communication").comma();
            w.integer(weight).comma().integer(t).comma().end();
            ++communication;
        }
        // The one thin line between the walled-off departments: "barely talk", not "never".
        if (!bridge_written && e == eng_first + 1 && sup_last > sup_first + 1) {
            w.field(L.employee(e)).comma().field(L.employee(sup_first + 1)).comma().field("communication").comma();
            w.integer(1).comma().integer(kStart + kSpan / 2).comma().end();
            ++communication;
            bridge_written = true;
        }
    }
    count_edges("communication", communication);
    count_edges("reports_to", reports_to);
    emit(edges, w.text);
    w.text.clear();

    // Employees who face customers: Sales and Support (and, in big organizations, every 4th department).
    std::vector<std::uint32_t> facing;
    for (std::uint32_t e = 0; e < p.employees; ++e) {
        const auto d = L.department_of(e);
        if (d == 0 || d == L.support || (d >= 8 && d % 4 == 0)) facing.push_back(e);
    }

    // ---- edges: the outside, per customer, in parallel chunks --------------------------------------
    struct Counts {
        std::uint64_t referral = 0, interaction = 0, follows = 0;
    };
    std::vector<Counts> counts((p.customers + kChunk - 1) / kChunk);
    const std::uint64_t block = 500;  // customers talk mostly inside their block: local communities
    chunked(p.customers, edges, "edges", [&](std::uint64_t a, std::uint64_t b, Writer& cw) {
        Counts& n = counts[a / kChunk];
        for (auto c = a; c < b; ++c) {
            auto rng = graph::Rng::stream(p.seed, kCustomerEdges + c);
            const graph::Timestamp joined = L.joined_at(c);
            const std::string me = L.customer(c);
            const auto ref = referral_of(L, c);
            // The planted stop: the champion's referrals from then on are not made (the draws stay
            // the same, so nothing else in the organization changes).
            const bool stopped =
                p.champion_stops && ref.source == Referral::customer && ref.by == 0 && joined >= *p.champion_stops;
            auto referral_line = [&](const std::string& source, graph::Timestamp t, bool with_value) {
                if (stopped && source == L.customer(0)) return;
                cw.field(source).comma().field(me).comma().field("referral").comma().integer(1).comma().integer(t).comma();
                if (with_value) cw.money(std::round(clv_of(L, c) * 25.0) / 100.0);
                cw.end();
                ++n.referral;
            };
            if (ref.source != Referral::none) {
                const std::string source = ref.source == Referral::customer     ? L.customer(ref.by)
                                           : ref.source == Referral::influencer ? L.influencer(ref.by)
                                                                                : L.partner(ref.by);
                referral_line(source, joined, rng.bernoulli(0.6));
                // Some customers were recommended by two people: attribution decides who gets them.
                if (ref.source == Referral::customer && c > 2 && rng.bernoulli(0.05)) {
                    const auto other = rng.below(c);
                    if (other != ref.by)
                        referral_line(L.customer(other), joined - 86400 * static_cast<graph::Timestamp>(1 + rng.below(20)),
                                      false);
                }
            }
            // Customers talk to customers: mostly inside their block, sometimes anywhere.
            const auto talks = static_cast<std::uint64_t>(std::floor(params.interactions_per_customer * 2 * rng.uniform() + 0.5));
            for (std::uint64_t k = 0; k < talks; ++k) {
                std::uint64_t other = rng.bernoulli(0.7) ? (c / block) * block + rng.below(block) : rng.below(p.customers);
                if (other >= p.customers) other = rng.below(p.customers);
                if (other == c) continue;
                const auto t = std::max(joined, L.joined_at(other)) + static_cast<graph::Timestamp>(rng.below(86400 * 90));
                cw.field(me).comma().field(L.customer(other)).comma().field("interaction").comma();
                cw.integer(static_cast<std::int64_t>(1 + rng.below(5))).comma().integer(t).comma().end();
                ++n.interaction;
            }
            // Employees serve customers: 10 % none (behind the wall), 45 % exactly one, else two or three.
            const double served = rng.uniform();
            const std::uint64_t contacts = served < 0.10 ? 0 : served < 0.55 ? 1 : 2 + rng.below(2);
            for (std::uint64_t k = 0; k < contacts && !facing.empty(); ++k) {
                // Skewed: a few employees carry many accounts.
                const double u = rng.uniform();
                const auto e = facing[static_cast<std::size_t>(u * u * static_cast<double>(facing.size()))];
                cw.field(L.employee(e)).comma().field(me).comma().field("interaction").comma();
                cw.integer(static_cast<std::int64_t>(1 + rng.below(10)))
                    .comma()
                    .integer(joined + static_cast<graph::Timestamp>(rng.below(86400 * 365)))
                    .comma()
                    .end();
                ++n.interaction;
            }
            // Customers follow influencers (popular ones more), influencers mention some of them.
            if (p.influencers > 0) {
                const auto follows = rng.below(4);
                for (std::uint64_t k = 0; k < follows; ++k) {
                    const double u = rng.uniform();
                    const auto i = static_cast<std::uint64_t>(u * u * u * p.influencers);
                    cw.field(me)
                        .comma()
                        .field(L.influencer(i))
                        .comma()
                        .field("follows")
                        .comma()
                        .integer(1)
                        .comma()
                        .integer(joined)
                        .comma()
                        .end();
                    ++n.follows;
                    if (rng.bernoulli(0.3)) {
                        cw.field(L.influencer(i)).comma().field(me).comma().field("interaction").comma();
                        cw.integer(static_cast<std::int64_t>(1 + rng.below(3)))
                            .comma()
                            .integer(joined + static_cast<graph::Timestamp>(rng.below(86400 * 30)))
                            .comma()
                            .end();
                        ++n.interaction;
                    }
                }
            }
            // Prospects: some customers talk to one.
            if (p.prospects > 0 && rng.bernoulli(0.2)) {
                cw.field(me).comma().field(L.prospect(rng.below(p.prospects))).comma().field("interaction").comma();
                cw.integer(1).comma().integer(joined + static_cast<graph::Timestamp>(rng.below(86400 * 60))).comma().end();
                ++n.interaction;
            }
        }
    });
    for (const auto& n : counts) {
        count_edges("referral", n.referral);
        count_edges("interaction", n.interaction);
        count_edges("follows", n.follows);
    }

    // Sales reaches out to prospects.
    std::uint64_t prospect_contacts = 0;
    for (std::uint32_t i = 0; i < p.prospects && !facing.empty(); ++i) {
        auto rng = graph::Rng::stream(p.seed, kProspect + i);
        if (!rng.bernoulli(0.5)) continue;
        w.field(L.employee(facing[rng.below(facing.size())])).comma().field(L.prospect(i)).comma().field("interaction").comma();
        w.integer(static_cast<std::int64_t>(1 + rng.below(3)))
            .comma()
            .integer(kStart + static_cast<graph::Timestamp>(rng.below(kSpan)))
            .comma()
            .end();
        ++prospect_contacts;
    }
    count_edges("interaction", prospect_contacts);

    // Planted data-quality problems, for CRV to find and neutralize.
    if (p.customers >= 50) {
        const auto c = [&](std::uint64_t i) { return L.customer(i); };
        // A self-referral.
        w.field(c(41))
            .comma()
            .field(c(41))
            .comma()
            .field("referral")
            .comma()
            .integer(1)
            .comma()
            .integer(L.joined_at(41))
            .comma()
            .money(50)
            .end();
        // A referral cycle: 47 referred 48, and 48 "referred" 47 back.
        w.field(c(47))
            .comma()
            .field(c(48))
            .comma()
            .field("referral")
            .comma()
            .integer(1)
            .comma()
            .integer(L.joined_at(48))
            .comma()
            .money(40)
            .end();
        w.field(c(48))
            .comma()
            .field(c(47))
            .comma()
            .field("referral")
            .comma()
            .integer(1)
            .comma()
            .integer(L.joined_at(48) + 86400)
            .comma()
            .money(40)
            .end();
        // A repeat referral of the same customer by the same person.
        w.field(c(30))
            .comma()
            .field(c(49))
            .comma()
            .field("referral")
            .comma()
            .integer(1)
            .comma()
            .integer(L.joined_at(49))
            .comma()
            .money(30)
            .end();
        w.field(c(30))
            .comma()
            .field(c(49))
            .comma()
            .field("referral")
            .comma()
            .integer(1)
            .comma()
            .integer(L.joined_at(49) + 3600)
            .comma()
            .money(30)
            .end();
        // A "referral" of someone who had been a customer for a year already.
        w.field(c(45))
            .comma()
            .field(c(2))
            .comma()
            .field("referral")
            .comma()
            .integer(1)
            .comma()
            .integer(L.joined_at(2) + 365 * 86400)
            .comma()
            .money(60)
            .end();
        count_edges("referral", 6);
    }
    emit(edges, w.text);
    nodes.close();
    edges.close();
    if (!nodes || !edges)
        throw QueryError(ErrorCode::failed_precondition, "writing the sample organization into " + dir.string() + " failed");
    return report;
}

}  // namespace smorg::queries
