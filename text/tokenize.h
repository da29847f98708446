// Tokens for the classifier and similarity search: ICU dictionary word break (zh) plus
// character n-grams of CJK runs, which recover what the word breaker gets wrong (place names
// such as 洪家楼 come out as 洪 | 家 | 楼; the bigrams 洪家 家楼 keep them matchable).
//
// Thread-safety: Tokenize() is a free function safe to call from any thread. Each thread clones
// a prototype ICU BreakIterator once and reuses it (no per-call ICU object construction).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hotline::text {

struct TokenizeOptions {
  // ICU word tokens (punctuation, symbols and spaces dropped). Default: true.
  bool words = true;
  // Character n-grams over each maximal run of Han characters. Defaults: bigrams only.
  // A run shorter than n yields no n-grams of that size.
  bool cjk_unigrams = false;
  bool cjk_bigrams = true;
  bool cjk_trigrams = false;
  // Word tokens that ICU classifies as numbers become "<num>". Default: false.
  bool collapse_numbers = false;
  // ASCII letters in word tokens are lower-cased (non-ASCII letters are left as they are).
  // Default: true.
  bool lowercase_ascii = true;
};

// Returns the word tokens in text order, followed by the n-grams in text order.
// REQUIRES: `normalized` is valid UTF-8, ideally Normalizer output (full-width forms folded,
// simplified script); ill-formed bytes are skipped by the n-grams and may end up inside words.
std::vector<std::string> Tokenize(std::string_view normalized, const TokenizeOptions& options = {});

// The text joined with single spaces, e.g. one fastText training line without its label.
std::string JoinTokens(const std::vector<std::string>& tokens);

}  // namespace hotline::text
