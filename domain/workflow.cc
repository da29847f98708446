#include "domain/workflow.h"

#include <algorithm>

namespace hotline {

template <>
std::span<const EnumName<Action>> EnumNames<Action>() {
  static const EnumName<Action> kNames[] = {
      {Action::kAnswer, "answer", "直接答复"},
      {Action::kDispatch, "dispatch", "派单"},
      {Action::kSign, "sign", "签收"},
      {Action::kRequestReturn, "request_return", "申请退单"},
      {Action::kApproveReturn, "approve_return", "同意退单"},
      {Action::kRejectReturn, "reject_return", "驳回退单"},
      {Action::kRequestExtension, "request_extension", "申请延期"},
      {Action::kApproveExtension, "approve_extension", "批准延期"},
      {Action::kRejectExtension, "reject_extension", "驳回延期"},
      {Action::kReply, "reply", "答复"},
      {Action::kAssistReply, "assist_reply", "协办反馈"},
      {Action::kCallback, "callback", "回访"},
      {Action::kClose, "close", "办结"},
      {Action::kRedo, "redo", "重办"},
      {Action::kSupervise, "supervise", "督办"},
      {Action::kMerge, "merge", "并单"},
      {Action::kSuspend, "suspend", "挂账"},
      {Action::kResume, "resume", "恢复办理"},
      {Action::kReject, "reject", "不予受理"},
      {Action::kExcludeFromKpi, "exclude_from_kpi", "剔除考核"},
      {Action::kIncludeInKpi, "include_in_kpi", "恢复考核"},
      {Action::kRelocate, "relocate", "修正地点"},
      {Action::kRelay, "relay", "二次派单"},
  };
  return kNames;
}

namespace {

using S = State;
using R = Role;

std::vector<State> EveryState() {
  return {S::kReceived, S::kDispatched, S::kReturnRequested, S::kInProgress, S::kExtensionRequested,
          S::kReplied,  S::kVisited,    S::kClosed,          S::kMerged,     S::kSuspended,
          S::kRejected};
}

const std::vector<ActionSpec>& Table() {
  static const std::vector<ActionSpec> kTable = {
      {Action::kAnswer, {S::kReceived}, {R::kAgent, R::kAdmin}, "", S::kReplied},
      {Action::kDispatch,
       {S::kReceived},
       {R::kAgent, R::kDispatcher, R::kAdmin},
       "",
       S::kDispatched},
      // A district hotline office's dispatchers sign, return and relay what the city sends it.
      {Action::kSign,
       {S::kDispatched},
       {R::kHandler, R::kGridWorker, R::kDispatcher},
       "lead",
       S::kInProgress},
      {Action::kRequestReturn,
       {S::kDispatched, S::kInProgress},
       {R::kHandler, R::kGridWorker, R::kDispatcher},
       "lead",
       S::kReturnRequested},
      {Action::kApproveReturn,
       {S::kReturnRequested},
       {R::kDispatcher, R::kAdmin},
       "reviewer",
       std::nullopt},
      {Action::kRejectReturn,
       {S::kReturnRequested},
       {R::kDispatcher, R::kAdmin},
       "reviewer",
       std::nullopt},
      {Action::kRequestExtension,
       {S::kInProgress},
       {R::kHandler, R::kGridWorker},
       "lead",
       S::kExtensionRequested},
      {Action::kApproveExtension,
       {S::kExtensionRequested},
       {R::kDispatcher, R::kAdmin},
       "reviewer",
       S::kInProgress},
      {Action::kRejectExtension,
       {S::kExtensionRequested},
       {R::kDispatcher, R::kAdmin},
       "reviewer",
       S::kInProgress},
      {Action::kReply,
       {S::kInProgress, S::kExtensionRequested},
       {R::kHandler, R::kGridWorker},
       "lead",
       S::kReplied},
      {Action::kAssistReply,
       {S::kDispatched, S::kInProgress, S::kExtensionRequested},
       {R::kHandler, R::kGridWorker},
       "assist",
       std::nullopt},
      // A citizen rates the reply on their own appeal (评价); see the "own appeal" rule in Plan().
      {Action::kCallback,
       {S::kReplied},
       {R::kCitizen, R::kAgent, R::kDispatcher, R::kAdmin},
       "",
       S::kVisited},
      {Action::kClose,
       {S::kReplied, S::kVisited},
       {R::kAgent, R::kDispatcher, R::kAdmin},
       "",
       S::kClosed},
      {Action::kRedo, {S::kVisited}, {R::kDispatcher, R::kAdmin}, "", std::nullopt},
      {Action::kSupervise,
       {S::kReceived, S::kDispatched, S::kReturnRequested, S::kInProgress, S::kExtensionRequested,
        S::kReplied, S::kVisited, S::kSuspended},
       {R::kSupervisor, R::kAdmin},
       "",
       std::nullopt},
      {Action::kMerge,
       {S::kReceived, S::kDispatched},
       {R::kAgent, R::kDispatcher, R::kAdmin},
       "",
       S::kMerged},
      {Action::kSuspend,
       {S::kDispatched, S::kInProgress},
       {R::kDispatcher, R::kAdmin},
       "",
       S::kSuspended},
      {Action::kResume, {S::kSuspended}, {R::kDispatcher, R::kAdmin}, "", std::nullopt},
      {Action::kReject, {S::kReceived}, {R::kAgent, R::kDispatcher, R::kAdmin}, "", S::kRejected},
      {Action::kExcludeFromKpi, EveryState(), {R::kSupervisor, R::kAdmin}, "", std::nullopt},
      {Action::kIncludeInKpi, EveryState(), {R::kSupervisor, R::kAdmin}, "", std::nullopt},
      {Action::kRelocate,
       {S::kReceived, S::kDispatched, S::kReturnRequested, S::kInProgress, S::kExtensionRequested,
        S::kSuspended},
       {R::kAgent, R::kDispatcher, R::kAdmin},
       "",
       std::nullopt},
      {Action::kRelay, {S::kInProgress}, {R::kDispatcher}, "lead", S::kDispatched},
  };
  return kTable;
}

template <typename T>
bool Contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// A tiny writer for the event's data: numbers and ASCII wire names only, so no
// escaping is needed (free text goes to Event::text).
class DataJson {
 public:
  DataJson& Num(const char* key, long long v) { return Raw(key, std::to_string(v)); }
  DataJson& Name(const char* key, std::string_view v) {
    return Raw(key, "\"" + std::string(v) + "\"");
  }
  DataJson& Bool(const char* key, bool v) { return Raw(key, v ? "true" : "false"); }
  DataJson& Ids(const char* key, const std::vector<Id>& ids) {
    std::string s = "[";
    for (size_t i = 0; i < ids.size(); ++i) s += (i ? "," : "") + std::to_string(ids[i]);
    return Raw(key, s + "]");
  }
  std::string str() const { return "{" + body_ + "}"; }

