// Creating a new, empty hotline store: the district, the hotline centre and
// the first administrator. Everything else is then imported through the API.
// Thread-safety: call once, before serving.
#pragma once

#include <string>

#include "domain/result.h"
#include "store/store.h"

namespace hotline {

struct BootstrapOptions {
  std::string district_code = "370112";  // Default: Licheng, Jinan
  std::string district_name = "历城区";
  std::string center_name = "历城区12345市民服务热线中心";
  std::string admin_login = "admin";
  std::string admin_password;  // REQUIRES: passes ValidatePassword
};

// Fails with kFailedPrecondition if the store already has units.
Status Bootstrap(Store& store, const BootstrapOptions& options);

}  // namespace hotline
