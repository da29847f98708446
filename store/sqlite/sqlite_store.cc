#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "store/group_commit.h"
#include "store/order_codec.h"

namespace hotline {
namespace {

// ---- thin RAII over the C API (internal) ---------------------------------

class Conn;

class Stmt {
 public:
  Stmt(sqlite3_stmt* s, sqlite3* db) : s_(s), db_(db) {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  ~Stmt() { sqlite3_reset(s_); }
  // For a statement run again: the bindings are all replaced before the next step.
  void Reset() { sqlite3_reset(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int i, std::int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, int v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  template <typename T>
  Stmt& Bind(int i, const std::optional<T>& v) {
    if (v) return Bind(i, *v);
    sqlite3_bind_null(s_, i);
    return *this;
  }
  Stmt& BindNull(int i) {
    sqlite3_bind_null(s_, i);
    return *this;
  }

  // SQLITE_ROW -> true; SQLITE_DONE -> false; error -> sets status.
  bool Step(Status* st) {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) *st = Error(rc);
    return false;
  }
  Status Run() {
    Status st;
    while (Step(&st)) {
    }
    return st;
  }
  std::int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  double Double(int col) const { return sqlite3_column_double(s_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  std::string Text(int col) const {
    const unsigned char* p = sqlite3_column_text(s_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(s_, col)))
             : std::string();
  }
  Status Error(int rc) const {
    int ext = sqlite3_extended_errcode(db_);
    Code code = (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
                    ? Code::kConflict
                    : (rc == SQLITE_BUSY ? Code::kUnavailable : Code::kInternal);
    return Status(code, std::string("sqlite: ") + sqlite3_errmsg(db_));
  }

 private:
  sqlite3_stmt* s_;
  sqlite3* db_;
};

class Conn {
 public:
  static Result<std::unique_ptr<Conn>> Open(const std::string& path, bool readonly) {
    sqlite3* db = nullptr;
    int flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close(db);
      return Status(Code::kInternal, "cannot open " + path + ": " + msg);
    }
    auto c = std::unique_ptr<Conn>(new Conn(db));
    sqlite3_busy_timeout(db, 10000);
    return c;
  }
  ~Conn() {
    for (auto& [_, s] : cache_) sqlite3_finalize(s);
    sqlite3_close(db_);
  }
  Status Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "?";
      sqlite3_free(err);
      return Status(Code::kInternal, "sqlite: " + msg + " in: " + sql.substr(0, 80));
    }
    return {};
  }
  // Prepared statements are cached per connection, keyed by their SQL.
  Result<sqlite3_stmt*> Prepare(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return it->second;
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) !=
        SQLITE_OK)
      return Status(Code::kInternal, std::string("sqlite prepare: ") + sqlite3_errmsg(db_));
    cache_.emplace(sql, s);
    return s;
  }
  sqlite3* db() { return db_; }
  std::int64_t Changes() { return sqlite3_changes64(db_); }

