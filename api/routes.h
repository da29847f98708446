// The native JSON API (/api/v1, documented in docs/openapi.yaml): one route
// table; every handler parses the request (JSON body, query, path), makes one
// HotlineService call and renders its Result. Bad input becomes a 4xx JSON
// error naming the field and changes nothing.
//
// Authentication: "Authorization: Bearer <token>" (from POST /auth/login) on
// every route except /health and /auth/login; missing or invalid -> 401.
// Admin routes answer 403 to other roles; GET /units and /users are open to
// every staff role (not citizens).
// Thread-safety: the registered handlers may run concurrently; `service` must
// outlive the router.
#pragma once

#include <string_view>

#include "api/http_server.h"
#include "service/hotline_service.h"

namespace hotline::api {

// Reported by GET /health.
inline constexpr std::string_view kApiVersion = "0.1.0";
inline constexpr std::string_view kApiSchema = "hotline.v1";

void RegisterRoutes(Router& router, HotlineService& service);

}  // namespace hotline::api
