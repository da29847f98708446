#include "app/demo/appeal_gen.h"

#include <array>

#include "app/demo/appeal_templates.h"

namespace hotline::demo {
namespace {

using internal::FindLeafTemplate;
using internal::LeafTemplate;

// Portable draws (the std distributions differ between standard libraries;
// these give the same text for the same seed everywhere).
size_t Below(std::mt19937_64& rng, size_t n) { return n == 0 ? 0 : rng() % n; }
bool Chance(std::mt19937_64& rng, int percent) { return static_cast<int>(rng() % 100) < percent; }
template <typename T, size_t N>
const T& Pick(std::mt19937_64& rng, const std::array<T, N>& a) {
  return a[Below(rng, N)];
}
template <typename T>
const T& Pick(std::mt19937_64& rng, const std::vector<T>& v) {
  return v[Below(rng, v.size())];
}

using Sv = std::string_view;

constexpr std::array<Sv, 8> kDurations = {"近一周",   "十多天", "三四天", "近半个月",
                                          "一个多月", "好几天", "近两周", "半个多月"};
constexpr std::array<Sv, 6> kTimes = {"每晚十点后", "每天夜里十一点多", "每天晚上",
                                      "半夜",       "每天深夜",         "晚上十点以后"};
constexpr std::array<Sv, 4> kRepeats = {"多次", "好几次", "三番五次", "反复"};
constexpr std::array<Sv, 24> kRoads = {
    "花园路",   "洪家楼北路", "二环东路", "工业北路", "华龙路", "华信路",   "七里河路", "山大路",
    "荷花路",   "飞跃大道",   "经十东路", "旅游路",   "港西路", "凤鸣路",   "世纪大道", "唐冶中路",
    "龙鼎大道", "文博路",     "围子山路", "祥泰路",   "华山路", "全福庄路", "历山北路", "郭店大街"};
constexpr std::array<Sv, 14> kBrands = {"鑫源", "好运来", "福满园", "聚鑫", "和顺", "兴隆", "金诺",
                                        "宏达", "老街坊", "万家福", "佳佳", "百姓", "鲁味", "泉城"};
constexpr std::array<Sv, 24> kCompounds = {
    "洪家楼南区", "洪家楼北区", "山大花园",   "全福小区", "华山珑城",   "祥泰城",
    "鑫苑名家",   "万科新里程", "中建锦绣城", "保利华庭", "汇统花园",   "七里河小区",
    "荷花路小区", "化纤厂宿舍", "重汽宿舍",   "东风小区", "甸柳新村",   "工业北路宿舍",
    "唐冶新区",   "彩石山庄",   "郭店小区",   "鲍山花园", "王舍人家园", "华信路小区"};
constexpr std::array<Sv, 20> kCompoundStems = {
    "华信", "荷花", "鲍山", "唐冶", "七里", "全福", "洪楼", "郭店", "王舍", "彩石",
    "华龙", "凤鸣", "港沟", "祥泰", "鑫达", "泉景", "金科", "绿城", "盛福", "丁家"};
constexpr std::array<Sv, 12> kCompoundSuffixes = {"花园", "小区", "家园", "新苑", "名居", "雅居",
                                                  "嘉园", "佳苑", "南区", "北区", "华庭", "公馆"};

// Surnames with rough weights (per mille, Shandong leaning).
struct Weighted {
  Sv text;
  int weight;
};
constexpr std::array<Weighted, 30> kSurnames = {{
    {"王", 92}, {"李", 80}, {"张", 78}, {"刘", 60}, {"陈", 35}, {"杨", 32}, {"赵", 28}, {"孙", 30},
    {"周", 20}, {"吴", 15}, {"徐", 22}, {"马", 22}, {"朱", 15}, {"胡", 12}, {"郭", 16}, {"高", 20},
    {"林", 8},  {"何", 8},  {"于", 18}, {"宋", 15}, {"董", 14}, {"曹", 12}, {"孔", 8},  {"韩", 12},
    {"冯", 10}, {"田", 10}, {"崔", 10}, {"邢", 5},  {"尹", 5},  {"房", 4},
}};
constexpr std::array<Sv, 48> kGivenChars = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "建", "国", "志", "红", "文", "海", "鹏",
    "晓", "婷", "雪", "琳", "宇", "浩", "欣", "子", "梓", "涵", "晨", "博", "峰", "凤", "兰", "新"};
constexpr std::array<Sv, 46> kMobilePrefixes = {
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147",
    "150", "151", "152", "153", "155", "156", "157", "158", "159", "166", "170", "173",
    "175", "176", "177", "178", "180", "181", "182", "183", "184", "185", "186", "187",
    "188", "189", "190", "191", "192", "193", "195", "196", "198", "199"};

// Short names of the demo departments (data/demo/departments.json), for praise.
const char* DepartmentShortName(const std::string& code) {
  static const std::array<const char*, 30> kShort = {
      "区住建局",     "区城管局",         "历城生态环境分局", "区交通局",     "区教体局",
      "区人社局",     "区卫健局",         "区市场监管局",     "区民政局",     "区水务局",
      "区农业农村局", "历城自然资源分局", "区应急局",         "区审批局",     "区医保局",
      "区文旅局",     "区商务局",         "公安历城分局",     "历城交警大队", "济南水务集团",
      "历城供电中心", "港华燃气",         "热力公司",         "区退役军人局", "区司法局",
      "历城区税务局", "区残联",           "区消防救援大队",   "区工信局",     "市邮政管理局"};
  if (code.size() != 3 || code[0] != 'D') return nullptr;
  int n = (code[1] - '0') * 10 + (code[2] - '0');
  return n >= 1 && n <= 30 ? kShort[n - 1] : nullptr;
}

Nature NatureOf(char c) {
  switch (c) {
    case 'H':
      return Nature::kHelp;
    case 'C':
      return Nature::kComplaint;
    case 'R':
      return Nature::kReport;
    case 'S':
      return Nature::kSuggestion;
    case 'P':
      return Nature::kPraise;
    default:
      return Nature::kConsultation;
  }
}

void ReplaceAll(std::string& s, Sv from, Sv to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
}

bool Contains(Sv s, Sv part) { return s.find(part) != Sv::npos; }
bool StartsWith(Sv s, Sv prefix) { return s.substr(0, prefix.size()) == prefix; }

// Everything one appeal's text is built from, with the slots already chosen.
struct Ctx {
  std::string district, street, community, compound, village, bldg, unit, room;
  std::string road, brand, dur, time, times;
  std::string Fill(Sv text) const {
    std::string s(text);
    ReplaceAll(s, "{dur}", dur);
    ReplaceAll(s, "{time}", time);
    ReplaceAll(s, "{times}", times);
    ReplaceAll(s, "{road}", road);
    ReplaceAll(s, "{brand}", brand);
    ReplaceAll(s, "{bldg}", bldg);
    ReplaceAll(s, "{unit}", unit);
    ReplaceAll(s, "{room}", room);
    ReplaceAll(s, "{compound}", compound);
    ReplaceAll(s, "{community}", community);
    ReplaceAll(s, "{street}", street);
    return s;
  }
};

std::string Num(int n) { return std::to_string(n); }

// Where it happens, as the caller would say it; `fact` tells what it already names.
std::string Location(const LeafTemplate& t, const Ctx& c, Sv fact) {
  switch (t.scope) {
    case 'h': {
      std::string loc = c.street + c.compound;
      if (!Contains(fact, "{bldg}")) loc += c.bldg + c.unit;
      return loc;
    }
    case 'c':
      return c.street + c.compound;
    case 'r':
      return Contains(fact, "{road}") ? c.street + "辖区" : c.street + c.road + "附近";
    case 'v':
      return c.street + c.village;
    default:
      return "";
  }
}

// A short place for the title.
std::string TitlePlace(const LeafTemplate& t, const Ctx& c) {
  switch (t.scope) {
    case 'h':
    case 'c':
      return c.compound;
    case 'r':
      return c.road;
    case 'v':
      return c.village;
    default:
      return "";
  }
}

std::string Consequence(std::mt19937_64& rng, const LeafTemplate& t, Sv fact) {
  if (Contains(fact, "影响") || Contains(fact, "隐患") || Contains(fact, "危险")) return "";
  static constexpr std::array<Sv, 4> kHome = {"，严重影响居民正常生活", "，给居民生活带来很大不便",
                                              "，周边居民意见很大", "，居民苦不堪言"};
  // Only where the trouble is shared by the neighbourhood; not for one person's dispute.
  if ((t.scope != 'h' && t.scope != 'c') || !Chance(rng, 45)) return "";
  return std::string(Pick(rng, kHome));
}

}  // namespace

