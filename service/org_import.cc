#include "service/org_import.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "domain/codes.h"
#include "service/csv.h"
#include "service/password.h"
#include "service/pii.h"

namespace hotline {
namespace {

constexpr std::size_t kMaxNameCodePoints = 100;
constexpr std::size_t kMaxLoginBytes = 64;

std::string Trim(std::string_view s) {
  const char* ws = " \t\r\n";
  auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return "";
  auto e = s.find_last_not_of(ws);
  return std::string(s.substr(b, e - b + 1));
}

std::string Lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::size_t CodePoints(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string Q(std::string_view s) { return "'" + std::string(s) + "'"; }

// A column of an import file: its canonical name, accepted aliases, whether required.
struct Column {
  std::string_view name;
  std::vector<std::string_view> aliases;
  bool required;
};

const std::vector<Column>& UnitColumns() {
  static const std::vector<Column> kColumns = {
      {"code", {"编码", "代码", "单位编码"}, true},
      {"name", {"名称", "单位名称"}, true},
      {"kind", {"类型", "单位类型"}, false},
      {"parent_code", {"上级编码", "上级代码", "parent"}, false},
      {"grid_kind", {"网格类型"}, false},
  };
  return kColumns;
}

const std::vector<Column>& UserColumns() {
  static const std::vector<Column> kColumns = {
      {"login", {"账号", "登录名", "用户名"}, true},
      {"display_name", {"姓名", "显示名"}, true},
      {"role", {"角色"}, true},
      {"unit_code", {"单位编码", "单位代码"}, true},
      {"password", {"密码"}, true},
      {"phone", {"电话", "手机", "手机号"}, false},
  };
  return kColumns;
}

std::string ColumnList(const std::vector<Column>& columns) {
  std::string s;
  for (const auto& c : columns) {
    if (!s.empty()) s += ",";
    s += c.name;
  }
  return s;
}

// Record fields by canonical column name; absent columns read as "".
using Fields = std::map<std::string, std::string, std::less<>>;

std::string Get(const Fields& f, std::string_view name) {
  auto it = f.find(name);
  return it == f.end() ? "" : it->second;
}

// Parses a CSV file into one Fields per data record, reporting header and
// shape problems into `report`. Returns (row, fields) pairs.
std::vector<std::pair<int, Fields>> ReadTable(std::string_view csv,
                                              const std::vector<Column>& columns,
                                              ImportReport& report) {
  std::vector<std::pair<int, Fields>> out;
  auto parsed = ParseCsv(csv);
  if (!parsed.ok()) {
    report.errors.push_back({0, "", parsed.status().message()});
    return out;
  }
  const auto& records = *parsed;
  if (records.empty()) {
    report.errors.push_back({0, "", "the file is empty; expected a header " + ColumnList(columns)});
    return out;
  }
  std::vector<std::string> header;  // canonical name per position
  std::set<std::string, std::less<>> seen;
  bool header_ok = true;
  for (const auto& raw : records[0]) {
    std::string h = Lower(Trim(raw));
    std::string canonical;
    for (const auto& c : columns) {
      if (h == c.name || std::find(c.aliases.begin(), c.aliases.end(), h) != c.aliases.end())
        canonical = std::string(c.name);
    }
    if (canonical.empty()) {
      report.errors.push_back(
          {0, h, "unknown column " + Q(h) + "; expected " + ColumnList(columns)});
      header_ok = false;
    } else if (!seen.insert(canonical).second) {
      report.errors.push_back({0, canonical, "column " + Q(canonical) + " appears twice"});
      header_ok = false;
    }
    header.push_back(canonical);
  }
  for (const auto& c : columns) {
    if (c.required && !seen.contains(c.name)) {
      report.errors.push_back({0, std::string(c.name), "missing column " + Q(c.name)});
      header_ok = false;
    }
  }
  if (!header_ok) return out;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const int row = static_cast<int>(r);
    const auto& rec = records[r];
    if (rec.size() != header.size()) {
      report.errors.push_back({row, "",
                               "has " + std::to_string(rec.size()) + " fields but the header has " +
                                   std::to_string(header.size())});
      continue;
    }
    Fields f;
    for (std::size_t i = 0; i < rec.size(); ++i) f[header[i]] = Trim(rec[i]);
    out.emplace_back(row, std::move(f));
  }
  return out;
}

std::optional<UnitKind> ParseKind(std::string_view s) {
  std::string k = Lower(std::string(s));
  if (auto v = Parse<UnitKind>(k)) return v;
  static const std::map<std::string, UnitKind, std::less<>> kSynonyms = {
      {"区县", UnitKind::kDistrict},    {"县", UnitKind::kDistrict},
      {"镇", UnitKind::kStreet},        {"乡", UnitKind::kStreet},
      {"乡镇", UnitKind::kStreet},      {"街道办事处", UnitKind::kStreet},
      {"村", UnitKind::kCommunity},     {"居委会", UnitKind::kCommunity},
      {"村委会", UnitKind::kCommunity}, {"社区居委会", UnitKind::kCommunity},
      {"centre", UnitKind::kCenter},    {"热线", UnitKind::kCenter},
  };
  auto it = kSynonyms.find(k);
  if (it != kSynonyms.end()) return it->second;
  return std::nullopt;
}

std::optional<GridKind> ParseGridKind(std::string_view s) {
  std::string k = Lower(std::string(s));
  if (auto v = Parse<GridKind>(k)) return v;
  if (k == "基础" || k == "综合网格" || k == "综合") return GridKind::kBasic;
  if (k == "专属") return GridKind::kDedicated;
  return std::nullopt;
}

std::optional<UnitKind> KindFromCode(std::string_view code) {
  if (!AllDigits(code)) return std::nullopt;
  return KindOfCode(code);
}

// Turns one record's fields into a UnitRow, or reports why it cannot.
void AddUnit(int row, const Fields& f, ImportReport& report) {
  UnitRow u;
  u.row = row;
  u.code = Trim(HalfWidthDigits(Get(f, "code")));
  u.name = Trim(Get(f, "name"));
  u.parent_code = Trim(HalfWidthDigits(Get(f, "parent_code")));
  bool ok = true;
  std::string kind = Get(f, "kind");
  if (kind.empty()) {
    if (auto k = KindFromCode(u.code)) {
      u.kind = *k;
    } else {
      report.errors.push_back({row, "kind",
                               "kind is required unless the code has 6, 9, 12 or 15 digits; "
                               "expected one of " +
                                   AllowedNames<UnitKind>()});
      ok = false;
    }
  } else if (auto k = ParseKind(kind)) {
    u.kind = *k;
  } else {
    report.errors.push_back(
        {row, "kind", "unknown kind " + Q(kind) + "; expected one of " + AllowedNames<UnitKind>()});
    ok = false;
  }
  std::string grid_kind = Get(f, "grid_kind");
  if (!grid_kind.empty()) {
    if (auto g = ParseGridKind(grid_kind)) {
      u.grid_kind = *g;
    } else {
      report.errors.push_back(
          {row, "grid_kind",
           "unknown grid_kind " + Q(grid_kind) + "; expected one of " + AllowedNames<GridKind>()});
      ok = false;
    }
  }
  if (ok) report.units.push_back(std::move(u));
}

// Reads a JSON value as a string field: strings as they are, integers in decimal.
std::optional<std::string> JsonText(const nlohmann::json& v) {
  if (v.is_null()) return std::string();
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  return std::nullopt;
}

struct Known {
  UnitKind kind;
  bool active = true;
  int row = 0;  // 0 = already exists
};

// The parent code a row names, or the one its territorial code implies.
std::string EffectiveParent(const UnitRow& u) {
  if (!u.parent_code.empty()) return u.parent_code;
  return ImpliedParentCode(u.kind, u.code);
}

void SortByRow(std::vector<ImportError>& errors) {
  std::stable_sort(errors.begin(), errors.end(),
                   [](const ImportError& a, const ImportError& b) { return a.row < b.row; });
}

}  // namespace

std::string ToString(const ImportError& error) {
  std::string where = error.row == 0 ? "file" : "row " + std::to_string(error.row);
  if (!error.field.empty()) where += ", " + error.field;
  return where + ": " + error.message;
}

ImportReport ParseUnitsCsv(std::string_view csv) {
  ImportReport report;
  for (const auto& [row, fields] : ReadTable(csv, UnitColumns(), report))
    AddUnit(row, fields, report);
  return report;
}

ImportReport ParseUnitsJson(std::string_view json) {
  ImportReport report;
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    report.errors.push_back(
        {0, "", "malformed JSON; expected an array of units or {\"units\": [...]}"});
    return report;
  }
  if (doc.is_object() && doc.contains("units")) doc = doc["units"];
  if (!doc.is_array()) {
    report.errors.push_back({0, "units", "expected an array of units or {\"units\": [...]}"});
    return report;
  }
  int row = 0;
  for (const auto& item : doc) {
    ++row;
    if (!item.is_object()) {
      report.errors.push_back({row, "", "expected an object with code, name, kind, parent_code"});
      continue;
    }
    Fields f;
    bool ok = true;
    for (const auto& [key, value] : item.items()) {
      const auto& cols = UnitColumns();
      bool known =
          std::any_of(cols.begin(), cols.end(), [&](const Column& c) { return c.name == key; });
      if (!known) {
        report.errors.push_back(
            {row, key, "unknown field " + Q(key) + "; expected " + ColumnList(UnitColumns())});
        ok = false;
        continue;
      }
      auto text = JsonText(value);
      if (!text) {
        report.errors.push_back({row, key, key + " must be a string"});
        ok = false;
        continue;
      }
      f[key] = Trim(*text);
    }
    for (std::string_view required : {"code", "name"}) {
      if (!f.contains(required)) {
        report.errors.push_back({row, std::string(required), "missing field " + Q(required)});
        ok = false;
      }
    }
    if (ok) AddUnit(row, f, report);
  }
  return report;
}

