#include "service/pii.h"

#include <gtest/gtest.h>

namespace hotline {
namespace {

TEST(Pii, MaskNameKeepsOnlyTheSurname) {
  EXPECT_EQ(MaskName("张三丰"), "张**");
  EXPECT_EQ(MaskName("张三"), "张**");
  EXPECT_EQ(MaskName("欧阳娜娜"), "欧阳**");
  EXPECT_EQ(MaskName("司马光"), "司马**");
  EXPECT_EQ(MaskName("欧阳"), "欧**");  // too short to tell surname from given name
  EXPECT_EQ(MaskName("Li Lei"), "L**");
  EXPECT_EQ(MaskName("  王五 "), "王**");
  EXPECT_EQ(MaskName("买买提·艾力"), "买**");
  EXPECT_EQ(MaskName("张"), "*");
  EXPECT_EQ(MaskName(""), "");
  // Invalid UTF-8 never yields a broken character or leaks the rest.
  EXPECT_EQ(MaskName("\xE5\xBC"), "*");
  EXPECT_EQ(MaskName("\xE5\xBC"
                     "abc"),
            "\xEF\xBF\xBD**");
}

TEST(Pii, MaskPhoneHidesTheMiddleDigits) {
  EXPECT_EQ(MaskPhone("13812345678"), "138****5678");
  EXPECT_EQ(MaskPhone("+86 138-1234-5678"), "138****5678");
  EXPECT_EQ(MaskPhone("１３８１２３４５６７８"), "138****5678");
  EXPECT_EQ(MaskPhone("0531-88881234"), "0531-****1234");
  EXPECT_EQ(MaskPhone("(0531)88881234"), "0531-****1234");
  EXPECT_EQ(MaskPhone("053188881234"), "0531-****1234");
  EXPECT_EQ(MaskPhone("010-6123456"), "010-***3456");
  EXPECT_EQ(MaskPhone("0531-88881234-806"), "0531-****1234-806");
  EXPECT_EQ(MaskPhone("4001234567"), "400*****67");
  EXPECT_EQ(MaskPhone("12345"), "*****");
  EXPECT_EQ(MaskPhone("电话号码未知"), "电话号*未知");
  for (std::string masked : {MaskPhone("13812345678"), MaskPhone("0531-88881234")}) {
    EXPECT_EQ(masked.find("1234") == std::string::npos || masked.ends_with("1234"), true);
    EXPECT_EQ(masked.find("8888"), std::string::npos);
  }
}

TEST(Pii, MaskIdNumberKeepsRegionAndLastFour) {
  EXPECT_EQ(MaskIdNumber("370112199001011234"), "370112********1234");
  EXPECT_EQ(MaskIdNumber("37011219900101123x"), "370112********123x");
  EXPECT_EQ(MaskIdNumber("３７０１１２１９９００１０１１２３４"), "370112********1234");
  EXPECT_EQ(MaskIdNumber("370112900101123"), "370112******123");
  EXPECT_EQ(MaskIdNumber("370112199001011234").find("19900101"), std::string::npos);
  EXPECT_EQ(MaskIdNumber("E12345678"), "E12****78");
}

TEST(Pii, MaskAddressKeepsPlacesAndHidesBuildingUnitRoom) {
  EXPECT_EQ(MaskAddress("历城区洪家楼街道山大花园3号楼2单元501"),
            "历城区洪家楼街道山大花园**号楼**单元***");
  EXPECT_EQ(MaskAddress("历城区山大花园12栋3单元1202室"), "历城区山大花园**栋**单元***室");
  EXPECT_EQ(MaskAddress("山大花园三号楼二单元"), "山大花园**号楼**单元");
  EXPECT_EQ(MaskAddress("山大花园B座1502"), "山大花园**座***");
  EXPECT_EQ(MaskAddress("山大花园3-2-501"), "山大花园***");
  EXPECT_EQ(MaskAddress("历下区经10路十里河村"), "历下区经10路十里河村");
  EXPECT_EQ(MaskAddress("山大花园３号楼"), "山大花园**号楼");
  EXPECT_EQ(MaskAddress("高新区SOHO"), "高新区SOHO");
  EXPECT_EQ(MaskAddress(""), "");
}

// Valid IDs computed with the GB 11643 MOD 11-2 check.
TEST(Pii, IdNumberChecksumDateAndProvince) {
  EXPECT_TRUE(IsValidIdNumber("11010519491231002X"));
  EXPECT_TRUE(IsValidIdNumber("11010519491231002x"));
  EXPECT_TRUE(IsValidIdNumber("370102198511300020"));
  EXPECT_TRUE(IsValidIdNumber("370112199001011234"));
  EXPECT_FALSE(IsValidIdNumber("370112199001011235"));  // one digit off
  EXPECT_FALSE(IsValidIdNumber("370112189001011235"));  // checksum ok, born before 1900
  EXPECT_TRUE(IsValidIdNumber("１１０１０５１９４９１２３１００２Ｘ"));
  EXPECT_FALSE(IsValidIdNumber("110105194912310021"));  // wrong check character
  EXPECT_FALSE(IsValidIdNumber("110105194902300024"));  // 30 February
  EXPECT_FALSE(IsValidIdNumber("990105194912310020"));  // no such province
  EXPECT_FALSE(IsValidIdNumber("11010519491231002"));   // 17 characters
  EXPECT_FALSE(IsValidIdNumber("1101051949123100A2"));
  EXPECT_FALSE(IsValidIdNumber(""));
}

TEST(Pii, MobileNumbers) {
  EXPECT_TRUE(IsValidMobile("13812345678"));
  EXPECT_TRUE(IsValidMobile("+8613812345678"));
  EXPECT_TRUE(IsValidMobile("0086 138 1234 5678"));
  EXPECT_TRUE(IsValidMobile("１３８１２３４５６７８"));
  EXPECT_FALSE(IsValidMobile("12812345678"));
  EXPECT_FALSE(IsValidMobile("1381234567"));
  EXPECT_FALSE(IsValidMobile("138123456789"));
  EXPECT_FALSE(IsValidMobile("+1 3812345678"));
  EXPECT_FALSE(IsValidMobile("1381234567a"));
}

TEST(Pii, ValidatePhoneAcceptsChineseNumberFormats) {
  for (const char* ok : {"13812345678", "+86 138 1234 5678", "0531-88881234", "(0531)88881234",
                         "053188881234", "010-61234567", "0531-88881234转806", "400-123-4567",
                         "800 123 4567", "12345", "110", "95598", "０５３１－８８８８１２３４"}) {
    EXPECT_TRUE(ValidatePhone("caller_phone", ok).ok()) << ok;
  }
}

TEST(Pii, ValidatePhoneRejectsLettersAndNamesTheFieldWithoutEchoingTheValue) {
  for (const char* bad : {"", "138abc45678", "88881234", "0031-88881234", "23456", "1234567",
                          "13812345678#", "5001234567", "电话"}) {
    Status st = ValidatePhone("caller_phone", bad);
    EXPECT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.field(), "caller_phone");
    if (*bad) {
      EXPECT_EQ(st.message().find(bad), std::string::npos) << st.message();
    }
  }
  EXPECT_NE(ValidatePhone("phone", "138abc45678").message().find("letters"), std::string::npos);
}

TEST(Pii, HalfWidthDigits) {
  EXPECT_EQ(HalfWidthDigits("１３８－（Ｘ）　历城"), "138-(X) 历城");
  EXPECT_EQ(HalfWidthDigits("plain"), "plain");
}

}  // namespace
}  // namespace hotline

