#include "service/pii.h"

#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include "text/pii_detect.h"

namespace hotline {
namespace {

// One decoded character: its code point (U+FFFD for invalid bytes) and bytes.
// `bytes` points into the decoded text, which must outlive it.
struct Char {
  UChar32 cp;
  std::string_view bytes;
};

std::vector<Char> Decode(std::string_view s) {
  std::vector<Char> out;
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(s.size());
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  while (i < n) {
    int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0)
      out.push_back({0xFFFD, "\xEF\xBF\xBD"});  // never pass broken bytes through
    else
      out.push_back({c, s.substr(start, i - start)});
  }
  return out;
}

bool IsSpace(UChar32 c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0x3000; }
bool IsDigit(UChar32 c) { return c >= '0' && c <= '9'; }
bool IsAsciiLetter(UChar32 c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

std::string Normalize(std::string_view s) { return std::string(Trim(HalfWidthDigits(s))); }

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string Stars(std::size_t n) { return std::string(n, '*'); }

// Keeps the first 3 and last 2 characters; fully hidden when 5 or shorter.
std::string MaskGeneric(std::string_view s) {
  std::vector<Char> cs = Decode(s);
  if (cs.size() <= 5) return Stars(cs.size());
  std::string out;
  for (std::size_t i = 0; i < cs.size(); ++i) {
    if (i < 3 || i + 2 >= cs.size())
      out += cs[i].bytes;
    else
      out += '*';
  }
  return out;
}

// The 11-digit mobile number in `s` (with +86/0086/86, spaces and '-' allowed).
std::optional<std::string> MobileCore(std::string_view s) {
  std::string d;
  bool plus = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9')
      d += c;
    else if (c == '+' && i == 0)
      plus = true;
    else if (c != ' ' && c != '-')
      return std::nullopt;
  }
  if (d.size() == 15 && d.starts_with("0086") && !plus)
    d = d.substr(4);
  else if (d.size() == 13 && d.starts_with("86"))
    d = d.substr(2);
  else if (plus)
    return std::nullopt;
  if (d.size() != 11 || d[0] != '1' || d[1] < '3') return std::nullopt;
  return d;
}

struct Landline {
  std::string area, local, ext;
};

bool ValidArea(std::string_view a) {
  if (!AllDigits(a) || a[0] != '0' || a[1] == '0') return false;
  if (a.size() == 3) return a == "010" || a[1] == '2';
  return a.size() == 4 && a[1] >= '3';
}

std::optional<Landline> ParseLandline(std::string_view s) {
  Landline l;
  std::string_view rest;
  if (s.starts_with("(")) {
    auto close = s.find(')');
    if (close == std::string_view::npos) return std::nullopt;
    l.area = std::string(s.substr(1, close - 1));
    rest = Trim(s.substr(close + 1));
    if (rest.starts_with("-")) rest.remove_prefix(1);
  } else if (auto sep = s.find_first_of(" -"); sep != std::string_view::npos) {
    l.area = std::string(s.substr(0, sep));
    rest = Trim(s.substr(sep + 1));
  } else {
    std::size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
    std::size_t area_len = (s.starts_with("010") || s.starts_with("02")) ? 3 : 4;
    if (digits < area_len + 7) return std::nullopt;
    l.area = std::string(s.substr(0, area_len));
    rest = s.substr(area_len);
  }
  std::size_t n = 0;
  while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
  l.local = std::string(rest.substr(0, n));
  rest.remove_prefix(n);
  if (!rest.empty()) {
    if (rest.starts_with("-"))
      rest.remove_prefix(1);
    else if (rest.starts_with("转"))
      rest.remove_prefix(std::string_view("转").size());
    else
      return std::nullopt;
    if (!AllDigits(rest) || rest.size() > 6) return std::nullopt;
    l.ext = std::string(rest);
  }
  if (!ValidArea(l.area) || l.local.size() < 7 || l.local.size() > 8 || l.local[0] < '2')
    return std::nullopt;
  return l;
}

constexpr std::array<std::string_view, 56> kCompoundSurnames = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "司空", "夏侯", "轩辕", "令狐", "钟离", "澹台", "公冶", "申屠", "太史", "端木", "闻人", "南宫",
    "独孤", "百里", "呼延", "万俟", "赫连", "拓跋", "西门", "第五", "濮阳", "淳于", "单于", "仲孙",
    "东郭", "左丘", "梁丘", "羊舌", "微生", "公羊", "谷梁", "段干", "子车", "颛孙", "巫马", "乐正",
    "壤驷", "漆雕", "鲜于", "闾丘", "亓官", "司寇", "公良", "宗政"};

