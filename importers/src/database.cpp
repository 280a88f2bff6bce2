// The SQLite store and the live snapshot.
//
// Rows are the truth: nodes (stable integer key, external id, kind, creating batch, attributes as a
// JSON object), edges (source and target keys, kind, weight, timestamp, value, batch), kinds and
// attribute types, import batches with provenance, and an erasure log without personal data. A meta
// row holds a random database id, a generation bumped by every write and a random state token
// replaced by every write, in the write's own transaction. Beside the file, "<db>.snapshot" keeps
// the compact binary snapshot stamped with (id, generation, state) and ending in a digest of every
// byte, so reopening loads arrays instead of re-reading rows; a stale, foreign or damaged cache is
// rebuilt from the rows, never trusted.
//
// Writers serialize across processes on SQLite's write lock (BEGIN IMMEDIATE, waited for), and the
// first thing a writer does under the lock is to compare the stored state with the one its snapshot
// was built from and reload when another process wrote since: a batch is always checked against, and
// added to, exactly the committed rows.
//
// Borrowed batches never reach the rows or the cache. The database keeps two snapshots: `stored_`,
// which always equals the rows, and `live_` = stored_ plus every borrowed batch of this session,
// replayed by id. Readers see `live_`.
#include "smorg/importers/database.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>
#include <tbb/task_group.h>

#include "smorg/graph/binary_io.h"
#include "smorg/graph/errors.h"
#include "smorg/graph/files.h"
#include "smorg/graph/text.h"

#include "batch.h"
#include "sqlite.h"
#include <sys/stat.h>

namespace smorg::importers {

namespace {

using detail::Connection;
using detail::Statement;
using detail::Transaction;
using graph::NodeIndex;
using json = nlohmann::json;

constexpr std::int64_t kApplicationId = 0x736d6f72;  // "smor"
constexpr std::int64_t kSchemaVersion = 1;
constexpr char kCacheMagic[8] = {'S', 'M', 'O', 'R', 'G', 'C', 'A', 'C'};
constexpr std::uint32_t kCacheVersion = 2;
constexpr int kRowsPerInsert = 32;
// How long an erasure waits for readers of older pages before it reports the scrub as pending.
constexpr std::chrono::milliseconds kScrubWait{2000};

graph::Timestamp now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string random_id() {
    std::random_device rd;
    std::uniform_int_distribution<std::uint64_t> dist;
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%016llx%016llx", static_cast<unsigned long long>(dist(rd)),
                  static_cast<unsigned long long>(dist(rd)));
    return buffer;
}

const char* kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE kinds(id INTEGER NOT NULL, domain TEXT NOT NULL CHECK (domain IN ('node', 'edge')),
                   name TEXT NOT NULL, PRIMARY KEY (domain, id), UNIQUE (domain, name));
CREATE TABLE attributes(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                        type TEXT NOT NULL CHECK (type IN ('string', 'number', 'boolean')));
CREATE TABLE batches(id INTEGER PRIMARY KEY, source TEXT NOT NULL, started_at INTEGER NOT NULL,
                     finished_at INTEGER NOT NULL, provenance TEXT NOT NULL, nodes_added INTEGER NOT NULL,
                     nodes_updated INTEGER NOT NULL, edges_added INTEGER NOT NULL, kept INTEGER NOT NULL,
                     options TEXT NOT NULL);
CREATE TABLE nodes(key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind INTEGER NOT NULL,
                   batch INTEGER NOT NULL, attributes TEXT);
CREATE TABLE edges(source INTEGER NOT NULL, target INTEGER NOT NULL, kind INTEGER NOT NULL,
                   weight REAL NOT NULL, timestamp INTEGER, value REAL, batch INTEGER NOT NULL);
CREATE TABLE erasures(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, nodes INTEGER NOT NULL, edges INTEGER NOT NULL);
)sql";

