#include "text/pii_detect.h"

#include <algorithm>
#include <array>
#include <initializer_list>

namespace hotline::text {

namespace {

constexpr size_t kNone = static_cast<size_t>(-1);

using Bytes = std::string_view;

uint8_t At(Bytes s, size_t i) { return static_cast<uint8_t>(s[i]); }

bool HasFullWidth(Bytes s, size_t i, uint8_t b1, uint8_t b2) {
  return i + 2 < s.size() && At(s, i) == 0xEF && At(s, i + 1) == b1 && At(s, i + 2) == b2;
}

// Length in bytes of the digit at `i` (ASCII or full-width ０-９, U+FF10..FF19), 0 if none.
size_t DigitLen(Bytes s, size_t i, char* value) {
  if (i >= s.size()) return 0;
  const uint8_t c = At(s, i);
  if (c >= '0' && c <= '9') {
    *value = static_cast<char>(c);
    return 1;
  }
  if (c == 0xEF && i + 2 < s.size() && At(s, i + 1) == 0xBC && At(s, i + 2) >= 0x90 &&
      At(s, i + 2) <= 0x99) {
    *value = static_cast<char>('0' + (At(s, i + 2) - 0x90));
    return 3;
  }
  return 0;
}

// One group separator: ' ', '-', '－' (U+FF0D) or U+3000.
size_t SeparatorLen(Bytes s, size_t i) {
  if (i >= s.size()) return 0;
  if (s[i] == ' ' || s[i] == '-') return 1;
  if (HasFullWidth(s, i, 0xBC, 0x8D)) return 3;
  if (i + 2 < s.size() && At(s, i) == 0xE3 && At(s, i + 1) == 0x80 && At(s, i + 2) == 0x80) {
    return 3;
  }
  return 0;
}

size_t CloseParenLen(Bytes s, size_t i) {
  if (i >= s.size()) return 0;
  if (s[i] == ')') return 1;
  return HasFullWidth(s, i, 0xBC, 0x89) ? 3 : 0;
}

// Start of an opening parenthesis that ends right before `i`, or kNone.
size_t OpenParenBefore(Bytes s, size_t i) {
  if (i >= 1 && s[i - 1] == '(') return i - 1;
  if (i >= 3 && HasFullWidth(s, i - 3, 0xBC, 0x88)) return i - 3;
  return kNone;
}

// The ID check character X: 'X', 'x', 'Ｘ' (U+FF38), 'ｘ' (U+FF58).
size_t CheckXLen(Bytes s, size_t i) {
  if (i >= s.size()) return 0;
  if (s[i] == 'X' || s[i] == 'x') return 1;
  if (HasFullWidth(s, i, 0xBC, 0xB8) || HasFullWidth(s, i, 0xBD, 0x98)) return 3;
  return 0;
}

// A maximal run of digits.
struct Group {
  size_t begin = 0;
  size_t end = 0;
  std::string digits;          // ASCII
  size_t x_end = 0;            // > 0: an ID check character X follows and ends here
  size_t paren_begin = kNone;  // the run is wrapped in parentheses: "(0531)"
  size_t paren_end = kNone;
  // The run touches a '*': it is what MaskPii left visible of a longer number ("****0712"),
  // so, like a digit run inside a longer one, it never starts or joins a match.
  bool touches_mask = false;
};

std::vector<Group> FindDigitGroups(Bytes s) {
  std::vector<Group> groups;
  size_t i = 0;
  char d = 0;
  while (i < s.size()) {
    size_t len = DigitLen(s, i, &d);
    if (len == 0) {
      ++i;
      continue;
    }
    Group g;
    g.begin = i;
    while (len > 0) {
      g.digits.push_back(d);
      i += len;
      len = DigitLen(s, i, &d);
    }
    g.end = i;
    g.touches_mask = (g.begin > 0 && s[g.begin - 1] == '*') || (i < s.size() && s[i] == '*');
    if (const size_t x = CheckXLen(s, i); x > 0) g.x_end = i + x;
    const size_t open = OpenParenBefore(s, g.begin);
    const size_t close = CloseParenLen(s, g.end);
    if (open != kNone && close > 0) {
      g.paren_begin = open;
      g.paren_end = g.end + close;
    }
    groups.push_back(std::move(g));
  }
  return groups;
}

// Whether `b` continues the number that `a` belongs to: one separator between them, or a
// closing parenthesis optionally followed by one separator ("(0531)88881234", "(0531) 8888").
bool Joined(Bytes s, const Group& a, const Group& b) {
  if (a.x_end > 0) return false;
  size_t pos = a.end;
  if (a.paren_begin != kNone) {
    pos = a.paren_end;
    if (pos == b.begin) return true;
  }
  const size_t sep = SeparatorLen(s, pos);
  return sep > 0 && pos + sep == b.begin;
}

bool SignatureIs(const std::vector<size_t>& lens, std::initializer_list<size_t> want) {
  return lens.size() == want.size() && std::equal(lens.begin(), lens.end(), want.begin());
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int Num(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

// Byte offset after skipping `n` digits starting at `i` (digits may be 1 or 3 bytes).
size_t SkipDigits(Bytes s, size_t i, size_t n) {
  char d = 0;
  while (n-- > 0) i += DigitLen(s, i, &d);
  return i;
}

// Area code length for a number starting with 0, or 0 if it is not an area code:
// 010 and 020–029 are 3 digits, 03xx–09xx are 4.
size_t AreaCodeLen(std::string_view d) {
  if (d.size() < 3 || d[0] != '0') return 0;
  if (d[1] == '1') return d[2] == '0' ? 3 : 0;
  if (d[1] == '2') return 3;
  if (d[1] >= '3' && d[1] <= '9' && d.size() >= 4) return 4;
  return 0;
}

bool IsSubscriber(std::string_view d) {
  return (d.size() == 7 || d.size() == 8) && d[0] >= '2' && d[0] <= '9';
}

// Tries to read groups [i, j] as one number; fills `span` on success.
bool MatchNumber(Bytes s, const std::vector<Group>& g, size_t i, size_t j, PiiSpan& span) {
  std::vector<size_t> lens;
  std::string d;
  for (size_t k = i; k <= j; ++k) {
    if (g[k].touches_mask) return false;
    lens.push_back(g[k].digits.size());
    d += g[k].digits;
  }
  const size_t m = lens.size();
  // A parenthesised first group joined to what follows only makes sense as an area code:
  // "(0531)88881234". A lone parenthesised number, "(13812345678)", is read normally.
  const bool paren = g[i].paren_begin != kNone && m > 1;

  // Resident ID: 17 digits + check digit, or 17 digits + X.
  if (!paren) {
    std::string id = d;
    std::vector<size_t> id_lens = lens;
    size_t end = g[j].end;
    if (g[j].x_end > 0) {
      id.push_back('X');
      ++id_lens.back();
      end = g[j].x_end;
    }
    if (id.size() == 18 &&
        (SignatureIs(id_lens, {18}) || SignatureIs(id_lens, {6, 8, 4}) ||
         SignatureIs(id_lens, {6, 4, 4, 4})) &&
        IsValidIdNumber(id)) {
      span = {g[i].begin, end, PiiKind::kIdNumber};
      return true;
    }
  }

  // Bank card: 16–19 digits, one run or blocks of four, Luhn.
  if (!paren && d.size() >= 16 && d.size() <= 19 &&
      (d[0] == '3' || d[0] == '4' || d[0] == '5' || d[0] == '6' || d[0] == '9')) {
    bool blocks = m == 1;
    if (m >= 4) {
      blocks = lens.back() >= 1 && lens.back() <= 4;
      for (size_t k = 0; k + 1 < m; ++k) blocks = blocks && lens[k] == 4;
    }
    if (blocks && PassesLuhn(d)) {
      span = {g[i].begin, g[j].end, PiiKind::kBankCard};
      return true;
    }
  }

  // Mobile.
  if (!paren) {
    if (d.size() == 11 && d[0] == '1' && d[1] >= '3' &&
        (SignatureIs(lens, {11}) || SignatureIs(lens, {3, 4, 4}) || SignatureIs(lens, {3, 8}) ||
         SignatureIs(lens, {7, 4}))) {
      span = {g[i].begin, g[j].end, PiiKind::kMobile};
      return true;
    }
    if (m == 1 && d.size() == 13 && d[0] == '8' && d[1] == '6' && d[2] == '1' && d[3] >= '3') {
      span = {SkipDigits(s, g[i].begin, 2), g[j].end, PiiKind::kMobile};
      return true;
    }
  }

  // Landline with area code.
  const size_t area = AreaCodeLen(d);
  if (area > 0 && IsSubscriber(std::string_view(d).substr(area))) {
    bool ok = false;
    if (m == 1) {
      ok = true;
    } else if (lens[0] == area) {
      const std::vector<size_t> rest(lens.begin() + 1, lens.end());
      ok = SignatureIs(rest, {7}) || SignatureIs(rest, {8}) || SignatureIs(rest, {4, 4}) ||
           SignatureIs(rest, {3, 4});
    }
    if (ok) {
      span = {paren ? g[i].paren_begin : g[i].begin, g[j].end, PiiKind::kLandline};
      return true;
    }
  }
  return false;
}

void FindNumbers(Bytes s, std::vector<PiiSpan>& out) {
  const std::vector<Group> g = FindDigitGroups(s);
  constexpr size_t kMaxGroups = 5;  // 4-4-4-4-3 card
  size_t chain_end = 0;             // last index of the chain containing i
  for (size_t i = 0; i < g.size();) {
    if (chain_end < i) chain_end = i;
    while (chain_end + 1 < g.size() && Joined(s, g[chain_end], g[chain_end + 1])) ++chain_end;
    bool matched = false;
    // Longest reading first.
    for (size_t j = std::min(chain_end, i + kMaxGroups - 1) + 1; j-- > i;) {
      PiiSpan span;
      if (MatchNumber(s, g, i, j, span)) {
        out.push_back(span);
        i = j + 1;
        matched = true;
        break;
      }
    }
    if (!matched) ++i;
  }
}

// '*' is legal in a local part (RFC 5322 atext) and keeps a masked address an address, so
// masking twice changes nothing.
bool IsLocalChar(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '%' || c == '+' || c == '-' || c == '*';
}

// '*' as in IsLocalChar: digits masked inside a would-be domain must not end it early.
bool IsDomainChar(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '*';
}

bool IsAlpha(uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// End of the domain that starts at `from`, or 0 if there is none. The domain is labels of
// [A-Za-z0-9*-] joined by single dots, and ends after the last label (not the first) that is
// all letters: the top-level domain. Chinese text has no spaces, so a label holding five or
// more digits (or '*', masked digits) ends the domain: in "qq.com13812345678" the address is
// abc@qq.com and a phone number follows.
size_t DomainEnd(Bytes s, size_t from) {
  size_t best = 0;
  size_t pos = from;
  for (bool first = true;; first = false) {
    const size_t label = pos;
    size_t letters = 0;  // leading letters of the label
    while (pos < s.size() && IsAlpha(At(s, pos))) ++pos, ++letters;
    size_t run = 0;
    bool long_digits = false;
    while (pos < s.size() && IsDomainChar(At(s, pos)) && s[pos] != '.') {
      // '*' counts as a digit: it is one once masked.
      run = ((s[pos] >= '0' && s[pos] <= '9') || s[pos] == '*') ? run + 1 : 0;
      long_digits = long_digits || run >= 5;
      ++pos;
    }
    if (pos == label || s[label] == '-') return best;
    if (long_digits) {
      return (!first && letters >= 2) ? label + letters : best;
    }
    // An all-letter label is a top-level domain candidate; so are its letters when a '*'
    // follows them, which is where MaskPii masked whatever came next ("qq.com**@...").
    if (!first && letters >= 2) {
      if (letters == pos - label) {
        best = pos;
      } else if (s[label + letters] == '*') {
        best = label + letters;
      }
    }
    if (pos + 1 < s.size() && s[pos] == '.' && IsDomainChar(At(s, pos + 1)) && s[pos + 1] != '.') {
      ++pos;
      continue;
    }
    return best;
  }
}

void FindEmails(Bytes s, std::vector<PiiSpan>& out) {
  size_t from = 0;
  size_t last_end = 0;  // e-mails do not overlap: "a@b.cn@c.cn" yields a@b.cn only
  while (true) {
    const size_t at = s.find('@', from);
    if (at == Bytes::npos) return;
    from = at + 1;
    size_t left = at;
    while (left > last_end && IsLocalChar(At(s, left - 1))) --left;
    while (left < at && s[left] == '.') ++left;
    if (left == at) continue;
    const size_t right = DomainEnd(s, at + 1);
    if (right == 0) continue;
    out.push_back({left, right, PiiKind::kEmail});
    from = right;
    last_end = right;
  }
}

bool Overlaps(const PiiSpan& a, const PiiSpan& b) { return a.begin < b.end && b.begin < a.end; }

}  // namespace

const char* PiiKindName(PiiKind kind) {
  switch (kind) {
    case PiiKind::kMobile:
      return "mobile";
    case PiiKind::kLandline:
      return "landline";
    case PiiKind::kIdNumber:
      return "id_number";
    case PiiKind::kBankCard:
      return "bank_card";
    case PiiKind::kEmail:
      return "email";
  }
  return "unknown";
}

bool IsValidIdNumber(std::string_view id) {
  if (id.size() != 18) return false;
  for (size_t k = 0; k < 17; ++k) {
    if (id[k] < '0' || id[k] > '9') return false;
  }
  if (id[0] == '0') return false;  // region codes start at 11
  const int year = Num(id.substr(6, 4));
  const int month = Num(id.substr(10, 2));
  const int day = Num(id.substr(12, 2));
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1) return false;
  if (day > kDays[month - 1] + (month == 2 && IsLeap(year) ? 1 : 0)) return false;
  static constexpr std::array<int, 17> kWeights = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                   3, 7, 9,  10, 5, 8, 4, 2};
  int sum = 0;
  for (size_t k = 0; k < 17; ++k) sum += (id[k] - '0') * kWeights[k];
  static constexpr char kCheck[] = "10X98765432";
  const char want = kCheck[sum % 11];
  const char got = id[17] == 'x' ? 'X' : id[17];
  return got == want;
}

bool PassesLuhn(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool twice = false;
  for (size_t k = digits.size(); k-- > 0;) {
    if (digits[k] < '0' || digits[k] > '9') return false;
    int v = digits[k] - '0';
    if (twice) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
    twice = !twice;
  }
  return sum % 10 == 0;
}

std::vector<PiiSpan> FindPii(std::string_view utf8) {
  std::vector<PiiSpan> emails;
  FindEmails(utf8, emails);
  std::vector<PiiSpan> numbers;
  FindNumbers(utf8, numbers);
  std::vector<PiiSpan> out = emails;
  for (const PiiSpan& n : numbers) {
    if (std::none_of(emails.begin(), emails.end(),
                     [&](const PiiSpan& e) { return Overlaps(e, n); })) {
      out.push_back(n);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const PiiSpan& a, const PiiSpan& b) { return a.begin < b.begin; });
  return out;
}

std::string MaskPii(std::string_view utf8) {
  const std::vector<PiiSpan> spans = FindPii(utf8);
  if (spans.empty()) return std::string(utf8);
  std::string out;
  out.reserve(utf8.size());
  size_t copied = 0;
  // Units are the characters a kind masks: digits (and the ID's X), or the e-mail local part.
  struct Unit {
    size_t begin;
    size_t len;
  };
  std::vector<Unit> units;
  for (const PiiSpan& span : spans) {
    out.append(utf8.substr(copied, span.begin - copied));
    units.clear();
    std::string digits;
    if (span.kind == PiiKind::kEmail) {
      for (size_t k = span.begin; k < span.end && utf8[k] != '@'; ++k) units.push_back({k, 1});
    } else {
      char d = 0;
      for (size_t k = span.begin; k < span.end;) {
        size_t len = DigitLen(utf8, k, &d);
        if (len == 0 && span.kind == PiiKind::kIdNumber) {
          len = CheckXLen(utf8, k);
          d = 'X';
        }
        if (len > 0) {
          units.push_back({k, len});
          digits.push_back(d);
          k += len;
        } else {
          ++k;
        }
      }
    }
    const size_t n = units.size();
    size_t mask_from = 0;
    size_t mask_to = 0;
    switch (span.kind) {
      case PiiKind::kMobile:
        mask_from = 3;
        mask_to = n >= 4 ? n - 4 : 0;
        break;
      case PiiKind::kLandline:
        mask_from = AreaCodeLen(digits);
        mask_to = n >= 4 ? n - 4 : 0;
        break;
      case PiiKind::kIdNumber:
        mask_from = 6;
        mask_to = n >= 4 ? n - 4 : 0;
        break;
      case PiiKind::kBankCard:
        mask_to = n >= 4 ? n - 4 : 0;
        break;
      case PiiKind::kEmail:
        mask_from = n <= 2 ? 0 : 1;
        mask_to = n;
        break;
    }
    size_t pos = span.begin;
    for (size_t u = 0; u < n; ++u) {
      if (u < mask_from || u >= mask_to) continue;
      out.append(utf8.substr(pos, units[u].begin - pos));
      out.push_back('*');
      pos = units[u].begin + units[u].len;
    }
    out.append(utf8.substr(pos, span.end - pos));
    copied = span.end;
  }
  out.append(utf8.substr(copied));
  return out;
}

}  // namespace hotline::text