std::string ShortCommunityName(std::string_view name) {
  std::string s(name);
  auto strip = [&](Sv suffix) {
    if (s.size() >= suffix.size() && Sv(s).substr(s.size() - suffix.size()) == suffix) {
      s.erase(s.size() - suffix.size());
      return true;
    }
    return false;
  };
  if (strip("村民委员会")) {
    if (!(s.size() >= 3 && Sv(s).substr(s.size() - 3) == "村")) s += "村";
  } else if (strip("居民委员会")) {
    if (!(s.size() >= 6 && Sv(s).substr(s.size() - 6) == "社区")) s += "社区";
  }
  return s;
}

AppealGenerator::AppealGenerator(const Taxonomy& tax) {
  for (const Subject& s : tax.subjects) {
    if (s.level != 3) continue;
    const LeafTemplate* t = FindLeafTemplate(s.code);
    if (!t) continue;
    leaves_.push_back(s.code);
    weights_.push_back(t->weight);
    leaf_names_.push_back(s.name);
    auto it = tax.leaf_department.find(s.code);
    leaf_department_.push_back(it == tax.leaf_department.end() ? "" : it->second);
  }
}

bool AppealGenerator::HasTemplates(const std::string& leaf_code) {
  return FindLeafTemplate(leaf_code) != nullptr;
}

