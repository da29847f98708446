// Personal data in free appeal text (PIPL: phone, ID number, bank card, e-mail), found by
// pattern plus checksum so that public views can mask it.
//
// Rules (docs/text.md has the details):
//  - mobile:   1[3-9] + 9 digits; groupings 11, 3-4-4, 3-8, 7-4 joined by one space or dash;
//              an attached "86" country code (8613812345678) is accepted, not masked.
//  - landline: area code (010, 02x, or 0[3-9]xx) + 7–8 digit subscriber number starting 2–9:
//              0531-88881234, (0531)88881234, （0531）8888 1234, 053188881234.
//  - id:       18-character resident ID (GB 11643): plausible birth date and a valid ISO 7064
//              MOD 11-2 check character (0–9 or X/x); groupings 18, 6-8-4, 6-4-4-4.
//  - card:     16–19 digits starting 3, 4, 5, 6 or 9 that pass the Luhn check; groupings one run
//              or blocks of 4 (the last block 1–4).
//  - email:    ASCII local@domain.tld.
// Digits may be ASCII or full-width (０-９); group separators are one ' ', '-', '－' or U+3000.
// A candidate is never part of a longer digit run: 2611230000123 is not a phone number. A run
// touching '*' counts as the visible rest of a masked number, so MaskPii is idempotent.
//
// Thread-safety: pure functions, no shared state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hotline::text {

enum class PiiKind { kMobile, kLandline, kIdNumber, kBankCard, kEmail };

const char* PiiKindName(PiiKind kind);  // "mobile", "landline", "id_number", "bank_card", "email"

struct PiiSpan {
  size_t begin = 0;  // byte offsets into the searched text, [begin, end)
  size_t end = 0;
  PiiKind kind = PiiKind::kMobile;

  bool operator==(const PiiSpan&) const = default;
};

// Spans in text order, non-overlapping. Any bytes are accepted; ill-formed UTF-8 is simply
// not part of any span.
std::vector<PiiSpan> FindPii(std::string_view utf8);

// `utf8` with the digits (or e-mail characters) of every span replaced by '*', one ASCII '*'
// per masked character; separators and all other bytes are kept as they are:
//   mobile 138****5678, landline 0531-****1234, id 370112********1234,
//   card ************1234, email z*******@example.com.
// The result is never longer than the input and is valid UTF-8 whenever the input is.
std::string MaskPii(std::string_view utf8);

// Checks used by FindPii, exposed for tests and for validating form fields.
// `digits` must be ASCII: 17 digits + check character for the ID, all digits for Luhn.
bool IsValidIdNumber(std::string_view id18);
bool PassesLuhn(std::string_view digits);

}  // namespace hotline::text
