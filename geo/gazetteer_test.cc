#include "geo/gazetteer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "geo/demo_boundaries.h"

namespace hotline::geo {
namespace {

const std::string kData = HOTLINE_SOURCE_DATA_DIR;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The demo city's divisions plus its shipped gazetteer.
const Gazetteer& Demo() {
  static const Gazetteer* g = [] {
    auto* g = new Gazetteer;
    auto units = DivisionUnits(kData + "/demo/licheng_divisions.csv");
    EXPECT_TRUE(units.ok());
    EXPECT_TRUE(g->AddDivisions(*units).ok());
    Status st = g->ImportCsv(Read(kData + "/demo/gazetteer.csv"));
    EXPECT_TRUE(st.ok()) << st.ToString();
    return g;
  }();
  return *g;
}

std::string Top(const AddressMatch& m) {
  return m.candidates.empty() ? "-" : m.candidates[0].entry->name;
}
std::string Dump(const AddressMatch& m) {
  std::string s = m.ambiguous ? "ambiguous:" : "clear:";
  for (const auto& c : m.candidates)
    s += " " + c.entry->name + "(" + std::string(EntryKindName(c.entry->kind)) + "," +
         std::to_string(c.score).substr(0, 4) + (c.fuzzy ? ",typo" : "") + ")";
  return s;
}

TEST(GazetteerTest, Normalization) {
  EXPECT_EQ(NormalizePlaceText("洪家樓 南區，３號樓"), "洪家楼南区3号楼");
  EXPECT_EQ(NormalizePlaceText("Ａ座 B-2"), "a座b2");
}

TEST(GazetteerTest, FullAddressAsACallerSaysIt) {
  AddressMatch m = Demo().Resolve("历城区洪家楼街道洪家楼南区3号楼");
  ASSERT_NE(m.resolved(), nullptr) << Dump(m);
  const GazetteerEntry& e = *m.resolved()->entry;
  // The building entry wins over its compound; both lie in the same grid.
  EXPECT_EQ(e.grid_code, "370112002002001") << Dump(m);
  EXPECT_EQ(e.street_code, "370112002");
}

TEST(GazetteerTest, CompoundThenBuildingNumberAsDetail) {
  AddressMatch m = Demo().Resolve("洪家楼北区5号楼2单元");
  ASSERT_NE(m.resolved(), nullptr) << Dump(m);
  EXPECT_EQ(Top(m), "洪家楼北区");
  EXPECT_EQ(m.resolved()->entry->grid_code, "370112002002002");
  EXPECT_EQ(m.detail, "5号楼2单元");
}

TEST(GazetteerTest, TraditionalCharacters) {
  AddressMatch m = Demo().Resolve("洪家樓南區");
  ASSERT_NE(m.resolved(), nullptr) << Dump(m);
  EXPECT_EQ(Top(m), "洪家楼南区");
  EXPECT_FALSE(m.resolved()->fuzzy);
}

TEST(GazetteerTest, AbbreviatedStreetAndCommunity) {
  AddressMatch m = Demo().Resolve("山大路甸柳");
  ASSERT_NE(m.resolved(), nullptr) << Dump(m);
  const GazetteerEntry& e = *m.resolved()->entry;
  EXPECT_EQ(e.kind, EntryKind::kCommunity) << Dump(m);
  EXPECT_EQ(e.community_code, "370112001001");
  EXPECT_TRUE(e.grid_code.empty());  // a community of several grids: no grid guessed
}

TEST(GazetteerTest, OneTypo) {
  AddressMatch m = Demo().Resolve("洪家路南区");  // 楼 -> 路
  ASSERT_FALSE(m.candidates.empty()) << Dump(m);
  EXPECT_EQ(Top(m), "洪家楼南区") << Dump(m);
  EXPECT_TRUE(m.candidates[0].fuzzy);
  AddressMatch dropped = Demo().Resolve("山东大学中心校");  // a missing character
  EXPECT_EQ(Top(dropped), "山东大学中心校区") << Dump(dropped);
}

TEST(GazetteerTest, AliasMatches) {
  AddressMatch m = Demo().Resolve("山大老校区东门");
  ASSERT_NE(m.resolved(), nullptr) << Dump(m);
  EXPECT_EQ(Top(m), "山东大学中心校区");
}

TEST(GazetteerTest, AmbiguousNameGivesCandidatesNotAGuess) {
  AddressMatch m = Demo().Resolve("花园小区");
  EXPECT_TRUE(m.ambiguous) << Dump(m);
  EXPECT_EQ(m.resolved(), nullptr);
  ASSERT_GE(m.candidates.size(), 2u);
  EXPECT_EQ(m.candidates[0].entry->name, "花园小区");
  EXPECT_EQ(m.candidates[1].entry->name, "花园小区");
  // Naming the street settles it.
  AddressMatch s = Demo().Resolve("东风街道花园小区");
  ASSERT_NE(s.resolved(), nullptr) << Dump(s);
  EXPECT_EQ(s.resolved()->entry->street_code, "370112003");
}

TEST(GazetteerTest, UnknownAddress) {
  AddressMatch m = Demo().Resolve("火星基地");
  EXPECT_TRUE(m.unknown());
  EXPECT_EQ(m.resolved(), nullptr);
  EXPECT_TRUE(Demo().Resolve("").unknown());
}

TEST(GazetteerTest, CsvImportReportsEveryBadRowAndAddsNothing) {
  Gazetteer g;
  Status st = g.ImportCsv(
      "name,kind,aliases,street_code,community_code,grid_code,lon,lat\n"
      "好小区,compound,\"好区|好家园\",370112002,370112002002,,117.06,36.68\n"
      ",compound,,370112002,370112002002,,,\n"
      "坏类,castle,,370112002,370112002002,,,\n"
      "错码,compound,,370112002,370112003002,,,\n"
      "坏坐标,landmark,,370112002,370112002002,,abc,36\n");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(g.size(), 0u);
  const std::string& msg = st.message();
  EXPECT_NE(msg.find("4 bad row(s)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 3 (): name"), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 4 (坏类): kind"), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 5 (错码): community_code"), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 6 (坏坐标): lon: 'abc' is not a number"), std::string::npos) << msg;

  ASSERT_TRUE(g.ImportCsv("name,kind,aliases,street_code,community_code,grid_code,lon,lat\r\n"
                          "好小区,小区,\"好区|好家园\",370112002,370112002002,,117.06,36.68\r\n")
                  .ok());
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g.entry(0).aliases.size(), 2u);
  ASSERT_TRUE(g.entry(0).location.has_value());
  EXPECT_DOUBLE_EQ(g.entry(0).location->lon, 117.06);
  EXPECT_EQ(Top(g.Resolve("好家园")), "好小区");
  EXPECT_FALSE(g.ImportCsv("name,kind\n").ok());  // header lacks columns
}

TEST(GazetteerTest, CsvRowErrorsNameLineAndField) {
  std::vector<GazetteerRowError> errors;
  auto entries = ParseGazetteerCsv(
      "name,kind,aliases,street_code,community_code,grid_code,lon,lat\n"
      "好小区,compound,,370112002,370112002002,,117.06,36.68\n"
      "坏经度,landmark,,370112002,370112002002,,190,36\n"
      "缺纬度,landmark,,370112002,370112002002,,117,\n"
      "坏网格,compound,,370112002,370112002002,37011200200200,,\n",
      &errors);
  EXPECT_EQ(entries.size(), 1u) << "the good row, for further checks by the caller";
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_EQ(errors[0].field, "lon");
  EXPECT_EQ(errors[1].line, 4);
  EXPECT_EQ(errors[1].field, "lat");
  EXPECT_EQ(errors[2].line, 5);
  EXPECT_EQ(errors[2].field, "grid_code");
  EXPECT_EQ(errors[2].name, "坏网格");
}

TEST(GazetteerTest, CsvAndJsonRoundTrip) {
  std::vector<GazetteerRowError> errors;
  auto entries = ParseGazetteerCsv(Read(kData + "/demo/gazetteer.csv"), &errors);
  ASSERT_TRUE(errors.empty()) << errors.front().ToString();
  ASSERT_GT(entries.size(), 10u);
  auto again = ParseGazetteerCsv(GazetteerToCsv(entries), &errors);
  ASSERT_TRUE(errors.empty()) << errors.front().ToString();
  auto back = GazetteerFromJson(GazetteerToJson(entries));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(again.size(), entries.size());
  ASSERT_EQ(back->size(), entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(again[i].name, entries[i].name);
    EXPECT_EQ(again[i].aliases, entries[i].aliases);
    EXPECT_EQ((*back)[i].grid_code, entries[i].grid_code);
    EXPECT_EQ((*back)[i].kind, entries[i].kind);
    EXPECT_EQ((*back)[i].location.has_value(), entries[i].location.has_value());
  }
}

TEST(GazetteerTest, AddValidates) {
  Gazetteer g;
  GazetteerEntry e;
  e.name = "某楼";
  e.kind = EntryKind::kGrid;
  e.street_code = "370112002";
  Status st = g.Add(e);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("grid_code: required"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace hotline::geo