// A borrowed batch by ids, so it can be replayed onto any stored snapshot.
struct BorrowedBatch {
    struct Node {
        std::string id;
        std::string kind;
    };
    struct Value {
        std::string id;
        std::string attribute;
        graph::AttributeValue value;
    };
    struct Edge {
        std::string source, target, kind;
        double weight;
        graph::Timestamp timestamp;
        std::optional<double> value;
    };
    std::uint32_t id = 0;  // its batch row (kept = 0)
    std::vector<Node> nodes;
    std::vector<Value> values;
    std::vector<Edge> edges;
};

json attributes_json(const graph::Snapshot& g, NodeIndex u) {
    json out = json::object();
    for (const auto& column : g.attributes().columns()) {
        const auto v = column.value(u);
        if (const auto* s = std::get_if<std::string>(&v)) out[column.name()] = *s;
        if (const auto* d = std::get_if<double>(&v)) out[column.name()] = *d;
        if (const auto* b = std::get_if<bool>(&v)) out[column.name()] = *b;
    }
    return out;
}

// Applies a staged batch to its base snapshot.
graph::Snapshot apply(const detail::StagedBatch& batch, std::uint32_t batch_id) {
    graph::SnapshotBuilder b(*batch.base);
    b.node_kinds() = batch.node_vocab;
    b.edge_kinds() = batch.edge_vocab;
    b.reserve(batch.new_ids.size(), batch.sources.size());
    for (NodeIndex i = 0; i < batch.new_ids.size(); ++i) b.add_node(batch.new_ids.id(i), batch.new_kinds[i], batch_id);
    for (const auto& a : batch.attributes) b.attributes().column(a.name, a.type, b.node_count());
    for (const auto& v : batch.values) b.set_attribute(v.node, batch.attributes[v.attribute].name, v.value);
    std::size_t next_value = 0;
    for (std::size_t e = 0; e < batch.sources.size(); ++e) {
        std::optional<double> value;
        if (next_value < batch.values_by_edge.size() && batch.values_by_edge[next_value].first == e) {
            value = batch.values_by_edge[next_value++].second;
        }
        b.add_edge({batch.sources[e], batch.targets[e], batch.kinds[e], batch.weights[e], batch.timestamps[e], value});
    }
    return std::move(b).build();
}

BorrowedBatch by_ids(const detail::StagedBatch& batch) {
    BorrowedBatch out;
    for (NodeIndex i = 0; i < batch.new_ids.size(); ++i) {
        out.nodes.push_back({std::string(batch.new_ids.id(i)), std::string(batch.node_vocab.name(batch.new_kinds[i]))});
    }
    for (const auto& v : batch.values) {
        out.values.push_back({std::string(batch.id(v.node)), batch.attributes[v.attribute].name, v.value});
    }
    std::size_t next_value = 0;
    for (std::size_t e = 0; e < batch.sources.size(); ++e) {
        std::optional<double> value;
        if (next_value < batch.values_by_edge.size() && batch.values_by_edge[next_value].first == e) {
            value = batch.values_by_edge[next_value++].second;
        }
        out.edges.push_back({std::string(batch.id(batch.sources[e])), std::string(batch.id(batch.targets[e])),
                             std::string(batch.edge_vocab.name(batch.kinds[e])), batch.weights[e], batch.timestamps[e], value});
    }
    return out;
}

// The committed state a snapshot was built from: it matches the rows exactly when both agree.
struct StoredState {
    std::uint64_t generation = 0;
    std::string token;
    friend bool operator==(const StoredState&, const StoredState&) = default;
};

class SqliteDatabase final : public Database {
public:
    SqliteDatabase(const std::string& path, const OpenOptions& options, bool created);
    ~SqliteDatabase() override;

