#include "text/normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <SimpleConverter.hpp>
#include <algorithm>
#include <filesystem>
#include <mutex>
#include <utility>
#include <vector>

#include "text/utf8.h"

namespace hotline::text {

namespace {

// ICU strings are indexed by int32_t; inputs larger than this are normalised in pieces split at
// code point boundaries.
constexpr size_t kMaxChunk = size_t{1} << 28;

bool IsAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

// Punctuation that has a Chinese and an ASCII spelling with the same meaning, after NFKC (which
// already maps the full-width ASCII block, e.g. ，；：！？（） and U+3000). Book-title marks
// 《》 and the full stop 。 are kept: they carry structure and have no ASCII twin that ICU's
// word breaker treats the same way ('.' joins "a.b" into one word).
UChar32 UnifyPunctuation(UChar32 c) {
  switch (c) {
    case 0x3001:  // 、 ideographic comma
      return ',';
    case 0x201C:  // “
    case 0x201D:  // ”
    case 0x201E:  // „
    case 0x300C:  // 「
    case 0x300D:  // 」
    case 0x300E:  // 『
    case 0x300F:  // 』
    case 0x301D:  // 〝
    case 0x301E:  // 〞
      return '"';
    case 0x2018:  // ‘
    case 0x2019:  // ’
    case 0x2032:  // ′
      return '\'';
    case 0x3010:  // 【
    case 0x3014:  // 〔
    case 0x3016:  // 〖
    case 0x3018:  // 〘
      return '[';
    case 0x3011:  // 】
    case 0x3015:  // 〕
    case 0x3017:  // 〗
    case 0x3019:  // 〙
      return ']';
    case 0x2010:  // ‐ hyphen
    case 0x2011:  // non-breaking hyphen
    case 0x2012:  // figure dash
    case 0x2013:  // – en dash
    case 0x2014:  // — em dash (—— is the Chinese dash)
    case 0x2015:  // ― horizontal bar
    case 0x2212:  // − minus sign
      return '-';
    case 0x00B7:  // · middle dot (names: 阿卜杜·热合曼)
    case 0x2022:  // • bullet
    case 0x30FB:  // ・ katakana middle dot
    case 0x2027:  // ‧ hyphenation point
      return 0x00B7;
    case 0x301C:  // 〜 wave dash
      return '~';
    default:
      return c;
  }
}

bool IsSpace(UChar32 c) {
  // u_isUWhiteSpace covers U+3000, NBSP, U+2028/9, U+0085 and ASCII \t\n\v\f\r.
  return c == ' ' || (c < 0x80 ? (c >= 0x09 && c <= 0x0D) : u_isUWhiteSpace(c));
}

bool IsRemoved(UChar32 c) {
  if (c < 0x20) return true;  // C0 controls that are not whitespace
  if (c < 0x7F) return false;
  const int8_t type = u_charType(c);
  // Cc (DEL, C1) and Cf (zero-width space/joiners, BOM, soft hyphen, bidi controls).
  return type == U_CONTROL_CHAR || type == U_FORMAT_CHAR;
}

// Repair + NFKC + whitespace/control/punctuation pass for one piece; appends to `out`.
// `pending_space` carries a collapsed space across pieces.
void NormalizePiece(const icu::Normalizer2& nfkc, std::string_view piece, std::string& out,
                    bool& pending_space) {
  // fromUTF8 replaces each ill-formed sequence with U+FFFD.
  const icu::UnicodeString src = icu::UnicodeString::fromUTF8(
      icu::StringPiece(piece.data(), static_cast<int32_t>(piece.size())));
  UErrorCode status = U_ZERO_ERROR;
  const icu::UnicodeString folded = nfkc.normalize(src, status);
  const icu::UnicodeString& text = U_SUCCESS(status) ? folded : src;

  const char16_t* p = text.getBuffer();
  const int32_t len = text.length();
  for (int32_t i = 0; i < len;) {
    UChar32 c;
    U16_NEXT(p, i, len, c);
    if (U_IS_SURROGATE(c)) c = 0xFFFD;  // cannot happen after fromUTF8; belt and braces
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (IsRemoved(c)) continue;
    c = UnifyPunctuation(c);
    if (pending_space) {
      out.push_back(' ');
      pending_space = false;
    }
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      AppendUtf8(out, c);
    }
  }
}

// Longest prefix of `s` no longer than `max` that does not split a UTF-8 sequence (as far as
// the bytes look like one; ill-formed bytes are repaired either way).
size_t ChunkEnd(std::string_view s, size_t max) {
  if (s.size() <= max) return s.size();
  size_t end = max;
  for (int back = 0; back < 4 && end > 0; ++back) {
    if ((static_cast<unsigned char>(s[end]) & 0xC0) != 0x80) break;
    --end;
  }
  return end == 0 ? max : end;
}

std::string FindOpenccConfig(const std::string& name, std::string& searched) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (name.find('/') != std::string::npos) {
    searched = name;
    return fs::is_regular_file(name, ec) ? name : std::string();
  }
  std::vector<std::string> dirs;
#ifdef HOTLINE_OPENCC_DATA_DIR
  dirs.push_back(HOTLINE_OPENCC_DATA_DIR);
#endif
  dirs.push_back("/usr/share/opencc");
  dirs.push_back("/usr/local/share/opencc");
  for (const std::string& dir : dirs) {
    if (!searched.empty()) searched += ", ";
    searched += dir;
    const fs::path candidate = fs::path(dir) / name;
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  return {};
}

}  // namespace

