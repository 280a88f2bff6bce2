

#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "smorg/graph/binary_io.h"
#include "smorg/graph/errors.h"
#include "smorg/graph/files.h"

#include "store.h"
#include <sys/stat.h>

namespace smorg::importers::store {

using json = nlohmann::json;

namespace {

constexpr char kCacheMagic[8] = {'S', 'M', 'O', 'R', 'G', 'C', 'A', 'C'};
constexpr std::uint32_t kCacheVersion = 2;

}  // namespace

void SqliteDatabase::load(const StoredState& state) {
    if (in_memory()) {
        load_rows();
        loaded_from_ = "rows";
    } else if (!load_cache(state)) {
        load_rows();
    }
    state_ = state;
}

// The cache, when it was written for exactly this database and state and reads back whole.
bool SqliteDatabase::load_cache(const StoredState& state) {
    std::optional<graph::InputFile> file;
    try {
        file.emplace(cache_path());
    } catch (const graph::FileError&) {
        loaded_from_ = "rows: no cache";
        return false;
    }
    try {
        graph::BinaryReader r(file->stream(), file->size());
        char magic[8];
        r.bytes(magic, sizeof magic);
        if (std::memcmp(magic, kCacheMagic, 8) != 0 || r.scalar<std::uint32_t>() != kCacheVersion) {
            loaded_from_ = "rows: the cache is of another format";
            return false;
        }
        const auto id = r.string();
        const auto generation = r.scalar<std::uint64_t>();
        const auto token = r.string();
        if (id != db_id_ || generation != state.generation || token != state.token) {
            loaded_from_ = id != db_id_ ? "rows: the cache belongs to another database" : "rows: the cache is stale";
            return false;
        }
        std::vector<std::int64_t> keys;
        r.array(keys);
        auto snapshot = std::make_shared<graph::Snapshot>(graph::Snapshot::read(r));
        r.verify();
        if (snapshot->node_count() != keys.size()) throw graph::CorruptData("the cache's keys do not match its nodes");
        stored_ = std::move(snapshot);
        keys_ = std::move(keys);
        loaded_from_ = "cache";
        return true;
    } catch (const std::exception& e) {
        loaded_from_ = std::string("rows: the cache is damaged (") + e.what() + ")";
        return false;  // a damaged cache is rebuilt from the rows
    }
}

void SqliteDatabase::write_cache() {
    // The cache is an optimization: without it, opening reads the rows. Same permissions as the
    // database, whose personal data it holds.
    struct stat st {};
    const unsigned mode = ::stat(path_.c_str(), &st) == 0 ? (st.st_mode & 0666) : 0600;
    try {
        graph::AtomicFile file(cache_path(), mode);
        graph::BinaryWriter w(file.stream());
        w.bytes(kCacheMagic, sizeof kCacheMagic);
        w.scalar(kCacheVersion);
        w.string(db_id_);
        w.scalar(state_.generation);
        w.string(state_.token);
        w.array(keys_);
        stored_->write(w);
        w.finish();
        file.commit();
    } catch (const std::exception&) {
        // Unwritable folder, full disk: the next open reads the rows.
    }
}

// Under the write lock: when another process wrote since stored_ was built, rebuild it from what is
// committed now (the cache when that process left a current one, else the rows).
void SqliteDatabase::refresh() {
    const auto now = read_state();
    if (now == state_) return;
    load(now);
    if (!borrowed_.empty() || live_ != stored_) publish();
}

void SqliteDatabase::load_rows() {
    graph::SnapshotBuilder b;
    {
        Statement s(db_, "SELECT domain, id, name FROM kinds ORDER BY domain, id");
        while (s.step()) {
            auto& vocab = s.text(0) == "node" ? b.node_kinds() : b.edge_kinds();
            if (vocab.intern(s.text(2)) != s.integer(1)) throw StoreError("'" + path_ + "' is damaged: kind ids are not dense");
        }
    }
    std::vector<std::pair<std::string, graph::AttributeType>> attributes;
    {
        Statement s(db_, "SELECT name, type FROM attributes ORDER BY id");
        while (s.step()) {
            const auto type = graph::parse_enum<graph::AttributeType>(s.text(1));
            if (!type) throw StoreError("'" + path_ + "' is damaged: unknown attribute type");
            attributes.emplace_back(std::string(s.text(0)), *type);
        }
    }
    const auto node_count = static_cast<std::size_t>(db_.scalar("SELECT count(*) FROM nodes").value_or(0));
    const auto edge_count = static_cast<std::size_t>(db_.scalar("SELECT count(*) FROM edges").value_or(0));
    const auto max_key = db_.scalar("SELECT max(key) FROM nodes").value_or(0);
    b.reserve(node_count, edge_count);
    keys_.clear();
    keys_.reserve(node_count);
    std::vector<NodeIndex> index_of(static_cast<std::size_t>(max_key) + 1, graph::kNoNode);
    for (const auto& [name, type] : attributes) b.attributes().column(name, type, 0);
    {
        Statement s(db_, "SELECT key, id, kind, batch, attributes FROM nodes ORDER BY key");
        while (s.step()) {
            const auto key = s.integer(0);
            const auto node =
                b.add_node(s.text(1), static_cast<graph::KindId>(s.integer(2)), static_cast<std::uint32_t>(s.integer(3)));
            keys_.push_back(key);
            index_of[static_cast<std::size_t>(key)] = node;
            if (!s.is_null(4)) {
                const auto values = json::parse(s.text(4));
                for (const auto& [name, value] : values.items()) {
                    if (value.is_string()) b.set_attribute(node, name, value.get<std::string>());
                    if (value.is_number()) b.set_attribute(node, name, value.get<double>());
                    if (value.is_boolean()) b.set_attribute(node, name, value.get<bool>());
                }
            }
        }
    }
    {
        Statement s(db_, "SELECT source, target, kind, weight, timestamp, value FROM edges");
        while (s.step()) {
            const auto source = static_cast<std::size_t>(s.integer(0));
            const auto target = static_cast<std::size_t>(s.integer(1));
            if (source >= index_of.size() || target >= index_of.size() || index_of[source] == graph::kNoNode ||
                index_of[target] == graph::kNoNode) {
                throw StoreError("'" + path_ + "' is damaged: an edge refers to a missing node");
            }
            b.add_edge({index_of[source], index_of[target], static_cast<graph::KindId>(s.integer(2)), s.real(3),
                        s.is_null(4) ? graph::kNoTimestamp : s.integer(4),
                        s.is_null(5) ? std::nullopt : std::optional<double>(s.real(5))});
        }
    }
    stored_ = std::make_shared<graph::Snapshot>(std::move(b).build());
}

graph::Snapshot SqliteDatabase::replay(const graph::Snapshot& stored) const {
    graph::SnapshotBuilder b(stored);
    for (const auto& batch : borrowed_) {
        for (const auto& n : batch.nodes) b.add_node(n.id, b.node_kinds().intern(n.kind), batch.id);
        for (const auto& v : batch.values) {
            if (auto node = b.find(v.id)) b.set_attribute(*node, v.attribute, v.value);
        }
        for (const auto& e : batch.edges) {
            const auto s = b.find(e.source);
            const auto t = b.find(e.target);
            if (s && t) b.add_edge({*s, *t, b.edge_kinds().intern(e.kind), e.weight, e.timestamp, e.value});
        }
    }
    return std::move(b).build();
}

void SqliteDatabase::publish() {
    graph::SnapshotPtr next = borrowed_.empty() ? stored_ : std::make_shared<graph::Snapshot>(replay(*stored_));
    std::lock_guard lock(slot_mutex_);
    live_ = std::move(next);
}

}  // namespace smorg::importers::store
