// Training on a store's own history and the dispatch report, on a small demo city.
#include "app/demo/history_models.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "app/demo/demo_city.h"
#include "classify/classifier.h"
#include "service/password.h"
#include "store/sqlite/sqlite_store.h"

namespace hotline::demo {
namespace {

constexpr Timestamp kNow = 1795399200;  // 2026-11-23 10:00 Beijing time
constexpr Timestamp kDay = 86400;

class HistoryModelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    UseMinimalHashCostForTesting();
    dir_ = std::filesystem::temp_directory_path() / ("hotline_history_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    SqliteOptions so;
    so.synchronous_full = false;
    auto st = OpenSqliteStore((dir_ / "demo.db").string(), so);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(st).value();
    DemoOptions o;
    o.months = 1;
    o.per_day = 15;  // small: ASan builds train twice
    o.data_dir = HOTLINE_SOURCE_DATA_DIR;
    o.calendar_path = HOTLINE_SOURCE_DATA_DIR "/calendar/cn_holidays.json";
    std::ostringstream quiet;
    ASSERT_TRUE(BuildDemo(*store_, clock_, o, quiet).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  FakeClock clock_{kNow};
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(HistoryModelsTest, TrainsLoadableModelsAndReportsPerThreshold) {
  std::ostringstream out;
  const std::string models = (dir_ / "models").string();
  ASSERT_TRUE(TrainHistoryModels(*store_, kNow - 10 * kDay, models, out).ok()) << out.str();
  auto subject = classify::LoadClassifier(models + "/subject.bin");
  auto nature = classify::LoadClassifier(models + "/nature.bin");
  ASSERT_TRUE(subject.ok() && nature.ok());
  EXPECT_GT((*subject)->labels().size(), 20u);  // leaf subject codes
  EXPECT_LE((*nature)->labels().size(), 6u);    // natures
  EXPECT_EQ((*subject)->labels().front().size(), 6u);

  std::ostringstream report;
  ReportOptions ro;
  ro.train_until = kNow - 10 * kDay;
  ro.thresholds = {0.1, 0.99};
  ro.calendar_path = HOTLINE_SOURCE_DATA_DIR "/calendar/cn_holidays.json";
  ASSERT_TRUE(DispatchReport(*store_, clock_, ro, report).ok()) << report.str();
  const std::string text = report.str();
  EXPECT_NE(text.find("replayed"), std::string::npos) << text;
  EXPECT_NE(text.find("     0.10 "), std::string::npos) << text;
  EXPECT_NE(text.find("     0.99 "), std::string::npos) << text;

  // Nothing to replay after the last order: an error naming the option.
  ro.train_until = kNow + kDay;
  std::ostringstream none;
  EXPECT_EQ(DispatchReport(*store_, clock_, ro, none).field(), "train-until");
  // Too little history to train on.
  EXPECT_EQ(TrainHistoryModels(*store_, kNow - 60 * kDay, models, none).code(),
            Code::kFailedPrecondition);
}

}  // namespace
}  // namespace hotline::demo
