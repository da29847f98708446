#include "domain/codes.h"

#include <gtest/gtest.h>

namespace hotline {
namespace {

TEST(Codes, RealLichengAndLixiaCodesAreValid) {
  EXPECT_TRUE(ValidateUnitCode(UnitKind::kDistrict, "370112").ok());
  EXPECT_TRUE(ValidateUnitCode(UnitKind::kStreet, "370112002").ok());
  EXPECT_TRUE(ValidateUnitCode(UnitKind::kCommunity, "370112001001").ok());
  EXPECT_TRUE(ValidateUnitCode(UnitKind::kCommunity, "370112018229").ok());  // 村委会
  EXPECT_TRUE(ValidateUnitCode(UnitKind::kGrid, "370102013006008").ok());
  EXPECT_TRUE(ValidateUnitCode(UnitKind::kGrid, "370102011201016").ok());  // 专属 grid in a village
  EXPECT_TRUE(ValidateUnitCode(UnitKind::kStreet, "370112150").ok());      // 镇
  EXPECT_TRUE(ValidateUnitCode(UnitKind::kStreet, "370112250").ok());      // 乡
}

TEST(Codes, MalformedTerritorialCodesAreRejectedWithTheField) {
  for (auto [kind, code] : std::vector<std::pair<UnitKind, std::string>>{
           {UnitKind::kDistrict, "37011"},
           {UnitKind::kDistrict, "37011a"},
           {UnitKind::kDistrict, "370100"},  // a city, not a district
           {UnitKind::kStreet, "370112000"},
           {UnitKind::kStreet, "370112400"},
           {UnitKind::kStreet,
            "３７０１１２００２"},  // full-width is normalised by callers, not here
           {UnitKind::kCommunity, "370112001000"},
           {UnitKind::kCommunity, "370112001400"},
           {UnitKind::kGrid, "370112001001000"},
           {UnitKind::kGrid, "37011200100100"},
           {UnitKind::kGrid, ""},
       }) {
    Status st = ValidateUnitCode(kind, code);
    EXPECT_FALSE(st.ok()) << code;
    EXPECT_EQ(st.field(), "code") << code;
    EXPECT_EQ(st.code(), Code::kInvalidArgument);
  }
}

TEST(Codes, StreetRangesAreNamedInTheMessage) {
  Status st = ValidateUnitCode(UnitKind::kStreet, "370112450");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("001-099 (街道)"), std::string::npos) << st.message();
}

TEST(Codes, DepartmentCodesAreFreeFormButBounded) {
  EXPECT_TRUE(ValidateUnitCode(UnitKind::kDepartment, "LC-zjj_01").ok());
  EXPECT_TRUE(ValidateUnitCode(UnitKind::kCenter, "12345").ok());
  EXPECT_FALSE(ValidateUnitCode(UnitKind::kDepartment, "").ok());
  EXPECT_FALSE(ValidateUnitCode(UnitKind::kDepartment, "住建局").ok());
  EXPECT_FALSE(ValidateUnitCode(UnitKind::kDepartment, "a b").ok());
  EXPECT_FALSE(ValidateUnitCode(UnitKind::kDepartment, std::string(33, 'a')).ok());
  EXPECT_TRUE(ValidateUnitCode(UnitKind::kDepartment, std::string(32, 'a')).ok());
}

TEST(Codes, TerritorialNestingFollowsTheTree) {
  EXPECT_TRUE(ValidateNesting(UnitKind::kStreet, "370112002", UnitKind::kDistrict, "370112").ok());
  EXPECT_TRUE(
      ValidateNesting(UnitKind::kCommunity, "370112002001", UnitKind::kStreet, "370112002").ok());
  EXPECT_TRUE(
      ValidateNesting(UnitKind::kGrid, "370112002001008", UnitKind::kCommunity, "370112002001")
          .ok());
}

TEST(Codes, GridMustExtendItsCommunitysCode) {
  Status st =
      ValidateNesting(UnitKind::kGrid, "370112002001008", UnitKind::kCommunity, "370112001001");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.field(), "code");
  EXPECT_EQ(st.message(),
            "grid code must be 15 digits and start with its community's code 370112001001, got "
            "'370112002001008'");
}

TEST(Codes, GridNeverDirectlyUnderAStreet) {
  Status st = ValidateNesting(UnitKind::kGrid, "370112002001008", UnitKind::kStreet, "370112002");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.field(), "parent_code");
  EXPECT_NE(st.message().find("never directly to a street"), std::string::npos);
}

