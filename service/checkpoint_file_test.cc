// The checkpoint file: written atomically, read back exactly; any damage (a flipped byte
// anywhere, truncation, another file format, not a checkpoint at all) is a named error.
#include "service/checkpoint_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace hotline {
namespace {

class CheckpointFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hotline_ckptfile_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    path_ = (dir_ / "sub" / "kpi.ckpt").string();  // the directory is created on write
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Bytes() {
    std::ifstream in(path_, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  void SetBytes(const std::string& b) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << b;
  }
  Checkpoint Sample() {
    Checkpoint c;
    c.format = 7;
    c.event_id = 123456789012;
    c.fingerprint = 0xfeedbeefcafef00dull;
    for (int i = 0; i < 5000; ++i) c.payload += "event " + std::to_string(i % 97) + ";";
    c.payload.push_back('\0');
    return c;
  }
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(CheckpointFileTest, RoundTripAndNoTempFileLeft) {
  const Checkpoint c = Sample();
  auto w = WriteCheckpoint(path_, c);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->raw_bytes, c.payload.size());
  EXPECT_LT(w->file_bytes, c.payload.size() / 4);  // compressed
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
  auto r = ReadCheckpoint(path_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->format, c.format);
  EXPECT_EQ(r->event_id, c.event_id);
  EXPECT_EQ(r->fingerprint, c.fingerprint);
  EXPECT_EQ(r->payload, c.payload);
  // A second write replaces the first.
  Checkpoint d = c;
  d.event_id = 5;
  d.payload = "x";
  ASSERT_TRUE(WriteCheckpoint(path_, d).ok());
  EXPECT_EQ(ReadCheckpoint(path_)->payload, "x");
}

TEST_F(CheckpointFileTest, MissingIsNotFound) {
  auto r = ReadCheckpoint(path_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
}

TEST_F(CheckpointFileTest, EveryFlippedByteAndEveryTruncationIsDetected) {
  ASSERT_TRUE(WriteCheckpoint(path_, Sample()).ok());
  const std::string good = Bytes();
  // One bit flipped at every position (header, checksum, compressed payload).
  for (size_t i = 0; i < good.size(); i += (i < 64 ? 1 : 7)) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x10);
    SetBytes(bad);
    auto r = ReadCheckpoint(path_);
    ASSERT_FALSE(r.ok()) << "flipped byte " << i << " of " << good.size();
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  }
  for (size_t n :
       {size_t{0}, size_t{10}, size_t{51}, size_t{52}, good.size() / 2, good.size() - 1}) {
    SetBytes(good.substr(0, n));
    auto r = ReadCheckpoint(path_);
    ASSERT_FALSE(r.ok()) << "truncated to " << n;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find("truncated"), std::string::npos) << r.status().message();
  }
  SetBytes(good + "extra");
  EXPECT_FALSE(ReadCheckpoint(path_).ok());
  SetBytes("SQLite format 3 and then some more bytes to pass the header length check....");
  auto r = ReadCheckpoint(path_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not a checkpoint"), std::string::npos);
  std::string other = good;
  other[8] = 2;  // file format 2
  SetBytes(other);
  r = ReadCheckpoint(path_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("file format 2"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace hotline
