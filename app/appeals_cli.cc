#include "app/appeals_cli.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "domain/calendar.h"
#include "service/csv.h"
#include "service/duplicate_index.h"
#include "text/hotspot.h"
#include "text/minhash.h"
#include "text/normalize.h"
#include "text/utf8.h"

namespace hotline {
namespace {

// One appeal of a Teddy-style CSV (留言编号, 留言用户, 留言主题, 留言时间, 留言详情 [, 反对数,
// 点赞数] [, 原始行号]).
struct Appeal {
  std::string key;  // "<file tag>:<留言编号 or 原始行号>", e.g. hot:188006, train:17
  std::string user, title, content;  // title and content normalised
  std::int64_t at = 0;               // 0 = unknown
  std::int64_t likes = 0, against = 0;
};

// "2019/2/28 11:25:05" or "2019-02-28 11:25:05" (Beijing time) -> epoch seconds; 0 if not a time.
std::int64_t ParseLocalTime(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  char a = 0, b = 0;
  if (std::sscanf(s.c_str(), "%d%c%d%c%d %d:%d:%d", &y, &a, &mo, &b, &d, &h, &mi, &se) < 5)
    return 0;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return 0;
  return DaysFromCivil(CivilDate{y, mo, d}) * 86400 + h * 3600 + mi * 60 + se - 8 * 3600;
}

std::string FormatLocalDate(std::int64_t t) {
  return FormatDate(CivilFromDays((t + 8 * 3600) >= 0 ? (t + 8 * 3600) / 86400
                                                      : ((t + 8 * 3600) - 86399) / 86400));
}

std::string Tag(const std::string& path) {
  std::string stem = std::filesystem::path(path).stem().string();
  auto us = stem.rfind('_');
  return us == std::string::npos ? stem : stem.substr(us + 1);
}

Result<std::vector<Appeal>> ReadAppeals(const std::string& path, const text::Normalizer& norm) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::kNotFound, "cannot read " + path, "input");
  std::stringstream ss;
  ss << in.rdbuf();
  HOTLINE_ASSIGN_OR_RETURN(auto rows, ParseCsv(ss.str()));
  if (rows.empty()) return Invalid("input", path + " has no header");
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < rows[0].size(); ++i) col[rows[0][i]] = i;
  for (const char* need : {"留言用户", "留言主题", "留言时间", "留言详情"})
    if (!col.count(need)) return Invalid("input", path + " has no column " + need);
  const bool has_row = col.count("原始行号") > 0;
  if (!has_row && !col.count("留言编号")) return Invalid("input", path + " has no column 留言编号");
  const std::string tag = Tag(path);
  auto cell = [&](const std::vector<std::string>& r, const char* name) -> std::string {
    auto it = col.find(name);
    return it == col.end() || it->second >= r.size() ? std::string() : r[it->second];
  };
  std::vector<Appeal> out;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    Appeal a;
    a.key = tag + ":" + cell(r, has_row ? "原始行号" : "留言编号");
    a.user = cell(r, "留言用户");
    a.title = norm.Normalize(cell(r, "留言主题"));
    a.content = norm.Normalize(cell(r, "留言详情"));
    a.at = ParseLocalTime(cell(r, "留言时间"));
    a.likes = std::atoll(cell(r, "点赞数").c_str());
    a.against = std::atoll(cell(r, "反对数").c_str());
    out.push_back(std::move(a));
  }
  return out;
}

std::unique_ptr<text::Normalizer> MakeNormalizer() {
  auto n = text::Normalizer::Create();
  if (!n.ok()) {
    std::cerr << "hotline: " << n.status().ToString() << "\n";
    return nullptr;
  }
  return std::move(*n);
}

std::string Cut(const std::string& s, size_t cps) {
  size_t i = 0, n = 0;
  while (i < s.size() && n < cps) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    i += c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    ++n;
  }
  return s.substr(0, std::min(i, s.size())) + (i < s.size() ? "…" : "");
}

}  // namespace

// ---- hotline hotspots ---------------------------------------------------------------------

