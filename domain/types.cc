#include "domain/types.h"

namespace hotline {

#define HOTLINE_NAMES(E, ...)                          \
  template <>                                          \
  std::span<const EnumName<E>> EnumNames<E>() {        \
    static const EnumName<E> kNames[] = {__VA_ARGS__}; \
    return kNames;                                     \
  }

HOTLINE_NAMES(Channel, {Channel::kHotline, "hotline", "热线电话"}, {Channel::kWeb, "web", "网站"},
              {Channel::kApp, "app", "移动应用"}, {Channel::kWechat, "wechat", "微信"},
              {Channel::kGridPatrol, "grid_patrol", "网格巡查"},
              {Channel::kOnlineOpinion, "online_opinion", "网络舆情"},
              {Channel::kPetition, "petition", "信访"}, {Channel::kOpen311, "open311", "Open311"},
              {Channel::kEmail, "email", "电子邮件"}, {Channel::kSensor, "sensor", "感知设备"})
HOTLINE_NAMES(Nature, {Nature::kConsultation, "consultation", "咨询"},
              {Nature::kHelp, "help", "求助"}, {Nature::kComplaint, "complaint", "投诉"},
              {Nature::kReport, "report", "举报"}, {Nature::kSuggestion, "suggestion", "建议"},
              {Nature::kPraise, "praise", "表扬"})
HOTLINE_NAMES(Urgency, {Urgency::kNormal, "normal", "一般"}, {Urgency::kUrgent, "urgent", "紧急"},
              {Urgency::kCritical, "critical", "特急"})
HOTLINE_NAMES(State, {State::kReceived, "received", "已受理"},
              {State::kDispatched, "dispatched", "已派单"},
              {State::kReturnRequested, "return_requested", "退单审核中"},
              {State::kInProgress, "in_progress", "办理中"},
              {State::kExtensionRequested, "extension_requested", "延期审核中"},
              {State::kReplied, "replied", "已答复"}, {State::kVisited, "visited", "已回访"},
              {State::kClosed, "closed", "已办结"}, {State::kMerged, "merged", "已并单"},
              {State::kSuspended, "suspended", "已挂账"},
              {State::kRejected, "rejected", "不予受理"})
HOTLINE_NAMES(Role, {Role::kCitizen, "citizen", "市民"}, {Role::kAgent, "agent", "话务员"},
              {Role::kDispatcher, "dispatcher", "派单员"}, {Role::kHandler, "handler", "承办人"},
              {Role::kGridWorker, "grid_worker", "网格员"},
              {Role::kSupervisor, "supervisor", "督办员"}, {Role::kAdmin, "admin", "管理员"})
HOTLINE_NAMES(UnitKind, {UnitKind::kDistrict, "district", "区"},
              {UnitKind::kStreet, "street", "街道"}, {UnitKind::kCommunity, "community", "社区"},
              {UnitKind::kGrid, "grid", "网格"}, {UnitKind::kDepartment, "department", "部门"},
              {UnitKind::kCenter, "center", "热线中心"}, {UnitKind::kCity, "city", "市"})
HOTLINE_NAMES(GridKind, {GridKind::kBasic, "basic", "基础网格"},
              {GridKind::kDedicated, "dedicated", "专属网格"})
HOTLINE_NAMES(Rating, {Rating::kVerySatisfied, "very_satisfied", "非常满意"},
              {Rating::kSatisfied, "satisfied", "满意"},
              {Rating::kBasicallySatisfied, "basically_satisfied", "基本满意"},
              {Rating::kUnsatisfied, "unsatisfied", "不满意"},
              {Rating::kVeryUnsatisfied, "very_unsatisfied", "非常不满意"},
              {Rating::kUnreachable, "unreachable", "无法联系"})
HOTLINE_NAMES(RejectBasis, {RejectBasis::kLitigation, "litigation", "已进入诉讼程序"},
              {RejectBasis::kArbitration, "arbitration", "已进入仲裁程序"},
              {RejectBasis::kPetitionFiled, "petition_filed", "已通过信访渠道办理"},
              {RejectBasis::kDisciplinary, "disciplinary", "属纪检监察事项"},
              {RejectBasis::kAdministrativeReview, "administrative_review", "属行政复议事项"},
              {RejectBasis::kInformationDisclosure, "information_disclosure", "属政府信息公开申请"},
              {RejectBasis::kSecrets, "secrets", "涉及国家秘密、商业秘密或个人隐私"},
              {RejectBasis::kPublicOrder, "public_order", "违背公序良俗"},
              {RejectBasis::kNoNewFacts, "no_new_facts", "同一事项无新情况新理由"},
              {RejectBasis::kMalicious, "malicious", "恶意骚扰或无实质内容"},
              {RejectBasis::kEmergencyTransfer, "emergency_transfer",
               "紧急事项已转110/119/120/122"},
              {RejectBasis::kNoContent, "no_content", "诉求内容不清且无法联系"})

HOTLINE_NAMES(Light, {Light::kNone, "none", "无"}, {Light::kGreen, "green", "绿灯"},
              {Light::kYellow, "yellow", "黄灯"}, {Light::kRed, "red", "红灯"})
HOTLINE_NAMES(LimitUnit, {LimitUnit::kWorkingDays, "working_days", "工作日"},
              {LimitUnit::kWorkingHours, "working_hours", "工作小时"},
              {LimitUnit::kNaturalDays, "natural_days", "自然日"},
              {LimitUnit::kNaturalHours, "natural_hours", "自然小时"})
HOTLINE_NAMES(Territorial, {Territorial::kNone, "none", "不按属地"},
              {Territorial::kStreet, "street", "属地街道"},
              {Territorial::kCommunity, "community", "属地社区"},
              {Territorial::kGrid, "grid", "属地网格"})

#undef HOTLINE_NAMES

bool IsTerminal(State s) {
  return s == State::kClosed || s == State::kMerged || s == State::kRejected;
}

bool IsOpen(State s) {
  switch (s) {
    case State::kDispatched:
    case State::kReturnRequested:
    case State::kInProgress:
    case State::kExtensionRequested:
      return true;
    default:
      return false;
  }
}

}  // namespace hotline
