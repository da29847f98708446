#include "geo/gazetteer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "domain/codes.h"

namespace hotline::geo {
namespace {

// Traditional -> simplified for characters common in place names and
// addresses, as (traditional, simplified) pairs.
constexpr std::string_view kTradSimp =
    "樓楼區区東东號号門门園园莊庄陽阳綠绿興兴龍龙閣阁灣湾鎮镇歷历曆历濟济車车場场廠厂醫医學学"
    "橋桥鳳凤雲云進进豐丰萬万裏里裡里築筑棟栋單单層层電电廣广聖圣開开發发嶺岭崗岗澗涧溝沟"
    "劉刘張张陳陈楊杨趙赵黃黄吳吴孫孙鄭郑馬马蘇苏邊边後后會会員员紅红藍蓝線线綫线鐵铁設设"
    "區区縣县務务辦办處处濼泺齊齐魯鲁華华國国際际貿贸團团蘭兰嶽岳鄉乡礦矿倉仓儲储農农業业"
    "機机關关麗丽鑫鑫匯汇館馆書书樂乐讓让禮礼護护舊旧實实寶宝灣湾愛爱遠远運运達达過过達达"
    "衛卫圖图環环線线勝胜陸陆隊队錦锦鋼钢銀银鍋锅鐘钟長长門门間间陰阴險险雙双離离雞鸡頭头"
    "額额風风飛飞館馆體体點点黨党齒齿龜龟亞亚倫伦偉伟價价儀仪優优兒儿兩两冊册凈净則则劇剧"
    "動动勞劳勢势匯汇協协廳厅縣县參参號号嚴严園园圍围塊块壓压壩坝壽寿夢梦夾夹奪夺嬌娇學学"
    "寧宁審审寫写專专將将對对屆届屬属岡冈島岛峽峡幣币幫帮廟庙廚厨彎弯徑径從从復复濱滨潤润"
    "漢汉滬沪灣湾熱热燈灯營营獅狮環环產产畝亩畢毕療疗監监盤盘碼码礎础祿禄稅税窯窑競竞筆笔"
    "節节範范糧粮紀纪紙纸組组結结絲丝經经綜综網网緣缘練练縱纵總总織织繡绣續续羅罗義义習习"
    "聯联職职腦脑臺台艦舰藝艺藥药蘆芦號号蟲虫補补裝装見见規规視视親亲訂订記记評评詩诗誠诚"
    "説说請请諾诺謝谢證证譽誉貝贝財财貨货質质賓宾購购趕赶軍军軒轩輝辉輪轮轉转辦办遼辽選选"
    "郵邮鄰邻醬酱釣钓鈴铃銅铜鋪铺錢钱鍾钟鎖锁鏡镜閃闪閱阅闊阔隱隐雜杂靈灵韓韩順顺預预領领"
    "題题顏颜類类飯饭養养馬马駐驻驛驿騰腾驗验鬆松魚鱼鳥鸟鴻鸿鵬鹏鶴鹤鹽盐麥麦";

constexpr std::u32string_view kSuffixes[] = {
    U"街道办事处", U"社区居民委员会", U"居民委员会", U"村民委员会", U"办事处", U"街道", U"居委会",
    U"村委会",     U"社区",           U"小区",       U"镇",         U"乡",     U"村"};

std::u32string Decode(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char32_t cp;
    int n;
    if (c < 0x80)
      cp = c, n = 1;
    else if ((c >> 5) == 6)
      cp = c & 0x1F, n = 2;
    else if ((c >> 4) == 14)
      cp = c & 0x0F, n = 3;
    else if ((c >> 3) == 30)
      cp = c & 0x07, n = 4;
    else {
      ++i;
      continue;
    }  // stray byte: skip
    if (i + n > s.size()) break;
    for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

std::string Encode(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

const std::unordered_map<char32_t, char32_t>& TradMap() {
  static const auto* m = [] {
    auto* m = new std::unordered_map<char32_t, char32_t>;
    std::u32string pairs = Decode(kTradSimp);
    for (size_t i = 0; i + 1 < pairs.size(); i += 2) m->emplace(pairs[i], pairs[i + 1]);
    return m;
  }();
  return *m;
}

std::u32string Normalize(std::string_view text) {
  const auto& trad = TradMap();
  std::u32string out;
  for (char32_t c : Decode(text)) {
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(c);
      continue;  // spaces, punctuation
    }
    if ((c >= 0x3000 && c <= 0x303F) || (c >= 0xFE30 && c <= 0xFE4F) || c == 0x00B7 ||
        (c >= 0x2000 && c <= 0x206F))
      continue;  // CJK and general punctuation
    if (auto it = trad.find(c); it != trad.end()) c = it->second;
    out.push_back(c);
  }
  return out;
}

bool EndsWith(std::u32string_view s, std::u32string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

int Levenshtein(std::u32string_view a, std::u32string_view b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

int Level(EntryKind k) {
  switch (k) {
    case EntryKind::kStreet:
      return 0;
    case EntryKind::kCommunity:
      return 1;
    case EntryKind::kGrid:
      return 2;
    case EntryKind::kCompound:
      return 3;
    case EntryKind::kLandmark:
      return 3;
    case EntryKind::kBuilding:
      return 4;
  }
  return 0;
}

// a is a place that contains e (by codes).
bool IsAncestor(const GazetteerEntry& a, const GazetteerEntry& e) {
  if (&a == &e || Level(a.kind) >= Level(e.kind)) return false;
  switch (a.kind) {
    case EntryKind::kStreet:
      return a.street_code == e.street_code;
    case EntryKind::kCommunity:
      return a.community_code == e.community_code;
    case EntryKind::kGrid:
      return !e.grid_code.empty() && a.grid_code == e.grid_code;
    case EntryKind::kCompound:
      return e.kind == EntryKind::kBuilding && a.community_code == e.community_code;
    default:
      return false;
  }
}

struct Hit {
  std::uint32_t entry;
  float quality;
};
struct Key {
  std::u32string text;
  std::vector<Hit> hits;
};
struct Match {
  std::uint32_t entry;
  double strength;
  size_t begin, len;
  bool fuzzy;
};

const struct {
  EntryKind kind;
  const char* name;
  const char* zh;
} kEntryKinds[] = {
    {EntryKind::kStreet, "street", "街道"},     {EntryKind::kCommunity, "community", "社区"},
    {EntryKind::kGrid, "grid", "网格"},         {EntryKind::kCompound, "compound", "小区"},
    {EntryKind::kBuilding, "building", "楼栋"}, {EntryKind::kLandmark, "landmark", "地标"}};

constexpr const char* kCsvHeaderText =
    "name,kind,aliases,street_code,community_code,grid_code,lon,lat";

std::vector<std::string> CheckEntry(const GazetteerEntry& e) {
  std::vector<std::string> errs;
  if (e.name.empty() || Normalize(e.name).empty()) errs.push_back("name: missing or empty");
  if (Status st = ValidateUnitCode(UnitKind::kStreet, e.street_code); !st.ok())
    errs.push_back("street_code: " + st.message());
  bool needs_community = e.kind != EntryKind::kStreet;
  if (e.kind == EntryKind::kStreet && (!e.community_code.empty() || !e.grid_code.empty()))
    errs.push_back("community_code: a street entry has no community or grid code");
  if (needs_community && e.community_code.empty() && e.kind == EntryKind::kCommunity)
    errs.push_back("community_code: required for a community");
  if (!e.community_code.empty())
    if (Status st = ValidateNesting(UnitKind::kCommunity, e.community_code, UnitKind::kStreet,
                                    e.street_code);
        !st.ok())
      errs.push_back("community_code: " + st.message());
  if (e.kind == EntryKind::kGrid && e.grid_code.empty())
    errs.push_back("grid_code: required for a grid");
  if (!e.grid_code.empty()) {
    if (e.community_code.empty())
      errs.push_back("grid_code: needs the community_code it extends");
    else if (Status st = ValidateNesting(UnitKind::kGrid, e.grid_code, UnitKind::kCommunity,
                                         e.community_code);
             !st.ok())
      errs.push_back("grid_code: " + st.message());
  }
  if (e.location && (e.location->lon < -180 || e.location->lon > 180))
    errs.push_back("lon: out of range -180..180");
  if (e.location && (e.location->lat < -90 || e.location->lat > 90))
    errs.push_back("lat: out of range -90..90");
  return errs;
}

// RFC 4180-ish: quoted fields with "" escapes, CR LF or LF line ends.
std::vector<std::vector<std::string>> ParseCsv(std::string_view s) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"')
        field += '"', ++i;
      else if (c == '"')
        quoted = false;
      else
        field += c;
    } else if (c == '"') {
      quoted = true, any = true;
    } else if (c == ',') {
      row.push_back(std::move(field)), field.clear(), any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      if (any || !field.empty()) row.push_back(std::move(field));
      rows.push_back(std::move(row));
      row.clear(), field.clear(), any = false;
    } else {
      field += c, any = true;
    }
  }
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string Trim(std::string s) {
  auto b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

std::optional<EntryKind> ParseEntryKind(std::string_view name) {
  for (const auto& k : kEntryKinds)
    if (name == k.name || name == k.zh) return k.kind;
  return std::nullopt;
}

std::string_view EntryKindName(EntryKind kind) {
  for (const auto& k : kEntryKinds)
    if (k.kind == kind) return k.name;
  return "?";
}

std::string NormalizePlaceText(std::string_view text) { return Encode(Normalize(text)); }

struct Gazetteer::Impl {
  std::deque<GazetteerEntry> entries;  // deque: candidates point into it
  std::vector<Key> keys;
  std::unordered_map<std::u32string, std::uint32_t> exact;              // key text -> key
  std::unordered_map<std::u32string, std::vector<std::uint32_t>> dels;  // key minus 1 char -> keys
  size_t max_len = 0;

  void Index(std::u32string text, std::uint32_t entry, float quality) {
    if (text.size() < 2) return;
    auto [it, inserted] = exact.emplace(text, static_cast<std::uint32_t>(keys.size()));
    if (inserted) {
      keys.push_back({text, {}});
      max_len = std::max(max_len, text.size());
      if (text.size() >= 3)
        for (size_t j = 0; j < text.size(); ++j) {
          std::u32string d = text;
          d.erase(j, 1);
          auto& v = dels[d];
          if (v.empty() || v.back() != it->second) v.push_back(it->second);
        }
    }
    auto& hits = keys[it->second].hits;
    for (Hit& h : hits)
      if (h.entry == entry) {
        h.quality = std::max(h.quality, quality);
        return;
      }
    hits.push_back({entry, quality});
  }

  void IndexName(const std::string& name, std::uint32_t entry, float quality) {
    std::u32string n = Normalize(name);
    Index(n, entry, quality);
    // Drop administrative suffixes, repeatedly: 甸柳社区居民委员会 -> 甸柳社区 -> 甸柳.
    for (bool more = true; more;) {
      more = false;
      for (std::u32string_view suf : kSuffixes)
        if (EndsWith(n, suf) && n.size() - suf.size() >= 2) {
          n.resize(n.size() - suf.size());
          Index(n, entry, quality * 0.9f);
          more = true;
          break;
        }
    }
  }

  void AddChecked(GazetteerEntry e) {
    auto id = static_cast<std::uint32_t>(entries.size());
    entries.push_back(std::move(e));
    const GazetteerEntry& x = entries.back();
    IndexName(x.name, id, 1.0f);
    for (const std::string& a : x.aliases) IndexName(a, id, 0.95f);
  }

  static double Strength(float quality, size_t len) {
    return quality * (0.55 + 0.45 * static_cast<double>(std::min<size_t>(len, 5)) / 5.0);
  }

  void Lookup(const std::u32string& t, std::vector<Match>& out) const {
    size_t n = t.size();
    std::vector<bool> covered(n, false);
    for (size_t i = 0; i < n; ++i)
      for (size_t len = 2; len <= std::min(max_len, n - i); ++len) {
        auto it = exact.find(t.substr(i, len));
        if (it == exact.end()) continue;
        for (const Hit& h : keys[it->second].hits)
          out.push_back({h.entry, Strength(h.quality, len), i, len, false});
        for (size_t k = i; k < i + len; ++k) covered[k] = true;
      }
    // One typo, where no exact name covers the text.
    std::vector<std::uint32_t> cand;
    for (size_t i = 0; i < n; ++i)
      for (size_t len = 3; len <= std::min({max_len + 1, n - i, size_t{10}}); ++len) {
        bool all = true;
        for (size_t k = i; k < i + len && all; ++k) all = covered[k];
        if (all) continue;
        std::u32string s = t.substr(i, len);
        cand.clear();
        if (auto it = dels.find(s); it != dels.end())  // the caller dropped a character
          cand.insert(cand.end(), it->second.begin(), it->second.end());
        for (size_t j = 0; j < len; ++j) {
          std::u32string d = s;
          d.erase(j, 1);
          if (d.size() >= 3)
            if (auto it = exact.find(d); it != exact.end()) cand.push_back(it->second);  // extra
          if (auto it = dels.find(d); it != dels.end())  // a wrong character
            cand.insert(cand.end(), it->second.begin(), it->second.end());
        }
        std::sort(cand.begin(), cand.end());
        cand.erase(std::unique(cand.begin(), cand.end()), cand.end());
        // A house number is not a typo of a name: "甸柳8号" must not match "甸柳新村".
        auto digits = [](const std::u32string& x) {
          return std::count_if(x.begin(), x.end(), [](char32_t c) { return c >= '0' && c <= '9'; });
        };
        const auto span_digits = digits(s);
        for (std::uint32_t k : cand) {
          const Key& key = keys[k];
          if (key.text.size() < 3 || Levenshtein(s, key.text) != 1) continue;
          if (span_digits > digits(key.text)) continue;
          for (const Hit& h : key.hits)
            out.push_back({h.entry, Strength(h.quality, len) * 0.75, i, len, true});
        }
      }
  }
};

Gazetteer::Gazetteer() : impl_(std::make_unique<Impl>()) {}
Gazetteer::~Gazetteer() = default;
Gazetteer::Gazetteer(Gazetteer&&) noexcept = default;
Gazetteer& Gazetteer::operator=(Gazetteer&&) noexcept = default;

size_t Gazetteer::size() const { return impl_->entries.size(); }
const GazetteerEntry& Gazetteer::entry(size_t i) const { return impl_->entries[i]; }

Status Gazetteer::Add(GazetteerEntry entry) {
  std::vector<std::string> errs = CheckEntry(entry);
  if (!errs.empty()) {
    std::string msg = "gazetteer entry '" + entry.name + "': " + errs[0];
    for (size_t i = 1; i < errs.size(); ++i) msg += "; " + errs[i];
    return Invalid("entry", msg);
  }
  impl_->AddChecked(std::move(entry));
  return Status::Ok();
}

Status Gazetteer::AddDivisions(std::span<const Unit> units, const PlaceSet* shapes) {
  std::vector<GazetteerEntry> add;
  for (const Unit& u : units) {
    GazetteerEntry e;
    e.name = u.name;
    if (u.kind == UnitKind::kStreet) {
      e.kind = EntryKind::kStreet;
    } else if (u.kind == UnitKind::kCommunity) {
      e.kind = EntryKind::kCommunity;
      e.community_code = u.code;
    } else if (u.kind == UnitKind::kGrid) {
      e.kind = EntryKind::kGrid;
      e.community_code = u.code.substr(0, 12);
      e.grid_code = u.code;
    } else {
      continue;
    }
    e.street_code = u.code.substr(0, 9);
    if (shapes)
      if (const Place* p = shapes->Find(u.code)) {
        Point c;
        bg::centroid(p->shape, c);
        e.location = LonLat{c.x(), c.y()};
      }
    if (std::vector<std::string> errs = CheckEntry(e); !errs.empty())
      return Invalid("units", "unit " + u.code + " (" + u.name + "): " + errs[0]);
    add.push_back(std::move(e));
  }
  for (GazetteerEntry& e : add) impl_->AddChecked(std::move(e));
  return Status::Ok();
}

Status Gazetteer::ImportCsv(std::string_view csv) {
  std::vector<GazetteerRowError> errors;
  std::vector<GazetteerEntry> add = ParseGazetteerCsv(csv, &errors);
  if (!errors.empty()) {
    if (errors.front().line <= 1) return Invalid("csv", errors.front().ToString());
    std::string problems;
    std::set<int> lines;
    for (const GazetteerRowError& e : errors) {
      lines.insert(e.line);
      problems += "\n" + e.ToString();
    }
    return Invalid("csv",
                   std::to_string(lines.size()) + " bad row(s); nothing imported" + problems);
  }
  for (GazetteerEntry& e : add) impl_->AddChecked(std::move(e));
  return Status::Ok();
}

Status Gazetteer::AddAll(std::vector<GazetteerEntry> entries) {
  for (const GazetteerEntry& e : entries)
    if (std::vector<std::string> errs = CheckEntry(e); !errs.empty())
      return Invalid("entry", "gazetteer entry '" + e.name + "': " + errs.front());
  for (GazetteerEntry& e : entries) impl_->AddChecked(std::move(e));
  return Status::Ok();
}

std::string GazetteerRowError::ToString() const {
  if (line <= 1 && field == "csv") return "line " + std::to_string(line) + ": " + message;
  return "line " + std::to_string(line) + " (" + name + "): " + field + ": " + message;
}

namespace {
const char* const kCsvHeader[] = {"name",           "kind",      "aliases", "street_code",
                                  "community_code", "grid_code", "lon",     "lat"};

std::optional<double> ParseDouble(const std::string& s) {
  double v = NAN;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}
}  // namespace

std::vector<GazetteerEntry> ParseGazetteerCsv(std::string_view csv,
                                              std::vector<GazetteerRowError>* errors,
                                              std::vector<int>* lines) {
  std::vector<GazetteerRowError> found;
  std::vector<GazetteerEntry> out;
  std::vector<int> at;
  auto rows = ParseCsv(csv);
  if (rows.empty()) {
    found.push_back({1, "", "csv", "empty; expected the header " + std::string(kCsvHeaderText)});
  } else {
    std::map<std::string, size_t> col;
    for (size_t i = 0; i < rows[0].size(); ++i) col[Trim(rows[0][i])] = i;
    std::string missing;
    for (const char* h : kCsvHeader)
      if (!col.count(h)) missing += (missing.empty() ? "" : ", ") + std::string(h);
    if (!missing.empty())
      found.push_back(
          {1, "", "csv", "header lacks " + missing + " (expected " + kCsvHeaderText + ")"});
    for (size_t r = 1; missing.empty() && r < rows.size(); ++r) {
      const auto& row = rows[r];
      if (row.empty() || (row.size() == 1 && Trim(row[0]).empty())) continue;
      auto get = [&](const std::string& h) {
        size_t i = col[h];
        return i < row.size() ? Trim(row[i]) : std::string();
      };
      std::vector<std::string> errs;
      GazetteerEntry e;
      e.name = get("name");
      std::string kind = get("kind");
      if (auto k = ParseEntryKind(kind))
        e.kind = *k;
      else
        errs.push_back("kind: '" + kind +
                       "' is not street, community, grid, compound, building or landmark");
      std::string aliases = get("aliases");
      for (size_t b = 0; b <= aliases.size();) {
        size_t e2 = aliases.find('|', b);
        if (e2 == std::string::npos) e2 = aliases.size();
        std::string a = Trim(aliases.substr(b, e2 - b));
        if (!a.empty()) e.aliases.push_back(a);
        b = e2 + 1;
      }
      e.street_code = get("street_code");
      e.community_code = get("community_code");
      e.grid_code = get("grid_code");
      std::string lon = get("lon"), lat = get("lat");
      if (!lon.empty() || !lat.empty()) {
        auto x = ParseDouble(lon), y = ParseDouble(lat);
        if (lon.empty())
          errs.push_back("lon: missing while lat is given (both or neither)");
        else if (!x)
          errs.push_back("lon: '" + lon + "' is not a number (WGS-84 degrees)");
        else if (*x < -180 || *x > 180)
          errs.push_back("lon: " + lon + " is out of range -180..180");
        if (lat.empty())
          errs.push_back("lat: missing while lon is given (both or neither)");
        else if (!y)
          errs.push_back("lat: '" + lat + "' is not a number (WGS-84 degrees)");
        else if (*y < -90 || *y > 90)
          errs.push_back("lat: " + lat + " is out of range -90..90");
        if (x && y && *x >= -180 && *x <= 180 && *y >= -90 && *y <= 90) e.location = LonLat{*x, *y};
      }
      for (std::string& err : CheckEntry(e)) errs.push_back(std::move(err));
      if (!errs.empty()) {
        for (const std::string& err : errs) {
          size_t colon = err.find(": ");
          found.push_back({static_cast<int>(r + 1), e.name,
                           colon == std::string::npos ? "row" : err.substr(0, colon),
                           colon == std::string::npos ? err : err.substr(colon + 2)});
        }
        continue;
      }
      out.push_back(std::move(e));
      at.push_back(static_cast<int>(r + 1));
    }
  }
  if (errors) *errors = std::move(found);
  if (lines) *lines = std::move(at);
  return out;
}

namespace {
std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}
std::string Num(double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}
}  // namespace

std::string GazetteerToCsv(std::span<const GazetteerEntry> entries) {
  std::string out = std::string(kCsvHeaderText) + "\n";
  for (const GazetteerEntry& e : entries) {
    std::string aliases;
    for (const std::string& a : e.aliases) aliases += (aliases.empty() ? "" : "|") + a;
    out += CsvField(e.name) + "," + std::string(EntryKindName(e.kind)) + "," + CsvField(aliases) +
           "," + e.street_code + "," + e.community_code + "," + e.grid_code + "," +
           (e.location ? Num(e.location->lon) + "," + Num(e.location->lat) : std::string(",")) +
           "\n";
  }
  return out;
}

std::string GazetteerToJson(std::span<const GazetteerEntry> entries) {
  nlohmann::json items = nlohmann::json::array();
  for (const GazetteerEntry& e : entries) {
    nlohmann::json j{{"name", e.name},
                     {"kind", EntryKindName(e.kind)},
                     {"aliases", e.aliases},
                     {"street_code", e.street_code},
                     {"community_code", e.community_code},
                     {"grid_code", e.grid_code}};
    if (e.location) {
      j["lon"] = e.location->lon;
      j["lat"] = e.location->lat;
    }
    items.push_back(std::move(j));
  }
  return nlohmann::json{{"entries", std::move(items)}}.dump();
}

Result<std::vector<GazetteerEntry>> GazetteerFromJson(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("entries") || !j["entries"].is_array())
    return Invalid("entries", "expected {\"entries\": [...]}");
  std::vector<GazetteerEntry> out;
  int i = 0;
  try {
    for (const auto& x : j["entries"]) {
      std::string field = "entries[" + std::to_string(i++) + "]";
      GazetteerEntry e;
      e.name = x.value("name", "");
      auto kind = ParseEntryKind(x.value("kind", ""));
      if (!kind) return Invalid(field + ".kind", "unknown kind");
      e.kind = *kind;
      e.aliases = x.value("aliases", std::vector<std::string>{});
      e.street_code = x.value("street_code", "");
      e.community_code = x.value("community_code", "");
      e.grid_code = x.value("grid_code", "");
      if (x.contains("lon") && x.contains("lat"))
        e.location = LonLat{x["lon"].get<double>(), x["lat"].get<double>()};
      if (auto errs = CheckEntry(e); !errs.empty()) return Invalid(field, errs.front());
      out.push_back(std::move(e));
    }
  } catch (const nlohmann::json::exception& e) {
    return Invalid("entries", e.what());
  }
  return out;
}

AddressMatch Gazetteer::Resolve(std::string_view address, size_t max_candidates) const {
  const Impl& m = *impl_;
  AddressMatch out;
  std::u32string t = Normalize(address);
  std::vector<Match> matches;
  m.Lookup(t, matches);
  // Drop matches inside a longer one (an exact match is not dropped for a typo match).
  std::vector<Match> kept;
  for (const Match& a : matches) {
    bool inside = false;
    for (const Match& b : matches)
      if (b.len > a.len && b.begin <= a.begin && a.begin + a.len <= b.begin + b.len &&
          !(b.fuzzy && !a.fuzzy)) {
        inside = true;
        break;
      }
    if (!inside) kept.push_back(a);
  }
  // Best match per entry.
  std::map<std::uint32_t, Match> best;
  for (const Match& a : kept) {
    auto [it, inserted] = best.emplace(a.entry, a);
    if (!inserted && a.strength > it->second.strength) it->second = a;
  }
  struct Scored {
    const Match* match;
    double score;
  };
  std::vector<Scored> scored;
  for (const auto& [id, a] : best) {
    const GazetteerEntry& e = m.entries[id];
    bool implied = false;
    double score = a.strength;
    for (const auto& [id2, b] : best) {
      if (id2 == id) continue;
      const GazetteerEntry& o = m.entries[id2];
      if (IsAncestor(e, o)) implied = true;
      if (IsAncestor(o, e))
        score += 0.25 * b.strength;
      else if ((o.kind == EntryKind::kStreet || o.kind == EntryKind::kCommunity) &&
               Level(o.kind) < Level(e.kind) && !IsAncestor(e, o))
        score -= 0.3 * b.strength;  // the caller named a street/community it is not in
    }
    if (implied) continue;  // folds into the more specific place
    scored.push_back({&a, std::clamp(score, 0.0, 1.0)});
  }
  std::sort(scored.begin(), scored.end(), [&](const Scored& x, const Scored& y) {
    if (x.score != y.score) return x.score > y.score;
    const auto& ex = m.entries[x.match->entry];
    const auto& ey = m.entries[y.match->entry];
    if (Level(ex.kind) != Level(ey.kind)) return Level(ex.kind) > Level(ey.kind);
    return x.match->entry < y.match->entry;
  });
  for (const Scored& s : scored) {
    if (out.candidates.size() >= max_candidates) break;
    out.candidates.push_back({&m.entries[s.match->entry], s.score,
                              Encode(t.substr(s.match->begin, s.match->len)), s.match->fuzzy});
  }
  if (!out.candidates.empty()) {
    const AddressCandidate& top = out.candidates.front();
    if (top.score < 0.5) out.ambiguous = true;
    for (size_t i = 1; i < out.candidates.size(); ++i) {
      const AddressCandidate& c = out.candidates[i];
      bool same_grid = !top.entry->grid_code.empty() && c.entry->grid_code == top.entry->grid_code;
      if (top.score - c.score < 0.15 && !same_grid) out.ambiguous = true;
    }
    // Detail: from the first digit after the best match ("3号楼2单元").
    const Match* bm = scored.front().match;
    for (size_t k = bm->begin + bm->len; k < t.size(); ++k)
      if (t[k] >= '0' && t[k] <= '9') {
        out.detail = Encode(t.substr(k));
        break;
      }
  }
  return out;
}

}  // namespace hotline::geo
