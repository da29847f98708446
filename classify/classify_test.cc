// Classifier tests on a small slice of the real Teddy 2020 appeals (read from the shared data
// directory, never copied into the repository): training, accuracy far above chance, eval
// metrics, save/load round trip, CLI errors. Kept small so the suite runs in seconds under ASan.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "classify/classifier.h"
#include "classify/classify_cli.h"
#include "classify/cv.h"
#include "classify/dataset.h"
#include "classify/metrics.h"
#include "classify/tokens.h"

namespace hotline::classify {
namespace {

namespace fs = std::filesystem;

const std::string kTrainCsv = std::string(HOTLINE_SHARED_DIR) + "/data/appeals/teddy2020_train.csv";

// Every 10th appeal (deterministic slices: rows i % 10 == 0 train ... ), texts capped so ASan
// stays fast.
struct Slices {
  std::vector<Example> train, test;
};
const Slices& Data() {
  static const Slices* s = [] {
    auto* out = new Slices;
    auto data = ReadExamplesCsv(kTrainCsv, {"留言主题", "留言详情"}, "一级标签");
    if (!data.ok()) return out;
    for (size_t i = 0; i < data->examples.size(); ++i) {
      Example e = data->examples[i];
      if (e.text.size() > 600) e.text.resize(600);  // may cut a character: tokens must cope
      if (i % 12 == 0) out->train.push_back(e);     // ~526 appeals
      if (i % 12 == 6) out->test.push_back(e);      // ~526 others
    }
    return out;
  }();
  return *s;
}

TrainOptions Fast(Algorithm a) {
  TrainOptions o;
  o.algorithm = a;
  o.ft_dim = 32;  // small data: fewer dimensions, same epochs
  return o;
}

class ClassifyTest : public ::testing::TestWithParam<Algorithm> {
 protected:
  void SetUp() override {
    if (!fs::exists(kTrainCsv)) GTEST_SKIP() << "shared data not found: " << kTrainCsv;
    ASSERT_GT(Data().train.size(), 400u);
  }
};

TEST(Tokens, HanUnigramsBigramsAsciiRunsAndSubjectCopies) {
  // Whole text: Han unigrams and bigrams per position, ASCII runs (full-width folded,
  // lower-cased); then the subject (text up to the first newline) again, prefixed "t:".
  const auto t = ClassifierTokens("路灯坏了 ＡＢＣ12\n，Wifi");
  const std::vector<std::string> want = {"路",     "路灯",  "灯",     "灯坏", "坏",     "坏了",
                                         "了",     "abc12", "wifi",   "t:路", "t:路灯", "t:灯",
                                         "t:灯坏", "t:坏",  "t:坏了", "t:了", "t:abc12"};
  EXPECT_EQ(t, want);
  EXPECT_TRUE(ClassifierTokens("").empty());
  EXPECT_EQ(ClassifierTokens("\xff\xfe路").size(), 2u);  // bad bytes separate, no crash: 路 t:路
  // A text without a newline is all subject.
  EXPECT_EQ(ClassifierTokens("路").size(), 2u);
}

TEST(Tokens, TraditionalAndFullWidthFoldToSimplifiedAndAscii) {
  // Needs OpenCC's data (a build dependency of text/); the table is identity without it.
  EXPECT_EQ(ClassifierTokens("小區門口的路燈壞了\n請儘快維修ＷＩＦＩ"),
            ClassifierTokens("小区门口的路灯坏了\n请尽快维修wifi"));
}

TEST_P(ClassifyTest, PredictsFarAboveChanceOnUnseenAppeals) {
  auto model = Train(Data().train, Fast(GetParam()));
  ASSERT_TRUE(model.ok()) << model.status().message();
  const auto& m = **model;
  EXPECT_EQ(m.labels().size(), 7u);
  EXPECT_EQ(m.version().rfind(AlgorithmName(GetParam()), 0), 0u) << m.version();
  size_t correct = 0;
  for (const auto& e : Data().test) {
    const auto top = m.Predict(e.text, 3);
    ASSERT_EQ(top.size(), 3u);
    EXPECT_GE(top[0].probability, top[1].probability);
    correct += top[0].label == e.label;
  }
  const double accuracy = static_cast<double>(correct) / Data().test.size();
  // Chance is 1/7 (0.14); the majority class is ~22 %. 526 appeals train to ~75 %.
  EXPECT_GT(accuracy, 0.6) << AlgorithmName(GetParam());
  double sum = 0;
  for (const auto& p : m.Predict(Data().test[0].text, 7)) sum += p.probability;
  EXPECT_NEAR(sum, 1.0, 1e-6);
  EXPECT_EQ(m.Predict("", 3).size(), 3u);  // no tokens still answers
}

TEST_P(ClassifyTest, SaveLoadRoundTripPredictsIdentically) {
  auto model = Train(Data().train, Fast(GetParam()));
  ASSERT_TRUE(model.ok()) << model.status().message();
  const std::string path = (fs::temp_directory_path() / "classify_test_model.bin").string();
  ASSERT_TRUE((*model)->Save(path).ok());
  auto loaded = LoadClassifier(path);
  std::remove(path.c_str());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ((*loaded)->version(), (*model)->version());
  EXPECT_EQ((*loaded)->labels(), (*model)->labels());
  for (size_t i = 0; i < 50; ++i) {
    const auto a = (*model)->Predict(Data().test[i].text, 7);
    const auto b = (*loaded)->Predict(Data().test[i].text, 7);
    ASSERT_EQ(a.size(), b.size());
    for (size_t j = 0; j < a.size(); ++j) {
      EXPECT_EQ(a[j].label, b[j].label);
      EXPECT_EQ(a[j].probability, b[j].probability);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Algorithms, ClassifyTest,
                         ::testing::Values(Algorithm::kFastText, Algorithm::kLinear,
                                           Algorithm::kEnsemble, Algorithm::kHashed),
                         [](const auto& info) { return std::string(AlgorithmName(info.param)); });

// The text path (features hashed straight from the bytes) and the token path agree exactly, and
// a traditional / full-width spelling of an appeal gets the same answer as the simplified one.
TEST_P(ClassifyTest, TextAndTokenScoringAgreeAndScriptsAgree) {
  auto model = Train(Data().train, Fast(GetParam()));
  ASSERT_TRUE(model.ok()) << model.status().message();
  const auto& m = **model;
  for (size_t i = 0; i < 40; ++i) {
    const auto& text = Data().test[i].text;
    const auto top = m.Predict(text, 7);
    const auto p = m.ScoreTokens(ClassifierTokens(text));
    for (const auto& pred : top) {
      const size_t idx =
          std::find(m.labels().begin(), m.labels().end(), pred.label) - m.labels().begin();
      ASSERT_LT(idx, p.size());
      EXPECT_EQ(pred.probability, p[idx]) << i;
    }
  }
  const auto a = m.Predict("小区门口的路灯坏了\n晚上很黑，请尽快维修，学校附近", 7);
  const auto b = m.Predict("小區門口的路燈壞了\n晚上很黑，請儘快維修，學校附近", 7);
  ASSERT_EQ(a.size(), b.size());
  for (size_t j = 0; j < a.size(); ++j) {
    EXPECT_EQ(a[j].label, b[j].label);
    EXPECT_DOUBLE_EQ(a[j].probability, b[j].probability);
  }
}

// Tiny tables (1,024 buckets for ~100k distinct n-grams): every bucket collides many times;
// training and prediction still work and probabilities stay a distribution.
TEST(Classify, HashedSurvivesHeavyCollisions) {
  if (!fs::exists(kTrainCsv)) GTEST_SKIP() << "shared data not found";
  TrainOptions o;
  o.algorithm = Algorithm::kHashed;
  o.hash_bits = 10;
  auto model = Train(Data().train, o);
  ASSERT_TRUE(model.ok()) << model.status().message();
  size_t correct = 0;
  for (const auto& e : Data().test) {
    const auto top = (*model)->Predict(e.text, 7);
    double sum = 0;
    for (const auto& p : top) sum += p.probability;
    ASSERT_NEAR(sum, 1.0, 1e-6);
    correct += top[0].label == e.label;
  }
  EXPECT_GT(static_cast<double>(correct) / Data().test.size(), 1.0 / 7);  // still informative
  o.hash_bits = 40;
  EXPECT_EQ(Train(Data().train, o).status().code(), Code::kInvalidArgument);
}

TEST(Classify, TrainRejectsBadInput) {
  EXPECT_EQ(Train({}, {}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Train({{"a", "x"}, {"b", "x"}}, {}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Train({{"a", "x"}, {"b", ""}}, {}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Train({{"a", "x"}, {"b", "y\nz"}}, {}).status().code(), Code::kInvalidArgument);
}

TEST(Classify, LoadRejectsMissingAndForeignFiles) {
  EXPECT_EQ(LoadClassifier("/nonexistent/model.bin").status().code(), Code::kNotFound);
  const std::string path = (fs::temp_directory_path() / "classify_test_garbage.bin").string();
  std::ofstream(path) << "hello\n";
  EXPECT_EQ(LoadClassifier(path).status().code(), Code::kInvalidArgument);
  // A model file from an older build (format 1): rejected with a "retrain it" message.
  std::ofstream(path) << "hotline-classifier 1\nalgorithm linear\ntokenizer text-cjk12+ascii-v1\n"
                      << "label a\nlabel b\npayload\n";
  auto old = LoadClassifier(path);
  EXPECT_EQ(old.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(old.status().message().find("retrain"), std::string::npos) << old.status().message();
  std::ofstream(path) << "hotline-classifier 2\nalgorithm linear\ntokenizer other-v0\n"
                      << "label a\nlabel b\npayload\n";
  EXPECT_EQ(LoadClassifier(path).status().code(), Code::kFailedPrecondition);
  std::ofstream(path) << "hotline-classifier 2\nalgorithm hashed\ntokenizer " << kTokenizerId
                      << "\nlabel a\nlabel b\npayload\nHLHSHv1\n";
  EXPECT_EQ(LoadClassifier(path).status().code(), Code::kInvalidArgument);  // truncated
  std::ofstream(path) << "hotline-classifier 2\nalgorithm linear\ntokenizer " << kTokenizerId
                      << "\nlabel a\nlabel b\npayload\nHLLINv1\n";
  EXPECT_EQ(LoadClassifier(path).status().code(), Code::kInvalidArgument);  // truncated
  std::remove(path.c_str());
}

TEST(Metrics, ConsistentReport) {
  const std::vector<std::string> gold = {"a", "a", "a", "b", "b", "c"};
  const std::vector<std::string> pred = {"a", "a", "b", "b", "c", "c"};
  const auto r = Evaluate({"a", "b", "c"}, gold, pred);
  EXPECT_EQ(r.n, 6);
  EXPECT_DOUBLE_EQ(r.accuracy, 4.0 / 6);
  EXPECT_DOUBLE_EQ(r.classes[0].precision, 1.0);
  EXPECT_DOUBLE_EQ(r.classes[0].recall, 2.0 / 3);
  EXPECT_DOUBLE_EQ(r.classes[2].precision, 0.5);
  EXPECT_NEAR(r.macro_f1, (0.8 + 0.5 + 2.0 / 3) / 3, 1e-12);
  int64_t total = 0;
  for (const auto& row : r.confusion)
    for (auto c : row) total += c;
  EXPECT_EQ(total, 6);
  // Labels outside the given space are appended, not dropped.
  EXPECT_EQ(Evaluate({"a"}, {"a", "z"}, {"a", "a"}).labels.size(), 2u);
}

TEST(Cv, NearDuplicatesShareAFoldAndFoldsAreStratified) {
  std::vector<std::string> texts, subjects;
  std::vector<int> labels;
  for (int i = 0; i < 200; ++i) {
    std::string t =
        "市民反映第" + std::to_string(i) + "号小区门口路灯损坏晚上出行不便请尽快维修处理";
    texts.push_back(t);
    subjects.push_back("主题" + std::to_string(i));
    labels.push_back(i % 4);
  }
  // A repost: same complaint to a different official, whitespace and '*' changed.
  texts.push_back("市民反映第7号小区门口路灯损坏 晚上出行不便请尽快维修处理*");
  subjects.push_back("x");
  labels.push_back(3);
  // Equal long subjects merge.
  subjects[10] = subjects[11] = "关于某某小区物业乱收费的问题反映";
  const Grouping g = NearDuplicateGroups(texts, subjects, 0.8, 12);
  EXPECT_EQ(g.group[200], g.group[7]);
  EXPECT_EQ(g.group[10], g.group[11]);
  EXPECT_NE(g.group[1], g.group[2]);
  const auto fold = StratifiedGroupFolds(labels, g.group, 5, 1);
  EXPECT_EQ(fold[200], fold[7]);
  std::map<int, std::map<int, int>> per;  // fold -> label -> count
  for (size_t i = 0; i < fold.size(); ++i) ++per[fold[i]][labels[i]];
  ASSERT_EQ(per.size(), 5u);
  for (auto& [f, m] : per)
    for (auto& [l, c] : m) EXPECT_NEAR(c, 10, 2) << "fold " << f << " label " << l;
}

// The CLI, driven as `hotline classify ...` would.
int Cli(std::vector<std::string> args) {
  args.insert(args.begin(), "classify");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return RunClassifyCli(static_cast<int>(argv.size()), argv.data());
}

TEST(ClassifyCli, ErrorsAreClearAndNonZero) {
  const fs::path dir = fs::temp_directory_path() / "classify_cli_test";
  fs::create_directories(dir);
  const std::string csv = (dir / "in.csv").string(), empty = (dir / "empty.csv").string();
  std::ofstream(csv)
      << "title,body,category\n路灯坏了,晚上很黑,城乡建设\n学校收费,乱收费,教育文体\n";
  std::ofstream(empty) << "";
  const std::string model = (dir / "m.bin").string();
  testing::internal::CaptureStderr();
  EXPECT_EQ(Cli({"train", "--input", csv, "--text", "title,nope", "--label", "category", "--model",
                 model}),
            1);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("missing column(s) nope"), std::string::npos) << err;
  testing::internal::CaptureStderr();
  EXPECT_EQ(Cli({"train", "--input", csv, "--text", "title", "--label", "label", "--model", model}),
            1);
  err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("missing column(s) label"), std::string::npos) << err;
  testing::internal::CaptureStderr();
  EXPECT_EQ(
      Cli({"train", "--input", empty, "--text", "title", "--label", "category", "--model", model}),
      1);
  err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("empty file"), std::string::npos) << err;
  testing::internal::CaptureStderr();
  EXPECT_EQ(Cli({"predict", "--model", (dir / "none.bin").string(), "--text", "x"}), 1);
  err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("model file not found"), std::string::npos) << err;
  testing::internal::CaptureStderr();
  EXPECT_EQ(Cli({"eval", "--model", csv, "--input", csv}), 1);  // a CSV is not a model
  err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("not a hotline classifier model"), std::string::npos) << err;
  testing::internal::CaptureStderr();
  EXPECT_EQ(Cli({"frobnicate"}), 2);
  testing::internal::GetCapturedStderr();
  fs::remove_all(dir);
}

TEST(ClassifyCli, TrainEvalPredictOnRealAppeals) {
  if (!fs::exists(kTrainCsv)) GTEST_SKIP() << "shared data not found";
  const fs::path dir = fs::temp_directory_path() / "classify_cli_real";
  fs::create_directories(dir);
  // A small CSV slice of the real file in the same format (written to /tmp, not the repo).
  const std::string csv = (dir / "slice.csv").string(), model = (dir / "m.bin").string();
  {
    std::ofstream f(csv);
    f << "留言主题,留言详情,一级标签\n";
    for (size_t i = 0; i < 300; ++i) {
      const auto& e = Data().train[i];
      const auto nl = e.text.find('\n');
      auto q = [](std::string s) {
        std::string o = "\"";
        for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
        return o + "\"";
      };
      f << q(e.text.substr(0, nl)) << "," << q(e.text.substr(nl + 1)) << "," << e.label << "\r\n";
    }
  }
  testing::internal::CaptureStderr();
  ASSERT_EQ(Cli({"train", "--input", csv, "--model", model}), 0);  // the default algorithm
  const std::string progress = testing::internal::GetCapturedStderr();
  EXPECT_NE(progress.find("training: 100%"), std::string::npos) << progress;
  testing::internal::CaptureStdout();
  ASSERT_EQ(Cli({"eval", "--input", csv, "--model", model}), 0);
  const auto j = nlohmann::json::parse(testing::internal::GetCapturedStdout());
  for (const char* key : {"n", "accuracy", "macro_f1", "per_class", "confusion", "labels"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["n"], 300);
  int64_t total = 0;
  for (const auto& row : j["confusion"]["matrix"])
    for (const auto& c : row) total += c.get<int64_t>();
  EXPECT_EQ(total, 300);
  int64_t support = 0;
  for (const auto& c : j["per_class"]) support += c["support"].get<int64_t>();
  EXPECT_EQ(support, 300);
  EXPECT_GT(j["accuracy"].get<double>(), 0.9);  // its own training data
  testing::internal::CaptureStdout();
  ASSERT_EQ(Cli({"predict", "--model", model, "--text", "小区门口路灯坏了，晚上出行不便"}), 0);
  const auto p = nlohmann::json::parse(testing::internal::GetCapturedStdout());
  ASSERT_EQ(p["top"].size(), 3u);
  EXPECT_EQ(p["top"][0]["label"], "城乡建设");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hotline::classify
