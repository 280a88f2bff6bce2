// The compact binary form of a snapshot: "SMORGSNP", a format version and an endianness probe, then
// each array as a 64-bit element count followed by its raw bytes, then "SNPEND!!". Loading is a
// sequence of bulk reads, a check of the content, and rebuilding the id hash table, which is what
// makes reopening a large database fast. The stream forms end with a digest of every byte.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <istream>
#include <limits>
#include <ostream>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include "smorg/graph/snapshot.h"

namespace smorg::graph {

namespace {

constexpr char kMagic[8] = {'S', 'M', 'O', 'R', 'G', 'S', 'N', 'P'};
constexpr char kTrailer[8] = {'S', 'N', 'P', 'E', 'N', 'D', '!', '!'};
constexpr std::uint32_t kVersion = 3;
constexpr std::uint32_t kEndianProbe = 0x01020304;

[[noreturn]] void corrupt(const std::string& what) { throw CorruptData("snapshot is damaged: " + what); }

// True when every element of [0, size) satisfies ok(i), checked in parallel.
template <class Ok>
bool all_of(std::size_t size, Ok&& ok) {
    std::atomic<bool> good{true};
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, size, 1 << 14), [&](const auto& r) {
        if (!good.load(std::memory_order_relaxed)) return;
        for (std::size_t i = r.begin(); i != r.end(); ++i) {
            if (!ok(i)) {
                good.store(false, std::memory_order_relaxed);
                return;
            }
        }
    });
    return good.load();
}

bool offsets_ok(const std::vector<std::uint64_t>& offsets, std::size_t n, std::uint64_t m) {
    if (offsets.size() != n + 1 || offsets.front() != 0 || offsets.back() != m) return false;
    return all_of(n, [&](std::size_t i) { return offsets[i] <= offsets[i + 1]; });
}

}  // namespace

void Snapshot::write(BinaryWriter& w) const {
    w.bytes(kMagic, sizeof kMagic);
    w.scalar(kVersion);
    w.scalar(kEndianProbe);
    w.string(ids_.arena());
    w.array(ids_.offsets());
    w.strings(node_vocab_.names());
    w.strings(edge_vocab_.names());
    w.array(node_kinds_);
    w.array(node_batch_);
    w.scalar<std::uint64_t>(attributes_.columns().size());
    for (const auto& c : attributes_.columns()) {
        w.string(c.name());
        w.scalar(static_cast<std::uint8_t>(c.type()));
        w.array(c.codes());
        w.strings(c.dictionary());
        w.array(c.numbers());
        w.array(c.booleans());
    }
    w.array(out_offsets_);
    w.array(targets_);
    w.array(edge_kinds_);
    w.array(weights_.narrow_);
    w.array(weights_.wide_);
    w.scalar(timestamps_.base_);
    w.array(timestamps_.narrow_);
    w.array(timestamps_.wide_);
    w.array(values_.edges_);
    w.array(values_.values_);
    w.array(in_offsets_);
    w.array(in_sources_);
    w.bytes(kTrailer, sizeof kTrailer);
}

void Snapshot::write(std::ostream& out) const {
    BinaryWriter w(out);
    write(w);
    w.finish();
}

Snapshot Snapshot::read(BinaryReader& r) {
    char magic[8];
    r.bytes(magic, sizeof magic);
    if (std::memcmp(magic, kMagic, sizeof magic) != 0) throw CorruptData("not a smorg snapshot");
    if (r.scalar<std::uint32_t>() != kVersion) throw CorruptData("unsupported snapshot version");
    if (r.scalar<std::uint32_t>() != kEndianProbe) throw CorruptData("snapshot has foreign byte order");
    Snapshot s;
    std::string arena = r.string();
    std::vector<std::uint64_t> offsets;
    r.array(offsets);
    if (offsets.empty() || offsets.back() != arena.size() || offsets.size() - 1 >= kNoNode) corrupt("id table");
    try {
        s.ids_ = IdIndex::from_parts(std::move(arena), std::move(offsets));  // checks order and uniqueness
    } catch (const std::invalid_argument&) {
        corrupt("id table");
    }
    for (auto* vocab : {&s.node_vocab_, &s.edge_vocab_}) {
        const auto names = r.strings();
        if (names.size() > Vocabulary::kMaxSize) corrupt("too many kinds");
        for (const auto& name : names) {
            if (name.empty() || vocab->find(name)) corrupt("kind names");
            vocab->intern(name);
        }
    }
    r.array(s.node_kinds_);
    r.array(s.node_batch_);
    const auto columns = r.count(1);
    for (std::uint64_t i = 0; i < columns; ++i) {
        std::string name = r.string();
        const auto type = r.scalar<std::uint8_t>();
        if (type > 2 || name.empty() || s.attributes_.find(name)) corrupt("attribute columns");
        auto& c = s.attributes_.columns().emplace_back(std::move(name), static_cast<AttributeType>(type));
        r.array(c.codes());
        c.mutable_dictionary() = r.strings();
        r.array(c.numbers());
        r.array(c.booleans());
    }
    r.array(s.out_offsets_);
    r.array(s.targets_);
    r.array(s.edge_kinds_);
    r.array(s.weights_.narrow_);
    r.array(s.weights_.wide_);
    s.timestamps_.base_ = r.scalar<Timestamp>();
    r.array(s.timestamps_.narrow_);
    r.array(s.timestamps_.wide_);
    r.array(s.values_.edges_);
    r.array(s.values_.values_);
    r.array(s.in_offsets_);
    r.array(s.in_sources_);
    char trailer[8];
    r.bytes(trailer, sizeof trailer);
    if (std::memcmp(trailer, kTrailer, sizeof trailer) != 0) corrupt("no trailer");
    s.verify();
    s.employee_kind_ = s.node_vocab_.find(kinds::employee).value_or(kNoKind);
    s.has_parallel_arcs_ = s.find_parallel_arcs();
    s.count_kinds();
    return s;
}