    graph::SnapshotPtr snapshot() const override {
        std::lock_guard lock(slot_mutex_);
        return live_;
    }
    ImportReport import(const ImportSpec& spec, graph::RunContext& run) override;
    EraseReport erase(const std::vector<std::string>& ids) override;
    std::vector<BatchInfo> batches() const override;
    StoreStats stats() const override;
    const std::string& path() const override { return path_; }

private:
    bool in_memory() const { return path_ == ":memory:"; }
    std::string cache_path() const { return path_ + ".snapshot"; }
    void create_schema();
    void check_schema();
    StoredState read_state();
    std::string meta(const char* key);
    void set_meta(const char* key, const std::string& value);
    // Under a transaction: the next state, written with the rows.
    StoredState advance_state();
    void load(const StoredState& state);
    bool load_cache(const StoredState& state);
    void load_rows();
    void write_cache();
    void refresh();
    void begin_write(std::optional<Transaction>& transaction, const graph::RunContext* run);
    bool scrub();
    std::vector<std::int64_t> write_kinds_and_edges(const detail::StagedBatch& batch, std::uint32_t batch_id,
                                                    graph::RunContext& run);
    void write_nodes(const detail::StagedBatch& batch, const graph::Snapshot& next, const std::vector<std::int64_t>& keys,
                     std::uint32_t batch_id);
    void write_edges(const detail::StagedBatch& batch, const std::vector<std::int64_t>& keys, std::uint32_t batch_id,
                     graph::RunContext& run);
    std::uint32_t record_batch(const ImportSpec& spec, const ImportReport& report, std::int64_t started);
    void publish();
    graph::Snapshot replay(const graph::Snapshot& stored) const;

    std::string path_;
    Connection db_;
    OpenOptions options_;
    bool created_;  // this open created the file: removed again if nothing lands
    std::string db_id_;
    mutable std::mutex write_mutex_;  // one writer at a time in this process (SQLite's lock across processes)
    mutable std::mutex slot_mutex_;   // guards live_
    graph::SnapshotPtr stored_;       // equals the rows of `state_`
    StoredState state_;
    std::string loaded_from_;
    graph::SnapshotPtr live_;         // stored_ + borrowed batches; what readers get
    std::vector<std::int64_t> keys_;  // store key of each stored_ node
    std::vector<BorrowedBatch> borrowed_;
};

SqliteDatabase::SqliteDatabase(const std::string& path, const OpenOptions& options, bool created)
    : path_(path), db_(path, options.create || path == ":memory:"), options_(options), created_(created) {
    db_.set_lock_wait(options.lock_timeout);
    StoredState state;
    try {
        db_.exec("PRAGMA secure_delete = ON");
        if (!in_memory()) {
            db_.exec("PRAGMA journal_mode = WAL");
            db_.exec("PRAGMA synchronous = NORMAL");
        }
        db_.exec("PRAGMA cache_size = -262144");
        // One read transaction for everything opening reads, so a writer in another process cannot
        // slip in between two statements.
        std::optional<Transaction> read;
        read.emplace(db_, Transaction::Kind::read);
        const auto application = db_.scalar("PRAGMA application_id").value_or(0);
        const auto tables = db_.scalar("SELECT count(*) FROM sqlite_master").value_or(0);
        if (application == 0 && tables == 0) {
            read.reset();
            create_schema();
            read.emplace(db_, Transaction::Kind::read);
        } else {
            check_schema();
        }
        db_id_ = meta("database_id");
        if (db_id_.empty()) throw StoreError("'" + path_ + "' is damaged: its database id is missing");
        state = read_state();
        load(state);
        read->commit();
    } catch (const StoreError& e) {
        std::string message = e.what();
        if (message.find("not a database") != std::string::npos || message.find("file is encrypted") != std::string::npos) {
            throw StoreError("'" + path + "' is not a smorg database (not an SQLite file)");
        }
        throw;
    }
    if (!in_memory() && loaded_from_ != "cache") write_cache();
    live_ = stored_;
    if (!in_memory() && meta("scrub_pending") == "1") scrub();
}

SqliteDatabase::~SqliteDatabase() {
    if (!created_ || in_memory()) return;
    // A database this open created and nothing ever landed in: leave no empty file behind.
    try {
        const auto kept = db_.scalar("SELECT count(*) FROM batches WHERE kept = 1").value_or(0);
        if (kept != 0 || read_state().generation != 0) return;
    } catch (const std::exception&) {
        return;
    }
    db_.close();
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", ".snapshot"}) std::filesystem::remove(path_ + suffix, ec);
}