 private:
  explicit Conn(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

#define PREPARE(conn, var, sql)                                           \
  HOTLINE_ASSIGN_OR_RETURN(sqlite3_stmt* var##_raw, (conn).Prepare(sql)); \
  Stmt var(var##_raw, (conn).db())

// ---- schema --------------------------------------------------------------

// Each entry moves the schema one version up. Never edit a released entry: add one.
const char* const kMigrations[] = {
    // 1: the work-order engine.
    R"sql(
CREATE TABLE units(
  id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, kind TEXT NOT NULL,
  grid_kind TEXT, parent_id INTEGER REFERENCES units(id), active INTEGER NOT NULL DEFAULT 1);
CREATE INDEX units_parent ON units(parent_id);
CREATE TABLE users(
  id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,
  role TEXT NOT NULL, unit_id INTEGER NOT NULL REFERENCES units(id), phone TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE documents(
  key TEXT PRIMARY KEY, json TEXT NOT NULL, version INTEGER NOT NULL);
CREATE TABLE orders(
  id INTEGER PRIMARY KEY, no TEXT NOT NULL UNIQUE, state TEXT NOT NULL, version INTEGER NOT NULL,
  channel TEXT NOT NULL, nature TEXT NOT NULL, urgency TEXT NOT NULL, subject_code TEXT NOT NULL,
  grid_id INTEGER, community_id INTEGER, street_id INTEGER, lead_unit_id INTEGER,
  created_at INTEGER NOT NULL, due_at INTEGER NOT NULL, yellow_at INTEGER NOT NULL,
  supervised INTEGER NOT NULL, citizen_user_id INTEGER, caller_phone TEXT NOT NULL,
  title TEXT NOT NULL, content TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX orders_created ON orders(created_at);
CREATE INDEX orders_state_due ON orders(state, due_at);
CREATE INDEX orders_lead ON orders(lead_unit_id, state);
CREATE INDEX orders_grid ON orders(grid_id, created_at);
CREATE INDEX orders_street ON orders(street_id, created_at);
CREATE INDEX orders_phone ON orders(caller_phone);
CREATE INDEX orders_citizen ON orders(citizen_user_id);
CREATE TABLE order_units(
  unit_id INTEGER NOT NULL, order_id INTEGER NOT NULL, rel INTEGER NOT NULL,
  PRIMARY KEY(unit_id, order_id)) WITHOUT ROWID;
CREATE TABLE events(
  id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, at INTEGER NOT NULL, action TEXT NOT NULL,
  from_state TEXT NOT NULL, to_state TEXT NOT NULL, user_id INTEGER, unit_id INTEGER,
  text TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX events_order ON events(order_id, id);
CREATE TABLE idempotency(
  owner INTEGER NOT NULL, key TEXT NOT NULL, order_id INTEGER NOT NULL,
  PRIMARY KEY(owner, key)) WITHOUT ROWID;
CREATE TABLE audit(
  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, user_id INTEGER NOT NULL, action TEXT NOT NULL,
  order_id INTEGER, detail TEXT NOT NULL);
CREATE INDEX audit_order ON audit(order_id);
CREATE TABLE sessions(
  digest TEXT PRIMARY KEY, user_id INTEGER NOT NULL, expires_at INTEGER NOT NULL);
)sql",
    // 2: login lockout (failed logins, lock) and revoking a user's sessions.
    R"sql(
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until INTEGER;
CREATE INDEX sessions_user ON sessions(user_id);
)sql",
    // 3: title and content with personal data masked, for searches by readers who may not see
    // the caller (NULL until the service computes it; WorkOrder::search_text).
    R"sql(
ALTER TABLE orders ADD COLUMN search_text TEXT;
CREATE INDEX orders_no_search_text ON orders(id) WHERE search_text IS NULL;
)sql",
};

constexpr int kSchemaVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);

Status Migrate(Conn& c) {
  int version = 0;
  {
    PREPARE(c, s, "PRAGMA user_version");
    Status st;
    if (s.Step(&st)) version = static_cast<int>(s.Int(0));
    HOTLINE_RETURN_IF_ERROR(st);
  }
  if (version > kSchemaVersion)
    return Status(Code::kFailedPrecondition, "the store was written by a newer hotline (schema " +
                                                 std::to_string(version) + " > " +
                                                 std::to_string(kSchemaVersion) + ")");
  for (int v = version; v < kSchemaVersion; ++v) {
    HOTLINE_RETURN_IF_ERROR(c.Exec("BEGIN IMMEDIATE"));
    Status st = c.Exec(kMigrations[v]);
    if (st.ok()) st = c.Exec("PRAGMA user_version = " + std::to_string(v + 1));
    if (!st.ok()) {
      (void)c.Exec("ROLLBACK");
      return st;
    }
    HOTLINE_RETURN_IF_ERROR(c.Exec("COMMIT"));
  }
  return {};
}

// ---- bulk mode -----------------------------------------------------------

// A new file written in bulk (SqliteOptions::bulk_new_file) gets the secondary indexes of
// orders and events after the rows: their exact CREATE statements wait in
// bulk_deferred_indexes until FinishSqliteBulkLoad runs them (building an index from sorted
// rows beats keeping eight indexes up to date row by row).
constexpr const char* kDeferredIndexes = "bulk_deferred_indexes";

Status DeferIndexes(Conn& c) {
  HOTLINE_RETURN_IF_ERROR(c.Exec("BEGIN IMMEDIATE"));
  Status st = c.Exec(std::string("CREATE TABLE ") + kDeferredIndexes +
                     "(name TEXT PRIMARY KEY, sql TEXT NOT NULL);"
                     "INSERT INTO " +
                     kDeferredIndexes +
                     " SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT "
                     "NULL AND tbl_name IN ('orders', 'events')");
  std::vector<std::string> names;
  if (st.ok()) {
    auto s = c.Prepare(std::string("SELECT name FROM ") + kDeferredIndexes);
    if (!s.ok()) {
      st = s.status();
    } else {
      Stmt q(*s, c.db());
      while (q.Step(&st)) names.push_back(q.Text(0));
    }
  }
  for (size_t i = 0; st.ok() && i < names.size(); ++i)
    st = c.Exec("DROP INDEX \"" + names[i] + "\"");
  if (!st.ok()) {
    (void)c.Exec("ROLLBACK");
    return st;
  }
  return c.Exec("COMMIT");
}

Status RestoreIndexes(Conn& c) {
  std::vector<std::string> sql;
  {
    auto s = c.Prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" +
                       std::string(kDeferredIndexes) + "'");
    if (!s.ok()) return s.status();
    Stmt q(*s, c.db());
    Status st;
    const bool deferred = q.Step(&st) && q.Int(0) > 0;
    HOTLINE_RETURN_IF_ERROR(st);
    if (!deferred) return {};
  }
  {
    auto s = c.Prepare(std::string("SELECT sql FROM ") + kDeferredIndexes + " ORDER BY rowid");
    if (!s.ok()) return s.status();
    Stmt q(*s, c.db());
    Status st;
    while (q.Step(&st)) sql.push_back(q.Text(0));
    HOTLINE_RETURN_IF_ERROR(st);
  }
  HOTLINE_RETURN_IF_ERROR(c.Exec("BEGIN IMMEDIATE"));
  Status st;
  for (size_t i = 0; st.ok() && i < sql.size(); ++i) st = c.Exec(sql[i]);
  if (st.ok()) st = c.Exec(std::string("DROP TABLE ") + kDeferredIndexes);
  if (!st.ok()) {
    (void)c.Exec("ROLLBACK");
    return st;
  }
  return c.Exec("COMMIT");
}

// ---- rows ----------------------------------------------------------------

Unit UnitFromRow(const Stmt& s) {
  Unit u;
  u.id = s.Int(0);
  u.code = s.Text(1);
  u.name = s.Text(2);
  u.kind = Parse<UnitKind>(s.Text(3)).value_or(UnitKind::kDepartment);
  if (!s.IsNull(4)) u.grid_kind = Parse<GridKind>(s.Text(4));
  if (!s.IsNull(5)) u.parent_id = s.Int(5);
  u.active = s.Int(6) != 0;
  return u;
}

User UserFromRow(const Stmt& s) {
  User u;
  u.id = s.Int(0);
  u.login = s.Text(1);
  u.display_name = s.Text(2);
  u.role = Parse<Role>(s.Text(3)).value_or(Role::kCitizen);
  u.unit_id = s.Int(4);
  u.phone = s.Text(5);
  u.password_hash = s.Text(6);
  u.active = s.Int(7) != 0;
  u.failed_logins = static_cast<int>(s.Int(8));
  if (!s.IsNull(9)) u.locked_until = s.Int(9);
  return u;
}

const char* kUnitCols = "id, code, name, kind, grid_kind, parent_id, active";
// For SELECT: UserFromRow reads them in this order.
const char* kUserCols =
    "id, login, display_name, role, unit_id, phone, password_hash, active, failed_logins, "
    "locked_until";

Status InsertUnitRow(Conn& c, const Unit& u, bool with_id) {
  PREPARE(c, s,
          "INSERT INTO units(id, code, name, kind, grid_kind, parent_id, active) "
          "VALUES(?,?,?,?,?,?,?)");
  if (with_id)
    s.Bind(1, u.id);
  else
    s.BindNull(1);
  s.Bind(2, u.code).Bind(3, u.name).Bind(4, ToString(u.kind));
  if (u.grid_kind)
    s.Bind(5, ToString(*u.grid_kind));
  else
    s.BindNull(5);
  s.Bind(6, u.parent_id).Bind(7, u.active ? 1 : 0);
  return s.Run();
}

Status InsertUserRow(Conn& c, const User& u, bool with_id) {
  PREPARE(c, s,
          "INSERT INTO users(id, login, display_name, role, unit_id, phone, password_hash, active) "
          "VALUES(?,?,?,?,?,?,?,?)");
  if (with_id)
    s.Bind(1, u.id);
  else
    s.BindNull(1);
  s.Bind(2, u.login).Bind(3, u.display_name).Bind(4, ToString(u.role)).Bind(5, u.unit_id);
  s.Bind(6, u.phone).Bind(7, u.password_hash).Bind(8, u.active ? 1 : 0);
  return s.Run();
}

Status PutDocumentRow(Conn& c, const std::string& key, const std::string& json) {
  PREPARE(c, s,
          "INSERT INTO documents(key, json, version) VALUES(?, ?, 1) "
          "ON CONFLICT(key) DO UPDATE SET json = excluded.json, version = version + 1");
  return s.Bind(1, key).Bind(2, json).Run();
}

const char* const kEventInsert =
    "INSERT INTO events(order_id, at, action, from_state, to_state, user_id, unit_id, text, "
    "data) VALUES(?,?,?,?,?,?,?,?,?)";
const char* const kAccessInsert =
    "INSERT INTO order_units(unit_id, order_id, rel) VALUES(?,?,?) "
    "ON CONFLICT(unit_id, order_id) DO UPDATE SET rel = rel | excluded.rel";

void BindEvent(Stmt& s, const Event& e, Id order_id) {
  s.Bind(1, order_id).Bind(2, e.at).Bind(3, e.action).Bind(4, ToString(e.from));
  s.Bind(5, ToString(e.to)).Bind(6, e.user_id).Bind(7, e.unit_id).Bind(8, e.text);
  if (e.data_json.empty())
    s.Bind(9, std::string_view("{}"));
  else
    s.Bind(9, e.data_json);
}

Status InsertEventRow(Conn& c, const Event& e, Id order_id) {
  PREPARE(c, s, kEventInsert);
  BindEvent(s, e, order_id);
  return s.Run();
}

Status GrantAccess(Conn& c, Id order_id, const std::vector<AccessGrant>& access) {
  for (const AccessGrant& g : access) {
    PREPARE(c, s, kAccessInsert);
    HOTLINE_RETURN_IF_ERROR(s.Bind(1, g.unit_id).Bind(2, order_id).Bind(3, g.rel).Run());
  }
  return {};
}

// Binds the indexed columns of `orders` in the order of kOrderColumns.
const char* kOrderInsert =
    "INSERT INTO orders(id, no, state, version, channel, nature, urgency, subject_code, grid_id, "
    "community_id, street_id, lead_unit_id, created_at, due_at, yellow_at, supervised, "
    "citizen_user_id, caller_phone, title, content, doc, search_text) "
    "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

void BindOrder(Stmt& s, const WorkOrder& o) {
  s.Bind(1, o.id).Bind(2, o.no).Bind(3, ToString(o.state)).Bind(4, o.version);
  s.Bind(5, ToString(o.channel)).Bind(6, ToString(o.nature)).Bind(7, ToString(o.urgency));
  s.Bind(8, o.subject_code).Bind(9, o.place.grid_id).Bind(10, o.place.community_id);
  s.Bind(11, o.place.street_id).Bind(12, o.lead_unit_id).Bind(13, o.created_at);
  s.Bind(14, o.due_at).Bind(15, o.yellow_at).Bind(16, o.supervised ? 1 : 0);
  s.Bind(17, o.citizen_user_id).Bind(18, o.caller_phone).Bind(19, o.title).Bind(20, o.content);
  s.Bind(21, EncodeOrder(o));
  if (o.search_text.empty()) {
    s.BindNull(22);
  } else {
    s.Bind(22, o.search_text);
  }
}

std::string OpenStatesSql() {
  std::string s = "(";
  bool first = true;
  for (State st : {State::kDispatched, State::kReturnRequested, State::kInProgress,
                   State::kExtensionRequested}) {
    s += first ? "'" : ",'";
    s += ToString(st);
    s += "'";
    first = false;
  }
  return s + ")";
}

// ---- the store -----------------------------------------------------------

// The lease of scheduled work (store/store.h): an exclusive flock on "<db>-lease-<name>", which
// the kernel releases when the process ends however it ends. An in-memory store has one process.
class SqliteLease final : public Lease {
 public:
  explicit SqliteLease(std::string path) : path_(std::move(path)) {}
  ~SqliteLease() override {
    if (fd_ >= 0) ::close(fd_);
  }
  bool Hold() override {
    if (held_) return true;
    if (fd_ < 0) fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) return false;
    held_ = ::flock(fd_, LOCK_EX | LOCK_NB) == 0;
    return held_;
  }

 private:
  const std::string path_;
  int fd_ = -1;
  bool held_ = false;
};
class AlwaysLease final : public Lease {
 public:
  bool Hold() override { return true; }
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, SqliteOptions options)
      : path_(std::move(path)), options_(options) {}