std::vector<Nature> AppealGenerator::NaturesOf(const std::string& leaf_code) {
  std::vector<Nature> out;
  if (const LeafTemplate* t = FindLeafTemplate(leaf_code))
    for (char c : t->natures) out.push_back(NatureOf(c));
  return out;
}

GeneratedAppeal AppealGenerator::Generate(std::mt19937_64& rng, const PlaceNames& place) const {
  if (leaves_.empty()) return GeneratedAppeal{};
  double total = 0;
  for (double w : weights_) total += w;
  double x = static_cast<double>(rng() >> 11) / static_cast<double>(1ULL << 53) * total;
  size_t i = 0;
  for (; i + 1 < leaves_.size(); ++i) {
    if (x < weights_[i]) break;
    x -= weights_[i];
  }
  return GenerateFor(rng, leaves_[i], place);
}

GeneratedAppeal AppealGenerator::GenerateFor(std::mt19937_64& rng, const std::string& leaf_code,
                                             const PlaceNames& place) const {
  const LeafTemplate* t = FindLeafTemplate(leaf_code);
  Nature nature = Nature::kComplaint;
  if (t && !t->natures.empty()) {
    // The first nature is the usual one (60%); the others share the rest.
    size_t k =
        t->natures.size() == 1 || Chance(rng, 60) ? 0 : 1 + Below(rng, t->natures.size() - 1);
    nature = NatureOf(t->natures[k]);
  }
  return GenerateFor(rng, leaf_code, place, nature);
}

