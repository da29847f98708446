#include "service/org_import.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace hotline {
namespace {

std::vector<Unit> Existing() {
  Unit district{1, "370112", "历城区", UnitKind::kDistrict, std::nullopt, std::nullopt, true};
  Unit street{2, "370112002", "洪家楼街道", UnitKind::kStreet, std::nullopt, 1, true};
  Unit community{3, "370112002001", "洪家楼社区", UnitKind::kCommunity, std::nullopt, 2, true};
  Unit grid{4, "370112002001001", "第一网格", UnitKind::kGrid, GridKind::kBasic, 3, true};
  Unit closed{5, "370112003", "东风街道", UnitKind::kStreet, std::nullopt, 1, false};
  Unit dept{6, "zjj", "区住建局", UnitKind::kDepartment, std::nullopt, 1, true};
  return {district, street, community, grid, closed, dept};
}

bool HasError(const ImportReport& r, int row, std::string_view field) {
  return std::any_of(r.errors.begin(), r.errors.end(),
                     [&](const ImportError& e) { return e.row == row && e.field == field; });
}

std::string Dump(const ImportReport& r) {
  std::string s;
  for (const auto& e : r.errors) s += ToString(e) + "\n";
  return s;
}

TEST(OrgImport, ValidFileWithParentsAfterChildren) {
  auto parsed = ParseUnitsCsv(
      "code,name,kind,parent_code,grid_kind\n"
      "370112002002008,第八网格,grid,370112002002,basic\n"
      "370112002002,山大花园社区,community,370112002,\n"
      "370112002002009,山东大学网格,网格,370112002002,专属网格\n"
      "zjj-wy,物业科,department,zjj,\n"
      "hotline,12345热线中心,热线中心,370112,\n");
  ASSERT_TRUE(parsed.ok()) << Dump(parsed);
  ASSERT_EQ(parsed.units.size(), 5u);
  EXPECT_EQ(parsed.units[0].row, 1);
  EXPECT_EQ(parsed.units[2].grid_kind, GridKind::kDedicated);
  auto report = ValidateUnits(parsed, Existing());
  EXPECT_TRUE(report.ok()) << Dump(report);

  auto ordered = ParentsFirst(report.units, Existing());
  auto pos = [&](std::string_view code) {
    return std::find_if(ordered.begin(), ordered.end(),
                        [&](const UnitRow& u) { return u.code == code; }) -
           ordered.begin();
  };
  EXPECT_LT(pos("370112002002"), pos("370112002002008"));
  EXPECT_LT(pos("370112002002"), pos("370112002002009"));
  EXPECT_EQ(ordered.size(), 5u);
}

TEST(OrgImport, WrongNestingNamesRowAndFieldAndFailsTheWholeFile) {
  auto report = ValidateUnits(ParseUnitsCsv("code,name,kind,parent_code,grid_kind\n"
                                            "370112002005,新社区,community,370112002,\n"
                                            "370112002005001,第一网格,grid,370112002,basic\n"
                                            "370112002009001,第二网格,grid,370112002001,basic\n"),
                              Existing());
  EXPECT_FALSE(report.ok());
  EXPECT_FALSE(HasError(report, 1, "parent_code")) << Dump(report);
  EXPECT_TRUE(HasError(report, 2, "parent_code")) << Dump(report);  // grid under a street
  EXPECT_TRUE(HasError(report, 3, "code")) << Dump(report);         // does not extend its community
  auto row3 = std::find_if(report.errors.begin(), report.errors.end(),
                           [](const ImportError& e) { return e.row == 3; });
  EXPECT_EQ(row3->message,
            "grid code must be 15 digits and start with its community's code 370112002001, got "
            "'370112002009001'");
  EXPECT_NE(ToString(*row3).find("row 3, code: "), std::string::npos);
}

TEST(OrgImport, ReportsEveryProblemNotJustTheFirst) {
  auto report = ValidateUnits(ParseUnitsCsv("code,name,kind,parent_code,grid_kind\n"
                                            "370112002001,重复社区,community,370112002,\n"
                                            "370112002007,,community,370112002,\n"
                                            "370112002008,社区A,community,370112002,\n"
                                            "370112002008,社区B,community,370112002,\n"
                                            "370112002007001,网格,grid,370112002007,\n"
                                            "370112002,街道,street,370112,basic\n"
                                            "370112002006,社区,community,370112099,\n"
                                            "370112002001002,网格,grid,,basic\n"
                                            "370112003001,关停街道的社区,community,370112003,\n"
                                            "kitchen,食堂,department,,\n"
                                            "370112002010,村,village,370112002,\n"),
                              Existing());
  EXPECT_FALSE(report.ok());
  EXPECT_TRUE(HasError(report, 1, "code")) << Dump(report);          // already exists
  EXPECT_TRUE(HasError(report, 2, "name")) << Dump(report);          // empty
  EXPECT_TRUE(HasError(report, 4, "code")) << Dump(report);          // duplicate in file
  EXPECT_TRUE(HasError(report, 5, "grid_kind")) << Dump(report);     // required
  EXPECT_TRUE(HasError(report, 6, "grid_kind")) << Dump(report);     // forbidden
  EXPECT_TRUE(HasError(report, 7, "parent_code")) << Dump(report);   // unknown parent
  EXPECT_FALSE(HasError(report, 8, "parent_code")) << Dump(report);  // implied from the code
  EXPECT_TRUE(HasError(report, 9, "parent_code")) << Dump(report);   // inactive parent
  EXPECT_TRUE(HasError(report, 10, "parent_code")) << Dump(report);  // department needs one
  EXPECT_TRUE(HasError(report, 11, "kind")) << Dump(report);         // unknown kind
  EXPECT_TRUE(std::is_sorted(report.errors.begin(), report.errors.end(),
                             [](const auto& a, const auto& b) { return a.row < b.row; }));
  auto dup = std::find_if(report.errors.begin(), report.errors.end(),
                          [](const ImportError& e) { return e.row == 4; });
  EXPECT_NE(dup->message.find("first at row 3"), std::string::npos);
}

TEST(OrgImport, DepartmentLoopsAreRejectedAndOrderedLast) {
  auto report = ValidateUnits(ParseUnitsCsv("code,name,kind,parent_code\n"
                                            "a,甲科,department,b\n"
                                            "b,乙科,department,a\n"
                                            "c,丙科,department,zjj\n"
                                            "self,自己,department,self\n"),
                              Existing());
  EXPECT_TRUE(HasError(report, 1, "parent_code")) << Dump(report);
  EXPECT_TRUE(HasError(report, 2, "parent_code")) << Dump(report);
  EXPECT_FALSE(HasError(report, 3, "parent_code")) << Dump(report);
  EXPECT_TRUE(HasError(report, 4, "parent_code")) << Dump(report);
  auto ordered = ParentsFirst(report.units, Existing());
  ASSERT_EQ(ordered.size(), 4u);
  EXPECT_EQ(ordered[0].code, "c");
}

TEST(OrgImport, KindInferredFromCodeLikeTheDemoDivisionsFile) {
  auto report = ValidateUnits(ParseUnitsCsv("code,name,parent_code\n"
                                            "370112001001,甸柳社区居民委员会,370112001\n"
                                            "370112001,山大路街道,370112\n"
                                            "370112,历城区,\n"),
                              {});
  EXPECT_TRUE(report.ok()) << Dump(report);
  auto ordered = ParentsFirst(report.units, {});
  ASSERT_EQ(ordered.size(), 3u);
  EXPECT_EQ(ordered[0].kind, UnitKind::kDistrict);
  EXPECT_EQ(ordered[1].kind, UnitKind::kStreet);
  EXPECT_EQ(ordered[2].kind, UnitKind::kCommunity);
}

TEST(OrgImport, QuotedCsvWithEmbeddedNewlineChineseHeaderAndBom) {
  auto parsed = ParseUnitsCsv(
      "\xEF\xBB\xBF编码,名称,类型,上级编码,网格类型\r\n"
      "370112002003,\"花园社区\n（东区）\",社区,370112002,\r\n"
      "370112002003001,\"第一网格, 东\",网格,370112002003,基础网格\r\n");
  ASSERT_TRUE(parsed.ok()) << Dump(parsed);
  ASSERT_EQ(parsed.units.size(), 2u);
  EXPECT_EQ(parsed.units[0].name, "花园社区\n（东区）");
  EXPECT_EQ(parsed.units[1].name, "第一网格, 东");
  EXPECT_EQ(parsed.units[1].row, 2);  // records, not lines
  EXPECT_TRUE(ValidateUnits(parsed, Existing()).ok());
}

TEST(OrgImport, HeaderAndShapeErrors) {
  auto missing = ParseUnitsCsv("code,title\n1,2\n");
  EXPECT_TRUE(HasError(missing, 0, "title")) << Dump(missing);
  EXPECT_TRUE(HasError(missing, 0, "name")) << Dump(missing);
  EXPECT_TRUE(missing.units.empty());

  auto ragged = ParseUnitsCsv("code,name\n370112002004,社区,extra\n370112002005,社区\n");
  EXPECT_TRUE(HasError(ragged, 1, "")) << Dump(ragged);
  EXPECT_EQ(ragged.units.size(), 1u);

  EXPECT_FALSE(ParseUnitsCsv("").ok());
  EXPECT_FALSE(ParseUnitsCsv("code,name\n1,\"open\n").ok());
}

TEST(OrgImport, JsonArrayOrObject) {
  auto a = ParseUnitsJson(R"([{"code":"370112002004","name":"新社区","kind":"community",
                              "parent_code":370112002},
                             {"code":"370112002004001","name":"网格","kind":"grid",
                              "grid_kind":"dedicated"}])");
  ASSERT_TRUE(a.ok()) << Dump(a);
  EXPECT_EQ(a.units[0].parent_code, "370112002");
  EXPECT_TRUE(ValidateUnits(a, Existing()).ok()) << Dump(ValidateUnits(a, Existing()));

  auto o = ParseUnitsJson(R"({"units":[{"code":"x1","name":"科","kind":"部门","parent_code":"zjj"},
                                       {"code":"x2","name":["no"],"kind":"department"},
                                       {"name":"无编码","kind":"department"},
                                       {"code":"x3","name":"科","kind":"department","parnet":"zjj"},
                                       7]})");
  EXPECT_EQ(o.units.size(), 1u);
  EXPECT_TRUE(HasError(o, 2, "name")) << Dump(o);
  EXPECT_TRUE(HasError(o, 3, "code")) << Dump(o);
  EXPECT_TRUE(HasError(o, 4, "parnet")) << Dump(o);
  EXPECT_TRUE(HasError(o, 5, "")) << Dump(o);

  EXPECT_TRUE(HasError(ParseUnitsJson("{not json"), 0, ""));
  EXPECT_TRUE(HasError(ParseUnitsJson(R"({"x":1})"), 0, "units"));
}

