// Runs a libFuzzer target's LLVMFuzzerTestOneInput without libFuzzer, so that any compiler can
// run the fuzz bodies as a regression test:
//   <target>_regression <corpus-dir> [random-count]
// Every file in the corpus directory runs first, then `random-count` (default 10,000)
// pseudo-random inputs from a fixed seed, built from fragments that reach the interesting
// code: digits in both widths, separators, ID check characters, CJK, traditional characters,
// whitespace and control characters, and ill-formed UTF-8.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// FUZZ_DRIVER_DUMP=<file>: each input is written there before it runs, so the one that
// aborted can be replayed (or added to the corpus).
int Run(const std::string& input) {
  static const char* const dump = std::getenv("FUZZ_DRIVER_DUMP");
  if (dump != nullptr) std::ofstream(dump, std::ios::binary | std::ios::trunc) << input;
  return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

const char* const kFragments[] = {
    "0",
    "1",
    "3",
    "5",
    "8",
    "9",
    "X",
    "x",
    "１",
    "３",
    "８",
    "０",
    "Ｘ",
    " ",
    "-",
    "－",
    "　",
    "(",
    ")",
    "（",
    "）",
    "@",
    ".",
    ".com",
    "qq",
    "@163.com",
    "138",
    "1381234",
    "5678",
    "0531",
    "88881234",
    "370112",
    "19900307",
    "6222",
    "62220212",
    "4111111111111111",
    "86",
    "+86",
    "歷城區",
    "洪家樓",
    "街道",
    "路灯",
    "坏了",
    "，",
    "。",
    "；",
    "、",
    "“",
    "”",
    "【",
    "】",
    "——",
    "ＡＢＣ",
    "abc",
    "\t",
    "\r\n",
    "\n",
    "" /* NUL */,
    "\x7f",
    "\xc2\x85",
    "\xe2\x80\x8b",
    "\xef\xbb\xbf",
    "\x80",
    "\xc0\xaf",
    "\xed\xa0\x80",
    "\xf4\x90\x80\x80",
    "\xe4\xb8",
    "\xff",
    "\xf0\x9f\x98\x80",
    "\xcc\x88",
    "\xc2\xa8",
    "\xef\xbc\x8c",
    "\xe2\x80\xa6",
    "370112199003071234",
    "6222021234567890123",
    "2611230000123",
};

std::string RandomInput(std::mt19937& rng) {
  std::string s;
  const int parts = static_cast<int>(rng() % 40);
  for (int p = 0; p < parts; ++p) {
    const uint32_t r = rng() % 10;
    if (r < 7) {
      const char* f = kFragments[rng() % std::size(kFragments)];
      s += (f[0] == '\0') ? std::string("\0", 1) : std::string(f);
    } else if (r < 9) {
      s.push_back(static_cast<char>('0' + rng() % 10));
    } else {
      s.push_back(static_cast<char>(rng() & 0xFF));
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <corpus-dir> [random-count]\n", argv[0]);
    return 2;
  }
  const long count = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 10000;
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(argv[1], ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  if (ec) {
    std::fprintf(stderr, "cannot read corpus %s: %s\n", argv[1], ec.message().c_str());
    return 2;
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string input((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Run(input);
  }
  std::mt19937 rng(20240607);
  for (long i = 0; i < count; ++i) Run(RandomInput(rng));
  std::printf("%zu corpus files, %ld random inputs: ok\n", files.size(), count);
  return 0;
}
