#include "service/bootstrap.h"

#include <ctime>

#include "domain/codes.h"
#include "service/password.h"

namespace hotline {

Status Bootstrap(Store& store, const BootstrapOptions& o) {
  HOTLINE_ASSIGN_OR_RETURN(Id max_unit, store.MaxUnitId());
  if (max_unit > 0) return Status(Code::kFailedPrecondition, "the store is already initialised");
  // A code ending in 00 roots a city-wide hotline (issue 14); any other, a district's.
  const UnitKind root_kind = o.district_code.size() == 6 && o.district_code.substr(4) == "00"
                                 ? UnitKind::kCity
                                 : UnitKind::kDistrict;
  HOTLINE_RETURN_IF_ERROR(ValidateUnitCode(root_kind, o.district_code));
  if (o.min_password_length < kLowestMinPasswordLength)
    return Invalid("min_password_length", "the minimum password length must be at least " +
                                              std::to_string(kLowestMinPasswordLength));
  HOTLINE_RETURN_IF_ERROR(ValidatePassword(o.admin_password, o.min_password_length));
  Store::Batch b;
  b.units.push_back(Unit{1, o.district_code, o.district_name, root_kind, {}, {}, true});
  b.units.push_back(Unit{2, "CENTER", o.center_name, UnitKind::kCenter, {}, Id{1}, true});
  User admin;
  admin.id = 1;
  admin.login = o.admin_login;
  admin.display_name = "系统管理员";
  admin.role = Role::kAdmin;
  admin.unit_id = 2;
  HOTLINE_ASSIGN_OR_RETURN(admin.password_hash, HashPassword(o.admin_password));
  b.users.push_back(admin);
  b.documents.emplace_back(kSecurityKey, SecurityJson(o.min_password_length));
  return store.ApplyBatch(b);
}

Result<Id> ResetAdmin(Store& store, const std::string& login, const std::string& password) {
  HOTLINE_ASSIGN_OR_RETURN(auto security, store.GetDocument(kSecurityKey));
  HOTLINE_RETURN_IF_ERROR(
      ValidatePassword(password, MinPasswordLengthOf(security ? &*security : nullptr)));
  HOTLINE_ASSIGN_OR_RETURN(std::vector<User> users, store.ListUsers());
  HOTLINE_ASSIGN_OR_RETURN(std::vector<Unit> units, store.ListUnits());
  HOTLINE_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  Id id = 0;
  for (User& u : users) {
    if (u.login != login) continue;
    if (u.role != Role::kAdmin)
      return Invalid("--login", login + " is a " + std::string(ToString(u.role)) +
                                    ", not an admin; give an admin's login or a new one");
    u.active = true;
    u.password_hash = hash;
    HOTLINE_RETURN_IF_ERROR(store.UpdateUser(u));
    // A lock from failed logins goes, and so do the account's sessions (the password changed).
    HOTLINE_RETURN_IF_ERROR(store.ClearLoginFailures(u.id));
    HOTLINE_RETURN_IF_ERROR(store.DeleteUserSessions(u.id).status());
    id = u.id;
  }
  if (id == 0) {
    std::optional<Id> centre;
    for (const Unit& u : units)
      if (u.kind == UnitKind::kCenter && u.active && !centre) centre = u.id;
    for (const Unit& u : units)
      if ((u.kind == UnitKind::kDistrict || u.kind == UnitKind::kCity) && !u.parent_id && !centre)
        centre = u.id;
    if (!centre) return Status(Code::kFailedPrecondition, "the store has no hotline centre");
    User admin;
    admin.login = login;
    admin.display_name = "系统管理员";
    admin.role = Role::kAdmin;
    admin.unit_id = *centre;
    admin.password_hash = hash;
    HOTLINE_ASSIGN_OR_RETURN(id, store.InsertUser(admin));
  }
  HOTLINE_RETURN_IF_ERROR(
      store.AppendAudit({std::time(nullptr), 0, "admin_reset", std::nullopt,
                         "用户" + std::to_string(id) + "（" + login + "）经命令行恢复为管理员"}));
  return id;
}

}  // namespace hotline
