#include "service/calendar_json.h"

#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

namespace hotline {
namespace {

using nlohmann::json;

std::string Join(const std::string& prefix, const std::string& field) {
  if (prefix.empty()) return field;
  if (field.empty()) return prefix;
  return prefix + "." + field;
}

// Re-labels an error from a nested parser with the caller's path.
Status Prefixed(const Status& st, const std::string& prefix) {
  return Status(st.code(), st.message(), Join(prefix, st.field()));
}

Status CheckKeys(const json& obj, std::initializer_list<const char*> allowed,
                 const std::string& where) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool known = false;
    for (const char* k : allowed) known = known || it.key() == k;
    if (!known) return Invalid(Join(where, it.key()), "unknown field");
  }
  return Status::Ok();
}

std::optional<int> ParseOffset(std::string_view s) {
  if (s == "Z") return 0;
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return std::nullopt;
  auto digit = [&](int i) { return s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -100; };
  int hh = digit(1) * 10 + digit(2), mm = digit(4) * 10 + digit(5);
  if (hh < 0 || mm < 0 || hh > 14 || mm > 59 || (hh == 14 && mm != 0)) return std::nullopt;
  int seconds = hh * 3600 + mm * 60;
  return s[0] == '-' ? -seconds : seconds;
}

std::string FormatOffset(int seconds) {
  char buf[16];
  int a = seconds < 0 ? -seconds : seconds;
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", seconds < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
  return buf;
}

std::optional<int> ParseClock(std::string_view s) {  // "HH:MM", 00:00..24:00
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (int i : {0, 1, 3, 4}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  int hh = (s[0] - '0') * 10 + (s[1] - '0'), mm = (s[3] - '0') * 10 + (s[4] - '0');
  if (mm > 59 || hh > 24 || (hh == 24 && mm != 0)) return std::nullopt;
  return hh * 60 + mm;
}

std::string FormatClock(int minutes) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

template <typename E>
Result<std::optional<E>> OptionalEnum(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<E>();
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    if (s == "any" || s.empty()) return std::optional<E>();
    if (auto v = Parse<E>(s)) return std::optional<E>(*v);
  }
  return Invalid(key, "must be null (any) or one of " + AllowedNames<E>());
}

}  // namespace

Result<WorkCalendar> CalendarFromJson(std::string_view text) {
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    return Invalid("", "not valid JSON (byte " + std::to_string(e.byte) + ")");
  }
  if (!doc.is_object()) return Invalid("", "a calendar is a JSON object");
  HOTLINE_RETURN_IF_ERROR(CheckKeys(doc, {"utc_offset", "source", "office_hours", "days"}, ""));

  int offset = 8 * 3600;
  if (auto it = doc.find("utc_offset"); it != doc.end()) {
    std::optional<int> parsed;
    if (it->is_string()) parsed = ParseOffset(it->get_ref<const std::string&>());
    if (!parsed) return Invalid("utc_offset", "must be \"+HH:MM\" or \"-HH:MM\", e.g. \"+08:00\"");
    offset = *parsed;
  }
  WorkCalendar cal(offset);

  if (auto it = doc.find("source"); it != doc.end()) {
    if (!it->is_string()) return Invalid("source", "must be a string");
    cal.set_source(it->get<std::string>());
  }

  if (auto it = doc.find("office_hours"); it != doc.end()) {
    if (!it->is_object())
      return Invalid("office_hours", "must be {\"start\": \"09:00\", \"end\": \"17:00\"}");
    HOTLINE_RETURN_IF_ERROR(CheckKeys(*it, {"start", "end"}, "office_hours"));
    std::optional<int> start, end;
    if (it->contains("start") && (*it)["start"].is_string())
      start = ParseClock((*it)["start"].get_ref<const std::string&>());
    if (!start) return Invalid("office_hours.start", "must be \"HH:MM\"");
    if (it->contains("end") && (*it)["end"].is_string())
      end = ParseClock((*it)["end"].get_ref<const std::string&>());
    if (!end) return Invalid("office_hours.end", "must be \"HH:MM\"");
    Status st = cal.SetOfficeHours(*start, *end);
    if (!st.ok()) return Invalid("office_hours", "start must be before end");
  }

  auto days = doc.find("days");
  if (days == doc.end()) return Invalid("days", "required (may be an empty array)");
  if (!days->is_array()) return Invalid("days", "must be an array");
  if (days->size() > kMaxCalendarDays)
    return Invalid("days", "at most " + std::to_string(kMaxCalendarDays) + " entries");
  std::map<CivilDate, std::size_t> seen;
  for (std::size_t i = 0; i < days->size(); ++i) {
    const json& e = (*days)[i];
    const std::string where = "days[" + std::to_string(i) + "]";
    if (!e.is_object()) return Invalid(where, "must be an object with date, working, name");
    HOTLINE_RETURN_IF_ERROR(CheckKeys(e, {"date", "working", "name"}, where));
    SpecialDay day;
    auto date = e.find("date");
    if (date == e.end()) return Invalid(where + ".date", "required");
    std::optional<CivilDate> parsed;
    if (date->is_string()) parsed = ParseDate(date->get_ref<const std::string&>());
    if (!parsed) return Invalid(where + ".date", "must be a real date as \"YYYY-MM-DD\"");
    day.date = *parsed;
    auto [prev, inserted] = seen.emplace(day.date, i);
    if (!inserted)
      return Invalid(where + ".date", FormatDate(day.date) + " already given in days[" +
                                          std::to_string(prev->second) + "]");
    auto working = e.find("working");
    if (working == e.end() || !working->is_boolean())
      return Invalid(where + ".working", "required: true (调休 working day) or false (holiday)");
    day.working = working->get<bool>();
    if (auto name = e.find("name"); name != e.end()) {
      if (!name->is_string()) return Invalid(where + ".name", "must be a string");
      day.name = name->get<std::string>();
    }
    Status st = cal.SetDay(day);
    if (!st.ok()) return Prefixed(st, where);
  }
  return cal;
}

