// The use cases of hotline: intake, lifecycle actions, queries, login and
// administration, with jurisdiction scoping, personal-data masking and audit.
// The API layer parses requests into these calls and renders their results.
//
// Scope: users bound to the district or the hotline centre see every order;
// anyone else sees the orders placed in or assigned to their unit's subtree;
// citizens see their own appeals. Out-of-scope orders are reported as not found.
// Personal data: lists are always masked; GetOrder reveals what the role may
// see and audits it; a report's (举报) informant is hidden from handling units.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/kpi.h"
#include "analytics/kpi_engine.h"
#include "domain/calendar.h"
#include "domain/deadline.h"
#include "domain/result.h"
#include "domain/types.h"
#include "domain/workflow.h"
#include "geo/gazetteer.h"
#include "kb/entry.h"
#include "kb/entry_io.h"
#include "kb/search.h"
#include "service/duplicate_index.h"
#include "service/login_guard.h"
#include "service/map_index.h"
#include "service/org_import.h"
#include "store/store.h"

namespace hotline {

namespace classify {
class Classifier;
}

// When intake may dispatch an order by itself (docs/dispatch.md). JSON document `auto_dispatch`.
struct AutoDispatchPolicy {
  bool enabled = true;  // Default: on
  // The subject model's probability the top subject must reach. Default: 0.7 (docs/dispatch.md:
  // on the demo history about half of the eligible appeals go automatically at 0.7, the half
  // with the clearest margins; the scale depends on the model, so re-run the report per model).
  double min_confidence = 0.7;
};

// Everything configurable, as one immutable snapshot (swapped on admin writes).
struct Config {
  std::string taxonomy_version;
  std::vector<Subject> subjects;
  std::vector<CatalogueRule> catalogue;
  DeadlineRules rules;
  WorkCalendar calendar;
  LightPolicy light_policy;
  AutoDispatchPolicy auto_dispatch;
  const Subject* FindSubject(std::string_view code) const;
  // True if the subject or one of its ancestors is a department matter.
  bool IsDepartmentMatter(std::string_view code) const;
};

// An appeal's content is at most this many bytes of UTF-8 (the API refuses more).
inline constexpr std::size_t kMaxContentBytes = 20000;

struct IntakeRequest {
  Channel channel = Channel::kHotline;
  std::optional<Nature> nature;
  Urgency urgency = Urgency::kNormal;
  std::string subject_code;  // may be empty for citizens; required before dispatch
  std::string title;         // default: the start of the content
  std::string content;
  std::string caller_name, caller_phone, caller_id_no;
  bool confidential = false;
  std::optional<Id> reported_unit_id;
  // Place: the most precise of grid/community/street wins; the rest is derived.
  std::optional<Id> grid_id, community_id, street_id;
  std::string address;
  std::optional<double> lon, lat;
  bool gcj02 = false;  // lon/lat from a Chinese map app (GCJ-02); the store keeps WGS-84
  std::string idempotency_key;
  std::optional<Timestamp> received_at;  // imports only (admin); default now
  // The client system the appeal came through (an Open311 API key's channel label), kept in
  // the intake event's data as "source". Default: "" (none).
  std::string source;
};

// An open order that the order at hand may repeat (并单 suggestion for the agent).
struct DuplicateView {
  Id id = 0;
  std::string no, title;
  State state = State::kReceived;
  double score = 0;
  std::string reason;  // same_caller, same_caller_similar_text, similar_text_same_place
};

struct OrderView {
  WorkOrder order;  // personal data already masked / hidden for the caller
  Light light = Light::kNone;
  bool pii_masked = true;
  bool identity_hidden = false;           // 举报 / confidential: not even masked values shown
  std::vector<Action> actions;            // what the caller may do now
  std::vector<DuplicateView> duplicates;  // filled by Intake and FindDuplicates
};

// One page of GET /orders: each item as its reader may see it.
struct OrderViewPage {
  std::vector<OrderView> items;
  std::int64_t total = 0;
};

struct DispatchSuggestion {
  std::optional<Id> lead_unit_id;
  std::vector<Id> assist_unit_ids;
  std::optional<Id> rule_id;
  std::string reason;
};

// The dispatch catalogue's answer for an order's subject and place (pure).
DispatchSuggestion SuggestFromCatalogue(const Config& cfg, const WorkOrder& order);

// ---- hotspots (热点; docs/hotspots.md) ----

struct HotspotQuery {
  Timestamp from = 0, to = 0;   // received in [from, to)
  std::optional<Id> street_id;  // only appeals placed in this street
  int limit = 10;               // 1..100
};

// A cluster of similar appeals in one place and time, ranked by heat.
struct HotspotView {
  std::string id;     // stable while the cluster keeps its oldest appeal: "h<oldest order id>"
  std::string title;  // the most central appeal's title, personal numbers masked
  int count = 0, distinct_callers = 0;
  double growth = 0, heat = 0;
  std::int64_t support = 0;  // votes where the channel has them; 0 for hotline orders
  Timestamp first_at = 0, last_at = 0;
  std::optional<Id> street_id, community_id;  // the most common among members
  std::optional<double> lon, lat;             // mean of the members' coordinates (WGS-84)
  std::string place_name;                     // a compound/road named in the texts, if any
  std::vector<std::string> keywords;
  std::vector<Id> order_ids;  // up to 20, oldest first
};

// Why Login refused before checking any password (then the Status is kUnavailable).
struct LoginRefusal {
  enum class Kind {
    kNone,
    kRateLimited,  // too many failed logins for this login name or client address: HTTP 429
    kBusy,         // every verification slot and queue place taken: HTTP 503
  };
  Kind kind = Kind::kNone;
  std::int64_t retry_after_seconds = 0;
};

struct LoginResult {
  std::string token;
  User user;  // password_hash cleared
  Timestamp expires_at = 0;
};

struct ServiceOptions {
  // Default: 12 hours.
  std::int64_t session_seconds = 12 * 3600;
  // Login throttling and lockout (service/login_guard.h; each field states its Default).
  LoginOptions login;
  // Checks a password against a stored hash. Default: empty = VerifyPassword (argon2id).
  // Tests inject a counting or blocking verifier.
  std::function<bool(std::string_view encoded, std::string_view password)> verify_password;
  // Directory holding the classifier models `subject.bin` and `nature.bin` (docs/dispatch.md);
  // each is loaded when present. Default: "" (no models: no suggestions, no auto-dispatch).
  std::string model_dir;
  // How long a computed hotspot list is served from the cache. Default: 60 seconds.
  std::int64_t hotspot_cache_seconds = 60;
  // Projection checkpoints (docs/storage.md "Projections"): the directory of `kpi.ckpt` (the
  // KPI engine, the closed-per-day counts and the map index, with the event id they cover).
  // Open loads it and replays only later events; a background thread rewrites it. Default: ""
  // (none: every Open rebuilds from the whole log). `hotline serve` uses <db>.projections.
  std::string checkpoint_dir;
  // A checkpoint is written after this many events fed since the last one... Default: 20000.
  std::int64_t checkpoint_every_events = 20000;
  // ...or when this many seconds passed with at least one event fed. Default: 300.
  std::int64_t checkpoint_every_seconds = 300;
};

// ---- intelligence: classifier models, suggestions, auto-dispatch (helper "intel") ----

// One loaded classifier model.
struct ClassifierInfo {
  std::string model;      // version: "<algorithm>-<16 hex digits>"
  std::string algorithm;  // "linear", "fasttext", "ensemble"
  int labels = 0;
  std::string path;  // the file it came from ("" when installed in-process)
  Timestamp loaded_at = 0;
};
struct ClassifiersInfo {
  std::string dir;  // where reload reads from ("" = none configured)
  std::optional<ClassifierInfo> subject, nature;
};

// A guess of the classifier with its probability.
struct SubjectGuess {
  std::string code, name;
  double confidence = 0;
};
struct NatureGuess {
  Nature value = Nature::kConsultation;
  double confidence = 0;
};

// What the agent console shows while the agent types (POST /suggest). Nothing is stored.
struct SuggestResult {
  std::string model;  // the subject model's version; "" when none is loaded
  std::string nature_model;
  std::optional<NatureGuess> nature;
  std::optional<SubjectGuess> subject;
  std::vector<SubjectGuess> alternatives;  // top 3, most probable first (the first is `subject`)
  std::optional<DispatchSuggestion> dispatch;
  bool auto_dispatch = false;  // intake would dispatch it automatically as it stands
  std::string auto_reason;     // why (not)
  std::vector<DuplicateView> duplicates;
  std::vector<WorkOrder> caller_history;  // the same phone's earlier orders, masked, newest first
};

// ---- KPIs (docs/kpis.md; implemented in service/hotline_service_kpi.cc) ----

struct KpiQuery {
  // The unit (0 = the whole area). Default: the actor's unit, or 0 for district-wide staff.
  std::optional<Id> unit_id;
  analytics::DayRange range;
  analytics::Slice slice;
  std::optional<UnitKind> group;  // one row per unit of this kind under `unit`
  bool compare = false;           // fill the previous period
};
struct KpiRow {
  Unit unit;                       // id 0 = the whole area (全区)
  analytics::PeriodChange change;  // change.previous is empty unless compare
};
struct RankingRow {
  Unit unit;
  analytics::RankRow row;
  int previous_rank = 0;  // 0 = not ranked in the previous period
};
struct Ranking {
  UnitKind kind = UnitKind::kStreet;
  analytics::DayRange range;
  analytics::KpiConfig config;
  std::vector<RankingRow> rows;  // only units in the caller's jurisdiction
};
struct VolumeRow {
  Unit unit;
  analytics::VolumeTrendRow three;
  std::vector<std::int64_t> by_channel;  // unique intakes, index = Channel
  std::vector<std::int64_t> by_nature;   // unique intakes, index = Nature
};
struct SubjectCount {
  int subject1 = -1;  // level-1 subject as a number; -1 = unclassified
  std::string code, name;
  std::int64_t received = 0, unique = 0, previous_unique = 0;
};
// The one-screen summary (GET /dashboard) for the caller's jurisdiction.
struct DashboardData {
  analytics::Day date = 0;
  analytics::DayRange month_to_date;  // first of the month .. date (inclusive)
  Id unit_id = 0;                     // the scope: 0 = whole area
  std::int64_t today_received = 0, today_closed = 0;
  // Assignments (派入: dispatch, reassignment, redo) to the scope unit and the units under it:
  // what reaches a handling unit — a department is no place, so it receives no intakes.
  std::int64_t today_assigned = 0, mtd_assigned = 0;
  std::vector<std::int64_t> trend_assigned;  // [day], the same 30 days as trend_days
  std::vector<std::int64_t> today_by_channel;
  std::int64_t mtd_received = 0;
  std::vector<std::int64_t> mtd_by_channel, mtd_by_nature;
  analytics::KpiReport mtd;                                 // month-to-date rates of the scope unit
  std::int64_t red = 0, yellow = 0, green = 0;              // open orders now, by light
  std::vector<analytics::Day> trend_days;                   // the 30 days ending at `date`
  std::vector<std::vector<std::int64_t>> trend_by_channel;  // [channel][day]
  analytics::VolumeTrendRow three;                          // month to date vs previous
  std::vector<RankingRow> street_ranking, department_ranking;
  // In a city store (issue 14): the city's ranking of its districts; a district's staff get
  // their own district's row with its rank in the city. Empty in a district store.
  std::vector<RankingRow> district_ranking;
  std::vector<WorkOrder> red_list;  // up to 20, titles and personal data masked
};
struct MonthlyReport {
  analytics::DayRange month;
  Ranking streets, departments;
  // In a city store (issue 14): the districts ranked by the city (a district's staff: their
  // district's row), and, at city level, each district's own ranking of its streets and
  // departments (one sheet per district in the xlsx).
  Ranking districts;
  struct DistrictSection {
    Unit district;
    Ranking streets, departments;
  };
  std::vector<DistrictSection> by_district;
  std::vector<KpiRow> units;           // the scope unit, then streets, then departments
  std::vector<SubjectCount> subjects;  // by unique intakes, largest first
  std::vector<HotspotView> hotspots;   // the month's top 10 hotspots in scope (docs/hotspots.md)
};

// ---- place: gazetteer and map layers (docs/place.md) ----

// What the gazetteer makes of an address (POST /places/resolve, intake).
struct AddressLookup {
  std::string status;  // "resolved", "ambiguous" or "unknown"
  // The resolved place (status "resolved"): units from the entry's codes, never guessed.
  std::optional<Id> street_id, community_id, grid_id;
  std::string name, kind, detail;          // entry name and kind; "3号楼2单元" after the match
  std::optional<double> lon, lat;          // WGS-84, when the entry has a location
  std::vector<PlaceCandidate> candidates;  // best first (up to 5)
};

struct GazetteerItem {
  geo::GazetteerEntry entry;
  std::string source;  // "division" (the organisation) or "imported" (CSV, the demo's included)
};

struct GazetteerPage {
  std::vector<GazetteerItem> items;
  std::int64_t total = 0;
};

// One unit polygon of /map/grids.
struct MapUnitFeature {
  Unit unit;
  MapUnitCounts counts;
  Light light = Light::kNone;  // red if any red, else yellow if any yellow, else green if any open
  std::shared_ptr<const std::string> geometry;  // GeoJSON geometry (WGS-84)
};

// ---- knowledge base (issue 17; service/hotline_service_kb.cc, docs/kb.md) ----

// How often an entry answered a call and how those callers rated the calls (回访).
struct KbUsage {
  int answered = 0;                    // calls answered from the entry
  std::map<std::string, int> ratings;  // rating wire name -> calls rated so
  int rated = 0;                       // calls with a rating
};

// An entry as one actor may see it. The owning unit and the centre see everything (every
// version, event and correction, and the review light); other staff see the published version,
// the publish/withdraw/expire events and their own unit's corrections.
struct KbEntryView {
  kb::Entry entry;
  bool full = false;
  Light light = Light::kNone;  // owners and the centre: review-due / expiry light
  KbUsage usage;
  std::vector<std::string> questions;  // similar questions learned from calls (full view only)
};

struct KbHitView {
  kb::Hit hit;
  KbEntryView view;
};

struct KbListQuery {
  std::optional<kb::EntryState> state;
  std::string unit;   // owning unit code ("" = any)
  bool mine = false;  // only the actor's own unit's entries
};

class HotlineService {
 public:
  // Loads the organisation and configuration from the store; missing
  // configuration documents get defaults (Shandong deadline rules, the
  // calendar in data/calendar/cn_holidays.json if `calendar_path` is given).
  static Result<std::unique_ptr<HotlineService>> Open(Store& store, const Clock& clock,
                                                      const std::string& calendar_path,
                                                      ServiceOptions options = {});
  ~HotlineService();
  // Writes the projection checkpoint now (clean shutdown); a no-op without checkpoint_dir.
  // Errors: kInternal (I/O).
  Status WriteCheckpoint();

