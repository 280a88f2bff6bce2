#include "pictures.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>
#include <span>
#include <sstream>
#include <tuple>
#include <utility>

#include "smorg/queries/query_error.h"

#include "common.h"
#include "graphviz.h"

namespace smorg::queries::pictures {

namespace {

std::string fixed(double x, int digits) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", digits, x);
    return buffer;
}

std::string hex(int r, int g, int b) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "#%02x%02x%02x", r, g, b);
    return buffer;
}

// The palette, shared by both pictures and their legends.
constexpr const char* kCutOff = "#d62728";
constexpr const char* kHigh = "#2b6cb0";
constexpr const char* kTree = "#a0aec0";
constexpr const char* kIntroduction = "#2f855a";
constexpr const char* kOther = "#e2e8f0";
constexpr const char* kText = "#1a202c";
constexpr const char* kValue = "#2b6cb0";
constexpr const char* kReach = "#dd6b20";
constexpr const char* kEngagement = "#38a169";
constexpr const char* kFont = "Helvetica, Arial, sans-serif";

// E-I minus its expectation at which the colour saturates.
constexpr double kColourSpan = 1.2;
// A pair of groups is significantly high when its ties stand this many Poisson standard deviations
// above expectation and at least this far above it in ratio.
constexpr double kHighZ = 3.0;
constexpr double kHighRatio = 1.5;
constexpr std::size_t kIntroductionsDrawn = 5;
// The most cut-off pairs drawn with their labels (all of them when every tie is drawn).
constexpr std::size_t kCutOffDrawn = 10;

double pen_width(double ratio) { return std::clamp(0.5 + 2.5 * ratio, 0.5, 8.0); }

// Circle diameter in inches: area by people.
double diameter(std::uint64_t size, std::uint64_t largest) {
    return std::max(0.35, 1.9 * std::sqrt(static_cast<double>(size) / static_cast<double>(std::max<std::uint64_t>(1, largest))));
}

std::string signed_fixed(double x, int digits) { return (x >= 0 ? "+" : "\u2212") + fixed(std::abs(x), digits); }

// Whether white text reads better than dark text on `colour` (#rrggbb), by its luminance.
bool dark(const std::string& colour) {
    const auto channel = [&](int i) { return std::stoi(colour.substr(static_cast<std::size_t>(1 + 2 * i), 2), nullptr, 16); };
    return 0.299 * channel(0) + 0.587 * channel(1) + 0.114 * channel(2) < 140;
}