namespace hotline {
namespace {

TEST(Pii, RedactTextMasksNumbersAndTheCallersOwnNameAndPhone) {
  const std::string t = "我是张三丰，电话13812345678，身份证370112199202023450，备用1381234 5678";
  const std::string masked = RedactText(t, "张三丰", "13812345678", false);
  EXPECT_EQ(masked.find("张三丰"), std::string::npos);
  EXPECT_NE(masked.find("张**"), std::string::npos);
  EXPECT_EQ(masked.find("13812345678"), std::string::npos);
  EXPECT_EQ(masked.find("199202023"), std::string::npos);
  const std::string hidden = RedactText(t, "张三丰", "13812345678", true);
  EXPECT_EQ(hidden.find("张"), std::string::npos) << "not even the surname: " << hidden;
  EXPECT_EQ(RedactText("路灯不亮", "", "", true), "路灯不亮");
  EXPECT_EQ(RedactText("王先生反映路灯不亮", "王", "", true), "王先生反映路灯不亮")
      << "one-character names are not searched for";
}

TEST(Pii, RedactTitleMasksTheDigitsOfANumberTheTitleCut) {
  const std::string content = "举报人电话13822223333，身份证370112199202023450，举报收受好处";
  EXPECT_EQ(RedactTitle("举报人电话1382222", content, "", "", true), "举报人电话*******");
  EXPECT_EQ(RedactTitle("举报人电话13822223333身份证3701121992…", content, "", "", true),
            "举报人电话138****3333身份证**********…");
  EXPECT_EQ(RedactTitle("路灯不亮…", content, "", "", true), "路灯不亮…");
  EXPECT_EQ(RedactTitle("经十路12", "经十路12", "", "", true), "经十路12")
      << "a title that is the whole content keeps its numbers";
}

}  // namespace
}  // namespace hotline
