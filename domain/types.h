// The domain vocabulary of hotline: channels, natures, urgencies, states,
// roles, units, users, work orders and their events. Plain values; no I/O.
// Each enum has a wire name (English snake_case, used in the API and store)
// and a Chinese label (used in the UI and exports).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/clock.h"

namespace hotline {

enum class Channel {
  kHotline,
  kWeb,
  kApp,
  kWechat,
  kGridPatrol,
  kOnlineOpinion,
  kPetition,
  kOpen311,
  kEmail,
  kSensor
};
enum class Nature { kConsultation, kHelp, kComplaint, kReport, kSuggestion, kPraise };
enum class Urgency { kNormal, kUrgent, kCritical };

// The lifecycle (docs/lifecycle.md). Terminal: closed, merged, rejected.
enum class State {
  kReceived,            // recorded, waiting for a direct answer or dispatch
  kDispatched,          // sent to a lead unit, waiting for it to sign
  kReturnRequested,     // the lead unit asked to give it back; dispatcher reviews
  kInProgress,          // signed, being handled
  kExtensionRequested,  // handling, and an extension awaits approval
  kReplied,             // the unit (or the agent, directly) answered; callback due
  kVisited,             // the caller was called back; close or redo
  kClosed,              // 办结
  kMerged,              // 并单: duplicate of another order
  kSuspended,           // 挂账: parked, clock stopped
  kRejected,            // 不予受理, with its legal basis
};

enum class Role { kCitizen, kAgent, kDispatcher, kHandler, kGridWorker, kSupervisor, kAdmin };
// kCity (市) is the root of a city-wide hotline (issue 14); a district is then one of its
// children. Appended last: wire names, not numbers, are stored.
enum class UnitKind { kDistrict, kStreet, kCommunity, kGrid, kDepartment, kCenter, kCity };
enum class GridKind { kBasic, kDedicated };
enum class Rating {
  kVerySatisfied,
  kSatisfied,
  kBasicallySatisfied,
  kUnsatisfied,
  kVeryUnsatisfied,
  kUnreachable
};
// Traffic light of an open order against its deadline (none: no deadline runs).
enum class Light { kNone, kGreen, kYellow, kRed };
// How a time limit is counted.
enum class LimitUnit { kWorkingDays, kWorkingHours, kNaturalDays, kNaturalHours };
// Who leads when a catalogue rule routes by place (属地) instead of naming a department.
enum class Territorial { kNone, kStreet, kCommunity, kGrid };

// Why an appeal is not accepted (不予受理). The wire names are stable.
enum class RejectBasis {
  kLitigation,
  kArbitration,
  kPetitionFiled,
  kDisciplinary,
  kAdministrativeReview,
  kInformationDisclosure,
  kSecrets,
  kPublicOrder,
  kNoNewFacts,
  kMalicious,
  kEmergencyTransfer,
  kNoContent
};

// Wire name <-> enum, and the Chinese label. Parse returns nullopt on an unknown name.
template <typename E>
struct EnumName {
  E value;
  const char* name;
  const char* zh;
};
template <typename E>
std::span<const EnumName<E>> EnumNames();

template <typename E>
std::string_view ToString(E value) {
  for (const auto& n : EnumNames<E>())
    if (n.value == value) return n.name;
  return "?";
}
template <typename E>
std::string_view ZhLabel(E value) {
  for (const auto& n : EnumNames<E>())
    if (n.value == value) return n.zh;
  return "?";
}
template <typename E>
std::optional<E> Parse(std::string_view name) {
  for (const auto& n : EnumNames<E>())
    if (name == n.name || name == n.zh) return n.value;
  return std::nullopt;
}
// "a, b, c": for error messages that list what is allowed.
template <typename E>
std::string AllowedNames() {
  std::string s;
  for (const auto& n : EnumNames<E>()) {
    if (!s.empty()) s += ", ";
    s += n.name;
  }
  return s;
}

bool IsTerminal(State s);
// States in which the handling clock runs and lights apply.
bool IsOpen(State s);

using Id = std::int64_t;

struct Unit {
  Id id = 0;
  std::string
      code;  // city/district 6, street 9, community 12, grid 15 digits; departments free-form
  std::string name;
  UnitKind kind = UnitKind::kDepartment;
  std::optional<GridKind> grid_kind;  // grids only
  std::optional<Id> parent_id;        // none only for the root (the city, or the district)
  bool active = true;
};

struct User {
  Id id = 0;
  std::string login;
  std::string display_name;
  Role role = Role::kCitizen;
  Id unit_id = 0;
  std::string phone;          // citizens: links their appeals
  std::string password_hash;  // argon2id encoded; never leaves the service layer
  bool active = true;
  // Login throttling (docs/access.md "Login"), kept by the store apart from the other fields:
  // Store::UpdateUser does not write them.
  int failed_logins = 0;                  // consecutive failures since the last success/unlock
  std::optional<Timestamp> locked_until;  // set when failed_logins reached the lockout limit
};

// One node of the versioned 3-level subject tree (2+2+2 digit codes: "01", "0103", "010305").
struct Subject {
  std::string code;
  std::string name;
  std::string parent_code;  // "" for level 1
  int level = 1;
  // Department matters (部门事项) must be led by a department, never pushed down
  // to a street, community or grid.
  bool department_matter = false;
};

// One row of the dispatch catalogue (派单目录): subject x place -> lead + assisting units.
// The most specific matching rule wins (longest subject prefix, then a place restriction).
struct CatalogueRule {
  Id id = 0;
  std::string subject_prefix;      // "" matches every subject
  std::optional<Id> street_id;     // only for orders in this street; nullopt = anywhere
  std::optional<Id> lead_unit_id;  // a fixed unit (usually a department)...
  Territorial territorial = Territorial::kNone;  // ...or the order's own street/community/grid
  std::vector<Id> assist_unit_ids;               // 协办
};

struct Place {
  std::optional<Id> grid_id, community_id, street_id;
  std::string address;
  std::optional<double> lon, lat;  // WGS-84
};

// A gazetteer candidate for an address the engine could not place by itself.
struct PlaceCandidate {
  std::string name;  // the gazetteer entry ("洪家楼南区")
  std::string kind;  // street, community, grid, compound, building, landmark
  double score = 0;  // 0..1
  std::optional<Id> street_id, community_id, grid_id;
};

// Kept on an order whose address-only place the gazetteer could not settle
// (docs/place.md): the agent / dispatcher picks. Never a guessed grid.
struct PlaceResolution {
  std::string status;                      // "ambiguous" or "unknown"
  std::vector<PlaceCandidate> candidates;  // best first; empty when unknown
};

struct Reply {
  bool direct = false;  // answered by the agent during the call (直接答复)
  Timestamp contacted_at = 0;
  std::string contact_method;  // phone, visit, sms, wechat, on_site
  bool resolved = false;
  std::string unresolved_reason;  // required when !resolved
  std::string actions_taken;      // 办理情况
  std::string public_text;        // 公开答复内容
};

struct Callback {
  Rating rating = Rating::kSatisfied;
  std::string note;
  Timestamp at = 0;
};

struct WorkOrder {
  Id id = 0;
  std::string no;  // human order number, e.g. 2611230000123 (yyMMdd + 7-digit sequence)
  State state = State::kReceived;
  std::int64_t version = 0;  // bumped by every transition (compare-and-swap)
  Channel channel = Channel::kHotline;
  Nature nature = Nature::kConsultation;
  Urgency urgency = Urgency::kNormal;
  std::string subject_code;
  std::string title;
  std::string content;