// A column of legend entries, written as SVG from the top left of its own area.
class Panel {
public:
    explicit Panel(double width) : width_(width) {}
    void title(const std::string& text) {
        y_ += 22;
        out_ << "<text x=\"12\" y=\"" << fixed(y_, 1) << "\" font-family=\"" << kFont
             << "\" font-size=\"14\" font-weight=\"bold\" fill=\"" << kText << "\">" << xml(text) << "</text>\n";
        y_ += 6;
    }
    void text(const std::string& text, double size = 11) {
        y_ += size + 4;
        out_ << "<text x=\"12\" y=\"" << fixed(y_, 1) << "\" font-family=\"" << kFont << "\" font-size=\"" << fixed(size, 0)
             << "\" fill=\"" << kText << "\">" << xml(text) << "</text>\n";
    }
    // A row of colour swatches with their values under them.
    void scale(const std::vector<std::pair<std::string, std::string>>& swatches) {
        y_ += 6;
        double x = 12;
        for (const auto& [colour, label] : swatches) {
            out_ << "<rect x=\"" << fixed(x, 1) << "\" y=\"" << fixed(y_, 1) << "\" width=\"36\" height=\"14\" fill=\"" << colour
                 << "\" stroke=\"#718096\" stroke-width=\"0.5\"/>\n";
            out_ << "<text x=\"" << fixed(x + 18, 1) << "\" y=\"" << fixed(y_ + 27, 1)
                 << "\" text-anchor=\"middle\" font-family=\"" << kFont << "\" font-size=\"9\" fill=\"" << kText << "\">"
                 << xml(label) << "</text>\n";
            x += 40;
        }
        y_ += 30;
    }
    void circle(double radius, const std::string& style, const std::string& label) {
        y_ += 4;
        const double cy = y_ + radius;
        out_ << "<circle cx=\"" << fixed(12 + 60, 1) << "\" cy=\"" << fixed(cy, 1) << "\" r=\"" << fixed(radius, 1) << "\" "
             << style << "/>\n";
        out_ << "<text x=\"" << fixed(12 + 60 + std::max(radius, 20.0) + 10, 1) << "\" y=\"" << fixed(cy + 4, 1)
             << "\" font-family=\"" << kFont << "\" font-size=\"11\" fill=\"" << kText << "\">" << xml(label) << "</text>\n";
        y_ = cy + radius + 2;
    }
    void line(double width, const std::string& colour, bool dashed, bool arrow, const std::string& label) {
        y_ += 16;
        out_ << "<line x1=\"12\" y1=\"" << fixed(y_ - 4, 1) << "\" x2=\"" << (arrow ? "52" : "60") << "\" y2=\""
             << fixed(y_ - 4, 1) << "\" stroke=\"" << colour << "\" stroke-width=\"" << fixed(width, 1) << "\""
             << (dashed ? " stroke-dasharray=\"6,3\"" : "") << "/>\n";
        if (arrow) {
            out_ << "<polygon points=\"52," << fixed(y_ - 9, 1) << " 62," << fixed(y_ - 4, 1) << " 52," << fixed(y_ + 1, 1)
                 << "\" fill=\"" << colour << "\"/>\n";
        }
        out_ << "<text x=\"72\" y=\"" << fixed(y_, 1) << "\" font-family=\"" << kFont << "\" font-size=\"11\" fill=\"" << kText
             << "\">" << xml(label) << "</text>\n";
    }
    void gap(double h) { y_ += h; }
    double width() const { return width_; }
    double height() const { return y_ + 12; }
    std::string svg() const { return out_.str(); }

private:
    double width_;
    double y_ = 0;
    std::ostringstream out_;
};

// The number that starts attribute `name`'s value in `tag` ("620pt" -> 620), or -1.
double attribute_number(std::string_view tag, std::string_view name) {
    const auto at = tag.find(" " + std::string(name) + "=\"");
    if (at == std::string_view::npos) return -1;
    const auto begin = at + name.size() + 3;
    auto end = begin;
    while (end < tag.size() && ((tag[end] >= '0' && tag[end] <= '9') || tag[end] == '.')) ++end;
    if (end == begin) return -1;
    return std::stod(std::string(tag.substr(begin, end - begin)));
}

// Puts `panel` to the right of a Graphviz SVG: the canvas is widened (and heightened) to hold it.
std::string with_panel(const std::string& svg, const Panel& panel, const std::string& at) {
    const auto open = svg.find("<svg ");
    const auto close = open == std::string::npos ? std::string::npos : svg.find('>', open);
    const auto end = svg.rfind("</svg>");
    if (close == std::string::npos || end == std::string::npos || end < close) {
        throw QueryError(ErrorCode::internal, "Graphviz's SVG has no <svg> element to add the legend to", at);
    }
    std::string tag = svg.substr(open, close - open);
    for (char& c : tag) {
        if (c == '\n' || c == '\t' || c == '\r') c = ' ';
    }
    const double w = attribute_number(tag, "width");
    const double h = attribute_number(tag, "height");
    if (w <= 0 || h <= 0 || tag.find(" viewBox=\"") == std::string::npos) {
        throw QueryError(ErrorCode::internal, "Graphviz's SVG has no size to add the legend to", at);
    }
    const double width = w + panel.width();
    const double height = std::max(h, panel.height());
    std::string out = svg.substr(0, open);
    out += "<svg width=\"" + fixed(width, 0) + "pt\" height=\"" + fixed(height, 0) + "pt\" viewBox=\"0.00 0.00 " +
           fixed(width, 2) + " " + fixed(height, 2) + "\"";
    // The other attributes of the element (namespaces), as Graphviz wrote them.
    const auto keep = tag.find(" xmlns");
    if (keep != std::string::npos) out += tag.substr(keep);
    out += svg.substr(close, end - close);
    out += "<g id=\"legend\" transform=\"translate(" + fixed(w, 2) + " 0)\">\n<rect x=\"0\" y=\"0\" width=\"" +
           fixed(panel.width(), 2) + "\" height=\"" + fixed(height, 2) + "\" fill=\"#ffffff\" stroke=\"none\"/>\n" + panel.svg() +
           "</g>\n";
    out += svg.substr(end);
    return out;
}

