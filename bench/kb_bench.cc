// kb_bench: knowledge-base search (kb/search.h) on the real Beijing government Q&A data
// (../shared/data/kb, read in place), next to two baselines measured in the same run: BM25 over
// character bigrams (kb::MethodParams("bm25-bigram"), same code path) and BM25 over jieba words
// (bench/kb_baselines.py, Debian's python3-jieba). Held-out split: the dev questions are split
// by entry (kb::InLearningHalf); the learning half goes through the learning path, the other half
// is ranked, so every ranked question's entry is one the method never saw a question for.
// Then speed: a synthetic 100,000-entry corpus (sentences of the real answers recombined), the
// dev questions as queries, one thread. Prints "bench: NAME value=... unit=..." lines.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "kb/eval.h"
#include "kb/search.h"
#include "service/csv.h"
#include "text/normalize.h"

namespace {

using hotline::kb::EvalReport;

std::string Fmt(double v, int digits = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

void Line(const std::string& name, double value, const std::string& unit,
          const std::string& baseline, double baseline_value, int digits = 3) {
  std::cout << "bench: " << name << " value=" << Fmt(value, digits) << " unit=" << unit
            << " baseline=" << baseline << " baseline_value=" << Fmt(baseline_value, digits)
            << " ratio=" << Fmt(baseline_value > 0 ? value / baseline_value : 0, 3) << "\n";
}

void Detail(const std::string& name, const EvalReport& r) {
  std::cout << "# " << name << ": recall@1 " << Fmt(r.all.recall_at_1) << " recall@5 "
            << Fmt(r.all.recall_at_5) << " recall@10 " << Fmt(r.all.recall_at_10) << " MRR@10 "
            << Fmt(r.all.mrr_at_10) << " (" << r.all.queries << " questions, "
            << Fmt(r.queries_per_second, 0) << " q/s, p99 " << Fmt(r.p99_ms, 2) << " ms)\n";
}

// Sentences of the real answers, split after 。！？；
std::vector<std::string> Sentences(const std::string& body) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < body.size();) {
    size_t len = 1;
    const unsigned char c = body[i];
    if (c >= 0xF0)
      len = 4;
    else if (c >= 0xE0)
      len = 3;
    else if (c >= 0xC0)
      len = 2;
    const std::string ch = body.substr(i, len);
    cur += ch;
    i += len;
    if (ch == "。" || ch == "！" || ch == "？" || ch == "；") {
      out.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kb_bench"};
  std::string data_dir = std::string(HOTLINE_SHARED_DIR) + "/data/kb";
  std::string ignored;
  size_t synthetic = 100000;
  bool skip_baselines = false;
  app.add_option("--kb-data", data_dir, "directory with govqa_kb.csv and govqa_dev_queries.csv");
  app.add_option("--data", ignored, "repository data directory (unused)");
  app.add_option("--synthetic", synthetic, "entries in the speed corpus");
  app.add_flag("--skip-baselines", skip_baselines, "do not run the jieba baseline");
  CLI11_PARSE(app, argc, argv);

  auto norm = hotline::text::Normalizer::Create();
  if (!norm.ok()) {
    std::cerr << "kb_bench: " << norm.status().message() << "\n";
    return 1;
  }
  auto kb = hotline::kb::ReadKbCsv(data_dir + "/govqa_kb.csv");
  if (!kb.ok()) {
    std::cerr << "kb_bench: " << kb.status().message() << "\n";
    return 1;
  }
  std::unordered_map<std::string, size_t> known;
  for (size_t i = 0; i < kb->size(); ++i) known[(*kb)[i].id] = i;
  auto qs = hotline::kb::ReadQuestionsCsv(data_dir + "/govqa_dev_queries.csv", known);
  if (!qs.ok()) {
    std::cerr << "kb_bench: " << qs.status().message() << "\n";
    return 1;
  }
  std::vector<hotline::kb::QuestionRow> learn, test;
  for (const auto& q : *qs) (hotline::kb::InLearningHalf(q.entry_id) ? learn : test).push_back(q);
  std::cout << "# " << kb->size() << " entries; dev questions split by entry: " << learn.size()
            << " learned, " << test.size() << " held out (their entries unseen)\n";

  const auto ours = Evaluate(**norm, *hotline::kb::MethodParams("hotline"), *kb, learn, test);
  const auto bigram = Evaluate(**norm, *hotline::kb::MethodParams("bm25-bigram"), *kb, learn, test);
  Detail("hotline", ours);
  Detail("bm25-bigram", bigram);
  for (const char* m : {"no-term-weights", "no-similar-questions", "no-unigrams"})
    Detail(std::string("ablation ") + m,
           Evaluate(**norm, *hotline::kb::MethodParams(m), *kb, learn, test));

  Line("kb.recall_at_1", ours.all.recall_at_1, "share", "kb.bm25_bigram", bigram.all.recall_at_1);
  Line("kb.recall_at_5", ours.all.recall_at_5, "share", "kb.bm25_bigram", bigram.all.recall_at_5);
  Line("kb.mrr_at_10", ours.all.mrr_at_10, "mrr", "kb.bm25_bigram", bigram.all.mrr_at_10);

  if (!skip_baselines) {
    const auto tmp = std::filesystem::temp_directory_path() /
                     ("kb_bench_" + std::to_string(::getpid()) + "_test.csv");
    {
      std::ofstream f(tmp);
      f << "query_id,question,entry_id\r\n";
      for (const auto& q : test)
        f << hotline::CsvEscape(q.id) << "," << hotline::CsvEscape(q.question) << ","
          << hotline::CsvEscape(q.entry_id) << "\r\n";
    }
    const std::string cmd = "/usr/bin/python3 " + std::string(HOTLINE_SOURCE_DIR) +
                            "/bench/kb_baselines.py --kb " + data_dir + "/govqa_kb.csv --queries " +
                            tmp.string();
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
      char buf[4096];
      size_t n;
      while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
      if (pclose(p) != 0) out.clear();
    }
    std::filesystem::remove(tmp);
    try {
      const auto j = nlohmann::json::parse(out);
      std::cout << "# bm25-jieba: recall@1 " << Fmt(j["recall_at_1"].get<double>()) << " recall@5 "
                << Fmt(j["recall_at_5"].get<double>()) << " recall@10 "
                << Fmt(j["recall_at_10"].get<double>()) << " MRR@10 "
                << Fmt(j["mrr_at_10"].get<double>()) << " ("
                << Fmt(j["queries_per_second"].get<double>(), 0) << " q/s, Python)\n";
      Line("kb.recall_at_1", ours.all.recall_at_1, "share", "kb.bm25_jieba",
           j["recall_at_1"].get<double>());
      Line("kb.recall_at_5", ours.all.recall_at_5, "share", "kb.bm25_jieba",
           j["recall_at_5"].get<double>());
      Line("kb.mrr_at_10", ours.all.mrr_at_10, "mrr", "kb.bm25_jieba",
           j["mrr_at_10"].get<double>());
    } catch (const std::exception&) {
      std::cerr << "# jieba baseline failed (needs /usr/bin/python3 with python3-jieba): " << cmd
                << "\n";
      return 1;
    }
  }

  // Speed over a synthetic corpus: each entry 2-6 sentences drawn from the real answers.
  std::vector<std::string> sentences;
  for (const auto& k : *kb)
    for (auto& s : Sentences(k.body)) sentences.push_back(std::move(s));
  std::mt19937 rng(17);
  std::uniform_int_distribution<size_t> pick(0, sentences.size() - 1), count(2, 6);
  std::vector<hotline::kb::KbRow> big;
  big.reserve(synthetic);
  for (size_t i = 0; i < synthetic; ++i) {
    hotline::kb::KbRow r;
    r.id = "s" + std::to_string(i);
    for (size_t c = count(rng); c > 0; --c) r.body += sentences[pick(rng)];
    big.push_back(std::move(r));
  }
  std::vector<hotline::kb::QuestionRow> speed_queries;
  for (const auto& q : *qs) speed_queries.push_back({q.id, q.question, "s0"});
  const auto fast = Evaluate(**norm, *hotline::kb::MethodParams("hotline"), big, {}, speed_queries);
  const auto fast_base =
      Evaluate(**norm, *hotline::kb::MethodParams("bm25-bigram"), big, {}, speed_queries);
  std::cout << "# speed corpus: " << big.size() << " synthetic entries, built in "
            << Fmt(fast.build_seconds, 1) << " s; " << speed_queries.size()
            << " questions, one thread; wall clock: " << Fmt(fast.queries_per_second, 0)
            << " q/s, p50 " << Fmt(fast.p50_ms, 2) << " ms, p99 " << Fmt(fast.p99_ms, 2)
            << " ms (bm25-bigram " << Fmt(fast_base.queries_per_second, 0) << " q/s, p99 "
            << Fmt(fast_base.p99_ms, 2) << " ms); thread CPU clock below\n";
  Line("kb.queries_per_cpu_s_100k", fast.queries_per_cpu_second, "queries/cpu-s",
       "kb.bm25_bigram_100k", fast_base.queries_per_cpu_second, 0);
  Line("kb.p99_cpu_ms_100k", fast.p99_cpu_ms, "ms", "kb.bm25_bigram_100k", fast_base.p99_cpu_ms, 2);
  return 0;
}
