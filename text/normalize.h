// Text normalisation for Chinese appeal text: one canonical form for matching, classifying and
// deduplicating, whatever channel, keyboard or script the text came from.
//
// Normalize() repairs invalid UTF-8 (U+FFFD), applies NFKC (full-width letters, digits and
// punctuation become ASCII; compatibility forms are folded), converts traditional to simplified
// Chinese with OpenCC, removes control and format characters, collapses every whitespace run
// (U+3000, tabs, CR/LF...) to one space, trims, and unifies Chinese/ASCII punctuation where both
// spellings mean the same thing (，→, ；→; 、→, “”→" 【】→[] ——→-). It does not lower-case:
// that is the tokenizer's job, so displayed snippets keep their case.
//
// Thread-safety: a Normalizer is immutable after Create() and Normalize() may be called from
// any number of threads. OpenCC does not document its converters as thread-safe, so each call
// leases a converter from a small internal pool (one per concurrently normalising thread).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "domain/result.h"

namespace hotline::text {

struct NormalizerOptions {
  // OpenCC configuration: a file name looked up in OpenCC's data directory, or a path (contains
  // '/'). Default: "t2s.json" (traditional -> simplified, character and phrase tables).
  std::string opencc_config = "t2s.json";
};

class Normalizer {
 public:
  // Fails with kFailedPrecondition when the OpenCC configuration cannot be found or loaded
  // (the message names the directories searched), kInternal when ICU's NFKC data is missing.
  static Result<std::unique_ptr<Normalizer>> Create(const NormalizerOptions& options = {});

  ~Normalizer();
  Normalizer(const Normalizer&) = delete;
  Normalizer& operator=(const Normalizer&) = delete;

  // Any bytes in, valid UTF-8 out. Idempotent on typical text (OpenCC's phrase tables are not
  // guaranteed to be, so callers must not rely on it for security decisions).
  std::string Normalize(std::string_view utf8) const;

  // The OpenCC configuration file in use (absolute path).
  const std::string& opencc_config_path() const;

 private:
  struct Impl;
  explicit Normalizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// True when `bytes` is well-formed UTF-8 (no surrogates, no overlongs, <= U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

// Replaces every ill-formed sequence with U+FFFD; valid input is returned unchanged.
std::string RepairUtf8(std::string_view bytes);

}  // namespace hotline::text
