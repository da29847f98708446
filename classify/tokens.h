// The tokens the classifier sees, from raw appeal text. Every model trains and predicts on this
// one function, so changing the token scheme is a one-line change here (and a new kTokenizerId,
// which makes older models refuse to load rather than silently mis-predict).
//
// Scheme: text/tokenize.h character unigrams + bigrams of each Han run (the text pipeline's
// CJK n-grams), followed by the lower-cased ASCII letter/digit runs (A3区 -> "a3", 12345). ICU
// word break and the OpenCC/NFKC Normalizer are deliberately NOT on this path: measured on the
// Teddy appeals (mean ~1.2 KB) they run at ~2.8k and ~1.3k appeals/s, far below the 20k
// appeals/s prediction budget, and ICU words did not raise cross-validated macro-F1
// (docs/classifier.md). Full-width ASCII is folded here so Ａ３ and A3 agree.
//
// Thread-safety: a pure function; safe to call from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hotline::classify {

// Names the token scheme; stored in every model file and checked on load.
inline constexpr std::string_view kTokenizerId = "text-cjk12+ascii-v1";

std::vector<std::string> ClassifierTokens(std::string_view raw);

}  // namespace hotline::classify