TEST(OrgImport, UsersAreCheckedAgainstUnitsLoginsPasswordsAndPhones) {
  std::vector<User> users = {{1, "Admin", "管理员", Role::kAdmin, 1, "", "", true}};
  auto parsed = ParseUsersCsv(
      "login,display_name,role,unit_code,password,phone\n"
      "370112002001001_张三,张三,grid_worker,370112002001001,demo,13812345678\n"
      "admin,重名,admin,370112,demo,\n"
      "zhang,张四,网格员,370112002,demo,\n"
      "li,李四,handler,370112099,demo,\n"
      "wang,王五,handler,zjj,abc,\n"
      "zhao,赵六,handler,zjj,demo,phone-me\n"
      "zhao,赵七,dispatcher,370112003,demo,0531-88881234\n"
      "qian,钱八,boss,zjj,demo,\n"
      "new,新人,handler,zjj-wy,demo,\n");
  parsed.units.push_back({0, "zjj-wy", "物业科", "zjj", UnitKind::kDepartment, std::nullopt});
  auto report = ValidateUsers(parsed, Existing(), users);
  EXPECT_FALSE(report.ok());
  EXPECT_FALSE(HasError(report, 1, "login")) << Dump(report);  // Chinese in a grid login is fine
  EXPECT_FALSE(HasError(report, 1, "role")) << Dump(report);
  EXPECT_TRUE(HasError(report, 2, "login")) << Dump(report);      // exists, case-insensitively
  EXPECT_TRUE(HasError(report, 3, "role")) << Dump(report);       // grid worker on a street
  EXPECT_TRUE(HasError(report, 4, "unit_code")) << Dump(report);  // unknown unit
  EXPECT_TRUE(HasError(report, 5, "password")) << Dump(report);   // too short
  EXPECT_TRUE(HasError(report, 6, "phone")) << Dump(report);
  EXPECT_TRUE(HasError(report, 7, "login")) << Dump(report);       // duplicate in file
  EXPECT_TRUE(HasError(report, 7, "unit_code")) << Dump(report);   // inactive unit
  EXPECT_TRUE(HasError(report, 8, "role")) << Dump(report);        // unknown role
  EXPECT_FALSE(HasError(report, 9, "unit_code")) << Dump(report);  // unit from this import
  for (const auto& e : report.errors) EXPECT_EQ(e.message.find("phone-me"), std::string::npos);
}

}  // namespace
}  // namespace hotline