  // -- authentication --
  // Unknown, disabled and locked logins and wrong passwords get the same kUnauthenticated
  // error after the same work (an argon2id verification); rate limits and a full queue refuse
  // before hashing and say so in `refusal`. `remote` is the client address (rate limits).
  Result<LoginResult> Login(const std::string& login, const std::string& password,
                            const std::string& remote = "", LoginRefusal* refusal = nullptr);
  Result<Actor> Authenticate(const std::string& token);
  Status Logout(const std::string& token);
  Result<User> Me(const Actor& actor);

  // -- work orders --
  Result<OrderView> Intake(const Actor& actor, const IntakeRequest& req, bool* existed);
  Result<OrderView> Act(const Actor& actor, Id order_id, const ActionInput& in,
                        std::optional<std::int64_t> expect_version);
  Result<OrderView> GetOrder(const Actor& actor, Id order_id);
  // Full caller contact for the lead/assisting unit (never for a 举报 or confidential
  // order); audited.
  Result<OrderView> RevealContact(const Actor& actor, Id order_id);
  // Items masked (or the caller hidden) as for lists. `query.caller_phone` is for agents,
  // dispatchers and admins (403 otherwise) and is audited, as is a text that looks like
  // personal data; for other roles `query.text` matches the masked text only.
  Result<OrderViewPage> ListOrders(const Actor& actor, OrderQuery query);
  Result<std::vector<Event>> Events(const Actor& actor, Id order_id);
  Result<DispatchSuggestion> SuggestDispatch(const Actor& actor, Id order_id);
  // Open, visible orders this one may repeat (same caller, or near-identical text
  // in the same street, within the window), best first.
  Result<std::vector<DuplicateView>> FindDuplicates(const Actor& actor, Id order_id);
  // Masks the personal data of an order for list views (names, phones, ID numbers).
  static WorkOrder MaskForList(WorkOrder o);
  Light LightNow(const WorkOrder& o) const;

