#include "kb/entry_io.h"

#include <gtest/gtest.h>

namespace hotline::kb {
namespace {

const char* kGood =
    "id,owning_unit,title,body,subjects,source_name,source_number,source_link,valid_from,"
    "valid_until,review_due,attachments\r\n"
    "kb1,住房公积金管理中心,公积金提取,\"购房可提取公积金，需提供购房合同。\",住房;公积金,"
    "提取管理办法,京房公积金发〔2020〕1号,https://example.org/a,2026-01-01,2027-01-01,"
    "2026-06-30,doc:1;doc:2\r\n"
    "kb2,医保局,,异地就医备案后可直接结算。,医疗,,,,,,,\r\n";

TEST(KbEntryIo, CsvImportsAndExportsTheSameRows) {
  auto r = ParseEntriesCsv(kGood);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].field << ": " << r.errors[0].message;
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].content.subjects, (std::vector<std::string>{"住房", "公积金"}));
  EXPECT_EQ(r.rows[0].content.attachments.size(), 2u);
  EXPECT_EQ(FormatBeijingDate(r.rows[0].content.valid_until), "2027-01-01");
  EXPECT_EQ(r.rows[1].content.valid_until, 0);
  auto again = ParseEntriesCsv(ExportEntriesCsv(r.rows));
  ASSERT_TRUE(again.errors.empty());
  EXPECT_EQ(ExportEntriesCsv(again.rows), ExportEntriesCsv(r.rows));
  auto json = ParseEntriesJson(ExportEntriesJson(r.rows));
  ASSERT_TRUE(json.errors.empty()) << json.errors[0].message;
  EXPECT_EQ(ExportEntriesCsv(json.rows), ExportEntriesCsv(r.rows));
}

TEST(KbEntryIo, EveryBadRowIsReportedAndNothingIsImported) {
  const std::string csv =
      "id,owning_unit,body,valid_until,source_link\n"
      "a,局,答案,2026-13-01,\n"       // bad date
      "b,局,   ,,\n"                  // empty body
      "a,局,答案,,\n"                 // duplicate id
      "c,,答案,,\n"                   // no unit
      "d,局,答案,,ftp://x\n"          // bad link
      "e,局,好的答案,2026-12-31,\n";  // fine
  auto r = ParseEntriesCsv(csv);
  EXPECT_TRUE(r.rows.empty());
  ASSERT_EQ(r.errors.size(), 5u);
  EXPECT_EQ(r.errors[0].row, 1u);
  EXPECT_EQ(r.errors[0].field, "valid_until");
  EXPECT_EQ(r.errors[1].field, "body");
  EXPECT_EQ(r.errors[2].field, "id");
  EXPECT_EQ(r.errors[3].field, "owning_unit");
  EXPECT_EQ(r.errors[4].field, "source.link");
  EXPECT_EQ(r.errors[4].row, 5u);
}

TEST(KbEntryIo, UnreadableFilesAreOneError) {
  EXPECT_EQ(ParseEntriesCsv("title\nx\n").errors.size(), 3u);  // no id, owning_unit, body
  EXPECT_EQ(ParseEntriesJson("{not json").errors.at(0).field, "file");
  auto r = ParseEntriesJson(R"([{"id":"a","owning_unit":"局","body":"x","subjects":[1]}])");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].field, "subjects");
}

TEST(KbEntryIo, BeijingDates) {
  EXPECT_EQ(ParseBeijingDate("1970-01-02"), 86400 - 8 * 3600);
  EXPECT_EQ(ParseBeijingDate("2026-02-30"), -1);
  EXPECT_EQ(ParseBeijingDate("2026/01/01"), -1);
  EXPECT_EQ(FormatBeijingDate(ParseBeijingDate("2026-12-07")), "2026-12-07");
}

}  // namespace
}  // namespace hotline::kb
