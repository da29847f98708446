#include "service/kb_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/postgres/postgres_store.h"
#include "store/postgres/test_cluster.h"
#include "store/sqlite/sqlite_store.h"
#include "text/normalize.h"

namespace hotline {
namespace {

const kb::EntryActor kOwner{"u-yb", "医保局", false};
const kb::EntryActor kCentre{"u-kb", "热线中心", true};

kb::EntryContent Content(const std::string& body) {
  kb::EntryContent c;
  c.title = "异地就医";
  c.body = body;
  c.subjects = {"医疗"};
  return c;
}

// Every test runs on SQLite and on PostgreSQL (a throwaway cluster; missing server binaries fail).
class KbServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kb_service_test_" + std::to_string(::getpid()) + "_" +
            std::to_string(std::hash<std::string>{}(
                ::testing::UnitTest::GetInstance()->current_test_info()->name())));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    if (GetParam() == "postgres") {
      auto cluster = TestCluster::Shared();
      ASSERT_TRUE(cluster.ok()) << cluster.status().message();
      auto db = (*cluster)->CreateDatabase();
      ASSERT_TRUE(db.ok()) << db.status().message();
      conninfo_ = *db;
    }
    auto n = text::Normalizer::Create();
    ASSERT_TRUE(n.ok());
    norm_ = std::move(*n);
    Reopen();
  }
  void TearDown() override {
    kb_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    kb_.reset();
    store_.reset();
    auto s = GetParam() == "postgres" ? OpenPostgresStore(conninfo_)
                                      : OpenSqliteStore((dir_ / "kb.db").string());
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    auto k = KbService::Open(*store_, *norm_, clock_);
    ASSERT_TRUE(k.ok()) << k.status().message();
    kb_ = std::move(*k);
  }
  void Publish(const std::string& id) {
    kb::EntryRequest r;
    r.action = kb::EntryAction::kSubmit;
    ASSERT_TRUE(kb_->Act(id, r, kOwner).ok());
    r.action = kb::EntryAction::kPublish;
    ASSERT_TRUE(kb_->Act(id, r, kCentre).ok());
  }
  std::string Top(const std::string& q) {
    auto hits = kb_->Search(q, {});
    return hits.empty() ? "" : hits[0].id;
  }

  std::filesystem::path dir_;
  std::string conninfo_;
  FakeClock clock_{1'800'000'000};
  std::unique_ptr<text::Normalizer> norm_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<KbService> kb_;
};

TEST_P(KbServiceTest, OnlyPublishedEntriesAreFoundAndTheyOutliveARestart) {
  ASSERT_TRUE(
      kb_->Create("kb1", "医保局", Content("异地就医备案后住院费用可直接结算。"), kOwner).ok());
  EXPECT_EQ(Top("异地就医结算"), "") << "a draft is not searchable";
  Publish("kb1");
  EXPECT_EQ(Top("异地就医结算"), "kb1");
  Reopen();
  EXPECT_EQ(Top("异地就医结算"), "kb1");
  auto e = kb_->Get("kb1");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->state, kb::EntryState::kPublished);
  EXPECT_EQ(e->events.size(), 3u);
  EXPECT_EQ(kb_->Create("kb1", "医保局", Content("x"), kOwner).status().code(), Code::kConflict);
}

TEST_P(KbServiceTest, ANewDraftDoesNotReplaceThePublishedAnswerUntilPublished) {
  ASSERT_TRUE(kb_->Create("kb1", "医保局", Content("异地就医需要先备案。"), kOwner).ok());
  Publish("kb1");
  kb::EntryRequest u;
  u.action = kb::EntryAction::kUpdate;
  u.content = Content("可以通过国家医保服务平台App办理。");
  ASSERT_TRUE(kb_->Act("kb1", u, kOwner).ok());
  EXPECT_EQ(Top("平台app"), "") << "the draft's words are not searchable yet";
  EXPECT_EQ(Top("异地就医备案"), "kb1");
  Publish("kb1");
  EXPECT_EQ(Top("平台app"), "kb1");
  Reopen();
  EXPECT_EQ(Top("平台app"), "kb1");
  EXPECT_EQ(kb_->Get("kb1")->versions.at(0).content.body, "异地就医需要先备案。");
}

TEST_P(KbServiceTest, WithdrawnEntriesLeaveTheSearch) {
  ASSERT_TRUE(kb_->Create("kb1", "医保局", Content("异地就医备案。"), kOwner).ok());
  Publish("kb1");
  kb::EntryRequest w;
  w.action = kb::EntryAction::kWithdraw;
  w.note = "政策废止";
  ASSERT_TRUE(kb_->Act("kb1", w, kCentre).ok());
  EXPECT_EQ(Top("异地就医"), "");
  Reopen();
  EXPECT_EQ(Top("异地就医"), "");
}

