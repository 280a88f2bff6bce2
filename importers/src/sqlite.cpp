#include "sqlite.h"

#include <thread>

namespace smorg::importers::detail {

Connection::Connection(const std::string& path, bool create) : path_(path) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (create) flags |= SQLITE_OPEN_CREATE;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw StoreError("cannot open the database '" + path + "': " + message);
    }
    sqlite3_busy_handler(db_, &Connection::on_busy, this);
    sqlite3_extended_result_codes(db_, 1);
}

Connection::~Connection() { close(); }

void Connection::close() noexcept {
    if (db_) sqlite3_close_v2(db_);
    db_ = nullptr;
}

int Connection::on_busy(void* self, int attempt) {
    auto* c = static_cast<Connection*>(self);
    const auto now = std::chrono::steady_clock::now();
    if (attempt == 0) c->wait_started_ = now;
    if (c->lock_run_ && c->lock_run_->cancelled()) return 0;
    if (now - c->wait_started_ >= c->lock_wait_) return 0;
    // Short sleeps first (most locks are brief), then a steady 20 ms.
    std::this_thread::sleep_for(std::chrono::milliseconds(attempt < 5 ? 1 << attempt : 20));
    return 1;
}

void Connection::fail(const std::string& what) const {
    throw StoreError("database '" + path_ + "': " + what + ": " + sqlite3_errmsg(db_));
}

void Connection::exec(std::string_view sql) {
    char* message = nullptr;
    const std::string text(sql);
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        const std::string reason = message ? message : "unknown error";
        sqlite3_free(message);
        throw StoreError("database '" + path_ + "': " + reason);
    }
}

std::optional<std::int64_t> Connection::scalar(std::string_view sql) {
    Statement s(*this, sql);
    if (!s.step() || s.is_null(0)) return std::nullopt;
    return s.integer(0);
}

Statement::Statement(Connection& db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK) {
        db.fail("cannot prepare '" + std::string(sql.substr(0, 60)) + "'");
    }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) db_.fail("bind");
    return *this;
}

Statement& Statement::bind(int index, double value) {
    if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) db_.fail("bind");
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) != SQLITE_OK) {
        db_.fail("bind");
    }
    return *this;
}

Statement& Statement::bind_null(int index) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) db_.fail("bind");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    db_.fail("step");
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

Transaction::Transaction(Connection& db, Kind kind) : db_(db) {
    db_.exec(kind == Kind::write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
}

Transaction::~Transaction() {
    if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

}  // namespace smorg::importers::detail
