// Organisation import: units (district, streets, communities, grids,
// departments) and users from CSV or JSON files, with every problem reported
// by row and field so an administrator can fix the file in one pass.
//
// Two phases: Parse* checks the file's shape (header, field counts, enum
// names); Validate* checks the content against the organisation that already
// exists plus everything in the file (codes, nesting, references, duplicates).
// Nothing is written here: the caller imports the rows only when report.ok(),
// all or nothing, creating units in ParentsFirst order.
//
// Rows are numbered as an administrator sees them in a spreadsheet without
// its header: row 1 = the first data record after the header; row 0 = the
// file itself (header, syntax). A quoted field may span lines, so a row is a
// record, not a line. JSON rows are the 1-based array positions.
// Thread-safety: pure functions; safe to call concurrently.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/types.h"
#include "service/password.h"

namespace hotline {

struct UnitRow {
  int row = 0;
  std::string code, name, parent_code;  // parent_code may be "" for territorial units:
                                        // ValidateUnits fills in the code's prefix
  UnitKind kind = UnitKind::kDepartment;
  std::optional<GridKind> grid_kind;
};

struct UserRow {
  int row = 0;
  std::string login, display_name, unit_code;
  std::string password;  // plaintext from the file: hash it and drop the report promptly
  std::string phone;
  Role role = Role::kCitizen;
};

struct ImportError {
  int row = 0;        // 0 = the file or its header
  std::string field;  // column name ("code", "parent_code", ...), "" when about the whole row
  std::string message;
};

struct ImportReport {
  std::vector<UnitRow> units;  // rows that parsed; may still have errors against them
  std::vector<UserRow> users;
  std::vector<ImportError> errors;
  bool ok() const { return errors.empty(); }
};

// "row 3, parent_code: ..." (or "file: ..." for row 0), for CLI output and logs.
std::string ToString(const ImportError& error);

// Header (any order, case-insensitive; Chinese names 编码,名称,类型,上级编码,网格类型
// also accepted): code,name[,kind][,parent_code][,grid_kind]. kind is a wire
// name or Chinese label (区, 街道/镇/乡, 社区/村, 网格, 部门, 热线中心); when empty
// it is inferred from a 6/9/12/15-digit code. grid_kind: basic/dedicated or
// 基础网格/专属网格. Full-width digits in codes are converted. Unknown columns are errors.
ImportReport ParseUnitsCsv(std::string_view csv);

// [{"code":..,"name":..,"kind":..,"parent_code":..,"grid_kind":..}, ...] or
// {"units":[...]}; the same rules as the CSV. Codes may be JSON integers.
ImportReport ParseUnitsJson(std::string_view json);

// Header: login,display_name,role,unit_code,password[,phone] (Chinese: 账号,
// 姓名,角色,单位编码,密码,电话). role is a wire name or Chinese label.
ImportReport ParseUsersCsv(std::string_view csv);

// Checks parsed.units against `existing` and each other: well-formed codes,
// nesting (ValidateNesting), parents that exist (in the file, in any order, or
// already), duplicate codes (in the file or already existing), non-empty
// names, grid_kind required for grids and forbidden elsewhere, no parent
// loops among departments. Keeps parsed.errors; returns every problem, sorted by row.
ImportReport ValidateUnits(ImportReport parsed, const std::vector<Unit>& existing);

// Checks parsed.users: unique logins (also against existing_users,
// case-insensitively), non-empty display names, unit_code naming an active
// existing unit or one of parsed.units, grid workers on grid units, the
// password policy (ValidatePassword with `min_password_length`) and, when given, the phone
// (ValidatePhone).
ImportReport ValidateUsers(ImportReport parsed, const std::vector<Unit>& existing_units,
                           const std::vector<User>& existing_users,
                           int min_password_length = kMinPasswordLength);

// The rows reordered so that each parent comes before its children (stable
// otherwise); rows whose parent exists already or is missing come first,
// rows caught in a parent loop last.
std::vector<UnitRow> ParentsFirst(const std::vector<UnitRow>& rows,
                                  const std::vector<Unit>& existing);

}  // namespace hotline
