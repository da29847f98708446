// classify_bench: stratified 5-fold cross-validation of the appeal classifier on the real
// Teddy 2020 data (near-duplicates kept in one fold), next to two baselines run on the SAME
// folds in the same run: the `fasttext` command line on the same tokens, and TF-IDF + LinearSVC
// with jieba segmentation in scikit-learn (bench/classify_baselines.py). Then single-thread
// prediction speed. Prints "bench: NAME value=... unit=..." lines; details as "# " lines.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <unistd.h>
#include <cmath>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "classify/classifier.h"
#include "classify/cv.h"
#include "classify/dataset.h"
#include "classify/metrics.h"
#include "classify/tokens.h"

namespace fs = std::filesystem;
using namespace hotline::classify;

namespace {

struct Cv {
  std::vector<double> f1;
  double Mean() const {
    double s = 0;
    for (double x : f1) s += x;
    return f1.empty() ? 0 : s / f1.size();
  }
  double Sd() const {  // population sd over folds
    double m = Mean(), v = 0;
    for (double x : f1) v += (x - m) * (x - m);
    return f1.empty() ? 0 : std::sqrt(v / f1.size());
  }
};

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

std::string LoadAverage() {
  std::ifstream f("/proc/loadavg");
  std::string one;
  f >> one;
  return one.empty() ? "?" : one;
}

std::string Fmt(double x, int prec = 4) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", prec, x);
  return b;
}

// Trains on every fold but one and predicts it, for each fold; macro-F1 per fold.
Cv CrossValidate(const std::vector<Example>& ex, const std::vector<int>& fold, int k,
                 const TrainOptions& opt, int jobs) {
  Cv cv;
  cv.f1.assign(k, 0);
  std::atomic<int> next{0};
  auto worker = [&] {
   for (int f; (f = next++) < k;) {
    std::vector<Example> train;
    std::vector<const Example*> test;
    for (size_t i = 0; i < ex.size(); ++i) {
      if (fold[i] == f)
        test.push_back(&ex[i]);
      else
        train.push_back(ex[i]);
    }
    auto model = Train(train, opt);
    if (!model.ok()) {
      std::cerr << "train failed: " << model.status().message() << "\n";
      std::exit(1);
    }
    std::vector<std::string> gold, pred;
    for (const auto* e : test) {
      gold.push_back(e->label);
      pred.push_back((*model)->Predict(e->text, 1)[0].label);
    }
    cv.f1[f] = Evaluate((*model)->labels(), gold, pred).macro_f1;
   }
  };
  std::vector<std::thread> pool;
  for (int j = 0; j < std::max(1, jobs); ++j) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  return cv;
}

std::string Describe(const TrainOptions& o) {
  std::ostringstream s;
  s << AlgorithmName(o.algorithm);
  if (o.algorithm == Algorithm::kFastText || o.algorithm == Algorithm::kEnsemble)
    s << " ft(epoch=" << o.ft_epoch << " lr=" << o.ft_lr << " dim=" << o.ft_dim
      << " wordNgrams=" << o.ft_word_ngrams << " minCount=" << o.ft_min_count << ")";
  if (o.algorithm == Algorithm::kLinear || o.algorithm == Algorithm::kEnsemble)
    s << " linear(" << o.linear_loss << " C=" << o.linear_c << " min_df=" << o.linear_min_df
      << ")";
  if (o.algorithm == Algorithm::kHashed)
    s << " (" << o.linear_loss << " C=" << o.linear_c << " min_df=" << o.linear_min_df
      << " bits=" << o.hash_bits << " han_n=1.." << o.hash_max_n
      << " subject=" << (o.hash_subject ? "yes" : "no") << " nb=" << (o.hash_nb ? "yes" : "no")
      << " alpha=" << o.hash_nb_alpha << " balanced=" << (o.hash_balanced ? "yes" : "no")
      << ")";
  if (o.algorithm == Algorithm::kEnsemble) s << " w=" << o.ensemble_weight;
  return s.str();
}