  // -- organisation --
  std::vector<Unit> Units() const;
  Result<Unit> FindUnit(Id id) const;
  Result<Unit> FindUnitByCode(const std::string& code) const;
  // Password hashes cleared; failed_logins and locked_until from the store (locked_until
  // empty once it has passed).
  std::vector<User> Users() const;
  // Admin: clears the user's lock and failed-login count; audited "unlock_user".
  Result<User> UnlockUser(const Actor& actor, Id user_id);
  // A user's display name ("" if unknown): for rendering events and audit rows
  // without copying the whole user list.
  std::string UserDisplayName(Id user_id) const;
  Result<std::vector<Unit>> ImportUnits(const Actor& actor, const std::string& body, bool is_csv,
                                        std::vector<ImportError>* errors);
  Result<std::vector<User>> ImportUsers(const Actor& actor, const std::string& csv,
                                        std::vector<ImportError>* errors);
  Result<Unit> UpdateUnit(const Actor& actor, const Unit& unit);
  Result<User> UpdateUser(const Actor& actor, Id user_id, std::optional<Role> role,
                          std::optional<Id> unit_id, std::optional<bool> active,
                          std::optional<std::string> password);

  // -- configuration (JSON documents; errors name the field) --
  std::shared_ptr<const Config> config() const;
  std::string TaxonomyJson() const;
  Status PutTaxonomyJson(const Actor& actor, const std::string& json);
  std::string CatalogueJson() const;
  Status PutCatalogueJson(const Actor& actor, const std::string& json);
  std::string RulesJson() const;
  Status PutRulesJson(const Actor& actor, const std::string& json);
  std::string CalendarJson() const;
  Status PutCalendarJson(const Actor& actor, const std::string& json);
  std::string LightPolicyJson() const;
  Status PutLightPolicyJson(const Actor& actor, const std::string& json);
  // Grid boundaries (GeoJSON FeatureCollection of streets, communities and grids
  // whose codes are units of the organisation). Import is all or nothing; every
  // problem is listed. With boundaries, intake resolves lon/lat to the grid.
  std::string BoundariesGeoJson() const;
  Status PutBoundariesGeoJson(const Actor& actor, const std::string& geojson,
                              std::vector<std::string>* problems);
  // -- place: gazetteer and map layers (docs/place.md) --
  // Staff. Resolves address text with the gazetteer (divisions + imported entries).
  Result<AddressLookup> ResolveAddress(const Actor& actor, const std::string& address) const;
  // Admin. CSV (header name,kind,aliases,street_code,community_code,grid_code,lon,lat);
  // codes must be units of the organisation. All or nothing; every bad row in `errors`
  // (row = line number, field = column). Audited. Returns the number of entries added
  // (an entry with the same name, kind and codes as an imported one replaces it).
  Result<size_t> ImportGazetteerCsv(const Actor& actor, const std::string& csv,
                                    std::vector<ImportError>* errors);
  // Staff. Entries whose name or an alias contains `q` (normalised: traditional,
  // full-width), name order; paged.
  Result<GazetteerPage> ListGazetteer(const Actor& actor, const std::string& q, int offset,
                                      int limit) const;
  // Staff. Unit polygons of one level (district, street, community or grid) with per-unit
  // order counts; only units in the caller's jurisdiction (a street/community/grid user: their
  // subtree; a district's staff in a city store: their district), counting
  // only orders the caller may see. `light`: only units of that colour.
  Result<std::vector<MapUnitFeature>> MapGrids(const Actor& actor, Timestamp from, Timestamp to,
                                               UnitKind level, std::optional<Light> light) const;
  // Staff. Order points in a bbox (newest first, titles masked), visible to the caller.
  Result<MapOrdersResult> MapOrders(const Actor& actor, MapOrdersQuery query) const;

