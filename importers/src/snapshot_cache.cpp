

#include <cstring>
#include <filesystem>
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
// The log of edges appended since the cache was written: the cache's state, the state they lead
// to, the edge kinds then, and the edges as arrays, digested like the cache.
constexpr char kLogMagic[8] = {'S', 'M', 'O', 'R', 'G', 'L', 'O', 'G'};
constexpr std::uint32_t kLogVersion = 1;

unsigned file_mode(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 0666) : 0600;
}

}  // namespace

void SqliteDatabase::load(const StoredState& state) {
    cache_state_ = {};
    log_state_ = {};
    log_edges_.clear();
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
        StoredState cached;
        cached.generation = r.scalar<std::uint64_t>();
        cached.token = r.string();
        if (id != db_id_) {
            loaded_from_ = "rows: the cache belongs to another database";
            return false;
        }
        // A cache of an earlier state is current with the edges its log appended since.
        std::optional<std::vector<graph::EdgeRecord>> logged;
        if (cached != state) {
            logged = read_log(cached, state);
            if (!logged) {
                loaded_from_ = "rows: the cache is stale";
                return false;
            }
        }
        std::vector<std::int64_t> keys;
        r.array(keys);
        auto snapshot = std::make_shared<graph::Snapshot>(graph::Snapshot::read(r));
        r.verify();
        if (snapshot->node_count() != keys.size()) throw graph::CorruptData("the cache's keys do not match its nodes");
        cache_state_ = cached;
        log_edges_.clear();
        log_state_ = cached;
        loaded_from_ = "cache";
        if (logged) {
            snapshot = std::make_shared<graph::Snapshot>(snapshot->with_edges(log_kinds_, *logged));
            loaded_from_ = "cache and its log of " + std::to_string(logged->size()) + " appended edges";
            log_edges_ = std::move(*logged);
            log_state_ = state;
        }
        stored_ = std::move(snapshot);
        keys_ = std::move(keys);
        return true;
    } catch (const std::exception& e) {
        loaded_from_ = std::string("rows: the cache is damaged (") + e.what() + ")";
        return false;  // a damaged cache is rebuilt from the rows
    }
}

std::optional<std::vector<graph::EdgeRecord>> SqliteDatabase::read_log(const StoredState& base, const StoredState& state) {
    try {
        graph::InputFile file(log_path());
        graph::BinaryReader r(file.stream(), file.size());
        char magic[8];
        r.bytes(magic, sizeof magic);
        if (std::memcmp(magic, kLogMagic, 8) != 0 || r.scalar<std::uint32_t>() != kLogVersion) return std::nullopt;
        if (r.string() != db_id_) return std::nullopt;
        StoredState from, to;
        from.generation = r.scalar<std::uint64_t>();
        from.token = r.string();
        to.generation = r.scalar<std::uint64_t>();
        to.token = r.string();
        if (from != base || to != state) return std::nullopt;
        const auto kinds = r.strings();
        std::vector<graph::NodeIndex> sources, targets;
        std::vector<graph::KindId> edge_kinds;
        std::vector<double> weights, values;
        std::vector<graph::Timestamp> timestamps;
        std::vector<std::uint8_t> has_value;
        r.array(sources);
        r.array(targets);
        r.array(edge_kinds);
        r.array(weights);
        r.array(timestamps);
        r.array(has_value);
        r.array(values);
        r.verify();
        const auto k = sources.size();
        if (targets.size() != k || edge_kinds.size() != k || weights.size() != k || timestamps.size() != k ||
            has_value.size() != k || values.size() != k) {
            return std::nullopt;
        }
        std::vector<graph::EdgeRecord> edges(k);
        for (std::size_t i = 0; i < k; ++i) {
            if (!(weights[i] >= graph::kMinWeight && weights[i] <= graph::kMaxWeight) || edge_kinds[i] >= kinds.size()) {
                return std::nullopt;
            }
            edges[i] = {sources[i], targets[i],    edge_kinds[i],
                        weights[i], timestamps[i], has_value[i] ? std::optional<double>(values[i]) : std::nullopt};
        }
        graph::Vocabulary vocab;
        for (const auto& name : kinds) vocab.intern(name);
        if (vocab.size() != kinds.size()) return std::nullopt;
        log_kinds_ = std::move(vocab);
        return edges;
    } catch (const std::exception&) {
        return std::nullopt;  // no log, or a damaged one: the rows are read
    }
}

bool SqliteDatabase::log_edges(const StoredState& previous, std::vector<graph::EdgeRecord> edges) {
    if (log_state_ != previous || cache_state_.token.empty()) return false;
    if (log_edges_.size() + edges.size() > std::max<std::size_t>(stored_->edge_count() / 10, 1000)) return false;
    std::vector<graph::EdgeRecord> all = log_edges_;
    all.insert(all.end(), edges.begin(), edges.end());
    const auto k = all.size();
    std::vector<graph::NodeIndex> sources(k), targets(k);
    std::vector<graph::KindId> edge_kinds(k);
    std::vector<double> weights(k), values(k, 0.0);
    std::vector<graph::Timestamp> timestamps(k);
    std::vector<std::uint8_t> has_value(k, 0);
    for (std::size_t i = 0; i < k; ++i) {
        sources[i] = all[i].source;
        targets[i] = all[i].target;
        edge_kinds[i] = all[i].kind;
        weights[i] = all[i].weight;
        timestamps[i] = all[i].timestamp;
        if (all[i].value) {
            has_value[i] = 1;
            values[i] = *all[i].value;
        }
    }
    try {
        graph::AtomicFile file(log_path(), file_mode(path_));
        graph::BinaryWriter w(file.stream());
        w.bytes(kLogMagic, sizeof kLogMagic);
        w.scalar(kLogVersion);
        w.string(db_id_);
        w.scalar(cache_state_.generation);
        w.string(cache_state_.token);
        w.scalar(state_.generation);
        w.string(state_.token);
        w.strings(stored_->edge_kinds().names());
        w.array(sources);
        w.array(targets);
        w.array(edge_kinds);
        w.array(weights);
        w.array(timestamps);
        w.array(has_value);
        w.array(values);
        w.finish();
        file.commit();
    } catch (const std::exception&) {
        return false;  // the whole cache is written instead
    }
    log_edges_ = std::move(all);
    log_state_ = state_;
    return true;
}

void SqliteDatabase::write_cache() {
    // The cache is an optimization: without it, opening reads the rows. Same permissions as the
    // database, whose personal data it holds.
    const unsigned mode = file_mode(path_);
    // A log extends the cache it was written for: it goes with it (and with it the edges it held).
    log_edges_.clear();
    log_state_ = {};
    cache_state_ = {};
    std::error_code ec;
    std::filesystem::remove(log_path(), ec);
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
        cache_state_ = state_;
        log_state_ = state_;
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
