#include "classify/tokens.h"

#include <cstdint>

namespace hotline::classify {
namespace {

// Decodes one UTF-8 code point at s[i]; returns its length (0 on an ill-formed sequence).
int DecodeUtf8(std::string_view s, size_t i, char32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  int len = 0;
  char32_t c = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    c = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    c = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    c = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    c = (c << 6) | (b & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < kMin[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  *cp = c;
  return len;
}

bool IsHan(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FA1F);
}

}  // namespace

std::vector<std::string> ClassifierTokens(std::string_view raw) {
  std::vector<std::string> tokens;
  tokens.reserve(raw.size() / 2);
  std::vector<std::string_view> han;  // the current Han run, one view per character
  std::string ascii;
  auto flush_han = [&] {
    for (auto ch : han) tokens.emplace_back(ch);
    for (size_t k = 1; k < han.size(); ++k) {
      std::string bigram;
      bigram.reserve(han[k - 1].size() + han[k].size());
      bigram.append(han[k - 1]).append(han[k]);
      tokens.push_back(std::move(bigram));
    }
    han.clear();
  };
  auto flush_ascii = [&] {
    if (!ascii.empty()) tokens.push_back(std::move(ascii));
    ascii.clear();
  };
  for (size_t i = 0; i < raw.size();) {
    char32_t c = 0;
    const int len = DecodeUtf8(raw, i, &c);
    if (len == 0) {
      flush_han();
      flush_ascii();
      ++i;
      continue;
    }
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII
    if (IsHan(c)) {
      flush_ascii();
      han.push_back(raw.substr(i, len));
    } else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      flush_han();
      ascii.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    } else {
      flush_han();
      flush_ascii();
    }
    i += len;
  }
  flush_han();
  flush_ascii();
  return tokens;
}

}  // namespace hotline::classify
