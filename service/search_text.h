// What an order's text search matches for readers who may not see the caller
// (WorkOrder::search_text, docs/access.md): the title and content with personal data masked.
// Computed by the service at intake and for orders stored without it; bulk writers
// (hotline generate) compute it themselves so a new store needs no pass at serve start.
// Thread-safety: a pure function.
#pragma once

#include <string>

#include "domain/types.h"

namespace hotline {

std::string OrderSearchText(const WorkOrder& order);

}  // namespace hotline
