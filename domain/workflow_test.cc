#include "domain/workflow.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace hotline {
namespace {

// 2026-11-23 10:00 Beijing (Monday).
constexpr Timestamp kNow = 1795399200;

class WorkflowTest : public ::testing::Test {
 protected:
  WorkflowTest() : rules_(DefaultRules()) {}
  DeadlineContext Ctx() { return {&cal_, &rules_, {}, kNow}; }
  // An order in `state` led by unit 10, assisted by unit 11, dispatched just now.
  WorkOrder InState(State s) {
    WorkOrder o;
    o.id = 1;
    o.state = s;
    o.subject_code = "010101";
    o.created_at = kNow - 3600;
    o.citizen_user_id = 7;  // the actors below are user 7: a citizen acting on their own appeal
    o.lead_unit_id = 10;
    o.assist_unit_ids = {11};
    o.dispatched_at = kNow - 1800;
    o.due_at = kNow + 5 * 86400;
    o.yellow_at = kNow + 4 * 86400;
    if (s == State::kVisited) o.callback = Callback{Rating::kUnsatisfied, "", kNow};
    if (s == State::kReplied) o.reply = Reply{true, kNow, "phone", true, "", "x", "y"};
    o.state_before = State::kInProgress;
    o.suspended_at = kNow - 60;
    return o;
  }
  // Input complete enough that only the state/role/unit checks can refuse it.
  ActionInput Full(Action a) {
    ActionInput in;
    in.action = a;
    in.text = "理由";
    in.lead_unit_id = 12;
    in.reply = Reply{false, kNow - 60, "phone", true, "", "已处理", "已答复"};
    in.rating = Rating::kSatisfied;
    in.extension_days = 2;
    in.merge_into = 2;
    in.basis = RejectBasis::kLitigation;
    in.subject_code = "010101";
    in.kpi_unit_id = 12;
    in.kpi_basis = "unreasonable";
    in.place = Place{};
    in.place->street_id = 30;
    in.place->grid_id = 31;
    return in;
  }
  Actor ActorFor(Role r, const char* unit_rule) {
    std::string_view rule = unit_rule;
    // A reviewer is any unit but the lead that asked (no relay office in these orders).
    Id unit = rule == "assist" ? 11 : rule == "reviewer" ? 20 : 10;
    return Actor{7, r, unit};
  }
  WorkCalendar cal_;
  DeadlineRules rules_;
};

const State kAllStates[] = {State::kReceived,
                            State::kDispatched,
                            State::kReturnRequested,
                            State::kInProgress,
                            State::kExtensionRequested,
                            State::kReplied,
                            State::kVisited,
                            State::kClosed,
                            State::kMerged,
                            State::kSuspended,
                            State::kRejected};
const Role kAllRoles[] = {Role::kCitizen,    Role::kAgent,      Role::kDispatcher, Role::kHandler,
                          Role::kGridWorker, Role::kSupervisor, Role::kAdmin};

TEST_F(WorkflowTest, EveryCellOfTheTableIsEnforced) {
  int allowed = 0, refused = 0;
  for (const ActionSpec& spec : ActionTable()) {
    for (State s : kAllStates) {
      for (Role r : kAllRoles) {
        WorkOrder o = InState(s);
        auto t = Plan(o, Full(spec.action), ActorFor(r, spec.unit_rule), Ctx());
        bool role_ok = std::count(spec.roles.begin(), spec.roles.end(), r) > 0;
        bool state_ok = std::count(spec.from.begin(), spec.from.end(), s) > 0;
        std::string where = std::string(ToString(spec.action)) + " from " +
                            std::string(ToString(s)) + " as " + std::string(ToString(r));
        if (!role_ok) {
          EXPECT_EQ(t.status().code(), Code::kForbidden) << where;
        } else if (!state_ok) {
          EXPECT_EQ(t.status().code(), Code::kFailedPrecondition) << where;
        } else {
          ASSERT_TRUE(t.ok()) << where << ": " << t.status().ToString();
          EXPECT_EQ(t->next.version, o.version + 1) << where;
          EXPECT_EQ(t->event.from, s) << where;
          EXPECT_EQ(t->event.to, t->next.state) << where;
          EXPECT_EQ(t->event.action, ToString(spec.action)) << where;
          if (spec.to) {
            EXPECT_EQ(t->next.state, *spec.to) << where;
          }
        }
        (t.ok() ? allowed : refused)++;
      }
    }
  }
  EXPECT_GT(allowed, 30);
  EXPECT_GT(refused, 1000);
}

TEST_F(WorkflowTest, UnitRulesRefuseOtherUnits) {
  for (const ActionSpec& spec : ActionTable()) {
    std::string_view rule = spec.unit_rule;
    if (rule.empty()) continue;
    // For a review, the stranger is the lead unit itself: it may not review its own request.
    Actor stranger{7, spec.roles.front(), rule == "reviewer" ? Id{10} : Id{99}};
    auto t = Plan(InState(spec.from.front()), Full(spec.action), stranger, Ctx());
    EXPECT_EQ(t.status().code(), Code::kForbidden) << ToString(spec.action);
  }
}

TEST_F(WorkflowTest, AvailableActionsMatchWhatPlanAccepts) {
  for (State s : kAllStates)
    for (Role r : kAllRoles)
      for (Id unit : {Id{10}, Id{11}, Id{99}}) {
        WorkOrder o = InState(s);
        Actor a{7, r, unit};
        auto offered = AvailableActions(o, a);
        for (const ActionSpec& spec : ActionTable()) {
          bool ok = Plan(o, Full(spec.action), a, Ctx()).ok();
          bool listed = std::count(offered.begin(), offered.end(), spec.action) > 0;
          EXPECT_EQ(ok, listed) << ToString(spec.action) << " in " << ToString(s) << " as "
                                << ToString(r) << " of unit " << unit;
        }
      }
}

TEST_F(WorkflowTest, ACitizenRatesOnlyTheirOwnAppealWithOneOfTheFiveLevels) {
  WorkOrder o = InState(State::kReplied);
  Actor other{8, Role::kCitizen, 0};
  EXPECT_EQ(Plan(o, Full(Action::kCallback), other, Ctx()).status().code(), Code::kForbidden);
  EXPECT_TRUE(AvailableActions(o, other).empty());

  Actor own{7, Role::kCitizen, 0};
  ActionInput in = Full(Action::kCallback);
  in.rating = Rating::kUnreachable;
  auto bad = Plan(o, in, own, Ctx());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().field(), "rating");