std::string CalendarToJson(const WorkCalendar& cal) {
  std::string out = "{\n  \"utc_offset\": " + json(FormatOffset(cal.utc_offset_seconds())).dump();
  out += ",\n  \"source\": " + json(cal.source()).dump();
  WorkCalendar defaults;
  if (cal.office_start_minute() != defaults.office_start_minute() ||
      cal.office_end_minute() != defaults.office_end_minute()) {
    json hours = {{"start", FormatClock(cal.office_start_minute())},
                  {"end", FormatClock(cal.office_end_minute())}};
    out += ",\n  \"office_hours\": " + hours.dump(-1, ' ', false);
  }
  out += ",\n  \"days\": [";
  bool first = true;
  for (const SpecialDay& d : cal.special_days()) {
    // Keys in file order (date, working, name) for readable diffs.
    out += first ? "\n    " : ",\n    ";
    first = false;
    out += "{\"date\": " + json(FormatDate(d.date)).dump() +
           ", \"working\": " + (d.working ? "true" : "false") +
           ", \"name\": " + json(d.name).dump() + "}";
  }
  out += first ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

Result<WorkCalendar> LoadCalendarFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::kNotFound, "cannot read calendar file " + path, "path");
  std::ostringstream buf;
  buf << in.rdbuf();
  return CalendarFromJson(buf.str());
}

Result<Limit> LimitFromJson(const json& j, const std::string& field) {
  if (j.is_string()) {
    Result<Limit> r = ParseLimit(j.get_ref<const std::string&>());
    if (!r.ok()) return Status(r.status().code(), r.status().message(), field);
    return r;
  }
  if (!j.is_object())
    return Invalid(field,
                   "must be {\"amount\": 5, \"unit\": \"working_days\"} or \"5 working_days\"");
  HOTLINE_RETURN_IF_ERROR(CheckKeys(j, {"amount", "unit"}, field));
  Limit limit;
  auto amount = j.find("amount");
  if (amount == j.end() || !amount->is_number_integer() ||
      amount->get<std::int64_t>() > std::numeric_limits<int>::max() ||
      amount->get<std::int64_t>() < std::numeric_limits<int>::min())
    return Invalid(field + ".amount", "required: a whole number");
  limit.amount = static_cast<int>(amount->get<std::int64_t>());
  auto unit = j.find("unit");
  std::optional<LimitUnit> parsed;
  if (unit != j.end() && unit->is_string()) parsed = Parse<LimitUnit>(unit->get<std::string>());
  if (!parsed) return Invalid(field + ".unit", "must be one of " + AllowedNames<LimitUnit>());
  limit.unit = *parsed;
  Status st = ValidateLimit(limit, field + ".amount");
  if (!st.ok()) return st;
  return limit;
}

json LimitToJson(Limit limit) {
  return json{{"amount", limit.amount}, {"unit", std::string(ToString(limit.unit))}};
}