void SqliteDatabase::create_schema() {
    Transaction t(db_);
    // Another process may have created it while this one waited for the lock.
    if (db_.scalar("SELECT count(*) FROM sqlite_master").value_or(0) == 0) {
        db_.exec(kSchema);
        db_.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
        db_.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
        Statement meta(db_, "INSERT INTO meta(key, value) VALUES (?, ?)");
        meta.bind(1, std::string_view("database_id")).bind(2, std::string_view(random_id())).run();
        meta.bind(1, std::string_view("generation")).bind(2, std::string_view("0")).run();
        meta.bind(1, std::string_view("state")).bind(2, std::string_view(random_id())).run();
    }
    t.commit();
}

void SqliteDatabase::check_schema() {
    const auto application = db_.scalar("PRAGMA application_id").value_or(0);
    if (application != kApplicationId) {
        throw StoreError("'" + path_ + "' is not a smorg database (an SQLite file of another application)");
    }
    const auto version = db_.scalar("PRAGMA user_version").value_or(0);
    if (version > kSchemaVersion) {
        throw StoreError("'" + path_ + "' was written by a newer smorg (schema " + std::to_string(version) +
                         "; this one reads up to " + std::to_string(kSchemaVersion) + ")");
    }
}

std::string SqliteDatabase::meta(const char* key) {
    Statement s(db_, "SELECT value FROM meta WHERE key = ?");
    s.bind(1, std::string_view(key));
    return s.step() ? std::string(s.text(0)) : std::string();
}

void SqliteDatabase::set_meta(const char* key, const std::string& value) {
    Statement s(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)");
    s.bind(1, std::string_view(key)).bind(2, std::string_view(value)).run();
}

StoredState SqliteDatabase::read_state() {
    StoredState state;
    state.generation =
        static_cast<std::uint64_t>(db_.scalar("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'").value_or(0));
    state.token = meta("state");
    return state;
}

StoredState SqliteDatabase::advance_state() {
    StoredState next{state_.generation + 1, random_id()};
    set_meta("generation", std::to_string(next.generation));
    set_meta("state", next.token);
    return next;
}

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

void SqliteDatabase::begin_write(std::optional<Transaction>& transaction, const graph::RunContext* run) {
    db_.set_lock_wait(options_.lock_timeout, run);
    if (run) run->report("waiting for the write lock", 0);
    try {
        transaction.emplace(db_);
    } catch (const StoreError& e) {
        db_.set_lock_wait(options_.lock_timeout);
        if (run) run->throw_if_cancelled();
        if (std::string(e.what()).find("locked") != std::string::npos) {
            throw StoreError("'" + path_ + "' is being written by another process; gave up after " +
                             std::to_string(options_.lock_timeout.count() / 1000) + " s");
        }
        throw;
    }
    db_.set_lock_wait(options_.lock_timeout);
    refresh();
}

// Folds the WAL into the file (where secure_delete has zeroed freed space) and truncates it, so old
// page images of erased rows are gone. A reader of an older view blocks that; the scrub is then
// left pending for the next write or open. Returns true when done.
bool SqliteDatabase::scrub() {
    if (in_memory()) return true;
    db_.set_lock_wait(kScrubWait);
    auto checkpoint = [&] {
        Statement s(db_, "PRAGMA wal_checkpoint(TRUNCATE)");
        return s.step() && s.integer(0) == 0 && s.integer(1) == s.integer(2);
    };
    bool done = false;
    try {
        done = checkpoint();
        if (done && meta("scrub_pending") == "1") {
            set_meta("scrub_pending", "0");
            done = checkpoint();
        }
    } catch (const StoreError&) {
        done = false;
    }
    db_.set_lock_wait(options_.lock_timeout);
    return done;
}