  in.rating = Rating::kVeryUnsatisfied;
  in.text = "路灯还是不亮";
  auto t = Plan(o, in, own, Ctx());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->next.state, State::kVisited);
  EXPECT_EQ(t->next.callback->rating, Rating::kVeryUnsatisfied);
  EXPECT_NE(t->event.data_json.find("\"by\":\"citizen\""), std::string::npos) << t->event.data_json;
  // An agent's callback is not marked as the citizen's own rating.
  auto agent = Plan(o, Full(Action::kCallback), Actor{9, Role::kAgent, 1}, Ctx());
  ASSERT_TRUE(agent.ok());
  EXPECT_EQ(agent->event.data_json.find("citizen"), std::string::npos);
  // An appeal made by phone has no citizen account (user 0): only a caller the service has
  // identified as user 0 (by order number and phone) may rate it, never a logged-in citizen.
  o.citizen_user_id.reset();
  EXPECT_EQ(Plan(o, Full(Action::kCallback), own, Ctx()).status().code(), Code::kForbidden);
  EXPECT_TRUE(Plan(o, Full(Action::kCallback), Actor{0, Role::kCitizen, 0}, Ctx()).ok());
}

TEST_F(WorkflowTest, RelocateMovesThePlaceAndKeepsStateAndLead) {
  WorkOrder o = InState(State::kInProgress);
  o.place.street_id = 20;
  ActionInput in = Full(Action::kRelocate);
  auto t = Plan(o, in, Actor{7, Role::kDispatcher, 1}, Ctx());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->next.state, State::kInProgress);
  EXPECT_EQ(t->next.lead_unit_id, o.lead_unit_id);
  EXPECT_EQ(t->next.place.grid_id, 31);
  EXPECT_EQ(t->event.data_json, R"({"street_id":30,"grid_id":31,"from_street_id":20})");
  in.place->street_id.reset();
  in.place->grid_id.reset();
  in.place->address = "某地";
  EXPECT_EQ(Plan(o, in, Actor{7, Role::kDispatcher, 1}, Ctx()).status().field(), "place")
      << "an address nobody resolved is not a place";
  in = Full(Action::kRelocate);
  in.text = " ";
  EXPECT_EQ(Plan(o, in, Actor{7, Role::kDispatcher, 1}, Ctx()).status().field(), "text");
}

