#include "kb/kb_cli.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "kb/eval.h"
#include "text/normalize.h"

namespace hotline::kb {
namespace {

int Fail(const Status& s) {
  std::cerr << "hotline kb: " << (s.field().empty() ? "" : s.field() + ": ") << s.message() << "\n";
  return 1;
}

nlohmann::json MetricsJson(const EvalMetrics& m) {
  return {{"queries", m.queries},
          {"recall_at_1", m.recall_at_1},
          {"recall_at_5", m.recall_at_5},
          {"recall_at_10", m.recall_at_10},
          {"mrr_at_10", m.mrr_at_10}};
}

}  // namespace

int RunKbCli(int argc, char** argv) {
  CLI::App app{"hotline kb: the knowledge base (docs/kb.md)"};
  app.require_subcommand(1);
  auto* eval = app.add_subcommand(
      "eval", "import entries, learn labelled questions, rank evaluation questions; prints JSON");
  std::string kb_path, queries_path, learn_path, method = "hotline";
  eval->add_option("--kb", kb_path, "knowledge base CSV (entry_id, dept, body[, title, source])")
      ->required();
  eval->add_option("--queries", queries_path, "evaluation questions CSV (question, entry_id)")
      ->required();
  eval->add_option("--learn", learn_path,
                   "labelled questions fed through the learning path first (question, entry_id)");
  eval->add_option("--method", method,
                   "hotline (default), bm25-bigram, no-term-weights, no-similar-questions, "
                   "no-unigrams");
  std::vector<std::string> overrides;
  eval->add_option(
      "--set", overrides,
      "override a retrieval parameter, e.g. --set question_weight=0.3 (repeatable; "
      "k1, b, unigram_weight, title_weight, source_weight, question_weight, "
      "question_min_coverage, term_weight_prior, max_unigram_df_share, selective_df_share)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  auto params = MethodParams(method);
  if (!params.ok()) return Fail(params.status());
  for (const auto& o : overrides) {
    const auto eq = o.find('=');
    double* target = nullptr;
    const std::string key = o.substr(0, eq);
    if (key == "k1") target = &params->k1;
    if (key == "b") target = &params->b;
    if (key == "unigram_weight") target = &params->unigram_weight;
    if (key == "title_weight") target = &params->title_weight;
    if (key == "source_weight") target = &params->source_weight;
    if (key == "question_weight") target = &params->question_weight;
    if (key == "question_min_coverage") target = &params->question_min_coverage;
    if (key == "term_weight_prior") target = &params->term_weight_prior;
    if (key == "max_unigram_df_share") target = &params->max_unigram_df_share;
    if (key == "selective_df_share") target = &params->selective_df_share;
    if (eq == std::string::npos || target == nullptr)
      return Fail(Invalid("set", "unknown parameter override: " + o));
    try {
      *target = std::stod(o.substr(eq + 1));
    } catch (const std::exception&) {
      return Fail(Invalid("set", "not a number: " + o));
    }
  }
  auto normalizer = text::Normalizer::Create();
  if (!normalizer.ok()) return Fail(normalizer.status());
  auto kb = ReadKbCsv(kb_path);
  if (!kb.ok()) return Fail(kb.status());
  std::unordered_map<std::string, size_t> known;
  for (size_t i = 0; i < kb->size(); ++i) known[(*kb)[i].id] = i;
  std::vector<QuestionRow> learn;
  if (!learn_path.empty()) {
    auto l = ReadQuestionsCsv(learn_path, known);
    if (!l.ok()) return Fail(l.status());
    learn = std::move(*l);
  }
  auto queries = ReadQuestionsCsv(queries_path, known);
  if (!queries.ok()) return Fail(queries.status());

  const EvalReport r = Evaluate(**normalizer, *params, *kb, learn, *queries);
  nlohmann::json out = MetricsJson(r.all);
  out["method"] = method;
  out["entries"] = r.entries;
  out["learned_questions"] = r.learned;
  out["unseen_entries"] = MetricsJson(r.unseen);
  out["queries_per_second"] = r.queries_per_second;
  out["latency_ms"] = {{"p50", r.p50_ms}, {"p99", r.p99_ms}};
  out["queries_per_cpu_second"] = r.queries_per_cpu_second;
  out["cpu_latency_ms"] = {{"p50", r.p50_cpu_ms}, {"p99", r.p99_cpu_ms}};
  out["build_seconds"] = r.build_seconds;
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace hotline::kb