struct Normalizer::Impl {
  const icu::Normalizer2* nfkc = nullptr;  // ICU singleton, thread-safe
  std::string config_path;

  // Converter pool. A converter is leased for one call and returned; the pool grows to the
  // number of threads normalising at once (each converter holds its own dictionaries, ~1.5 ms
  // to load).
  mutable std::mutex mu;
  mutable std::vector<std::unique_ptr<opencc::SimpleConverter>> idle;

  std::unique_ptr<opencc::SimpleConverter> Lease() const {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!idle.empty()) {
        auto conv = std::move(idle.back());
        idle.pop_back();
        return conv;
      }
    }
    try {
      return std::make_unique<opencc::SimpleConverter>(config_path);
    } catch (const std::exception&) {
      return nullptr;  // loaded once in Create(); only an exhausted machine gets here
    }
  }

  void Return(std::unique_ptr<opencc::SimpleConverter> conv) const {
    if (conv == nullptr) return;
    std::lock_guard<std::mutex> lock(mu);
    idle.push_back(std::move(conv));
  }
};

Normalizer::Normalizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Normalizer::~Normalizer() = default;

const std::string& Normalizer::opencc_config_path() const { return impl_->config_path; }

Result<std::unique_ptr<Normalizer>> Normalizer::Create(const NormalizerOptions& options) {
  auto impl = std::make_unique<Impl>();
  UErrorCode status = U_ZERO_ERROR;
  impl->nfkc = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status) || impl->nfkc == nullptr) {
    return Status(Code::kInternal,
                  std::string("ICU NFKC normalizer unavailable: ") + u_errorName(status));
  }
  std::string searched;
  impl->config_path = FindOpenccConfig(options.opencc_config, searched);
  if (impl->config_path.empty()) {
    return Status(Code::kFailedPrecondition, "OpenCC configuration '" + options.opencc_config +
                                                 "' not found (searched " + searched +
                                                 "); install the opencc data package");
  }
  try {
    impl->idle.push_back(std::make_unique<opencc::SimpleConverter>(impl->config_path));
  } catch (const std::exception& e) {
    return Status(Code::kFailedPrecondition,
                  "OpenCC configuration '" + impl->config_path + "' failed to load: " + e.what());
  }
  return std::unique_ptr<Normalizer>(new Normalizer(std::move(impl)));
}

std::string Normalizer::Normalize(std::string_view utf8) const {
  std::string folded;
  folded.reserve(utf8.size());
  bool pending_space = false;
  while (!utf8.empty()) {
    const size_t end = ChunkEnd(utf8, kMaxChunk);
    NormalizePiece(*impl_->nfkc, utf8.substr(0, end), folded, pending_space);
    utf8.remove_prefix(end);
  }
  // Trailing whitespace is never emitted: pending_space is simply dropped.
  if (folded.empty() || IsAscii(folded)) return folded;

  std::unique_ptr<opencc::SimpleConverter> conv = impl_->Lease();
  if (conv == nullptr) return folded;
  std::string converted;
  try {
    converted = conv->Convert(folded.data(), folded.size());
  } catch (const std::exception&) {
    impl_->Return(std::move(conv));
    return folded;
  }
  impl_->Return(std::move(conv));
  // OpenCC is given valid UTF-8 and returns valid UTF-8; checking is cheap next to converting.
  if (!IsValidUtf8(converted)) return RepairUtf8(converted);
  return converted;
}

bool IsValidUtf8(std::string_view bytes) {
  const auto* s = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t i = 0;
  while (i < bytes.size()) {
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    // Decode one sequence within a bounded window so that ICU's int32 indexes stay small.
    const int32_t window = static_cast<int32_t>(std::min<size_t>(4, bytes.size() - i));
    int32_t j = 0;
    UChar32 c;
    U8_NEXT(s + i, j, window, c);
    if (c < 0) return false;
    i += static_cast<size_t>(j);
  }
  return true;
}

std::string RepairUtf8(std::string_view bytes) {
  if (IsValidUtf8(bytes)) return std::string(bytes);
  std::string out;
  out.reserve(bytes.size() + 8);
  const auto* s = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t i = 0;
  while (i < bytes.size()) {
    if (s[i] < 0x80) {
      out.push_back(static_cast<char>(s[i++]));
      continue;
    }
    // Decode one sequence within a bounded window so that int32 indexes stay small.
    const int32_t window = static_cast<int32_t>(std::min<size_t>(4, bytes.size() - i));
    int32_t j = 0;
    UChar32 c;
    U8_NEXT(s + i, j, window, c);
    if (c < 0) {
      AppendUtf8(out, 0xFFFD);
    } else {
      out.append(bytes.substr(i, static_cast<size_t>(j)));
    }
    i += static_cast<size_t>(j);
  }
  return out;
}

}  // namespace hotline::text
