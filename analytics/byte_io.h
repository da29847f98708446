// Compact binary encoding for checkpoints (docs/storage.md "Projections"): LEB128 varints,
// zigzag for signed values, length-prefixed strings. The reader never reads past its input:
// every read reports truncation through ok(), so damaged bytes are an error, not a crash.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hotline::analytics {

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}
  void U(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void S(std::int64_t v) {
    U((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void Byte(std::uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void Str(std::string_view s) {
    U(s.size());
    out_.append(s);
  }
  void F64(double d) {
    std::uint64_t u;
    static_assert(sizeof u == sizeof d);
    __builtin_memcpy(&u, &d, sizeof u);
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((u >> (8 * i)) & 0xff));
  }

 private:
  std::string& out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ == in_.size(); }
  size_t remaining() const { return in_.size() - pos_; }
  std::uint64_t U() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return Fail();
      const auto b = static_cast<std::uint8_t>(in_[pos_++]);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    return Fail();
  }
  std::int64_t S() {
    const std::uint64_t u = U();
    return static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
  }
  std::uint8_t Byte() {
    if (pos_ >= in_.size()) return static_cast<std::uint8_t>(Fail());
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  std::string Str() {
    const std::uint64_t n = U();
    if (!ok_ || n > remaining()) {
      Fail();
      return {};
    }
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  double F64() {
    if (remaining() < 8) {
      Fail();
      return 0;
    }
    std::uint64_t u = 0;
    for (int i = 0; i < 8; ++i)
      u |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(in_[pos_ + i])) << (8 * i);
    pos_ += 8;
    double d;
    __builtin_memcpy(&d, &u, sizeof d);
    return d;
  }
  // A count about to drive an allocation: refused when larger than the bytes left could hold
  // (each element takes at least `min_bytes`), so a damaged count cannot allocate gigabytes.
  std::uint64_t Count(size_t min_bytes = 1) {
    const std::uint64_t n = U();
    if (ok_ && n > remaining() / (min_bytes ? min_bytes : 1)) return Fail();
    return n;
  }
  std::uint64_t Fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace hotline::analytics