GeneratedAppeal AppealGenerator::GenerateFor(std::mt19937_64& rng, const std::string& leaf_code,
                                             const PlaceNames& place, Nature nature) const {
  static const LeafTemplate kFallback{"",           1,          "C",        'c',         'n', "",
                                      {"存在问题"}, "核实处理", "相关政策", "已核实处理"};
  const LeafTemplate* found = FindLeafTemplate(leaf_code);
  LeafTemplate fallback = kFallback;
  if (!found) {
    for (size_t i = 0; i < leaves_.size(); ++i)
      if (leaves_[i] == leaf_code) fallback.issue = leaf_names_[i];
    if (fallback.issue.empty()) fallback.issue = "相关";
  }
  const LeafTemplate& t = found ? *found : fallback;

  Ctx c;
  c.district = place.district;
  c.street = place.street.empty() ? "洪家楼街道" : place.street;
  c.community =
      ShortCommunityName(place.community.empty() ? "洪家楼社区居民委员会" : place.community);
  c.compound = place.compound.empty() ? CompoundName(rng) : place.compound;
  c.village = c.community;
  c.bldg = place.building > 0 ? Num(place.building) + "号楼" : Num(1 + Below(rng, 24)) + "号楼";
  c.unit = place.unit > 0 ? Num(place.unit) + "单元" : Num(1 + Below(rng, 4)) + "单元";
  c.room = place.room > 0 ? Num(place.room) + "室" : "";
  c.road = std::string(Pick(rng, kRoads));
  c.brand = std::string(Pick(rng, kBrands));
  c.dur = std::string(Pick(rng, kDurations));
  c.time = std::string(Pick(rng, kTimes));
  c.times = std::string(Pick(rng, kRepeats));

  // Facts: negative ones for everything but praise, which prefers a positive one.
  std::vector<Sv> neg, pos;
  for (Sv f : t.facts)
    (StartsWith(f, "+") ? pos : neg).push_back(StartsWith(f, "+") ? f.substr(1) : f);
  if (neg.empty()) neg = pos;
  Sv raw_fact = nature == Nature::kPraise && !pos.empty() ? Pick(rng, pos) : Pick(rng, neg);
  std::string fact = c.Fill(raw_fact);
  std::string loc = c.Fill(Location(t, c, raw_fact));
  if (t.scope == 'r' && StartsWith(raw_fact, "在")) {
    // "在…店办了会员卡": the place goes inside the caller's own sentence.
    std::string own(raw_fact);
    if (Contains(own, "{road}"))
      ReplaceAll(own, "{road}", c.street + c.road);
    else
      own = "在" + c.street + c.road + "的" + own.substr(std::string_view("在").size());
    fact = "其" + c.Fill(own);
    loc.clear();
  } else if (t.scope == 'v' && StartsWith(fact, "村里")) {
    fact.erase(0, std::string_view("村里").size());  // "西蒋峪村" + "有人乱扔…"
  }
  const std::string issue(t.issue);
  const std::string ask = c.Fill(t.ask);
  const std::string question = c.Fill(t.question);
  const std::string tplace = TitlePlace(t, c);
  const std::string where = loc.empty() ? c.street : loc;  // every text names the place
  // "其居住的X" reads naturally only for homes and compounds.
  const std::string at = (t.scope == 'h' || t.scope == 'c') ? "其居住的" + loc : loc;

  GeneratedAppeal a;
  a.subject_code = leaf_code;
  a.nature = nature;
  std::string& s = a.content;
  switch (nature) {
    case Nature::kComplaint: {
      static constexpr std::array<Sv, 4> kOpen = {"市民来电反映：", "市民来电投诉：",
                                                  "诉求人来电称，", "来电人反映，"};
      static constexpr std::array<Sv, 4> kTried = {
          "诉求人已{times}向有关方面反映，问题一直没有得到解决。", "此前已反映过，至今未见处理。",
          "", ""};
      static constexpr std::array<Sv, 3> kAsk = {"希望相关部门尽快{ask}。",
                                                 "要求相关部门{ask}，并给予答复。",
                                                 "请相关部门核实处理，{ask}。"};
      s = std::string(Pick(rng, kOpen));
      s += (t.scope == 'p' ? "" : at) + fact + Consequence(rng, t, fact) + "。";
      if (t.scope == 'p') s += "诉求人系" + c.district + c.street + "居民。";
      s += c.Fill(Pick(rng, kTried));
      std::string ask_frame(Pick(rng, kAsk));
      ReplaceAll(ask_frame, "{ask}", ask);
      s += ask_frame;
      static constexpr std::array<Sv, 3> kTitle = {"反映{p}{i}问题", "{p}{i}", "关于{p}{i}的投诉"};
      a.title = std::string(Pick(rng, kTitle));
      break;
    }
    case Nature::kReport: {
      static constexpr std::array<Sv, 3> kOpen = {"市民来电举报：", "来电人举报称，",
                                                  "诉求人来电举报，"};
      s = std::string(Pick(rng, kOpen));
      s += (t.scope == 'p' ? c.street + "辖区内，" : loc) + fact + "。";
      if (Chance(rng, 50)) s += "诉求人" + c.times + "发现此类情况，";
      s += "希望相关部门" + std::string(StartsWith(ask, "依法") ? "" : "依法") + ask + "。";
      if (Chance(rng, 40)) s += "诉求人要求对其个人信息保密。";
      a.title = "举报{p}{i}";
      break;
    }
    case Nature::kConsultation: {
      if (t.scope == 'p' || Chance(rng, 50)) {
        s = "市民来电咨询：" + question + "？诉求人系" + c.district + c.street +
            "居民，希望相关部门予以解答。";
      } else {
        s = "市民来电称，其居住在" + c.street + c.compound + "，" + fact + "。诉求人想咨询" +
            question + "，希望相关部门给予答复。";
      }
      static constexpr std::array<Sv, 3> kTitle = {"咨询{i}相关问题", "关于{i}的咨询",
                                                   "咨询{i}事宜"};
      a.title = std::string(Pick(rng, kTitle));
      break;
    }
    case Nature::kHelp: {
      s = "市民来电求助：" + (t.scope == 'p' ? "诉求人系" + c.street + "居民，" : where) + fact;
      s += Consequence(rng, t, fact) + "。";
      if (t.urgency == 'c')
        s += "情况紧急，请求相关单位立即派人" + ask + "。";
      else
        s += "诉求人自行无法解决，请求相关部门帮助" + ask + "。";
      a.title = t.scope == 'p' ? "求助：{i}" : "{p}{i}求助";
      break;
    }
    case Nature::kSuggestion: {
      if (StartsWith(fact, "希望") || StartsWith(fact, "建议")) {
        s = "市民来电提出建议：诉求人系" + c.district + c.street + "居民，" + fact +
            "，方便群众生活。";
      } else {
        s = "市民来电建议：" + (t.scope == 'p' ? "诉求人系" + c.street + "居民，" : where) + fact +
            "，建议相关部门" + ask + "，并建立长效管理机制。";
      }
      a.title = StartsWith(fact, "希望") || StartsWith(fact, "建议") ? "市民意见建议"
                : Chance(rng, 50)                                    ? "关于{i}的建议"
                                                                     : "建议解决{p}{i}问题";
      break;
    }
    case Nature::kPraise: {
      std::string target;
      for (size_t i = 0; i < leaves_.size(); ++i)
        if (leaves_[i] == leaf_code && DepartmentShortName(leaf_department_[i]))
          target = DepartmentShortName(leaf_department_[i]);
      if (target.empty()) target = Chance(rng, 50) ? c.street : c.community;
      static constexpr std::array<Sv, 4> kOfficer = {"王科长", "李师傅", "张主任", "刘科长"};
      static constexpr std::array<Sv, 4> kLocal = {"网格员小赵", "张书记", "李主任", "王师傅"};
      std::string person(target == c.street || target == c.community ? Pick(rng, kLocal)
                                                                     : Pick(rng, kOfficer));
      s = "市民来电表扬" + target + "的" + person + "：";
      if (!pos.empty()) {
        s += "诉求人居住在" + c.street + c.compound + "，" + fact + "。";
      } else {
        s += "诉求人此前反映" + where + issue + "的问题，" + person +
             "接单后当天就与其联系并到现场查看，" + c.Fill(t.fix) + "。";
      }
      s += "诉求人对工作人员认真负责、热情周到的服务非常满意，特来电表示感谢。";
      a.title = "表扬" + target + person;
      break;
    }
  }
  ReplaceAll(a.title, "{p}", tplace);
  ReplaceAll(a.title, "{i}", issue);
  ReplaceAll(s, "{times}", c.times);
  ReplaceAll(s, "尽快尽快", "尽快");  // frames that urge speed meet asks that already do

  // Urgency follows the matter; questions, proposals and thanks are never urgent.
  a.urgency = Urgency::kNormal;
  bool can_be_urgent =
      nature == Nature::kComplaint || nature == Nature::kHelp || nature == Nature::kReport;
  if (can_be_urgent) {
    if (t.urgency == 'c')
      a.urgency = Chance(rng, 80) ? Urgency::kCritical : Urgency::kUrgent;
    else if (t.urgency == 'u')
      a.urgency = Chance(rng, 70) ? Urgency::kUrgent : Urgency::kNormal;
    else if (Chance(rng, 3))
      a.urgency = Urgency::kUrgent;
  }
  return a;
}

