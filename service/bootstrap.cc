#include "service/bootstrap.h"

#include "domain/codes.h"
#include "service/password.h"

namespace hotline {

Status Bootstrap(Store& store, const BootstrapOptions& o) {
  HOTLINE_ASSIGN_OR_RETURN(Id max_unit, store.MaxUnitId());
  if (max_unit > 0) return Status(Code::kFailedPrecondition, "the store is already initialised");
  HOTLINE_RETURN_IF_ERROR(ValidateUnitCode(UnitKind::kDistrict, o.district_code));
  HOTLINE_RETURN_IF_ERROR(ValidatePassword(o.admin_password));
  Store::Batch b;
  b.units.push_back(Unit{1, o.district_code, o.district_name, UnitKind::kDistrict, {}, {}, true});
  b.units.push_back(Unit{2, "CENTER", o.center_name, UnitKind::kCenter, {}, Id{1}, true});
  User admin;
  admin.id = 1;
  admin.login = o.admin_login;
  admin.display_name = "系统管理员";
  admin.role = Role::kAdmin;
  admin.unit_id = 2;
  HOTLINE_ASSIGN_OR_RETURN(admin.password_hash, HashPassword(o.admin_password));
  b.users.push_back(admin);
  return store.ApplyBatch(b);
}

}  // namespace hotline