  // Personal data (PIPL): masked or hidden by role on every read.
  std::string caller_name;
  std::string caller_phone;
  std::string caller_id_no;
  bool confidential = false;  // caller asked for confidentiality (保密)
  std::optional<Id> citizen_user_id;
  std::optional<Id> reported_unit_id;  // 举报: the unit reported on never sees the informant

  Place place;
  std::optional<Id> lead_unit_id;
  std::vector<Id> assist_unit_ids;
  std::optional<Id> created_by;

  Timestamp created_at = 0;
  Timestamp updated_at = 0;
  Timestamp dispatched_at = 0;
  Timestamp signed_at = 0;
  Timestamp replied_at = 0;
  Timestamp closed_at = 0;
  Timestamp sign_due = 0;   // 签收时限 (0 when not dispatched)
  Timestamp due_at = 0;     // 办理时限, whole case
  Timestamp yellow_at = 0;  // when the light turns yellow
  Timestamp suspended_at = 0;

  int return_count = 0;
  int extension_count = 0;
  int redo_count = 0;
  bool supervised = false;
  std::optional<Id> merged_into;
  // 二级派单 (issue 14): the district hotline office that signed the city's dispatch and
  // re-dispatched (relay) the order to one of its streets or departments. It reviews that
  // hop's returns and extensions; nullopt while the order is at its first hop.
  std::optional<Id> relay_unit_id;
  std::optional<RejectBasis> reject_basis;
  std::optional<State> state_before;  // where return review / resume goes back to
  std::optional<Reply> reply;
  std::optional<Callback> callback;
  std::string pending_request;  // reason text of an open return / extension request
  int pending_extension_days = 0;
  // Suggestions from the classifier / dispatch (issue 3); free-form JSON.
  std::string suggestion_json;
  // Address-only intake the gazetteer could not settle (issue 4); nullopt otherwise.
  std::optional<PlaceResolution> place_resolution;
  // Title and content with personal data masked as for a reader who may not see the caller
  // (service/pii.h RedactText, identity hidden): what a text search matches for such readers,
  // so a search cannot recover what the reader is shown masked. Set by the service when the
  // order is recorded and stored beside the order (not in its document); empty = not
  // computed yet (the service fills it in when it opens the store).
  std::string search_text;
};

// One immutable step of an order's life.
struct Event {
  Id id = 0;
  Id order_id = 0;
  Timestamp at = 0;
  std::string action;  // "intake", "dispatch", "sign", ...
  State from = State::kReceived;
  State to = State::kReceived;
  std::optional<Id> user_id;
  std::optional<Id> unit_id;
  std::string text;
  std::string data_json;  // action details (units, rating, deadlines...), "{}" if none
};

}  // namespace hotline
