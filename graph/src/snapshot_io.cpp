// The compact binary form of a snapshot: "SMORGSNP", a format version and an endianness probe, then
// each array as a 64-bit element count followed by its raw bytes, then "SNPEND!!". Loading is a
// sequence of bulk reads plus rebuilding the id hash table, which is what makes reopening a large
// database fast.
#include <bit>
#include <cstring>
#include <istream>
#include <ostream>
#include <stdexcept>
#include <type_traits>

#include "smorg/graph/snapshot.h"

namespace smorg::graph {

namespace {

constexpr char kMagic[8] = {'S', 'M', 'O', 'R', 'G', 'S', 'N', 'P'};
constexpr char kTrailer[8] = {'S', 'N', 'P', 'E', 'N', 'D', '!', '!'};
constexpr std::uint32_t kVersion = 2;
constexpr std::uint32_t kEndianProbe = 0x01020304;

class Writer {
public:
    explicit Writer(std::ostream& out) : out_(out) {}
    void bytes(const void* data, std::size_t size) {
        out_.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    template <class T>
    void scalar(T value) {
        static_assert(std::is_trivially_copyable_v<T>);
        bytes(&value, sizeof value);
    }
    template <class T>
    void array(const std::vector<T>& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        scalar<std::uint64_t>(v.size());
        bytes(v.data(), v.size() * sizeof(T));
    }
    void string(const std::string& s) {
        scalar<std::uint64_t>(s.size());
        bytes(s.data(), s.size());
    }
    void strings(const std::vector<std::string>& v) {
        scalar<std::uint64_t>(v.size());
        for (const auto& s : v) string(s);
    }

private:
    std::ostream& out_;
};

class Reader {
public:
    explicit Reader(std::istream& in) : in_(in) {}
    void bytes(void* data, std::size_t size) {
        in_.read(static_cast<char*>(data), static_cast<std::streamsize>(size));
        if (static_cast<std::size_t>(in_.gcount()) != size) {
            throw std::runtime_error("snapshot file is truncated");
        }
    }
    template <class T>
    T scalar() {
        T value{};
        bytes(&value, sizeof value);
        return value;
    }
    std::uint64_t count(std::size_t element_size) {
        const auto n = scalar<std::uint64_t>();
        if (n > (std::uint64_t{1} << 40) / element_size) throw std::runtime_error("snapshot file is corrupt");
        return n;
    }
    template <class T>
    void array(std::vector<T>& v) {
        v.resize(count(sizeof(T)));
        bytes(v.data(), v.size() * sizeof(T));
    }
    std::string string() {
        std::string s(count(1), '\0');
        bytes(s.data(), s.size());
        return s;
    }
    std::vector<std::string> strings() {
        std::vector<std::string> v(count(1));
        for (auto& s : v) s = string();
        return v;
    }

private:
    std::istream& in_;
};

}  // namespace

void Snapshot::write(std::ostream& out) const {
    Writer w(out);
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
    w.scalar<std::uint8_t>(has_parallel_arcs_ ? 1 : 0);
    w.bytes(kTrailer, sizeof kTrailer);
    if (!out) throw std::runtime_error("could not write the snapshot");
}

Snapshot Snapshot::read(std::istream& in) {
    Reader r(in);
    char magic[8];
    r.bytes(magic, sizeof magic);
    if (std::memcmp(magic, kMagic, sizeof magic) != 0) throw std::runtime_error("not a smorg snapshot");
    if (r.scalar<std::uint32_t>() != kVersion) throw std::runtime_error("unsupported snapshot version");
    if (r.scalar<std::uint32_t>() != kEndianProbe) throw std::runtime_error("snapshot has foreign byte order");
    Snapshot s;
    std::string arena = r.string();
    std::vector<std::uint64_t> offsets;
    r.array(offsets);
    if (offsets.empty() || offsets.back() != arena.size()) throw std::runtime_error("snapshot file is corrupt");
    s.ids_ = IdIndex::from_parts(std::move(arena), std::move(offsets));
    for (const auto& name : r.strings()) s.node_vocab_.intern(name);
    for (const auto& name : r.strings()) s.edge_vocab_.intern(name);
    r.array(s.node_kinds_);
    r.array(s.node_batch_);
    const auto columns = r.count(1);
    for (std::uint64_t i = 0; i < columns; ++i) {
        std::string name = r.string();
        const auto type = r.scalar<std::uint8_t>();
        if (type > 2) throw std::runtime_error("snapshot file is corrupt");
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
    s.has_parallel_arcs_ = r.scalar<std::uint8_t>() != 0;
    char trailer[8];
    r.bytes(trailer, sizeof trailer);
    if (std::memcmp(trailer, kTrailer, sizeof trailer) != 0) throw std::runtime_error("snapshot file is corrupt");

    const std::size_t n = s.ids_.size();
    const std::size_t m = s.targets_.size();
    const bool consistent = s.node_kinds_.size() == n && s.node_batch_.size() == n &&
                            s.out_offsets_.size() == n + 1 && s.in_offsets_.size() == n + 1 &&
                            s.out_offsets_.back() == m && s.in_offsets_.back() == m &&
                            s.edge_kinds_.size() == m && s.in_sources_.size() == m;
    if (!consistent) throw std::runtime_error("snapshot file is corrupt");
    s.employee_kind_ = s.node_vocab_.find(kinds::employee).value_or(kNoKind);
    return s;
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
