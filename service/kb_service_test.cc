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

INSTANTIATE_TEST_SUITE_P(Backends, KbServiceTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace hotline
