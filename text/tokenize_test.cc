#include "text/tokenize.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

namespace hotline::text {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

TokenizeOptions WordsOnly() {
  TokenizeOptions o;
  o.cjk_bigrams = false;
  return o;
}

TEST(Tokenize, AppealSentenceWords) {
  // ICU's dictionary splits place names (洪/家/楼); the bigrams below recover them.
  EXPECT_THAT(Tokenize("历城区洪家楼街道小区门口的路灯坏了好几天了,晚上出行很不方便", WordsOnly()),
              ElementsAre("历", "城区", "洪", "家", "楼", "街道", "小区", "门口", "的", "路灯",
                          "坏", "了", "好几天", "了", "晚上", "出行", "很不", "方便"));
}

TEST(Tokenize, BigramsByDefault) {
  const auto tokens = Tokenize("洪家楼路灯坏了");
  EXPECT_THAT(tokens, Contains("洪家"));
  EXPECT_THAT(tokens, Contains("家楼"));
  EXPECT_THAT(tokens, Contains("路灯"));
  EXPECT_THAT(tokens, Contains("坏了"));
  EXPECT_THAT(tokens, Not(Contains("洪家楼")));
}

TEST(Tokenize, NgramsStopAtPunctuationAndSpace) {
  TokenizeOptions o;
  o.words = false;
  EXPECT_THAT(Tokenize("路灯,坏了 好", o), ElementsAre("路灯", "坏了"));
  o.cjk_unigrams = true;
  o.cjk_trigrams = true;
  EXPECT_THAT(Tokenize("洪家楼", o), ElementsAre("洪", "家", "洪家", "楼", "家楼", "洪家楼"));
  o.cjk_bigrams = o.cjk_unigrams = o.cjk_trigrams = false;
  EXPECT_TRUE(Tokenize("洪家楼", o).empty());
}

TEST(Tokenize, PunctuationAndSpacesDropped) {
  for (const std::string& t : Tokenize("你好, 我是居民; 请尽快处理。!? 《条例》 ...")) {
    EXPECT_EQ(t.find_first_of(" ,;.!?"), std::string::npos) << t;
    EXPECT_NE(t, "。");
    EXPECT_NE(t, "《");
  }
}

TEST(Tokenize, AsciiLowerCasedNumbersOptionallyCollapsed) {
  EXPECT_THAT(Tokenize("WiFi坏了 APP 3.5 12345", WordsOnly()),
              ElementsAre("wifi", "坏", "了", "app", "3.5", "12345"));
  TokenizeOptions o = WordsOnly();
  o.collapse_numbers = true;
  o.lowercase_ascii = false;
  EXPECT_THAT(Tokenize("WiFi 3.5 12345", o), ElementsAre("WiFi", "<num>", "<num>"));
}

TEST(Tokenize, EmptyAndJoin) {
  EXPECT_TRUE(Tokenize("").empty());
  EXPECT_TRUE(Tokenize(" ,。").empty());
  EXPECT_EQ(JoinTokens({"路灯", "坏", "了"}), "路灯 坏 了");
  EXPECT_EQ(JoinTokens({}), "");
}

TEST(Tokenize, ThreadsGetTheirOwnIterator) {
  const auto expected = Tokenize("历城区洪家楼街道小区门口的路灯坏了");
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        if (Tokenize("历城区洪家楼街道小区门口的路灯坏了") != expected) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

}  // namespace
}  // namespace hotline::text