Snapshot Snapshot::read(std::istream& in, std::uint64_t size) {
    BinaryReader r(in, size);
    Snapshot s = read(r);
    r.verify();
    return s;
}

// Everything an algorithm relies on without checking: indexes in range, CSR offsets monotone, each
// out-list sorted by (kind, target), the in-CSR exactly the transpose of the out-CSR, columns of the
// right size and type, finite positive weights.
void Snapshot::verify() const {
    const std::size_t n = ids_.size();
    const std::size_t m = targets_.size();
    if (m >= std::numeric_limits<EdgeIndex>::max()) corrupt("too many edges");
    if (node_kinds_.size() != n || node_batch_.size() != n) corrupt("node columns");
    const auto node_vocab = node_vocab_.size();
    if (!all_of(n, [&](std::size_t u) { return node_kinds_[u] < node_vocab; })) corrupt("node kinds");
    for (const auto& c : attributes_.columns()) {
        const bool shapes =
            c.type() == AttributeType::string   ? c.codes().size() == n && c.numbers().empty() && c.booleans().empty()
            : c.type() == AttributeType::number ? c.numbers().size() == n && c.codes().empty() && c.booleans().empty()
                                                : c.booleans().size() == n && c.codes().empty() && c.numbers().empty();
        if (!shapes || c.dictionary().empty() || !c.dictionary().front().empty()) corrupt("attribute '" + c.name() + "'");
        if (c.type() != AttributeType::string && c.dictionary().size() != 1) corrupt("attribute '" + c.name() + "'");
        const auto words = c.dictionary().size();
        const bool values = all_of(n, [&](std::size_t u) {
            switch (c.type()) {
                case AttributeType::string:
                    return c.codes()[u] < words;
                case AttributeType::number:
                    return std::isnan(c.numbers()[u]) || std::isfinite(c.numbers()[u]);
                case AttributeType::boolean:
                    return c.booleans()[u] <= 2;
            }
            return false;
        });
        if (!values) corrupt("attribute '" + c.name() + "'");
        for (std::size_t w = 1; w < words; ++w) {
            if (c.dictionary()[w].empty()) corrupt("attribute '" + c.name() + "'");
        }
    }
    if (!offsets_ok(out_offsets_, n, m) || !offsets_ok(in_offsets_, n, m)) corrupt("adjacency offsets");
    if (edge_kinds_.size() != m || in_sources_.size() != m) corrupt("edge columns");
    const auto edge_vocab = edge_vocab_.size();
    if (!all_of(m, [&](std::size_t e) { return targets_[e] < n && edge_kinds_[e] < edge_vocab && in_sources_[e] < n; })) {
        corrupt("edge endpoints or kinds");
    }
    // Out-lists sorted by (kind, target): for_each_in_edge binary-searches them.
    const bool sorted = all_of(n, [&](std::size_t u) {
        for (auto e = out_offsets_[u] + 1; e < out_offsets_[u + 1]; ++e) {
            if (edge_kinds_[e - 1] > edge_kinds_[e] || (edge_kinds_[e - 1] == edge_kinds_[e] && targets_[e - 1] > targets_[e])) {
                return false;
            }
        }
        return true;
    });
    if (!sorted) corrupt("out-lists are not sorted");
    // The in-CSR must be the transpose of the out-CSR, each list by source ascending.
    {
        std::vector<std::uint64_t> cursor(in_offsets_.begin(), in_offsets_.end() - 1);
        for (NodeIndex u = 0; u < n; ++u) {
            for (auto e = out_offsets_[u]; e < out_offsets_[u + 1]; ++e) {
                const auto v = targets_[e];
                if (cursor[v] >= in_offsets_[v + 1] || in_sources_[cursor[v]] != u) corrupt("in-lists");
                ++cursor[v];
            }
        }
        for (NodeIndex v = 0; v < n; ++v) {
            if (cursor[v] != in_offsets_[v + 1]) corrupt("in-lists");
        }
    }
    const auto& w = weights_;
    if ((!w.narrow_.empty() && w.narrow_.size() != m) || (!w.wide_.empty() && w.wide_.size() != m) ||
        (!w.narrow_.empty() && !w.wide_.empty())) {
        corrupt("weights");
    }
    auto weight_ok = [](double x) { return x >= kMinWeight && x <= kMaxWeight; };
    if (!all_of(w.narrow_.size(), [&](std::size_t e) { return weight_ok(w.narrow_[e]); }) ||
        !all_of(w.wide_.size(), [&](std::size_t e) { return weight_ok(w.wide_[e]); })) {
        corrupt("weights");
    }
    const auto& t = timestamps_;
    if ((!t.narrow_.empty() && t.narrow_.size() != m) || (!t.wide_.empty() && t.wide_.size() != m) ||
        (!t.narrow_.empty() && !t.wide_.empty()) ||
        (!t.narrow_.empty() && (t.base_ == kNoTimestamp || t.base_ > std::numeric_limits<Timestamp>::max() -
                                                                         static_cast<Timestamp>(TimestampColumn::kNarrowNone)))) {
        corrupt("timestamps");
    }
    const auto& v = values_;
    if (v.edges_.size() != v.values_.size()) corrupt("values");
    for (std::size_t i = 0; i < v.edges_.size(); ++i) {
        if (v.edges_[i] >= m || (i > 0 && v.edges_[i - 1] >= v.edges_[i]) || !std::isfinite(v.values_[i])) corrupt("values");
    }
}

