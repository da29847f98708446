// hotspots_bench: the duplicate index and the hotspot clustering at scale, each beside a
// brute-force baseline in the same run (docs/hotspots.md, docs/benchmarks.md).
//   bench: duplicate_lookups_1m   DuplicateIndex::Find with 1,000,000 fingerprints indexed,
//                                 vs scanning every fingerprint (EstimateJaccard) per lookup
//   bench: hotspots_100k_seconds  text::FindHotspots over 100,000 synthetic appeals, vs the
//                                 previous single-linkage clustering (0.35, no cohesion check)
//   bench: hotspots_10k_seconds   the same over 10,000, vs comparing every pair (cosine) at 10,000
// Synthetic appeals: random communities x problems x wording, with bursts; no shared data.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "service/duplicate_index.h"
#include "text/hotspot.h"
#include "text/minhash.h"

namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

const char* kSyllables[] = {"华", "信", "丽", "景", "阳", "光", "金", "鼎", "东", "方", "花", "园",
                            "世", "纪", "翠", "湖", "新", "城", "滨", "河", "御", "府", "锦", "绣",
                            "明", "珠", "洪", "家", "楼", "甸", "柳", "山", "大", "泉", "水", "泰"};
const char* kKinds[] = {"小区", "花园", "家园", "苑", "公寓", "新村"};
const char* kProblems[] = {
    "楼下烧烤店油烟噪音扰民", "路灯坏了很久没人修", "电梯经常故障困人",     "垃圾堆放多日无人清理",
    "物业乱收停车费",         "施工夜间噪音扰民",   "自来水水质发黄",       "暖气不热室温不达标",
    "下水道堵塞污水外溢",     "小区门口占道经营",   "违章搭建阻挡消防通道", "开发商延期交房",
    "房产证迟迟办不下来",     "捆绑销售车位",       "广场舞噪音太大",       "共享单车乱停乱放",
    "学校周边交通拥堵",       "餐馆污水直排",       "工地扬尘污染严重",     "绿化带被毁改成停车位"};
const char* kFiller[] = {"严重影响居民休息", "多次反映没有解决", "希望相关部门尽快处理",
                         "请领导重视",       "居民苦不堪言",     "已经持续一个多月",
                         "请尽快派人查看",   "存在安全隐患"};