  ~SqliteStore() override { writes_.Stop(); }

  Status Init() {
    if (options_.bulk_new_file) {
      std::error_code ec;
      if (std::filesystem::exists(path_, ec) && std::filesystem::file_size(path_, ec) > 0)
        return Status(Code::kFailedPrecondition,
                      "bulk mode writes a new file only; " + path_ + " exists");
    }
    HOTLINE_ASSIGN_OR_RETURN(writer_conn_, Conn::Open(path_, false));
    if (options_.bulk_new_file) {
      // No journal, no fsync, a large cache: FinishSqliteBulkLoad restores WAL and syncs.
      // 16 KB pages: an order row (~2.5 KB with its document) fills a 4 KB page alone.
      HOTLINE_RETURN_IF_ERROR(writer_conn_->Exec("PRAGMA page_size=16384"));
      HOTLINE_RETURN_IF_ERROR(writer_conn_->Exec("PRAGMA journal_mode=OFF"));
      HOTLINE_RETURN_IF_ERROR(writer_conn_->Exec("PRAGMA synchronous=OFF"));
      HOTLINE_RETURN_IF_ERROR(writer_conn_->Exec("PRAGMA cache_size=-262144"));
    } else {
      HOTLINE_RETURN_IF_ERROR(writer_conn_->Exec("PRAGMA journal_mode=WAL"));
      HOTLINE_RETURN_IF_ERROR(writer_conn_->Exec(std::string("PRAGMA synchronous=") +
                                                 (options_.synchronous_full ? "FULL" : "NORMAL")));
    }
    HOTLINE_RETURN_IF_ERROR(writer_conn_->Exec("PRAGMA foreign_keys=ON"));
    HOTLINE_RETURN_IF_ERROR(Migrate(*writer_conn_));
    if (options_.bulk_new_file) HOTLINE_RETURN_IF_ERROR(DeferIndexes(*writer_conn_));
    {
      PREPARE(*writer_conn_, s, "SELECT coalesce(max(id), 0) FROM orders");
      Status st;
      if (s.Step(&st)) next_order_id_ = s.Int(0) + 1;
      HOTLINE_RETURN_IF_ERROR(st);
    }
    for (int i = 0; i < options_.read_connections; ++i) {
      HOTLINE_ASSIGN_OR_RETURN(auto c, Conn::Open(path_, true));
      readers_.Add(std::move(c));
    }
    writes_.Start(*writer_conn_, options_.max_group,
                  [this](Conn& c, const std::vector<GroupCommit<Conn>::Op*>& ops,
                         std::vector<Status>& results) { RunGroup(c, ops, results); });
    return {};
  }

