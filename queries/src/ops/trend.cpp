// The trend op: one op (silos, advocates, crv, centrality) run over a sequence of time windows, with
// the metrics that matter for it per window and whether each change between consecutive windows is
// real. Each window runs the op itself (one home for its params, defaults and checks); trend reads
// the op's answer and its per-person values.
#include "smorg/engine/trend.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <optional>

#include "smorg/graph/errors.h"
#include "smorg/graph/time.h"

#include "common.h"
#include "files.h"
#include "ops/ops.h"
#include "pictures.h"

namespace smorg::queries::ops {

namespace {

using engine::TimeWindow;

constexpr std::array<std::string_view, 4> kTrendOps{"silos", "advocates", "crv", "centrality"};
constexpr const char* kInsufficient = "insufficient data";

bool is_silos(std::string_view op) { return op == "silos"; }

// Fields of the windowed query that shape a part of its answer trend does not report: refused, so
// none is accepted and ignored. ("*": every op.)
struct Unreported {
    std::string_view op, field, why;
};
constexpr std::array<Unreported, 12> kUnreported{{
    {"*", "since", "trend sets each window's since and until: give the span in windows"},
    {"*", "until", "trend sets each window's since and until: give the span in windows"},
    {"*", "top", "give top on the trend itself (the rows it lists per window)"},
    {"*", "svg", "give svg on the trend itself (its chart)"},
    {"*", "inline_svg", "give inline_svg on the trend itself (its chart)"},
    {"*", "explain", "trend lists no explanations: run the op on one window for them"},
    {"*", "summary", "trend lists ranked rows per window, not a summary"},
    {"silos", "spanners", "trend reports no spanners: run silos on one window for them"},
    {"silos", "introductions", "trend reports no introductions: run silos on one window for them"},
    {"silos", "mixing", "trend reports the cut-off pairs and their changes, not the mixing matrix"},
    {"silos", "community_algorithm", "trend reports no detected communities: run silos on one window for them"},
    {"crv", "clv_split", "trend reports no segments: run crv on one window for them"},
}};

std::string trend_ops_list() {
    std::string list;
    for (auto op : kTrendOps) list += (list.empty() ? "" : ", ") + std::string(op);
    return list;
}

// An engine error about a field of the windowed query (or of the windows), at that field's place
// under `prefix` ("query", "windows"); an error of no field, at the prefix itself.
[[noreturn]] void rethrow_under(const std::string& prefix) {
    const auto under = [&](const std::string& field) { return field.empty() ? prefix : prefix + "/" + field; };
    try {
        throw;
    } catch (const graph::ParamError& e) {
        throw graph::ParamError(under(e.field()), e.what());
    } catch (const graph::NotFound& e) {
        throw graph::NotFound(under(e.field()), e.what());
    } catch (const graph::ResourceExhausted& e) {
        throw graph::ResourceExhausted(under(e.field()), e.what());
    }
}

// The first and last timestamps of the data: the default span of the windows.
std::pair<graph::Timestamp, graph::Timestamp> data_span(const graph::Snapshot& g) {
    auto first = std::numeric_limits<graph::Timestamp>::max(), last = std::numeric_limits<graph::Timestamp>::min();
    if (g.has_timestamps()) {
        for (graph::EdgeIndex e = 0; e < g.edge_count(); ++e) {
            const auto t = g.timestamp(e);
            if (t == graph::kNoTimestamp) continue;
            first = std::min(first, t);
            last = std::max(last, t);
        }
    }
    return {first, last};
}

std::vector<TimeWindow> read_windows(FieldReader& reader, const graph::Snapshot& g, bool& cumulative) {
    auto w = reader.object("windows");
    engine::WindowsParams p;
    p.since = w.maybe_timestamp("since");
    p.until = w.maybe_timestamp("until");
    if (const auto step = w.maybe<std::string>("step")) {
        p.step = graph::parse_time_step(*step);
        if (!p.step) {
            w.fail("step", ErrorCode::invalid_argument,
                   "expected a step like \"30d\": a count from 1 to " + std::to_string(graph::TimeStep::kMaxCount) +
                       " and a unit, h, d, w, mo or y; got \"" + *step + "\"");
        }
    }
    if (const json* raw = w.raw("boundaries")) {
        if (!raw->is_array()) {
            throw QueryError(ErrorCode::invalid_argument,
                             "expected an array of timestamps, got " + std::string(type_phrase(*raw)), w.at("boundaries"));
        }
        if (raw->size() > engine::WindowsParams::kMaxWindows + 1) {
            w.fail("boundaries", ErrorCode::invalid_argument,
                   "a trend runs at most " + std::to_string(engine::WindowsParams::kMaxWindows) + " windows: give at most " +
                       std::to_string(engine::WindowsParams::kMaxWindows + 1) + " boundaries");
        }
        for (std::size_t i = 0; i < raw->size(); ++i) {
            const auto& v = (*raw)[i];
            std::optional<graph::Timestamp> t;
            if (v.is_number_integer()) t = v.get<graph::Timestamp>();
            if (v.is_string()) t = graph::parse_timestamp(v.get_ref<const std::string&>());
            if (!t) {
                throw QueryError(ErrorCode::invalid_argument,
                                 "expected a timestamp (epoch seconds or ISO-8601 like \"2024-03-01\")",
                                 pointer_append(w.at("boundaries"), std::to_string(i)));
            }
            p.boundaries.push_back(*t);
        }
    }
    const auto mode = w.optional<std::string>("mode", "rolling");
    if (mode != "rolling" && mode != "cumulative") {
        w.fail("mode", ErrorCode::invalid_argument,
               "mode must be \"rolling\" (each window on its own) or \"cumulative\" (each from the first start)");
    }
    p.cumulative = cumulative = mode == "cumulative";
    w.reject_unknown();
    if (p.step && (!p.since || !p.until)) {
        const auto [first, last] = data_span(g);
        if (first > last) {
            w.fail(p.since ? "until" : "since", ErrorCode::invalid_argument,
                   "no tie in the data has a timestamp: give since and until (or boundaries)");
        }
        // From the start of the first day (UTC) to just after the last timestamp; a timestamp outside
        // the years 0000-9999 is refused by time_windows at the field it became.
        const auto clamp = [](graph::Timestamp t) {
            return std::clamp(t, engine::WindowsParams::kEarliest - 86400, engine::WindowsParams::kLatest + 1);
        };
        if (!p.since) p.since = clamp(first) - ((clamp(first) % 86400) + 86400) % 86400;
        if (!p.until) p.until = clamp(last) + 1;
    }
    try {
        return engine::time_windows(p);
    } catch (const graph::ParamError&) {
        rethrow_under("windows");
    }
}

// One window's run of the query: the op itself with the window's since and until (and, for the
// parts trend does not report, the cheapest settings), its per-person values in `column`.
json run_window(OpContext& ctx, const OpEntry& entry, const json& query, const TimeWindow& window, NodeColumn* column,
                bool estimate) {
    json inner = query;
    inner["since"] = window.since;
    inner["until"] = window.until;
    if (is_silos(entry.name)) {
        inner["spanners"] = 0;
        inner["introductions"] = 0;
        inner["mixing"] = true;
    } else {
        inner["top"] = 1;
        if (entry.name == "advocates") inner["explain"] = false;
    }
    const auto at = pointer_append(ctx.at, "query");
    FieldReader reader(inner, at);
    reader.raw("op");  // read by trend
    OpContext window_ctx{ctx.db, ctx.snapshot, ctx.run, at, ctx.options, estimate, column};
    try {
        auto result = entry.run(window_ctx, reader);
        reader.reject_unknown();
        return result;
    } catch (const graph::ParamError&) {
        rethrow_under("query");
    } catch (const graph::NotFound&) {
        rethrow_under("query");
    } catch (const graph::ResourceExhausted&) {
        rethrow_under("query");
    }
}

json window_json(const TimeWindow& w) {
    return {{"since", graph::format_timestamp(w.since)}, {"until", graph::format_timestamp(w.until)}};
}

// The change of an E-I index between two windows, tested on the share of external ties.
json ei_change(std::uint64_t internal_a, std::uint64_t external_a, std::uint64_t internal_b, std::uint64_t external_b,
               double ei_a, double ei_b) {
    return {{"ei_index", ei_b - ei_a},
            {"p_value", engine::share_change_p_value(external_a, internal_a + external_a, external_b, internal_b + external_b)}};
}

// ---- silos -----------------------------------------------------------------------------------------

struct SilosWindow {
    bool ok = false;
    json result;
    std::map<std::pair<std::string, std::string>, json> cells;  // (a, b) -> mixing cell
};

struct SilosTrend {
    double alpha = 0.05;
    std::uint64_t min_ties = 20;
    double cut_off_ratio = 0.1, min_expected = 1;
};

bool cut_off(const json& cell, const SilosTrend& t) {
    return cell["expected"].get<double>() >= t.min_expected && cell["ratio"].get<double>() < t.cut_off_ratio;
}

json silos_window(const SilosWindow& now, const SilosWindow* before, const SilosTrend& t, const TimeWindow& w, std::size_t index,
                  json& significant) {
    const auto& r = now.result;
    json out = window_json(w);
    out["people"] = r["people"];
    out["ties"] = r["ties"];
    if (!now.ok) {
        out["status"] = kInsufficient;
        return out;
    }
    out["status"] = "ok";
    for (const char* f : {"internal", "external", "ei_index", "ei_expected", "ei_p_value", "modularity"}) out[f] = r[f];
    out["wall_coverage"] = r["wall"]["share_with_contact"];
    out["wall_customers"] = r["wall"]["customers"];
    json cut = json::array();
    for (const auto& c : r["cut_off"]) cut.push_back({{"a", c["a"]}, {"b", c["b"]}, {"ratio", c["ratio"]}});
    out["cut_off"] = std::move(cut);
    const auto note = [&](json change, std::string what, const json& group) {
        if (change["p_value"].get<double>() >= t.alpha) return;
        change["window"] = index;
        change["since"] = out["since"];
        change["what"] = std::move(what);
        if (!group.is_null()) change["group"] = group;
        significant.push_back(std::move(change));
    };
    std::map<std::string, const json*> groups_before;
    if (before && before->ok) {
        for (const auto& g : before->result["groups"]) groups_before[g["group"].get<std::string>()] = &g;
        const auto& b = before->result;
        auto change = ei_change(b["internal"], b["external"], r["internal"], r["external"], b["ei_index"], r["ei_index"]);
        out["change"] = change;
        note(change, "ei_index", nullptr);
    } else {
        out["change"] = {{"status", kInsufficient}};
    }
    json groups = json::array();
    for (const auto& g : r["groups"]) {
        json row = {{"group", g["group"]},       {"size", g["size"]},         {"internal", g["internal"]},
                    {"external", g["external"]}, {"ei_index", g["ei_index"]}, {"ei_expected", g["ei_expected"]},
                    {"p_value", g["p_value"]}};
        const auto ties = g["internal"].get<std::uint64_t>() + g["external"].get<std::uint64_t>();
        const auto prior = groups_before.find(g["group"].get<std::string>());
        if (ties < t.min_ties) {
            row["status"] = kInsufficient;
            row["ei_index"] = nullptr;
        } else if (prior != groups_before.end() &&
                   (*prior->second)["internal"].get<std::uint64_t>() + (*prior->second)["external"].get<std::uint64_t>() >=
                       t.min_ties) {
            const auto& p = *prior->second;
            auto change = ei_change(p["internal"], p["external"], g["internal"], g["external"], p["ei_index"], g["ei_index"]);
            row["change"] = change;
            note(change, "group ei_index", g["group"]);
        } else {
            row["change"] = {{"status", kInsufficient}};
        }
        groups.push_back(std::move(row));
    }
    out["groups"] = std::move(groups);
    // Pairs that were cut off and are no longer (opened), or the reverse (closed): the share of the
    // window's ties between the two groups, tested between the windows.
    json opened = json::array(), closed = json::array();
    if (before && before->ok) {
        const auto b_ties = before->result["ties"].get<std::uint64_t>(), n_ties = r["ties"].get<std::uint64_t>();
        for (const auto& [pair, cell] : now.cells) {
            const auto prior = before->cells.find(pair);
            if (prior == before->cells.end()) continue;
            const bool was = cut_off(prior->second, t), is = cut_off(cell, t);
            const bool judged =
                prior->second["expected"].get<double>() >= t.min_expected && cell["expected"].get<double>() >= t.min_expected;
            if (was == is || !judged) continue;
            json row = {{"a", pair.first},
                        {"b", pair.second},
                        {"ratio_before", prior->second["ratio"]},
                        {"ratio", cell["ratio"]},
                        {"observed_before", prior->second["observed"]},
                        {"observed", cell["observed"]},
                        {"p_value", engine::share_change_p_value(prior->second["observed"], b_ties, cell["observed"], n_ties)}};
            note({{"p_value", row["p_value"]}, {"a", pair.first}, {"b", pair.second}}, was ? "pair opened" : "pair closed",
                 nullptr);
            (was ? opened : closed).push_back(std::move(row));
        }
    }
    out["opened"] = std::move(opened);
    out["closed"] = std::move(closed);
    return out;
}

// ---- rankings (advocates, crv, centrality) -----------------------------------------------------------

struct Ranking {
    bool ok = false;
    std::vector<double> score;            // by node, NaN: not ranked in this window
    std::vector<graph::NodeIndex> order;  // ranked nodes, best first (ties by node index)
    std::vector<std::uint32_t> rank;      // by node, 1-based; 0: not ranked
    std::uint64_t population = 0;         // the op's own count of who took part
};

Ranking ranking_of(std::vector<double> score) {
    Ranking r;
    r.score = std::move(score);
    r.rank.assign(r.score.size(), 0);
    for (graph::NodeIndex u = 0; u < r.score.size(); ++u) {
        if (std::isfinite(r.score[u])) r.order.push_back(u);
    }
    std::sort(r.order.begin(), r.order.end(),
              [&](auto a, auto b) { return r.score[a] != r.score[b] ? r.score[a] > r.score[b] : a < b; });
    for (std::size_t i = 0; i < r.order.size(); ++i) r.rank[r.order[i]] = static_cast<std::uint32_t>(i + 1);
    return r;
}

// Share of the total held by the top 10% of those with a positive amount; nullopt when none has one.
std::optional<double> concentration(const std::vector<double>& amount) {
    std::vector<double> positive;
    for (double a : amount) {
        if (std::isfinite(a) && a > 0) positive.push_back(a);
    }
    if (positive.empty()) return std::nullopt;
    std::sort(positive.begin(), positive.end(), std::greater<>());
    const auto top = static_cast<std::size_t>(std::ceil(0.1 * static_cast<double>(positive.size())));
    const double all = std::accumulate(positive.begin(), positive.end(), 0.0);
    return std::accumulate(positive.begin(), positive.begin() + static_cast<std::ptrdiff_t>(top), 0.0) / all;
}

std::size_t positive_count(const std::vector<double>& amount) {
    return static_cast<std::size_t>(
        std::count_if(amount.begin(), amount.end(), [](double a) { return std::isfinite(a) && a > 0; }));
}

json ranking_window(const graph::Snapshot& g, const Ranking& now, const Ranking* before, const std::vector<double>& amount,
                    std::size_t top, const TimeWindow& w, const char* population_field) {
    json out = window_json(w);
    out[population_field] = now.population;
    out["ranked"] = now.order.size();
    if (!now.ok) {
        out["status"] = kInsufficient;
        return out;
    }
    out["status"] = "ok";
    out["with_value"] = positive_count(amount);
    const auto c = concentration(amount);
    out["concentration"] = c ? json(*c) : json(kInsufficient);
    const bool compare = before && before->ok;
    const std::size_t n = std::min(top, now.order.size());
    json rows = json::array();
    for (std::size_t i = 0; i < n; ++i) {
        const auto u = now.order[i];
        json row = node_ref(g, u);
        row["score"] = number(now.score[u]);
        row["rank"] = i + 1;
        if (compare) {
            const auto prior = before->rank[u];
            row["previous_rank"] = prior ? json(prior) : json(nullptr);
            row["new"] = prior == 0 || prior > top;
        }
        rows.push_back(std::move(row));
    }
    out["rows"] = std::move(rows);
    if (!compare) {
        out["change"] = {{"status", kInsufficient}};
        return out;
    }
    // Who left the top, and Kendall's tau over the union of the two tops (unranked counts as lowest).
    json lost = json::array();
    std::vector<graph::NodeIndex> both;
    for (std::size_t i = 0; i < std::min(top, before->order.size()); ++i) {
        const auto u = before->order[i];
        both.push_back(u);
        if (now.rank[u] == 0 || now.rank[u] > top) {
            json row = node_ref(g, u);
            row["previous_rank"] = i + 1;
            row["rank"] = now.rank[u] ? json(now.rank[u]) : json(nullptr);
            lost.push_back(std::move(row));
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (before->rank[now.order[i]] == 0 || before->rank[now.order[i]] > top) both.push_back(now.order[i]);
    }
    std::vector<double> x, y;
    const auto value = [](const Ranking& r, graph::NodeIndex u) { return std::isfinite(r.score[u]) ? r.score[u] : -1e300; };
    for (auto u : both) {
        x.push_back(value(*before, u));
        y.push_back(value(now, u));
    }
    const auto tau = engine::kendall_tau_b(x, y);
    out["change"] = {{"kendall_tau", tau ? json(*tau) : json(kInsufficient)}, {"compared", both.size()}, {"lost", lost}};
    return out;
}

// ---- the chart ---------------------------------------------------------------------------------------

std::optional<double> number_of(const json& v) {
    if (v.is_number()) return v.get<double>();
    return std::nullopt;
}

std::string date_label(const std::string& iso) { return iso.substr(0, iso.find('T')); }

std::string trend_picture(const json& windows, std::string_view op, const std::string& metric) {
    std::vector<std::string> labels;
    for (const auto& w : windows) labels.push_back(date_label(w["since"].get<std::string>()));
    std::vector<pictures::TrendSeries> series;
    const auto line = [&](std::string name, auto&& get) {
        pictures::TrendSeries s{std::move(name), {}};
        for (const auto& w : windows) s.values.push_back(w["status"] == "ok" ? get(w) : std::nullopt);
        series.push_back(std::move(s));
    };
    std::optional<std::pair<double, double>> range;
    std::string axis = metric;
    if (metric == "ei_index") {
        range = std::pair{-1.0, 1.0};
        axis = "E-I index (-1 all inside, +1 all across)";
        line("all groups", [](const json& w) { return number_of(w["ei_index"]); });
        // The groups, largest first (by their largest size in any window), up to the chart's lines.
        std::map<std::string, std::uint64_t> size;
        for (const auto& w : windows) {
            if (!w.contains("groups")) continue;
            for (const auto& g : w["groups"]) {
                auto& s = size[g["group"].get<std::string>()];
                s = std::max(s, g["size"].get<std::uint64_t>());
            }
        }
        std::vector<std::pair<std::uint64_t, std::string>> order;
        for (const auto& [name, s] : size) order.emplace_back(s, name);
        std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
        for (std::size_t i = 0; i < order.size() && series.size() < pictures::kMaxTrendLines; ++i) {
            const auto& name = order[i].second;
            line(name, [&](const json& w) -> std::optional<double> {
                for (const auto& g : w["groups"]) {
                    if (g["group"] == name) return number_of(g["ei_index"]);
                }
                return std::nullopt;
            });
        }
    } else if (metric == "wall_coverage") {
        range = std::pair{0.0, 1.0};
        axis = "share of customers with an employee contact";
        line("wall coverage", [](const json& w) { return number_of(w["wall_coverage"]); });
    } else if (metric == "cut_off_pairs") {
        axis = "cut-off pairs of groups";
        line("cut-off pairs", [](const json& w) { return std::optional<double>(static_cast<double>(w["cut_off"].size())); });
    } else if (metric == "concentration") {
        range = std::pair{0.0, 1.0};
        axis = "share of value held by the top 10%";
        line("concentration", [](const json& w) { return number_of(w["concentration"]); });
    } else if (metric == "with_value") {
        axis = "people with a positive value";
        line("with value", [](const json& w) { return number_of(w["with_value"]); });
    } else {  // kendall_tau
        range = std::pair{-1.0, 1.0};
        axis = "Kendall's tau with the previous window";
        line("rank agreement", [](const json& w) -> std::optional<double> {
            return w.contains("change") && w["change"].contains("kendall_tau") ? number_of(w["change"]["kendall_tau"])
                                                                               : std::nullopt;
        });
    }
    return pictures::trend_chart(
        labels, series, std::string(op) + " over " + std::to_string(windows.size()) + " windows: " + metric, axis, range);
}

constexpr std::array<std::string_view, 3> kSilosMetrics{"ei_index", "wall_coverage", "cut_off_pairs"};
constexpr std::array<std::string_view, 3> kRankingMetrics{"concentration", "with_value", "kendall_tau"};

}  // namespace

json trend(OpContext& ctx, FieldReader& reader) {
    const auto& g = ctx.g();
    // The windowed query: its op and what it may hold.
    auto query = reader.object("query");
    const auto op = query.required<std::string>("op");
    if (std::find(kTrendOps.begin(), kTrendOps.end(), op) == kTrendOps.end()) {
        query.fail("op", ErrorCode::invalid_argument, "trend runs " + trend_ops_list() + " over windows, not '" + op + "'");
    }
    for (const auto& u : kUnreported) {
        if ((u.op == "*" || u.op == op) && query.has(u.field)) {
            query.fail(u.field, ErrorCode::invalid_argument,
                       std::string(u.field) + " does not go in a trend's query: " + std::string(u.why));
        }
    }
    const OpEntry& entry = *find_op(op);
    const json& query_json = query.value();
    bool cumulative = false;
    const auto windows = read_windows(reader, g, cumulative);
    const bool silos = is_silos(op);
    const auto top = static_cast<std::size_t>(reader.optional<std::uint64_t>("top", 10));
    if (!silos && (top < 1 || top > 100)) reader.fail("top", ErrorCode::invalid_argument, "top must be between 1 and 100");
    if (silos && reader.has("top")) {
        reader.fail("top", ErrorCode::invalid_argument, "a trend of silos lists groups and pairs, not ranked rows");
    }
    SilosTrend st;
    if (!silos && reader.has("alpha")) {
        reader.fail("alpha", ErrorCode::invalid_argument,
                    "alpha picks the significant changes of a trend of silos; a trend of " + op + " lists none");
    }
    st.alpha = reader.optional<double>("alpha", st.alpha);
    if (!(st.alpha > 0 && st.alpha < 1)) reader.fail("alpha", ErrorCode::invalid_argument, "alpha must be in (0, 1)");
    const char* threshold = op == "centrality" ? "min_people" : "min_ties";
    const char* other = op == "centrality" ? "min_ties" : "min_people";
    if (reader.has(other)) {
        reader.fail(other, ErrorCode::invalid_argument,
                    std::string("a trend of ") + op + " counts " +
                        (op == "centrality" ? "people in the view: give min_people" : "ties: give min_ties"));
    }
    const std::uint64_t min_count = reader.optional<std::uint64_t>(threshold, op == "centrality" ? 10 : 20);
    if (min_count < 1 || min_count > 1'000'000'000) {
        reader.fail(threshold, ErrorCode::invalid_argument, std::string(threshold) + " must be between 1 and 1000000000");
    }
    st.min_ties = min_count;
    // The op's own cut-off rule (the first window's run refuses a value of the wrong type).
    for (auto [field, target] : {std::pair{"cut_off_ratio", &st.cut_off_ratio}, std::pair{"min_expected", &st.min_expected}}) {
        if (const auto v = query_json.find(field); v != query_json.end() && v->is_number()) *target = v->get<double>();
    }
    auto picture = PictureRequest::read(reader);
    if (reader.has("metric") && !picture.drawn()) {
        reader.fail("metric", ErrorCode::invalid_argument, "metric chooses what the chart draws: give svg or inline_svg with it");
    }
    const auto metric = reader.optional<std::string>("metric", silos ? "ei_index" : "concentration");
    const auto& metrics = silos ? kSilosMetrics : kRankingMetrics;
    if (std::find(metrics.begin(), metrics.end(), metric) == metrics.end()) {
        std::string list;
        for (auto m : metrics) list += (list.empty() ? "" : ", ") + std::string(m);
        reader.fail("metric", ErrorCode::invalid_argument, "a trend of " + op + " draws one of " + list);
    }
    reader.reject_unknown();
    picture.resolve(ctx, reader);

    // The windows' own estimates, added up: the whole trend is held to one budget.
    double work = 0, memory = 0;
    for (const auto& w : windows) {
        const auto e = run_window(ctx, entry, query_json, w, nullptr, true)["estimate"];
        work += e["work"].get<double>();
        memory = std::max(memory, e["memory_bytes"].get<double>());
    }
    const auto& limits = ctx.run.limits();
    if (ctx.estimate) {
        return {{"estimate",
                 {{"work", work},
                  {"memory_bytes", memory},
                  {"basis", "the sum of each window's estimate (" + std::to_string(windows.size()) + " windows)"},
                  {"max_work", limits.max_work},
                  {"max_memory_bytes", limits.max_memory_bytes},
                  {"fits", work <= limits.max_work && memory <= limits.max_memory_bytes}}}};
    }
    if (work > limits.max_work) {
        reader.fail("windows", ErrorCode::resource_exhausted,
                    "the " + std::to_string(windows.size()) + " windows' estimated work (" + graph::format_number(work) +
                        ") exceeds the budget (" + graph::format_number(limits.max_work) +
                        "): give fewer windows (a longer step or a shorter span), or a larger max_work");
    }

    json out_windows = json::array();
    json significant = json::array();
    std::size_t with_data = 0;
    if (silos) {
        std::optional<SilosWindow> before;
        for (std::size_t i = 0; i < windows.size(); ++i) {
            ctx.run.throw_if_cancelled();
            SilosWindow now;
            now.result = run_window(ctx, entry, query_json, windows[i], nullptr, false);
            now.ok = now.result["ties"].get<std::uint64_t>() >= st.min_ties;
            for (const auto& c : now.result["mixing"]) {
                if (c["a"] != c["b"]) now.cells[{c["a"].get<std::string>(), c["b"].get<std::string>()}] = c;
            }
            out_windows.push_back(silos_window(now, before ? &*before : nullptr, st, windows[i], i, significant));
            with_data += now.ok;
            before = std::move(now);
            ctx.run.report("trend", static_cast<double>(i + 1) / static_cast<double>(windows.size()));
        }
        std::stable_sort(significant.begin(), significant.end(),
                         [](const json& a, const json& b) { return a["p_value"].get<double>() < b["p_value"].get<double>(); });
    } else {
        std::optional<Ranking> before;
        const char* population_field = op == "centrality" ? "people" : "referrals";
        for (std::size_t i = 0; i < windows.size(); ++i) {
            ctx.run.throw_if_cancelled();
            NodeColumn column;
            const auto result = run_window(ctx, entry, query_json, windows[i], &column, false);
            auto now = ranking_of(std::move(column.values));
            now.population =
                op == "centrality" ? result["nodes"].get<std::uint64_t>() : result["findings"]["referrals"].get<std::uint64_t>();
            now.ok = now.population >= min_count;
            const auto& amount = op == "advocates" ? column.amounts : now.score;
            out_windows.push_back(ranking_window(g, now, before ? &*before : nullptr, amount, top, windows[i], population_field));
            with_data += now.ok;
            before = std::move(now);
            ctx.run.report("trend", static_cast<double>(i + 1) / static_cast<double>(windows.size()));
        }
    }
    json answer = {{"op", op},
                   {"mode", cumulative ? "cumulative" : "rolling"},
                   {"windows", out_windows},
                   {"windows_with_data", with_data},
                   {threshold, min_count}};
    if (silos) {
        answer["alpha"] = st.alpha;
        answer["significant_changes"] = std::move(significant);
    } else {
        answer["top"] = top;
    }
    if (picture.drawn()) picture.deliver(answer, trend_picture(answer["windows"], op, metric), reader);
    return answer;
}

}  // namespace smorg::queries::ops
