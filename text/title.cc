#include "text/title.h"

#include <vector>

#include "text/utf8.h"

namespace hotline::text {
namespace {

bool SentenceEnd(char32_t c) {
  return c == U'。' || c == U'！' || c == U'？' || c == U'；' || c == U'!' || c == U'?' ||
         c == U';' || c == U'\n';
}
bool ClauseEnd(char32_t c) {
  return c == U'，' || c == U',' || c == U'、' || c == U'：' || c == U':';
}
bool Space(char32_t c) { return c == U' ' || c == U'\t' || c == U'\r' || c == U'\u3000'; }

std::string Encode(const std::vector<char32_t>& cs, size_t n) {
  std::string out;
  for (size_t i = 0; i < n && i < cs.size(); ++i) AppendUtf8(out, cs[i]);
  return out;
}

}  // namespace

std::string AutoTitle(std::string_view content, size_t max_chars) {
  // Trimmed (leading punctuation too), whitespace runs folded (a newline ends a sentence, so
  // it is kept).
  std::vector<char32_t> cs;
  for (char32_t c : DecodeUtf8(content)) {
    if (cs.empty() && (SentenceEnd(c) || ClauseEnd(c))) continue;  // leading punctuation
    if (Space(c)) {
      if (!cs.empty() && cs.back() != U' ' && cs.back() != U'\n') cs.push_back(U' ');
    } else if (c == U'\n') {
      if (!cs.empty() && cs.back() == U' ') cs.pop_back();
      if (!cs.empty() && cs.back() != U'\n') cs.push_back(c);
    } else {
      cs.push_back(c);
    }
  }
  while (!cs.empty() && (cs.back() == U' ' || cs.back() == U'\n')) cs.pop_back();
  if (cs.empty()) return "";
  // The first sentence, when it fits.
  for (size_t i = 0; i < cs.size() && i <= max_chars; ++i)
    if (SentenceEnd(cs[i])) return Encode(cs, i);
  if (cs.size() <= max_chars) return Encode(cs, cs.size());
  // The first clauses that fit (at least a third of the room, else the title says too little).
  for (size_t i = max_chars; i >= max_chars / 3 && i > 0; --i)
    if (ClauseEnd(cs[i])) return Encode(cs, i);
  return Encode(cs, max_chars - 1) + "…";
}

}  // namespace hotline::text
