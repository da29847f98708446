#include "service/search_text.h"

#include "service/pii.h"

namespace hotline {

std::string OrderSearchText(const WorkOrder& o) {
  return RedactTitle(o.title, o.content, o.caller_name, o.caller_phone, true) + "\n" +
         RedactText(o.content, o.caller_name, o.caller_phone, true);
}

}  // namespace hotline
