// Personal information under PIPL (names, phone numbers, ID numbers,
// addresses): recognising well-formed values and masking them for display.
// Masks keep only what the conventions of Chinese government systems keep
// (surname, mobile prefix and last four digits, ID region and last four),
// and never echo personal data into error messages. All functions take UTF-8,
// count code points (never split a character) and accept full-width digits.
// Thread-safety: pure functions; safe to call concurrently.
#pragma once

#include <string>
#include <string_view>

#include "domain/result.h"

namespace hotline {

// Converts full-width ASCII forms (U+FF01-U+FF5E: "１３８", "Ｘ", "－", "（")
// to ASCII and the ideographic space U+3000 to ' '; everything else is kept.
// Chinese input methods produce these; validators call it first.
std::string HalfWidthDigits(std::string_view text);

// "张三丰" -> "张**", "张三" -> "张**", "欧阳娜娜" -> "欧阳**" (common compound
// surnames, when the name has at least 3 characters), "Li Lei" -> "L**",
// a single character -> "*". The mask length does not reveal the name's length.
std::string MaskName(std::string_view name);

// Mobile "13812345678" (also "+86 138-1234-5678") -> "138****5678";
// landline "0531-88881234" (also "(0531)88881234", "053188881234") ->
// "0531-****1234", extension kept; anything else keeps its first 3 and last 2
// characters ("*" for each hidden one), or is fully hidden when 5 or shorter.
std::string MaskPhone(std::string_view phone);

// 18-character ID "370112199001011234" -> "370112********1234"; 15-digit
// first-generation IDs keep 6 + last 3; anything else as MaskPhone's fallback.
std::string MaskIdNumber(std::string_view id_number);

// Keeps the district, street, community and compound names and replaces the
// building, unit and room numbers: "历城区洪家楼街道山大花园3号楼2单元501" ->
// "历城区洪家楼街道山大花园**号楼**单元***". A number (ASCII digits, possibly
// with letters, '-' or '#') becomes "**", or "***" when it is the room (last
// in the address or before 室/户); Chinese numerals are masked only before a
// building word (号, 栋, 幢, 座, 单元, 层, 楼, 室, 户). Numbers in road names
// ("经10路") are kept.
std::string MaskAddress(std::string_view address);

// Free text (title, content, replies, notes, event texts) for a reader who may not see the
// caller: every number text::MaskPii finds (phones, ID numbers, bank cards, e-mails) is
// masked, and so are the order's own caller name and phone wherever they are written, even in
// forms the patterns miss. `hide_identity` (举报/保密 orders, the unit reported on): the name
// becomes "**" instead of its masked form ("张**"), which would still tell the surname.
std::string RedactText(std::string_view text, std::string_view caller_name,
                       std::string_view caller_phone, bool hide_identity);

// The title as RedactText does it; in addition, a title that is not the whole content (an
// automatic title is the content's beginning, text/title.h, possibly ended with "…") loses
// every digit at its end: "举报人电话1382222…" would otherwise keep digits that MaskPii does
// not recognise as a phone ("举报人电话*******…").
std::string RedactTitle(std::string_view title, std::string_view content,
                        std::string_view caller_name, std::string_view caller_phone,
                        bool hide_identity);

// 11 digits starting 13-19, optionally prefixed +86/0086/86; spaces and '-' ignored.
bool IsValidMobile(std::string_view phone);

// Resident ID (GB 11643): 18 characters, a known province prefix, a real
// birth date (1900-2099), and the ISO 7064 MOD 11-2 check character (0-9 or X/x).
bool IsValidIdNumber(std::string_view id_number);

// Accepts a mobile, a landline with area code (optionally with extension),
// a 400/800 service number, or a short service number of 3-6 digits starting
// with 1 or 9 (12345, 110, 95598). Rejects letters and other characters.
// Errors are kInvalidArgument naming `field` and never quote the value.
Status ValidatePhone(std::string_view field, std::string_view value);

}  // namespace hotline
