// Entries from xlsx files written by libxlsxwriter (as Excel or WPS would save them: shared
// strings, numbers, date-typed cells), and files that are not xlsx.
#include <gtest/gtest.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "kb/entry_io.h"

namespace hotline::kb {
namespace {

// An xlsx made by `fill` on its first sheet, as bytes.
std::string Workbook(const std::function<void(lxw_workbook*, lxw_worksheet*)>& fill) {
  char path[] = "/tmp/hotline-kb-xlsx-test-XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  ::close(fd);
  const std::string file = std::string(path) + ".xlsx";
  lxw_workbook* wb = workbook_new(file.c_str());
  lxw_worksheet* ws = workbook_add_worksheet(wb, "知识库");
  fill(wb, ws);
  EXPECT_EQ(workbook_close(wb), LXW_NO_ERROR);
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::remove(file.c_str());
  std::remove(path);
  return ss.str();
}

const char* kHeader[] = {"id",         "owning_unit", "title",         "body",
                         "subjects",   "source_name", "source_number", "source_link",
                         "valid_from", "valid_until", "review_due",    "attachments"};

void Header(lxw_worksheet* ws) {
  for (int c = 0; c < 12; ++c)
    worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), kHeader[c], nullptr);
}

TEST(KbEntryXlsx, ReadsTheFirstSheetLikeTheCsv) {
  const std::string bytes = Workbook([](lxw_workbook* wb, lxw_worksheet* ws) {
    Header(ws);
    lxw_format* date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    worksheet_write_string(ws, 1, 0, "kb1", nullptr);
    worksheet_write_string(ws, 1, 1, "住房公积金管理中心", nullptr);
    worksheet_write_string(ws, 1, 2, "公积金提取", nullptr);
    worksheet_write_string(ws, 1, 3, "购房可提取公积金，需提供\"购房合同\"。", nullptr);
    worksheet_write_string(ws, 1, 4, "住房;公积金", nullptr);
    lxw_datetime until = {2027, 1, 1, 0, 0, 0};
    worksheet_write_datetime(ws, 1, 9, &until, date);          // a date-typed cell (a day serial)
    worksheet_write_string(ws, 1, 10, "2026-06-30", nullptr);  // a date typed as text
    // row 3 left blank; row 4: a number in the title column
    worksheet_write_string(ws, 3, 0, "kb2", nullptr);
    worksheet_write_string(ws, 3, 1, "医保局", nullptr);
    worksheet_write_number(ws, 3, 2, 12345, nullptr);
    worksheet_write_string(ws, 3, 3, "异地就医备案后可直接结算。", nullptr);
  });
  auto r = ParseEntriesXlsx(bytes);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].field << ": " << r.errors[0].message;
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].id, "kb1");
  EXPECT_EQ(r.rows[0].owning_unit, "住房公积金管理中心");
  EXPECT_EQ(r.rows[0].content.body, "购房可提取公积金，需提供\"购房合同\"。");
  EXPECT_EQ(r.rows[0].content.subjects, (std::vector<std::string>{"住房", "公积金"}));
  EXPECT_EQ(FormatBeijingDate(r.rows[0].content.valid_until), "2027-01-01");
  EXPECT_EQ(FormatBeijingDate(r.rows[0].content.review_due), "2026-06-30");
  EXPECT_EQ(r.rows[1].id, "kb2");
  EXPECT_EQ(r.rows[1].content.title, "12345");
}

TEST(KbEntryXlsx, BadRowsAreReportedAndNothingIsImported) {
  const std::string bytes = Workbook([](lxw_workbook*, lxw_worksheet* ws) {
    Header(ws);
    worksheet_write_string(ws, 1, 0, "a", nullptr);
    worksheet_write_string(ws, 1, 1, "局", nullptr);
    worksheet_write_string(ws, 1, 3, "答案", nullptr);
    worksheet_write_string(ws, 2, 0, "b", nullptr);
    worksheet_write_string(ws, 2, 1, "局", nullptr);  // no body
  });
  auto r = ParseEntriesXlsx(bytes);
  EXPECT_TRUE(r.rows.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].row, 2u);
  EXPECT_EQ(r.errors[0].field, "body");
}

TEST(KbEntryXlsx, NotAnXlsxIsOneFileError) {
  for (const std::string bad :
       {std::string("id,body\n"), std::string("PK\x03\x04garbage", 11), std::string()}) {
    auto r = ParseEntriesXlsx(bad);
    EXPECT_TRUE(r.rows.empty());
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].row, 0u);
    EXPECT_EQ(r.errors[0].field, "file");
  }
  // A zip that is not a workbook.
  const std::string empty_book = Workbook([](lxw_workbook*, lxw_worksheet*) {});
  auto r = ParseEntriesXlsx(empty_book);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].field, "file");  // the first worksheet is empty
}

}  // namespace
}  // namespace hotline::kb
