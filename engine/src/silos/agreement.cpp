#include <algorithm>
#include <cmath>
#include <map>

#include "smorg/engine/silos/silos.h"

namespace smorg::engine {

namespace {

double entropy(const std::map<std::uint32_t, double>& counts, double n) {
    double h = 0;
    for (const auto& [label, c] : counts) {
        if (c > 0) h -= c / n * std::log(c / n);
    }
    return h;
}

// The contingency table of two labellings of the same items: the count of each label of a, of b,
// and of each pair.
struct Contingency {
    std::map<std::uint32_t, double> ca, cb;
    std::map<std::pair<std::uint32_t, std::uint32_t>, double> joint;
    Contingency(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
        for (std::size_t i = 0; i < a.size(); ++i) {
            ca[a[i]] += 1;
            cb[b[i]] += 1;
            joint[{a[i], b[i]}] += 1;
        }
    }
};

}  // namespace

double normalized_mutual_information(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
    const double n = static_cast<double>(a.size());
    if (a.empty()) return 0;
    const Contingency t(a, b);
    const auto& [ca, cb, joint] = t;
    double mi = 0;
    for (const auto& [key, c] : joint) mi += c / n * std::log(c * n / (ca.at(key.first) * cb.at(key.second)));
    const double ha = entropy(ca, n), hb = entropy(cb, n);
    if (ha == 0 && hb == 0) return 1.0;  // both a single cluster: identical
    const double mean = (ha + hb) / 2;
    return mean > 0 ? std::max(0.0, mi / mean) : 0.0;
}

double adjusted_rand_index(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
    const double n = static_cast<double>(a.size());
    if (a.size() < 2) return 1.0;
    const Contingency t(a, b);
    const auto& [ca, cb, joint] = t;
    auto pairs = [](double x) { return x * (x - 1) / 2; };
    double index = 0, sa = 0, sb = 0;
    for (const auto& [key, c] : joint) index += pairs(c);
    for (const auto& [k, c] : ca) sa += pairs(c);
    for (const auto& [k, c] : cb) sb += pairs(c);
    const double expected = sa * sb / pairs(n);
    const double maximum = (sa + sb) / 2;
    if (maximum == expected) return 1.0;
    return (index - expected) / (maximum - expected);
}

}  // namespace smorg::engine