TEST(Codes, WrongParentKindsAreRejected) {
  EXPECT_FALSE(
      ValidateNesting(UnitKind::kCommunity, "370112002001", UnitKind::kDistrict, "370112").ok());
  EXPECT_FALSE(
      ValidateNesting(UnitKind::kStreet, "370112002", UnitKind::kStreet, "370112001").ok());
  EXPECT_FALSE(ValidateNesting(UnitKind::kDistrict, "370112", UnitKind::kDistrict, "370102").ok());
  EXPECT_FALSE(ValidateNesting(UnitKind::kStreet, "370112002", UnitKind::kDistrict, "37011").ok());
  Status st = ValidateNesting(UnitKind::kDepartment, "zjj", UnitKind::kStreet, "370112002");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.field(), "parent_code");
}

TEST(Codes, DepartmentsAndCentreSitUnderTheDistrictOrADepartment) {
  EXPECT_TRUE(ValidateNesting(UnitKind::kDepartment, "zjj", UnitKind::kDistrict, "370112").ok());
  EXPECT_TRUE(ValidateNesting(UnitKind::kDepartment, "zjj-1", UnitKind::kDepartment, "zjj").ok());
  EXPECT_TRUE(ValidateNesting(UnitKind::kCenter, "hotline", UnitKind::kDistrict, "370112").ok());
  EXPECT_FALSE(
      ValidateNesting(UnitKind::kCenter, "hotline", UnitKind::kGrid, "370112002001008").ok());
}

TEST(Codes, ImpliedParentCode) {
  EXPECT_EQ(ImpliedParentCode(UnitKind::kGrid, "370112002001008"), "370112002001");
  EXPECT_EQ(ImpliedParentCode(UnitKind::kCommunity, "370112002001"), "370112002");
  EXPECT_EQ(ImpliedParentCode(UnitKind::kStreet, "370112002"), "370112");
  EXPECT_EQ(ImpliedParentCode(UnitKind::kDistrict, "370112"), "");
  EXPECT_EQ(ImpliedParentCode(UnitKind::kDepartment, "zjj"), "");
  EXPECT_EQ(ImpliedParentCode(UnitKind::kGrid, "3701"), "");
}

TEST(Codes, ACityIsSixDigitsEndingIn00AndNotAProvince) {
  EXPECT_TRUE(ValidateUnitCode(UnitKind::kCity, "370100").ok());  // 济南市
  for (std::string code : {"370000", "370112", "37010", "3701000", "037100", "37a100"}) {
    Status st = ValidateUnitCode(UnitKind::kCity, code);
    EXPECT_FALSE(st.ok()) << code;
    EXPECT_EQ(st.field(), "code") << code;
  }
  EXPECT_NE(ValidateUnitCode(UnitKind::kCity, "370000").message().find("province"),
            std::string::npos);
}

TEST(Codes, DistrictsSitUnderTheirOwnCity) {
  EXPECT_TRUE(ValidateNesting(UnitKind::kDistrict, "370112", UnitKind::kCity, "370100").ok());
  EXPECT_TRUE(ValidateNesting(UnitKind::kDistrict, "370102", UnitKind::kCity, "370100").ok());
  // Qingdao's Shinan district is not Jinan's.
  Status other = ValidateNesting(UnitKind::kDistrict, "370202", UnitKind::kCity, "370100");
  EXPECT_EQ(other.field(), "code");
  // Only a city is a district's parent; a city has none.
  EXPECT_EQ(ValidateNesting(UnitKind::kDistrict, "370112", UnitKind::kDepartment, "zjj").field(),
            "parent_code");
  EXPECT_EQ(ValidateNesting(UnitKind::kCity, "370100", UnitKind::kDistrict, "370112").field(),
            "parent_code");
  // The city's hotline centre and departments sit under the city.
  EXPECT_TRUE(ValidateNesting(UnitKind::kCenter, "CENTER", UnitKind::kCity, "370100").ok());
  EXPECT_TRUE(ValidateNesting(UnitKind::kDepartment, "JN-zjj", UnitKind::kCity, "370100").ok());
  // Streets never sit directly under a city.
  EXPECT_EQ(ValidateNesting(UnitKind::kStreet, "370112002", UnitKind::kCity, "370100").field(),
            "parent_code");
  EXPECT_EQ(ImpliedParentCode(UnitKind::kCity, "370100"), "");
}

}  // namespace
}  // namespace hotline