struct Gen {
  std::mt19937_64 rng{20261123};
  std::string Place() {
    std::string s;
    int n = 2 + static_cast<int>(rng() % 3);
    for (int i = 0; i < n; ++i) s += kSyllables[rng() % std::size(kSyllables)];
    return s + kKinds[rng() % std::size(kKinds)];
  }
  std::string Appeal(const std::string& place, const char* problem) {
    std::string s = place + std::to_string(1 + rng() % 30) + "号楼" + problem + "，";
    s += kFiller[rng() % std::size(kFiller)];
    s += "，";
    s += kFiller[rng() % std::size(kFiller)];
    s += "。";
    return s;
  }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"duplicate index and hotspot clustering at scale"};
  std::string data;
  size_t fingerprints = 1'000'000, lookups = 10'000, brute_lookups = 100;
  app.add_option("--data", data, "unused (bench/run.sh passes it)");
  app.add_option("--fingerprints", fingerprints)->capture_default_str();
  app.add_option("--lookups", lookups)->capture_default_str();
  size_t max_bucket = hotline::DuplicateOptions{}.max_bucket;
  app.add_option("--max-bucket", max_bucket, "DuplicateOptions::max_bucket")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  Gen g;

  // ---- 1. duplicate lookups with 1M fingerprints ----
  {
    std::vector<std::string> places;
    for (int i = 0; i < 20000; ++i) places.push_back(g.Place());
    hotline::DuplicateOptions opt;
    opt.window_seconds = 400LL * 86400;
    opt.max_bucket = max_bucket;
    hotline::DuplicateIndex index(opt);
    std::vector<hotline::text::MinHash> fps;
    std::vector<std::int64_t> streets;
    fps.reserve(fingerprints);
    auto t = Clock::now();
    for (size_t i = 0; i < fingerprints; ++i) {
      hotline::WorkOrder o;
      o.id = static_cast<hotline::Id>(i + 1);
      o.created_at = 1'700'000'000 + static_cast<std::int64_t>(i % (365 * 86400));
      o.place.street_id = static_cast<hotline::Id>(1 + g.rng() % 17);
      o.caller_phone = "138" + std::to_string(10000000 + g.rng() % 89999999);
      auto fp = hotline::DuplicateIndex::Fingerprint(
          g.Appeal(places[g.rng() % places.size()], kProblems[g.rng() % std::size(kProblems)]));
      index.Add(o, fp);
      fps.push_back(fp);
      streets.push_back(*o.place.street_id);
    }
    std::fprintf(stderr, "# indexed %zu fingerprints in %.1f s\n", index.size(), Since(t));
    const hotline::Timestamp now = 1'700'000'000 + 366LL * 86400;
    // Queries: new appeals (another caller) repeating a random indexed appeal's matter.
    std::vector<hotline::WorkOrder> qs;
    std::vector<hotline::text::MinHash> qfp;
    for (size_t i = 0; i < lookups; ++i) {
      hotline::WorkOrder o;
      o.id = static_cast<hotline::Id>(fingerprints + i + 1);
      o.created_at = now;
      o.place.street_id = static_cast<hotline::Id>(1 + g.rng() % 17);
      o.caller_phone = "139" + std::to_string(10000000 + g.rng() % 89999999);
      qs.push_back(o);
      qfp.push_back(hotline::DuplicateIndex::Fingerprint(
          g.Appeal(places[g.rng() % places.size()], kProblems[g.rng() % std::size(kProblems)])));
    }
    size_t found = 0;
    t = Clock::now();
    for (size_t i = 0; i < lookups; ++i) found += index.Find(qs[i], qfp[i], now).size();
    const double ours = static_cast<double>(lookups) / Since(t);
    // Baseline: the same question answered by scanning every fingerprint, keeping the best
    // max_results as Find does.
    size_t brute_found = 0;
    std::vector<std::vector<double>> scan_best(brute_lookups);
    t = Clock::now();
    for (size_t i = 0; i < brute_lookups; ++i) {
      std::vector<double>& best = scan_best[i];
      for (size_t k = 0; k < fps.size(); ++k) {
        if (streets[k] != *qs[i].place.street_id) continue;
        const double s = hotline::text::EstimateJaccard(qfp[i], fps[k]);
        if (s < opt.min_similarity) continue;
        ++brute_found;
        best.push_back(s);
        std::sort(best.rbegin(), best.rend());
        if (best.size() > opt.max_results) best.pop_back();
      }
    }
    const double brute = static_cast<double>(brute_lookups) / Since(t);
    // Quality of what the agent is shown: the index's top candidates against the scan's, on
    // the lookups both answered (similarity of the k-th best, averaged).
    double index_sim = 0, scan_sim = 0;
    size_t shown = 0, missed = 0;
    for (size_t i = 0; i < brute_lookups; ++i) {
      auto got = index.Find(qs[i], qfp[i], now);
      if (got.empty() && !scan_best[i].empty()) ++missed;
      for (size_t k = 0; k < std::min(got.size(), scan_best[i].size()); ++k) {
        index_sim += got[k].score;
        scan_sim += scan_best[i][k];
        ++shown;
      }
    }
    std::fprintf(stderr, "# candidates per lookup: index %.2f (max %zu kept), scan %.2f\n",
                 static_cast<double>(found) / lookups, opt.max_results,
                 static_cast<double>(brute_found) / brute_lookups);
    std::fprintf(stderr,
                 "# top-%zu quality on %zu lookups: mean similarity index %.3f, scan %.3f; "
                 "lookups where the scan found some and the index none: %zu; largest bucket %zu\n",
                 opt.max_results, brute_lookups, shown ? index_sim / shown : 0,
                 shown ? scan_sim / shown : 0, missed, index.largest_bucket());
    std::printf(
        "bench: duplicate_lookups_1m value=%.0f unit=lookups/s baseline=duplicate_scan_1m "
        "baseline_value=%.1f ratio=%.1f\n",
        ours, brute, ours / brute);
  }

  // ---- 2. hotspot clustering over 100k and 10k appeals ----
  auto make = [&](size_t n) {
    std::vector<hotline::text::HotspotAppeal> in;
    std::vector<std::string> places;
    for (size_t i = 0; i < n / 20; ++i) places.push_back(g.Place());
    for (size_t i = 0; i < n; ++i) {
      hotline::text::HotspotAppeal a;
      a.id = i + 1;
      const char* problem = kProblems[g.rng() % std::size(kProblems)];
      const std::string& place = places[g.rng() % places.size()];
      a.title = place + problem;
      a.content = g.Appeal(place, problem);
      a.at = 1'700'000'000 + static_cast<std::int64_t>(g.rng() % (30 * 86400));
      a.place_key = std::to_string(1 + g.rng() % 17);
      a.caller = std::to_string(g.rng() % (n * 2));
      in.push_back(std::move(a));
    }
    return in;
  };
  double t10k = 0;
  for (size_t n : {size_t{100'000}, size_t{10'000}}) {
    auto in = make(n);
    auto t = Clock::now();
    auto hot = hotline::text::FindHotspots(in);
    const double s = Since(t);
    std::fprintf(stderr, "# %zu appeals: %zu hotspots, top count %d\n", n, hot.size(),
                 hot.empty() ? 0 : hot[0].count);
    if (!hot.empty())
      for (size_t k = 0; k < hot[0].members.size() && k < 4; ++k)
        std::fprintf(stderr, "#   top member: %s [street %s]\n",
                     in[hot[0].members[k]].title.c_str(), in[hot[0].members[k]].place_key.c_str());
    if (n == 100'000) {
      // Baseline: the previous method, single linkage at 0.35 (no cohesion check), same input.
      hotline::text::HotspotOptions single;
      single.min_similarity = 0.35;
      single.min_cohesion = 0;
      t = Clock::now();
      auto chained = hotline::text::FindHotspots(in, single);
      const double b = Since(t);
      std::fprintf(stderr, "# %zu appeals, single linkage: %zu hotspots, top count %d\n", n,
                   chained.size(), chained.empty() ? 0 : chained[0].count);
      std::printf(
          "bench: hotspots_100k_seconds value=%.2f unit=s baseline=hotspots_100k_single_linkage "
          "baseline_value=%.2f ratio=%.2f\n",
          s, b, b / s);
    } else {
      t10k = s;
      // Baseline: every pair's cosine over the same bigram sets (the work the inverted index
      // avoids), 10k appeals = 50M pairs; timed on 2,000 rows and scaled (rows are alike).
      std::vector<std::vector<std::uint64_t>> sets(in.size());
      for (size_t i = 0; i < in.size(); ++i) {
        std::string s2 = in[i].title + in[i].content;
        for (size_t b = 0; b + 6 <= s2.size(); b += 3)
          sets[i].push_back(std::hash<std::string>{}(s2.substr(b, 6)));
        std::sort(sets[i].begin(), sets[i].end());
        sets[i].erase(std::unique(sets[i].begin(), sets[i].end()), sets[i].end());
      }
      size_t linked = 0;
      const size_t rows = 2000;
      auto tb = Clock::now();
      for (size_t i = 0; i < rows; ++i)
        for (size_t j = i + 1; j < in.size(); ++j) {
          size_t common = 0, x = 0, y = 0;
          while (x < sets[i].size() && y < sets[j].size()) {
            if (sets[i][x] < sets[j][y])
              ++x;
            else if (sets[i][x] > sets[j][y])
              ++y;
            else {
              ++common;
              ++x;
              ++y;
            }
          }
          linked += common * 2 >= sets[i].size();
        }
      const double rows_done = static_cast<double>(rows) * (2.0 * in.size() - rows - 1) / 2;
      const double all_pairs = static_cast<double>(in.size()) * (in.size() - 1) / 2;
      const double brute = Since(tb) * all_pairs / rows_done;
      std::fprintf(stderr, "# all-pairs baseline: %zu links in the sampled rows\n", linked);
      std::printf(
          "bench: hotspots_10k_seconds value=%.3f unit=s baseline=hotspots_all_pairs_10k "
          "baseline_value=%.2f ratio=%.1f\n",
          t10k, brute, brute / t10k);
    }
  }
  return 0;
}
