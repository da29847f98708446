#include "kb/eval.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>
#include <unordered_set>

#include "service/csv.h"

namespace hotline::kb {
namespace {

Result<std::vector<std::vector<std::string>>> ReadCsvFile(const std::string& path,
                                                          const std::string& field) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return Status(Code::kNotFound, "file not found: " + path, field);
  std::ifstream f(path, std::ios::binary);
  std::ostringstream buf;
  buf << f.rdbuf();
  auto rows = ParseCsv(buf.str());
  if (!rows.ok()) return Invalid(field, path + ": " + rows.status().message());
  if (rows->empty()) return Invalid(field, path + ": empty file (no header row)");
  return rows;
}

int Column(const std::vector<std::string>& head, std::initializer_list<const char*> names) {
  for (const char* n : names)
    for (size_t i = 0; i < head.size(); ++i)
      if (head[i] == n) return static_cast<int>(i);
  return -1;
}

std::string At(const std::vector<std::string>& row, int col) {
  return col >= 0 && static_cast<size_t>(col) < row.size() ? row[col] : std::string();
}

EvalMetrics Summarise(const std::vector<int>& ranks) {
  EvalMetrics m;
  m.queries = ranks.size();
  if (ranks.empty()) return m;
  for (int r : ranks) {
    if (r < 0) continue;
    m.recall_at_1 += r < 1;
    m.recall_at_5 += r < 5;
    m.recall_at_10 += r < 10;
    if (r < 10) m.mrr_at_10 += 1.0 / (r + 1);
  }
  const double n = static_cast<double>(ranks.size());
  m.recall_at_1 /= n;
  m.recall_at_5 /= n;
  m.recall_at_10 /= n;
  m.mrr_at_10 /= n;
  return m;
}

double ThreadCpuMs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

std::pair<double, double> P50P99(std::vector<double> v) {
  if (v.empty()) return {0, 0};
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[std::min(v.size() - 1, static_cast<size_t>(v.size() * 0.99))]};
}

}  // namespace

Result<std::vector<KbRow>> ReadKbCsv(const std::string& path) {
  auto rows = ReadCsvFile(path, "kb");
  if (!rows.ok()) return rows.status();
  const auto& head = (*rows)[0];
  const int id = Column(head, {"entry_id", "id"});
  const int body = Column(head, {"body", "answer"});
  if (id < 0) return Invalid("kb", path + ": no entry_id column");
  if (body < 0) return Invalid("kb", path + ": no body column");
  const int unit = Column(head, {"dept", "unit"});
  const int title = Column(head, {"title"});
  const int source = Column(head, {"source", "source_name"});
  std::vector<KbRow> out;
  std::unordered_set<std::string> seen;
  for (size_t r = 1; r < rows->size(); ++r) {
    const auto& row = (*rows)[r];
    KbRow k{At(row, id), At(row, unit), At(row, title), At(row, body), At(row, source)};
    const std::string where = path + " record " + std::to_string(r);
    if (k.id.empty()) return Invalid("entry_id", where + ": empty entry_id");
    if (k.body.empty()) return Invalid("body", where + ": empty body");
    if (!seen.insert(k.id).second) return Invalid("entry_id", where + ": duplicate " + k.id);
    out.push_back(std::move(k));
  }
  return out;
}

Result<std::vector<QuestionRow>> ReadQuestionsCsv(
    const std::string& path, const std::unordered_map<std::string, size_t>& known) {
  auto rows = ReadCsvFile(path, "queries");
  if (!rows.ok()) return rows.status();
  const auto& head = (*rows)[0];
  const int qid = Column(head, {"query_id", "id"});
  const int q = Column(head, {"question", "query"});
  const int e = Column(head, {"entry_id"});
  if (q < 0) return Invalid("queries", path + ": no question column");
  if (e < 0) return Invalid("queries", path + ": no entry_id column");
  std::vector<QuestionRow> out;
  for (size_t r = 1; r < rows->size(); ++r) {
    const auto& row = (*rows)[r];
    QuestionRow x{At(row, qid), At(row, q), At(row, e)};
    const std::string where = path + " record " + std::to_string(r);
    if (x.question.empty()) return Invalid("question", where + ": empty question");
    if (!known.count(x.entry_id))
      return Invalid("entry_id", where + ": entry " + x.entry_id + " is not in the knowledge base");
    out.push_back(std::move(x));
  }
  return out;
}

