#pragma once

// The pictures smorg draws for a meeting: the silo map (Graphviz lays out the groups, smorg adds the
// legend) and the advocates chart (bars written directly). One home for their colours and legend,
// so both read the same way; text is escaped by queries' xml().

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smorg/engine/silos/silos.h"
#include "smorg/graph/snapshot.h"
#include "smorg/queries/query_engine.h"

namespace smorg::queries::pictures {

// A colour on the diverging scale: x = -1 red (inward), 0 pale, +1 blue (outward); x is clamped.
std::string diverging(double x);

// What the silo map draws.
struct MapOptions {
    std::size_t max_groups = 25;  // beyond it the smallest groups fold into "other (N groups)"
    bool all_ties = false;        // every pair that talks, not only the telling ones
    double min_expected = 1;      // the least expected ties for a pair to count as significantly high
    double cut_off_ratio = 0.1;   // the silos op's cut-off rule, said in the legend
    std::string group_by;
    static constexpr std::size_t kMaxGroups = 200;
};

// The silo map as SVG: groups coloured by E-I against its random-mixing expectation, outlined when
// significantly inward, sized by people; cut-off pairs loudest with their label on the line;
// significantly high pairs and a spanning tree of the rest; introductions as named arrows; a
// legend. Runs Graphviz (see render_svg); errors are reported at `at`.
std::string silo_map(const graph::Snapshot& g, const engine::SilosResult& r, const MapOptions& options, const std::string& at,
                     const RunContext& run);

// One advocate's bar: the score split by what each component adds to it.
struct AdvocateBar {
    std::string label;
    std::string kind;
    double value = 0, reach = 0, engagement = 0;  // each component's share of the score (they sum to it)
};

// The most bars the advocates chart draws.
inline constexpr std::size_t kMaxBars = 100;

// The advocates chart as SVG: one horizontal bar per advocate, best first, split into value, reach
// and engagement, with each advocate's kind; a legend.
std::string advocates_chart(const std::vector<AdvocateBar>& bars, const std::string& title);

// One line of the trend chart: a value per window, nullopt where the window had too little data.
struct TrendSeries {
    std::string name;
    std::vector<std::optional<double>> values;
};

// The most lines the trend chart draws (the first is drawn boldest: the overall figure).
inline constexpr std::size_t kMaxTrendLines = 12;

// The trend chart as SVG: one line per series over the windows (`labels`, one per window), gaps
// where a window had too little data, a legend; the y axis spans `range`, or the data when none.
std::string trend_chart(const std::vector<std::string>& labels, const std::vector<TrendSeries>& series, const std::string& title,
                        const std::string& axis, std::optional<std::pair<double, double>> range = std::nullopt);

}  // namespace smorg::queries::pictures
