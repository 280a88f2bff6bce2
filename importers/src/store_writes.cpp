

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tbb/task_group.h>

#include "smorg/graph/errors.h"
#include "smorg/graph/text.h"

#include "stager.h"
#include "store.h"

namespace smorg::importers::store {

using json = nlohmann::json;

namespace {

constexpr int kRowsPerInsert = 32;
// How long an erasure waits for readers of older pages before it reports the scrub as pending.
constexpr std::chrono::milliseconds kScrubWait{2000};

graph::Timestamp now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

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

}  // namespace

bool appends_edges_only(const detail::StagedBatch& batch) {
    return batch.new_ids.size() == 0 && batch.values.empty() && batch.attributes.empty() &&
           batch.node_vocab.size() == batch.base->node_kinds().size() &&
           std::none_of(batch.touched_existing.begin(), batch.touched_existing.end(), [](std::uint8_t t) { return t != 0; });
}

std::vector<graph::EdgeRecord> edge_records(const detail::StagedBatch& batch) {
    std::vector<graph::EdgeRecord> out(batch.sources.size());
    for (std::size_t e = 0; e < out.size(); ++e) {
        out[e] = {batch.sources[e], batch.targets[e], batch.kinds[e], batch.weights[e], batch.timestamps[e], std::nullopt};
    }
    for (const auto& [e, v] : batch.values_by_edge) out[e].value = v;
    return out;
}

namespace {

// Applies a staged batch to its base snapshot: edges alone are merged in, O(E + k log k); anything
// else (new people, attribute values) rebuilds it.
graph::Snapshot apply(const detail::StagedBatch& batch, std::uint32_t batch_id) {
    if (appends_edges_only(batch)) return batch.base->with_edges(batch.edge_vocab, edge_records(batch));
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

}  // namespace

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
    const bool borrowed = !graph::kept_in_store(spec.provenance);
    // A borrowed batch keeps nothing of its source in the store, not even the file names.
    std::string source;
    if (!borrowed && !spec.source.empty()) {
        source = spec.source;
    } else if (!borrowed) {
        for (const auto* files : {&spec.nodes, &spec.edges}) {
            for (const auto& f : *files) source += (source.empty() ? "" : ", ") + graph::printable(f);
        }
        for (const auto* tables : {&spec.node_rows, &spec.edge_rows}) {
            for (const auto& t : *tables) source += (source.empty() ? "" : ", ") + graph::printable(t.name);
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
    const bool borrowed = !graph::kept_in_store(spec.provenance);
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
        const StoredState previous = state_;
        state_ = next_state;
        report.phases.push_back(phase("store"));
        report.phases.emplace_back("snapshot", build_seconds);
        stored_ = std::make_shared<graph::Snapshot>(std::move(*next));
        if (!in_memory()) {
            run.report("cache", 0.0);
            // Appended edges go to the cache's log while it stays small; anything else, or a log
            // grown past a tenth of the graph, rewrites the cache whole.
            if (!appends_edges_only(batch) || !log_edges(previous, edge_records(batch))) write_cache();
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
    // Every derived value was computed over a graph that held the erased people: the columns go whole.
    const auto derived = derived_columns();
    std::vector<std::uint8_t> had_derived(stored_->node_count(), 0);
    for (const auto& d : derived) {
        const auto* column = stored_->attributes().find(d.name);
        for (NodeIndex u = 0; u < stored_->node_count(); ++u)
            if (column->has(u)) had_derived[u] = 1;
        std::erase_if(b.attributes().columns(), [&](const graph::AttributeColumn& c) { return c.name() == d.name; });
        report.derived_removed.push_back(graph::printable(d.name));
    }
    auto next = std::make_shared<graph::Snapshot>(std::move(b).build());
    db_.exec("CREATE TEMP TABLE IF NOT EXISTS erase_keys(key INTEGER PRIMARY KEY)");
    db_.exec("DELETE FROM temp.erase_keys");
    Statement add(db_, "INSERT OR IGNORE INTO temp.erase_keys(key) VALUES (?)");
    for (auto u : stored_nodes) add.bind(1, keys_[u]).run();
    db_.exec(
        "DELETE FROM edges WHERE source IN (SELECT key FROM temp.erase_keys) OR target IN (SELECT key FROM temp.erase_keys)");
    db_.exec("DELETE FROM nodes WHERE key IN (SELECT key FROM temp.erase_keys)");
    db_.exec("DELETE FROM temp.erase_keys");
    if (!derived.empty()) {
        Statement update(db_, "UPDATE nodes SET attributes = ? WHERE key = ?");
        for (NodeIndex u = 0, removed = 0; u < stored_->node_count(); ++u) {
            if (removed < stored_nodes.size() && stored_nodes[removed] == u) {
                ++removed;
                continue;
            }
            if (!had_derived[u]) continue;
            const auto values = attributes_json(*next, u - removed);
            if (values.empty()) {
                update.bind_null(1);
            } else {
                update.bind(1, std::string_view(values.dump(-1, ' ', false, json::error_handler_t::replace)));
            }
            update.bind(2, keys_[u]).run();
        }
        // The batches that wrote them keep what computed them, not the names (which may say who).
        Statement forget(db_, "UPDATE batches SET options = ? WHERE id = ?");
        Statement written(db_, "SELECT id, options FROM batches WHERE provenance = 'derived'");
        std::vector<std::pair<std::int64_t, std::string>> rewrites;
        while (written.step()) {
            auto options = json::parse(written.text(1), nullptr, false);
            if (!options.is_object() || !options.contains("attribute")) continue;
            options.erase("attribute");
            options["erased"] = true;
            rewrites.emplace_back(written.integer(0), options.dump());
        }
        for (const auto& [id, options] : rewrites) forget.bind(1, std::string_view(options)).bind(2, id).run();
    }
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

}  // namespace smorg::importers::store

namespace smorg::importers::store {

std::vector<DerivedAttribute> SqliteDatabase::derived_columns() {
    std::vector<DerivedAttribute> out;
    Statement s(db_, "SELECT id, options, finished_at FROM batches WHERE provenance = 'derived' AND kept = 1 ORDER BY id");
    while (s.step()) {
        const auto options = json::parse(s.text(1), nullptr, false);
        if (!options.is_object() || !options.contains("attribute") || !options["attribute"].is_string()) continue;
        DerivedAttribute a{options["attribute"].get<std::string>(), static_cast<std::uint32_t>(s.integer(0)),
                           options.value("op", std::string()), s.integer(2)};
        std::erase_if(out, [&](const DerivedAttribute& d) { return d.name == a.name; });
        if (stored_->attributes().find(a.name)) out.push_back(std::move(a));
    }
    return out;
}

std::vector<DerivedAttribute> SqliteDatabase::derived_attributes() const {
    std::lock_guard lock(write_mutex_);
    return const_cast<SqliteDatabase&>(*this).derived_columns();
}

DerivedReport SqliteDatabase::write_derived(const DerivedWrite& write) {
    const std::string& name = write.attribute;
    if (auto problem = detail::name_problem(name, "attribute name")) throw graph::ParamError("attribute", *problem);
    if (name.size() > 256) throw graph::ParamError("attribute", "an attribute name is at most 256 bytes");
    if (name == "id" || name == "kind" || graph::AttributeTable::reserved_type(name)) {
        throw graph::ParamError("attribute",
                                "'" + name + "' is a field of the imported data; write derived values under a name of their own");
    }
    std::lock_guard lock(write_mutex_);
    std::optional<Transaction> transaction;
    begin_write(transaction, nullptr);
    if (write.computed_on != stored_) {
        const bool borrowed = write.computed_on == snapshot() && live_ != stored_;
        throw StoreError(borrowed ? "the answer drew on borrowed or displayed data, which is never kept: write from a request "
                                    "that runs on the stored graph alone (outside a batch that borrows)"
                                  : "the graph changed while the query ran (another write landed): run it again to write it");
    }
    const auto derived = derived_columns();
    const auto* existing = stored_->attributes().find(name);
    const auto previous = std::find_if(derived.begin(), derived.end(), [&](const DerivedAttribute& d) { return d.name == name; });
    if (existing && previous == derived.end()) {
        throw graph::ParamError("attribute",
                                "'" + name + "' holds imported values; write derived values under a name of their own");
    }
    if (existing && !write.replace) {
        throw graph::ParamError("attribute", "'" + name + "' already holds values written by batch " +
                                                 std::to_string(previous->batch) + " (" + previous->op +
                                                 "); give \"replace\": true to overwrite them");
    }
    const NodeIndex n = stored_->node_count();
    if (write.values.size() != n) throw graph::ParamError("attribute", "one value per person is needed");

    DerivedReport report;
    report.replaced = existing != nullptr;
    graph::AttributeTable attributes = stored_->attributes();
    auto& columns = attributes.columns();
    std::erase_if(columns, [&](const graph::AttributeColumn& c) { return c.name() == name; });
    auto& column = attributes.column(name, graph::AttributeType::number, n);
    std::vector<NodeIndex> changed;
    for (NodeIndex u = 0; u < n; ++u) {
        const double v = write.values[u];
        const bool had = existing && existing->has(u);
        if (std::isfinite(v)) {
            column.set(u, v);
            ++report.people;
            changed.push_back(u);
        } else if (had) {
            ++report.cleared;
            changed.push_back(u);
        }
    }
    auto next = std::make_shared<graph::Snapshot>(stored_->with_attributes(std::move(attributes)));

    const auto now = now_seconds();
    const json options = {{"attribute", name}, {"op", write.op}};
    Statement batch(db_,
                    "INSERT INTO batches(source, started_at, finished_at, provenance, nodes_added, nodes_updated, "
                    "edges_added, kept, options) VALUES (?, ?, ?, 'derived', 0, ?, 0, 1, ?)");
    batch.bind(1, std::string_view("write: " + graph::printable(write.op))).bind(2, now).bind(3, now);
    batch.bind(4, static_cast<std::int64_t>(changed.size()));
    batch.bind(5, std::string_view(options.dump(-1, ' ', false, json::error_handler_t::replace))).run();
    report.batch = static_cast<std::uint32_t>(sqlite3_last_insert_rowid(db_.handle()));
    Statement type(db_, "INSERT OR IGNORE INTO attributes(name, type) VALUES (?, 'number')");
    type.bind(1, std::string_view(name)).run();
    Statement update(db_, "UPDATE nodes SET attributes = ? WHERE key = ?");
    for (const auto u : changed) {
        const auto values = attributes_json(*next, u);
        if (values.empty()) {
            update.bind_null(1);
        } else {
            update.bind(1, std::string_view(values.dump(-1, ' ', false, json::error_handler_t::replace)));
        }
        update.bind(2, keys_[u]).run();
    }
    const auto next_state = advance_state();
    transaction->commit();
    transaction.reset();
    stored_ = std::move(next);
    state_ = next_state;
    if (!in_memory()) write_cache();
    publish();
    return report;
}

}  // namespace smorg::importers::store
