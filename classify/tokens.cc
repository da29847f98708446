#include "classify/tokens.h"

#include "text/tokenize.h"

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

}  // namespace

std::vector<std::string> ClassifierTokens(std::string_view raw) {
  static const text::TokenizeOptions kHan = [] {
    text::TokenizeOptions o;
    o.words = false;
    o.cjk_unigrams = true;
    o.cjk_bigrams = true;
    return o;
  }();
  std::vector<std::string> tokens = text::Tokenize(raw, kHan);
  std::string ascii;
  for (size_t i = 0; i < raw.size();) {
    char32_t c = 0;
    int len = DecodeUtf8(raw, i, &c);
    if (len == 0) len = 1, c = 0;
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      ascii.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    } else if (!ascii.empty()) {
      tokens.push_back(std::move(ascii));
      ascii.clear();
    }
    i += len;
  }
  if (!ascii.empty()) tokens.push_back(std::move(ascii));
  return tokens;
}

}  // namespace hotline::classify
