#include "kb/search.h"

#include <gtest/gtest.h>

#include "text/normalize.h"

namespace hotline::kb {
namespace {

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = text::Normalizer::Create();
    ASSERT_TRUE(n.ok()) << n.status().message();
    norm_ = std::move(*n);
    index_ = std::make_unique<SearchIndex>(*norm_);
    Add("k1", "居住证办理",
        "办理居住证需要携带身份证原件、租房合同和近期照片，到社区服务中心申请。", "公安局",
        {"户籍"});
    Add("k2", "", "公积金提取：职工购买自住住房可以申请提取住房公积金，需提供购房合同。",
        "住房公积金管理中心", {"住房"});
    Add("k3", "", "医保报销：异地就医备案后，住院费用可以直接结算，无需垫付。", "医保局", {"医疗"});
    Add("k4", "", "暴雨天气尽量不要外出，车辆不要驶入积水路段，注意防范山洪。", "应急局", {"应急"});
    Add("k5", "", "居住证到期后需要在有效期满前三十日内办理签注手续。", "公安局", {"户籍"});
  }
  void Add(const std::string& id, const std::string& title, const std::string& body,
           const std::string& unit, std::vector<std::string> subjects) {
    SearchDoc d;
    d.id = id;
    d.title = title;
    d.body = body;
    d.unit = unit;
    d.subjects = std::move(subjects);
    index_->Add(d);
  }
  std::string Top(std::string_view q, SearchOptions o = {}) {
    auto hits = index_->Search(q, o);
    return hits.empty() ? "" : hits[0].id;
  }
  std::unique_ptr<text::Normalizer> norm_;
  std::unique_ptr<SearchIndex> index_;
};

TEST_F(SearchTest, FindsTheAnsweringEntry) {
  EXPECT_EQ(Top("怎么提取公积金"), "k2");
  EXPECT_EQ(Top("异地就医怎么报销"), "k3");
  EXPECT_EQ(Top("下暴雨开车要注意什么"), "k4");
}

TEST_F(SearchTest, TraditionalAndFullWidthAreFolded) {
  EXPECT_EQ(Top("異地就醫怎麼報銷"), "k3");  // traditional script
  EXPECT_EQ(Top("公積金提取"), "k2");
  SearchDoc d;
  d.id = "k6";
  d.body = "ETC 卡办理请到银行网点。";
  index_->Add(d);
  EXPECT_EQ(Top("ＥＴＣ卡"), "k6");  // full-width letters
  EXPECT_EQ(Top("etc卡"), "k6");     // case
}

TEST_F(SearchTest, OneWrongCharacterStillFindsTheEntry) {
  EXPECT_EQ(Top("公积金提取"), "k2");
  EXPECT_EQ(Top("公机金提取"), "k2");    // 积 -> 机 (homophone typo)
  EXPECT_EQ(Top("异地就衣备案"), "k3");  // 医 -> 衣
}

TEST_F(SearchTest, SubjectAndUnitFilters) {
  SearchOptions o;
  EXPECT_EQ(Top("办理", o), "k1");
  o.unit = "住房公积金管理中心";
  auto hits = index_->Search("办理 提取", o);
  ASSERT_FALSE(hits.empty());
  for (const auto& h : hits) EXPECT_EQ(h.id, "k2");
  o.unit.clear();
  o.subject = "医疗";
  hits = index_->Search("办理 住院", o);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, "k3");
  o.subject = "没有这个主题";
  EXPECT_TRUE(index_->Search("办理", o).empty());
}

TEST_F(SearchTest, SnippetMarksTheMatchedWords) {
  auto hits = index_->Search("住院费用结算");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].id, "k3");
  const std::string html = MarkedSnippetHtml(hits[0]);
  EXPECT_NE(html.find("<mark>住院费用</mark>"), std::string::npos) << html;
  EXPECT_NE(html.find("<mark>结算</mark>"), std::string::npos) << html;
  EXPECT_EQ(html.find("<mark>无需"), std::string::npos) << html;
}

TEST_F(SearchTest, SnippetOfALongBodyIsAWindowAroundTheMatch) {
  std::string body;
  for (int i = 0; i < 40; ++i) body += "这是与问题无关的说明文字。";
  body += "申请临时救助需要提交困难情况说明。";
  for (int i = 0; i < 40; ++i) body += "这是与问题无关的说明文字。";
  SearchDoc d;
  d.id = "long";
  d.body = body;
  index_->Add(d);
  auto hits = index_->Search("临时救助");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].id, "long");
  EXPECT_LT(hits[0].snippet.size(), body.size() / 4);
  EXPECT_NE(MarkedSnippetHtml(hits[0]).find("<mark>临时救助</mark>"), std::string::npos);
  EXPECT_EQ(hits[0].snippet.rfind("…", 0), 0u) << "a cut start is shown";
}

TEST_F(SearchTest, LearnedQuestionFindsTheEntryFromTheCallersWords) {
  // The caller's words share nothing with the answer text.
  EXPECT_NE(Top("外地看病的钱能不能回来"), "k3");
  index_->Learn(2, "外地看病的钱能不能回来");
  EXPECT_EQ(Top("外地看病的钱能不能回来"), "k3");
  EXPECT_EQ(Top("在外地看病花的钱"), "k3") << "a similar wording after learning";
}

TEST_F(SearchTest, LearnedTermWeightsDiscountCallerPhrasing) {
  // "怎么办" is in callers' questions but never in the answers that answered them: after a few
  // answered calls it no longer pulls an entry that happens to contain it.
  SearchDoc d;
  d.id = "noise";
  d.body = "证件丢了怎么办？可以先挂失。";
  const size_t noise = index_->Add(d);
  (void)noise;
  EXPECT_EQ(Top("积水路段车辆熄火怎么办"), "k4");
  const std::string query = "居住证到期了怎么办";
  ASSERT_EQ(Top(query), "noise") << "before learning, the caller's phrasing wins";
  for (int i = 0; i < 4; ++i) {
    index_->Learn(3, "暴雨天开车怎么办");
    index_->Learn(1, "公积金提取怎么办");
    index_->Learn(2, "住院报销怎么办");
  }
  auto hits = index_->Search(query);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].id, "k5");
}

TEST_F(SearchTest, HideAndReplace) {
  EXPECT_EQ(Top("公积金"), "k2");
  index_->Hide(1);
  EXPECT_NE(Top("公积金"), "k2");
  SearchDoc d;
  d.id = "k2";
  d.body = "新版本：住房公积金可以在手机上线上提取。";
  index_->Replace(1, d);
  auto hits = index_->Search("公积金线上提取");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].id, "k2");
  EXPECT_TRUE(index_->Search("购房合同").empty() || index_->Search("购房合同")[0].id != "k2")
      << "the old version's words are gone";
}

TEST_F(SearchTest, EmptyOrUnknownQueryFindsNothing) {
  EXPECT_TRUE(index_->Search("").empty());
  EXPECT_TRUE(index_->Search("？？？").empty());
  EXPECT_TRUE(index_->Search("zzzz").empty());
}

}  // namespace
}  // namespace hotline::kb