std::uint32_t SqliteDatabase::record_batch(const ImportSpec& spec, const ImportReport& report, std::int64_t started) {
    const bool borrowed = spec.provenance == graph::Provenance::borrowed;
    // A borrowed batch keeps nothing of its source in the store, not even the file names.
    std::string source;
    if (!borrowed) {
        for (const auto* files : {&spec.nodes, &spec.edges}) {
            for (const auto& f : *files) source += (source.empty() ? "" : ", ") + graph::printable(f);
        }
        if (!spec.labels.empty()) source += (source.empty() ? "" : ", ") + graph::printable(spec.labels);
    }
    json options = {{"edge_kind", spec.edge_kind},
                    {"node_kind", spec.node_kind},
                    {"columns", spec.columns},
                    {"create_missing", spec.create_missing}};
    if (spec.format) options["format"] = graph::name_of(*spec.format);
    if (!spec.labels.empty()) options["label_attribute"] = spec.label_attribute;
    Statement s(db_,
                "INSERT INTO batches(source, started_at, finished_at, provenance, nodes_added, nodes_updated, "
                "edges_added, kept, options) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, std::string_view(source))
        .bind(2, started)
        .bind(3, now_seconds())
        .bind(4, graph::name_of(spec.provenance))
        .bind(5, static_cast<std::int64_t>(report.nodes_added))
        .bind(6, static_cast<std::int64_t>(report.nodes_updated))
        .bind(7, static_cast<std::int64_t>(report.edges_added))
        .bind(8, std::int64_t{borrowed ? 0 : 1})
        .bind(9, std::string_view(options.dump(-1, ' ', false, json::error_handler_t::replace)));
    s.run();
    return static_cast<std::uint32_t>(sqlite3_last_insert_rowid(db_.handle()));
}

void SqliteDatabase::write_edges(const detail::StagedBatch& batch, const std::vector<std::int64_t>& keys, std::uint32_t batch_id,
                                 graph::RunContext& run) {
    const std::size_t m = batch.sources.size();
    std::string sql = "INSERT INTO edges(source, target, kind, weight, timestamp, value, batch) VALUES ";
    for (int r = 0; r < kRowsPerInsert; ++r) sql += r == 0 ? "(?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?)";
    Statement many(db_, sql);
    Statement one(db_, "INSERT INTO edges(source, target, kind, weight, timestamp, value, batch) VALUES (?,?,?,?,?,?,?)");
    std::size_t next_value = 0;
    auto bind_row = [&](Statement& s, int base, std::size_t e) {
        s.bind(base + 1, keys[batch.sources[e]]);
        s.bind(base + 2, keys[batch.targets[e]]);
        s.bind(base + 3, static_cast<std::int64_t>(batch.kinds[e]));
        s.bind(base + 4, batch.weights[e]);
        if (batch.timestamps[e] == graph::kNoTimestamp) {
            s.bind_null(base + 5);
        } else {
            s.bind(base + 5, batch.timestamps[e]);
        }
        if (next_value < batch.values_by_edge.size() && batch.values_by_edge[next_value].first == e) {
            s.bind(base + 6, batch.values_by_edge[next_value++].second);
        } else {
            s.bind_null(base + 6);
        }
        s.bind(base + 7, static_cast<std::int64_t>(batch_id));
    };
    std::size_t e = 0;
    const std::size_t report_every = std::max<std::size_t>(1, m / 50);
    std::size_t next_report = report_every;
    while (e + kRowsPerInsert <= m) {
        for (int r = 0; r < kRowsPerInsert; ++r) bind_row(many, r * 7, e + static_cast<std::size_t>(r));
        many.run();
        e += kRowsPerInsert;
        if (e >= next_report) {
            run.throw_if_cancelled();
            run.report("store", static_cast<double>(e) / static_cast<double>(m));
            next_report += report_every;
        }
    }
    for (; e < m; ++e) {
        bind_row(one, 0, e);
        one.run();
    }
}

// Kinds, attribute types and edge rows: everything that does not need the new snapshot. Returns the
// store key of every node of the batch's result (existing keys, then new ones after the largest).
std::vector<std::int64_t> SqliteDatabase::write_kinds_and_edges(const detail::StagedBatch& batch, std::uint32_t batch_id,
                                                                graph::RunContext& run) {
    const auto& base = *batch.base;
    std::vector<std::int64_t> keys(keys_);
    std::int64_t next_key = db_.scalar("SELECT max(key) FROM nodes").value_or(0) + 1;
    for (NodeIndex i = 0; i < batch.new_ids.size(); ++i) keys.push_back(next_key++);
    Statement kind(db_, "INSERT INTO kinds(id, domain, name) VALUES (?, ?, ?)");
    for (std::size_t k = base.node_kinds().size(); k < batch.node_vocab.size(); ++k) {
        kind.bind(1, static_cast<std::int64_t>(k))
            .bind(2, std::string_view("node"))
            .bind(3, batch.node_vocab.name(static_cast<graph::KindId>(k)))
            .run();
    }
    for (std::size_t k = base.edge_kinds().size(); k < batch.edge_vocab.size(); ++k) {
        kind.bind(1, static_cast<std::int64_t>(k))
            .bind(2, std::string_view("edge"))
            .bind(3, batch.edge_vocab.name(static_cast<graph::KindId>(k)))
            .run();
    }
    Statement attribute(db_, "INSERT OR IGNORE INTO attributes(name, type) VALUES (?, ?)");
    for (const auto& a : batch.attributes) attribute.bind(1, std::string_view(a.name)).bind(2, graph::to_string(a.type)).run();
    write_edges(batch, keys, batch_id, run);
    return keys;
}

// Node rows carry every attribute of the node as a JSON object, read from the new snapshot.
void SqliteDatabase::write_nodes(const detail::StagedBatch& batch, const graph::Snapshot& next,
                                 const std::vector<std::int64_t>& keys, std::uint32_t batch_id) {
    std::string sql = "INSERT INTO nodes(key, id, kind, batch, attributes) VALUES ";
    for (int r = 0; r < kRowsPerInsert; ++r) sql += r == 0 ? "(?,?,?,?,?)" : ",(?,?,?,?,?)";
    Statement many(db_, sql);
    Statement one(db_, "INSERT INTO nodes(key, id, kind, batch, attributes) VALUES (?, ?, ?, ?, ?)");
    const NodeIndex base_n = batch.base_nodes();
    const NodeIndex added = batch.new_ids.size();
    auto bind_row = [&](Statement& s, int base, NodeIndex u) {
        s.bind(base + 1, keys[u]).bind(base + 2, next.id(u)).bind(base + 3, static_cast<std::int64_t>(next.node_kind(u)));
        s.bind(base + 4, static_cast<std::int64_t>(batch_id));
        const auto attributes = attributes_json(next, u);
        if (attributes.empty()) {
            s.bind_null(base + 5);
        } else {
            s.bind(base + 5, std::string_view(attributes.dump()));
        }
    };
    NodeIndex i = 0;
    for (; i + kRowsPerInsert <= added; i += kRowsPerInsert) {
        for (int r = 0; r < kRowsPerInsert; ++r) bind_row(many, r * 5, base_n + i + static_cast<NodeIndex>(r));
        many.run();
    }
    for (; i < added; ++i) {
        bind_row(one, 0, base_n + i);
        one.run();
    }
    Statement update(db_, "UPDATE nodes SET attributes = ? WHERE key = ?");
    for (NodeIndex u = 0; u < base_n; ++u) {
        if (!batch.touched_existing[u]) continue;
        const auto attributes = attributes_json(next, u);
        if (attributes.empty()) {
            update.bind_null(1);
        } else {
            update.bind(1, std::string_view(attributes.dump()));
        }
        update.bind(2, keys[u]).run();
    }
}

ImportReport SqliteDatabase::import(const ImportSpec& spec, graph::RunContext& run) {
    std::lock_guard lock(write_mutex_);
    const auto clock = std::chrono::steady_clock::now();
    const auto started = now_seconds();
    const bool borrowed = spec.provenance == graph::Provenance::borrowed;
    auto lap = std::chrono::steady_clock::now();
    auto phase = [&](const char* name) {
        const auto now = std::chrono::steady_clock::now();
        const double seconds = std::chrono::duration<double>(now - lap).count();
        lap = now;
        return std::pair<std::string, double>(name, seconds);
    };
    ImportReport report;
    if (borrowed) {
        // Borrowed data may refer to borrowed people; it never reaches the rows.
        const graph::SnapshotPtr base = snapshot();
        auto batch = detail::stage(spec, *base, run);
        report = batch.report;
        report.phases.push_back(phase("parse"));
        const auto batch_id = record_batch(spec, report, started);
        borrowed_.push_back(by_ids(batch));
        borrowed_.back().id = batch_id;
        try {
            publish();
        } catch (...) {
            borrowed_.pop_back();
            throw;
        }
        report.batch = batch_id;
    } else {
        std::optional<Transaction> transaction;
        begin_write(transaction, &run);
        report.phases.push_back(phase("lock"));
        // Checked against exactly the committed rows (refreshed under the lock).
        auto batch = detail::stage(spec, *stored_, run);
        report = ImportReport{batch.report};
        report.phases.push_back(phase("parse"));
        const auto batch_id = record_batch(spec, report, started);
        // The snapshot is built while the edge rows are written; it is swapped in only after COMMIT.
        std::optional<graph::Snapshot> next;
        std::exception_ptr build_error;
        double build_seconds = 0;
        tbb::task_group build;
        build.run([&] {
            try {
                const auto t0 = std::chrono::steady_clock::now();
                next.emplace(apply(batch, batch_id));
                build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            } catch (...) {
                build_error = std::current_exception();
            }
        });
        std::vector<std::int64_t> keys;
        StoredState next_state;
        try {
            keys = write_kinds_and_edges(batch, batch_id, run);
            build.wait();  // node rows need the attributes of the new snapshot
            if (build_error) std::rethrow_exception(build_error);
            run.report("snapshot", 1.0);
            write_nodes(batch, *next, keys, batch_id);
            next_state = advance_state();
            run.throw_if_cancelled();  // the last moment a cancel stops the batch
            transaction->commit();
        } catch (...) {
            build.wait();
            throw;
        }
        keys_ = std::move(keys);
        state_ = next_state;
        report.phases.push_back(phase("store"));
        report.phases.emplace_back("snapshot", build_seconds);
        stored_ = std::make_shared<graph::Snapshot>(std::move(*next));
        if (!in_memory()) {
            run.report("cache", 0.0);
            write_cache();
            run.report("cache", 1.0);
        }
        report.phases.push_back(phase("cache"));
        publish();
        report.batch = batch_id;
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock).count();
    return report;
}

EraseReport SqliteDatabase::erase(const std::vector<std::string>& ids) {
    std::lock_guard lock(write_mutex_);
    std::optional<Transaction> transaction;
    begin_write(transaction, nullptr);
    EraseReport report;
    std::vector<NodeIndex> stored_nodes;
    for (const auto& id : ids) {
        bool found = false;
        if (auto node = stored_->find(id)) {
            if (std::find(stored_nodes.begin(), stored_nodes.end(), *node) == stored_nodes.end()) {
                stored_nodes.push_back(*node);
                report.edges_removed += stored_->out_degree(*node) + stored_->in_degree(*node);
            }
            found = true;
        }
        for (auto& batch : borrowed_) {
            const auto before_nodes = batch.nodes.size();
            const auto before_edges = batch.edges.size();
            std::erase_if(batch.nodes, [&](const auto& n) { return n.id == id; });
            std::erase_if(batch.values, [&](const auto& v) { return v.id == id; });
            std::erase_if(batch.edges, [&](const auto& e) { return e.source == id || e.target == id; });
            found = found || batch.nodes.size() != before_nodes || batch.edges.size() != before_edges;
            report.edges_removed += before_edges - batch.edges.size();
        }
        (found ? report.erased : report.not_found).push_back(graph::printable(id));
    }
    // A loop counted twice above (once as out-edge, once as in-edge).
    for (auto u : stored_nodes) {
        for (auto v : stored_->out_targets(u)) {
            if (v == u || std::find(stored_nodes.begin(), stored_nodes.end(), v) != stored_nodes.end()) --report.edges_removed;
        }
    }
    if (stored_nodes.empty()) {
        transaction.reset();
        publish();
        return report;
    }
    std::sort(stored_nodes.begin(), stored_nodes.end());
    graph::SnapshotBuilder b(*stored_, stored_nodes);
    auto next = std::make_shared<graph::Snapshot>(std::move(b).build());
    db_.exec("CREATE TEMP TABLE IF NOT EXISTS erase_keys(key INTEGER PRIMARY KEY)");
    db_.exec("DELETE FROM temp.erase_keys");
    Statement add(db_, "INSERT OR IGNORE INTO temp.erase_keys(key) VALUES (?)");
    for (auto u : stored_nodes) add.bind(1, keys_[u]).run();
    db_.exec(
        "DELETE FROM edges WHERE source IN (SELECT key FROM temp.erase_keys) OR target IN (SELECT key FROM temp.erase_keys)");
    db_.exec("DELETE FROM nodes WHERE key IN (SELECT key FROM temp.erase_keys)");
    db_.exec("DELETE FROM temp.erase_keys");
    // An attribute only the erased people had goes too: its very name may say who they were.
    Statement drop(db_, "DELETE FROM attributes WHERE name = ?");
    for (const auto& column : stored_->attributes().columns()) {
        if (!next->attributes().find(column.name())) drop.bind(1, std::string_view(column.name())).run();
    }
    Statement log(db_, "INSERT INTO erasures(at, nodes, edges) VALUES (?, ?, ?)");
    log.bind(1, now_seconds())
        .bind(2, static_cast<std::int64_t>(stored_nodes.size()))
        .bind(3, static_cast<std::int64_t>(report.edges_removed))
        .run();
    if (!in_memory()) set_meta("scrub_pending", "1");
    const auto next_state = advance_state();
    transaction->commit();
    transaction.reset();
    std::vector<std::int64_t> keys;
    keys.reserve(keys_.size() - stored_nodes.size());
    for (NodeIndex u = 0, r = 0; u < keys_.size(); ++u) {
        if (r < stored_nodes.size() && stored_nodes[r] == u) {
            ++r;
            continue;
        }
        keys.push_back(keys_[u]);
    }
    keys_ = std::move(keys);
    stored_ = std::move(next);
    state_ = next_state;
    if (!in_memory()) write_cache();
    // Old page images in the WAL and the file still hold the erased rows until the WAL is folded in.
    report.scrubbed = scrub();
    publish();
    return report;
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

std::vector<BatchInfo> SqliteDatabase::batches() const {
    std::lock_guard lock(write_mutex_);
    std::vector<BatchInfo> out;
    Statement s(const_cast<Connection&>(db_),
                "SELECT id, source, started_at, provenance, nodes_added, edges_added, kept FROM batches ORDER BY id");
    while (s.step()) {
        BatchInfo b;
        b.id = static_cast<std::uint32_t>(s.integer(0));
        b.kept = s.integer(6) != 0;
        b.source = b.kept ? graph::printable(s.text(1)) : std::string("(borrowed: not kept)");
        b.started_at = s.integer(2);
        b.provenance = graph::parse_enum<graph::Provenance>(s.text(3)).value_or(graph::Provenance::owned);
        b.nodes_added = static_cast<std::uint64_t>(s.integer(4));
        b.edges_added = static_cast<std::uint64_t>(s.integer(5));
        out.push_back(std::move(b));
    }
    return out;
}

StoreStats SqliteDatabase::stats() const {
    StoreStats out;
    out.path = path_;
    {
        std::lock_guard lock(write_mutex_);
        auto& db = const_cast<SqliteDatabase&>(*this);
        out.generation = db.read_state().generation;
        out.scrub_pending = db.meta("scrub_pending") == "1";
        out.loaded_from = loaded_from_;
    }
    if (!in_memory()) {
        for (const auto& suffix : {"", "-wal", ".snapshot"}) {
            std::error_code ec;
            const auto size = std::filesystem::file_size(path_ + suffix, ec);
            if (!ec) out.file_bytes += size;
        }
    }
    out.snapshot_bytes = snapshot()->memory_bytes();
    return out;
}

}  // namespace

std::unique_ptr<Database> Database::open(const std::string& path, const OpenOptions& options) {
    if (path.empty()) throw StoreError("the database path is empty");
    std::error_code ec;
    const bool exists = path == ":memory:" || std::filesystem::exists(path, ec);
    if (!exists && !options.create) throw StoreError("no database at '" + graph::printable(path) + "'");
    return std::make_unique<SqliteDatabase>(path, options, !exists);
}

}  // namespace smorg::importers