TEST_F(WorkflowTest, RedoOfAnUnsatisfyingDirectAnswerGoesBackToDispatch) {
  WorkOrder o = InState(State::kVisited);
  o.lead_unit_id.reset();
  o.assist_unit_ids.clear();
  auto t = Plan(o, Full(Action::kRedo), Actor{7, Role::kDispatcher, 1}, Ctx());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->next.state, State::kReceived);
  EXPECT_EQ(t->next.due_at, 0);
  auto d = Plan(t->next, Full(Action::kDispatch), Actor{7, Role::kDispatcher, 1}, Ctx());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->next.lead_unit_id, 12);
}

TEST_F(WorkflowTest, DispatchSetsDeadlinesFromTheRules) {
  ActionInput in = Full(Action::kDispatch);
  WorkOrder o = InState(State::kReceived);
  o.nature = Nature::kComplaint;
  auto t = Plan(o, in, Actor{7, Role::kDispatcher, 1}, Ctx());
  ASSERT_TRUE(t.ok());
  // A complaint: Monday 10:00 + 5 working days = end of the next Monday (2026-11-30 24:00 +08:00).
  EXPECT_EQ(t->next.due_at, kNow - 10 * 3600 + 8 * 86400);
  EXPECT_GT(t->next.yellow_at, kNow);
  EXPECT_LT(t->next.yellow_at, t->next.due_at);
  EXPECT_EQ(LightOf(t->next, kNow), Light::kGreen);
  EXPECT_EQ(LightOf(t->next, t->next.due_at + 1), Light::kRed);
  // A consultation gets 3 working days: the end of Thursday.
  o.nature = Nature::kConsultation;
  EXPECT_EQ(Plan(o, in, Actor{7, Role::kDispatcher, 1}, Ctx())->next.due_at,
            kNow - 10 * 3600 + 4 * 86400);
}

TEST_F(WorkflowTest, KpiExclusionKeepsTheStateAndRecordsUnitAndBasis) {
  for (State s : kAllStates) {
    WorkOrder o = InState(s);
    ActionInput in = Full(Action::kExcludeFromKpi);
    auto t = Plan(o, in, Actor{7, Role::kSupervisor, 1}, Ctx());
    ASSERT_TRUE(t.ok()) << ToString(s) << ": " << t.status().ToString();
    EXPECT_EQ(t->next.state, s);
    EXPECT_EQ(t->event.from, s);
    EXPECT_EQ(t->event.to, s);
    EXPECT_EQ(t->event.action, "exclude_from_kpi");
    EXPECT_EQ(t->event.data_json, R"({"unit_id":12,"basis":"unreasonable"})");
    EXPECT_EQ(t->event.text, "理由");
  }
  WorkOrder o = InState(State::kClosed);
  Actor sup{7, Role::kSupervisor, 1};
  ActionInput in = Full(Action::kIncludeInKpi);
  in.kpi_basis.clear();
  EXPECT_EQ(Plan(o, in, sup, Ctx())->event.data_json, R"({"unit_id":12,"basis":"other"})");
  in.kpi_unit_id.reset();
  EXPECT_EQ(Plan(o, in, sup, Ctx()).status().field(), "unit_id");
  in = Full(Action::kExcludeFromKpi);
  in.text = "  ";
  EXPECT_EQ(Plan(o, in, sup, Ctx()).status().field(), "text");
  in = Full(Action::kExcludeFromKpi);
  in.kpi_basis = "because";
  EXPECT_EQ(Plan(o, in, sup, Ctx()).status().field(), "basis");
  // Never for the actor's own unit.
  in = Full(Action::kExcludeFromKpi);
  EXPECT_EQ(Plan(o, in, Actor{7, Role::kAdmin, 12}, Ctx()).status().code(), Code::kForbidden);
}