std::string person_label(const graph::Snapshot& g, graph::NodeIndex u) {
    const auto ref = node_ref(g, u);
    return ref.contains("name") ? ref["name"].get<std::string>() : ref["id"].get<std::string>();
}

// The start of a chart written directly: the SVG root, a white ground and the title.
void open_chart(std::ostringstream& out, double width, double height, const std::string& title) {
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << fixed(width, 0) << "pt\" height=\"" << fixed(height, 0)
        << "pt\" viewBox=\"0 0 " << fixed(width, 0) << " " << fixed(height, 0) << "\">\n"
        << "<rect x=\"0\" y=\"0\" width=\"" << fixed(width, 0) << "\" height=\"" << fixed(height, 0) << "\" fill=\"#ffffff\"/>\n"
        << "<text x=\"12\" y=\"24\" font-family=\"" << kFont << "\" font-size=\"16\" font-weight=\"bold\" fill=\"" << kText
        << "\">" << xml(title) << "</text>\n";
}

}  // namespace

std::string diverging(double x) {
    // Red (#c53030) through a pale neutral (#f7f7f7) to blue (#2b6cb0).
    x = std::clamp(x, -1.0, 1.0);
    const int pale[3] = {0xf7, 0xf7, 0xf7};
    const int red[3] = {0xc5, 0x30, 0x30};
    const int blue[3] = {0x2b, 0x6c, 0xb0};
    const int* end = x < 0 ? red : blue;
    const double t = std::abs(x);
    int c[3];
    for (int i = 0; i < 3; ++i) c[i] = static_cast<int>(std::lround(pale[i] + (end[i] - pale[i]) * t));
    return hex(c[0], c[1], c[2]);
}