std::string AppealGenerator::CallerName(std::mt19937_64& rng) const {
  int total = 0;
  for (const auto& s : kSurnames) total += s.weight;
  int x = static_cast<int>(Below(rng, total));
  Sv surname = kSurnames.back().text;
  for (const auto& s : kSurnames) {
    if (x < s.weight) {
      surname = s.text;
      break;
    }
    x -= s.weight;
  }
  std::string name(surname);
  name += Pick(rng, kGivenChars);
  if (Chance(rng, 70)) name += Pick(rng, kGivenChars);
  return name;
}

std::string AppealGenerator::MobilePhone(std::mt19937_64& rng) {
  std::string phone(Pick(rng, kMobilePrefixes));
  for (int i = 0; i < 8; ++i) phone += static_cast<char>('0' + Below(rng, 10));
  return phone;
}

char AppealGenerator::IdCheckChar(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[] = "10X98765432";
  int sum = 0;
  for (size_t i = 0; i < 17 && i < first17.size(); ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheck[sum % 11];
}

std::string AppealGenerator::IdNumber(std::mt19937_64& rng, std::string_view region) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int year = 1940 + static_cast<int>(Below(rng, 67));  // 1940..2006
  int month = 1 + static_cast<int>(Below(rng, 12));
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  int day = 1 + static_cast<int>(Below(rng, days));
  int seq = static_cast<int>(Below(rng, 1000));
  auto digits = [](int value, int width) {
    std::string s(width, '0');
    for (int i = width - 1; i >= 0; --i, value /= 10) s[i] = static_cast<char>('0' + value % 10);
    return s;
  };
  std::string id(region.substr(0, 6));
  id += digits(year, 4) + digits(month, 2) + digits(day, 2) + digits(seq, 3);
  id += IdCheckChar(id);
  return id;
}

