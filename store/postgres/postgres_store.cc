#include "store/postgres/postgres_store.h"

#include <libpq-fe.h>

#include <charconv>
#include <condition_variable>
#include <cstdlib>
#include <deque>
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

// ---- thin RAII over libpq (internal) ---------------------------------------
//
// Parameters travel in text format; the server infers their types from the
// statement (with explicit casts where it cannot). Statements run often are
// prepared once per connection and cached by their SQL text.

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using PgConnPtr = std::unique_ptr<PGconn, ConnDeleter>;

class Params {
 public:
  Params& Add(std::int64_t v) { return Put(std::to_string(v)); }
  Params& Add(int v) { return Put(std::to_string(v)); }
  Params& Add(bool v) { return Put(v ? "t" : "f"); }
  Params& Add(const std::string& v) { return Put(v); }
  Params& Add(std::string_view v) { return Put(std::string(v)); }
  Params& Add(const char* v) { return Put(std::string(v)); }
  template <typename T>
  Params& Add(const std::optional<T>& v) {
    if (v) return Add(*v);
    return Null();
  }
  Params& Null() {
    values_.emplace_back();
    return *this;
  }
  int size() const { return static_cast<int>(values_.size()); }
  // Pointers valid while this object lives and is not modified.
  std::vector<const char*> Pointers() const {
    std::vector<const char*> out;
    out.reserve(values_.size());
    for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
    return out;
  }

 private:
  Params& Put(std::string v) {
    values_.emplace_back(std::move(v));
    return *this;
  }
  std::vector<std::optional<std::string>> values_;
};

// A PostgreSQL array literal of integers, e.g. "{1,2,3}".
std::string IntArray(const std::vector<Id>& ids) {
  std::string s = "{";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(ids[i]);
  }
  return s + "}";
}

// A PostgreSQL array literal of enum names (identifiers, no quoting needed).
std::string NameArray(const std::vector<std::string>& names) {
  std::string s = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) s += ',';
    s += '"' + names[i] + '"';
  }
  return s + "}";
}

// Maps a failed result to the project's error codes by SQLSTATE.
Status PgError(const PGresult* r, PGconn* c) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = r ? PQresultErrorMessage(r) : "";
  if (msg.empty()) msg = PQerrorMessage(c);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  msg = "postgres: " + msg;
  std::string_view s = state ? state : "";
  Code code = Code::kInternal;
  if (s == "23505") {
    code = Code::kConflict;  // unique_violation
  } else if (s == "22021" || s == "22P05" || s == "22001") {
    code = Code::kInvalidArgument;  // bad encoding (e.g. a NUL byte), value too long
  } else if (s.starts_with("08") || s.starts_with("53") || s.starts_with("57P") || s == "40001" ||
             s == "40P01" || s == "55P03" || (s.empty() && PQstatus(c) == CONNECTION_BAD)) {
    code = Code::kUnavailable;  // connection, resources, shutdown, retryable
  }
  return Status(code, msg);
}

// The rows of one successful statement.
class Rows {
 public:
  explicit Rows(PgResultPtr r) : r_(std::move(r)) {}
  int size() const { return PQntuples(r_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string Text(int row, int col) const {
    return std::string(PQgetvalue(r_.get(), row, col),
                       static_cast<size_t>(PQgetlength(r_.get(), row, col)));
  }
  std::int64_t Int(int row, int col) const {
    const char* p = PQgetvalue(r_.get(), row, col);
    std::int64_t v = 0;
    std::from_chars(p, p + PQgetlength(r_.get(), row, col), v);
    return v;
  }
  std::optional<Id> OptInt(int row, int col) const {
    if (IsNull(row, col)) return std::nullopt;
    return Int(row, col);
  }
  bool Bool(int row, int col) const { return PQgetvalue(r_.get(), row, col)[0] == 't'; }
  // Rows inserted, updated or deleted by the statement.
  std::int64_t Affected() const {
    const char* n = PQcmdTuples(r_.get());
    return n && *n ? std::atoll(n) : 0;
  }

 private:
  PgResultPtr r_;
};

class PgConn {
 public:
  static Result<std::unique_ptr<PgConn>> Open(const std::string& conninfo, int timeout_s) {
    std::string timeout = std::to_string(timeout_s);
    // Defaults first; the caller's conninfo (expanded from "dbname") overrides them.
    const char* keys[] = {"connect_timeout", "application_name", "client_encoding", "dbname",
                          nullptr};
    const char* values[] = {timeout.c_str(), "hotline", "UTF8", conninfo.c_str(), nullptr};
    PgConnPtr c(PQconnectdbParams(keys, values, 1));
    if (!c) return Status(Code::kInternal, "postgres: out of memory");
    if (PQstatus(c.get()) != CONNECTION_OK) {
      std::string msg = PQerrorMessage(c.get());
      while (!msg.empty() && msg.back() == '\n') msg.pop_back();
      return Status(Code::kUnavailable, "postgres: cannot connect: " + msg);
    }
    auto conn = std::unique_ptr<PgConn>(new PgConn(std::move(c)));
    HOTLINE_RETURN_IF_ERROR(conn->Setup());
    return conn;
  }

  bool Broken() const { return PQstatus(c_.get()) == CONNECTION_BAD; }
  Status Reset() {
    PQreset(c_.get());
    cache_.clear();
    if (Broken()) return Status(Code::kUnavailable, "postgres: reconnect failed");
    return Setup();
  }

  // Runs one statement (several when `sql` has no parameters and `params` is empty).
  Status Exec(const std::string& sql) {
    PgResultPtr r(PQexec(c_.get(), sql.c_str()));
    ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return PgError(r.get(), c_.get());
    last_tag_ = PQcmdStatus(r.get());
    return {};
  }
  // The command tag of the last Exec ("COMMIT", "ROLLBACK", ...).
  const std::string& LastTag() const { return last_tag_; }

  // Runs one statement with parameters; prepared and cached when `prepare`.
  Result<Rows> Query(const std::string& sql, const Params& params, bool prepare = true) {
    std::vector<const char*> values = params.Pointers();
    PgResultPtr r;
    if (prepare) {
      auto it = cache_.find(sql);
      if (it == cache_.end()) {
        std::string name = "h" + std::to_string(++statement_counter_);
        PgResultPtr p(PQprepare(c_.get(), name.c_str(), sql.c_str(), params.size(), nullptr));
        if (!p || PQresultStatus(p.get()) != PGRES_COMMAND_OK) return PgError(p.get(), c_.get());
        it = cache_.emplace(sql, std::move(name)).first;
      }
      r.reset(PQexecPrepared(c_.get(), it->second.c_str(), params.size(), values.data(), nullptr,
                             nullptr, 0));
    } else {
      r.reset(PQexecParams(c_.get(), sql.c_str(), params.size(), nullptr, values.data(), nullptr,
                           nullptr, 0));
    }
    ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return PgError(r.get(), c_.get());
    return Rows(std::move(r));
  }
  Status Run(const std::string& sql, const Params& params) {
    auto r = Query(sql, params);
    return r.ok() ? Status() : r.status();
  }

  // COPY ... FROM STDIN with `data` in text format (rows already escaped).
  Status CopyIn(const std::string& sql, const std::string& data) {
    {
      PgResultPtr r(PQexec(c_.get(), sql.c_str()));
      if (!r || PQresultStatus(r.get()) != PGRES_COPY_IN) return PgError(r.get(), c_.get());
    }
    constexpr size_t kChunk = 1 << 16;
    bool sent = true;
    for (size_t at = 0; at < data.size() && sent; at += kChunk) {
      size_t n = std::min(kChunk, data.size() - at);
      sent = PQputCopyData(c_.get(), data.data() + at, static_cast<int>(n)) == 1;
    }
    PQputCopyEnd(c_.get(), sent ? nullptr : "client failed to send");
    Status out;
    while (PGresult* raw = PQgetResult(c_.get())) {
      PgResultPtr r(raw);
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK && out.ok()) out = PgError(r.get(), c_.get());
    }
    return out;
  }

 private:
  explicit PgConn(PgConnPtr c) : c_(std::move(c)) {}

  // Acknowledged writes must be durable whatever the server's default is.
  Status Setup() {
    return Exec(
        "SET synchronous_commit = on; SET statement_timeout = 0; "
        "SET client_min_messages = warning");
  }

  PgConnPtr c_;
  std::unordered_map<std::string, std::string> cache_;  // SQL -> prepared statement name
  int statement_counter_ = 0;
  std::string last_tag_;
};

// Escapes one field for COPY text format.
void CopyField(std::string& out, std::string_view v) {
  for (char ch : v) {
    switch (ch) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += ch;
    }
  }
}