Result<DeadlineRule> RuleFromJson(const json& j) {
  if (!j.is_object()) return Invalid("", "a deadline rule is a JSON object");
  HOTLINE_RETURN_IF_ERROR(CheckKeys(j,
                                    {"id", "subject_prefix", "urgency", "nature", "sign", "handle",
                                     "return_window", "max_extension"},
                                    ""));
  DeadlineRule rule;
  if (auto it = j.find("id"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() < 0)
      return Invalid("id", "must be a non-negative whole number");
    rule.id = it->get<Id>();
  }
  if (auto it = j.find("subject_prefix"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) return Invalid("subject_prefix", "must be a string of digits");
    rule.subject_prefix = it->get<std::string>();
  }
  HOTLINE_ASSIGN_OR_RETURN(rule.urgency, OptionalEnum<Urgency>(j, "urgency"));
  HOTLINE_ASSIGN_OR_RETURN(rule.nature, OptionalEnum<Nature>(j, "nature"));
  struct Field {
    const char* name;
    Limit* limit;
  } limits[] = {{"sign", &rule.sign},
                {"handle", &rule.handle},
                {"return_window", &rule.return_window},
                {"max_extension", &rule.max_extension}};
  for (const Field& f : limits) {
    if (auto it = j.find(f.name); it != j.end()) {
      HOTLINE_ASSIGN_OR_RETURN(*f.limit, LimitFromJson(*it, f.name));
    }
  }
  HOTLINE_RETURN_IF_ERROR(ValidateRule(rule));
  return rule;
}

json RuleToJson(const DeadlineRule& rule) {
  json j;
  j["id"] = rule.id;
  j["subject_prefix"] = rule.subject_prefix;
  j["urgency"] = rule.urgency ? json(std::string(ToString(*rule.urgency))) : json(nullptr);
  j["nature"] = rule.nature ? json(std::string(ToString(*rule.nature))) : json(nullptr);
  j["sign"] = LimitToJson(rule.sign);
  j["handle"] = LimitToJson(rule.handle);
  j["return_window"] = LimitToJson(rule.return_window);
  j["max_extension"] = LimitToJson(rule.max_extension);
  return j;
}

Result<DeadlineRules> RulesFromJson(const json& j) {
  if (!j.is_array()) return Invalid("", "deadline rules are a JSON array");
  DeadlineRules rules;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const std::string where = "[" + std::to_string(i) + "]";
    Result<DeadlineRule> rule = RuleFromJson(j[i]);
    if (!rule.ok()) return Prefixed(rule.status(), where);
    Status st = rules.Upsert(std::move(rule).value());
    if (!st.ok()) return Prefixed(st, where);
  }
  return rules;
}

json RulesToJson(const DeadlineRules& rules) {
  json out = json::array();
  for (const DeadlineRule& r : rules.rules()) out.push_back(RuleToJson(r));
  return out;
}

Result<LightPolicy> LightPolicyFromJson(const json& j) {
  if (!j.is_object()) return Invalid("", "a light policy is a JSON object");
  HOTLINE_RETURN_IF_ERROR(CheckKeys(j, {"yellow_before", "short_limit_fraction"}, ""));
  LightPolicy p;
  if (auto it = j.find("yellow_before"); it != j.end()) {
    // Amount 0 (no yellow phase) is allowed here, unlike in rule limits.
    if (it->is_object() && it->contains("amount") && (*it)["amount"] == 0) {
      auto unit = it->find("unit");
      std::optional<LimitUnit> u;
      if (unit != it->end() && unit->is_string()) u = Parse<LimitUnit>(unit->get<std::string>());
      if (!u) return Invalid("yellow_before.unit", "must be one of " + AllowedNames<LimitUnit>());
      p.yellow_before = {0, *u};
    } else {
      HOTLINE_ASSIGN_OR_RETURN(p.yellow_before, LimitFromJson(*it, "yellow_before"));
    }
  }
  if (auto it = j.find("short_limit_fraction"); it != j.end()) {
    if (!it->is_number()) return Invalid("short_limit_fraction", "must be a number in (0, 1]");
    p.short_limit_fraction = it->get<double>();
  }
  HOTLINE_RETURN_IF_ERROR(ValidateLightPolicy(p));
  return p;
}

json LightPolicyToJson(const LightPolicy& p) {
  return json{{"yellow_before", LimitToJson(p.yellow_before)},
              {"short_limit_fraction", p.short_limit_fraction}};
}

}  // namespace hotline
