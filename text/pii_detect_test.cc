#include "text/pii_detect.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hotline::text {
namespace {

// Valid GB 11643 numbers (checksums computed independently), Luhn-valid cards.
constexpr char kId[] = "370112199003071230";
constexpr char kIdX[] = "11010519491231002X";
constexpr char kCard19[] = "6222021234567890128";
constexpr char kCard16[] = "6228480012345671";

struct Found {
  std::string text;
  PiiKind kind;
  bool operator==(const Found&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Found& f) {
  return os << PiiKindName(f.kind) << ":" << f.text;
}

std::vector<Found> Find(std::string_view s) {
  std::vector<Found> out;
  for (const PiiSpan& span : FindPii(s)) {
    out.push_back({std::string(s.substr(span.begin, span.end - span.begin)), span.kind});
  }
  return out;
}

TEST(PiiChecks, IdChecksum) {
  EXPECT_TRUE(IsValidIdNumber(kId));
  EXPECT_TRUE(IsValidIdNumber(kIdX));
  EXPECT_TRUE(IsValidIdNumber("11010519491231002x"));
  EXPECT_FALSE(IsValidIdNumber("370112199003071234"));  // wrong check digit
  EXPECT_FALSE(IsValidIdNumber("370112199002301230"));  // 30 February
  EXPECT_FALSE(IsValidIdNumber("37011219900307123"));   // 17 characters
}

TEST(PiiChecks, Luhn) {
  EXPECT_TRUE(PassesLuhn(kCard19));
  EXPECT_TRUE(PassesLuhn(kCard16));
  EXPECT_TRUE(PassesLuhn("4111111111111111"));
  EXPECT_FALSE(PassesLuhn("6222021234567890123"));
  EXPECT_FALSE(PassesLuhn(""));
}

TEST(FindPii, RealisticAppeal) {
  const std::string text = std::string("本人张某,身份证号") + kId +
                           ",联系电话138-1234-5678,家住历城区洪家楼街道。上月通过银行卡" + kCard19 +
                           "缴纳物业费,至今未开发票,订单号2611230000123,请核实。";
  EXPECT_EQ(Find(text), (std::vector<Found>{{kId, PiiKind::kIdNumber},
                                            {"138-1234-5678", PiiKind::kMobile},
                                            {kCard19, PiiKind::kBankCard}}));
  EXPECT_EQ(MaskPii(text), std::string("本人张某,身份证号370112********1230,联系电话138-****-5678,"
                                       "家住历城区洪家楼街道。上月通过银行卡***************0128"
                                       "缴纳物业费,至今未开发票,订单号2611230000123,请核实。"));
}

TEST(FindPii, NotFound) {
  EXPECT_TRUE(Find("订单号2611230000123").empty());
  // 18 digits, wrong ID check digit and failing Luhn too: not personal data.
  EXPECT_TRUE(Find("编号370112199003071234").empty());
  // Inside longer digit runs.
  EXPECT_TRUE(Find("流水号913812345678").empty());
  EXPECT_TRUE(Find("流水号138123456789").empty());
  EXPECT_TRUE(Find("流水号1370112199003071230").empty());
  // Not a mobile prefix, not an area code, too short.
  EXPECT_TRUE(Find("12812345678 00531888812 0531-1234567 12345 2024-05-06").empty());
  EXPECT_TRUE(Find("a@b @example.com x@localhost y@1.23").empty());
}

TEST(FindPii, WrongIdChecksumThatPassesLuhnIsMaskedAsCard) {
  // Privacy first: an 18-digit run that is a Luhn-valid card number is still masked.
  EXPECT_EQ(Find("370112199003071232"),
            (std::vector<Found>{{"370112199003071232", PiiKind::kBankCard}}));
}

TEST(FindPii, MobileForms) {
  EXPECT_EQ(Find("电话13812345678。"), (std::vector<Found>{{"13812345678", PiiKind::kMobile}}));
  EXPECT_EQ(Find("tel 138 1234 5678"), (std::vector<Found>{{"138 1234 5678", PiiKind::kMobile}}));
  EXPECT_EQ(Find("手机１３８１２３４５６７８"),
            (std::vector<Found>{{"１３８１２３４５６７８", PiiKind::kMobile}}));
  EXPECT_EQ(Find("+86 199-0000-1111"), (std::vector<Found>{{"199-0000-1111", PiiKind::kMobile}}));
  EXPECT_EQ(Find("8613812345678"), (std::vector<Found>{{"13812345678", PiiKind::kMobile}}));
  EXPECT_EQ(Find("(13812345678)"), (std::vector<Found>{{"13812345678", PiiKind::kMobile}}));
}

TEST(FindPii, LandlineForms) {
  EXPECT_EQ(Find("0531-88881234"), (std::vector<Found>{{"0531-88881234", PiiKind::kLandline}}));
  EXPECT_EQ(Find("(0531)88881234"), (std::vector<Found>{{"(0531)88881234", PiiKind::kLandline}}));
  EXPECT_EQ(Find("（0531）8888 1234"),
            (std::vector<Found>{{"（0531）8888 1234", PiiKind::kLandline}}));
  EXPECT_EQ(Find("053188881234"), (std::vector<Found>{{"053188881234", PiiKind::kLandline}}));
  EXPECT_EQ(Find("010-62345678"), (std::vector<Found>{{"010-62345678", PiiKind::kLandline}}));
  EXPECT_EQ(Find("0531 8888123"), (std::vector<Found>{{"0531 8888123", PiiKind::kLandline}}));
}

TEST(FindPii, IdAndCardForms) {
  EXPECT_EQ(Find(std::string("身份证") + kIdX + "。"),
            (std::vector<Found>{{kIdX, PiiKind::kIdNumber}}));
  EXPECT_EQ(Find("身份证110105 19491231 002x"),
            (std::vector<Found>{{"110105 19491231 002x", PiiKind::kIdNumber}}));
  EXPECT_EQ(Find("卡号6228 4800 1234 5671"),
            (std::vector<Found>{{"6228 4800 1234 5671", PiiKind::kBankCard}}));
  EXPECT_EQ(Find("卡号6222-0212-3456-7890-128"),
            (std::vector<Found>{{"6222-0212-3456-7890-128", PiiKind::kBankCard}}));
}

TEST(FindPii, SeveralNumbersInOneChain) {
  EXPECT_EQ(Find("13812345678 0531-88881234"),
            (std::vector<Found>{{"13812345678", PiiKind::kMobile},
                                {"0531-88881234", PiiKind::kLandline}}));
}

TEST(FindPii, Email) {
  EXPECT_EQ(Find("邮箱zhang.san+1@example.com.cn。"),
            (std::vector<Found>{{"zhang.san+1@example.com.cn", PiiKind::kEmail}}));
  EXPECT_EQ(Find("abc@qq.com13812345678"), (std::vector<Found>{{"abc@qq.com", PiiKind::kEmail},
                                                               {"13812345678", PiiKind::kMobile}}));
  // Digits inside an e-mail address are part of the e-mail, not a phone number.
  EXPECT_EQ(Find("13812345678@163.com"),
            (std::vector<Found>{{"13812345678@163.com", PiiKind::kEmail}}));
}

TEST(MaskPii, Formats) {
  EXPECT_EQ(MaskPii("电话13812345678"), "电话138****5678");
  EXPECT_EQ(MaskPii("手机１３８１２３４５６７８号"), "手机１３８****５６７８号");
  EXPECT_EQ(MaskPii("（0531）88881234"), "（0531）****1234");
  EXPECT_EQ(MaskPii("010-62345678"), "010-****5678");
  EXPECT_EQ(MaskPii(kIdX), "110105********002X");
  EXPECT_EQ(MaskPii("6228 4800 1234 5671"), "**** **** **** 5671");
  EXPECT_EQ(MaskPii("zhangsan@example.com"), "z*******@example.com");
  EXPECT_EQ(MaskPii("ab@example.com"), "**@example.com");
}

TEST(MaskPii, Idempotent) {
  // The card's visible 0712 next to 37011219 must not read as a landline once masked.
  const std::string text = "卡号370112199990030712 37011219,电话138 1234 5678";
  const std::string masked = MaskPii(text);
  EXPECT_EQ(masked, "卡号**************0712 37011219,电话138 **** 5678");
  EXPECT_EQ(MaskPii(masked), masked);
}

TEST(MaskPii, EverythingElseByteIdentical) {
  const std::string text = "无个人信息:订单号2611230000123,金额3.50元\xff";
  EXPECT_EQ(MaskPii(text), text);
  EXPECT_EQ(MaskPii(""), "");
}

}  // namespace
}  // namespace hotline::text