bool IsChineseNumeral(UChar32 c) {
  static constexpr std::u32string_view kNumerals = U"〇零一二三四五六七八九十百两";
  return kNumerals.find(static_cast<char32_t>(c)) != std::u32string_view::npos;
}

bool IsNumberish(UChar32 c) { return IsDigit(c) || IsAsciiLetter(c) || c == '-' || c == '#'; }

// Building words after which a number is a building, unit, floor or room.
bool IsBuildingWord(UChar32 c, UChar32 next) {
  switch (c) {
    case U'号':
    case U'栋':
    case U'幢':
    case U'座':
    case U'层':
    case U'楼':
    case U'室':
    case U'户':
      return true;
    case U'单':
      return next == U'元';
    default:
      return false;
  }
}

bool IsRoadWord(UChar32 c) {
  return c == U'路' || c == U'街' || c == U'道' || c == U'巷' || c == U'线' || c == U'环';
}

}  // namespace

std::string HalfWidthDigits(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const Char& c : Decode(text)) {
    if (c.cp >= 0xFF01 && c.cp <= 0xFF5E)
      out += static_cast<char>(c.cp - 0xFF01 + 0x21);
    else if (c.cp == 0x3000)
      out += ' ';
    else
      out += c.bytes;
  }
  return out;
}

std::string MaskName(std::string_view name) {
  const std::string text = Normalize(name);
  std::vector<Char> cs = Decode(text);
  if (cs.empty()) return "";
  if (cs.size() == 1) return "*";
  std::string out(cs[0].bytes);
  if (cs.size() >= 3 && !IsAsciiLetter(cs[0].cp)) {
    std::string two = out + std::string(cs[1].bytes);
    if (std::find(kCompoundSurnames.begin(), kCompoundSurnames.end(), two) !=
        kCompoundSurnames.end())
      out = two;
  }
  return out + "**";
}

std::string MaskPhone(std::string_view phone) {
  std::string s = Normalize(phone);
  if (auto m = MobileCore(s)) return m->substr(0, 3) + "****" + m->substr(7);
  if (auto l = ParseLandline(s)) {
    std::string out =
        l->area + "-" + Stars(l->local.size() - 4) + l->local.substr(l->local.size() - 4);
    if (!l->ext.empty()) out += "-" + l->ext;
    return out;
  }
  return MaskGeneric(s);
}

std::string MaskIdNumber(std::string_view id_number) {
  std::string s = Normalize(id_number);
  std::vector<Char> cs = Decode(s);
  if (cs.size() == s.size() && s.size() == 18) return s.substr(0, 6) + Stars(8) + s.substr(14);
  if (s.size() == 15 && AllDigits(s)) return s.substr(0, 6) + Stars(6) + s.substr(12);
  return MaskGeneric(s);
}

std::string MaskAddress(std::string_view address) {
  const std::string text = HalfWidthDigits(address);
  std::vector<Char> cs = Decode(text);
  auto cp_at = [&](std::size_t i) -> UChar32 { return i < cs.size() ? cs[i].cp : 0; };
  std::string out;
  std::size_t i = 0;
  while (i < cs.size()) {
    bool ascii = IsNumberish(cs[i].cp);
    bool chinese = !ascii && IsChineseNumeral(cs[i].cp);
    if (!ascii && !chinese) {
      out += cs[i++].bytes;
      continue;
    }
    std::size_t j = i;
    bool has_digit = false;
    while (j < cs.size() && (ascii ? IsNumberish(cs[j].cp) : IsChineseNumeral(cs[j].cp))) {
      has_digit = has_digit || IsDigit(cs[j].cp);
      ++j;
    }
    // Skip spaces to see what the number is attached to.
    std::size_t k = j;
    while (k < cs.size() && IsSpace(cs[k].cp)) ++k;
    UChar32 next = cp_at(k);
    bool building = IsBuildingWord(next, cp_at(k + 1));
    bool at_end = k >= cs.size();
    bool mask = ascii ? (has_digit || building) && !IsRoadWord(next) : building;
    if (ascii && at_end && !has_digit) mask = false;  // a trailing name like "SOHO"
    if (!mask) {
      for (std::size_t m = i; m < j; ++m) out += cs[m].bytes;
    } else {
      out += (at_end || next == U'室' || next == U'户') ? "***" : "**";
    }
    i = j;
  }
  return out;
}

bool IsValidMobile(std::string_view phone) { return MobileCore(Normalize(phone)).has_value(); }

