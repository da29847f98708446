#include "classify/tokens.h"

#include <memory>

#include "classify/features.h"
#include "text/normalize.h"

namespace hotline::classify {
namespace internal {
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

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// Traditional -> simplified for single BMP Han characters (U+3400..U+FAFF), from OpenCC's t2s
// configuration (character table; NFKC folds the compatibility ideographs). One Normalize()
// call over all ~28k characters, space-separated, at first use (~0.1 s); identity when OpenCC
// or its data is missing or the output does not line up one character per input character.
constexpr char32_t kT2sLo = 0x3400, kT2sHi = 0xFAFF;
struct T2s {
  std::vector<char16_t> map;  // index c - kT2sLo
  T2s() {
    map.resize(kT2sHi - kT2sLo + 1);
    for (char32_t c = kT2sLo; c <= kT2sHi; ++c) map[c - kT2sLo] = static_cast<char16_t>(c);
    auto norm = text::Normalizer::Create();
    if (!norm.ok()) return;
    std::vector<char32_t> in;
    std::string s;
    for (char32_t c = kT2sLo; c <= kT2sHi; ++c) {
      if (!IsHanCp(c)) continue;
      in.push_back(c);
      AppendUtf8(c, &s);
      s.push_back(' ');
    }
    const std::string out = (*norm)->Normalize(s);
    std::vector<char32_t> got;
    size_t i = 0, start = 0;
    std::vector<std::pair<size_t, size_t>> pieces;
    for (; i <= out.size(); ++i) {
      if (i == out.size() || out[i] == ' ') {
        pieces.emplace_back(start, i - start);
        start = i + 1;
      }
    }
    if (pieces.size() != in.size()) return;  // misaligned: keep identity
    for (size_t k = 0; k < in.size(); ++k) {
      const std::string_view piece(out.data() + pieces[k].first, pieces[k].second);
      char32_t c = 0;
      const int len = piece.empty() ? 0 : DecodeUtf8(piece, 0, &c);
      if (len == 0 || static_cast<size_t>(len) != piece.size() || !IsHanCp(c) || c > 0xFFFF)
        continue;
      map[in[k] - kT2sLo] = static_cast<char16_t>(c);
    }
  }
};

const T2s& T2sTable() {
  static const T2s* t = new T2s();
  return *t;
}

}  // namespace

size_t DecodeFolded(std::string_view raw, std::vector<char32_t>* out) {
  const char16_t* t2s = T2sTable().map.data();
  out->clear();
  out->reserve(raw.size());
  size_t subject_end = std::string_view::npos;
  for (size_t i = 0; i < raw.size();) {
    const auto b = static_cast<unsigned char>(raw[i]);
    char32_t c;
    if (b < 0x80) {
      c = b;
      ++i;
      if (c >= 'A' && c <= 'Z') c += 32;
      if (c == static_cast<unsigned char>(kSubjectSeparator) &&
          subject_end == std::string_view::npos)
        subject_end = out->size();
    } else {
      const int len = DecodeUtf8(raw, i, &c);
      if (len == 0) {
        c = 0xFFFD;
        ++i;
      } else {
        i += len;
        if (c >= 0xFF01 && c <= 0xFF5E) {  // full-width ASCII
          c -= 0xFEE0;
          if (c >= 'A' && c <= 'Z') c += 32;
        } else if (c >= kT2sLo && c <= kT2sHi) {
          c = t2s[c - kT2sLo];
        }
      }
    }
    out->push_back(c);
  }
  return subject_end == std::string_view::npos ? out->size() : subject_end;
}

uint64_t TokenKey(std::string_view token, const FeatureSet& set, bool* keep) {
  int ns = 0;
  if (token.size() > 2 && token[0] == 't' && token[1] == ':') {
    ns = 1;
    token.remove_prefix(2);
  }
  char32_t cps[64];
  size_t n = 0;
  uint64_t h = NamespaceSeed(ns);
  for (size_t i = 0; i < token.size();) {
    char32_t c = 0;
    const int len = DecodeUtf8(token, i, &c);
    if (len == 0) c = 0xFFFD;
    i += len == 0 ? 1 : len;
    if (n < 64) cps[n] = c;
    ++n;
    h = (h ^ c) * kFnvPrime;
  }
  *keep = !(ns == 1 && !set.subject) &&
          !(n > 0 && IsHanCp(cps[0]) && n > static_cast<size_t>(set.max_n));
  return MixKey(h);
}

}  // namespace internal

std::vector<std::string> ClassifierTokens(std::string_view raw) {
  std::vector<std::string> tokens;
  internal::ForEachFeature(raw, internal::FeatureSet{internal::kMaxN, true},
                           [&](uint64_t, int ns, const char32_t* cp, size_t n) {
                             std::string t = ns == 1 ? "t:" : "";
                             for (size_t i = 0; i < n; ++i) internal::AppendUtf8(cp[i], &t);
                             tokens.push_back(std::move(t));
                           });
  return tokens;
}

}  // namespace hotline::classify
