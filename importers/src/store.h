#pragma once

// The SQLite store and the live snapshot: the class (this header), its schema, state and open
// (database.cpp), the snapshot cache and the rows it is rebuilt from (snapshot_cache.cpp), and its
// writes (store_writes.cpp).
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

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "smorg/importers/database.h"

#include "batch.h"
#include "sqlite.h"

namespace smorg::importers::store {

using detail::Connection;
using detail::Statement;
using detail::Transaction;
using graph::NodeIndex;

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
    DerivedReport write_derived(const DerivedWrite& write) override;
    std::vector<DerivedAttribute> derived_attributes() const override;
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
    // Appends edges to the cache's log (the cache plus the log = the state now), when the log
    // extends exactly `previous` and stays within a tenth of the graph's edges; false otherwise.
    bool log_edges(const StoredState& previous, std::vector<graph::EdgeRecord> edges);
    // The log read for a cache of state `base`, when it leads to exactly `state`: its edges.
    std::optional<std::vector<graph::EdgeRecord>> read_log(const StoredState& base, const StoredState& state);
    std::string log_path() const { return path_ + ".snapshot-log"; }
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
    // The derived attributes of the stored graph (caller holds write_mutex_).
    std::vector<DerivedAttribute> derived_columns();
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
    StoredState cache_state_;                   // the state the cache file holds
    std::vector<graph::EdgeRecord> log_edges_;  // the log's edges, in arrival order
    StoredState log_state_;                     // the state cache + log make
    graph::Vocabulary log_kinds_;               // the edge kinds the log was written with (read_log)
};

// The batch adds edges between known people and nothing else (the daily append).
bool appends_edges_only(const detail::StagedBatch& batch);
std::vector<graph::EdgeRecord> edge_records(const detail::StagedBatch& batch);

}  // namespace smorg::importers::store