int RunHotspotsCli(int argc, char** argv) {
  CLI::App app{"hotspots (热点) of an appeal CSV, highest heat first (docs/hotspots.md)"};
  std::string input, from, to;
  size_t top = 5;
  bool members = false;
  text::HotspotOptions opt;
  app.add_option("--input", input, "appeal CSV (Teddy 2020 columns, e.g. teddy2020_hot.csv)")
      ->required();
  app.add_option("--top", top, "how many hotspots to print")->capture_default_str();
  app.add_option("--from", from, "first local date YYYY-MM-DD (default: the oldest appeal)");
  app.add_option("--to", to, "end local date YYYY-MM-DD, exclusive (default: after the newest)");
  app.add_option("--min-similarity", opt.min_similarity, "link threshold")->capture_default_str();
  app.add_option("--min-cohesion", opt.min_cohesion,
                 "cosine of two clusters' centroids needed to merge them (0 = single linkage)")
      ->capture_default_str();
  app.add_option("--link-days", opt.link_window_seconds, "link window in seconds")
      ->capture_default_str();
  app.add_flag("--members", members, "also list every member appeal (id, date, title)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto lower = from.empty() ? std::optional<CivilDate>{} : ParseDate(from);
  auto upper = to.empty() ? std::optional<CivilDate>{} : ParseDate(to);
  if ((!from.empty() && !lower) || (!to.empty() && !upper)) {
    std::cerr << "hotline hotspots: " << (!from.empty() && !lower ? "--from" : "--to")
              << " must be a date YYYY-MM-DD\n";
    return 2;
  }
  auto norm = MakeNormalizer();
  if (!norm) return 1;
  auto appeals = ReadAppeals(input, *norm);
  if (!appeals.ok()) {
    std::cerr << "hotline hotspots: " << appeals.status().ToString() << "\n";
    return 1;
  }
  const std::int64_t t0 = lower ? DaysFromCivil(*lower) * 86400 - 8 * 3600 : INT64_MIN;
  const std::int64_t t1 = upper ? DaysFromCivil(*upper) * 86400 - 8 * 3600 : INT64_MAX;
  std::vector<text::HotspotAppeal> in;
  std::vector<const Appeal*> src;
  for (const Appeal& a : *appeals) {
    if (a.at == 0 || a.at < t0 || a.at >= t1) continue;
    text::HotspotAppeal h;
    h.id = in.size();
    h.title = a.title;
    h.content = a.content;
    h.at = a.at;
    // The files anonymise districts (A市A5区): the district named in the text is the place key.
    h.place_key = text::ExtractDistrict(a.title + " " + a.content);
    h.caller = a.user;
    h.support = a.likes + a.against;
    in.push_back(std::move(h));
    src.push_back(&a);
  }
  if (upper) opt.range_end = t1;
  opt.max_hotspots = top;
  auto hot = text::FindHotspots(in, opt);
  std::cout << "appeals: " << in.size() << "\n";
  std::cout << "| # | heat | count | callers | support | growth | first – last | place | "
               "representative title | keywords |\n|---|---|---|---|---|---|---|---|---|---|\n";
  int rank = 0;
  for (const text::Hotspot& h : hot) {
    std::string kw;
    for (const std::string& k : h.keywords) kw += (kw.empty() ? "" : " ") + k;
    std::string place = h.place_key;
    if (!h.place_name.empty()) place += (place.empty() ? "" : " ") + h.place_name;
    std::printf("| %d | %.1f | %d | %d | %lld | %.2f | %s – %s | %s | %s (%s) | %s |\n", ++rank,
                h.heat, h.count, h.distinct_callers, static_cast<long long>(h.support), h.growth,
                FormatLocalDate(h.first_at).c_str(), FormatLocalDate(h.last_at).c_str(),
                place.c_str(), h.title.c_str(), src[h.representative]->key.c_str(), kw.c_str());
    if (members)
      for (size_t m : h.members)
        std::printf("    %s %s %s [%s, +%lld]\n", src[m]->key.c_str(),
                    FormatLocalDate(in[m].at).c_str(), Cut(in[m].title, 40).c_str(),
                    in[m].caller.c_str(), static_cast<long long>(in[m].support));
  }
  return 0;
}

// ---- hotline duplicates -------------------------------------------------------------------

namespace {

std::set<std::uint64_t> Shingles(const std::string& s, int k) {
  std::vector<char32_t> cps;
  for (char32_t cp : text::DecodeUtf8(s)) {
    bool keep = cp >= 0x80 ? !((cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xff00 && cp <= 0xff0f) ||
                               (cp >= 0x2000 && cp <= 0x206f))
                           : std::isalnum(static_cast<int>(cp)) != 0;
    if (keep)
      cps.push_back(cp < 0x80 ? static_cast<char32_t>(std::tolower(static_cast<int>(cp))) : cp);
  }
  std::set<std::uint64_t> out;
  for (size_t i = 0; i + static_cast<size_t>(k) <= cps.size(); ++i) {
    std::uint64_t h = 1469598103934665603ULL;
    for (int j = 0; j < k; ++j) h = (h ^ cps[i + static_cast<size_t>(j)]) * 1099511628211ULL;
    out.insert(h);
  }
  return out;
}

double ExactJaccard(const std::set<std::uint64_t>& a, const std::set<std::uint64_t>& b) {
  if (a.empty() && b.empty()) return 1;
  size_t common = 0;
  for (std::uint64_t x : a) common += b.count(x);
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

struct Pair {
  std::string a, b;
  int label = 0;
};

struct Prf {
  int tp = 0, fp = 0, fn = 0, tn = 0;
  double P() const { return tp + fp ? static_cast<double>(tp) / (tp + fp) : 0; }
  double R() const { return tp + fn ? static_cast<double>(tp) / (tp + fn) : 0; }
  double F1() const { return P() + R() > 0 ? 2 * P() * R() / (P() + R()) : 0; }
  void Add(bool predicted, int label) {
    if (predicted && label) ++tp;
    if (predicted && !label) ++fp;
    if (!predicted && label) ++fn;
    if (!predicted && !label) ++tn;
  }
};

}  // namespace

int RunDuplicatesCli(int argc, char** argv) {
  CLI::App app{"the duplicate (并单) detector on labelled pairs of real appeals"};
  app.require_subcommand(1);
  std::string data_dir = "../shared/data/appeals", pairs_path = "bench/data/duplicate_pairs.csv";
  double threshold = DuplicateOptions{}.min_similarity;
  auto* eval = app.add_subcommand("eval", "precision and recall on the labelled pairs");
  eval->add_option("--data", data_dir, "directory with teddy2020_hot.csv and teddy2020_train.csv")
      ->capture_default_str();
  eval->add_option("--pairs", pairs_path, "labelled pairs CSV (a,b,label,reason)")
      ->capture_default_str();
  eval->add_option("--threshold", threshold, "min_similarity for DuplicateIndex")
      ->capture_default_str();
  auto* cand = app.add_subcommand("candidates", "candidate pairs to label (strata, see docs)");
  cand->add_option("--data", data_dir, "directory with the appeal CSVs")->capture_default_str();
  unsigned seed = 20261123;
  cand->add_option("--seed", seed, "random seed")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto norm = MakeNormalizer();
  if (!norm) return 1;
  std::vector<Appeal> all;
  for (const char* f : {"teddy2020_hot.csv", "teddy2020_train.csv"}) {
    auto part = ReadAppeals(data_dir + "/" + f, *norm);
    if (!part.ok()) {
      std::cerr << "hotline duplicates: " << part.status().ToString() << "\n";
      return 1;
    }
    for (Appeal& a : *part) all.push_back(std::move(a));
  }
  std::unordered_map<std::string, const Appeal*> by_key;
  for (const Appeal& a : all) by_key[a.key] = &a;
  // The text intake fingerprints: title + " " + content, normalised (service_impl.h).
  auto text_of = [](const Appeal& a) { return a.title + " " + a.content; };

  if (cand->parsed()) {
    // Strata over all pairs of the two files by MinHash estimate, plus same-user and
    // same-subject pairs and random pairs.
    std::vector<text::MinHash> fp;
    for (const Appeal& a : all) fp.push_back(DuplicateIndex::Fingerprint(text_of(a)));
    struct Bin {
      double lo, hi;
      size_t want;
      std::vector<std::pair<size_t, size_t>> got;
    };
    std::vector<Bin> bins = {{0.8, 1.01, 50, {}},
                             {0.6, 0.8, 50, {}},
                             {0.45, 0.6, 50, {}},
                             {0.3, 0.45, 50, {}},
                             {0.15, 0.3, 40, {}}};
    std::mt19937_64 rng(seed);
    std::vector<std::vector<std::pair<size_t, size_t>>> pool(bins.size());
    for (size_t i = 0; i < all.size(); ++i)
      for (size_t j = i + 1; j < all.size(); ++j) {
        double s = text::EstimateJaccard(fp[i], fp[j]);
        if (s < 0.15) continue;
        for (size_t b = 0; b < bins.size(); ++b)
          if (s >= bins[b].lo && s < bins[b].hi) pool[b].push_back({i, j});
      }
    std::set<std::pair<size_t, size_t>> chosen;
    auto emit = [&](size_t i, size_t j, const std::string& stratum) {
      if (i > j) std::swap(i, j);
      if (i == j || !chosen.insert({i, j}).second) return false;
      std::printf("%s,%s,%s,%.3f\n", all[i].key.c_str(), all[j].key.c_str(), stratum.c_str(),
                  text::EstimateJaccard(fp[i], fp[j]));
      return true;
    };
    std::printf("a,b,stratum,minhash\n");
    for (size_t b = 0; b < bins.size(); ++b) {
      std::shuffle(pool[b].begin(), pool[b].end(), rng);
      size_t n = 0;
      char name[32];
      std::snprintf(name, sizeof name, "minhash_%.2f_%.2f", bins[b].lo, std::min(1.0, bins[b].hi));
      for (auto [i, j] : pool[b])
        if (n < bins[b].want && emit(i, j, name)) ++n;
    }
    // Same user (hot file), texts below 0.3; same subject line, texts below 0.45.
    std::map<std::string, std::vector<size_t>> by_user, by_subject;
    for (size_t i = 0; i < all.size(); ++i) {
      if (!all[i].user.empty()) by_user[all[i].user].push_back(i);
      by_subject[all[i].title].push_back(i);
    }
    auto from_groups = [&](std::map<std::string, std::vector<size_t>>& groups, double below,
                           size_t want, const char* name) {
      std::vector<std::pair<size_t, size_t>> p;
      for (auto& [_, v] : groups)
        for (size_t x = 0; x < v.size(); ++x)
          for (size_t y = x + 1; y < v.size() && y < x + 4; ++y)
            if (text::EstimateJaccard(fp[v[x]], fp[v[y]]) < below) p.push_back({v[x], v[y]});
      std::shuffle(p.begin(), p.end(), rng);
      size_t n = 0;
      for (auto [i, j] : p)
        if (n < want && emit(i, j, name)) ++n;
    };
    from_groups(by_user, 0.3, 30, "same_user");
    from_groups(by_subject, 0.45, 30, "same_subject");
    std::uniform_int_distribution<size_t> any(0, all.size() - 1);
    for (size_t n = 0; n < 30;)
      if (emit(any(rng), any(rng), "random")) ++n;
    return 0;
  }

  // eval
  std::ifstream in(pairs_path, std::ios::binary);
  if (!in) {
    std::cerr << "hotline duplicates eval: cannot read " << pairs_path << "\n";
    return 1;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto rows = ParseCsv(ss.str());
  if (!rows.ok()) {
    std::cerr << "hotline duplicates eval: " << rows.status().ToString() << "\n";
    return 1;
  }
  std::vector<Pair> pairs;
  for (size_t i = 1; i < rows->size(); ++i) {
    const auto& r = (*rows)[i];
    if (r.size() < 3 || (r[2] != "0" && r[2] != "1")) {
      std::cerr << "hotline duplicates eval: " << pairs_path << " record " << i
                << ": label must be 0 or 1\n";
      return 1;
    }
    if (!by_key.count(r[0]) || !by_key.count(r[1])) {
      std::cerr << "hotline duplicates eval: " << pairs_path << " record " << i << ": unknown id "
                << (by_key.count(r[0]) ? r[1] : r[0]) << "\n";
      return 1;
    }
    pairs.push_back({r[0], r[1], r[2] == "1"});
  }
  int positives = 0;
  for (const Pair& p : pairs) positives += p.label;
  std::printf("pairs: %zu (duplicates %d, not %zu)\n", pairs.size(), positives,
              pairs.size() - static_cast<size_t>(positives));

  // 1. The detector exactly as intake runs it: a DuplicateIndex holding one appeal, Find() with
  // the other (same street, different callers, received the same day).
  std::vector<double> est(pairs.size());
  std::vector<bool> lsh(pairs.size());
  auto run_index = [&](double t) {
    Prf m;
    DuplicateOptions o;
    o.min_similarity = t;
    for (size_t k = 0; k < pairs.size(); ++k) {
      const Appeal& a = *by_key[pairs[k].a];
      const Appeal& b = *by_key[pairs[k].b];
      DuplicateIndex idx(o);
      WorkOrder oa, ob;
      oa.id = 1;
      ob.id = 2;
      oa.created_at = ob.created_at = 1'700'000'000;
      oa.place.street_id = ob.place.street_id = 7;
      auto fa = DuplicateIndex::Fingerprint(text_of(a));
      auto fb = DuplicateIndex::Fingerprint(text_of(b));
      idx.Add(ob, fb);
      bool found = false;
      for (const DuplicateCandidate& c : idx.Find(oa, fa, 1'700'000'000)) found |= c.order_id == 2;
      m.Add(found, pairs[k].label);
      est[k] = text::EstimateJaccard(fa, fb);
      auto ka = text::BandKeys(fa), kb = text::BandKeys(fb);
      bool hit = false;
      for (int x = 0; x < text::kBands; ++x)
        hit |= ka[static_cast<size_t>(x)] == kb[static_cast<size_t>(x)];
      lsh[k] = hit;
    }
    return m;
  };
  Prf at = run_index(threshold);
  std::printf(
      "bench: duplicates_precision value=%.3f unit=ratio\nbench: duplicates_recall value=%.3f "
      "unit=ratio\n(DuplicateIndex, min_similarity %.2f: tp %d fp %d fn %d tn %d, F1 %.3f)\n",
      at.P(), at.R(), threshold, at.tp, at.fp, at.fn, at.tn, at.F1());
  int lsh_missed = 0;
  for (size_t k = 0; k < pairs.size(); ++k) lsh_missed += pairs[k].label && !lsh[k];
  std::printf("duplicates never reaching the similarity check (no shared LSH band): %d of %d\n",
              lsh_missed, positives);

  // 2. Threshold sweep over the same index path.
  std::printf(
      "\nthreshold sweep (DuplicateIndex::Find):\n| min_similarity | precision | recall | "
      "F1 |\n|---|---|---|---|\n");
  for (double t : {0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8}) {
    Prf m = run_index(t);
    std::printf("| %.2f | %.3f | %.3f | %.3f |\n", t, m.P(), m.R(), m.F1());
  }
  // 3. Shingle size, exact Jaccard (no MinHash/LSH error): best F1 over thresholds.
  std::printf(
      "\nshingle size (exact Jaccard of character k-shingles, best threshold):\n"
      "| k | best threshold | precision | recall | F1 |\n|---|---|---|---|---|\n");
  for (int k = 2; k <= 5; ++k) {
    std::vector<double> j(pairs.size());
    for (size_t x = 0; x < pairs.size(); ++x)
      j[x] = ExactJaccard(Shingles(text_of(*by_key[pairs[x].a]), k),
                          Shingles(text_of(*by_key[pairs[x].b]), k));
    Prf best;
    double best_t = 0;
    for (double t = 0.05; t < 0.96; t += 0.05) {
      Prf m;
      for (size_t x = 0; x < pairs.size(); ++x) m.Add(j[x] >= t, pairs[x].label);
      if (m.F1() > best.F1()) {
        best = m;
        best_t = t;
      }
    }
    std::printf("| %d | %.2f | %.3f | %.3f | %.3f |\n", k, best_t, best.P(), best.R(), best.F1());
  }
  return 0;
}

}  // namespace hotline
