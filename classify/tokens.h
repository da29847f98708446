// The tokens the classifier sees, from raw appeal text. Every model trains and predicts on this
// one function, so changing the text pipeline is a one-line change here (and a new kTokenizerId,
// which makes older models refuse to load rather than silently mis-predict).
//
// Thread-safety: a pure function; safe to call from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hotline::classify {

// Names the token scheme; stored in every model file and checked on load.
inline constexpr std::string_view kTokenizerId = "cjk12-local-v1";

// Local scheme (until text/ lands): full-width forms folded to ASCII, ASCII lower-cased;
// each maximal run of Han characters gives its unigrams then its bigrams; each run of ASCII
// letters/digits is one token; everything else separates. Invalid UTF-8 bytes separate.
std::vector<std::string> ClassifierTokens(std::string_view raw);

}  // namespace hotline::classify