TEST_P(KbServiceTest, AnAnsweredCallTeachesASimilarQuestionThatIsKept) {
  ASSERT_TRUE(
      kb_->Create("kb1", "医保局", Content("异地就医备案后住院费用可直接结算。"), kOwner).ok());
  ASSERT_TRUE(kb_->Create("kb2", "医保局", Content("门诊费用报销需要携带发票。"), kOwner).ok());
  EXPECT_EQ(kb_->LearnFromAnswer("kb1", "外地看病的钱").code(), Code::kFailedPrecondition);
  Publish("kb1");
  Publish("kb2");
  EXPECT_NE(Top("看病的钱能不能回来"), "kb1");
  ASSERT_TRUE(kb_->LearnFromAnswer("kb1", "看病的钱能不能回来").ok());
  EXPECT_EQ(Top("看病的钱能不能回来"), "kb1");
  EXPECT_EQ(kb_->LearnFromAnswer("kb1", "  ").field(), "question");
  Reopen();
  EXPECT_EQ(kb_->SimilarQuestions("kb1"), std::vector<std::string>{"看病的钱能不能回来"});
  EXPECT_EQ(Top("看病的钱能不能回来"), "kb1");
}

// Two nodes on one store (issue 16): each follows what the other writes, acts on the stored
// entry rather than its own older copy, and the timer's expiry happens once.
TEST_P(KbServiceTest, TwoNodesFollowEachOtherAndExpireOnce) {
  auto s2 = GetParam() == "postgres" ? OpenPostgresStore(conninfo_)
                                     : OpenSqliteStore((dir_ / "kb.db").string());
  ASSERT_TRUE(s2.ok()) << s2.status().message();
  auto other = KbService::Open(**s2, *norm_, clock_);
  ASSERT_TRUE(other.ok()) << other.status().message();
  KbService& b = **other;

  kb::EntryContent c = Content("异地就医备案后住院费用可直接结算。");
  c.valid_until = clock_.Now() + 86400;
  ASSERT_TRUE(kb_->Create("kb1", "医保局", c, kOwner).ok());
  Publish("kb1");
  EXPECT_TRUE(b.Search("异地就医结算", {}).empty()) << "not yet refreshed";
  ASSERT_TRUE(b.Refresh().ok());
  auto hits = b.Search("异地就医结算", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, "kb1");
  ASSERT_TRUE(b.Refresh().ok()) << "nothing changed: a no-op";

  // B learns a question; A learns another without having refreshed: A's write starts from
  // the stored list, so B's question survives.
  ASSERT_TRUE(b.LearnFromAnswer("kb1", "外地住院怎么报销").ok());
  ASSERT_TRUE(kb_->LearnFromAnswer("kb1", "异地住院能直接结算吗").ok());
  EXPECT_EQ(kb_->SimilarQuestions("kb1").size(), 2u) << "A read B's question before adding";
  // B made an entry too; A's new entry keeps it in the stored index.
  ASSERT_TRUE(b.Create("kb2", "医保局", Content("医保卡丢失请到医保经办机构补办。"), kOwner).ok());
  ASSERT_TRUE(kb_->Create("kb3", "医保局", Content("公积金提取需携带身份证。"), kOwner).ok());
  auto index = store_->GetDocument("kb/index");
  ASSERT_TRUE(index.ok() && index->has_value());
  EXPECT_NE((*index)->find("kb2"), std::string::npos) << **index;
  EXPECT_NE((*index)->find("kb3"), std::string::npos) << **index;
  EXPECT_EQ(kb_->Create("kb2", "医保局", Content("x"), kOwner).status().code(), Code::kConflict)
      << "an id taken on another node is taken";

  // Expiry: not before valid_until; once after it, whichever node runs it twice.
  auto early = kb_->ExpireDue(kCentre);
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(*early, 0);
  clock_.Advance(2 * 86400);
  auto first = kb_->ExpireDue(kCentre);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(*first, 1);
  auto again = b.ExpireDue(kCentre);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(*again, 0) << "B reads the stored, expired entry";
  auto e = b.Get("kb1");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->state, kb::EntryState::kExpired);
  int expires = 0;
  for (const auto& ev : e->events) expires += ev.action == "expire";
  EXPECT_EQ(expires, 1);
  EXPECT_TRUE(b.Search("异地就医结算", {}).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, KbServiceTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace hotline
