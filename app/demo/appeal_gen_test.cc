#include "app/demo/appeal_gen.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace hotline::demo {
namespace {

const Taxonomy& Tax() {
  static const Taxonomy kTax = [] {
    auto t = LoadTaxonomy(std::string(HOTLINE_SOURCE_DATA_DIR) + "/demo/taxonomy.json");
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? *t : Taxonomy{};
  }();
  return kTax;
}

PlaceNames Place() {
  PlaceNames p;
  p.street = "唐冶街道";
  p.community = "西蒋峪村村民委员会";
  p.compound = "中建锦绣城";
  p.building = 7;
  p.unit = 2;
  p.room = 1602;
  return p;
}

bool ContainsAny(const std::string& s, std::initializer_list<std::string> parts) {
  for (const auto& p : parts)
    if (s.find(p) != std::string::npos) return true;
  return false;
}

TEST(AppealGen, EveryLeafHasTemplatesAndGenerates) {
  AppealGenerator gen(Tax());
  const PlaceNames place = Place();
  std::mt19937_64 rng(7);
  int leaves = 0;
  for (const Subject& s : Tax().subjects) {
    if (s.level != 3) continue;
    ++leaves;
    ASSERT_TRUE(AppealGenerator::HasTemplates(s.code)) << s.code << " " << s.name;
    // Every nature a leaf can take, several draws each.
    for (Nature n : AppealGenerator::NaturesOf(s.code)) {
      for (int i = 0; i < 4; ++i) {
        GeneratedAppeal a = gen.GenerateFor(rng, s.code, place, n);
        SCOPED_TRACE(s.code + " " + s.name + " " + std::string(ToString(n)) + ": " + a.content);
        EXPECT_EQ(a.subject_code, s.code);
        EXPECT_EQ(a.nature, n);
        EXPECT_FALSE(a.title.empty());
        EXPECT_GT(a.content.size(), 30u);
        // No slot is left unfilled.
        EXPECT_EQ(a.content.find('{'), std::string::npos);
        EXPECT_EQ(a.title.find('{'), std::string::npos);
        EXPECT_EQ(a.content.find("尽快尽快"), std::string::npos);
        EXPECT_EQ(a.content.find("依法依法"), std::string::npos);
        // The place the caller gave is named.
        EXPECT_TRUE(ContainsAny(a.content, {place.street, place.compound, "西蒋峪村"}));
        if (n == Nature::kConsultation) {
          EXPECT_TRUE(ContainsAny(a.content, {"咨询"}));
        }
        if (n == Nature::kReport) {
          EXPECT_TRUE(ContainsAny(a.content, {"举报"}));
        }
        if (n == Nature::kPraise) {
          EXPECT_TRUE(ContainsAny(a.content, {"表扬"}));
        }
        if (n == Nature::kSuggestion) {
          EXPECT_TRUE(ContainsAny(a.content, {"建议"}));
        }
        if (n == Nature::kHelp) {
          EXPECT_TRUE(ContainsAny(a.content, {"求助"}));
        }
        if (n != Nature::kComplaint && n != Nature::kHelp && n != Nature::kReport) {
          EXPECT_EQ(a.urgency, Urgency::kNormal);
        }
      }
    }
  }
  EXPECT_GT(leaves, 150);
  EXPECT_EQ(gen.leaves().size(), static_cast<size_t>(leaves));
}

TEST(AppealGen, HomeTemplatesUseTheBuilding) {
  AppealGenerator gen(Tax());
  std::mt19937_64 rng(1);
  GeneratedAppeal a = gen.GenerateFor(rng, "100501", Place(), Nature::kComplaint);
  EXPECT_NE(a.content.find("中建锦绣城7号楼2单元"), std::string::npos) << a.content;
}

TEST(AppealGen, GasLeakIsCriticalOrUrgent) {
  AppealGenerator gen(Tax());
  std::mt19937_64 rng(3);
  for (int i = 0; i < 20; ++i) {
    GeneratedAppeal a = gen.GenerateFor(rng, "100401", Place());
    EXPECT_NE(a.urgency, Urgency::kNormal);
    EXPECT_NE(a.content.find("燃气"), std::string::npos);
  }
}

TEST(AppealGen, FrequenciesAreRealistic) {
  AppealGenerator gen(Tax());
  std::mt19937_64 rng(11);
  std::map<std::string, int> by_leaf;
  std::map<Nature, int> by_nature;
  std::map<Urgency, int> by_urgency;
  const int n = 8000;
  for (int i = 0; i < n; ++i) {
    GeneratedAppeal a = gen.Generate(rng, Place());
    by_leaf[a.subject_code]++;
    by_nature[a.nature]++;
    by_urgency[a.urgency]++;
  }
  EXPECT_GT(by_leaf["100501"], 10 * std::max(1, by_leaf["050402"]));  // heating >> 职称
  EXPECT_GT(by_urgency[Urgency::kNormal], n * 8 / 10);
  EXPECT_GT(by_urgency[Urgency::kUrgent], 0);
  EXPECT_GT(by_urgency[Urgency::kCritical], 0);
  EXPECT_EQ(by_nature.size(), 6u);
}

TEST(AppealGen, SameSeedSameOutput) {
  AppealGenerator gen(Tax());
  auto run = [&](uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::string out;
    for (int i = 0; i < 50; ++i) {
      GeneratedAppeal a = gen.Generate(rng, PlaceNames{});
      out += a.title + a.content + gen.CallerName(rng) + AppealGenerator::MobilePhone(rng) +
             AppealGenerator::IdNumber(rng) + gen.CompoundName(rng);
      out += gen.Reply(rng, a, "区城管局", i % 3 != 0).public_text;
    }
    return out;
  };
  EXPECT_EQ(run(42), run(42));
  EXPECT_NE(run(42), run(43));
}

TEST(AppealGen, PhonesAreMainlandMobiles) {
  std::mt19937_64 rng(5);
  const std::regex re("^1[3-9]\\d{9}$");
  for (int i = 0; i < 1000; ++i) {
    std::string p = AppealGenerator::MobilePhone(rng);
    EXPECT_TRUE(std::regex_match(p, re)) << p;
  }
}

bool ValidDate(int y, int m, int d) {
  static const int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

TEST(AppealGen, IdNumbersHaveValidDatesAndChecksums) {
  // A published example: 11010519491231002X.
  EXPECT_EQ(AppealGenerator::IdCheckChar("11010519491231002"), 'X');
  std::mt19937_64 rng(9);
  for (int i = 0; i < 2000; ++i) {
    std::string id = AppealGenerator::IdNumber(rng, i % 2 ? "370112" : "370102");
    ASSERT_EQ(id.size(), 18u);
    EXPECT_EQ(id.substr(0, 6), i % 2 ? "370112" : "370102");
    for (int k = 0; k < 17; ++k) ASSERT_TRUE(id[k] >= '0' && id[k] <= '9') << id;
    int y = std::stoi(id.substr(6, 4)), m = std::stoi(id.substr(10, 2)),
        d = std::stoi(id.substr(12, 2));
    EXPECT_TRUE(ValidDate(y, m, d)) << id;
    EXPECT_GE(y, 1940);
    EXPECT_LE(y, 2006);
    // GB 11643: sum(a_i * w_i) over all 18 (X = 10) is 1 mod 11.
    static const int kW[18] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2, 1};
    int sum = 0;
    for (int k = 0; k < 18; ++k) sum += (id[k] == 'X' ? 10 : id[k] - '0') * kW[k];
    EXPECT_EQ(sum % 11, 1) << id;
  }
}

TEST(AppealGen, NamesAndCompounds) {
  AppealGenerator gen(Tax());
  std::mt19937_64 rng(2);
  std::set<std::string> names, compounds;
  for (int i = 0; i < 300; ++i) {
    std::string name = gen.CallerName(rng);
    EXPECT_GE(name.size(), 6u);  // two or three CJK characters
    EXPECT_LE(name.size(), 9u);
    names.insert(name);
    compounds.insert(gen.CompoundName(rng));
  }
  EXPECT_GT(names.size(), 150u);
  EXPECT_GT(compounds.size(), 40u);
}

TEST(AppealGen, ReplyIsConsistentWithTheAppeal) {
  AppealGenerator gen(Tax());
  std::mt19937_64 rng(4);
  GeneratedAppeal a = gen.GenerateFor(rng, "100501", Place(), Nature::kComplaint);
  auto done = gen.Reply(rng, a, "热力公司", true);
  EXPECT_NE(done.actions_taken.find("热力公司"), std::string::npos);
  EXPECT_NE(done.public_text.find("供暖温度不达标"), std::string::npos);
  EXPECT_TRUE(done.unresolved_reason.empty());
  auto open = gen.Reply(rng, a, "热力公司", false);
  EXPECT_FALSE(open.unresolved_reason.empty());
  EXPECT_NE(open.public_text.find(open.unresolved_reason), std::string::npos);
  GeneratedAppeal q = gen.GenerateFor(rng, "040201", Place(), Nature::kConsultation);
  EXPECT_NE(gen.Reply(rng, q, "区教体局", true).public_text.find("咨询"), std::string::npos);
}

TEST(AppealGen, ShortCommunityNames) {
  EXPECT_EQ(ShortCommunityName("甸柳社区居民委员会"), "甸柳社区");
  EXPECT_EQ(ShortCommunityName("老峪村村民委员会"), "老峪村");
  EXPECT_EQ(ShortCommunityName("大庄村民委员会"), "大庄村");
  EXPECT_EQ(ShortCommunityName("洪家楼南区居民委员会"), "洪家楼南区社区");
}

}  // namespace
}  // namespace hotline::demo
