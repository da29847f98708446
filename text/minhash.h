// MinHash signatures of Chinese text for near-duplicate search (并单): the
// Jaccard similarity of two texts' character 3-shingle sets is estimated from
// the share of equal signature slots; LSH banding finds candidate pairs
// without comparing every pair, so search stays fast at millions of orders.
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace hotline::text {

inline constexpr int kMinHashSize = 64;
using MinHash = std::array<std::uint32_t, kMinHashSize>;

// Signature of the text's code-point 3-shingles (whitespace and punctuation
// dropped, ASCII lower-cased). Texts under 3 code points hash their whole text.
// REQUIRES: `normalized` comes from Normalizer::Normalize (or is plain UTF-8).
MinHash MinHashOf(std::string_view normalized);

// Estimated Jaccard similarity in [0, 1].
double EstimateJaccard(const MinHash& a, const MinHash& b);

// LSH: the first kBands * kRows slots of the signature cut into kBands bands of kRows
// slots, each hashed to one key. Two texts with Jaccard s share at least one band key with
// probability 1 - (1 - s^kRows)^kBands (s = 0.3: 0.44; s = 0.45: 0.87; s = 0.6: 0.99;
// s = 0.05, unrelated text: 0.003). 21 x 3 replaced 16 x 4, which lost 37% of the labelled
// duplicates before the similarity check (docs/hotspots.md, `hotline duplicates eval`).
inline constexpr int kBands = 21;
inline constexpr int kRows = kMinHashSize / kBands;  // 3
std::array<std::uint64_t, kBands> BandKeys(const MinHash& m);

}  // namespace hotline::text
