#include "text/hotspot.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include "text/tokenize.h"
#include "text/utf8.h"

namespace hotline::text {
namespace {

std::string Encode(const std::vector<char32_t>& cps, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) AppendUtf8(out, cps[i]);
  return out;
}

bool IsHan(char32_t c) {
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) ||
         (c >= 0xf900 && c <= 0xfaff) || (c >= 0x20000 && c <= 0x2ffff);
}

std::u32string U32(std::string_view utf8) {
  std::vector<char32_t> v = DecodeUtf8(utf8);
  return std::u32string(v.begin(), v.end());
}

// ---- place names --------------------------------------------------------------------

const std::vector<std::u32string>& Suffixes() {
  static const std::vector<std::u32string> s = [] {
    std::vector<std::u32string> v;
    for (const char* x : {"幼儿园", "小区", "花园", "家园", "公寓", "大厦", "广场", "新城", "社区",
                          "大道",   "大街", "市场", "学院", "大学", "中学", "小学", "医院", "村",
                          "镇",     "路",   "街",   "苑",   "园",   "府",   "城"})
      v.push_back(U32(x));
    return v;  // longest first within a shared ending is enough: 幼儿园 before 园
  }();
  return s;
}

// Characters that cannot be inside a place name's prefix: the name starts after them. (外 is
// not one: it cut 绿地海外滩小区 to nothing.)
bool StopChar(char32_t c) {
  static const std::u32string stops = U32(
      "的在是了和与及到从对向把被给为于个这那我你他她们有省市区县号栋楼单元室层处附近旁边前后内"
      "至等请称该其都也又还很太多条所此各每其该即就要将来去住位楼门口段上下中间里不没被让着过离距");
  return stops.find(c) != std::u32string::npos;
}

// Lead-in words: the name starts after the last of them.
const std::vector<std::u32string>& LeadIns() {
  static const std::vector<std::u32string> v = [] {
    std::vector<std::u32string> out;
    for (const char* x :
         {"关于", "反映", "投诉", "举报", "咨询", "请问", "希望", "位于", "地处", "座落",
          "坐落", "我们", "本人", "业主", "居民", "市民", "建议", "要求", "请求", "恳请",
          "强烈", "解决", "整治", "治理", "问题", "情况", "严重", "影响", "导致", "附近",
          "周边", "旁边", "对面", "一直", "目前", "现在", "已经", "没有", "进行", "相关",
          "部门", "领导", "您好", "你好", "开展", "配套", "设置", "建设", "新建", "修建",
          "靠近", "紧邻", "紧挨", "临近", "地方", "专科"})
      out.push_back(U32(x));
    return out;
  }();
  return v;
}

bool Generic(const std::u32string& name) {
  static const std::unordered_set<std::u32string> g = [] {
    std::unordered_set<std::u32string> s;
    for (const char* x :
         {"马路",     "道路",     "公路",     "铁路",     "小路",     "出路",   "思路",
          "线路",     "网路",     "高速公路", "主干道路", "农村",     "乡村",   "城乡",
          "城镇",     "乡镇",     "公园",     "校园",     "家园",     "花园",   "园区",
          "社区",     "小区",     "城市",     "新城",     "商城",     "县城",   "全城",
          "进城",     "老城",     "城区",     "政府",     "市政府",   "区政府", "县政府",
          "镇政府",   "市场",     "大学",     "中学",     "小学",     "医院",   "学院",
          "幼儿园",   "广场",     "大厦",     "公寓",     "大街",     "大道",   "街道",
          "上街",     "沿街",     "临街",     "整个小区", "我们小区", "我们村", "我们镇",
          "本村",     "全村",     "该村",     "该小区",   "本小区",   "村",     "镇",
          "路",       "街",       "苑",       "园",       "府",       "城",     "菜市场",
          "农贸市场", "人民医院", "中心医院", "人民政府", "王府",     "一路",   "二路",
          "三路",     "公交路",   "过马路",   "门口路",   "机场",     "村组",   "水泥路",
          "土路",     "泥路",     "柏油路",   "人行道路", "乡镇府",   "省政府", "党政府",
          "国家政府", "村村",     "城管",     "物业小区"})
      s.insert(U32(x));
    return s;
  }();
  return g.count(name) > 0;
}

}  // namespace