// ---- 二级派单: the city dispatches to a district office, which re-dispatches (issue 14) ----

// Units of a small city: the city centre 1, Licheng's office 100 and its streets 101, 102,
// Lixia's office 200.
constexpr Id kCityCentre = 1, kLichengOffice = 100, kStreetA = 101, kStreetB = 102,
             kLixiaOffice = 200;

class TwoHopTest : public WorkflowTest {
 protected:
  WorkOrder Received() {
    WorkOrder o = InState(State::kReceived);
    o.lead_unit_id.reset();
    o.assist_unit_ids.clear();
    o.state_before.reset();
    o.due_at = o.yellow_at = o.dispatched_at = 0;
    return o;
  }
  // Plans and applies `in`, failing the test if refused.
  WorkOrder Step(const WorkOrder& o, ActionInput in, Actor a, Timestamp at = kNow) {
    DeadlineContext ctx = Ctx();
    ctx.now = at;
    auto t = Plan(o, in, a, ctx);
    EXPECT_TRUE(t.ok()) << ToString(in.action) << ": " << t.status().ToString();
    if (!t.ok()) return o;
    events_.push_back(t->event);
    return t->next;
  }
  static ActionInput In(Action a, std::optional<Id> lead = std::nullopt, std::string text = "") {
    ActionInput in;
    in.action = a;
    in.lead_unit_id = lead;
    in.text = std::move(text);
    return in;
  }
  Actor city_{1, Role::kDispatcher, kCityCentre};
  Actor licheng_{2, Role::kDispatcher, kLichengOffice};
  Actor lixia_{3, Role::kDispatcher, kLixiaOffice};
  Actor street_a_{4, Role::kHandler, kStreetA};
  Actor street_b_{5, Role::kHandler, kStreetB};
  std::vector<Event> events_;
};