// Form validation is stricter than detection in free text (text::IsValidIdNumber, which masks
// anything with a valid date and check character): the province must exist as well.
bool IsValidIdNumber(std::string_view id_number) {
  std::string s = Normalize(id_number);
  if (!text::IsValidIdNumber(s)) return false;
  int province = (s[0] - '0') * 10 + (s[1] - '0');
  static constexpr int kProvinces[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34,
                                       35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
                                       53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83};
  return std::find(std::begin(kProvinces), std::end(kProvinces), province) != std::end(kProvinces);
}

Status ValidatePhone(std::string_view field, std::string_view value) {
  std::string s = Normalize(value);
  const std::string f(field);
  if (s.empty()) return Invalid(f, "phone number is required");
  for (const Char& c : Decode(s)) {
    if (IsAsciiLetter(c.cp)) return Invalid(f, "phone number must not contain letters");
    bool ok = IsDigit(c.cp) || c.cp == '+' || c.cp == '-' || c.cp == ' ' || c.cp == '(' ||
              c.cp == ')' || c.cp == U'转';
    if (!ok)
      return Invalid(f, "phone number may contain only digits, spaces, '+', '-', '(', ')' and 转");
  }
  if (MobileCore(s) || ParseLandline(s)) return Status::Ok();
  std::string digits;
  bool only_digits_and_dashes = true;
  for (char c : s) {
    if (c >= '0' && c <= '9')
      digits += c;
    else if (c != '-' && c != ' ')
      only_digits_and_dashes = false;
  }
  if (only_digits_and_dashes && digits.size() == 10 &&
      (digits.starts_with("400") || digits.starts_with("800")))
    return Status::Ok();
  if (AllDigits(s) && s.size() >= 3 && s.size() <= 6 && (s[0] == '1' || s[0] == '9'))
    return Status::Ok();
  return Invalid(f,
                 "phone number must be a mobile (11 digits starting with 1), a landline with area "
                 "code (0xx(x)-xxxxxxx(x)), a 400/800 number or a short service number (3-6 "
                 "digits starting with 1 or 9)");
}

namespace {

// Replaces every occurrence of `needle` in `text`.
void ReplaceAll(std::string& text, std::string_view needle, std::string_view with) {
  if (needle.empty()) return;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + with.size()))
    text.replace(at, needle.size(), with);
}

}  // namespace

std::string RedactText(std::string_view text, std::string_view caller_name,
                       std::string_view caller_phone, bool hide_identity) {
  std::string out = text::MaskPii(text);
  // The caller's own name and phone, as recorded, wherever the text repeats them. A name of
  // one character would mask unrelated words; such names are not searched for.
  const std::string name = Normalize(caller_name);
  if (Decode(name).size() >= 2) ReplaceAll(out, name, hide_identity ? "**" : MaskName(name));
  const std::string phone = Normalize(caller_phone);
  if (phone.size() >= 5) ReplaceAll(out, phone, hide_identity ? "***" : MaskPhone(phone));
  return out;
}

std::string RedactTitle(std::string_view title, std::string_view content,
                        std::string_view caller_name, std::string_view caller_phone,
                        bool hide_identity) {
  std::string out = RedactText(title, caller_name, caller_phone, hide_identity);
  // An automatic title is the content's beginning, possibly folded and ended with "…"
  // (text/title.h): when it stops inside a number, the digits it kept are no pattern that
  // MaskPii knows. So a title that is not the whole content loses the digits at its end.
  if (title == content) return out;
  std::vector<Char> cs = Decode(out);
  size_t end = cs.size();
  std::string tail;
  if (end > 0 && cs[end - 1].cp == 0x2026) tail = std::string(cs[--end].bytes);  // …
  while (end >= 3 && tail.empty() && cs[end - 1].cp == '.' && cs[end - 2].cp == '.' &&
         cs[end - 3].cp == '.') {
    end -= 3;
    tail = "...";
  }
  size_t keep = end;
  bool digits = false;
  while (keep > 0) {
    const std::string c = Normalize(cs[keep - 1].bytes);
    const bool digit = c.size() == 1 && IsDigit(c[0]);
    if (!(digit || c == "*" || (c.size() == 1 && c[0] == '-'))) break;
    digits = digits || digit;
    --keep;
  }
  if (!digits) return out;
  std::string masked;
  for (size_t i = 0; i < keep; ++i) masked += cs[i].bytes;
  masked.append(end - keep, '*');
  return masked + tail;
}

}  // namespace hotline
