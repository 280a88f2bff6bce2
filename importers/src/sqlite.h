#pragma once

// A thin RAII layer over the SQLite C API: a connection, prepared statements, and a transaction guard
// that rolls back unless committed. Every failure is a StoreError carrying SQLite's message.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "smorg/graph/run_context.h"
#include "smorg/importers/import_error.h"

namespace smorg::importers::detail {

class Connection;

class Statement {
public:
    Statement(Connection& db, std::string_view sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Binding is 1-based, as in SQLite.
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view value);
    Statement& bind_null(int index);
    // Runs one step: true when a row is available.
    bool step();
    // Runs to completion and resets, ready for new bindings.
    void run();
    void reset();

    std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
    double real(int column) const { return sqlite3_column_double(stmt_, column); }
    bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
    std::string_view text(int column) const {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
        return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string_view();
    }

private:
    Connection& db_;
    sqlite3_stmt* stmt_ = nullptr;
};

class Connection {
public:
    // Opens `path` (":memory:" for an in-memory database). Throws StoreError.
    Connection(const std::string& path, bool create);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // How long a statement waits for another connection's lock (another process's write, a
    // reader blocking a checkpoint) before it fails with SQLITE_BUSY; never past `run`'s
    // cancellation. The wait is polled, so cancel() ends it within a few milliseconds.
    void set_lock_wait(std::chrono::milliseconds timeout, const graph::RunContext* run = nullptr) noexcept {
        lock_wait_ = timeout;
        lock_run_ = run;
    }
    void close() noexcept;

    void exec(std::string_view sql);
    std::optional<std::int64_t> scalar(std::string_view sql);
    [[noreturn]] void fail(const std::string& what) const;
    sqlite3* handle() const noexcept { return db_; }
    const std::string& path() const noexcept { return path_; }

private:
    static int on_busy(void* self, int attempt);

    sqlite3* db_ = nullptr;
    std::string path_;
    std::chrono::milliseconds lock_wait_{10000};
    const graph::RunContext* lock_run_ = nullptr;
    std::chrono::steady_clock::time_point wait_started_;
};

// BEGIN IMMEDIATE (a write: takes the database's write lock, waiting for other writers) or BEGIN
// DEFERRED (a read: every statement until the end sees the same committed state) on construction;
// ROLLBACK on destruction unless commit() ran.
class Transaction {
public:
    enum class Kind { write, read };
    explicit Transaction(Connection& db, Kind kind = Kind::write);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Connection& db_;
    bool done_ = false;
};

}  // namespace smorg::importers::detail
