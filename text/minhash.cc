#include "text/minhash.h"

#include <algorithm>
#include <vector>

#include "text/utf8.h"

namespace hotline::text {
namespace {

// splitmix64: a fast, well-mixed 64-bit hash of a 64-bit value.
std::uint64_t Mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

bool Skip(char32_t c) {
  if (c < 0x80)
    return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
  // CJK and fullwidth punctuation, general punctuation, spaces.
  return (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xff0f) ||
         (c >= 0xff1a && c <= 0xff20) || (c >= 0x2000 && c <= 0x206f);
}

}  // namespace

MinHash MinHashOf(std::string_view normalized) {
  std::vector<char32_t> cps;
  for (char32_t c : DecodeUtf8(normalized)) {
    if (Skip(c)) continue;
    if (c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
    cps.push_back(c);
  }
  std::vector<std::uint64_t> shingles;
  if (cps.size() < 3) {
    std::uint64_t h = 0x51ed27;
    for (char32_t c : cps) h = Mix(h ^ c);
    shingles.push_back(h);
  } else {
    shingles.reserve(cps.size() - 2);
    for (size_t i = 0; i + 2 < cps.size(); ++i)
      shingles.push_back(Mix((static_cast<std::uint64_t>(cps[i]) << 42) ^
                             (static_cast<std::uint64_t>(cps[i + 1]) << 21) ^ cps[i + 2]));
  }
  MinHash m;
  m.fill(UINT32_MAX);
  for (std::uint64_t s : shingles)
    for (int k = 0; k < kMinHashSize; ++k) {
      auto v = static_cast<std::uint32_t>(
          Mix(s ^ (0x1234567ULL * static_cast<std::uint64_t>(k + 1))) >> 32);
      m[static_cast<size_t>(k)] = std::min(m[static_cast<size_t>(k)], v);
    }
  return m;
}

double EstimateJaccard(const MinHash& a, const MinHash& b) {
  int same = 0;
  for (int k = 0; k < kMinHashSize; ++k)
    same += a[static_cast<size_t>(k)] == b[static_cast<size_t>(k)];
  return static_cast<double>(same) / kMinHashSize;
}

std::array<std::uint64_t, kBands> BandKeys(const MinHash& m) {
  std::array<std::uint64_t, kBands> keys;
  for (int b = 0; b < kBands; ++b) {
    std::uint64_t h = Mix(static_cast<std::uint64_t>(b) + 1);
    for (int r = 0; r < kRows; ++r) h = Mix(h ^ m[static_cast<size_t>(b * kRows + r)]);
    keys[static_cast<size_t>(b)] = h;
  }
  return keys;
}

}  // namespace hotline::text
