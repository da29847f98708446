// The storage interface. Backends: sqlite/ (embedded default), postgres/ (server,
// next). SQL dialect stays inside a backend; the service sees only this.
//
// Durability contract: when a write method returns OK, the change is on disk
// (the backend commits with fsync before returning; concurrent writers share
// one commit: group commit). A failed write changes nothing.
// Thread-safety: every method may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/result.h"
#include "domain/types.h"

namespace hotline {

struct OrderQuery {
  std::vector<State> states;  // any of these; empty = all
  std::optional<Id> unit_id;  // lead or assisting unit
  std::optional<Id> lead_unit_id;
  std::optional<Id> grid_id, community_id, street_id;
  std::optional<Channel> channel;
  std::optional<Nature> nature;
  std::optional<Urgency> urgency;
  std::optional<Light> light;  // evaluated at `now`
  Timestamp now = 0;
  std::optional<Timestamp> created_from, created_to;  // [from, to)
  std::optional<bool> supervised;
  std::optional<Id> citizen_user_id;
  std::string caller_phone;  // exact
  std::string subject_prefix;
  // Substring of title or content, or the order number (exact). With `text_masked`, the
  // substring is looked for in the orders' search_text instead (personal data masked).
  std::string text;
  bool text_masked = false;
  // Leave out orders reported on (举报) one of these units: their caller is hidden from the
  // reader, so neither `caller_phone` nor an unmasked `text` may match them.
  std::vector<Id> hidden_from_units;
  // Only orders whose intake stored a classifier suggestion (the dispatcher's review queue).
  bool with_suggestion = false;
  // Scope: only orders visible to one of these units (see Store::CreateOrder's access
  // list). nullopt = no restriction (district-wide roles).
  std::optional<std::vector<Id>> scope_units;
  std::optional<Id> scope_citizen;  // citizens: only their own
  enum class Sort { kNewest, kOldest, kDueSoonest };
  Sort sort = Sort::kNewest;
  int limit = 20;
  int offset = 0;
};

struct OrderPage {
  std::vector<WorkOrder> items;
  std::int64_t total = 0;
};

struct AuditEntry {
  Timestamp at = 0;
  Id user_id = 0;
  std::string action;  // "read_pii", "export", "exclude_kpi", ...
  std::optional<Id> order_id;
  std::string detail;  // which fields
};

// The result of Store::RecordLoginFailure.
struct LoginFailure {
  int failed_logins = 0;                  // after this failure
  std::optional<Timestamp> locked_until;  // the account's lock, if any
  bool locked_now = false;                // this failure set the lock
};

// A filtered page of the audit log, newest first (GET /audit). Empty/absent fields match all.
struct AuditQuery {
  std::optional<Id> order_id;
  std::optional<Id> user_id;
  std::string action;                 // exact action name
  std::optional<Timestamp> from, to;  // from <= at < to
  int limit = 100;                    // REQUIRES: >= 1
  int offset = 0;                     // REQUIRES: >= 0
  // Only entries by these users (a district's staff reading the audit of their district);
  // nullopt = every user.
  std::optional<std::vector<Id>> user_ids;
};

struct AuditPage {
  std::vector<AuditEntry> items;
  std::int64_t total = 0;  // entries matching the filters, all pages
};

struct Session {
  std::string token_digest;
  Id user_id = 0;
  Timestamp expires_at = 0;
};

// Why a unit may see an order; bits, combined per (order, unit).
enum AccessRel : int {
  kAccessPlace = 1,     // the order's grid, community or street
  kAccessLead = 2,      // lead unit (current or earlier)
  kAccessAssist = 4,    // assisting unit
  kAccessAncestor = 8,  // an ancestor of one of the above
};
struct AccessGrant {
  Id unit_id = 0;
  int rel = 0;
};

struct CreateResult {
  Id id = 0;
  std::string no;
  bool existed = false;  // the idempotency key had been used: this is the earlier order
};

// What the writer has done since start (GET /api/v1/metrics, docs/deploy.md).
struct WriteStats {
  std::uint64_t groups = 0;         // transactions committed or failed
  std::uint64_t writes = 0;         // writes run
  std::uint64_t failed_writes = 0;  // writes whose outcome was an error
  std::uint64_t queued = 0;         // writes waiting for the next group now
};

// Leadership of the work that must run once across every process sharing a store (docs/deploy.md
// "Scheduled work"): at most one holder at a time; a holder that dies or loses the store loses it.
// SQLite: an exclusive lock (flock) on a file beside the database. PostgreSQL: a session-level
// advisory lock on a connection of its own, released by the server when that connection ends.
// Thread-safety: one thread at a time.
class Lease {
 public:
  virtual ~Lease() = default;
  // Takes the lease when it is free, or checks that this holder still has it (and that the
  // store is still reachable). false: another process holds it, or the store is unreachable
  // (the lease is then lost until a later Hold takes it again).
  virtual bool Hold() = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Units and users.
  virtual Result<Id> InsertUnit(const Unit& unit) = 0;
  virtual Status UpdateUnit(const Unit& unit) = 0;
  virtual Result<std::vector<Unit>> ListUnits() = 0;
  virtual Result<Id> InsertUser(const User& user) = 0;
  virtual Status UpdateUser(const User& user) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;

