#include "text/title.h"

#include <gtest/gtest.h>

namespace hotline::text {
namespace {

TEST(AutoTitle, FirstSentenceWhenItFits) {
  EXPECT_EQ(AutoTitle("金科新苑小区冬季供暖温度不达标。室内只有十四度，老人孩子受不了"),
            "金科新苑小区冬季供暖温度不达标");
  EXPECT_EQ(AutoTitle("路灯不亮！"), "路灯不亮");
}

TEST(AutoTitle, ShortTextWhole) { EXPECT_EQ(AutoTitle("  井盖丢失  "), "井盖丢失"); }

TEST(AutoTitle, ClausesThatFitInsteadOfACutMidClause) {
  // The first sentence is 40 characters: cut at the last comma within 24.
  EXPECT_EQ(AutoTitle("洪家楼南区12号楼楼下烧烤店每晚十点后噪音扰民，油烟也很大，多次沟通无果，"
                      "希望有关部门尽快处理"),
            "洪家楼南区12号楼楼下烧烤店每晚十点后噪音扰民");
}

TEST(AutoTitle, EllipsisWhenNoBoundary) {
  const std::string t = AutoTitle("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十");
  EXPECT_EQ(t, "一二三四五六七八九十一二三四五六七八九十一二三…");
}

TEST(AutoTitle, LeadingPunctuationAndEmpty) {
  EXPECT_EQ(AutoTitle("。小区电梯故障"), "小区电梯故障");
  EXPECT_EQ(AutoTitle(""), "");
  EXPECT_EQ(AutoTitle(" \n "), "");
}

TEST(AutoTitle, NewlineEndsTheFirstSentence) {
  EXPECT_EQ(AutoTitle("噪音扰民\n每天晚上十一点以后还在施工"), "噪音扰民");
}

}  // namespace
}  // namespace hotline::text