ImportReport ParseUsersCsv(std::string_view csv) {
  ImportReport report;
  for (const auto& [row, f] : ReadTable(csv, UserColumns(), report)) {
    UserRow u;
    u.row = row;
    u.login = Get(f, "login");
    u.display_name = Get(f, "display_name");
    u.unit_code = Trim(HalfWidthDigits(Get(f, "unit_code")));
    u.password = Get(f, "password");
    u.phone = Get(f, "phone");
    std::string role = Lower(Get(f, "role"));
    if (auto r = Parse<Role>(role)) {
      u.role = *r;
      report.users.push_back(std::move(u));
    } else {
      report.errors.push_back(
          {row, "role",
           role.empty() ? "role is required; expected one of " + AllowedNames<Role>()
                        : "unknown role " + Q(role) + "; expected one of " + AllowedNames<Role>()});
    }
  }
  return report;
}

ImportReport ValidateUnits(ImportReport parsed, const std::vector<Unit>& existing) {
  ImportReport out = std::move(parsed);
  auto& errors = out.errors;
  std::unordered_map<std::string, Known> known;
  std::unordered_map<std::string, std::string> existing_name;
  for (const auto& u : existing) {
    known[u.code] = {u.kind, u.active, 0};
    existing_name[u.code] = u.name;
  }
  // Pass 1: codes present and unique, so that pass 2 can resolve parents in any order.
  std::vector<bool> usable(out.units.size(), false);
  for (std::size_t i = 0; i < out.units.size(); ++i) {
    const UnitRow& u = out.units[i];
    if (u.code.empty()) {
      errors.push_back({u.row, "code", "code is required"});
      continue;
    }
    auto it = known.find(u.code);
    if (it != known.end()) {
      if (it->second.row == 0)
        errors.push_back(
            {u.row, "code", "code " + u.code + " already exists (" + existing_name[u.code] + ")"});
      else
        errors.push_back(
            {u.row, "code",
             "duplicate code " + u.code + ", first at row " + std::to_string(it->second.row)});
      continue;
    }
    known[u.code] = {u.kind, true, u.row};
    usable[i] = true;
  }
  // Pass 2: each row on its own and against its parent.
  std::unordered_map<std::string, std::string> parent_of;  // file rows only
  for (std::size_t i = 0; i < out.units.size(); ++i) {
    UnitRow& u = out.units[i];
    Status code_status = ValidateUnitCode(u.kind, u.code);
    if (!u.code.empty() && !code_status.ok())
      errors.push_back({u.row, "code", code_status.message()});
    if (u.name.empty())
      errors.push_back({u.row, "name", "name is required"});
    else if (CodePoints(u.name) > kMaxNameCodePoints)
      errors.push_back({u.row, "name", "name must be at most 100 characters"});
    if (u.kind == UnitKind::kGrid && !u.grid_kind)
      errors.push_back(
          {u.row, "grid_kind", "grid_kind is required for a grid (basic or dedicated)"});
    if (u.kind != UnitKind::kGrid && u.grid_kind)
      errors.push_back({u.row, "grid_kind",
                        "grid_kind is only for grids, not for a " + std::string(ToString(u.kind))});

    if (u.kind == UnitKind::kCity) {
      if (!u.parent_code.empty())
        errors.push_back({u.row, "parent_code", "a city is the root and has no parent_code"});
      continue;
    }
    std::string parent = EffectiveParent(u);
    if (u.kind == UnitKind::kDistrict) {
      // A district is the root, or sits under its city: named, or implied when the city
      // (its first 4 digits + 00) is known.
      if (parent.empty() && u.code.size() == 6) {
        auto city = known.find(u.code.substr(0, 4) + "00");
        if (city != known.end() && city->second.kind == UnitKind::kCity) parent = city->first;
      }
      if (parent.empty()) continue;
      auto p = known.find(parent);
      if (p != known.end() && p->second.kind != UnitKind::kCity) {
        errors.push_back({u.row, "parent_code",
                          "a district is the root or sits under its city, not under a " +
                              std::string(ToString(p->second.kind)) + " (" + parent + ")"});
        continue;
      }
    }
    if (parent.empty()) {
      errors.push_back(
          {u.row, "parent_code", "parent_code is required for a " + std::string(ToString(u.kind))});
      continue;
    }
    if (parent == u.code) {
      errors.push_back({u.row, "parent_code", "a unit cannot be its own parent"});
      continue;
    }
    auto p = known.find(parent);
    if (p == known.end()) {
      errors.push_back(
          {u.row, "parent_code",
           "parent unit " + parent + " is neither in the file nor in the existing organisation"});
      continue;
    }
    if (!p->second.active)
      errors.push_back({u.row, "parent_code", "parent unit " + parent + " is inactive"});
    Status nest = ValidateNesting(u.kind, u.code, p->second.kind, parent);
    // A malformed code was reported above; only add what nesting says beyond it.
    if (!nest.ok() && (code_status.ok() || nest.field() == "parent_code"))
      errors.push_back({u.row, nest.field(), nest.message()});
    u.parent_code = parent;
    if (usable[i]) parent_of[u.code] = parent;
  }
  // Pass 3: parent loops among file rows (only departments can loop: territorial codes grow).
  for (const UnitRow& u : out.units) {
    std::string at = u.code;
    for (std::size_t steps = 0; steps <= parent_of.size(); ++steps) {
      auto it = parent_of.find(at);
      if (it == parent_of.end()) break;
      at = it->second;
      if (at == u.code) {
        errors.push_back(
            {u.row, "parent_code", "the parent chain of " + u.code + " loops back to it"});
        break;
      }
    }
  }
  SortByRow(errors);
  return out;
}