bool Snapshot::find_parallel_arcs() const {
    // Same (u, v) twice in u's out-list, whatever the kinds.
    return tbb::parallel_reduce(
        tbb::blocked_range<NodeIndex>(0, node_count(), 1024), false,
        [&](const auto& range, bool found) {
            std::vector<NodeIndex> buffer;
            for (NodeIndex u = range.begin(); u != range.end() && !found; ++u) {
                const auto targets = out_targets(u);
                buffer.assign(targets.begin(), targets.end());
                std::sort(buffer.begin(), buffer.end());
                found = std::adjacent_find(buffer.begin(), buffer.end()) != buffer.end();
            }
            return found;
        },
        [](bool a, bool b) { return a || b; });
}

void Snapshot::count_kinds() {
    nodes_by_kind_.assign(node_vocab_.size(), 0);
    edges_by_kind_.assign(edge_vocab_.size(), 0);
    for (auto k : node_kinds_) ++nodes_by_kind_[k];
    for (auto k : edge_kinds_) ++edges_by_kind_[k];
}

namespace {
struct Fnv {
    std::uint64_t h = 0xcbf29ce484222325ull;
    void bytes(const void* data, std::size_t size) {
        const auto* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < size; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
    }
    template <class T>
    void array(const std::vector<T>& v) {
        const std::uint64_t size = v.size();
        bytes(&size, sizeof size);
        bytes(v.data(), v.size() * sizeof(T));
    }
};
}  // namespace

std::uint64_t Snapshot::fingerprint() const {
    Fnv f;
    f.bytes(ids_.arena().data(), ids_.arena().size());
    f.array(ids_.offsets());
    for (const auto& k : node_vocab_.names()) f.bytes(k.data(), k.size() + 1);
    for (const auto& k : edge_vocab_.names()) f.bytes(k.data(), k.size() + 1);
    f.array(node_kinds_);
    for (const auto& c : attributes_.columns()) {
        f.bytes(c.name().data(), c.name().size() + 1);
        for (NodeIndex u = 0; u < node_count(); ++u) {
            const auto v = c.value(u);
            const auto tag = static_cast<std::uint8_t>(v.index());
            f.bytes(&tag, 1);
            if (const auto* str = std::get_if<std::string>(&v)) f.bytes(str->data(), str->size() + 1);
            if (const auto* d = std::get_if<double>(&v)) f.bytes(d, sizeof *d);
            if (const auto* b = std::get_if<bool>(&v)) f.bytes(b, sizeof *b);
        }
    }
    f.array(out_offsets_);
    f.array(targets_);
    f.array(edge_kinds_);
    for (EdgeIndex e = 0; e < edge_count(); ++e) {
        const double w = weight(e);
        const Timestamp t = timestamp(e);
        f.bytes(&w, sizeof w);
        f.bytes(&t, sizeof t);
    }
    f.array(values_.edges_);
    f.array(values_.values_);
    return f.h;
}

}  // namespace smorg::graph
