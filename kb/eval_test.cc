#include "kb/eval.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "text/normalize.h"

namespace hotline::kb {
namespace {

std::string WriteTemp(const std::string& name, const std::string& content) {
  const auto p = std::filesystem::temp_directory_path() /
                 ("kb_eval_test_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(p) << content;
  return p.string();
}

TEST(KbCsv, RowErrorsNameTheRecordAndFieldAndReturnNothing) {
  auto ok = ReadKbCsv(WriteTemp("ok.csv", "entry_id,dept,body\na,局,答案一\nb,局,答案二\n"));
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->size(), 2u);
  auto empty_body = ReadKbCsv(WriteTemp("e.csv", "entry_id,dept,body\na,局,答案一\nb,局,\n"));
  ASSERT_FALSE(empty_body.ok());
  EXPECT_EQ(empty_body.status().field(), "body");
  EXPECT_NE(empty_body.status().message().find("record 2"), std::string::npos);
  auto dup = ReadKbCsv(WriteTemp("d.csv", "entry_id,dept,body\na,局,x\na,局,y\n"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().field(), "entry_id");
  EXPECT_EQ(ReadKbCsv("/nonexistent/kb.csv").status().code(), Code::kNotFound);
  std::unordered_map<std::string, size_t> known{{"a", 0}};
  auto q =
      ReadQuestionsCsv(WriteTemp("q.csv", "query_id,question,entry_id\n1,问,a\n2,问,zz\n"), known);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().field(), "entry_id");
}

// The real Beijing government Q&A data (../shared/data/kb). Split by entry: questions of half the
// entries are learned, the other half are ranked, so every ranked question's entry is unseen.
// The shipped method must beat plain BM25 over bigrams there; a missing data set fails.
TEST(KbEval, BeatsBigramBm25OnQuestionsOfUnseenEntries) {
  const std::string dir = std::string(HOTLINE_SHARED_DIR) + "/data/kb/";
  ASSERT_TRUE(std::filesystem::exists(dir + "govqa_kb.csv")) << "missing " << dir;
  auto kb = ReadKbCsv(dir + "govqa_kb.csv");
  ASSERT_TRUE(kb.ok()) << kb.status().message();
  std::unordered_map<std::string, size_t> known;
  for (size_t i = 0; i < kb->size(); ++i) known[(*kb)[i].id] = i;
  auto qs = ReadQuestionsCsv(dir + "govqa_dev_queries.csv", known);
  ASSERT_TRUE(qs.ok()) << qs.status().message();
  std::vector<QuestionRow> learn, test;
  for (const auto& q : *qs) (InLearningHalf(q.entry_id) ? learn : test).push_back(q);
  auto norm = text::Normalizer::Create();
  ASSERT_TRUE(norm.ok());
  const auto ours = Evaluate(**norm, *MethodParams("hotline"), *kb, learn, test);
  const auto base = Evaluate(**norm, *MethodParams("bm25-bigram"), *kb, learn, test);
  EXPECT_EQ(ours.unseen.queries, test.size());
  EXPECT_GT(base.all.recall_at_1, 0.4) << "the baseline works at all";
  EXPECT_GT(ours.all.recall_at_1, base.all.recall_at_1 + 0.03);
  EXPECT_GT(ours.all.mrr_at_10, base.all.mrr_at_10 + 0.02);
}

}  // namespace
}  // namespace hotline::kb