std::string silo_map(const graph::Snapshot& g, const engine::SilosResult& r, const MapOptions& options, const std::string& at,
                     const RunContext& run) {
    // Which groups are drawn: all of them up to the cap; beyond it the groups of cut-off pairs, then
    // the largest, and the rest folded into one "other" circle.
    const std::size_t cut_drawn = options.all_ties ? r.cut_off.size() : std::min(r.cut_off.size(), kCutOffDrawn);
    const std::span<const engine::MixingCell> cut_off(r.cut_off.data(), cut_drawn);
    std::vector<std::uint32_t> present;
    for (std::uint32_t i = 0; i < r.groups.size(); ++i) {
        if (r.groups[i].size > 0) present.push_back(i);
    }
    constexpr std::uint32_t kFolded = ~std::uint32_t{0};
    std::vector<std::uint32_t> shown(r.groups.size(), kFolded);  // group -> drawn circle, or kFolded
    std::vector<std::uint32_t> drawn;                            // the drawn groups
    std::uint64_t folded_people = 0;
    std::size_t folded_groups = 0;
    if (present.size() <= options.max_groups) {
        drawn = present;
    } else {
        std::vector<std::uint32_t> order = present;
        std::set<std::uint32_t> in_cut;
        for (const auto& c : cut_off) {
            in_cut.insert(c.a);
            in_cut.insert(c.b);
        }
        std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            const bool ca = in_cut.count(a) > 0, cb = in_cut.count(b) > 0;
            if (ca != cb) return ca;
            return r.groups[a].size > r.groups[b].size;
        });
        drawn.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(options.max_groups - 1));
        std::sort(drawn.begin(), drawn.end());
        for (std::size_t i = options.max_groups - 1; i < order.size(); ++i) {
            folded_people += r.groups[order[i]].size;
            ++folded_groups;
        }
    }
    for (std::uint32_t k = 0; k < drawn.size(); ++k) shown[drawn[k]] = k;
    const auto other = static_cast<std::uint32_t>(drawn.size());  // the circle of folded groups
    const auto circles = other + (folded_groups > 0 ? 1 : 0);
    auto circle_of = [&](std::uint32_t group) { return shown[group] == kFolded ? other : shown[group]; };
    auto circle_id = [&](std::uint32_t c) { return c == other ? std::string("other") : "g" + std::to_string(drawn[c]); };

    // Ties between drawn circles: observed and expected summed over the groups each stands for.
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::pair<std::uint64_t, double>> pairs;
    for (const auto& cell : r.mixing) {
        if (r.groups[cell.a].size == 0 || r.groups[cell.b].size == 0) continue;  // not on the map
        const auto a = circle_of(cell.a), b = circle_of(cell.b);
        if (a == b) continue;
        auto& p = pairs[{std::min(a, b), std::max(a, b)}];
        p.first += cell.observed;
        p.second += cell.expected;
    }
    std::set<std::pair<std::uint32_t, std::uint32_t>> cut;
    for (const auto& c : cut_off) {
        if (shown[c.a] != kFolded && shown[c.b] != kFolded)
            cut.insert({std::min(shown[c.a], shown[c.b]), std::max(shown[c.a], shown[c.b])});
    }
    enum class Style { none, tree, plain, high };
    std::map<std::pair<std::uint32_t, std::uint32_t>, Style> style;
    for (const auto& [key, tie] : pairs) {
        if (cut.count(key) || tie.first == 0) continue;
        const double ratio = tie.second > 0 ? static_cast<double>(tie.first) / tie.second : 0.0;
        const double z = tie.second > 0 ? (static_cast<double>(tie.first) - tie.second) / std::sqrt(tie.second) : 0.0;
        if (tie.second >= options.min_expected && ratio >= kHighRatio && z >= kHighZ) {
            style[key] = Style::high;
        } else if (options.all_ties) {
            style[key] = Style::plain;
        }
    }
    // A maximum spanning forest over the ties that are not drawn yet keeps the map in one piece
    // wherever the groups talk at all (Kruskal, most ties first).
    {
        std::vector<std::uint32_t> parent(circles);
        std::iota(parent.begin(), parent.end(), 0u);
        auto find = [&](std::uint32_t x) {
            while (parent[x] != x) x = parent[x] = parent[parent[x]];
            return x;
        };
        std::vector<std::pair<std::uint32_t, std::uint32_t>> keys;
        for (const auto& [key, tie] : pairs) {
            if (tie.first == 0) continue;
            if (style.count(key))
                parent[find(key.first)] = find(key.second);
            else
                keys.push_back(key);
        }
        std::stable_sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) { return pairs[a].first > pairs[b].first; });
        for (const auto& key : keys) {
            const auto a = find(key.first), b = find(key.second);
            if (a == b) continue;
            parent[a] = b;
            style[key] = Style::tree;
        }
    }

    std::uint64_t largest = std::max<std::uint64_t>(1, folded_people);
    for (auto i : drawn) largest = std::max<std::uint64_t>(largest, r.groups[i].size);

    std::ostringstream dot;
    dot << "graph silos {\n"
        << "  graph [overlap=false, splines=true, sep=\"+10\", outputorder=edgesfirst, fontname=\"Helvetica\", fontsize=16, "
           "labelloc=t, "
           "label="
        << dot_quote("Silo map by " + options.group_by) << "];\n"
        << "  node [shape=circle, style=filled, fixedsize=shape, fontname=\"Helvetica\", fontsize=10, fontcolor=\"" << kText
        << "\"];\n"
        << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
    for (std::uint32_t c = 0; c < drawn.size(); ++c) {
        const auto& s = r.groups[drawn[c]];
        const double delta = s.ei_index - s.ei_expected;
        const bool significant = s.p_value < 0.05;
        const std::string stats = "E-I " + signed_fixed(s.ei_index, 2) + "\nrandom " + signed_fixed(s.ei_expected, 2);
        const std::string fill = diverging(delta / kColourSpan);
        dot << "  " << circle_id(c) << " [id=" << dot_quote("group-" + std::to_string(drawn[c])) << ", label="
            << dot_quote(s.name + "\n" + std::to_string(s.size) + " people\n" + stats + "\np " + fixed(s.p_value, 3))
            << ", width=" << fixed(diameter(s.size, largest), 2) << ", fillcolor=\"" << fill << "\", fontcolor=\""
            << (dark(fill) ? "#ffffff" : kText) << "\""
            << ", color=\"" << (significant ? kText : "#a0aec0") << "\", penwidth=" << (significant ? "2.5" : "1") << ", tooltip="
            << dot_quote(s.name + ": " + std::to_string(s.size) + " people, E-I " + signed_fixed(s.ei_index, 2) + ", random " +
                         signed_fixed(s.ei_expected, 2) + ", p " + fixed(s.p_value, 3))
            << "];\n";
    }
    if (folded_groups > 0) {
        dot << "  other [id=\"group-other\", label="
            << dot_quote("other (" + std::to_string(folded_groups) + " groups)\n" + std::to_string(folded_people) + " people")
            << ", width=" << fixed(diameter(folded_people, largest), 2) << ", fillcolor=\"" << kOther
            << "\", color=\"#a0aec0\", style=\"filled,dashed\"];\n";
    }
    for (const auto& [key, how] : style) {
        const auto& tie = pairs[key];
        const double ratio = tie.second > 0 ? static_cast<double>(tie.first) / tie.second : 0.0;
        const std::string tip = std::to_string(tie.first) + " ties, " + fixed(tie.second, 1) + " expected";
        dot << "  " << circle_id(key.first) << " -- " << circle_id(key.second) << " [penwidth=" << fixed(pen_width(ratio), 2)
            << ", color=\""
            << (how == Style::high   ? kHigh
                : how == Style::tree ? kTree
                                     : "#718096")
            << "\", tooltip=" << dot_quote(tip) << "];\n";
    }
    // Cut-off pairs: the line runs through its own label, so the label sits on the line and the
    // layout keeps it clear of the circles.
    std::size_t k = 0;
    for (const auto& c : cut_off) {
        if (shown[c.a] == kFolded || shown[c.b] == kFolded) continue;
        const std::string label = "cut off\n" + std::to_string(c.observed) + " of " + fixed(c.expected, 1) + " expected";
        const std::string id = "cut" + std::to_string(k++);
        dot << "  " << id << " [id=" << dot_quote("cut-" + r.groups[c.a].name + "-" + r.groups[c.b].name)
            << ", shape=box, style=\"filled,rounded\", fillcolor=\"#fff5f5\", color=\"" << kCutOff << "\", fontcolor=\""
            << kCutOff << "\", fontsize=11, fixedsize=false, width=0, height=0, margin=\"0.06,0.03\", label=" << dot_quote(label)
            << "];\n";
        for (const auto* end : {&c.a, &c.b}) {
            dot << "  " << circle_id(shown[*end]) << " -- " << id << " [color=\"" << kCutOff
                << "\", penwidth=4, style=dashed, len=1.2];\n";
        }
    }
    // Introductions: the two people as named boxes by their groups, an arrow from one to the other.
    std::set<graph::NodeIndex> people;
    std::size_t introduced = 0;
    for (const auto& i : r.introductions) {
        if (introduced == kIntroductionsDrawn) break;
        if (shown[i.a_group] == kFolded || shown[i.b_group] == kFolded) continue;
        ++introduced;
        for (const auto& [person, group] : {std::pair{i.a, i.a_group}, std::pair{i.b, i.b_group}}) {
            if (!people.insert(person).second) continue;
            dot << "  p" << person << " [shape=box, style=\"filled,rounded\", fillcolor=\"#f0fff4\", color=\"" << kIntroduction
                << "\", fontcolor=\"" << kIntroduction
                << "\", fontsize=10, fixedsize=false, width=0, height=0, margin=\"0.05,0.02\", label="
                << dot_quote(person_label(g, person)) << "];\n";
            dot << "  " << circle_id(shown[group]) << " -- p" << person << " [color=\"" << kIntroduction
                << "\", style=dotted, len=0.6];\n";
        }
        dot << "  p" << i.a << " -- p" << i.b << " [dir=forward, color=\"" << kIntroduction
            << "\", penwidth=2, arrowsize=0.8, tooltip="
            << dot_quote("introduce " + person_label(g, i.a) + " to " + person_label(g, i.b)) << "];\n";
    }
    dot << "}\n";
    const auto svg = render_svg(dot.str(), "neato", at, run);

    Panel legend(330);
    legend.title("How to read this map");
    legend.text("Colour: E-I minus its random-mixing expectation");
    legend.scale({{diverging(-1), signed_fixed(-kColourSpan, 1)},
                  {diverging(-0.5), signed_fixed(-kColourSpan / 2, 1)},
                  {diverging(0), "0"},
                  {diverging(0.5), signed_fixed(kColourSpan / 2, 1)},
                  {diverging(1), signed_fixed(kColourSpan, 1)}});
    legend.text("red: talks inward more than random; blue: outward", 10);
    legend.circle(14, "fill=\"#f7f7f7\" stroke=\"#1a202c\" stroke-width=\"2.5\"", "bold outline: E-I significantly low");
    legend.text("(permutation test, p < 0.05)", 10);
    legend.gap(4);
    legend.text("Size: people in the group");
    const double big = diameter(largest, largest) * 72 / 2;
    const double small = diameter(std::max<std::uint64_t>(1, largest / 4), largest) * 72 / 2;
    legend.circle(big, "fill=\"none\" stroke=\"#718096\"", std::to_string(largest) + " people");
    legend.circle(small, "fill=\"none\" stroke=\"#718096\"", std::to_string(std::max<std::uint64_t>(1, largest / 4)) + " people");
    legend.gap(4);
    legend.text("Lines: width by observed / expected ties");
    legend.line(pen_width(0.5), kHigh, false, false, "0.5 of expected");
    legend.line(pen_width(1), kHigh, false, false, "as expected");
    legend.line(pen_width(2), kHigh, false, false, "twice expected");
    legend.line(4, kCutOff, true, false, "cut off: under " + fixed(options.cut_off_ratio, 2) + " of expected ties");
    legend.line(2, kHigh, false, false, "significantly more ties than expected");
    legend.line(2, kTree, false, false, "other ties that keep the map connected");
    legend.line(2, kIntroduction, false, true, "suggested introduction");
    legend.gap(4);
    legend.text(options.all_ties ? "Drawn: every pair of groups that talks" : "Drawn: cut-off and significantly high pairs,", 10);
    if (!options.all_ties) legend.text("and a spanning tree of the other ties", 10);
    if (cut_drawn < r.cut_off.size()) {
        legend.text("the " + std::to_string(cut_drawn) + " most cut-off of " + std::to_string(r.cut_off.size()) +
                        " cut-off pairs (all: map_ties \"all\")",
                    10);
    }
    if (folded_groups > 0) {
        legend.text(std::to_string(folded_groups) + " smallest groups folded into \"other\"", 10);
    }
    return with_panel(svg, legend, at);
}