  // -- units, users, documents --

  Result<Id> InsertUnit(const Unit& unit) override {
    Id id = 0;
    HOTLINE_RETURN_IF_ERROR(Write([&](Conn& c) -> Status {
      HOTLINE_RETURN_IF_ERROR(InsertUnitRow(c, unit, unit.id > 0));
      id = sqlite3_last_insert_rowid(c.db());
      return {};
    }));
    return id;
  }
  Status UpdateUnit(const Unit& u) override {
    return Write([&](Conn& c) -> Status {
      PREPARE(c, s,
              "UPDATE units SET code=?, name=?, kind=?, grid_kind=?, parent_id=?, active=? "
              "WHERE id=?");
      s.Bind(1, u.code).Bind(2, u.name).Bind(3, ToString(u.kind));
      if (u.grid_kind)
        s.Bind(4, ToString(*u.grid_kind));
      else
        s.BindNull(4);
      s.Bind(5, u.parent_id).Bind(6, u.active ? 1 : 0).Bind(7, u.id);
      HOTLINE_RETURN_IF_ERROR(s.Run());
      if (c.Changes() == 0) return Status(Code::kNotFound, "no unit " + std::to_string(u.id));
      return {};
    });
  }
  Result<std::vector<Unit>> ListUnits() override {
    std::vector<Unit> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](Conn& c) -> Status {
      PREPARE(c, s, std::string("SELECT ") + kUnitCols + " FROM units ORDER BY id");
      Status st;
      while (s.Step(&st)) out.push_back(UnitFromRow(s));
      return st;
    }));
    return out;
  }
  Result<Id> InsertUser(const User& user) override {
    Id id = 0;
    HOTLINE_RETURN_IF_ERROR(Write([&](Conn& c) -> Status {
      HOTLINE_RETURN_IF_ERROR(InsertUserRow(c, user, user.id > 0));
      id = sqlite3_last_insert_rowid(c.db());
      return {};
    }));
    return id;
  }
  Status UpdateUser(const User& u) override {
    return Write([&](Conn& c) -> Status {
      PREPARE(c, s,
              "UPDATE users SET login=?, display_name=?, role=?, unit_id=?, phone=?, "
              "password_hash=?, active=? WHERE id=?");
      s.Bind(1, u.login).Bind(2, u.display_name).Bind(3, ToString(u.role)).Bind(4, u.unit_id);
      s.Bind(5, u.phone).Bind(6, u.password_hash).Bind(7, u.active ? 1 : 0).Bind(8, u.id);
      HOTLINE_RETURN_IF_ERROR(s.Run());
      if (c.Changes() == 0) return Status(Code::kNotFound, "no user " + std::to_string(u.id));
      return {};
    });
  }
  Result<std::vector<User>> ListUsers() override {
    std::vector<User> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](Conn& c) -> Status {
      PREPARE(c, s, std::string("SELECT ") + kUserCols + " FROM users ORDER BY id");
      Status st;
      while (s.Step(&st)) out.push_back(UserFromRow(s));
      return st;
    }));
    return out;
  }
  Status PutDocument(const std::string& key, const std::string& json) override {
    return Write([&](Conn& c) { return PutDocumentRow(c, key, json); });
  }
  Result<std::optional<std::string>> GetDocument(const std::string& key) override {
    std::optional<std::string> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](Conn& c) -> Status {
      PREPARE(c, s, "SELECT json FROM documents WHERE key = ?");
      s.Bind(1, key);
      Status st;
      if (s.Step(&st)) out = s.Text(0);
      return st;
    }));
    return out;
  }
  Result<std::vector<std::pair<std::string, std::int64_t>>> DocumentVersions(
      const std::string& prefix) override {
    std::vector<std::pair<std::string, std::int64_t>> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](Conn& c) -> Status {
      out.clear();
      PREPARE(c, s,
              "SELECT key, version FROM documents WHERE substr(key, 1, length(?1)) = ?1 "
              "ORDER BY key");
      s.Bind(1, prefix);
      Status st;
      while (s.Step(&st)) out.emplace_back(s.Text(0), s.Int(1));
      return st;
    }));
    return out;
  }
  Result<std::unique_ptr<Lease>> OpenLease(const std::string& name) override {
    if (path_.empty() || path_ == ":memory:" || path_.starts_with("file::memory:"))
      return std::unique_ptr<Lease>(std::make_unique<AlwaysLease>());
    return std::unique_ptr<Lease>(std::make_unique<SqliteLease>(path_ + "-lease-" + name));
  }
  Status ApplyBatch(const Batch& b) override {
    return Write([&](Conn& c) -> Status {
      for (const Unit& u : b.units) HOTLINE_RETURN_IF_ERROR(InsertUnitRow(c, u, true));
      for (const User& u : b.users) HOTLINE_RETURN_IF_ERROR(InsertUserRow(c, u, true));
      for (const auto& [k, v] : b.documents) HOTLINE_RETURN_IF_ERROR(PutDocumentRow(c, k, v));
      return {};
    });
  }
  Result<Id> MaxUnitId() override { return MaxId("units"); }
  Result<Id> MaxUserId() override { return MaxId("users"); }

  // -- orders --

  Result<CreateResult> CreateOrder(const WorkOrder& order, const Event& created,
                                   const std::vector<AccessGrant>& access,
                                   const std::string& idempotency_key, Id key_owner) override {
    CreateResult out;
    HOTLINE_RETURN_IF_ERROR(Write([&](Conn& c) -> Status {
      if (!idempotency_key.empty()) {
        PREPARE(c, s,
                "SELECT o.id, o.no FROM idempotency i JOIN orders o ON o.id = i.order_id "
                "WHERE i.owner = ? AND i.key = ?");
        s.Bind(1, key_owner).Bind(2, idempotency_key);
        Status st;
        if (s.Step(&st)) {
          out = {s.Int(0), s.Text(1), true};
          return {};
        }
        HOTLINE_RETURN_IF_ERROR(st);
      }
      WorkOrder o = order;
      o.id = next_order_id_;
      o.no = order.no + Pad7(o.id);
      {
        PREPARE(c, s, kOrderInsert);
        BindOrder(s, o);
        HOTLINE_RETURN_IF_ERROR(s.Run());
      }
      HOTLINE_RETURN_IF_ERROR(InsertEventRow(c, created, o.id));
      HOTLINE_RETURN_IF_ERROR(GrantAccess(c, o.id, access));
      if (!idempotency_key.empty()) {
        PREPARE(c, s, "INSERT INTO idempotency(owner, key, order_id) VALUES(?,?,?)");
        HOTLINE_RETURN_IF_ERROR(s.Bind(1, key_owner).Bind(2, idempotency_key).Bind(3, o.id).Run());
      }
      ++next_order_id_;
      out = {o.id, o.no, false};
      return {};
    }));
    return out;
  }

  Status TransitionOrder(const WorkOrder& next, State expected_state, std::int64_t expected_version,
                         const Event& event, const std::vector<AccessGrant>& add_access) override {
    return Write([&](Conn& c) -> Status {
      {
        PREPARE(c, s,
                "UPDATE orders SET state=?, version=?, grid_id=?, community_id=?, street_id=?, "
                "lead_unit_id=?, due_at=?, yellow_at=?, supervised=?, subject_code=?, nature=?, "
                "urgency=?, doc=? WHERE id=? AND state=? AND version=?");
        s.Bind(1, ToString(next.state)).Bind(2, next.version).Bind(3, next.place.grid_id);
        s.Bind(4, next.place.community_id).Bind(5, next.place.street_id);
        s.Bind(6, next.lead_unit_id).Bind(7, next.due_at).Bind(8, next.yellow_at);
        s.Bind(9, next.supervised ? 1 : 0).Bind(10, next.subject_code);
        s.Bind(11, ToString(next.nature)).Bind(12, ToString(next.urgency));
        s.Bind(13, EncodeOrder(next)).Bind(14, next.id).Bind(15, ToString(expected_state));
        s.Bind(16, expected_version);
        HOTLINE_RETURN_IF_ERROR(s.Run());
      }
      if (c.Changes() == 0) {
        PREPARE(c, s, "SELECT state, version FROM orders WHERE id = ?");
        s.Bind(1, next.id);
        Status st;
        if (s.Step(&st))
          return Status(Code::kConflict, "the order has moved on: it is now " + s.Text(0) +
                                             " (version " + std::to_string(s.Int(1)) +
                                             "), expected " +
                                             std::string(ToString(expected_state)) + " (version " +
                                             std::to_string(expected_version) + ")");
        HOTLINE_RETURN_IF_ERROR(st);
        return Status(Code::kNotFound, "no order " + std::to_string(next.id));
      }
      HOTLINE_RETURN_IF_ERROR(InsertEventRow(c, event, next.id));
      return GrantAccess(c, next.id, add_access);
    });
  }

  Result<WorkOrder> GetOrder(Id id) override {
    return GetOrderWhere(
        "id = ?", [&](Stmt& s) { s.Bind(1, id); }, std::to_string(id));
  }
  Result<WorkOrder> GetOrderByNo(const std::string& no) override {
    return GetOrderWhere(
        "no = ?", [&](Stmt& s) { s.Bind(1, no); }, no);
  }

  Result<OrderPage> ListOrders(const OrderQuery& q) override {
    std::string where = " WHERE 1=1";
    std::vector<std::function<void(Stmt&, int&)>> binds;
    auto add = [&](const std::string& clause, auto value) {
      where += " AND " + clause;
      binds.push_back([value](Stmt& s, int& i) { s.Bind(++i, value); });
    };
    if (!q.states.empty()) {
      where += " AND state IN (";
      for (size_t i = 0; i < q.states.size(); ++i) {
        where += i ? ",?" : "?";
        std::string name(ToString(q.states[i]));
        binds.push_back([name](Stmt& s, int& k) { s.Bind(++k, name); });
      }
      where += ")";
    }
    if (q.unit_id) {
      where +=
          " AND (lead_unit_id = ? OR id IN (SELECT order_id FROM order_units WHERE unit_id = ? "
          "AND (rel & 4) != 0))";
      Id u = *q.unit_id;
      binds.push_back([u](Stmt& s, int& i) {
        s.Bind(++i, u);
        s.Bind(++i, u);
      });
    }
    if (q.lead_unit_id) add("lead_unit_id = ?", *q.lead_unit_id);
    if (q.grid_id) add("grid_id = ?", *q.grid_id);
    if (q.community_id) add("community_id = ?", *q.community_id);
    if (q.street_id) add("street_id = ?", *q.street_id);
    if (q.channel) add("channel = ?", std::string(ToString(*q.channel)));
    if (q.nature) add("nature = ?", std::string(ToString(*q.nature)));
    if (q.urgency) add("urgency = ?", std::string(ToString(*q.urgency)));
    if (q.created_from) add("created_at >= ?", *q.created_from);
    if (q.created_to) add("created_at < ?", *q.created_to);
    if (q.supervised) add("supervised = ?", *q.supervised ? 1 : 0);
    if (q.citizen_user_id) add("citizen_user_id = ?", *q.citizen_user_id);
    if (!q.caller_phone.empty()) add("caller_phone = ?", q.caller_phone);
    if (q.with_suggestion) where += " AND json_extract(doc, '$.suggestion') IS NOT NULL";
    if (!q.subject_prefix.empty()) {
      where += " AND substr(subject_code, 1, ?) = ?";
      binds.push_back([p = q.subject_prefix](Stmt& s, int& i) {
        s.Bind(++i, static_cast<int>(p.size()));
        s.Bind(++i, p);
      });
    }
    std::string hidden;  // "reported_unit_id IN (...)" over the order document
    if (!q.hidden_from_units.empty()) {
      hidden = "COALESCE(json_extract(doc, '$.reported_unit_id'), 0) IN (";
      for (size_t i = 0; i < q.hidden_from_units.size(); ++i)
        hidden += (i ? "," : "") + std::to_string(q.hidden_from_units[i]);
      hidden += ")";
    }
    if (!q.text.empty()) {
      if (q.text_masked) {
        where += " AND (no = ? OR instr(search_text, ?) > 0)";
        binds.push_back([t = q.text](Stmt& s, int& i) {
          s.Bind(++i, t);
          s.Bind(++i, t);
        });
      } else {
        where += " AND (no = ? OR ((instr(title, ?) > 0 OR instr(content, ?) > 0)" +
                 (hidden.empty() ? std::string() : " AND NOT " + hidden) +
                 ") OR instr(search_text, ?) > 0)";
        binds.push_back([t = q.text](Stmt& s, int& i) {
          for (int k = 0; k < 4; ++k) s.Bind(++i, t);
        });
      }
    }
    if (!q.caller_phone.empty() && !hidden.empty()) where += " AND NOT " + hidden;
    if (q.light) {
      static const std::string open = OpenStatesSql();
      switch (*q.light) {
        case Light::kRed:
          add("state IN " + open + " AND due_at > 0 AND due_at < ?", q.now);
          break;
        case Light::kYellow:
          where += " AND state IN " + open + " AND yellow_at <= ? AND due_at >= ?";
          binds.push_back([n = q.now](Stmt& s, int& i) {
            s.Bind(++i, n);
            s.Bind(++i, n);
          });
          break;
        case Light::kGreen:
          add("state IN " + open + " AND yellow_at > ?", q.now);
          break;
        case Light::kNone:
          where += " AND state NOT IN " + open;
          break;
      }
    }
    if (q.scope_units) {
      if (q.scope_units->empty()) return OrderPage{};
      where += " AND id IN (SELECT order_id FROM order_units WHERE unit_id IN (";
      for (size_t i = 0; i < q.scope_units->size(); ++i) {
        where += i ? ",?" : "?";
        Id u = (*q.scope_units)[i];
        binds.push_back([u](Stmt& s, int& k) { s.Bind(++k, u); });
      }
      where += "))";
    }
    if (q.scope_citizen) add("citizen_user_id = ?", *q.scope_citizen);

    const char* order_by = q.sort == OrderQuery::Sort::kOldest ? " ORDER BY created_at, id"
                           : q.sort == OrderQuery::Sort::kDueSoonest
                               ? " ORDER BY due_at = 0, due_at, id"
                               : " ORDER BY created_at DESC, id DESC";
    OrderPage page;
    HOTLINE_RETURN_IF_ERROR(Read([&](Conn& c) -> Status {
      {
        PREPARE(c, s, "SELECT count(*) FROM orders" + where);
        int i = 0;
        for (auto& b : binds) b(s, i);
        Status st;
        if (s.Step(&st)) page.total = s.Int(0);
        HOTLINE_RETURN_IF_ERROR(st);
      }
      PREPARE(c, s, "SELECT doc FROM orders" + where + order_by + " LIMIT ? OFFSET ?");
      int i = 0;
      for (auto& b : binds) b(s, i);
      s.Bind(i + 1, q.limit);
      s.Bind(i + 2, q.offset);
      Status st;
      while (s.Step(&st)) {
        HOTLINE_ASSIGN_OR_RETURN(WorkOrder o, DecodeOrder(s.Text(0)));
        page.items.push_back(std::move(o));
      }
      return st;
    }));
    return page;
  }

  // One row of kSelectEvents.
  static Event EventOf(Stmt& s) {
    Event e;
    e.id = s.Int(0);
    e.order_id = s.Int(1);
    e.at = s.Int(2);
    e.action = s.Text(3);
    e.from = Parse<State>(s.Text(4)).value_or(State::kReceived);
    e.to = Parse<State>(s.Text(5)).value_or(State::kReceived);
    if (!s.IsNull(6)) e.user_id = s.Int(6);
    if (!s.IsNull(7)) e.unit_id = s.Int(7);
    e.text = s.Text(8);
    e.data_json = s.Text(9);
    return e;
  }
  static constexpr const char* kSelectEvents =
      "SELECT id, order_id, at, action, from_state, to_state, user_id, unit_id, text, data "
      "FROM events";

  Result<std::vector<Event>> ListEvents(Id order_id) override {
    std::vector<Event> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](Conn& c) -> Status {
      PREPARE(c, s, std::string(kSelectEvents) + " WHERE order_id = ? ORDER BY id");
      s.Bind(1, order_id);
      Status st;
      while (s.Step(&st)) out.push_back(EventOf(s));
      return st;
    }));
    return out;
  }

  Result<std::vector<Event>> ScanEvents(Id after_id, int limit) override {
    std::vector<Event> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](Conn& c) -> Status {
      PREPARE(c, s, std::string(kSelectEvents) + " WHERE id > ? ORDER BY id LIMIT ?");
      s.Bind(1, after_id);
      s.Bind(2, limit);
      Status st;
      while (s.Step(&st)) out.push_back(EventOf(s));
      return st;
    }));
    return out;
  }

  Result<bool> CanAccess(Id order_id, const std::vector<Id>& units) override {
    bool found = false;
    HOTLINE_RETURN_IF_ERROR(Read([&](Conn& c) -> Status {
      for (Id u : units) {
        PREPARE(c, s, "SELECT 1 FROM order_units WHERE unit_id = ? AND order_id = ?");
        s.Bind(1, u).Bind(2, order_id);
        Status st;
        if (s.Step(&st)) {
          found = true;
          return {};
        }
        HOTLINE_RETURN_IF_ERROR(st);
      }
      return {};
    }));
    return found;
  }

  Status BulkLoad(std::vector<HistoryItem>& items) override {
    return Write([&](Conn& c) -> Status {
      // The three statements prepared once for the batch; each access list merged per unit
      // first (a lineage names the same ancestors again), so every grant is one row.
      PREPARE(c, order_stmt, kOrderInsert);
      PREPARE(c, event_stmt, kEventInsert);
      PREPARE(c, access_stmt, kAccessInsert);
      std::vector<AccessGrant> grants;
      Id next = next_order_id_;
      for (HistoryItem& it : items) {
        it.order.id = next++;
        it.order.no += Pad7(it.order.id);
        order_stmt.Reset();
        BindOrder(order_stmt, it.order);
        HOTLINE_RETURN_IF_ERROR(order_stmt.Run());
        for (Event& e : it.events) {
          e.order_id = it.order.id;
          event_stmt.Reset();
          BindEvent(event_stmt, e, it.order.id);
          HOTLINE_RETURN_IF_ERROR(event_stmt.Run());
        }
        grants = it.access;
        std::sort(grants.begin(), grants.end(),
                  [](const AccessGrant& a, const AccessGrant& b) { return a.unit_id < b.unit_id; });
        for (size_t i = 0; i < grants.size();) {
          int rel = 0;
          size_t j = i;
          for (; j < grants.size() && grants[j].unit_id == grants[i].unit_id; ++j)
            rel |= grants[j].rel;
          access_stmt.Reset();
          access_stmt.Bind(1, grants[i].unit_id).Bind(2, it.order.id).Bind(3, rel);
          HOTLINE_RETURN_IF_ERROR(access_stmt.Run());
          i = j;
        }
      }
      next_order_id_ = next;
      return {};
    });
  }

  Result<std::vector<Id>> OrdersWithoutSearchText(int limit) override {
    std::vector<Id> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](Conn& c) -> Status {
      PREPARE(c, s, "SELECT id FROM orders WHERE search_text IS NULL ORDER BY id LIMIT ?");
      s.Bind(1, limit);
      Status st;
      while (s.Step(&st)) out.push_back(s.Int(0));
      return st;
    }));
    return out;
  }
  Status SetSearchText(const std::vector<std::pair<Id, std::string>>& texts) override {
    return Write([&](Conn& c) -> Status {
      for (const auto& [id, text] : texts) {
        PREPARE(c, s, "UPDATE orders SET search_text = ? WHERE id = ?");
        HOTLINE_RETURN_IF_ERROR(s.Bind(1, text).Bind(2, id).Run());
      }
      return {};
    });
  }

  WriteStats Stats() const override { return writes_.Stats(); }

  Status AppendAudit(const AuditEntry& e) override {
    return Write([&](Conn& c) -> Status {
      PREPARE(c, s, "INSERT INTO audit(at, user_id, action, order_id, detail) VALUES(?,?,?,?,?)");
      return s.Bind(1, e.at)
          .Bind(2, e.user_id)
          .Bind(3, e.action)
          .Bind(4, e.order_id)
          .Bind(5, e.detail)
          .Run();
    });
  }
  Result<std::vector<AuditEntry>> ListAudit(std::optional<Id> order_id, int limit) override {
    std::vector<AuditEntry> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](Conn& c) -> Status {
      PREPARE(c, s,
              "SELECT at, user_id, action, order_id, detail FROM audit "
              "WHERE (?1 IS NULL OR order_id = ?1) ORDER BY id DESC LIMIT ?2");
      s.Bind(1, order_id).Bind(2, limit);
      Status st;
      while (s.Step(&st)) {
        AuditEntry e{s.Int(0), s.Int(1), s.Text(2), std::nullopt, s.Text(4)};
        if (!s.IsNull(3)) e.order_id = s.Int(3);
        out.push_back(std::move(e));
      }
      return st;
    }));
    return out;
  }

  Result<AuditPage> QueryAudit(const AuditQuery& q) override {
    static constexpr const char* kWhere =
        " FROM audit WHERE (?1 IS NULL OR order_id = ?1) AND (?2 IS NULL OR user_id = ?2) "
        "AND (?3 = '' OR action = ?3) AND (?4 IS NULL OR at >= ?4) AND (?5 IS NULL OR at < ?5)";
    std::string users;
    if (q.user_ids) {
      users = " AND user_id IN (";
      for (size_t i = 0; i < q.user_ids->size(); ++i)
        users += (i ? "," : "") + std::to_string((*q.user_ids)[i]);
      users = q.user_ids->empty() ? " AND 0" : users + ")";
    }
    AuditPage page;
    HOTLINE_RETURN_IF_ERROR(Read([&](Conn& c) -> Status {
      auto bind = [&](Stmt& s) -> Stmt& {
        return s.Bind(1, q.order_id)
            .Bind(2, q.user_id)
            .Bind(3, q.action)
            .Bind(4, q.from)
            .Bind(5, q.to);
      };
      {
        PREPARE(c, s, std::string("SELECT count(*)") + kWhere + users);
        bind(s);
        Status st;
        if (s.Step(&st)) page.total = s.Int(0);
        HOTLINE_RETURN_IF_ERROR(st);
      }
      PREPARE(c, s,
              std::string("SELECT at, user_id, action, order_id, detail") + kWhere + users +
                  " ORDER BY id DESC LIMIT ?6 OFFSET ?7");
      bind(s).Bind(6, q.limit).Bind(7, q.offset);
      Status st;
      while (s.Step(&st)) {
        AuditEntry e{s.Int(0), s.Int(1), s.Text(2), std::nullopt, s.Text(4)};
        if (!s.IsNull(3)) e.order_id = s.Int(3);
        page.items.push_back(std::move(e));
      }
      return st;
    }));
    return page;
  }

  Status PutSession(const Session& se) override {
    return Write([&](Conn& c) -> Status {
      PREPARE(c, s, "INSERT OR REPLACE INTO sessions(digest, user_id, expires_at) VALUES(?,?,?)");
      return s.Bind(1, se.token_digest).Bind(2, se.user_id).Bind(3, se.expires_at).Run();
    });
  }
  Result<std::optional<Session>> GetSession(const std::string& digest) override {
    std::optional<Session> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](Conn& c) -> Status {
      PREPARE(c, s, "SELECT digest, user_id, expires_at FROM sessions WHERE digest = ?");
      s.Bind(1, digest);
      Status st;
      if (s.Step(&st)) out = Session{s.Text(0), s.Int(1), s.Int(2)};
      return st;
    }));
    return out;
  }
  Status DeleteSession(const std::string& digest) override {
    return Write([&](Conn& c) -> Status {
      PREPARE(c, s, "DELETE FROM sessions WHERE digest = ?");
      return s.Bind(1, digest).Run();
    });
  }
  Result<std::int64_t> DeleteUserSessions(Id user_id) override {
    std::int64_t n = 0;
    HOTLINE_RETURN_IF_ERROR(Write([&](Conn& c) -> Status {
      PREPARE(c, s, "DELETE FROM sessions WHERE user_id = ?");
      HOTLINE_RETURN_IF_ERROR(s.Bind(1, user_id).Run());
      n = c.Changes();
      return {};
    }));
    return n;
  }

  Result<LoginFailure> RecordLoginFailure(Id user_id, Timestamp now, int lock_after,
                                          Timestamp lock_until) override {
    LoginFailure out;
    HOTLINE_RETURN_IF_ERROR(Write([&](Conn& c) -> Status {
      out = LoginFailure{};
      bool found = false;
      {
        PREPARE(c, s,
                "UPDATE users SET "
                "failed_logins = CASE WHEN locked_until <= ?1 THEN 1 ELSE failed_logins + 1 END, "
                "locked_until = CASE WHEN locked_until <= ?1 THEN NULL ELSE locked_until END "
                "WHERE id = ?2 RETURNING failed_logins, locked_until");
        s.Bind(1, now).Bind(2, user_id);
        Status st;
        if (s.Step(&st)) {
          found = true;
          out.failed_logins = static_cast<int>(s.Int(0));
          if (!s.IsNull(1)) out.locked_until = s.Int(1);
        }
        HOTLINE_RETURN_IF_ERROR(st);
        while (s.Step(&st)) {
        }
        HOTLINE_RETURN_IF_ERROR(st);
      }
      if (!found) return Status(Code::kNotFound, "no user " + std::to_string(user_id));
      if (out.failed_logins >= lock_after && !out.locked_until) {
        PREPARE(c, s, "UPDATE users SET locked_until = ? WHERE id = ?");
        HOTLINE_RETURN_IF_ERROR(s.Bind(1, lock_until).Bind(2, user_id).Run());
        out.locked_until = lock_until;
        out.locked_now = true;
      }
      return {};
    }));
    return out;
  }
  Status ClearLoginFailures(Id user_id) override {
    return Write([&](Conn& c) -> Status {
      PREPARE(c, s, "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?");
      HOTLINE_RETURN_IF_ERROR(s.Bind(1, user_id).Run());
      if (c.Changes() == 0) return Status(Code::kNotFound, "no user " + std::to_string(user_id));
      return {};
    });
  }
  Result<User> GetLoginState(Id user_id) override {
    std::optional<User> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](Conn& c) -> Status {
      PREPARE(c, s, "SELECT failed_logins, locked_until FROM users WHERE id = ?");
      s.Bind(1, user_id);
      Status st;
      if (s.Step(&st)) {
        out = User{};
        out->id = user_id;
        out->failed_logins = static_cast<int>(s.Int(0));
        if (!s.IsNull(1)) out->locked_until = s.Int(1);
      }
      return st;
    }));
    if (!out) return Status(Code::kNotFound, "no user " + std::to_string(user_id));
    return *out;
  }

 private:
  static std::string Pad7(Id id) {
    std::string s = std::to_string(id);
    return s.size() >= 7 ? s : std::string(7 - s.size(), '0') + s;
  }

  Result<Id> MaxId(const char* table) {
    Id out = 0;
    HOTLINE_RETURN_IF_ERROR(Read([&](Conn& c) -> Status {
      PREPARE(c, s, std::string("SELECT coalesce(max(id), 0) FROM ") + table);
      Status st;
      if (s.Step(&st)) out = s.Int(0);
      return st;
    }));
    return out;
  }

  Result<WorkOrder> GetOrderWhere(const char* cond, const std::function<void(Stmt&)>& bind,
                                  const std::string& what) {
    std::optional<WorkOrder> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](Conn& c) -> Status {
      PREPARE(c, s, std::string("SELECT doc FROM orders WHERE ") + cond);
      bind(s);
      Status st;
      if (s.Step(&st)) {
        HOTLINE_ASSIGN_OR_RETURN(WorkOrder o, DecodeOrder(s.Text(0)));
        out = std::move(o);
      }
      return st;
    }));
    if (!out) return Status(Code::kNotFound, "no order " + what);
    return std::move(*out);
  }

  // Runs `fn` inside the next group commit and waits until it is durable.
  Status Write(std::function<Status(Conn&)> fn) { return writes_.Submit(std::move(fn)); }

  // One group: BEGIN IMMEDIATE, a SAVEPOINT per write (a failed write rolls back
  // only itself), one COMMIT (one fsync) for all.
  void RunGroup(Conn& c, const std::vector<GroupCommit<Conn>::Op*>& ops,
                std::vector<Status>& results) {
    Id next_before = next_order_id_;
    Status begin = c.Exec("BEGIN IMMEDIATE");
    if (!begin.ok()) {
      for (auto& r : results) r = begin;
      return;
    }
    for (size_t i = 0; i < ops.size(); ++i) {
      (void)c.Exec("SAVEPOINT op");
      Id next_at_op = next_order_id_;
      results[i] = (*ops[i])(c);
      if (!results[i].ok()) {
        (void)c.Exec("ROLLBACK TO op");
        next_order_id_ = next_at_op;
      }
      (void)c.Exec("RELEASE op");
    }
    Status commit = c.Exec("COMMIT");
    if (!commit.ok()) {
      (void)c.Exec("ROLLBACK");
      next_order_id_ = next_before;
      for (auto& r : results) r = commit;
    }
  }

  // Runs `fn` on a pooled read connection.
  Status Read(const std::function<Status(Conn&)>& fn) { return readers_.With(fn); }

  const std::string path_;
  const SqliteOptions options_;
  std::unique_ptr<Conn> writer_conn_;
  Id next_order_id_ = 1;  // touched only by the writer thread (and Init)

  ConnPool<Conn> readers_;
  GroupCommit<Conn> writes_;  // last: stopped first, before the connections go
};

}  // namespace