ImportReport ValidateUsers(ImportReport parsed, const std::vector<Unit>& existing_units,
                           const std::vector<User>& existing_users, int min_password_length) {
  ImportReport out = std::move(parsed);
  auto& errors = out.errors;
  std::unordered_map<std::string, Known> units;
  for (const auto& u : existing_units) units[u.code] = {u.kind, u.active, 0};
  for (const auto& u : out.units) units.try_emplace(u.code, Known{u.kind, true, u.row});
  std::unordered_map<std::string, int> logins;  // lower-cased login -> row (0 = existing)
  for (const auto& u : existing_users) logins[Lower(u.login)] = 0;

  for (const UserRow& u : out.users) {
    if (u.login.empty()) {
      errors.push_back({u.row, "login", "login is required"});
    } else if (u.login.size() > kMaxLoginBytes) {
      errors.push_back({u.row, "login", "login must be at most 64 bytes"});
    } else if (std::any_of(u.login.begin(), u.login.end(),
                           [](unsigned char c) { return c <= 0x20 || c == 0x7F; })) {
      errors.push_back({u.row, "login", "login must not contain spaces or control characters"});
    } else if (auto [it, fresh] = logins.try_emplace(Lower(u.login), u.row); !fresh) {
      errors.push_back({u.row, "login",
                        it->second == 0 ? "login " + u.login + " already exists"
                                        : "duplicate login " + u.login + ", first at row " +
                                              std::to_string(it->second)});
    }
    if (u.display_name.empty())
      errors.push_back({u.row, "display_name", "display_name is required"});
    else if (CodePoints(u.display_name) > kMaxNameCodePoints)
      errors.push_back({u.row, "display_name", "display_name must be at most 100 characters"});

    if (u.unit_code.empty()) {
      errors.push_back({u.row, "unit_code", "unit_code is required"});
    } else if (auto it = units.find(u.unit_code); it == units.end()) {
      errors.push_back(
          {u.row, "unit_code",
           "unit " + u.unit_code + " is neither in the existing organisation nor in this import"});
    } else if (!it->second.active) {
      errors.push_back({u.row, "unit_code", "unit " + u.unit_code + " is inactive"});
    } else if (u.role == Role::kGridWorker && it->second.kind != UnitKind::kGrid) {
      errors.push_back({u.row, "role",
                        "a grid worker must belong to a grid, but " + u.unit_code + " is a " +
                            std::string(ToString(it->second.kind))});
    }
    if (Status st = ValidatePassword(u.password, min_password_length); !st.ok())
      errors.push_back({u.row, "password", st.message()});
    if (!u.phone.empty()) {
      if (Status st = ValidatePhone("phone", u.phone); !st.ok())
        errors.push_back({u.row, "phone", st.message()});
    }
  }
  SortByRow(errors);
  return out;
}