EvalReport Evaluate(const text::Normalizer& normalizer, const RetrievalParams& params,
                    const std::vector<KbRow>& kb, const std::vector<QuestionRow>& learn,
                    const std::vector<QuestionRow>& queries) {
  using Clock = std::chrono::steady_clock;
  EvalReport rep;
  const auto t0 = Clock::now();
  SearchIndex index(normalizer, params);
  std::unordered_map<std::string, size_t> doc_of;
  for (const auto& k : kb) {
    SearchDoc d;
    d.id = k.id;
    d.unit = k.unit;
    d.title = k.title;
    d.body = k.body;
    d.source = k.source;
    doc_of[k.id] = index.Add(d);
  }
  std::unordered_set<std::string> learned_entries;
  for (const auto& l : learn) {
    index.Learn(doc_of.at(l.entry_id), l.question);
    learned_entries.insert(l.entry_id);
  }
  rep.entries = kb.size();
  rep.learned = learn.size();
  rep.build_seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  std::vector<int> all, unseen;
  std::vector<double> lat, cpu;
  double cpu_total = 0;
  SearchOptions opt;
  opt.limit = 10;
  opt.snippets = false;
  const auto s0 = Clock::now();
  for (const auto& q : queries) {
    const auto a = Clock::now();
    const double c = ThreadCpuMs();
    const auto hits = index.Search(q.question, opt);
    cpu.push_back(ThreadCpuMs() - c);
    cpu_total += cpu.back();
    lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - a).count());
    int rank = -1;
    for (size_t i = 0; i < hits.size(); ++i)
      if (hits[i].id == q.entry_id) {
        rank = static_cast<int>(i);
        break;
      }
    all.push_back(rank);
    if (!learned_entries.count(q.entry_id)) unseen.push_back(rank);
  }
  const double secs = std::chrono::duration<double>(Clock::now() - s0).count();
  rep.all = Summarise(all);
  rep.unseen = Summarise(unseen);
  rep.queries_per_second = secs > 0 ? queries.size() / secs : 0;
  std::tie(rep.p50_ms, rep.p99_ms) = P50P99(lat);
  std::tie(rep.p50_cpu_ms, rep.p99_cpu_ms) = P50P99(cpu);
  rep.queries_per_cpu_second = cpu_total > 0 ? queries.size() / (cpu_total / 1e3) : 0;
  return rep;
}

bool InLearningHalf(const std::string& entry_id) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : entry_id) h = (h ^ c) * 1099511628211ull;
  return (h >> 7) % 2 == 0;
}

Result<RetrievalParams> MethodParams(const std::string& name) {
  RetrievalParams p;
  if (name == "hotline") return p;
  if (name == "bm25-bigram") {
    p.unigram_weight = 0;
    p.question_weight = 0;
    p.title_weight = 0;
    p.source_weight = 0;
    p.learned_term_weights = false;
    return p;
  }
  if (name == "no-term-weights") {
    p.learned_term_weights = false;
    return p;
  }
  if (name == "no-similar-questions") {
    p.question_weight = 0;
    return p;
  }
  if (name == "no-unigrams") {
    p.unigram_weight = 0;
    return p;
  }
  return Invalid("method", "unknown method " + name +
                               " (hotline, bm25-bigram, no-term-weights, no-similar-questions, "
                               "no-unigrams)");
}

}  // namespace hotline::kb
