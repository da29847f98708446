// Creating a new, empty hotline store: the district, the hotline centre and
// the first administrator. Everything else is then imported through the API.
// Thread-safety: call once, before serving.
#pragma once

#include <string>

#include "domain/result.h"
#include "store/store.h"

namespace hotline {

struct BootstrapOptions {
  // The root: a district, or a city when the code ends in 00 (e.g. 370100 济南市).
  std::string district_code = "370112";  // Default: Licheng, Jinan
  std::string district_name = "历城区";
  std::string center_name = "历城区12345市民服务热线中心";
  std::string admin_login = "admin";
  std::string admin_password;  // must pass ValidatePassword(_, min_password_length)
  // The store's password policy (ValidatePassword). Default: kMinPasswordLength.
  int min_password_length = 10;
};

// Fails with kFailedPrecondition if the store already has units.
Status Bootstrap(Store& store, const BootstrapOptions& options);

// Recovery (`hotline admin reset`): the admin `login` becomes active again with `password`
// (the store's password policy applies), unlocked, its sessions revoked; a login that does not
// exist is created as an admin
// of the hotline centre; a login of another role is refused (field "--login"). Audited as
// "admin_reset" by user 0 (the command line). Works on the store directly: a running server
// sees the change after a restart. Returns the user's id.
Result<Id> ResetAdmin(Store& store, const std::string& login, const std::string& password);

}  // namespace hotline