int SqliteSchemaVersion() { return kSchemaVersion; }

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const SqliteOptions& options) {
  auto store = std::make_unique<SqliteStore>(path, options);
  HOTLINE_RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<Store>(std::move(store));
}

Status FinishSqliteBulkLoad(const std::string& path) {
  {
    HOTLINE_ASSIGN_OR_RETURN(auto c, Conn::Open(path, false));
    HOTLINE_RETURN_IF_ERROR(c->Exec("PRAGMA cache_size=-262144"));
    HOTLINE_RETURN_IF_ERROR(c->Exec("PRAGMA journal_mode=OFF"));
    HOTLINE_RETURN_IF_ERROR(c->Exec("PRAGMA synchronous=OFF"));
    HOTLINE_RETURN_IF_ERROR(RestoreIndexes(*c));
    HOTLINE_RETURN_IF_ERROR(c->Exec("PRAGMA journal_mode=WAL"));
    HOTLINE_RETURN_IF_ERROR(c->Exec("PRAGMA synchronous=FULL"));
    HOTLINE_RETURN_IF_ERROR(c->Exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  }
  // Everything was written without fsync: the file and its directory are synced now.
  for (const std::string& p : {path, std::filesystem::absolute(path).parent_path().string()}) {
    const int fd = ::open(p.c_str(), O_RDONLY);
    if (fd < 0 || ::fsync(fd) != 0) {
      if (fd >= 0) ::close(fd);
      return Status(Code::kInternal, "cannot fsync " + p);
    }
    ::close(fd);
  }
  return {};
}

}  // namespace hotline
