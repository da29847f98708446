#include "text/normalize.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace hotline::text {
namespace {

class NormalizeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto created = Normalizer::Create();
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    normalizer_ = std::move(created).value().release();
  }
  static void TearDownTestSuite() {
    delete normalizer_;
    normalizer_ = nullptr;
  }
  static std::string N(std::string_view s) { return normalizer_->Normalize(s); }
  static Normalizer* normalizer_;
};

Normalizer* NormalizeTest::normalizer_ = nullptr;

TEST_F(NormalizeTest, TraditionalToSimplified) {
  EXPECT_EQ(N("歷城區洪家樓街道"), "历城区洪家楼街道");
  EXPECT_EQ(N("濟南市路燈壞了"), "济南市路灯坏了");
}

TEST_F(NormalizeTest, SimplifiedUnchanged) {
  EXPECT_EQ(N("历城区洪家楼街道小区门口的路灯坏了好几天了"),
            "历城区洪家楼街道小区门口的路灯坏了好几天了");
}

TEST_F(NormalizeTest, FullWidthFoldsButKeepsCase) {
  // NFKC folds the width; lower-casing is the tokenizer's job so snippets keep their case.
  EXPECT_EQ(N("ＡＢＣ１２３"), "ABC123");
  EXPECT_EQ(N("电话：１３８１２３４５６７８！"), "电话:13812345678!");
}

TEST_F(NormalizeTest, CompatibilityForms) {
  EXPECT_EQ(N("㈱"), "(株)");
  EXPECT_EQ(N("ﬁ"), "fi");
  EXPECT_EQ(N("①号楼"), "1号楼");
  EXPECT_EQ(N("㎡"), "m2");
  EXPECT_EQ(N("ｶﾀｶﾅ"), "カタカナ");
}

TEST_F(NormalizeTest, PunctuationUnified) {
  EXPECT_EQ(N("你好，我是居民；请尽快处理。"), "你好,我是居民;请尽快处理。");
  EXPECT_EQ(N("油烟、噪音"), "油烟,噪音");
  EXPECT_EQ(N("“路灯”「不亮」【紧急】——急"), "\"路灯\"\"不亮\"[紧急]--急");
  EXPECT_EQ(N("《济南市物业管理条例》"), "《济南市物业管理条例》");
  EXPECT_EQ(N("等了很久……"), "等了很久......");
}

TEST_F(NormalizeTest, WhitespaceCollapsedAndTrimmed) {
  EXPECT_EQ(N("  路灯\t\t坏了\r\n\r\n好几天　　了  "), "路灯 坏了 好几天 了");
  EXPECT_EQ(N("\u00a0\u3000\n"), "");
  EXPECT_EQ(N(""), "");
}

TEST_F(NormalizeTest, ControlAndFormatCharactersRemoved) {
  constexpr char kControls[] = "路\0灯\x01坏\x7f了\xc2\x85";  // NUL, SOH, DEL, NEL (C1)
  EXPECT_EQ(N(std::string(kControls, sizeof(kControls) - 1)), "路灯坏了");
  EXPECT_EQ(N("\xef\xbb\xbf路\xe2\x80\x8b灯"), "路灯");  // BOM, zero-width space
}

TEST_F(NormalizeTest, MixedScripts) {
  EXPECT_EQ(N("ＷｉＦｉ密碼錯誤，ＡＰＰ無法登錄 iOS 17"), "WiFi密码错误,APP无法登录 iOS 17");
  EXPECT_EQ(N("Café №５"), "Café No5");
}

TEST_F(NormalizeTest, InvalidUtf8Repaired) {
  const std::string out = N("路\xff灯\xc0\xaf坏\xed\xa0\x80了\xe4\xb8");
  EXPECT_TRUE(IsValidUtf8(out));
  EXPECT_NE(out.find("\xef\xbf\xbd"), std::string::npos);  // U+FFFD
  EXPECT_NE(out.find("路"), std::string::npos);
  EXPECT_NE(out.find("了"), std::string::npos);
}

TEST_F(NormalizeTest, IdempotentOnAppealText) {
  const std::string once =
      N("歷城區洪家樓街道ＸＸ小區：夜間施工噪音擾民，已持續一週！請儘快處理。電話１３８１２３４５６"
        "７８");
  EXPECT_EQ(N(once), once);
}

TEST_F(NormalizeTest, ThreadsShareOneNormalizer) {
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < 200; ++i) {
        if (N("歷城區洪家樓街道，路燈壞了") != "历城区洪家楼街道,路灯坏了") ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

TEST(NormalizerCreate, MissingConfigIsAClearError) {
  NormalizerOptions options;
  options.opencc_config = "no-such-config.json";
  auto created = Normalizer::Create(options);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(created.status().message().find("no-such-config.json"), std::string::npos);
  EXPECT_NE(created.status().message().find("opencc"), std::string::npos);
}

TEST(NormalizerCreate, ConfigByPath) {
  auto created = Normalizer::Create();
  ASSERT_TRUE(created.ok());
  NormalizerOptions options;
  options.opencc_config = (*created)->opencc_config_path();
  auto by_path = Normalizer::Create(options);
  ASSERT_TRUE(by_path.ok()) << by_path.status().ToString();
  EXPECT_EQ((*by_path)->Normalize("樓"), "楼");
}

TEST(Utf8, ValidityAndRepair) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("abc路灯\xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe4\xb8"));          // truncated
  EXPECT_EQ(RepairUtf8("a\xffz"), "a\xef\xbf\xbdz");
  EXPECT_EQ(RepairUtf8("路灯"), "路灯");
  EXPECT_TRUE(IsValidUtf8(RepairUtf8("\xe4\xb8\xe4\xb8\x80\x80\x80\xf0")));
}

}  // namespace
}  // namespace hotline::text
