// The work-order lifecycle as an explicit state machine (docs/lifecycle.md).
// Plan() is pure: given an order, an action, the actor and the deadline
// context, it returns the next version of the order and the event recording
// the step, or an error naming why the action is not allowed. Persisting the
// result is a compare-and-swap on (id, state, version) done by the store.
// Thread-safety: pure functions over values.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/calendar.h"
#include "domain/deadline.h"
#include "domain/result.h"
#include "domain/types.h"

namespace hotline {

enum class Action {
  kAnswer,            // 直接答复: the agent answers during the call
  kDispatch,          // 派单: to a lead unit (+ assisting units)
  kSign,              // 签收
  kRequestReturn,     // 申请退单 (reason required, within the return window)
  kApproveReturn,     // 退单审核通过: reassign to another unit, or back to the dispatch pool
  kRejectReturn,      // 退单驳回: back to where it was
  kRequestExtension,  // 申请延期 (reason, days; before the deadline)
  kApproveExtension,  // 延期批准: the deadline moves only now
  kRejectExtension,   // 延期驳回
  kReply,             // 答复: contacted, resolved?, what was done, public reply
  kAssistReply,       // 协办意见: an assisting unit reports to the lead (no state change)
  kCallback,          // 回访: 5-level rating or unreachable
  kClose,             // 办结
  kRedo,              // 重办: after an unsatisfied callback, back to the lead unit
  kSupervise,         // 督办: flags the order and records the supervisor's demand
  kMerge,             // 并单: duplicate of another order
  kSuspend,           // 挂账: park; the clock stops
  kResume,            // 恢复: the clock runs again, deadline moved by the time parked
  kReject,            // 不予受理: with its legal basis
  // KPI review (docs/kpis.md §5): remove one unit's score for this order, or restore it.
  // Any state; the state does not change. Audited as an ordinary event.
  kExcludeFromKpi,  // 剔除考核
  kIncludeInKpi,    // 恢复考核
  // 修正地点: the caller's place was recorded wrongly; the service resolves the corrected place
  // (units, coordinates or a gazetteer address) and the order moves there. No state change;
  // the lead unit stays (a wrong unit is fixed by the return flow).
  kRelocate,
  // 二次派单 (issue 14): the district hotline office that signed the city's dispatch sends the
  // order on to one of its streets or departments. The office becomes the order's relay unit:
  // it reviews that hop's returns and extensions. The whole-case deadline stays the city's.
  kRelay,
};
template <>
std::span<const EnumName<Action>> EnumNames<Action>();

// Who acts. unit_id is the unit the user is bound to.
struct Actor {
  Id user_id = 0;
  Role role = Role::kCitizen;
  Id unit_id = 0;
};

// What the caller sends with an action; only the fields the action needs are read.
struct ActionInput {
  Action action = Action::kSign;
  std::string text;                         // reason / note / demand / explanation
  std::optional<Id> lead_unit_id;           // dispatch, approve_return (reassign)
  std::vector<Id> assist_unit_ids;          // dispatch, approve_return
  std::optional<Reply> reply;               // reply; answer uses reply->public_text
  std::optional<Rating> rating;             // callback
  int extension_days = 0;                   // request_extension
  std::optional<Id> merge_into;             // merge
  std::optional<RejectBasis> basis;         // reject
  std::optional<std::string> subject_code;  // dispatch: (re)classify before routing
  // exclude_from_kpi / include_in_kpi: the lead unit whose score loses (or regains) the
  // order, and the basis (one of KpiExclusionBases(); optional).
  std::optional<Id> kpi_unit_id;
  std::string kpi_basis;
  // relocate: the corrected place. As sent, it may hold units, coordinates (GCJ-02 when
  // place_gcj02) and an address; the service resolves it, and Plan() needs a unit in it.
  std::optional<Place> place;
  bool place_gcj02 = false;
  // answer: the knowledge entry read out to the caller (issue 17), cited in the event's data
  // as kb_entry / kb_version. Entry ids are [A-Za-z0-9_-] (KbService checks).
  std::string kb_entry;
  int kb_version = 0;
  // Facts of the organisation tree the service fills in (never the caller) for dispatch,
  // relay and approve_return; all false in a district-rooted store (issue 14).
  struct Hop {
    bool actor_is_district_office = false;  // the actor's unit is a district's hotline office
    bool lead_is_district_office = false;   // the chosen lead is a district's hotline office
    // The chosen lead lies in a district under a city, below the district's office: the city
    // dispatches past the district (越级派单).
    bool skips_district = false;
  } hop;
};

// The bases an exclusion may cite: unreasonable, illegal_demand, malicious_repeat,
// outside_duty, force_majeure, other.
std::span<const std::string_view> KpiExclusionBases();

struct DeadlineContext {
  const WorkCalendar* calendar = nullptr;  // REQUIRES: non-null
  const DeadlineRules* rules = nullptr;    // REQUIRES: non-null
  LightPolicy policy;
  Timestamp now = 0;
};

struct Transition {
  WorkOrder next;
  Event event;
};

// One row of the transition table, for docs, the UI and checks.
struct ActionSpec {
  Action action;
  std::vector<State> from;
  std::vector<Role> roles;
  // Which unit the actor must belong to: "lead", "assist", "reviewer" (the relay unit when
  // the order has one, otherwise any unit but the lead), or "" (any in scope).
  const char* unit_rule;
  // The state it leads to; nullopt when it depends on input (return review, resume) or stays.
  std::optional<State> to;
};
std::span<const ActionSpec> ActionTable();
const ActionSpec& SpecOf(Action a);

// Applies `in` to `order`. Errors: kForbidden (role or unit), kFailedPrecondition
// (state, windows, deadlines), kInvalidArgument (missing/bad fields, named).
Result<Transition> Plan(const WorkOrder& order, const ActionInput& in, const Actor& actor,
                        const DeadlineContext& ctx);

// The actions this actor could take on this order now (for the UI).
std::vector<Action> AvailableActions(const WorkOrder& order, const Actor& actor);

// Sets sign_due, due_at and yellow_at for a (re)dispatch at `now`.
void SetDeadlines(WorkOrder& order, const DeadlineContext& ctx);

// The light of an order at `now` (none unless the clock runs).
Light LightOf(const WorkOrder& order, Timestamp now);

}  // namespace hotline