// The fastText command line with the settings its tutorial recommends for text classification
// (-epoch 25 -lr 1.0 -wordNgrams 2; bucket 200k), single thread, on our tokens and folds.
Cv FastTextCli(const std::vector<Example>& ex, const std::vector<int>& fold, int k,
               const fs::path& dir, const std::vector<std::string>& labels) {
  Cv cv;
  std::vector<std::string> lines(ex.size());
  for (size_t i = 0; i < ex.size(); ++i) {
    std::string line = "__label__" + ex[i].label;
    for (const auto& t : ClassifierTokens(ex[i].text)) line += " " + t;
    lines[i] = line;
  }
  for (int f = 0; f < k; ++f) {
    const fs::path tr = dir / ("ft_train" + std::to_string(f) + ".txt");
    const fs::path te = dir / ("ft_test" + std::to_string(f) + ".txt");
    const fs::path model = dir / ("ft_model" + std::to_string(f));
    const fs::path out = dir / ("ft_pred" + std::to_string(f) + ".txt");
    std::ofstream a(tr), b(te);
    std::vector<std::string> gold;
    for (size_t i = 0; i < ex.size(); ++i) {
      if (fold[i] == f) {
        b << lines[i] << "\n";
        gold.push_back(ex[i].label);
      } else {
        a << lines[i] << "\n";
      }
    }
    a.close();
    b.close();
    const std::string cmd = "fasttext supervised -input " + tr.string() + " -output " +
                            model.string() +
                            " -epoch 25 -lr 1.0 -wordNgrams 2 -bucket 200000 -dim 100 -thread 1"
                            " -verbose 0 >/dev/null 2>&1 && fasttext predict " +
                            model.string() + ".bin " + te.string() + " 1 > " + out.string();
    if (std::system(cmd.c_str()) != 0) {
      std::cerr << "# fasttext command line failed: " << cmd << "\n";
      return {};
    }
    std::ifstream p(out);
    std::vector<std::string> pred;
    std::string line;
    while (std::getline(p, line)) pred.push_back(line.substr(std::string("__label__").size()));
    if (pred.size() != gold.size()) return {};
    cv.f1.push_back(Evaluate(labels, gold, pred).macro_f1);
    fs::remove(model.string() + ".bin");
  }
  return cv;
}

struct PySpeed {
  double wall = 0, cpu = 0;
};

