// WorkOrder <-> JSON document, shared by the storage backends (the store keeps
// the whole order as one document plus indexed columns for filtering).
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "domain/result.h"
#include "domain/types.h"

namespace hotline {

std::string EncodeOrder(const WorkOrder& order);
Result<WorkOrder> DecodeOrder(const std::string& json);

}  // namespace hotline
