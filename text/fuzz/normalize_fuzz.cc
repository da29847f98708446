// libFuzzer target: Normalizer::Normalize and Tokenize on arbitrary bytes. Properties: no
// crash, valid UTF-8 out, no control characters, no leading/trailing/double spaces, tokens
// non-empty valid UTF-8, RepairUtf8 keeps valid input unchanged.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "text/fuzz/fuzz_check.h"
#include "text/normalize.h"
#include "text/tokenize.h"

namespace {

const hotline::text::Normalizer& TheNormalizer() {
  static const std::unique_ptr<hotline::text::Normalizer> normalizer = [] {
    auto created = hotline::text::Normalizer::Create();
    if (!created.ok()) {
      std::fprintf(stderr, "Normalizer::Create: %s\n", created.status().ToString().c_str());
      std::abort();
    }
    return std::move(created).value();
  }();
  return *normalizer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hotline::text;
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  const std::string repaired = RepairUtf8(in);
  FUZZ_CHECK(IsValidUtf8(repaired));
  if (IsValidUtf8(in)) FUZZ_CHECK(repaired == in);

  const std::string out = TheNormalizer().Normalize(in);
  FUZZ_CHECK(IsValidUtf8(out));
  FUZZ_CHECK(out.empty() || (out.front() != ' ' && out.back() != ' '));
  FUZZ_CHECK(out.find("  ") == std::string::npos);
  for (unsigned char c : out) FUZZ_CHECK(c >= 0x20 && c != 0x7F);

  TokenizeOptions options;
  options.cjk_unigrams = (size & 1) != 0;
  options.cjk_trigrams = (size & 2) != 0;
  options.collapse_numbers = (size & 4) != 0;
  for (const std::string& token : Tokenize(out, options)) {
    FUZZ_CHECK(!token.empty());
    FUZZ_CHECK(IsValidUtf8(token));
    FUZZ_CHECK(token.find(' ') == std::string::npos);
  }
  return 0;
}