std::vector<std::string> ExtractPlaceNames(std::string_view normalized) {
  const std::vector<char32_t> cps = DecodeUtf8(normalized);
  std::vector<std::string> out;
  std::vector<std::u32string> names;
  size_t last_start = 0, last_end = 0;  // the last accepted name, [start, end)
  bool have_last = false;
  for (size_t end = 1; end <= cps.size(); ++end) {
    for (const std::u32string& suf : Suffixes()) {
      if (end < suf.size()) continue;
      const size_t sb = end - suf.size();
      if (!std::equal(suf.begin(), suf.end(), cps.begin() + static_cast<std::ptrdiff_t>(sb)))
        continue;
      // 城市, 城区, 城管...: not a place name ending in 城.
      if (suf == U"城" && end < cps.size() &&
          std::u32string_view(U"市区管乡镇建中").find(cps[end]) != std::u32string_view::npos)
        continue;
      std::u32string name;
      if (have_last && sb == last_end && sb > last_start && !names.empty() && suf.size() >= 2) {
        // A suffix right after a name extends it: 魅力之城 + 小区, 丽发新城 + 小区.
        name.assign(cps.begin() + static_cast<std::ptrdiff_t>(last_start),
                    cps.begin() + static_cast<std::ptrdiff_t>(end));
      } else {
        // Prefix: up to 6 Han characters before the suffix, not reaching into the previous name,
        // stopped by a stop character, cut after the last lead-in word.
        size_t pb = sb;
        const size_t floor = have_last ? last_end : 0;
        while (pb > floor && sb - pb < 6) {
          char32_t c = cps[pb - 1];
          if (!IsHan(c) || StopChar(c)) break;
          --pb;
        }
        std::u32string prefix(cps.begin() + static_cast<std::ptrdiff_t>(pb),
                              cps.begin() + static_cast<std::ptrdiff_t>(sb));
        for (const std::u32string& lead : LeadIns()) {
          size_t at = prefix.rfind(lead);
          if (at != std::u32string::npos) prefix = prefix.substr(at + lead.size());
        }
        if (prefix.size() < 2 || Generic(prefix)) continue;
        name = prefix + suf;
        if (Generic(name) || name.ends_with(U"政府")) continue;
      }
      const bool extends =
          have_last && sb == last_end && sb > last_start && !names.empty() && suf.size() >= 2;
      if (extends) {
        names.back() = name;  // the extended name replaces the shorter one
      } else {
        names.push_back(name);
      }
      last_start = end - name.size();
      last_end = end;
      have_last = true;
      break;  // one suffix per end position
    }
  }
  std::unordered_set<std::u32string> seen;
  for (const std::u32string& n : names) {
    if (!seen.insert(n).second) continue;
    std::string utf8;
    for (char32_t c : n) AppendUtf8(utf8, c);
    out.push_back(utf8);
  }
  return out;
}

std::string ExtractDistrict(std::string_view normalized) {
  const std::vector<char32_t> cps = DecodeUtf8(normalized);
  for (size_t i = 0; i < cps.size(); ++i) {
    char32_t c = cps[i];
    if (c != U'区' && c != U'县') continue;
    // Anonymised: a Latin capital and digits, e.g. A5区, A7县 (not a "B区" inside a compound:
    // digits required).
    size_t b = i;
    while (b > 0 && cps[b - 1] >= '0' && cps[b - 1] <= '9') --b;
    if (b < i && b > 0 && cps[b - 1] >= 'A' && cps[b - 1] <= 'Z') return Encode(cps, b - 1, i + 1);
    // Real: 2-3 Han characters right after 市 or 省 (历城区 in 济南市历城区).
    for (size_t len = 2; len <= 3; ++len) {
      if (i < len + 1) continue;
      size_t s = i - len;
      bool han = true;
      for (size_t k = s; k < i; ++k) han = han && IsHan(cps[k]) && cps[k] != U'市';
      if (han && (cps[s - 1] == U'市' || cps[s - 1] == U'省')) return Encode(cps, s, i + 1);
    }
  }
  return {};
}

