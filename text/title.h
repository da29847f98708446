// The title an order gets when the caller's appeal has none: the appeal's first sentence when
// it is short, else its first clauses that fit, else a prefix with an ellipsis — never a cut in
// the middle of a clause without saying so. web/src/views/AgentConsole.vue shows the same title
// as the suggestion in the console's (optional) title field.
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace hotline::text {

// REQUIRES: max_chars >= 2. Whitespace runs become one space; the result has at most
// `max_chars` code points (the ellipsis counts as one). Default: 24.
std::string AutoTitle(std::string_view content, size_t max_chars = 24);

}  // namespace hotline::text