  Result<std::vector<AuditEntry>> Audit(const Actor& actor, std::optional<Id> order_id, int limit);
  // A filtered page of the audit log (admins and supervisors). REQUIRES nothing of q: bad
  // limits and offsets are refused (kInvalidArgument naming page_size / page).
  Result<AuditPage> QueryAudit(const Actor& actor, const AuditQuery& q);

  // -- KPIs (docs/kpis.md; service/hotline_service_kpi.cc) --
  // The engine is fed from the event log at Open and by every committed intake and
  // action. Units outside the caller's jurisdiction are kNotFound (field "unit");
  // citizens may not read KPIs.
  analytics::KpiConfig KpiSettings() const;
  std::string KpiConfigJson() const;
  Status PutKpiConfigJson(const Actor& actor, const std::string& json);  // admin; audited
  Result<std::vector<KpiRow>> Kpis(const Actor& actor, const KpiQuery& q);
  Result<Ranking> Rankings(const Actor& actor, UnitKind kind, analytics::DayRange range);
  Result<std::vector<VolumeRow>> Volumes(const Actor& actor, UnitKind kind,
                                         analytics::DayRange range, std::optional<Id> unit);
  Result<DashboardData> Dashboard(const Actor& actor, analytics::Day date);
  Result<MonthlyReport> MonthlyReportData(const Actor& actor, analytics::DayRange month);
  // Today's local day (UTC+8) by the service clock.
  analytics::Day KpiToday() const;
  // "kpi engine: N orders, M events fed in X ms" (from the last Open).
  std::string KpiFeedSummary() const;

