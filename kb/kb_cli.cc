#include "kb/kb_cli.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kb/entry_io.h"
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

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int RunCheck(const std::string& in, const std::string& export_path) {
  std::ifstream f(in, std::ios::binary);
  if (!f) return Fail(Status(Code::kNotFound, "cannot read " + in, "in"));
  std::ostringstream buf;
  buf << f.rdbuf();
  const ImportResult r =
      EndsWith(in, ".json") ? ParseEntriesJson(buf.str()) : ParseEntriesCsv(buf.str());
  nlohmann::json out = {{"entries", r.rows.size()}, {"errors", nlohmann::json::array()}};
  for (const auto& e : r.errors)
    out["errors"].push_back({{"row", e.row}, {"field", e.field}, {"message", e.message}});
  std::cout << out.dump(2) << "\n";
  if (!r.errors.empty()) return 1;
  if (!export_path.empty()) {
    std::ofstream o(export_path, std::ios::binary);
    o << (EndsWith(export_path, ".json") ? ExportEntriesJson(r.rows) : ExportEntriesCsv(r.rows));
    if (!o) return Fail(Status(Code::kInternal, "cannot write " + export_path, "export"));
  }
  return 0;
}

int RunSearch(const std::string& kb_path, const std::string& query, const std::string& unit,
              size_t limit) {
  auto normalizer = text::Normalizer::Create();
  if (!normalizer.ok()) return Fail(normalizer.status());
  auto kb = ReadKbCsv(kb_path);
  if (!kb.ok()) return Fail(kb.status());
  SearchIndex index(**normalizer);
  for (const auto& k : *kb) {
    SearchDoc d;
    d.id = k.id;
    d.unit = k.unit;
    d.title = k.title;
    d.body = k.body;
    d.source = k.source;
    index.Add(d);
  }
  SearchOptions opt;
  opt.limit = limit;
  opt.unit = unit;
  nlohmann::json hits = nlohmann::json::array();
  for (const auto& h : index.Search(query, opt))
    hits.push_back({{"id", h.id},
                    {"unit", (*kb)[h.doc].unit},
                    {"score", h.score},
                    {"snippet", h.snippet},
                    {"snippet_html", MarkedSnippetHtml(h)}});
  std::cout << nlohmann::json{{"query", query}, {"hits", hits}}.dump(2) << "\n";
  return 0;
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
  auto* search = app.add_subcommand(
      "search", "search a knowledge-base CSV; prints JSON hits with marked snippets");
  std::string search_kb, query, unit;
  size_t limit = 5;
  search->add_option("--kb", search_kb, "knowledge base CSV (entry_id, dept, body[, title])")
      ->required();
  search->add_option("query", query, "the caller's words")->required();
  search->add_option("--unit", unit, "only entries of this owning unit (dept)");
  search->add_option("--limit", limit, "number of hits (default 5)");
  auto* check = app.add_subcommand(
      "check", "validate an entries file (CSV or JSON, docs/kb.md); prints every row error");
  std::string check_in, check_export;
  check->add_option("--in", check_in, "entries file (.csv or .json)")->required();
  check->add_option("--export", check_export, "when valid, write it again here (.csv or .json)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (check->parsed()) return RunCheck(check_in, check_export);
  if (search->parsed()) return RunSearch(search_kb, query, unit, limit);

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