class CopyRow {
 public:
  explicit CopyRow(std::string& out) : out_(out) {}
  ~CopyRow() { out_ += '\n'; }
  CopyRow& Text(std::string_view v) {
    Sep();
    CopyField(out_, v);
    return *this;
  }
  CopyRow& Int(std::int64_t v) {
    Sep();
    out_ += std::to_string(v);
    return *this;
  }
  CopyRow& Bool(bool v) {
    Sep();
    out_ += v ? 't' : 'f';
    return *this;
  }
  CopyRow& TextOrNull(std::string_view v) {  // empty -> NULL
    if (!v.empty()) return Text(v);
    Sep();
    out_ += "\\N";
    return *this;
  }
  CopyRow& Int(const std::optional<Id>& v) {
    if (v) return Int(*v);
    Sep();
    out_ += "\\N";
    return *this;
  }

 private:
  void Sep() {
    if (!first_) out_ += '\t';
    first_ = false;
  }
  std::string& out_;
  bool first_ = true;
};

// ---- schema ----------------------------------------------------------------

// Each entry moves the schema one version up. Never edit a released entry: add one.
const char* const kMigrations[] = {
    // 1: the work-order engine (mirrors the SQLite schema 1).
    R"sql(
CREATE TABLE units(
  id BIGSERIAL PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, kind TEXT NOT NULL,
  grid_kind TEXT, parent_id BIGINT REFERENCES units(id), active BOOLEAN NOT NULL DEFAULT TRUE);
CREATE INDEX units_parent ON units(parent_id);
CREATE TABLE users(
  id BIGSERIAL PRIMARY KEY, login TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,
  role TEXT NOT NULL, unit_id BIGINT NOT NULL REFERENCES units(id), phone TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL, active BOOLEAN NOT NULL DEFAULT TRUE);
CREATE TABLE documents(
  key TEXT PRIMARY KEY, json TEXT NOT NULL, version BIGINT NOT NULL);
-- One row: the last order id handed out. Updated inside the writing transaction, so ids
-- are gapless and match the SQLite backend's numbering (a sequence would leave gaps).
CREATE TABLE order_counter(
  singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton), last_id BIGINT NOT NULL);
INSERT INTO order_counter(last_id) VALUES (0);
CREATE TABLE orders(
  id BIGINT PRIMARY KEY, no TEXT NOT NULL UNIQUE, state TEXT NOT NULL, version BIGINT NOT NULL,
  channel TEXT NOT NULL, nature TEXT NOT NULL, urgency TEXT NOT NULL, subject_code TEXT NOT NULL,
  grid_id BIGINT, community_id BIGINT, street_id BIGINT, lead_unit_id BIGINT,
  created_at BIGINT NOT NULL, due_at BIGINT NOT NULL, yellow_at BIGINT NOT NULL,
  supervised BOOLEAN NOT NULL, citizen_user_id BIGINT, caller_phone TEXT NOT NULL,
  title TEXT NOT NULL, content TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX orders_created ON orders(created_at);
CREATE INDEX orders_state_due ON orders(state, due_at);
CREATE INDEX orders_lead ON orders(lead_unit_id, state);
CREATE INDEX orders_grid ON orders(grid_id, created_at);
CREATE INDEX orders_street ON orders(street_id, created_at);
CREATE INDEX orders_phone ON orders(caller_phone);
CREATE INDEX orders_citizen ON orders(citizen_user_id);
CREATE TABLE order_units(
  unit_id BIGINT NOT NULL, order_id BIGINT NOT NULL, rel INTEGER NOT NULL,
  PRIMARY KEY(unit_id, order_id));
CREATE TABLE events(
  id BIGSERIAL PRIMARY KEY, order_id BIGINT NOT NULL, at BIGINT NOT NULL, action TEXT NOT NULL,
  from_state TEXT NOT NULL, to_state TEXT NOT NULL, user_id BIGINT, unit_id BIGINT,
  text TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX events_order ON events(order_id, id);
CREATE TABLE idempotency(
  owner BIGINT NOT NULL, key TEXT NOT NULL, order_id BIGINT NOT NULL, PRIMARY KEY(owner, key));
CREATE TABLE audit(
  id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, user_id BIGINT NOT NULL, action TEXT NOT NULL,
  order_id BIGINT, detail TEXT NOT NULL);
CREATE INDEX audit_order ON audit(order_id);
CREATE TABLE sessions(
  digest TEXT PRIMARY KEY, user_id BIGINT NOT NULL, expires_at BIGINT NOT NULL);
)sql",
    // 2: login lockout (failed logins, lock) and revoking a user's sessions.
    R"sql(
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until BIGINT;
CREATE INDEX sessions_user ON sessions(user_id);
)sql",
    // 3: mirrors the SQLite schema 3 (orders.search_text).
    R"sql(
ALTER TABLE orders ADD COLUMN search_text TEXT;
CREATE INDEX orders_no_search_text ON orders(id) WHERE search_text IS NULL;
)sql",
};

constexpr int kSchemaVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);

// An arbitrary constant naming hotline's migration lock among advisory locks.
constexpr std::int64_t kMigrationLock = 0x686f746c696e65;  // "hotline"

Status MigrateLocked(PgConn& c) {
  HOTLINE_RETURN_IF_ERROR(
      c.Exec("CREATE TABLE IF NOT EXISTS schema_migrations("
             "version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"));
  HOTLINE_ASSIGN_OR_RETURN(
      Rows rows, c.Query("SELECT coalesce(max(version), 0) FROM schema_migrations", {}, false));
  int version = static_cast<int>(rows.Int(0, 0));
  if (version > kSchemaVersion)
    return Status(Code::kFailedPrecondition, "the store was written by a newer hotline (schema " +
                                                 std::to_string(version) + " > " +
                                                 std::to_string(kSchemaVersion) + ")");
  for (int v = version; v < kSchemaVersion; ++v) {
    HOTLINE_RETURN_IF_ERROR(c.Exec(kMigrations[v]));
    HOTLINE_RETURN_IF_ERROR(
        c.Run("INSERT INTO schema_migrations(version) VALUES($1)", Params().Add(v + 1)));
  }
  return {};
}