Cv PythonBaseline(PySpeed* speed, const std::string& script, const std::string& csv, const fs::path& folds,
                  const fs::path& dir) {
  const fs::path out = dir / "sklearn.json";
  const std::string cmd = "/usr/bin/python3 " + script + " --input " + csv + " --folds " +
                          folds.string() + " > " + out.string();
  if (std::system(cmd.c_str()) != 0) {
    std::cerr << "# python baseline failed: " << cmd << "\n";
    return {};
  }
  std::ifstream f(out);
  auto j = nlohmann::json::parse(f, nullptr, false);
  Cv cv;
  if (j.is_object() && j.contains("fold_macro_f1"))
    for (double x : j["fold_macro_f1"]) cv.f1.push_back(x);
  if (j.is_object() && j.contains("predict_per_s")) {
    speed->wall = j["predict_per_s"];
    speed->cpu = j["predict_per_cpu_s"];
  }
  return cv;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"classifier cross-validation and speed"};
  std::string data_dir, shared = HOTLINE_SHARED_DIR;
  std::string script = std::string(HOTLINE_SOURCE_DIR) + "/bench/classify_baselines.py";
  int k = 5, jobs = 2;
  std::string only;
  bool explore = false, skip_baselines = false;
  double speed_seconds = 10;
  app.add_option("--data", data_dir, "repository data dir (unused)");
  app.add_option("--shared", shared, "shared data dir (holds appeals/teddy2020_train.csv)");
  app.add_option("--folds", k, "folds");
  app.add_option("--jobs", jobs, "folds trained in parallel (prediction speed is 1 thread)");
  app.add_option("--only", only,
                 "cross-validate only these configs (comma-separated names, e.g. default,linear)");
  app.add_flag("--explore", explore, "also cross-validate alternative settings");
  app.add_flag("--skip-baselines", skip_baselines, "do not run the two baselines");
  app.add_option("--speed-seconds", speed_seconds, "seconds of prediction for the speed figure");
  CLI11_PARSE(app, argc, argv);

  const std::string csv = shared + "/data/appeals/teddy2020_train.csv";
  auto data = ReadExamplesCsv(csv, {"留言主题", "留言详情"}, "一级标签");
  if (!data.ok()) {
    std::cerr << "classify_bench: " << data.status().message() << "\n";
    return 1;
  }
  const auto& ex = data->examples;
  std::vector<std::string> labels;
  for (const auto& e : ex) labels.push_back(e.label);
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  std::vector<int> label_index;
  std::vector<std::string> texts;
  for (const auto& e : ex) {
    label_index.push_back(
        static_cast<int>(std::lower_bound(labels.begin(), labels.end(), e.label) - labels.begin()));
    texts.push_back(e.text);
  }

  const auto t0 = std::chrono::steady_clock::now();
  const Grouping g = NearDuplicateGroups(texts, data->subjects, 0.8, 12);
  const auto fold = StratifiedGroupFolds(label_index, g.group, k, 1);
  std::cout << "# data: " << csv << ": " << ex.size() << " appeals, " << labels.size()
            << " labels\n";
  std::cout << "# near-duplicate groups: " << g.num_groups << " groups; " << g.candidate_pairs
            << " MinHash candidate pairs, " << g.jaccard_pairs
            << " with 5-gram Jaccard >= 0.8 (" << g.jaccard_merges << " merges), "
            << g.subject_merges << " merges by equal subject; " << g.rows_in_multi
            << " appeals in groups of 2+ ("
            << Fmt(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 2)
            << " s)\n";
  {
    std::ostringstream s;
    for (int f = 0; f < k; ++f) s << " " << std::count(fold.begin(), fold.end(), f);
    std::cout << "# fold sizes:" << s.str() << "\n";
  }

  // Fold assignment shared with the baselines: one fold number per data row, in file order.
  const fs::path dir = fs::temp_directory_path() / ("hotline-classify-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path folds_file = dir / "folds.txt";
  {
    std::ofstream f(folds_file);
    for (int x : fold) f << x << "\n";
  }

  TrainOptions ours;  // the shipped defaults
  std::vector<std::pair<std::string, TrainOptions>> configs;
  configs.push_back({"default", ours});
  auto variant = [&](const std::string& name, auto&& change) {
    TrainOptions o = ours;
    change(o);
    configs.push_back({name, o});
  };
  // The previous default (string-vocabulary TF-IDF + linear SVM, now on the v2 tokens).
  variant("linear", [](TrainOptions& o) { o.algorithm = Algorithm::kLinear; });
  if (explore) {
    variant("fasttext", [](TrainOptions& o) { o.algorithm = Algorithm::kFastText; });
    variant("linear-lr", [](TrainOptions& o) {
      o.algorithm = Algorithm::kLinear;
      o.linear_loss = "lr";
      o.linear_c = 20;
    });
    variant("ensemble", [](TrainOptions& o) {
      o.algorithm = Algorithm::kEnsemble;
      o.linear_loss = "lr";
      o.linear_c = 20;
    });
    // One change at a time from the hashed default (round 1 used han_n=1..3 as the base; see
    // docs/classifier.md for those figures).
    variant("hashed-n1", [](TrainOptions& o) { o.hash_max_n = 1; });
    variant("hashed-nosubject", [](TrainOptions& o) { o.hash_subject = false; });
    variant("hashed-nonb", [](TrainOptions& o) { o.hash_nb = false; });
    variant("hashed-unbalanced", [](TrainOptions& o) { o.hash_balanced = false; });
    variant("hashed-bits18", [](TrainOptions& o) { o.hash_bits = 18; });
    variant("hashed-bits22", [](TrainOptions& o) { o.hash_bits = 22; });
    variant("hashed-c0.5", [](TrainOptions& o) { o.linear_c = 0.5; });
    variant("hashed-c2", [](TrainOptions& o) { o.linear_c = 2; });
    variant("hashed-c4", [](TrainOptions& o) { o.linear_c = 4; });
    variant("hashed-alpha0.25", [](TrainOptions& o) { o.hash_nb_alpha = 0.25; });
    variant("hashed-mindf1", [](TrainOptions& o) { o.linear_min_df = 1; });
    variant("hashed-mindf3", [](TrainOptions& o) { o.linear_min_df = 3; });
    variant("hashed-c2-unbalanced", [](TrainOptions& o) {
      o.linear_c = 2;
      o.hash_balanced = false;
    });
    variant("hashed-lr", [](TrainOptions& o) {
      o.linear_loss = "lr";
      o.linear_c = 20;
    });
  }
  std::vector<std::string> only_names;
  for (size_t a = 0; !only.empty() && a <= only.size();) {
    size_t b = only.find(',', a);
    if (b == std::string::npos) b = only.size();
    only_names.push_back(only.substr(a, b - a));
    a = b + 1;
  }
  double ours_f1 = 0;
  PySpeed py_speed;
  for (const auto& [name, o] : configs) {
    if (!only_names.empty() &&
        std::find(only_names.begin(), only_names.end(), name) == only_names.end())
      continue;
    const auto t = std::chrono::steady_clock::now();
    const Cv cv = CrossValidate(ex, fold, k, o, jobs);
    std::ostringstream folds_s;
    for (double x : cv.f1) folds_s << " " << Fmt(x);
    std::cout << "# cv " << name << ": " << Describe(o) << ": macro-F1 " << Fmt(cv.Mean())
              << " +- " << Fmt(cv.Sd()) << " (folds" << folds_s.str() << "; "
              << Fmt(std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count(), 1)
              << " s)\n"
              << std::flush;
    if (name == "default") ours_f1 = cv.Mean();
  }

  if (!skip_baselines) {
    const Cv cli = FastTextCli(ex, fold, k, dir, labels);
    std::cout << "# cv fasttext command line (-epoch 25 -lr 1.0 -wordNgrams 2 -dim 100): macro-F1 "
              << Fmt(cli.Mean()) << " +- " << Fmt(cli.Sd()) << "\n";
    const Cv py = PythonBaseline(&py_speed, script, csv, folds_file, dir);
    std::cout << "# cv sklearn TF-IDF(jieba) + LinearSVC: macro-F1 " << Fmt(py.Mean()) << " +- "
              << Fmt(py.Sd()) << "\n";
    if (!py.f1.empty())
      std::cout << "bench: classify.macro_f1_cv5 value=" << Fmt(ours_f1)
                << " unit=f1 baseline=classify.sklearn_tfidf_linearsvc baseline_value="
                << Fmt(py.Mean()) << " ratio=" << Fmt(ours_f1 / py.Mean(), 3) << "\n";
    if (!cli.f1.empty())
      std::cout << "bench: classify.macro_f1_cv5 value=" << Fmt(ours_f1)
                << " unit=f1 baseline=classify.fasttext_cli baseline_value=" << Fmt(cli.Mean())
                << " ratio=" << Fmt(ours_f1 / cli.Mean(), 3) << "\n";
  } else {
    std::cout << "bench: classify.macro_f1_cv5 value=" << Fmt(ours_f1) << " unit=f1\n";
  }

  // Prediction speed of each algorithm, then the default model's figure.
  double linear_speed = 0;
  std::vector<Algorithm> speed_algorithms = {Algorithm::kLinear};
  if (explore) speed_algorithms = {Algorithm::kLinear, Algorithm::kFastText, Algorithm::kEnsemble};
  if (!only_names.empty()) speed_algorithms.clear();  // iterating: the default's figure only
  for (auto a : speed_algorithms) {
    TrainOptions o = ours;
    o.algorithm = a;
    auto m = Train(ex, o);
    if (!m.ok()) return 1;
    size_t n = 0;
    const auto s0 = std::chrono::steady_clock::now();
    double secs = 0;
    while (secs < 1.0) {
      for (size_t i = 0; i < ex.size(); ++i, ++n) (void)(*m)->Predict(ex[i].text, 3);
      secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
    }
    std::cout << "# predict " << AlgorithmName(a) << ": " << static_cast<long>(n / secs)
              << " appeals/s (1 thread, top-3)\n";
    if (a == Algorithm::kLinear) linear_speed = n / secs;
  }
  // Prediction speed: the default model trained on everything, one thread, raw text in
  // (tokenisation included), top-3 out.
  auto model = Train(ex, ours);
  if (!model.ok()) return 1;
  size_t n = 0, bytes = 0;
  double checksum = 0;
  const double cpu0 = ThreadCpuSeconds();
  const auto s0 = std::chrono::steady_clock::now();
  double secs = 0;
  while (secs < speed_seconds) {
    for (size_t i = 0; i < ex.size(); ++i, ++n) {
      const auto p = (*model)->Predict(ex[i].text, 3);
      checksum += p[0].probability;
      bytes += ex[i].text.size();
    }
    secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
  }
  std::cout << "# predict: " << n << " appeals (mean " << bytes / n << " bytes) in " << Fmt(secs, 2)
            << " s, 1 thread, top-3, model " << (*model)->version() << " (checksum "
            << Fmt(checksum / n) << ")\n";
  const double cpu = ThreadCpuSeconds() - cpu0;
  std::cout << "# predict: thread CPU time " << Fmt(cpu, 2) << " s of " << Fmt(secs, 2)
            << " s wall (the machine is shared; load average " << LoadAverage() << "): "
            << static_cast<long>(n / cpu) << " appeals per CPU-second\n";
  const long wall_rate = static_cast<long>(n / secs), cpu_rate = static_cast<long>(n / cpu);
  if (linear_speed > 0)
    std::cout << "# predict: previous default (string-vocabulary linear SVM) "
              << static_cast<long>(linear_speed) << " appeals/s in this run\n";
  if (py_speed.wall > 0) {
    std::cout << "bench: classify.predict_per_s value=" << wall_rate
              << " unit=appeals/s baseline=classify.sklearn_tfidf_linearsvc_predict baseline_value="
              << static_cast<long>(py_speed.wall) << " ratio=" << Fmt(wall_rate / py_speed.wall, 1)
              << "\n";
    std::cout << "bench: classify.predict_per_cpu_s value=" << cpu_rate
              << " unit=appeals/cpu-s baseline=classify.sklearn_tfidf_linearsvc_predict"
                 " baseline_value="
              << static_cast<long>(py_speed.cpu) << " ratio=" << Fmt(cpu_rate / py_speed.cpu, 1)
              << "\n";
  } else {
    std::cout << "bench: classify.predict_per_s value=" << wall_rate << " unit=appeals/s\n";
    std::cout << "bench: classify.predict_per_cpu_s value=" << cpu_rate << " unit=appeals/cpu-s\n";
  }
  fs::remove_all(dir);
  return 0;
}
