// The tokens the classifier sees, from raw appeal text. Every model trains and predicts on this
// one scheme (classify/features.h enumerates it without allocating; this materialises it as
// strings for fastText and the vocabulary-based linear model). Changing the scheme means a new
// kTokenizerId, which makes older models refuse to load rather than silently mis-predict.
//
// Scheme (v2): the text is folded (full-width ASCII -> ASCII, ASCII lower-cased, traditional
// Han -> simplified per character via OpenCC's t2s tables, built once per process), then, for
// the whole text and again, prefixed "t:", for its subject (the text up to the first '\n'; a
// text without '\n' is all subject): Han character unigrams and bigrams inside each Han run, and
// the runs of ASCII letters/digits (A3区 -> "a3"). Whitespace plays no part, so the
// whitespace-stripped rows of the Teddy data tokenise like their originals. ICU word break and
// the full text::Normalizer are deliberately NOT on the per-text path: measured on the Teddy
// appeals (mean ~1.2 KB) they run at ~2.8k and ~1.3k appeals/s, far below the 20k appeals/s
// prediction budget (docs/classifier.md). Han trigrams were measured and lowered the
// cross-validated macro-F1 (0.9175 vs 0.9241), so the scheme stops at bigrams.
//
// Thread-safety: pure functions; safe to call from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hotline::classify {

// Names the token scheme; stored in every model file and checked on load.
inline constexpr std::string_view kTokenizerId = "cjk12+ascii+subject-t2s-v2";

// The subject (留言主题) ends at the first '\n' of a text: join subject and body with '\n'.
inline constexpr char kSubjectSeparator = '\n';

std::vector<std::string> ClassifierTokens(std::string_view raw);

}  // namespace hotline::classify