std::string AppealGenerator::CompoundName(std::mt19937_64& rng) const {
  if (Chance(rng, 50)) return std::string(Pick(rng, kCompounds));
  return std::string(Pick(rng, kCompoundStems)) + std::string(Pick(rng, kCompoundSuffixes));
}

AppealGenerator::ReplyText AppealGenerator::Reply(std::mt19937_64& rng, const GeneratedAppeal& a,
                                                  const std::string& unit_name,
                                                  bool resolved) const {
  const LeafTemplate* t = FindLeafTemplate(a.subject_code);
  std::string issue = t ? std::string(t->issue) : "相关";
  std::string fix = t ? std::string(t->fix) : "已核实处理";
  Ctx c;
  c.dur = std::string(Pick(rng, kDurations));
  fix = c.Fill(fix);
  static constexpr std::array<Sv, 3> kWhen = {"当日", "次日上午", "接单后两小时内"};
  std::string when(Pick(rng, kWhen));
  ReplyText r;
  const bool question = a.nature == Nature::kConsultation;
  const bool praise = a.nature == Nature::kPraise;
  if (praise) {
    r.actions_taken = "接到工单后，" + unit_name + "已将诉求人的表扬转达给相关工作人员，并于" +
                      when + "电话联系诉求人表示感谢。";
    r.public_text = "您好！感谢您对" + unit_name +
                    "工作的肯定与支持，我们已将您的表扬转达给相关工作人员，我们将继续努力，"
                    "为群众提供更优质的服务。";
    return r;
  }
  if (question) {
    // A question is answered even when the caller's wish cannot be met.
    r.actions_taken = "接到工单后，" + unit_name + "工作人员查阅了相关政策规定，于" + when +
                      "电话联系诉求人，" + fix + "。";
    r.public_text = "您好！您咨询的" + issue + "相关问题已收悉。经" + unit_name + "答复，" + fix +
                    "。如仍有疑问，可拨打12345热线进一步咨询。感谢您的来电！";
  } else {
    static constexpr std::array<Sv, 3> kVisit = {"到现场进行了核实", "会同社区工作人员实地查看",
                                                 "安排专人上门了解情况"};
    r.actions_taken = "接到工单后，" + unit_name + "高度重视，于" + when +
                      "安排工作人员与诉求人电话联系，了解具体诉求，并" +
                      std::string(Pick(rng, kVisit)) + "。经核实，诉求人反映的" + issue +
                      (Chance(rng, 80) ? "问题情况属实。" : "问题基本属实。");
    if (resolved) r.actions_taken += fix + "。已将处理结果告知诉求人，诉求人表示认可。";
    r.public_text = "您好！您反映的" + issue + "问题已收悉。经" + unit_name + "核实处理，";
  }
  if (resolved) {
    if (!question) r.public_text += fix + "。感谢您对我们工作的理解和支持！";
    return r;
  }
  static constexpr std::array<Sv, 5> kReasons = {
      "该问题涉及历史遗留问题，需多部门协调解决，短期内难以彻底解决",
      "相关整改需纳入下一年度改造计划，待资金落实后实施",
      "诉求人的要求超出现行政策规定范围，已向其做好解释说明",
      "工作人员多次上门，当事人拒不配合，已移交执法部门依法处理",
      "该事项涉及民事纠纷，已告知诉求人可通过司法途径解决"};
  static constexpr std::array<Sv, 2> kQuestionReasons = {
      "诉求人的情况暂不符合现行政策规定的条件，已向其做好解释说明",
      "相关政策尚在制定中，待政策出台后将及时告知诉求人"};
  r.unresolved_reason = std::string(question ? Pick(rng, kQuestionReasons) : Pick(rng, kReasons));
  r.actions_taken += "目前，" + r.unresolved_reason + "。";
  r.public_text += "目前" + r.unresolved_reason + "。我们将持续跟进，感谢您的理解。";
  return r;
}

}  // namespace hotline::demo