double HeatIndex(int count, int distinct_callers, std::int64_t support, double growth) {
  const double repeats = std::max(0, count - distinct_callers);
  const double g = std::clamp(growth, -1.0, 4.0);
  return 10.0 *
         (std::log2(1.0 + distinct_callers) + 0.5 * std::log2(1.0 + repeats) +
          0.25 * std::log2(1.0 + static_cast<double>(std::max<std::int64_t>(0, support)))) *
         (1.0 + 0.25 * g);
}

namespace {

using SparseVec = std::vector<std::pair<std::uint32_t, float>>;  // sorted by term

float Dot(const SparseVec& a, const SparseVec& b) {
  float s = 0;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i].first < b[j].first) {
      ++i;
    } else if (a[i].first > b[j].first) {
      ++j;
    } else {
      s += a[i].second * b[j].second;
      ++i;
      ++j;
    }
  }
  return s;
}

struct Dsu {
  std::vector<size_t> parent;
  explicit Dsu(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  size_t Find(size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void Union(size_t a, size_t b) {
    a = Find(a);
    b = Find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
};

std::uint64_t BigramKey(char32_t a, char32_t b) {
  return (static_cast<std::uint64_t>(a) << 21) | static_cast<std::uint64_t>(b);
}

// Han bigrams of a text, added to `tf` with `weight`.
void AddBigrams(std::string_view text, float weight, std::unordered_map<std::uint64_t, float>* tf) {
  const std::vector<char32_t> cps = DecodeUtf8(text);
  for (size_t i = 0; i + 1 < cps.size(); ++i)
    if (IsHan(cps[i]) && IsHan(cps[i + 1])) (*tf)[BigramKey(cps[i], cps[i + 1])] += weight;
}

bool StopWord(const std::string& w) {
  static const std::unordered_set<std::string> s = {
      "关于", "问题",   "反映", "希望", "我们", "没有", "进行", "领导", "你好", "您好", "请问",
      "咨询", "投诉",   "举报", "建议", "要求", "现在", "已经", "一个", "这个", "什么", "怎么",
      "如何", "为什么", "是否", "可以", "能否", "相关", "部门", "情况", "解决", "严重", "市民",
      "居民", "业主",   "请求", "恳请", "尽快", "处理", "存在", "政府", "市长", "书记", "谢谢",
      "非常", "不能",   "不是", "他们", "自己", "这样", "时候", "目前", "一直", "还是", "但是",
      "因为", "所以",   "如果", "由于", "以及", "或者", "并且", "而且", "以上", "以下", "左右",
      "小区", "我们",   "每天", "本人", "有关", "反应", "多次", "影响"};
  return s.count(w) > 0;
}

// The part of a place name that identifies a compound: 万科魅力之城小区 -> 万科魅力之城.
// Roads, villages and towns are left out ("" = not a compound): two appeals on one long road
// are not necessarily about one thing, and neighbours name different roads for one compound.
std::string PlaceCore(const std::string& name) {
  std::u32string n = U32(name);
  for (const char* suffix : {"小区", "社区"}) {
    std::u32string s = U32(suffix);
    if (n.size() > s.size() + 1 && n.compare(n.size() - s.size(), s.size(), s) == 0) {
      n.resize(n.size() - s.size());
      break;
    }
  }
  for (const char* road : {"路", "街", "大道", "大街", "村", "镇"}) {
    std::u32string r = U32(road);
    if (n.size() >= r.size() && n.compare(n.size() - r.size(), r.size(), r) == 0) return {};
  }
  std::string out;
  for (char32_t c : n) AppendUtf8(out, c);
  return out;
}

// One compound name ends with the other (万科魅力之城 / 魅力之城).
bool SamePlace(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return false;
  const std::string& longer = a.size() >= b.size() ? a : b;
  const std::string& shorter = a.size() >= b.size() ? b : a;
  return longer.compare(longer.size() - shorter.size(), shorter.size(), shorter) == 0;
}

}  // namespace

std::vector<Hotspot> FindHotspots(const std::vector<HotspotAppeal>& appeals,
                                  const HotspotOptions& opt) {
  const size_t n = appeals.size();
  if (n == 0) return {};

  // 1. TF-IDF vectors over Han bigrams (title counts twice), sublinear tf, L2-normalised.
  std::unordered_map<std::uint64_t, std::uint32_t> term_ids;
  std::vector<std::uint32_t> df;
  std::vector<std::vector<std::pair<std::uint32_t, float>>> raw(n);
  std::vector<std::vector<std::string>> places(n);
  std::vector<std::vector<std::string>> cores(n);  // compounds only, 小区/社区 dropped
  for (size_t i = 0; i < n; ++i) {
    std::unordered_map<std::uint64_t, float> tf;
    AddBigrams(appeals[i].title, 2.0f, &tf);
    AddBigrams(appeals[i].content, 1.0f, &tf);
    raw[i].reserve(tf.size());
    for (const auto& [key, count] : tf) {
      auto [it, added] = term_ids.emplace(key, static_cast<std::uint32_t>(df.size()));
      if (added) df.push_back(0);
      ++df[it->second];
      raw[i].push_back({it->second, count});
    }
    places[i] = ExtractPlaceNames(appeals[i].title + " " + appeals[i].content);
    for (const std::string& p : places[i])
      if (std::string core = PlaceCore(p); !core.empty()) cores[i].push_back(core);
  }
  std::vector<float> idf(df.size());
  for (size_t t = 0; t < df.size(); ++t)
    idf[t] = static_cast<float>(std::log((1.0 + n) / (1.0 + df[t])) + 1.0);
  std::vector<SparseVec> vec(n);
  for (size_t i = 0; i < n; ++i) {
    SparseVec& v = vec[i];
    v = std::move(raw[i]);
    double norm = 0;
    for (auto& [t, w] : v) {
      w = (1.0f + std::log(w)) * idf[t];
      norm += static_cast<double>(w) * w;
    }
    norm = std::sqrt(norm);
    for (auto& [t, w] : v) w = norm > 0 ? static_cast<float>(w / norm) : 0.0f;
    std::sort(v.begin(), v.end());
  }

  // 2. Candidates: appeals sharing at least two of their top-weighted bigrams. Bigrams found in
  // one appeal only cannot link anything; those in more than max(50, 2% of appeals) are too
  // common to be a topic.
  constexpr size_t kTop = 12;
  const std::uint32_t max_df = static_cast<std::uint32_t>(std::max<size_t>(50, n / 50));
  std::vector<std::vector<std::uint32_t>> top(n);
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> postings;
  for (size_t i = 0; i < n; ++i) {
    std::vector<std::pair<float, std::uint32_t>> cand;
    for (const auto& [t, w] : vec[i])
      if (df[t] >= 2 && df[t] <= max_df) cand.push_back({w, t});
    const size_t k = std::min(kTop, cand.size());
    std::partial_sort(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(k), cand.end(),
                      [](const auto& a, const auto& b) {
                        return a.first != b.first ? a.first > b.first : a.second < b.second;
                      });
    for (size_t r = 0; r < k; ++r) {
      top[i].push_back(cand[r].second);
      postings[cand[r].second].push_back(static_cast<std::uint32_t>(i));
    }
  }

  // 3. Links: candidate pairs that are similar enough, close enough in time and not in
  // contradicting places.
  struct Link {
    float sim;
    std::uint32_t a, b;
    bool same_place;
    bool other_place;  // both name compounds, none in common
  };
  std::vector<Link> links;
  std::vector<std::uint16_t> shared(n, 0);
  std::vector<std::uint32_t> touched;
  for (size_t i = 0; i < n; ++i) {
    touched.clear();
    for (std::uint32_t t : top[i])
      for (std::uint32_t j : postings[t]) {
        if (j <= i) continue;
        if (shared[j]++ == 0) touched.push_back(j);
      }
    for (std::uint32_t j : touched) {
      const bool enough = shared[j] >= 2;
      shared[j] = 0;
      if (!enough) continue;
      const HotspotAppeal& a = appeals[i];
      const HotspotAppeal& b = appeals[j];
      if (std::llabs(a.at - b.at) > opt.link_window_seconds) continue;
      if (!a.place_key.empty() && !b.place_key.empty() && a.place_key != b.place_key) continue;
      double sim = Dot(vec[i], vec[j]);
      // Named places: the same one earns a bonus; two appeals that both name places but no
      // common one are about different places unless nearly identical (重复投诉 of one text).
      bool same_place = false;
      for (const std::string& p : cores[i])
        for (const std::string& q : cores[j]) same_place = same_place || SamePlace(p, q);
      if (same_place) sim += opt.place_bonus;
      if (!same_place && !cores[i].empty() && !cores[j].empty() &&
          sim < opt.distinct_place_similarity)
        continue;
      if (sim < opt.min_similarity) continue;
      links.push_back({static_cast<float>(sim), static_cast<std::uint32_t>(i), j, same_place,
                       !same_place && !cores[i].empty() && !cores[j].empty()});
    }
  }
  // Strongest links first, so that each appeal joins its closest group before weaker links
  // are considered (single linkage does not depend on the order; the cohesion check does).
  std::sort(links.begin(), links.end(), [](const Link& x, const Link& y) {
    if (x.sim != y.sim) return x.sim > y.sim;
    return x.a != y.a ? x.a < y.a : x.b < y.b;
  });

  // 4. Merge along the links, strongest first. A cluster has one place: appeals without a key
  // may join it, but never bridge two clusters with different keys. With min_cohesion > 0 two
  // clusters merge only when the cosine of their summed (centroid) vectors reaches it: a link
  // A~B does not pull B's cluster into A's unless the clusters as wholes are alike, so a chain
  // A~B~C with A unlike C stops. The sums are kept per cluster (the smaller merged into the
  // larger), so each check costs the smaller cluster's distinct bigrams.
  Dsu dsu(n);
  std::vector<std::string> cluster_key(n);  // per root: the cluster's place key
  for (size_t i = 0; i < n; ++i) cluster_key[i] = appeals[i].place_key;
  const bool cohesion = opt.min_cohesion > 0;
  std::vector<std::unordered_map<std::uint32_t, float>> sum;  // per root: sum of member vectors
  std::vector<std::uint32_t> csize(n, 1);
  std::vector<double> norm2(n, 1.0);  // per root: |sum|^2
  if (cohesion) {
    sum.resize(n);
    for (size_t i = 0; i < n; ++i)
      for (const auto& [t, wt] : vec[i]) sum[i].emplace(t, wt);
  }
  // Cluster pairs found not cohesive enough: their sizes then and their centroid cosine, reused
  // while neither has grown (many links can join the same two clusters).
  std::unordered_map<std::uint64_t, std::pair<std::uint64_t, double>> refused;
  auto cross = [&](size_t x, size_t y) {
    const auto& small = sum[x].size() <= sum[y].size() ? sum[x] : sum[y];
    const auto& large = sum[x].size() <= sum[y].size() ? sum[y] : sum[x];
    double s = 0;
    for (const auto& [t, wt] : small)
      if (auto it = large.find(t); it != large.end()) s += static_cast<double>(wt) * it->second;
    return s;
  };
  for (const Link& l : links) {
    const size_t ri = dsu.Find(l.a), rj = dsu.Find(l.b);
    if (ri == rj) continue;
    const std::string& ki = cluster_key[ri];
    const std::string& kj = cluster_key[rj];
    if (!ki.empty() && !kj.empty() && ki != kj) continue;
    double c = 0;
    if (cohesion) {
      const std::uint64_t pair = (static_cast<std::uint64_t>(std::min(ri, rj)) << 32) |
                                 static_cast<std::uint64_t>(std::max(ri, rj));
      const std::uint64_t sizes = (static_cast<std::uint64_t>(csize[std::min(ri, rj)]) << 32) |
                                  static_cast<std::uint64_t>(csize[std::max(ri, rj)]);
      const double norms = std::sqrt(norm2[ri] * norm2[rj]);
      auto it = refused.find(pair);
      const bool known = it != refused.end() && it->second.first == sizes;
      c = known ? it->second.second * norms : cross(ri, rj);
      const double cosine = c / norms;
      // Cosine of the two clusters' summed vectors, plus the place bonus when the link's two
      // appeals name the same compound, minus it when both name compounds but none in common
      // (a template text reused for another compound: 魅力之城 posts copying a 润芳园 one).
      const double bonus = l.same_place ? opt.place_bonus : l.other_place ? -opt.place_bonus : 0.0;
      if (cosine + bonus < opt.min_cohesion) {
        refused[pair] = {sizes, cosine};
        continue;
      }
    }
    const std::string merged = ki.empty() ? kj : ki;
    dsu.Union(ri, rj);
    const size_t root = dsu.Find(ri), other = root == ri ? rj : ri;
    cluster_key[root] = merged;
    csize[root] += csize[other];
    if (cohesion) {
      norm2[root] = norm2[ri] + norm2[rj] + 2 * c;
      // Merge the smaller map into the larger one and keep it at the root.
      if (sum[root].size() < sum[other].size()) std::swap(sum[root], sum[other]);
      for (const auto& [t, wt] : sum[other]) sum[root][t] += wt;
      sum[other] = {};
    }
  }

  // 5. Clusters -> hotspots.
  std::unordered_map<size_t, std::vector<size_t>> groups;
  for (size_t i = 0; i < n; ++i) groups[dsu.Find(i)].push_back(i);
  std::int64_t end = opt.range_end;
  if (end == 0) {
    for (const HotspotAppeal& a : appeals) end = std::max(end, a.at + 1);
  }
  const std::int64_t w = std::max<std::int64_t>(1, opt.growth_window_seconds);
  std::vector<Hotspot> out;
  for (auto& [root, members] : groups) {
    if (static_cast<int>(members.size()) < std::max(1, opt.min_count)) continue;
    Hotspot h;
    std::sort(members.begin(), members.end(), [&](size_t x, size_t y) {
      return appeals[x].at != appeals[y].at ? appeals[x].at < appeals[y].at : x < y;
    });
    h.members = members;
    h.count = static_cast<int>(members.size());
    h.first_at = appeals[members.front()].at;
    h.last_at = appeals[members.back()].at;
    std::unordered_set<std::string> callers;
    int anonymous = 0;
    std::unordered_map<std::string, int> place_votes, key_votes;
    for (size_t m : members) {
      const HotspotAppeal& a = appeals[m];
      if (a.caller.empty()) {
        ++anonymous;
      } else {
        callers.insert(a.caller);
      }
      h.support += std::max<std::int64_t>(0, a.support);
      if (a.at >= end - w && a.at < end) ++h.recent;
      if (a.at >= end - 2 * w && a.at < end - w) ++h.previous;
      for (const std::string& p : places[m]) ++place_votes[p];
      if (!a.place_key.empty()) ++key_votes[a.place_key];
    }
    h.distinct_callers = static_cast<int>(callers.size()) + anonymous;
    h.growth = static_cast<double>(h.recent - h.previous) / std::max(1, h.previous);
    h.heat = HeatIndex(h.count, h.distinct_callers, h.support, h.growth);
    auto best = [](const std::unordered_map<std::string, int>& votes) {
      std::string name;
      int n_best = 0;
      for (const auto& [k, v] : votes)
        if (v > n_best || (v == n_best && k < name)) {
          name = k;
          n_best = v;
        }
      return name;
    };
    h.place_name = best(place_votes);
    h.place_key = best(key_votes);
    out.push_back(std::move(h));
  }
  std::sort(out.begin(), out.end(), [](const Hotspot& a, const Hotspot& b) {
    if (a.heat != b.heat) return a.heat > b.heat;
    if (a.count != b.count) return a.count > b.count;
    if (a.last_at != b.last_at) return a.last_at > b.last_at;
    return a.members.front() < b.members.front();
  });
  if (out.size() > opt.max_hotspots) out.resize(opt.max_hotspots);

  // 6. Representative (closest to the centroid) and keywords, for the hotspots returned only.
  for (Hotspot& h : out) {
    std::unordered_map<std::uint32_t, float> centroid;
    for (size_t m : h.members)
      for (const auto& [t, wt] : vec[m]) centroid[t] += wt;
    float best = -1;
    for (size_t m : h.members) {
      float s = 0;
      for (const auto& [t, wt] : vec[m]) s += wt * centroid[t];
      if (s > best) {
        best = s;
        h.representative = m;
      }
    }
    h.title = appeals[h.representative].title;
    // Keywords: dictionary words (2+ Han characters) of the members' texts, scored by the
    // number of members using them times their rarity outside the cluster.
    std::unordered_map<std::string, int> members_with;
    TokenizeOptions words_only;
    words_only.cjk_bigrams = false;
    size_t used = 0;
    for (size_t m : h.members) {
      if (++used > 50) break;
      std::unordered_set<std::string> mine;
      // The title and the start of the content (up to ~120 characters).
      std::string_view content = appeals[m].content;
      size_t cut = std::min<size_t>(content.size(), 360);
      while (cut < content.size() && (static_cast<unsigned char>(content[cut]) & 0xc0) == 0x80)
        ++cut;
      const std::string words = appeals[m].title + " " + std::string(content.substr(0, cut));
      // ICU's dictionary splits many appeal words into single characters (油|烟, 扰|民):
      // a run of adjacent single-character Han tokens is glued back into one candidate.
      std::string glued;
      size_t cursor = 0, glued_end = std::string::npos;
      auto flush = [&] {
        const size_t chars = DecodeUtf8(glued).size();
        if (chars >= 2 && chars <= 4 && !StopWord(glued)) mine.insert(glued);
        glued.clear();
      };
      for (const std::string& tok : Tokenize(words, words_only)) {
        const size_t at = words.find(tok, cursor);
        if (at != std::string::npos) cursor = at + tok.size();
        std::vector<char32_t> cps = DecodeUtf8(tok);
        const bool han = !cps.empty() && std::all_of(cps.begin(), cps.end(), IsHan);
        if (han && cps.size() == 1 && at != std::string::npos && !StopChar(cps[0])) {
          if (!glued.empty() && at != glued_end) flush();
          glued += tok;
          glued_end = cursor;
          continue;
        }
        flush();
        if (cps.size() < 2 || !han || StopWord(tok)) continue;
        mine.insert(tok);
      }
      flush();
      for (const std::string& tok : mine) ++members_with[tok];
    }
    std::vector<std::pair<double, std::string>> scored;
    for (const auto& [word, k] : members_with) {
      // Rarity outside the cluster: appeals containing the word's rarest bigram, minus the
      // members that use the word.
      std::vector<char32_t> cps = DecodeUtf8(word);
      std::uint32_t word_df = UINT32_MAX;
      for (size_t i = 0; i + 1 < cps.size(); ++i) {
        auto it = term_ids.find(BigramKey(cps[i], cps[i + 1]));
        word_df = std::min(word_df, it == term_ids.end() ? 0u : df[it->second]);
      }
      const double outside = std::max(0.0, static_cast<double>(word_df) - k);
      const double rarity = std::log((1.0 + n) / (1.0 + outside)) + 1.0;
      scored.push_back({k * rarity, word});
    }
    std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (size_t i = 0; i < scored.size() && static_cast<int>(i) < opt.keywords; ++i)
      h.keywords.push_back(scored[i].second);
  }
  return out;
}

}  // namespace hotline::text