TEST_F(TwoHopTest, CityToOfficeToStreetWithAReturnAtEachHopAndThePathInTheEvents) {
  ActionInput to_office = In(Action::kDispatch, kLixiaOffice);
  to_office.hop.lead_is_district_office = true;
  WorkOrder o = Step(Received(), to_office, city_);
  const Timestamp case_due = o.due_at;
  ASSERT_GT(case_due, kNow);
  // Hop 1 return: the Lixia office asks to give it back; it may not approve its own request,
  // the city does and reassigns it to Licheng's office.
  o = Step(o, In(Action::kRequestReturn, std::nullopt, "不属于本区"), lixia_);
  EXPECT_EQ(o.state, State::kReturnRequested);
  EXPECT_EQ(Plan(o, In(Action::kApproveReturn, kLichengOffice), lixia_, Ctx()).status().code(),
            Code::kForbidden);
  ActionInput reassign = In(Action::kApproveReturn, kLichengOffice);
  reassign.hop.lead_is_district_office = true;
  o = Step(o, reassign, city_);
  EXPECT_EQ(o.lead_unit_id, kLichengOffice);
  EXPECT_EQ(o.return_count, 1);
  // The office signs and re-dispatches to street A; the sign limit runs again, the case
  // deadline does not move.
  o = Step(o, In(Action::kSign), licheng_);
  const Timestamp later = kNow + 7200;
  o = Step(o, In(Action::kRelay, kStreetA), licheng_, later);
  EXPECT_EQ(o.state, State::kDispatched);
  EXPECT_EQ(o.relay_unit_id, kLichengOffice);
  EXPECT_EQ(o.lead_unit_id, kStreetA);
  EXPECT_GT(o.sign_due, later);
  EXPECT_EQ(o.due_at, case_due);
  // Hop 2 return: street A asks; the city may not review it, the office reassigns to street B.
  o = Step(o, In(Action::kRequestReturn, std::nullopt, "不在辖区"), street_a_, later + 60);
  EXPECT_EQ(Plan(o, In(Action::kApproveReturn, kStreetB), city_, Ctx()).status().code(),
            Code::kForbidden);
  EXPECT_EQ(Plan(o, In(Action::kApproveReturn, kStreetB), lixia_, Ctx()).status().code(),
            Code::kForbidden);
  o = Step(o, In(Action::kApproveReturn, kStreetB), licheng_, later + 120);
  EXPECT_EQ(o.lead_unit_id, kStreetB);
  EXPECT_EQ(o.relay_unit_id, kLichengOffice);
  EXPECT_EQ(o.state, State::kDispatched);
  EXPECT_EQ(o.due_at, case_due);
  EXPECT_EQ(o.return_count, 2);
  // Street B signs, asks for more time; the office (not the city) rules on it.
  o = Step(o, In(Action::kSign), street_b_, later + 180);
  ActionInput ext = In(Action::kRequestExtension, std::nullopt, "需协调");
  ext.extension_days = 2;
  o = Step(o, ext, street_b_, later + 240);
  EXPECT_EQ(Plan(o, In(Action::kApproveExtension), city_, Ctx()).status().code(), Code::kForbidden);
  o = Step(o, In(Action::kApproveExtension), licheng_, later + 300);
  EXPECT_GT(o.due_at, case_due);
  // Street B replies; the city calls back and closes.
  ActionInput reply = In(Action::kReply);
  reply.reply = Reply{false, later + 300, "phone", true, "", "已清理", "已清理完毕"};
  o = Step(o, reply, street_b_, later + 360);
  ActionInput cb = In(Action::kCallback);
  cb.rating = Rating::kSatisfied;
  o = Step(o, cb, city_, later + 400);
  o = Step(o, In(Action::kClose), city_, later + 420);
  EXPECT_EQ(o.state, State::kClosed);

  std::vector<std::string> path;
  for (const Event& e : events_) path.push_back(e.action + "@" + std::to_string(*e.unit_id));
  EXPECT_EQ(path,
            (std::vector<std::string>{
                "dispatch@1", "request_return@200", "approve_return@1", "sign@100", "relay@100",
                "request_return@101", "approve_return@100", "sign@102", "request_extension@102",
                "approve_extension@100", "reply@102", "callback@1", "close@1"}));
  EXPECT_NE(events_[4].data_json.find("\"relay_unit_id\":100"), std::string::npos);
  EXPECT_NE(events_[4].data_json.find("\"lead_unit_id\":101"), std::string::npos);
}

TEST_F(TwoHopTest, TheOfficeTakesASecondHopReturnBackAndReturnsItToTheCity) {
  ActionInput to_office = In(Action::kDispatch, kLichengOffice);
  to_office.hop.lead_is_district_office = true;
  WorkOrder o = Step(Received(), to_office, city_);
  o = Step(o, In(Action::kSign), licheng_);
  o = Step(o, In(Action::kRelay, kStreetA), licheng_);
  o = Step(o, In(Action::kRequestReturn, std::nullopt, "非本街道事项"), street_a_);
  // No unit named: back to the office, which holds it signed.
  o = Step(o, In(Action::kApproveReturn), licheng_);
  EXPECT_EQ(o.state, State::kInProgress);
  EXPECT_EQ(o.lead_unit_id, kLichengOffice);
  EXPECT_FALSE(o.relay_unit_id);
  // The office returns it to the city with a reason; the city rules, back to its pool.
  EXPECT_FALSE(Plan(o, In(Action::kRequestReturn), licheng_, Ctx()).ok());  // reason required
  o = Step(o, In(Action::kRequestReturn, std::nullopt, "应由市级部门办理"), licheng_);
  EXPECT_EQ(Plan(o, In(Action::kApproveReturn), licheng_, Ctx()).status().code(), Code::kForbidden);
  o = Step(o, In(Action::kApproveReturn), city_);
  EXPECT_EQ(o.state, State::kReceived);
  EXPECT_FALSE(o.lead_unit_id);
  EXPECT_EQ(o.return_count, 2);
}