// All pending migrations in one transaction under an advisory lock: a concurrent
// opener waits, then finds the schema current.
Status Migrate(PgConn& c) {
  HOTLINE_RETURN_IF_ERROR(c.Exec("BEGIN"));
  Status st = c.Run("SELECT pg_advisory_xact_lock($1)", Params().Add(kMigrationLock));
  if (st.ok()) st = MigrateLocked(c);
  if (st.ok()) st = c.Exec("COMMIT");
  if (st.ok() && c.LastTag() != "COMMIT")
    st = Status(Code::kInternal, "postgres: migration rolled back");
  if (!st.ok()) (void)c.Exec("ROLLBACK");
  return st;
}

// ---- rows ------------------------------------------------------------------

const char* kUnitCols = "id, code, name, kind, grid_kind, parent_id, active";
// For SELECT: UserFromRow reads them in this order.
const char* kUserCols =
    "id, login, display_name, role, unit_id, phone, password_hash, active, failed_logins, "
    "locked_until";

Unit UnitFromRow(const Rows& r, int i) {
  Unit u;
  u.id = r.Int(i, 0);
  u.code = r.Text(i, 1);
  u.name = r.Text(i, 2);
  u.kind = Parse<UnitKind>(r.Text(i, 3)).value_or(UnitKind::kDepartment);
  if (!r.IsNull(i, 4)) u.grid_kind = Parse<GridKind>(r.Text(i, 4));
  u.parent_id = r.OptInt(i, 5);
  u.active = r.Bool(i, 6);
  return u;
}

User UserFromRow(const Rows& r, int i) {
  User u;
  u.id = r.Int(i, 0);
  u.login = r.Text(i, 1);
  u.display_name = r.Text(i, 2);
  u.role = Parse<Role>(r.Text(i, 3)).value_or(Role::kCitizen);
  u.unit_id = r.Int(i, 4);
  u.phone = r.Text(i, 5);
  u.password_hash = r.Text(i, 6);
  u.active = r.Bool(i, 7);
  u.failed_logins = static_cast<int>(r.Int(i, 8));
  u.locked_until = r.OptInt(i, 9);
  return u;
}

Params UnitParams(const Unit& u) {
  Params p;
  p.Add(u.code).Add(u.name).Add(ToString(u.kind));
  if (u.grid_kind)
    p.Add(ToString(*u.grid_kind));
  else
    p.Null();
  p.Add(u.parent_id).Add(u.active);
  return p;
}

Params UserParams(const User& u) {
  Params p;
  p.Add(u.login).Add(u.display_name).Add(ToString(u.role)).Add(u.unit_id);
  p.Add(u.phone).Add(u.password_hash).Add(u.active);
  return p;
}

// Inserts a unit with its preset id (> 0) or a generated one; returns the id.
Result<Id> InsertUnitRow(PgConn& c, const Unit& u) {
  Params p = UnitParams(u);
  if (u.id > 0) {
    p.Add(u.id);
    HOTLINE_RETURN_IF_ERROR(
        c.Run("INSERT INTO units(code, name, kind, grid_kind, parent_id, active, id) "
              "VALUES($1,$2,$3,$4,$5,$6,$7)",
              p));
    return u.id;
  }
  HOTLINE_ASSIGN_OR_RETURN(Rows r, c.Query("INSERT INTO units(code, name, kind, grid_kind, "
                                           "parent_id, active) VALUES($1,$2,$3,$4,$5,$6) "
                                           "RETURNING id",
                                           p));
  return r.Int(0, 0);
}

Result<Id> InsertUserRow(PgConn& c, const User& u) {
  Params p = UserParams(u);
  if (u.id > 0) {
    p.Add(u.id);
    HOTLINE_RETURN_IF_ERROR(c.Run(
        "INSERT INTO users(login, display_name, role, unit_id, phone, password_hash, active, id) "
        "VALUES($1,$2,$3,$4,$5,$6,$7,$8)",
        p));
    return u.id;
  }
  HOTLINE_ASSIGN_OR_RETURN(
      Rows r, c.Query("INSERT INTO users(login, display_name, role, unit_id, phone, "
                      "password_hash, active) VALUES($1,$2,$3,$4,$5,$6,$7) RETURNING id",
                      p));
  return r.Int(0, 0);
}

// After rows were inserted with preset ids, moves the table's sequence past them so
// that generated ids do not collide (a sequence is not rolled back: at worst a gap).
Status BumpSequence(PgConn& c, const char* table) {
  std::string t = table;
  return c.Exec("SELECT setval('" + t + "_id_seq', GREATEST((SELECT max(id) FROM " + t +
                "), (SELECT last_value FROM " + t + "_id_seq)))");
}

Status PutDocumentRow(PgConn& c, const std::string& key, const std::string& json) {
  return c.Run(
      "INSERT INTO documents(key, json, version) VALUES($1, $2, 1) "
      "ON CONFLICT(key) DO UPDATE SET json = excluded.json, version = documents.version + 1",
      Params().Add(key).Add(json));
}

Params EventParams(const Event& e, Id order_id) {
  Params p;
  p.Add(order_id).Add(e.at).Add(e.action).Add(ToString(e.from)).Add(ToString(e.to));
  p.Add(e.user_id).Add(e.unit_id).Add(e.text);
  p.Add(e.data_json.empty() ? std::string("{}") : e.data_json);
  return p;
}

Status InsertEventRow(PgConn& c, const Event& e, Id order_id) {
  return c.Run(
      "INSERT INTO events(order_id, at, action, from_state, to_state, user_id, unit_id, text, "
      "data) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9)",
      EventParams(e, order_id));
}

// Relations per unit, OR-ed (one statement may not upsert the same row twice).
std::map<Id, int> MergeGrants(const std::vector<AccessGrant>& access) {
  std::map<Id, int> m;
  for (const AccessGrant& g : access) m[g.unit_id] |= g.rel;
  return m;
}

Status GrantAccess(PgConn& c, Id order_id, const std::vector<AccessGrant>& access) {
  if (access.empty()) return {};
  std::vector<Id> units, rels;
  for (auto [u, rel] : MergeGrants(access)) {
    units.push_back(u);
    rels.push_back(rel);
  }
  return c.Run(
      "INSERT INTO order_units(unit_id, order_id, rel) "
      "SELECT u, $1, r FROM unnest($2::bigint[], $3::int[]) AS t(u, r) "
      "ON CONFLICT(unit_id, order_id) DO UPDATE SET rel = order_units.rel | excluded.rel",
      Params().Add(order_id).Add(IntArray(units)).Add(IntArray(rels)));
}

// The order's 21 columns (OrderParams), then the created event ($22-$29), the access grants
// ($30 units, $31 relations, merged per unit) and the idempotency key ($32 owner,
// $33 key; none when empty).
const char* kCreateOrder =
    "WITH o AS (INSERT INTO orders(id, no, state, version, channel, nature, urgency, "
    "subject_code, grid_id, community_id, street_id, lead_unit_id, created_at, due_at, yellow_at, "
    "supervised, citizen_user_id, caller_phone, title, content, doc, search_text) "
    "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,"
    "NULLIF($34::text, '')) "
    "RETURNING id), "
    "e AS (INSERT INTO events(order_id, at, action, from_state, to_state, user_id, unit_id, text, "
    "data) SELECT id, $22::bigint, $23::text, $24::text, $25::text, $26::bigint, $27::bigint, "
    "$28::text, $29::text FROM o), "
    "a AS (INSERT INTO order_units(unit_id, order_id, rel) "
    "SELECT t.u, o.id, t.r FROM o, unnest($30::bigint[], $31::int[]) AS t(u, r)), "
    "k AS (INSERT INTO idempotency(owner, key, order_id) "
    "SELECT $32::bigint, $33::text, id FROM o WHERE $33::text <> '') "
    "SELECT id FROM o";
