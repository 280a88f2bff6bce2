#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "smorg/graph/files.h"
#include "smorg/graph/text.h"

#include "store.h"

namespace smorg::importers::store {

namespace {

constexpr std::int64_t kApplicationId = 0x736d6f72;  // "smor"
constexpr std::int64_t kSchemaVersion = 1;

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

}  // namespace

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
    if (!in_memory() && loaded_from_.rfind("cache", 0) != 0) write_cache();
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
    for (const char* suffix : {"", "-wal", "-shm", ".snapshot", ".snapshot-log"}) std::filesystem::remove(path_ + suffix, ec);
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

std::vector<BatchInfo> SqliteDatabase::batches() const {
    std::lock_guard lock(write_mutex_);
    std::vector<BatchInfo> out;
    Statement s(const_cast<Connection&>(db_),
                "SELECT id, source, started_at, provenance, nodes_added, edges_added, kept FROM batches ORDER BY id");
    while (s.step()) {
        BatchInfo b;
        b.id = static_cast<std::uint32_t>(s.integer(0));
        b.kept = s.integer(6) != 0;
        b.source = b.kept ? graph::printable(s.text(1)) : "(" + std::string(s.text(3)) + ": not kept)";
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
        for (const auto& suffix : {"", "-wal", ".snapshot", ".snapshot-log"}) {
            std::error_code ec;
            const auto size = std::filesystem::file_size(path_ + suffix, ec);
            if (!ec) out.file_bytes += size;
        }
    }
    out.snapshot_bytes = snapshot()->memory_bytes();
    return out;
}

}  // namespace smorg::importers::store

namespace smorg::importers {

std::unique_ptr<Database> Database::open(const std::string& path, const OpenOptions& options) {
    if (path.empty()) throw StoreError("the database path is empty");
    std::error_code ec;
    const bool exists = path == ":memory:" || std::filesystem::exists(path, ec);
    if (!exists && !options.create) throw StoreError("no database at '" + graph::printable(path) + "'");
    return std::make_unique<store::SqliteDatabase>(path, options, !exists);
}

}  // namespace smorg::importers
