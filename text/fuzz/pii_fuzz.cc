// libFuzzer target: FindPii and MaskPii on arbitrary bytes. Properties: spans sorted, disjoint,
// in bounds and valid for their kind; MaskPii never grows the text, changes nothing outside
// spans, keeps valid UTF-8 valid, and is idempotent.
#include <cstdint>
#include <string>
#include <string_view>

#include "text/fuzz/fuzz_check.h"
#include "text/normalize.h"
#include "text/pii_detect.h"

namespace {

// ASCII digits of a span (full-width folded, X kept), for the checksum properties.
std::string SpanDigits(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= '0' && c <= '9') {
      out.push_back(static_cast<char>(c));
    } else if (c == 'X' || c == 'x') {
      out.push_back('X');
    } else if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBC) {
      const auto c2 = static_cast<unsigned char>(s[i + 2]);
      if (c2 >= 0x90 && c2 <= 0x99) out.push_back(static_cast<char>('0' + c2 - 0x90));
      if (c2 == 0xB8) out.push_back('X');
    } else if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBD &&
               static_cast<unsigned char>(s[i + 2]) == 0x98) {
      out.push_back('X');
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hotline::text;
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  const std::vector<PiiSpan> spans = FindPii(in);
  size_t prev_end = 0;
  for (const PiiSpan& span : spans) {
    FUZZ_CHECK(span.begin < span.end && span.end <= in.size());
    FUZZ_CHECK(span.begin >= prev_end);
    prev_end = span.end;
    const std::string digits = SpanDigits(in.substr(span.begin, span.end - span.begin));
    switch (span.kind) {
      case PiiKind::kIdNumber:
        FUZZ_CHECK(IsValidIdNumber(digits));
        break;
      case PiiKind::kBankCard:
        FUZZ_CHECK(digits.size() >= 16 && digits.size() <= 19 && PassesLuhn(digits));
        break;
      case PiiKind::kMobile:
        FUZZ_CHECK(digits.size() == 11 && digits[0] == '1');
        break;
      case PiiKind::kLandline:
        FUZZ_CHECK(digits.size() >= 10 && digits.size() <= 12 && digits[0] == '0');
        break;
      case PiiKind::kEmail:
        FUZZ_CHECK(in.substr(span.begin, span.end - span.begin).find('@') != std::string::npos);
        break;
    }
  }

  const std::string masked = MaskPii(in);
  FUZZ_CHECK(masked.size() <= in.size());
  if (spans.empty()) FUZZ_CHECK(masked == in);
  if (IsValidUtf8(in)) FUZZ_CHECK(IsValidUtf8(masked));
  // Bytes outside spans are unchanged: compare the gaps, tracking the shift inside spans.
  if (!spans.empty()) {
    FUZZ_CHECK(masked.compare(0, spans.front().begin, in.substr(0, spans.front().begin)) == 0);
    const size_t tail = in.size() - spans.back().end;
    FUZZ_CHECK(masked.size() >= tail);
    FUZZ_CHECK(masked.compare(masked.size() - tail, tail, in.substr(spans.back().end)) == 0);
  }
  // Masking is idempotent: what is left visible never reads as new personal data.
  FUZZ_CHECK(MaskPii(masked) == masked);
  return 0;
}