std::string advocates_chart(const std::vector<AdvocateBar>& bars, const std::string& title) {
    constexpr double kLabelWidth = 230, kBarWidth = 420, kRow = 22, kTop = 70;
    const double height = kTop + kRow * static_cast<double>(bars.size()) + 30;
    const double width = kLabelWidth + kBarWidth + 70;
    double best = 0;
    for (const auto& b : bars) best = std::max(best, b.value + b.reach + b.engagement);
    const double scale = best > 0 ? kBarWidth / best : 0.0;
    std::ostringstream out;
    open_chart(out, width, height, title);
    out << "<g id=\"legend\">\n";
    double x = 12;
    for (const auto& [colour, name] :
         {std::pair{kValue, "value (referrals)"}, std::pair{kReach, "reach"}, std::pair{kEngagement, "engagement"}}) {
        out << "<rect x=\"" << fixed(x, 0) << "\" y=\"38\" width=\"14\" height=\"14\" fill=\"" << colour << "\"/>\n"
            << "<text x=\"" << fixed(x + 20, 0) << "\" y=\"50\" font-family=\"" << kFont << "\" font-size=\"11\" fill=\"" << kText
            << "\">" << name << "</text>\n";
        x += 140;
    }
    out << "<text x=\"" << fixed(x, 0) << "\" y=\"50\" font-family=\"" << kFont << "\" font-size=\"10\" fill=\"#4a5568\">"
        << "bar: score, split by what each adds</text>\n</g>\n";
    for (std::size_t i = 0; i < bars.size(); ++i) {
        const auto& b = bars[i];
        const double y = kTop + kRow * static_cast<double>(i);
        std::string label = b.label.size() > 28 ? b.label.substr(0, 27) + "\u2026" : b.label;
        out << "<g class=\"advocate\" id=\"advocate-" << i + 1 << "\">\n"
            << "<text x=\"" << fixed(kLabelWidth - 8, 0) << "\" y=\"" << fixed(y + 14, 0)
            << "\" text-anchor=\"end\" font-family=\"" << kFont << "\" font-size=\"11\" fill=\"" << kText << "\">" << i + 1
            << ". " << xml(label) << " <tspan fill=\"#718096\">(" << xml(b.kind) << ")</tspan></text>\n";
        double at = kLabelWidth;
        for (const auto& [part, colour, name] : {std::tuple{b.value, kValue, "value"}, std::tuple{b.reach, kReach, "reach"},
                                                 std::tuple{b.engagement, kEngagement, "engagement"}}) {
            const double w = part * scale;
            if (w <= 0) continue;
            out << "<rect class=\"" << name << "\" x=\"" << fixed(at, 2) << "\" y=\"" << fixed(y + 3, 0) << "\" width=\""
                << fixed(w, 2) << "\" height=\"15\" fill=\"" << colour << "\"><title>" << name << " " << fixed(part, 3)
                << "</title></rect>\n";
            at += w;
        }
        out << "<text x=\"" << fixed(at + 6, 1) << "\" y=\"" << fixed(y + 14, 0) << "\" font-family=\"" << kFont
            << "\" font-size=\"10\" fill=\"" << kText << "\">" << fixed(b.value + b.reach + b.engagement, 3) << "</text>\n</g>\n";
    }
    out << "</svg>\n";
    return out.str();
}