std::vector<UnitRow> ParentsFirst(const std::vector<UnitRow>& rows,
                                  const std::vector<Unit>& existing) {
  std::unordered_map<std::string, std::size_t> index;  // first row per code
  for (std::size_t i = 0; i < rows.size(); ++i) index.try_emplace(rows[i].code, i);
  std::set<std::string> existing_codes;
  for (const auto& u : existing) existing_codes.insert(u.code);

  constexpr int kUnknown = -1;
  constexpr int kLoop = 1 << 30;
  std::vector<int> depth(rows.size(), kUnknown);
  for (std::size_t start = 0; start < rows.size(); ++start) {
    // Walk up through file rows until a known depth, a root, or a repeat.
    std::vector<std::size_t> path;
    std::set<std::size_t> on_path;
    std::size_t at = start;
    int base = 0;
    while (true) {
      if (depth[at] != kUnknown) {
        base = depth[at];
        break;
      }
      if (!on_path.insert(at).second) {
        base = kLoop;
        break;
      }
      path.push_back(at);
      std::string parent = EffectiveParent(rows[at]);
      auto p = index.find(parent);
      if (rows[at].kind == UnitKind::kCity || parent.empty() || p == index.end() ||
          existing_codes.contains(parent)) {
        base = -1;  // a root within the file: depth 0 for it
        break;
      }
      at = p->second;
    }
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
      base = base >= kLoop ? kLoop : base + 1;
      depth[*it] = base;
    }
  }
  std::vector<std::size_t> order(rows.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return depth[a] < depth[b]; });
  std::vector<UnitRow> out;
  out.reserve(rows.size());
  for (std::size_t i : order) out.push_back(rows[i]);
  return out;
}

}  // namespace hotline
