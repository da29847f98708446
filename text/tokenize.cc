#include "text/tokenize.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <memory>

namespace hotline::text {

namespace {

constexpr char kNumberToken[] = "<num>";
constexpr size_t kMaxWordChunk = size_t{1} << 30;

// One word-break iterator per thread, cloned from a process-wide prototype (creating one from
// the locale costs ~100 µs and loads rule data; cloning is cheap). nullptr if ICU's break data
// is missing, in which case only n-grams are produced.
icu::BreakIterator* ThreadWordBreaker() {
  static const icu::BreakIterator* const prototype = []() -> icu::BreakIterator* {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> bi(
        icu::BreakIterator::createWordInstance(icu::Locale::getChinese(), status));
    if (U_FAILURE(status)) return nullptr;
    return bi.release();  // lives for the process, shared read-only by clone()
  }();
  thread_local const std::unique_ptr<icu::BreakIterator> local(
      prototype == nullptr ? nullptr : prototype->clone());
  return local.get();
}

// Han ideographs (CJK Unified Ideographs, extensions A–G, compatibility ideographs) and 〇.
bool IsHan(UChar32 c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x3134F) || (c >= 0xF900 && c <= 0xFAFF) || c == 0x3007;
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void AppendWords(std::string_view text, const TokenizeOptions& options,
                 std::vector<std::string>& out) {
  icu::BreakIterator* bi = ThreadWordBreaker();
  if (bi == nullptr) return;
  UErrorCode status = U_ZERO_ERROR;
  UText ut = UTEXT_INITIALIZER;
  utext_openUTF8(&ut, text.data(), static_cast<int64_t>(text.size()), &status);
  if (U_FAILURE(status)) return;
  bi->setText(&ut, status);
  if (U_SUCCESS(status)) {
    int32_t start = bi->first();
    for (int32_t end = bi->next(); end != icu::BreakIterator::DONE; start = end, end = bi->next()) {
      const int32_t rule = bi->getRuleStatus();
      if (rule < UBRK_WORD_NONE_LIMIT) continue;  // spaces, punctuation, symbols
      const std::string_view word =
          text.substr(static_cast<size_t>(start), static_cast<size_t>(end - start));
      if (rule < UBRK_WORD_NUMBER_LIMIT) {
        if (options.collapse_numbers) {
          out.emplace_back(kNumberToken);
        } else {
          out.emplace_back(word);
        }
      } else if (rule < UBRK_WORD_LETTER_LIMIT && options.lowercase_ascii) {
        out.push_back(LowerAscii(word));
      } else {
        out.emplace_back(word);
      }
    }
  }
  // The iterator keeps its own shallow clone of `ut`, pointing into `text`; it is never used
  // again before the next setText(), so it is not detached (that would allocate per call).
  utext_close(&ut);
}

void AppendNgrams(std::string_view text, const TokenizeOptions& options,
                  std::vector<std::string>& out) {
  if (!options.cjk_unigrams && !options.cjk_bigrams && !options.cjk_trigrams) return;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  // Byte offsets of the last three Han characters of the current run: begins[k] is where the
  // k-th most recent character starts; run_len counts characters in the run (capped at 3).
  size_t begins[3] = {0, 0, 0};
  int run_len = 0;
  size_t i = 0;
  while (i < n) {
    const size_t start = i;
    UChar32 c;
    if (s[i] < 0x80) {
      c = s[i++];
    } else {
      const int32_t window = static_cast<int32_t>(std::min<size_t>(4, n - i));
      int32_t j = 0;
      U8_NEXT(s + i, j, window, c);
      i += static_cast<size_t>(j);
    }
    if (c < 0 || !IsHan(c)) {
      run_len = 0;
      continue;
    }
    begins[2] = begins[1];
    begins[1] = begins[0];
    begins[0] = start;
    if (run_len < 3) ++run_len;
    // Emit the n-grams ending at this character.
    if (options.cjk_unigrams) out.emplace_back(text.substr(start, i - start));
    if (options.cjk_bigrams && run_len >= 2)
      out.emplace_back(text.substr(begins[1], i - begins[1]));
    if (options.cjk_trigrams && run_len >= 3) {
      out.emplace_back(text.substr(begins[2], i - begins[2]));
    }
  }
}

}  // namespace

std::vector<std::string> Tokenize(std::string_view normalized, const TokenizeOptions& options) {
  std::vector<std::string> tokens;
  if (normalized.empty()) return tokens;
  tokens.reserve(normalized.size() / 2);
  if (options.words) {
    // BreakIterator offsets are int32_t: very large inputs are broken in pieces at spaces (or,
    // failing that, at a code point boundary).
    std::string_view rest = normalized;
    while (!rest.empty()) {
      size_t end = rest.size();
      if (end > kMaxWordChunk) {
        end = rest.rfind(' ', kMaxWordChunk);
        if (end == std::string_view::npos || end == 0) {
          end = kMaxWordChunk;
          while (end > 0 && (static_cast<unsigned char>(rest[end]) & 0xC0) == 0x80) --end;
          if (end == 0) end = kMaxWordChunk;
        }
      }
      AppendWords(rest.substr(0, end), options, tokens);
      rest.remove_prefix(end);
    }
  }
  AppendNgrams(normalized, options, tokens);
  return tokens;
}

std::string JoinTokens(const std::vector<std::string>& tokens) {
  size_t size = 0;
  for (const std::string& t : tokens) size += t.size() + 1;
  std::string out;
  out.reserve(size);
  for (const std::string& t : tokens) {
    if (!out.empty()) out.push_back(' ');
    out += t;
  }
  return out;
}

}  // namespace hotline::text