  // ---- operations (GET /ready, GET /api/v1/metrics; docs/deploy.md) ----
  // Whether the store answers a read now (unavailable when it does not).
  Status Ping();
  // The store writer's counters.
  WriteStats StoreWriteStats() const;

  // -- knowledge base (issue 17; hotline_service_kb.cc) --
  // The hotline centre's reviewers: admins, and supervisors of the centre / city / district.
  // Published entries are readable by all staff; drafts by the owning unit and the centre.
  // A unit drafts for itself; the centre drafts for any unit. Unknown or hidden: kNotFound.
  Result<std::vector<KbEntryView>> KbList(const Actor& actor, const KbListQuery& query);
  Result<std::vector<KbHitView>> KbSearch(const Actor& actor, std::string_view query,
                                          const kb::SearchOptions& options);
  Result<KbEntryView> KbGet(const Actor& actor, const std::string& id);
  // `id` empty: one is made ("KB" + number). `owning_unit` empty: the actor's unit.
  Result<KbEntryView> KbCreate(const Actor& actor, const std::string& id,
                               const std::string& owning_unit, const kb::EntryContent& content);
  Result<KbEntryView> KbAct(const Actor& actor, const std::string& id,
                            const kb::EntryRequest& request);
  // Answers order `order_id` from the published entry `id` (the `answer` action, the entry's
  // body as the reply, the event citing kb_entry / kb_version); `version` > 0 must be the
  // published one (kConflict otherwise). The caller's question (`question`, or the order's
  // content), with personal data masked, becomes a similar question of the entry.
  Result<OrderView> KbAnswer(const Actor& actor, Id order_id, const std::string& id, int version,
                             const std::string& question);
  // Centre only. `format`: "csv", "json" or "xlsx" (kb/entry_io.h). Every row checked first
  // (row errors in `errors`, nothing imported); then each row is created as a draft of its
  // owning unit, or published at once when `publish`.
  Result<std::vector<KbEntryView>> KbImport(const Actor& actor, const std::string& body,
                                            std::string_view format, bool publish,
                                            std::vector<kb::RowError>* errors);
  // The entries the actor may fully see, their latest version, as CSV or JSON.
  Result<std::string> KbExport(const Actor& actor, bool csv);
  // The public FAQ (no login): published entries only, for citizens to read (the route renders
  // title, answer, subjects, source and owning unit name; never versions, events, corrections,
  // learned questions or use). `query` empty: the most recently published first.
  std::vector<KbHitView> KbPublic(std::string_view query, size_t limit);
  // Scheduled work (app/main.cc wires these into service/scheduler.h): every node follows the
  // entries other nodes wrote; the leader expires entries past their valid_until. Returns how
  // many it expired.
  Status KbRefresh();
  Result<int> KbExpireDue();

