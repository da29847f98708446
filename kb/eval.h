// Measuring knowledge-base search on labelled questions (`hotline kb eval`, bench group kb).
// Reads a knowledge base CSV (entry_id, body; optional dept/unit, title, source) and question
// CSVs (question, entry_id; optional query_id), builds a SearchIndex, optionally feeds labelled
// questions through the learning path (SearchIndex::Learn), then ranks every evaluation question.
// Thread-safety: functions are reentrant; an EvalSet is read-only once built.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "domain/result.h"
#include "kb/search.h"

namespace hotline::kb {

struct KbRow {
  std::string id, unit, title, body, source;
};
struct QuestionRow {
  std::string id, question, entry_id;
};

// Row-level errors name the record number and column; nothing is returned on any error.
Result<std::vector<KbRow>> ReadKbCsv(const std::string& path);
// REQUIRES for success: every entry_id is in `known` (else kInvalidArgument naming the row).
Result<std::vector<QuestionRow>> ReadQuestionsCsv(
    const std::string& path, const std::unordered_map<std::string, size_t>& known);

struct EvalMetrics {
  size_t queries = 0;
  double recall_at_1 = 0, recall_at_5 = 0, recall_at_10 = 0, mrr_at_10 = 0;
};

struct EvalReport {
  EvalMetrics all;
  // Only the questions whose entry got no learning question: what a method must do without
  // labels for every entry.
  EvalMetrics unseen;
  size_t entries = 0;
  size_t learned = 0;
  double queries_per_second = 0;  // one thread, search only (normalisation included), wall clock
  double p50_ms = 0, p99_ms = 0;
  // The same on the thread's CPU clock: what one core does, whatever else the machine runs.
  double queries_per_cpu_second = 0;
  double p50_cpu_ms = 0, p99_cpu_ms = 0;
  double build_seconds = 0;
};

// Builds the index from `kb`, learns `learn`, ranks `queries`.
EvalReport Evaluate(const text::Normalizer& normalizer, const RetrievalParams& params,
                    const std::vector<KbRow>& kb, const std::vector<QuestionRow>& learn,
                    const std::vector<QuestionRow>& queries);

// The dev/test split used by the bench and the tests: by entry (FNV-1a of the entry id), so no
// entry has questions on both sides. True for the learning half.
bool InLearningHalf(const std::string& entry_id);

// Named retrieval configurations for comparisons: "hotline" (the default), "bm25-bigram"
// (plain BM25 over Han bigrams, body only, nothing learned), "no-term-weights",
// "no-similar-questions", "no-unigrams". Returns kInvalidArgument for other names.
Result<RetrievalParams> MethodParams(const std::string& name);

}  // namespace hotline::kb