  // Configuration documents (taxonomy, catalogue, deadline rules, calendar,
  // light policy...), each a JSON text under a key, with a version bumped on write.
  virtual Status PutDocument(const std::string& key, const std::string& json) = 0;
  virtual Result<std::optional<std::string>> GetDocument(const std::string& key) = 0;

  // Several unit and user inserts plus documents in one transaction (imports, demo setup).
  struct Batch {
    std::vector<Unit> units;  // ids must be preset (> 0)
    std::vector<User> users;  // ids must be preset (> 0)
    std::vector<std::pair<std::string, std::string>> documents;
  };
  virtual Status ApplyBatch(const Batch& batch) = 0;
  // Every document whose key starts with `prefix`, as (key, version), by key: what changed since
  // a process last looked (each write bumps the version), e.g. another node's knowledge entries.
  virtual Result<std::vector<std::pair<std::string, std::int64_t>>> DocumentVersions(
      const std::string& prefix) = 0;
  // The lease named `name` (one per kind of scheduled work), not yet held.
  virtual Result<std::unique_ptr<Lease>> OpenLease(const std::string& name) = 0;
  virtual Result<Id> MaxUnitId() = 0;
  virtual Result<Id> MaxUserId() = 0;

  // Work orders. `order.no` prefix (e.g. yyMMdd) is completed with the id.
  // `access`: units that may see the order (place and assigned units with
  // their ancestors). With a non-empty idempotency key already used by `key_owner`,
  // nothing is written and the earlier order is returned with existed = true.
  virtual Result<CreateResult> CreateOrder(const WorkOrder& order, const Event& created,
                                           const std::vector<AccessGrant>& access,
                                           const std::string& idempotency_key, Id key_owner) = 0;
  // Compare-and-swap: succeeds only if the stored order still has `expected_state`
  // and `expected_version`; otherwise kConflict and nothing changes.
  virtual Status TransitionOrder(const WorkOrder& next, State expected_state,
                                 std::int64_t expected_version, const Event& event,
                                 const std::vector<AccessGrant>& add_access) = 0;
  virtual Result<WorkOrder> GetOrder(Id id) = 0;
  virtual Result<WorkOrder> GetOrderByNo(const std::string& no) = 0;
  virtual Result<OrderPage> ListOrders(const OrderQuery& query) = 0;
  virtual Result<std::vector<Event>> ListEvents(Id order_id) = 0;
  // Up to `limit` events of every order with id > after_id, by id: the whole log in
  // batches (the KPI engine is fed from it when the service opens).
  virtual Result<std::vector<Event>> ScanEvents(Id after_id, int limit) = 0;
  virtual Result<bool> CanAccess(Id order_id, const std::vector<Id>& units) = 0;
  // Orders whose search_text was never computed (stored before it existed, or loaded in
  // bulk without it), up to `limit`, and the writing of it, in one transaction.
  virtual Result<std::vector<Id>> OrdersWithoutSearchText(int limit) = 0;
  virtual Status SetSearchText(const std::vector<std::pair<Id, std::string>>& texts) = 0;

  // Bulk load for the demo and benchmarks: orders with their full event history,
  // in one transaction. Order ids and event ids are assigned by the store.
  struct HistoryItem {
    WorkOrder order;
    std::vector<Event> events;
    std::vector<AccessGrant> access;
  };
  virtual Status BulkLoad(std::vector<HistoryItem>& items) = 0;

  virtual Status AppendAudit(const AuditEntry& entry) = 0;
  // The writer's counters (GET /api/v1/metrics). Default: none (test doubles).
  virtual WriteStats Stats() const { return {}; }
  virtual Result<std::vector<AuditEntry>> ListAudit(std::optional<Id> order_id, int limit) = 0;
  virtual Result<AuditPage> QueryAudit(const AuditQuery& q) = 0;

  virtual Status PutSession(const Session& s) = 0;
  virtual Result<std::optional<Session>> GetSession(const std::string& token_digest) = 0;
  virtual Status DeleteSession(const std::string& token_digest) = 0;
  // Revokes every session of the user (password change, disable); returns how many went.
  virtual Result<std::int64_t> DeleteUserSessions(Id user_id) = 0;

  // Login throttling state of a user: User::failed_logins and User::locked_until.
  // RecordLoginFailure counts one failed login at `now`: a lock that has expired by `now` is
  // cleared first and the count restarts at 1; when the count reaches `lock_after`, the user
  // is locked until `lock_until` (locked_now = true). kNotFound for an unknown user.
  // ClearLoginFailures resets both (a successful login, an admin's unlock).
  virtual Result<LoginFailure> RecordLoginFailure(Id user_id, Timestamp now, int lock_after,
                                                  Timestamp lock_until) = 0;
  virtual Status ClearLoginFailures(Id user_id) = 0;
  // The user's current failed_logins and locked_until (the rest of User left default).
  virtual Result<User> GetLoginState(Id user_id) = 0;
};

}  // namespace hotline