  // ---- public tracking (web UI; service/hotline_service_public.cc) ----
  // The order numbered `no` when `phone` is its caller's phone (digits compared after
  // folding full-width forms and dropping separators). A wrong phone and an unknown number
  // get the same not_found, so a guess learns nothing. Callers render public fields only.
  Result<WorkOrder> TrackPublic(const std::string& no, const std::string& phone);
  // The caller's own rating of the reply (评价), found as TrackPublic finds it: a `callback`
  // by the citizen who made the appeal (docs/lifecycle.md), with one of the five levels and an
  // optional comment. Refused like any callback when the order is not `replied`.
  Result<WorkOrder> RatePublic(const std::string& no, const std::string& phone, Rating rating,
                               const std::string& comment);

  const Clock& clock() const;
  Store& store();

  // ---- intelligence (helper "intel"; service/hotline_service_intel.cc, docs/dispatch.md) ----
  // The models serving now (none loaded: both empty).
  ClassifiersInfo Classifiers() const;
  // Reads the models again from `dir` (default: the directory given at start or at the last
  // reload) and swaps them in for new requests; requests already running finish with the old
  // ones. A missing, damaged or incompatible file changes nothing (error names field "path").
  // Admin only; audited.
  Result<ClassifiersInfo> ReloadClassifiers(const Actor& actor, const std::string& dir);
  // Installs models built in-process (tests, the demo); either may be null (= none).
  void SetClassifiers(std::shared_ptr<const classify::Classifier> subject,
                      std::shared_ptr<const classify::Classifier> nature);
  // Suggestions for an appeal being typed: nature, subject (+ top 3), the dispatch the
  // catalogue would make, duplicate candidates and the caller's earlier orders in the actor's
  // scope. Staff only. Reads only.
  Result<SuggestResult> Suggest(const Actor& actor, const IntakeRequest& req);
  std::string AutoDispatchJson() const;
  Status PutAutoDispatchJson(const Actor& actor, const std::string& json);
  // -- hotspots (热点; docs/hotspots.md; hotline_service_hotspots.cc) --
  // Staff only. Clusters the appeals received in [from, to) that the actor may see (merged
  // duplicates left out: they count once, in the order they were merged into), highest heat
  // first. Errors name the field: from/to (to must be after from, at most 366 days), street
  // (not a street: 400; outside the actor's jurisdiction: 404), limit. Results are cached per
  // (scope, from, to, street) for `hotspot_cache_seconds`.
  Result<std::vector<HotspotView>> Hotspots(const Actor& actor, const HotspotQuery& query);

 private:
  struct Impl;
  explicit HotlineService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hotline
