#include "service/csv.h"

#include <gtest/gtest.h>

namespace hotline {
namespace {

using Rows = std::vector<std::vector<std::string>>;

TEST(Csv, QuotedFieldsWithCommasQuotesNewlinesAndChinese) {
  auto r = ParseCsv(
      "code,name\r\n"
      "370112002,\"洪家楼街道, 历城区\"\r\n"
      "370112003,\"东风\"\"街道\"\"\"\r\n"
      "370112004,\"全福\n街道\"\r\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, (Rows{{"code", "name"},
                      {"370112002", "洪家楼街道, 历城区"},
                      {"370112003", "东风\"街道\""},
                      {"370112004", "全福\n街道"}}));
}

TEST(Csv, BomBlankLinesAndMissingFinalNewline) {
  auto r = ParseCsv(
      "\xEF\xBB\xBF"
      "a,b\n\n1,2\n\r\n3,\n4,5");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Rows{{"a", "b"}, {"1", "2"}, {"3", ""}, {"4", "5"}}));
}

TEST(Csv, EmptyInputHasNoRecords) {
  auto r = ParseCsv("");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(Csv, MalformedQuotingIsAnErrorNamingTheLine) {
  auto r = ParseCsv("a,b\n1,2\n3,\"x\"y\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("line 3"), std::string::npos) << r.status().message();

  auto open = ParseCsv("a,b\n1,\"never closed\n");
  ASSERT_FALSE(open.ok());
}

TEST(Csv, EscapeRoundTrips) {
  std::vector<std::string> fields = {"plain",  "a,b", "say \"hi\"", "two\nlines", " padded ",
                                     "历城区", ""};
  std::string line;
  for (const auto& f : fields) {
    if (!line.empty()) line += ',';
    line += CsvEscape(f);
  }
  EXPECT_EQ(CsvEscape("plain"), "plain");
  EXPECT_EQ(CsvEscape("say \"hi\""), "\"say \"\"hi\"\"\"");
  auto r = ParseCsv(line + "\r\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0], fields);
}

}  // namespace
}  // namespace hotline
