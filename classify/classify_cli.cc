#include "classify/classify_cli.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "classify/classifier.h"
#include "classify/dataset.h"
#include "classify/metrics.h"

namespace hotline::classify {
namespace {

int Fail(const Status& s) {
  std::cerr << "hotline classify: " << s.message() << "\n";
  return 1;
}

// Progress on stderr, one line per 10 % ("training: 40% (fasttext)"), so logs stay short.
ProgressFn StderrProgress() {
  auto last = std::make_shared<int>(-1);
  return [last](double p, std::string_view phase) {
    const int decile = static_cast<int>(p * 10 + 1e-9);
    if (decile == *last) return;
    *last = decile;
    std::cerr << "training: " << decile * 10 << "% (" << phase << ")\n";
  };
}

}  // namespace

int RunClassifyCli(int argc, char** argv) {
  CLI::App app{"Appeal classifier: train, evaluate, predict"};
  app.name("hotline classify");
  app.require_subcommand(1);

  std::string input, model_path, text_cols = "留言主题,留言详情", label_col = "一级标签";
  TrainOptions opt;
  std::string algorithm = AlgorithmName(opt.algorithm), text;
  int top_k = 3;

  auto* train = app.add_subcommand("train", "train a model on a labelled CSV file");
  train->add_option("--input", input, "CSV file with a header row")->required();
  train->add_option("--text", text_cols, "text column(s), comma-separated, joined in order")
      ->capture_default_str();
  train->add_option("--label", label_col, "label column")->capture_default_str();
  train->add_option("--model", model_path, "model file to write")->required();
  train->add_option("--algorithm", algorithm, "hashed, linear, fasttext or ensemble")
      ->capture_default_str();
  train->add_option("--threads", opt.threads, "training threads")->capture_default_str();
  train->add_option("--epoch", opt.ft_epoch, "fastText epochs")->capture_default_str();
  train->add_option("--lr", opt.ft_lr, "fastText learning rate")->capture_default_str();
  train->add_option("--dim", opt.ft_dim, "fastText dimension")->capture_default_str();
  train->add_option("--word-ngrams", opt.ft_word_ngrams, "fastText word n-grams")
      ->capture_default_str();
  train->add_option("--bucket", opt.ft_bucket, "fastText n-gram buckets")->capture_default_str();
  train->add_option("--min-count", opt.ft_min_count, "fastText min token count")
      ->capture_default_str();
  train->add_option("--linear-loss", opt.linear_loss, "svm or lr")->capture_default_str();
  train->add_option("--c", opt.linear_c, "linear/hashed model C")->capture_default_str();
  train->add_option("--min-df", opt.linear_min_df, "linear/hashed: drop rarer tokens")
      ->capture_default_str();
  train->add_option("--hash-bits", opt.hash_bits, "hashed: 2^bits feature buckets")
      ->capture_default_str();
  train->add_option("--hash-max-n", opt.hash_max_n, "hashed: Han n-grams 1..n")
      ->capture_default_str();
  train->add_option("--hash-subject", opt.hash_subject, "hashed: subject features (true/false)")
      ->capture_default_str();
  train->add_option("--hash-nb", opt.hash_nb, "hashed: naive-Bayes scaling (true/false)")
      ->capture_default_str();
  train->add_option("--ensemble-weight", opt.ensemble_weight, "fastText share of the ensemble")
      ->capture_default_str();

  auto* eval = app.add_subcommand("eval", "evaluate a model on a labelled CSV file (JSON out)");
  eval->add_option("--input", input, "CSV file with a header row")->required();
  eval->add_option("--model", model_path, "model file")->required();
  eval->add_option("--text", text_cols, "text column(s)")->capture_default_str();
  eval->add_option("--label", label_col, "label column")->capture_default_str();

  auto* predict = app.add_subcommand("predict", "top-k labels for a text or for stdin lines");
  predict->add_option("--model", model_path, "model file")->required();
  predict->add_option("--text", text, "text to classify (default: one text per stdin line)");
  predict->add_option("-k,--top", top_k, "labels to print")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (*train) {
    auto alg = ParseAlgorithm(algorithm);
    if (!alg.ok()) return Fail(alg.status());
    opt.algorithm = *alg;
    auto data = ReadExamplesCsv(input, SplitColumns(text_cols), label_col);
    if (!data.ok()) return Fail(data.status());
    std::cerr << "training " << algorithm << " on " << data->examples.size() << " examples\n";
    const auto t0 = std::chrono::steady_clock::now();
    auto model = Train(data->examples, opt, StderrProgress());
    if (!model.ok()) return Fail(model.status());
    if (auto s = (*model)->Save(model_path); !s.ok()) return Fail(s);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cerr << "wrote " << model_path << " (" << (*model)->version() << ", "
              << (*model)->labels().size() << " labels) in " << secs << " s\n";
    return 0;
  }

  auto model = LoadClassifier(model_path);
  if (!model.ok()) return Fail(model.status());
  const Classifier& m = **model;

  if (*eval) {
    auto data = ReadExamplesCsv(input, SplitColumns(text_cols), label_col);
    if (!data.ok()) return Fail(data.status());
    std::vector<std::string> gold, pred;
    for (const auto& e : data->examples) {
      gold.push_back(e.label);
      pred.push_back(m.Predict(e.text, 1)[0].label);
    }
    auto report = Evaluate(m.labels(), gold, pred);
    std::string json = report.ToJson(2);
    auto j = nlohmann::ordered_json::parse(json);
    j["model_version"] = m.version();
    std::cout << j.dump(2) << "\n";
    return 0;
  }

  // predict
  auto print = [&](std::string_view t) {
    nlohmann::ordered_json j;
    j["text"] = t;
    auto& top = j["top"] = nlohmann::ordered_json::array();
    for (const auto& p : m.Predict(t, top_k))
      top.push_back({{"label", p.label}, {"probability", p.probability}});
    j["model_version"] = m.version();
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  };
  if (!text.empty()) {
    print(text);
  } else {
    std::string line;
    while (std::getline(std::cin, line)) print(line);
  }
  return 0;
}

}  // namespace hotline::classify