std::string trend_chart(const std::vector<std::string>& labels, const std::vector<TrendSeries>& series, const std::string& title,
                        const std::string& axis, std::optional<std::pair<double, double>> range) {
    constexpr double kLeft = 70, kTop = 60, kPlotHeight = 300, kRight = 190;
    constexpr const char* kPalette[] = {"#2b6cb0", "#c53030", "#2f855a", "#b7791f", "#6b46c1", "#2c7a7b",
                                        "#c05621", "#97266d", "#4a5568", "#276749", "#9c4221", "#553c9a"};
    const double step = labels.size() > 1 ? std::max(28.0, 640.0 / static_cast<double>(labels.size() - 1)) : 0.0;
    const double plot_width = std::max(120.0, step * static_cast<double>(labels.size() > 1 ? labels.size() - 1 : 1));
    const double width = kLeft + plot_width + kRight, height = kTop + kPlotHeight + 80;
    double lo = 0, hi = 1;
    if (range) {
        std::tie(lo, hi) = *range;
    } else {
        bool any = false;
        for (const auto& s : series) {
            for (const auto& v : s.values) {
                if (!v) continue;
                lo = any ? std::min(lo, *v) : *v;
                hi = any ? std::max(hi, *v) : *v;
                any = true;
            }
        }
        if (!any || hi - lo < 1e-12) {
            const double mid = any ? lo : 0.0;
            lo = mid - 1;
            hi = mid + 1;
        }
        const double pad = (hi - lo) * 0.05;
        lo -= pad;
        hi += pad;
    }
    const auto x_of = [&](std::size_t i) { return kLeft + (labels.size() > 1 ? step * static_cast<double>(i) : plot_width / 2); };
    const auto y_of = [&](double v) { return kTop + kPlotHeight * (hi - std::clamp(v, lo, hi)) / (hi - lo); };
    std::ostringstream out;
    open_chart(out, width, height, title);
    // Axes, five grid lines with their values, one tick label per window (thinned when crowded).
    out << "<g id=\"axes\" font-family=\"" << kFont << "\" font-size=\"10\" fill=\"" << kText << "\">\n";
    for (int k = 0; k <= 4; ++k) {
        const double v = lo + (hi - lo) * k / 4.0, y = y_of(v);
        out << "<line x1=\"" << fixed(kLeft, 1) << "\" y1=\"" << fixed(y, 1) << "\" x2=\"" << fixed(kLeft + plot_width, 1)
            << "\" y2=\"" << fixed(y, 1) << "\" stroke=\"#e2e8f0\"/>\n"
            << "<text x=\"" << fixed(kLeft - 6, 1) << "\" y=\"" << fixed(y + 3, 1) << "\" text-anchor=\"end\">" << fixed(v, 2)
            << "</text>\n";
    }
    const std::size_t every = std::max<std::size_t>(1, (labels.size() + 11) / 12);
    for (std::size_t i = 0; i < labels.size(); i += every) {
        out << "<text x=\"" << fixed(x_of(i), 1) << "\" y=\"" << fixed(kTop + kPlotHeight + 16, 1) << "\" text-anchor=\"middle\">"
            << xml(labels[i]) << "</text>\n";
    }
    out << "<text x=\"14\" y=\"" << fixed(kTop + kPlotHeight / 2, 1) << "\" transform=\"rotate(-90 14 "
        << fixed(kTop + kPlotHeight / 2, 1) << ")\" text-anchor=\"middle\" font-size=\"11\">" << xml(axis) << "</text>\n"
        << "<text x=\"" << fixed(kLeft, 1) << "\" y=\"" << fixed(kTop + kPlotHeight + 40, 1)
        << "\" font-size=\"10\" fill=\"#4a5568\">each point: one window, labelled by its start; a gap: insufficient data</text>\n"
        << "</g>\n";
    // One polyline per run of windows with data; a dot per point, with its value as a tooltip.
    for (std::size_t s = 0; s < series.size(); ++s) {
        const auto& line = series[s];
        const char* colour = kPalette[s % std::size(kPalette)];
        const double stroke = s == 0 ? 2.5 : 1.5;
        out << "<g class=\"series\" id=\"series-" << s + 1 << "\"><title>" << xml(line.name) << "</title>\n";
        std::string points;
        const auto flush = [&] {
            if (points.empty()) return;
            out << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"" << fixed(stroke, 1) << "\" points=\""
                << points << "\"/>\n";
            points.clear();
        };
        for (std::size_t i = 0; i < line.values.size() && i < labels.size(); ++i) {
            if (!line.values[i]) {
                flush();
                continue;
            }
            const double x = x_of(i), y = y_of(*line.values[i]);
            points += (points.empty() ? "" : " ") + fixed(x, 1) + "," + fixed(y, 1);
            out << "<circle cx=\"" << fixed(x, 1) << "\" cy=\"" << fixed(y, 1) << "\" r=\"2.5\" fill=\"" << colour << "\"><title>"
                << xml(line.name) << ", " << xml(labels[i]) << ": " << fixed(*line.values[i], 3) << "</title></circle>\n";
        }
        flush();
        const double ly = kTop + 14.0 * static_cast<double>(s);
        out << "<rect x=\"" << fixed(kLeft + plot_width + 16, 1) << "\" y=\"" << fixed(ly - 8, 1)
            << "\" width=\"12\" height=\"4\" fill=\"" << colour << "\"/>\n"
            << "<text x=\"" << fixed(kLeft + plot_width + 34, 1) << "\" y=\"" << fixed(ly - 3, 1) << "\" font-family=\"" << kFont
            << "\" font-size=\"10\" fill=\"" << kText << "\">"
            << xml(line.name.size() > 26 ? line.name.substr(0, 25) + "\u2026" : line.name) << "</text>\n</g>\n";
    }
    out << "</svg>\n";
    return out.str();
}

}  // namespace smorg::queries::pictures