const char* kOrderCopy =
    "COPY orders(id, no, state, version, channel, nature, urgency, subject_code, grid_id, "
    "community_id, street_id, lead_unit_id, created_at, due_at, yellow_at, supervised, "
    "citizen_user_id, caller_phone, title, content, doc, search_text) FROM STDIN";

Params OrderParams(const WorkOrder& o) {
  Params p;
  p.Add(o.id).Add(o.no).Add(ToString(o.state)).Add(o.version);
  p.Add(ToString(o.channel)).Add(ToString(o.nature)).Add(ToString(o.urgency));
  p.Add(o.subject_code).Add(o.place.grid_id).Add(o.place.community_id);
  p.Add(o.place.street_id).Add(o.lead_unit_id).Add(o.created_at);
  p.Add(o.due_at).Add(o.yellow_at).Add(o.supervised);
  p.Add(o.citizen_user_id).Add(o.caller_phone).Add(o.title).Add(o.content);
  p.Add(EncodeOrder(o));
  return p;
}

void CopyOrder(std::string& out, const WorkOrder& o) {
  CopyRow r(out);
  r.Int(o.id).Text(o.no).Text(ToString(o.state)).Int(o.version);
  r.Text(ToString(o.channel)).Text(ToString(o.nature)).Text(ToString(o.urgency));
  r.Text(o.subject_code).Int(o.place.grid_id).Int(o.place.community_id);
  r.Int(o.place.street_id).Int(o.lead_unit_id).Int(o.created_at);
  r.Int(o.due_at).Int(o.yellow_at).Bool(o.supervised);
  r.Int(o.citizen_user_id).Text(o.caller_phone).Text(o.title).Text(o.content);
  r.Text(EncodeOrder(o)).TextOrNull(o.search_text);
}

