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

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/calendar.h"
#include "domain/deadline.h"
#include "domain/result.h"
#include "domain/types.h"
#include "domain/workflow.h"
#include "service/duplicate_index.h"
#include "service/org_import.h"
#include "store/store.h"

namespace hotline {

// Everything configurable, as one immutable snapshot (swapped on admin writes).
struct Config {
  std::string taxonomy_version;
  std::vector<Subject> subjects;
  std::vector<CatalogueRule> catalogue;
  DeadlineRules rules;
  WorkCalendar calendar;
  LightPolicy light_policy;
  const Subject* FindSubject(std::string_view code) const;
  // True if the subject or one of its ancestors is a department matter.
  bool IsDepartmentMatter(std::string_view code) const;
};

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

struct DispatchSuggestion {
  std::optional<Id> lead_unit_id;
  std::vector<Id> assist_unit_ids;
  std::optional<Id> rule_id;
  std::string reason;
};

// The dispatch catalogue's answer for an order's subject and place (pure).
DispatchSuggestion SuggestFromCatalogue(const Config& cfg, const WorkOrder& order);

struct LoginResult {
  std::string token;
  User user;  // password_hash cleared
  Timestamp expires_at = 0;
};

struct ServiceOptions {
  // Default: 12 hours.
  std::int64_t session_seconds = 12 * 3600;
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

  // -- authentication --
  Result<LoginResult> Login(const std::string& login, const std::string& password);
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
  Result<OrderPage> ListOrders(const Actor& actor, OrderQuery query);  // items masked
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
  std::vector<User> Users() const;  // password hashes cleared
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
  Result<std::vector<AuditEntry>> Audit(const Actor& actor, std::optional<Id> order_id, int limit);

  // ---- public tracking (web UI; service/hotline_service_public.cc) ----
  // The order numbered `no` when `phone` is its caller's phone (digits compared after
  // folding full-width forms and dropping separators). A wrong phone and an unknown number
  // get the same not_found, so a guess learns nothing. Callers render public fields only.
  Result<WorkOrder> TrackPublic(const std::string& no, const std::string& phone);

  const Clock& clock() const;
  Store& store();

 private:
  struct Impl;
  explicit HotlineService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hotline
