// UTF-8 and code points for text/ and its callers, through ICU's U8_NEXT / U8_APPEND (one
// decoder instead of a hand-written one per file).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hotline::text {

// The code points of `s`; ill-formed sequences are skipped.
std::vector<char32_t> DecodeUtf8(std::string_view s);

// Appends `c` encoded as UTF-8. REQUIRES: c is a Unicode scalar value.
void AppendUtf8(std::string& out, char32_t c);

}  // namespace hotline::text