void CopyEvent(std::string& out, const Event& e, Id order_id) {
  CopyRow r(out);
  r.Int(order_id).Int(e.at).Text(e.action).Text(ToString(e.from)).Text(ToString(e.to));
  r.Int(e.user_id).Int(e.unit_id).Text(e.text);
  r.Text(e.data_json.empty() ? std::string("{}") : e.data_json);
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

std::string Pad7(Id id) {
  std::string s = std::to_string(id);
  return s.size() >= 7 ? s : std::string(7 - s.size(), '0') + s;
}

// ---- the store -------------------------------------------------------------

// The lease of scheduled work (store/store.h): a session-level advisory lock on a connection of
// its own, keyed by a hash of the name; the server releases it when that connection ends.
class PgLease final : public Lease {
 public:
  PgLease(std::string conninfo, int timeout_s, std::string name)
      : conninfo_(std::move(conninfo)), timeout_s_(timeout_s), key_(LeaseKey(name)) {}
  bool Hold() override {
    if (conn_ && conn_->Broken()) Drop();
    if (!conn_) {
      auto c = PgConn::Open(conninfo_, timeout_s_);
      if (!c.ok()) return false;
      conn_ = std::move(*c);
    }
    // Held: a round trip proves the session (and with it the lock) is still there.
    auto r = held_ ? conn_->Query("SELECT true", {}, false)
                   : conn_->Query("SELECT pg_try_advisory_lock($1)", Params().Add(key_));
    if (!r.ok()) {
      Drop();
      return false;
    }
    held_ = r->Bool(0, 0);
    return held_;
  }

 private:
  static std::int64_t LeaseKey(const std::string& name) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a of "hotline-lease:" + name
    for (char ch : "hotline-lease:" + name)
      h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
    return static_cast<std::int64_t>(h);
  }
  void Drop() {
    conn_.reset();
    held_ = false;
  }
  const std::string conninfo_;
  const int timeout_s_;
  const std::int64_t key_;
  std::unique_ptr<PgConn> conn_;
  bool held_ = false;
};

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string conninfo, PostgresOptions options)
      : conninfo_(std::move(conninfo)), options_(options) {}

  ~PostgresStore() override { writes_.Stop(); }

  Status Init() {
    HOTLINE_ASSIGN_OR_RETURN(writer_conn_,
                             PgConn::Open(conninfo_, options_.connect_timeout_seconds));
    HOTLINE_RETURN_IF_ERROR(Migrate(*writer_conn_));
    for (int i = 0; i < std::max(1, options_.read_connections); ++i) {
      HOTLINE_ASSIGN_OR_RETURN(auto c, PgConn::Open(conninfo_, options_.connect_timeout_seconds));
      readers_.Add(std::move(c));
    }
    writes_.Start(*writer_conn_, options_.max_group,
                  [this](PgConn& c, const std::vector<GroupCommit<PgConn>::Op*>& ops,
                         std::vector<Status>& results) { RunGroup(c, ops, results); });
    return {};
  }

  // -- units, users, documents --

  Result<Id> InsertUnit(const Unit& unit) override {
    Id id = 0;
    HOTLINE_RETURN_IF_ERROR(Write([&](PgConn& c) -> Status {
      HOTLINE_ASSIGN_OR_RETURN(id, InsertUnitRow(c, unit));
      return unit.id > 0 ? BumpSequence(c, "units") : Status();
    }));
    return id;
  }
  Status UpdateUnit(const Unit& u) override {
    return Write([&](PgConn& c) -> Status {
      Params p = UnitParams(u);
      p.Add(u.id);
      HOTLINE_ASSIGN_OR_RETURN(Rows r,
                               c.Query("UPDATE units SET code=$1, name=$2, kind=$3, grid_kind=$4, "
                                       "parent_id=$5, active=$6 WHERE id=$7",
                                       p));
      if (r.Affected() == 0) return Status(Code::kNotFound, "no unit " + std::to_string(u.id));
      return {};
    });
  }
  Result<std::vector<Unit>> ListUnits() override {
    std::vector<Unit> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](PgConn& c) -> Status {
      HOTLINE_ASSIGN_OR_RETURN(
          Rows r, c.Query(std::string("SELECT ") + kUnitCols + " FROM units ORDER BY id", {}));
      for (int i = 0; i < r.size(); ++i) out.push_back(UnitFromRow(r, i));
      return {};
    }));
    return out;
  }
  Result<Id> InsertUser(const User& user) override {
    Id id = 0;
    HOTLINE_RETURN_IF_ERROR(Write([&](PgConn& c) -> Status {
      HOTLINE_ASSIGN_OR_RETURN(id, InsertUserRow(c, user));
      return user.id > 0 ? BumpSequence(c, "users") : Status();
    }));
    return id;
  }
  Status UpdateUser(const User& u) override {
    return Write([&](PgConn& c) -> Status {
      Params p = UserParams(u);
      p.Add(u.id);
      HOTLINE_ASSIGN_OR_RETURN(
          Rows r, c.Query("UPDATE users SET login=$1, display_name=$2, role=$3, unit_id=$4, "
                          "phone=$5, password_hash=$6, active=$7 WHERE id=$8",
                          p));
      if (r.Affected() == 0) return Status(Code::kNotFound, "no user " + std::to_string(u.id));
      return {};
    });
  }
  Result<std::vector<User>> ListUsers() override {
    std::vector<User> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](PgConn& c) -> Status {
      HOTLINE_ASSIGN_OR_RETURN(
          Rows r, c.Query(std::string("SELECT ") + kUserCols + " FROM users ORDER BY id", {}));
      for (int i = 0; i < r.size(); ++i) out.push_back(UserFromRow(r, i));
      return {};
    }));
    return out;
  }
  Status PutDocument(const std::string& key, const std::string& json) override {
    return Write([&](PgConn& c) { return PutDocumentRow(c, key, json); });
  }
  Result<std::optional<std::string>> GetDocument(const std::string& key) override {
    std::optional<std::string> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](PgConn& c) -> Status {
      HOTLINE_ASSIGN_OR_RETURN(
          Rows r, c.Query("SELECT json FROM documents WHERE key = $1", Params().Add(key)));
      if (r.size() > 0) out = r.Text(0, 0);
      return {};
    }));
    return out;
  }
  Result<std::vector<std::pair<std::string, std::int64_t>>> DocumentVersions(
      const std::string& prefix) override {
    std::vector<std::pair<std::string, std::int64_t>> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](PgConn& c) -> Status {
      out.clear();
      HOTLINE_ASSIGN_OR_RETURN(
          Rows r, c.Query("SELECT key, version FROM documents WHERE starts_with(key, $1) "
                          "ORDER BY key COLLATE \"C\"",
                          Params().Add(prefix)));
      for (int i = 0; i < r.size(); ++i) out.emplace_back(r.Text(i, 0), r.Int(i, 1));
      return {};
    }));
    return out;
  }
  Result<std::unique_ptr<Lease>> OpenLease(const std::string& name) override {
    return std::unique_ptr<Lease>(
        std::make_unique<PgLease>(conninfo_, options_.connect_timeout_seconds, name));
  }
  Status ApplyBatch(const Batch& b) override {
    return Write([&](PgConn& c) -> Status {
      for (const Unit& u : b.units) {
        if (u.id <= 0) return Invalid("units", "ApplyBatch needs preset unit ids");
        HOTLINE_RETURN_IF_ERROR(InsertUnitRow(c, u).status());
      }
      for (const User& u : b.users) {
        if (u.id <= 0) return Invalid("users", "ApplyBatch needs preset user ids");
        HOTLINE_RETURN_IF_ERROR(InsertUserRow(c, u).status());
      }
      for (const auto& [k, v] : b.documents) HOTLINE_RETURN_IF_ERROR(PutDocumentRow(c, k, v));
      if (!b.units.empty()) HOTLINE_RETURN_IF_ERROR(BumpSequence(c, "units"));
      if (!b.users.empty()) HOTLINE_RETURN_IF_ERROR(BumpSequence(c, "users"));
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
    HOTLINE_RETURN_IF_ERROR(Write([&](PgConn& c) -> Status {
      // The order an earlier request with this key created, if any.
      auto replayed = [&]() -> Result<bool> {
        if (idempotency_key.empty()) return false;
        HOTLINE_ASSIGN_OR_RETURN(
            Rows r, c.Query("SELECT o.id, o.no FROM idempotency i JOIN orders o ON o.id = "
                            "i.order_id WHERE i.owner = $1 AND i.key = $2",
                            Params().Add(key_owner).Add(idempotency_key)));
        if (r.size() == 0) return false;
        out = {r.Int(0, 0), r.Text(0, 1), true};
        return true;
      };
      HOTLINE_ASSIGN_OR_RETURN(bool existed, replayed());
      if (existed) return {};
      WorkOrder o = order;
      HOTLINE_ASSIGN_OR_RETURN(o.id, ReserveOrderIds(c, 1));
      o.no = order.no + Pad7(o.id);
      // The order, its first event, its access rows and the idempotency key in one
      // statement: the writer thread's round trips are what bound throughput.
      Params p = OrderParams(o);
      p.Add(created.at).Add(created.action).Add(ToString(created.from)).Add(ToString(created.to));
      p.Add(created.user_id).Add(created.unit_id).Add(created.text);
      p.Add(created.data_json.empty() ? std::string("{}") : created.data_json);
      std::vector<Id> units, rels;
      for (auto [u, rel] : MergeGrants(access)) {
        units.push_back(u);
        rels.push_back(rel);
      }
      p.Add(IntArray(units)).Add(IntArray(rels)).Add(key_owner).Add(idempotency_key);
      p.Add(o.search_text);  // $34
      Status created = c.Run(kCreateOrder, p);
      if (created.code() == Code::kConflict && !idempotency_key.empty()) {
        // Another node took the same key at the same moment: the unique index waited for its
        // transaction, which committed. Its order is the answer to this request too (docs/
        // deploy.md); the savepoint of this request (RunGroup) undoes the reserved number.
        HOTLINE_RETURN_IF_ERROR(c.Exec("ROLLBACK TO SAVEPOINT op"));
        HOTLINE_ASSIGN_OR_RETURN(existed, replayed());
        if (existed) return {};
      }
      HOTLINE_RETURN_IF_ERROR(created);
      out = {o.id, o.no, false};
      return {};
    }));
    return out;
  }

  Status TransitionOrder(const WorkOrder& next, State expected_state, std::int64_t expected_version,
                         const Event& event, const std::vector<AccessGrant>& add_access) override {
    return Write([&](PgConn& c) -> Status {
      Params p;
      p.Add(ToString(next.state)).Add(next.version).Add(next.place.grid_id);
      p.Add(next.place.community_id).Add(next.place.street_id);
      p.Add(next.lead_unit_id).Add(next.due_at).Add(next.yellow_at);
      p.Add(next.supervised).Add(next.subject_code);
      p.Add(ToString(next.nature)).Add(ToString(next.urgency));
      p.Add(EncodeOrder(next)).Add(next.id).Add(ToString(expected_state));
      p.Add(expected_version);
      HOTLINE_ASSIGN_OR_RETURN(
          Rows r, c.Query("UPDATE orders SET state=$1, version=$2, grid_id=$3, community_id=$4, "
                          "street_id=$5, lead_unit_id=$6, due_at=$7, yellow_at=$8, supervised=$9, "
                          "subject_code=$10, nature=$11, urgency=$12, doc=$13 "
                          "WHERE id=$14 AND state=$15 AND version=$16",
                          p));
      if (r.Affected() == 0) {
        HOTLINE_ASSIGN_OR_RETURN(
            Rows now,
            c.Query("SELECT state, version FROM orders WHERE id = $1", Params().Add(next.id)));
        if (now.size() > 0)
          return Status(Code::kConflict, "the order has moved on: it is now " + now.Text(0, 0) +
                                             " (version " + std::to_string(now.Int(0, 1)) +
                                             "), expected " +
                                             std::string(ToString(expected_state)) + " (version " +
                                             std::to_string(expected_version) + ")");
        return Status(Code::kNotFound, "no order " + std::to_string(next.id));
      }
      HOTLINE_RETURN_IF_ERROR(InsertEventRow(c, event, next.id));
      return GrantAccess(c, next.id, add_access);
    });
  }

  Result<WorkOrder> GetOrder(Id id) override {
    return GetOrderWhere("id = $1", Params().Add(id), std::to_string(id));
  }
  Result<WorkOrder> GetOrderByNo(const std::string& no) override {
    return GetOrderWhere("no = $1", Params().Add(no), no);
  }

  Result<OrderPage> ListOrders(const OrderQuery& q) override {
    std::string where = " WHERE TRUE";
    Params p;
    auto arg = [&p](auto value) {
      p.Add(value);
      return "$" + std::to_string(p.size());
    };
    if (!q.states.empty()) {
      std::vector<std::string> names;
      for (State s : q.states) names.emplace_back(ToString(s));
      where += " AND state = ANY(" + arg(NameArray(names)) + "::text[])";
    }
    if (q.unit_id) {
      std::string u = arg(*q.unit_id);
      where += " AND (lead_unit_id = " + u +
               " OR id IN (SELECT order_id FROM order_units WHERE unit_id = " + u +
               " AND (rel & 4) <> 0))";
    }
    if (q.lead_unit_id) where += " AND lead_unit_id = " + arg(*q.lead_unit_id);
    if (q.grid_id) where += " AND grid_id = " + arg(*q.grid_id);
    if (q.community_id) where += " AND community_id = " + arg(*q.community_id);
    if (q.street_id) where += " AND street_id = " + arg(*q.street_id);
    if (q.channel) where += " AND channel = " + arg(ToString(*q.channel));
    if (q.nature) where += " AND nature = " + arg(ToString(*q.nature));
    if (q.urgency) where += " AND urgency = " + arg(ToString(*q.urgency));
    if (q.created_from) where += " AND created_at >= " + arg(*q.created_from);
    if (q.created_to) where += " AND created_at < " + arg(*q.created_to);
    if (q.supervised) where += " AND supervised = " + arg(*q.supervised);
    if (q.citizen_user_id) where += " AND citizen_user_id = " + arg(*q.citizen_user_id);
    // "the order is a report on one of hidden_from_units"; its parameter is bound only when a
    // filter below uses it (an unused parameter has no type and fails the statement).
    std::string hidden;
    if (!q.hidden_from_units.empty() &&
        (!q.caller_phone.empty() || (!q.text.empty() && !q.text_masked)))
      hidden = "COALESCE((doc::jsonb ->> 'reported_unit_id')::bigint, 0) = ANY(" +
               arg(IntArray(q.hidden_from_units)) + "::bigint[])";
    if (!q.caller_phone.empty()) {
      where += " AND caller_phone = " + arg(q.caller_phone);
      if (!hidden.empty()) where += " AND NOT " + hidden;
    }
    if (q.with_suggestion) where += " AND (doc::jsonb -> 'suggestion') IS NOT NULL";
    if (!q.subject_prefix.empty())
      where += " AND starts_with(subject_code, " + arg(q.subject_prefix) + ")";
    if (!q.text.empty()) {
      std::string t = arg(q.text);
      if (q.text_masked) {
        where += " AND (no = " + t + " OR strpos(search_text, " + t + ") > 0)";
      } else {
        where += " AND (no = " + t + " OR ((strpos(title, " + t + ") > 0 OR strpos(content, " + t +
                 ") > 0)" + (hidden.empty() ? std::string() : " AND NOT " + hidden) +
                 ") OR strpos(search_text, " + t + ") > 0)";
      }
    }
    if (q.light) {
      static const std::string open = OpenStatesSql();
      switch (*q.light) {
        case Light::kRed:
          where += " AND state IN " + open + " AND due_at > 0 AND due_at < " + arg(q.now);
          break;
        case Light::kYellow: {
          std::string n = arg(q.now);
          where += " AND state IN " + open + " AND yellow_at <= " + n + " AND due_at >= " + n;
          break;
        }
        case Light::kGreen:
          where += " AND state IN " + open + " AND yellow_at > " + arg(q.now);
          break;
        case Light::kNone:
          where += " AND state NOT IN " + open;
          break;
      }
    }
    if (q.scope_units) {
      if (q.scope_units->empty()) return OrderPage{};
      where += " AND id IN (SELECT order_id FROM order_units WHERE unit_id = ANY(" +
               arg(IntArray(*q.scope_units)) + "::bigint[]))";
    }
    if (q.scope_citizen) where += " AND citizen_user_id = " + arg(*q.scope_citizen);

    const char* order_by = q.sort == OrderQuery::Sort::kOldest ? " ORDER BY created_at, id"
                           : q.sort == OrderQuery::Sort::kDueSoonest
                               ? " ORDER BY due_at = 0, due_at, id"
                               : " ORDER BY created_at DESC, id DESC";
    Params count_params = p;
    // As in SQLite, a negative limit means no limit (LIMIT NULL in PostgreSQL).
    std::optional<std::int64_t> limit;
    if (q.limit >= 0) limit = q.limit;
    std::string page_sql = "SELECT doc FROM orders" + where + order_by + " LIMIT " + arg(limit) +
                           " OFFSET " + arg(std::int64_t{std::max(0, q.offset)});
    OrderPage page;
    HOTLINE_RETURN_IF_ERROR(Read([&](PgConn& c) -> Status {
      // Ad-hoc filter combinations: not prepared, so the per-connection cache stays small.
      HOTLINE_ASSIGN_OR_RETURN(Rows n,
                               c.Query("SELECT count(*) FROM orders" + where, count_params, false));
      page.total = n.Int(0, 0);
      HOTLINE_ASSIGN_OR_RETURN(Rows r, c.Query(page_sql, p, false));
      for (int i = 0; i < r.size(); ++i) {
        HOTLINE_ASSIGN_OR_RETURN(WorkOrder o, DecodeOrder(r.Text(i, 0)));
        page.items.push_back(std::move(o));
      }
      return {};
    }));
    return page;
  }

  // One row of kSelectEvents.
  static Event EventOf(const Rows& r, int i) {
    Event e;
    e.id = r.Int(i, 0);
    e.order_id = r.Int(i, 1);
    e.at = r.Int(i, 2);
    e.action = r.Text(i, 3);
    e.from = Parse<State>(r.Text(i, 4)).value_or(State::kReceived);
    e.to = Parse<State>(r.Text(i, 5)).value_or(State::kReceived);
    e.user_id = r.OptInt(i, 6);
    e.unit_id = r.OptInt(i, 7);
    e.text = r.Text(i, 8);
    e.data_json = r.Text(i, 9);
    return e;
  }
  static constexpr const char* kSelectEvents =
      "SELECT id, order_id, at, action, from_state, to_state, user_id, unit_id, text, data "
      "FROM events";

  Result<std::vector<Event>> ListEvents(Id order_id) override {
    std::vector<Event> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](PgConn& c) -> Status {
      HOTLINE_ASSIGN_OR_RETURN(
          Rows r, c.Query(std::string(kSelectEvents) + " WHERE order_id = $1 ORDER BY id",
                          Params().Add(order_id)));
      for (int i = 0; i < r.size(); ++i) out.push_back(EventOf(r, i));
      return {};
    }));
    return out;
  }

  Result<std::vector<Event>> ScanEvents(Id after_id, int limit) override {
    std::vector<Event> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](PgConn& c) -> Status {
      HOTLINE_ASSIGN_OR_RETURN(
          Rows r, c.Query(std::string(kSelectEvents) + " WHERE id > $1 ORDER BY id LIMIT $2",
                          Params().Add(after_id).Add(static_cast<std::int64_t>(limit))));
      for (int i = 0; i < r.size(); ++i) out.push_back(EventOf(r, i));
      return {};
    }));
    return out;
  }

  Result<std::vector<Id>> OrdersWithoutSearchText(int limit) override {
    std::vector<Id> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](PgConn& c) -> Status {
      HOTLINE_ASSIGN_OR_RETURN(
          Rows r, c.Query("SELECT id FROM orders WHERE search_text IS NULL ORDER BY id LIMIT $1",
                          Params().Add(static_cast<std::int64_t>(limit))));
      for (int i = 0; i < r.size(); ++i) out.push_back(r.Int(i, 0));
      return {};
    }));
    return out;
  }
  Status SetSearchText(const std::vector<std::pair<Id, std::string>>& texts) override {
    if (texts.empty()) return {};
    return Write([&](PgConn& c) -> Status {
      for (const auto& [id, text] : texts)
        HOTLINE_RETURN_IF_ERROR(
            c.Run("UPDATE orders SET search_text = $1 WHERE id = $2", Params().Add(text).Add(id)));
      return {};
    });
  }

  Result<bool> CanAccess(Id order_id, const std::vector<Id>& units) override {
    if (units.empty()) return false;
    bool found = false;
    HOTLINE_RETURN_IF_ERROR(Read([&](PgConn& c) -> Status {
      HOTLINE_ASSIGN_OR_RETURN(Rows r, c.Query("SELECT 1 FROM order_units WHERE order_id = $1 "
                                               "AND unit_id = ANY($2::bigint[]) LIMIT 1",
                                               Params().Add(order_id).Add(IntArray(units))));
      found = r.size() > 0;
      return {};
    }));
    return found;
  }

  // One transaction; rows go in by COPY (an order of magnitude faster than INSERTs).
  Status BulkLoad(std::vector<HistoryItem>& items) override {
    if (items.empty()) return {};
    std::vector<HistoryItem> staged;
    Status st = Write([&](PgConn& c) -> Status {
      HOTLINE_ASSIGN_OR_RETURN(Id last,
                               ReserveOrderIds(c, static_cast<std::int64_t>(items.size())));
      Id next = last - static_cast<Id>(items.size()) + 1;
      staged = items;  // numbered copies: `items` changes only once the load committed
      std::string orders, events, access;
      for (HistoryItem& it : staged) {
        it.order.id = next++;
        it.order.no += Pad7(it.order.id);
        CopyOrder(orders, it.order);
        for (Event& e : it.events) {
          e.order_id = it.order.id;
          CopyEvent(events, e, it.order.id);
        }
        for (auto [u, rel] : MergeGrants(it.access))
          CopyRow(access).Int(u).Int(it.order.id).Int(rel);
      }
      HOTLINE_RETURN_IF_ERROR(c.CopyIn(kOrderCopy, orders));
      HOTLINE_RETURN_IF_ERROR(c.CopyIn(
          "COPY events(order_id, at, action, from_state, to_state, user_id, unit_id, text, data) "
          "FROM STDIN",
          events));
      return c.CopyIn("COPY order_units(unit_id, order_id, rel) FROM STDIN", access);
    });
    if (st.ok()) items = std::move(staged);
    return st;
  }

  WriteStats Stats() const override { return writes_.Stats(); }

  Status AppendAudit(const AuditEntry& e) override {
    return Write([&](PgConn& c) -> Status {
      return c.Run(
          "INSERT INTO audit(at, user_id, action, order_id, detail) VALUES($1,$2,$3,$4,$5)",
          Params().Add(e.at).Add(e.user_id).Add(e.action).Add(e.order_id).Add(e.detail));
    });
  }
  Result<std::vector<AuditEntry>> ListAudit(std::optional<Id> order_id, int limit) override {
    std::vector<AuditEntry> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](PgConn& c) -> Status {
      HOTLINE_ASSIGN_OR_RETURN(
          Rows r, c.Query("SELECT at, user_id, action, order_id, detail FROM audit "
                          "WHERE ($1::bigint IS NULL OR order_id = $1::bigint) "
                          "ORDER BY id DESC LIMIT $2",
                          Params().Add(order_id).Add(limit >= 0 ? std::optional<std::int64_t>(limit)
                                                                : std::nullopt)));
      for (int i = 0; i < r.size(); ++i)
        out.push_back({r.Int(i, 0), r.Int(i, 1), r.Text(i, 2), r.OptInt(i, 3), r.Text(i, 4)});
      return {};
    }));
    return out;
  }

  Result<AuditPage> QueryAudit(const AuditQuery& q) override {
    static constexpr const char* kWhere =
        " FROM audit WHERE ($1::bigint IS NULL OR order_id = $1::bigint) "
        "AND ($2::bigint IS NULL OR user_id = $2::bigint) AND ($3::text = '' OR action = $3::text) "
        "AND ($4::bigint IS NULL OR at >= $4::bigint) AND ($5::bigint IS NULL OR at < $5::bigint)";
    std::string users;
    if (q.user_ids) {
      users = " AND user_id IN (";
      for (size_t i = 0; i < q.user_ids->size(); ++i)
        users += (i ? "," : "") + std::to_string((*q.user_ids)[i]);
      users = q.user_ids->empty() ? " AND false" : users + ")";
    }
    auto params = [&] {
      return Params().Add(q.order_id).Add(q.user_id).Add(q.action).Add(q.from).Add(q.to);
    };
    AuditPage page;
    HOTLINE_RETURN_IF_ERROR(Read([&](PgConn& c) -> Status {
      HOTLINE_ASSIGN_OR_RETURN(Rows n,
                               c.Query(std::string("SELECT count(*)") + kWhere + users, params()));
      page.total = n.Int(0, 0);
      HOTLINE_ASSIGN_OR_RETURN(
          Rows r, c.Query(std::string("SELECT at, user_id, action, order_id, detail") + kWhere +
                              users + " ORDER BY id DESC LIMIT $6 OFFSET $7",
                          params().Add(std::int64_t{q.limit}).Add(std::int64_t{q.offset})));
      for (int i = 0; i < r.size(); ++i)
        page.items.push_back(
            {r.Int(i, 0), r.Int(i, 1), r.Text(i, 2), r.OptInt(i, 3), r.Text(i, 4)});
      return {};
    }));
    return page;
  }

  Status PutSession(const Session& se) override {
    return Write([&](PgConn& c) -> Status {
      return c.Run(
          "INSERT INTO sessions(digest, user_id, expires_at) VALUES($1,$2,$3) "
          "ON CONFLICT(digest) DO UPDATE SET user_id = excluded.user_id, "
          "expires_at = excluded.expires_at",
          Params().Add(se.token_digest).Add(se.user_id).Add(se.expires_at));
    });
  }
  Result<std::optional<Session>> GetSession(const std::string& digest) override {
    std::optional<Session> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](PgConn& c) -> Status {
      HOTLINE_ASSIGN_OR_RETURN(
          Rows r, c.Query("SELECT digest, user_id, expires_at FROM sessions WHERE digest = $1",
                          Params().Add(digest)));
      if (r.size() > 0) out = Session{r.Text(0, 0), r.Int(0, 1), r.Int(0, 2)};
      return {};
    }));
    return out;
  }
  Status DeleteSession(const std::string& digest) override {
    return Write([&](PgConn& c) -> Status {
      return c.Run("DELETE FROM sessions WHERE digest = $1", Params().Add(digest));
    });
  }
  Result<std::int64_t> DeleteUserSessions(Id user_id) override {
    std::int64_t n = 0;
    HOTLINE_RETURN_IF_ERROR(Write([&](PgConn& c) -> Status {
      HOTLINE_ASSIGN_OR_RETURN(
          Rows r, c.Query("DELETE FROM sessions WHERE user_id = $1", Params().Add(user_id)));
      n = r.Affected();
      return {};
    }));
    return n;
  }

  Result<LoginFailure> RecordLoginFailure(Id user_id, Timestamp now, int lock_after,
                                          Timestamp lock_until) override {
    LoginFailure out;
    HOTLINE_RETURN_IF_ERROR(Write([&](PgConn& c) -> Status {
      out = LoginFailure{};
      // One statement, so concurrent failures on several nodes each count (the row lock
      // orders them) and exactly one of them sets the lock. `old` is the row before.
      HOTLINE_ASSIGN_OR_RETURN(
          Rows r,
          c.Query("UPDATE users u SET "
                  "failed_logins = CASE WHEN old.locked_until <= $2::bigint THEN 1 "
                  "ELSE old.failed_logins + 1 END, "
                  "locked_until = CASE "
                  "WHEN (old.locked_until IS NULL OR old.locked_until <= $2::bigint) AND "
                  "(CASE WHEN old.locked_until <= $2::bigint THEN 1 ELSE old.failed_logins + 1 "
                  "END) >= $3::integer THEN $4::bigint "
                  "WHEN old.locked_until <= $2::bigint THEN NULL ELSE old.locked_until END "
                  "FROM (SELECT id, failed_logins, locked_until FROM users WHERE id = $1 "
                  "FOR UPDATE) old WHERE u.id = old.id "
                  "RETURNING u.failed_logins, u.locked_until, "
                  "(old.locked_until IS NULL OR old.locked_until <= $2::bigint) "
                  "AND u.locked_until IS NOT NULL",
                  Params().Add(user_id).Add(now).Add(lock_after).Add(lock_until)));
      if (r.size() == 0) return Status(Code::kNotFound, "no user " + std::to_string(user_id));
      out.failed_logins = static_cast<int>(r.Int(0, 0));
      out.locked_until = r.OptInt(0, 1);
      out.locked_now = r.Bool(0, 2);
      return {};
    }));
    return out;
  }
  Status ClearLoginFailures(Id user_id) override {
    return Write([&](PgConn& c) -> Status {
      HOTLINE_ASSIGN_OR_RETURN(
          Rows r, c.Query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1",
                          Params().Add(user_id)));
      if (r.Affected() == 0) return Status(Code::kNotFound, "no user " + std::to_string(user_id));
      return {};
    });
  }
  Result<User> GetLoginState(Id user_id) override {
    std::optional<User> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](PgConn& c) -> Status {
      HOTLINE_ASSIGN_OR_RETURN(
          Rows r, c.Query("SELECT failed_logins, locked_until FROM users WHERE id = $1",
                          Params().Add(user_id)));
      if (r.size() > 0) {
        out = User{};
        out->id = user_id;
        out->failed_logins = static_cast<int>(r.Int(0, 0));
        out->locked_until = r.OptInt(0, 1);
      }
      return {};
    }));
    if (!out) return Status(Code::kNotFound, "no user " + std::to_string(user_id));
    return *out;
  }

 private:
  // Takes `n` order ids inside the current transaction; returns the last one.
  // The row lock is held until commit, so ids are gapless across processes too.
  static Result<Id> ReserveOrderIds(PgConn& c, std::int64_t n) {
    HOTLINE_ASSIGN_OR_RETURN(
        Rows r, c.Query("UPDATE order_counter SET last_id = last_id + $1 RETURNING last_id",
                        Params().Add(n)));
    if (r.size() != 1) return Status(Code::kInternal, "postgres: order_counter row missing");
    return r.Int(0, 0);
  }

  Result<Id> MaxId(const char* table) {
    Id out = 0;
    HOTLINE_RETURN_IF_ERROR(Read([&](PgConn& c) -> Status {
      HOTLINE_ASSIGN_OR_RETURN(
          Rows r, c.Query(std::string("SELECT coalesce(max(id), 0) FROM ") + table, {}));
      out = r.Int(0, 0);
      return {};
    }));
    return out;
  }

  Result<WorkOrder> GetOrderWhere(const char* cond, const Params& params, const std::string& what) {
    std::optional<WorkOrder> out;
    HOTLINE_RETURN_IF_ERROR(Read([&](PgConn& c) -> Status {
      HOTLINE_ASSIGN_OR_RETURN(
          Rows r, c.Query(std::string("SELECT doc FROM orders WHERE ") + cond, params));
      if (r.size() > 0) {
        HOTLINE_ASSIGN_OR_RETURN(WorkOrder o, DecodeOrder(r.Text(0, 0)));
        out = std::move(o);
      }
      return {};
    }));
    if (!out) return Status(Code::kNotFound, "no order " + what);
    return std::move(*out);
  }

  // Runs `fn` inside the next group commit and waits until it is durable.
  Status Write(std::function<Status(PgConn&)> fn) { return writes_.Submit(std::move(fn)); }

  // One group: BEGIN, a SAVEPOINT per request, one COMMIT. Savepoint bookkeeping
  // rides in the same round trip as the next request's savepoint
  // ("RELEASE SAVEPOINT op; SAVEPOINT op").
  void RunGroup(PgConn& c, const std::vector<GroupCommit<PgConn>::Op*>& ops,
                std::vector<Status>& results) {
    Status begin = c.Broken() ? c.Reset() : Status();
    if (begin.ok()) begin = c.Exec("BEGIN; SAVEPOINT op");
    // A connection that died while idle (the server restarted, a failover) is found out only
    // now: reconnect and begin once more — no write of the group has run yet.
    if (!begin.ok() && c.Broken() && c.Reset().ok()) begin = c.Exec("BEGIN; SAVEPOINT op");
    if (!begin.ok()) {
      (void)c.Exec("ROLLBACK");
      for (auto& r : results) r = begin;
      return;
    }
    Status broken;  // the transaction itself failed: every request fails
    for (size_t i = 0; i < ops.size() && broken.ok(); ++i) {
      if (i > 0) broken = c.Exec("RELEASE SAVEPOINT op; SAVEPOINT op");
      if (!broken.ok()) break;
      results[i] = (*ops[i])(c);
      if (!results[i].ok()) broken = c.Exec("ROLLBACK TO SAVEPOINT op");
    }
    Status commit = broken.ok() ? c.Exec("COMMIT") : broken;
    // COMMIT of a transaction in the aborted state answers "ROLLBACK", not an error.
    if (commit.ok() && c.LastTag() != "COMMIT")
      commit = Status(Code::kInternal, "postgres: the group transaction was rolled back");
    if (!commit.ok()) {
      (void)c.Exec("ROLLBACK");
      for (auto& r : results)
        r = Status(commit.code() == Code::kConflict ? Code::kInternal : commit.code(),
                   commit.message());
    }
  }
  // Runs `fn` on a pooled connection (reconnecting one that broke).
  // A pooled connection that died while idle (the server restarted, a failover) is found out
  // by its first query: reconnect and run `fn` once more (reads can be repeated).
  Status Read(const std::function<Status(PgConn&)>& fn) {
    return readers_.With([&](PgConn& c) -> Status {
      HOTLINE_RETURN_IF_ERROR(c.Broken() ? c.Reset() : Status());
      Status st = fn(c);
      if (st.ok() || !c.Broken()) return st;
      HOTLINE_RETURN_IF_ERROR(c.Reset());
      return fn(c);
    });
  }

  const std::string conninfo_;
  const PostgresOptions options_;
  std::unique_ptr<PgConn> writer_conn_;  // used only by the writer thread (and Init)

  ConnPool<PgConn> readers_;
  GroupCommit<PgConn> writes_;  // last: stopped first, before the connections go
};

}  // namespace

int PostgresSchemaVersion() { return kSchemaVersion; }

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo,
                                                 const PostgresOptions& options) {
  auto store = std::make_unique<PostgresStore>(conninfo, options);
  HOTLINE_RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace hotline