 private:
  DataJson& Raw(const char* key, const std::string& v) {
    if (!body_.empty()) body_ += ",";
    body_ += "\"" + std::string(key) + "\":" + v;
    return *this;
  }
  std::string body_;
};

bool Unsatisfied(const WorkOrder& o) {
  return o.callback && (o.callback->rating == Rating::kUnsatisfied ||
                        o.callback->rating == Rating::kVeryUnsatisfied);
}

// Who reviews a unit's request (return, extension): the relay office at the second hop
// (an admin may stand in); at the first hop any dispatcher in scope but one of the lead unit
// itself — a district office does not approve its own return to the city.
bool IsReviewer(const WorkOrder& o, const Actor& actor) {
  if (o.relay_unit_id) return actor.unit_id == *o.relay_unit_id || actor.role == Role::kAdmin;
  return !o.lead_unit_id || actor.unit_id != *o.lead_unit_id;
}

// Hands an order (whose relay_unit_id is set) to the district's unit `in` names: a new hop that
// signs within the sign limit, while the whole case keeps the city's deadline.
void SecondHop(const ActionInput& in, const DeadlineContext& ctx, WorkOrder& n, DataJson& data) {
  const DeadlineRule& rule = ctx.rules->Match(n.subject_code, n.urgency, n.nature);
  n.lead_unit_id = in.lead_unit_id;
  n.assist_unit_ids = in.assist_unit_ids;
  n.state = State::kDispatched;
  n.dispatched_at = ctx.now;
  n.signed_at = 0;
  n.sign_due = AddLimit(*ctx.calendar, ctx.now, rule.sign);
  data.Num("relay_unit_id", *n.relay_unit_id)
      .Num("lead_unit_id", *n.lead_unit_id)
      .Ids("assist_unit_ids", n.assist_unit_ids)
      .Num("sign_due", n.sign_due)
      .Num("due_at", n.due_at);
}

Status RequireText(const ActionInput& in, const char* what) {
  if (in.text.find_first_not_of(" \t\r\n") == std::string::npos)
    return Invalid("text", std::string(what) + " is required");
  return {};
}

Status CheckReply(const Reply& r, const WorkOrder& o, Timestamp now) {
  if (r.contacted_at <= 0)
    return Invalid("reply.contacted_at", "when the caller was contacted is required");
  if (r.contacted_at > now) return Invalid("reply.contacted_at", "contact time is in the future");
  if (r.contacted_at < o.created_at)
    return Invalid("reply.contacted_at", "contact time is before the appeal was received");
  static const char* kMethods[] = {"phone", "sms", "visit", "on_site", "wechat", "letter"};
  if (std::none_of(std::begin(kMethods), std::end(kMethods),
                   [&](const char* m) { return r.contact_method == m; }))
    return Invalid("reply.contact_method",
                   "contact method must be one of phone, sms, visit, on_site, wechat, letter");
  if (!r.resolved && r.unresolved_reason.find_first_not_of(" \t\r\n") == std::string::npos)
    return Invalid("reply.unresolved_reason", "why it is not resolved is required");
  if (r.actions_taken.find_first_not_of(" \t\r\n") == std::string::npos)
    return Invalid("reply.actions_taken", "what was done (办理情况) is required");
  if (r.public_text.find_first_not_of(" \t\r\n") == std::string::npos)
    return Invalid("reply.public_text", "the public reply text is required");
  return {};
}

}  // namespace

std::span<const ActionSpec> ActionTable() { return Table(); }

std::span<const std::string_view> KpiExclusionBases() {
  static const std::string_view kBases[] = {"unreasonable", "illegal_demand", "malicious_repeat",
                                            "outside_duty", "force_majeure",  "other"};
  return kBases;
}

const ActionSpec& SpecOf(Action a) {
  for (const auto& s : Table())
    if (s.action == a) return s;
  return Table().front();  // unreachable: every action has a row
}

void SetDeadlines(WorkOrder& o, const DeadlineContext& ctx) {
  const DeadlineRule& rule = ctx.rules->Match(o.subject_code, o.urgency, o.nature);
  o.sign_due = AddLimit(*ctx.calendar, ctx.now, rule.sign);
  o.due_at = AddLimit(*ctx.calendar, ctx.now, rule.handle);
  o.yellow_at = YellowAt(*ctx.calendar, ctx.now, o.due_at, ctx.policy);
}

Light LightOf(const WorkOrder& o, Timestamp now) {
  if (!IsOpen(o.state)) return Light::kNone;
  return LightAt(now, o.yellow_at, o.due_at);
}

std::vector<Action> AvailableActions(const WorkOrder& o, const Actor& actor) {
  std::vector<Action> out;
  for (const auto& s : Table()) {
    if (!Contains(s.from, o.state) || !Contains(s.roles, actor.role)) continue;
    std::string_view rule = s.unit_rule;
    if (rule == "lead" && o.lead_unit_id != actor.unit_id) continue;
    if (rule == "assist" && !Contains(o.assist_unit_ids, actor.unit_id)) continue;
    if (rule == "reviewer" && !IsReviewer(o, actor)) continue;
    if (s.action == Action::kRelay && o.relay_unit_id) continue;
    if (s.action == Action::kRedo && !Unsatisfied(o)) continue;
    if (actor.role == Role::kCitizen && o.citizen_user_id.value_or(0) != actor.user_id) continue;
    out.push_back(s.action);
  }
  return out;
}

Result<Transition> Plan(const WorkOrder& o, const ActionInput& in, const Actor& actor,
                        const DeadlineContext& ctx) {
  const ActionSpec& spec = SpecOf(in.action);
  const std::string name(ToString(in.action));
  if (!Contains(spec.roles, actor.role))
    return Status(Code::kForbidden,
                  "role " + std::string(ToString(actor.role)) + " may not " + name);
  if (!Contains(spec.from, o.state))
    return Status(Code::kFailedPrecondition,
                  "cannot " + name + " an order that is " + std::string(ToString(o.state)));
  std::string_view unit_rule = spec.unit_rule;
  if (unit_rule == "lead" && o.lead_unit_id != actor.unit_id)
    return Status(Code::kForbidden, "only the lead unit may " + name + " this order");
  if (unit_rule == "assist" && !Contains(o.assist_unit_ids, actor.unit_id))
    return Status(Code::kForbidden, "only an assisting unit may " + name + " this order");
  if (unit_rule == "reviewer" && !IsReviewer(o, actor))
    return Status(Code::kForbidden,
                  o.relay_unit_id
                      ? "only the district office that re-dispatched this order may " + name + " it"
                      : "the unit that asked may not " + name + " its own request");
  // A citizen acts only on their own appeal: the account that filed it, or (user 0) a caller
  // the service has identified by the order number and the phone the appeal was made with.
  if (actor.role == Role::kCitizen && o.citizen_user_id.value_or(0) != actor.user_id)
    return Status(Code::kForbidden, "a citizen may only " + name + " their own appeal");

  const Timestamp now = ctx.now;
  Transition t{o, {}};
  WorkOrder& n = t.next;
  DataJson data;
  std::string text = in.text;

  switch (in.action) {
    case Action::kAnswer: {
      if (!in.reply || in.reply->public_text.find_first_not_of(" \t\r\n") == std::string::npos)
        return Invalid("reply.public_text", "the answer given to the caller is required");
      Reply r = *in.reply;
      r.direct = true;
      r.resolved = true;
      r.contacted_at = now;
      if (r.contact_method.empty()) r.contact_method = "phone";
      if (r.actions_taken.empty()) r.actions_taken = "话务员直接答复";
      n.reply = r;
      n.state = S::kReplied;
      n.replied_at = now;
      text = r.public_text;
      if (!in.kb_entry.empty()) data.Name("kb_entry", in.kb_entry).Num("kb_version", in.kb_version);
      break;
    }
    case Action::kRelay: {
      if (o.relay_unit_id)
        return Status(Code::kFailedPrecondition,
                      "this order has already been re-dispatched within the district");
      if (!in.lead_unit_id) return Invalid("lead_unit_id", "the lead unit is required");
      if (*in.lead_unit_id == o.lead_unit_id || in.hop.lead_is_district_office)
        return Invalid("lead_unit_id",
                       "re-dispatch to one of the district's streets or departments");
      for (Id a : in.assist_unit_ids)
        if (a == *in.lead_unit_id)
          return Invalid("assist_unit_ids", "the lead unit cannot also assist");
      n.relay_unit_id = o.lead_unit_id;
      SecondHop(in, ctx, n, data);
      break;
    }
    case Action::kApproveReturn:
      if (o.relay_unit_id) {
        // The second hop's return, reviewed by the district office: reassign within the
        // district (the case deadline stays), or take the order back to the office.
        if (in.lead_unit_id && in.lead_unit_id == o.lead_unit_id)
          return Invalid("lead_unit_id", "reassign to a different unit than the one returning it");
        if (in.lead_unit_id &&
            (*in.lead_unit_id == *o.relay_unit_id || in.hop.lead_is_district_office))
          return Invalid("lead_unit_id",
                         "reassign to a street or department of the district, or give no "
                         "lead_unit_id to take the order back to the office");
        for (Id a : in.assist_unit_ids)
          if (in.lead_unit_id && a == *in.lead_unit_id)
            return Invalid("assist_unit_ids", "the lead unit cannot also assist");
        n.return_count += 1;
        n.state_before.reset();
        n.pending_request.clear();
        if (!in.lead_unit_id) {
          n.state = S::kInProgress;
          n.lead_unit_id = o.relay_unit_id;
          n.relay_unit_id.reset();
          n.assist_unit_ids.clear();
          n.sign_due = 0;
          data.Num("to_office", *o.relay_unit_id)
              .Num("lead_unit_id", *o.relay_unit_id)
              .Num("due_at", n.due_at);
          break;
        }
        SecondHop(in, ctx, n, data);
        break;
      }
      [[fallthrough]];
    case Action::kDispatch: {
      if (in.action == Action::kDispatch && in.hop.actor_is_district_office)
        return Status(Code::kForbidden,
                      "the city centre dispatches; a district office signs what the city sends "
                      "it and re-dispatches it (relay)");
      if (in.action == Action::kApproveReturn && !in.lead_unit_id) {
        // Back to the dispatch pool: the dispatcher will choose a unit later.
        n.state = S::kReceived;
        n.lead_unit_id.reset();
        n.assist_unit_ids.clear();
        n.sign_due = n.due_at = n.yellow_at = 0;
        n.return_count += 1;
        n.state_before.reset();
        n.pending_request.clear();
        data.Bool("to_pool", true);
        break;
      }
      if (!in.lead_unit_id) return Invalid("lead_unit_id", "the lead unit is required");
      if (in.action == Action::kApproveReturn && in.lead_unit_id == o.lead_unit_id)
        return Invalid("lead_unit_id", "reassign to a different unit than the one returning it");
      for (Id a : in.assist_unit_ids)
        if (a == *in.lead_unit_id)
          return Invalid("assist_unit_ids", "the lead unit cannot also assist");
      if (in.subject_code) n.subject_code = *in.subject_code;
      if (n.subject_code.empty())
        return Invalid("subject_code", "classify the appeal (subject_code) before dispatching");
      n.lead_unit_id = in.lead_unit_id;
      n.assist_unit_ids = in.assist_unit_ids;
      n.state = S::kDispatched;
      n.dispatched_at = now;
      n.signed_at = 0;
      n.state_before.reset();
      n.pending_request.clear();
      if (in.hop.skips_district) {
        // 越级派单: past the district office, straight to a street. Urgent and critical
        // matters may; a normal one needs the dispatcher's reason.
        if (o.urgency == Urgency::kNormal)
          HOTLINE_RETURN_IF_ERROR(
              RequireText(in,
                          "dispatching a normal order past the district office (越级派单) needs a "
                          "reason; it"));
        data.Bool("skip_level", true);
      }
      if (in.action == Action::kApproveReturn) n.return_count += 1;
      SetDeadlines(n, ctx);
      data.Num("lead_unit_id", *n.lead_unit_id)
          .Ids("assist_unit_ids", n.assist_unit_ids)
          .Num("sign_due", n.sign_due)
          .Num("due_at", n.due_at);
      break;
    }
    case Action::kSign:
      n.state = S::kInProgress;
      n.signed_at = now;
      data.Bool("on_time", now <= o.sign_due);
      break;
    case Action::kRequestReturn: {
      HOTLINE_RETURN_IF_ERROR(RequireText(in, "the reason for returning"));
      const DeadlineRule& rule = ctx.rules->Match(o.subject_code, o.urgency, o.nature);
      Timestamp window_end = AddLimit(*ctx.calendar, o.dispatched_at, rule.return_window);
      if (now > window_end)
        return Status(
            Code::kFailedPrecondition,
            "the return window (" + FormatLimit(rule.return_window) + " after dispatch) has ended");
      n.state = S::kReturnRequested;
      n.state_before = o.state;
      n.pending_request = in.text;
      break;
    }
    case Action::kRejectReturn:
    case Action::kRejectExtension:
      HOTLINE_RETURN_IF_ERROR(RequireText(in, "the reason for rejecting"));
      n.state = in.action == Action::kRejectReturn ? o.state_before.value_or(S::kDispatched)
                                                   : S::kInProgress;
      n.state_before.reset();
      n.pending_request.clear();
      n.pending_extension_days = 0;
      break;
    case Action::kRequestExtension: {
      HOTLINE_RETURN_IF_ERROR(RequireText(in, "the reason for the extension"));
      const DeadlineRule& rule = ctx.rules->Match(o.subject_code, o.urgency, o.nature);
      if (o.extension_count > 0)
        return Status(Code::kFailedPrecondition, "this order has already been extended once");
      if (now > o.due_at)
        return Status(Code::kFailedPrecondition,
                      "an extension must be requested before the deadline; it has passed");
      int max_days = rule.max_extension.amount;
      if (in.extension_days < 1 || in.extension_days > max_days)
        return Invalid("extension_days",
                       "extension_days must be between 1 and " + std::to_string(max_days));
      n.state = S::kExtensionRequested;
      n.pending_request = in.text;
      n.pending_extension_days = in.extension_days;
      data.Num("extension_days", in.extension_days);
      break;
    }
    case Action::kApproveExtension: {
      const DeadlineRule& rule = ctx.rules->Match(o.subject_code, o.urgency, o.nature);
      Limit ext{o.pending_extension_days, rule.max_extension.unit};
      n.due_at = ExtendDeadline(*ctx.calendar, o.due_at, ext);
      n.yellow_at = YellowAt(*ctx.calendar, now, n.due_at, ctx.policy);
      n.extension_count += 1;
      n.state = S::kInProgress;
      n.pending_request.clear();
      n.pending_extension_days = 0;
      data.Num("extension_days", ext.amount).Num("old_due_at", o.due_at).Num("due_at", n.due_at);
      break;
    }
    case Action::kReply: {
      if (!in.reply) return Invalid("reply", "the reply is required");
      HOTLINE_RETURN_IF_ERROR(CheckReply(*in.reply, o, now));
      n.reply = *in.reply;
      n.reply->direct = false;
      n.state = S::kReplied;
      n.replied_at = now;
      n.pending_request.clear();
      n.pending_extension_days = 0;
      data.Bool("resolved", in.reply->resolved).Bool("on_time", now <= o.due_at);
      text = in.reply->public_text;
      break;
    }
    case Action::kAssistReply:
      HOTLINE_RETURN_IF_ERROR(RequireText(in, "the assisting unit's report"));
      break;
    case Action::kCallback:
      if (!in.rating) return Invalid("rating", "the rating is required: " + AllowedNames<Rating>());
      if (actor.role == Role::kCitizen && *in.rating == Rating::kUnreachable)
        return Invalid("rating", "a citizen rates the reply with one of the five levels");
      n.callback = Callback{*in.rating, in.text, now};
      n.state = S::kVisited;
      data.Name("rating", ToString(*in.rating));
      if (actor.role == Role::kCitizen) data.Name("by", "citizen");
      break;
    case Action::kClose:
      // A unit's reply is always called back; a direct answer may close at once.
      if (o.state == S::kReplied && !(o.reply && o.reply->direct))
        return Status(Code::kFailedPrecondition,
                      "a unit's reply must be called back (callback) before closing");
      if (Unsatisfied(o))
        HOTLINE_RETURN_IF_ERROR(
            RequireText(in, "closing after an unsatisfied callback needs an explanation; it"));
      n.state = S::kClosed;
      n.closed_at = now;
      break;
    case Action::kRedo:
      if (!Unsatisfied(o))
        return Status(Code::kFailedPrecondition,
                      "redo is only for orders whose callback was unsatisfied");
      n.redo_count += 1;
      n.replied_at = 0;
      n.reply.reset();
      n.callback.reset();
      n.extension_count = 0;
      n.signed_at = 0;
      if (!o.lead_unit_id) {
        // A direct answer the caller was unhappy with becomes a real work order:
        // back to the dispatch pool.
        n.state = S::kReceived;
        n.sign_due = n.due_at = n.yellow_at = 0;
        data.Bool("to_pool", true);
        break;
      }
      n.state = S::kDispatched;
      n.dispatched_at = now;
      SetDeadlines(n, ctx);
      data.Num("lead_unit_id", *n.lead_unit_id).Num("due_at", n.due_at);
      break;
    case Action::kSupervise:
      HOTLINE_RETURN_IF_ERROR(RequireText(in, "the supervision demand"));
      n.supervised = true;
      break;
    case Action::kMerge:
      if (!in.merge_into) return Invalid("merge_into", "the order to merge into is required");
      if (*in.merge_into == o.id) return Invalid("merge_into", "an order cannot merge into itself");
      n.merged_into = in.merge_into;
      n.state = S::kMerged;
      n.closed_at = now;
      data.Num("merge_into", *in.merge_into);
      break;
    case Action::kSuspend:
      HOTLINE_RETURN_IF_ERROR(RequireText(in, "the reason for suspending"));
      n.state_before = o.state;
      n.state = S::kSuspended;
      n.suspended_at = now;
      break;
    case Action::kResume: {
      n.state = o.state_before.value_or(S::kInProgress);
      n.state_before.reset();
      // The clock stopped while parked: the deadlines move by the time parked.
      Timestamp parked = std::max<Timestamp>(0, now - o.suspended_at);
      if (o.due_at) n.due_at = o.due_at + parked;
      if (o.sign_due) n.sign_due = o.sign_due + parked;
      if (o.yellow_at) n.yellow_at = o.yellow_at + parked;
      n.suspended_at = 0;
      data.Num("parked_seconds", parked).Num("due_at", n.due_at);
      break;
    }
    case Action::kReject:
      if (!in.basis)
        return Invalid("basis", "the legal basis is required: " + AllowedNames<RejectBasis>());
      HOTLINE_RETURN_IF_ERROR(RequireText(in, "the explanation to the caller"));
      n.reject_basis = in.basis;
      n.state = S::kRejected;
      n.closed_at = now;
      data.Name("basis", ToString(*in.basis));
      break;
    case Action::kExcludeFromKpi:
    case Action::kIncludeInKpi: {
      // Whether the unit was a lead of this order and whether it is already excluded
      // are facts of the event log: the service checks them before planning.
      if (!in.kpi_unit_id || *in.kpi_unit_id <= 0)
        return Invalid("unit_id", "the unit whose score is concerned (unit_id) is required");
      if (*in.kpi_unit_id == actor.unit_id)
        return Status(Code::kForbidden, "a unit may not " + name + " for itself", "unit_id");
      HOTLINE_RETURN_IF_ERROR(RequireText(in, "the reason"));
      auto bases = KpiExclusionBases();
      std::string basis = in.kpi_basis.empty() ? "other" : in.kpi_basis;
      if (std::find(bases.begin(), bases.end(), basis) == bases.end())
        return Invalid("basis",
                       "basis must be one of unreasonable, illegal_demand, malicious_repeat, "
                       "outside_duty, force_majeure, other");
      data.Num("unit_id", *in.kpi_unit_id).Name("basis", basis);
      break;
    }
    case Action::kRelocate: {
      if (!in.place || !(in.place->grid_id || in.place->community_id || in.place->street_id))
        return Invalid("place",
                       "the corrected place is required: a street, community or grid, "
                       "coordinates inside the district, or an address the gazetteer knows");
      HOTLINE_RETURN_IF_ERROR(RequireText(in, "the reason for the correction"));
      n.place = *in.place;
      n.place_resolution.reset();
      if (n.place.street_id) data.Num("street_id", *n.place.street_id);
      if (n.place.community_id) data.Num("community_id", *n.place.community_id);
      if (n.place.grid_id) data.Num("grid_id", *n.place.grid_id);
      if (o.place.street_id) data.Num("from_street_id", *o.place.street_id);
      if (o.place.grid_id) data.Num("from_grid_id", *o.place.grid_id);
      break;
    }
  }

  n.version = o.version + 1;
  n.updated_at = now;
  t.event.order_id = o.id;
  t.event.at = now;
  t.event.action = name;
  t.event.from = o.state;
  t.event.to = n.state;
  t.event.user_id = actor.user_id;
  t.event.unit_id = actor.unit_id;
  t.event.text = text;
  t.event.data_json = data.str();
  return t;
}

}  // namespace hotline