TEST_F(TwoHopTest, OnlyTheOfficeRelaysOnceAndADistrictOfficeDoesNotDispatch) {
  ActionInput to_office = In(Action::kDispatch, kLichengOffice);
  to_office.hop.lead_is_district_office = true;
  WorkOrder o = Step(Received(), to_office, city_);
  // Not signed yet: no relay.
  EXPECT_EQ(Plan(o, In(Action::kRelay, kStreetA), licheng_, Ctx()).status().code(),
            Code::kFailedPrecondition);
  o = Step(o, In(Action::kSign), licheng_);
  EXPECT_EQ(Plan(o, In(Action::kRelay, kStreetA), lixia_, Ctx()).status().code(), Code::kForbidden);
  ActionInput to_other_office = In(Action::kRelay, kLixiaOffice);
  to_other_office.hop.lead_is_district_office = true;
  EXPECT_EQ(Plan(o, to_other_office, licheng_, Ctx()).status().field(), "lead_unit_id");
  EXPECT_EQ(Plan(o, In(Action::kRelay), licheng_, Ctx()).status().field(), "lead_unit_id");
  o = Step(o, In(Action::kRelay, kStreetA), licheng_);
  // Signed by the street: the order cannot be relayed a second time.
  o = Step(o, In(Action::kSign), street_a_);
  auto offered = AvailableActions(o, licheng_);
  EXPECT_EQ(std::count(offered.begin(), offered.end(), Action::kRelay), 0);
  EXPECT_EQ(Plan(o, In(Action::kRelay, kStreetB), licheng_, Ctx()).status().code(),
            Code::kForbidden);  // the office is no longer the lead
  ActionInput from_office = In(Action::kDispatch, kStreetA);
  from_office.hop.actor_is_district_office = true;
  EXPECT_EQ(Plan(Received(), from_office, licheng_, Ctx()).status().code(), Code::kForbidden);
}

TEST_F(TwoHopTest, SkippingTheDistrictIsRecordedAndANormalOrderNeedsAReason) {
  ActionInput skip = In(Action::kDispatch, kStreetA);
  skip.hop.skips_district = true;
  auto refused = Plan(Received(), skip, city_, Ctx());
  EXPECT_EQ(refused.status().field(), "text");
  skip.text = "涉及多个街道，市里直接派到牵头街道";
  WorkOrder o = Step(Received(), skip, city_);
  EXPECT_EQ(o.lead_unit_id, kStreetA);
  EXPECT_FALSE(o.relay_unit_id);
  EXPECT_NE(events_.back().data_json.find("\"skip_level\":true"), std::string::npos);
  // An urgent matter may go straight down without a reason.
  WorkOrder urgent = Received();
  urgent.urgency = Urgency::kUrgent;
  skip.text.clear();
  Step(urgent, skip, city_);
  EXPECT_NE(events_.back().data_json.find("\"skip_level\":true"), std::string::npos);
  // An ordinary dispatch records no skip.
  ActionInput normal = In(Action::kDispatch, kLichengOffice);
  normal.hop.lead_is_district_office = true;
  Step(Received(), normal, city_);
  EXPECT_EQ(events_.back().data_json.find("skip_level"), std::string::npos);
}

}  // namespace
}  // namespace hotline
