// Import and export of knowledge entries (issue 17 item 4) as CSV and JSON: parse every row,
// collect every row's errors, and return rows only when there are none (nothing is imported on
// any error). Export writes the same columns, so an export imports again unchanged.
//
// Columns / JSON keys: id, owning_unit, title, body, subjects (';'-separated in CSV, an array in
// JSON), source_name, source_number, source_link, valid_from, valid_until, review_due (dates
// YYYY-MM-DD, Beijing midnight; empty = none), attachments (';'-separated / array).
// xlsx: the first worksheet, first row the column names, read with minizip + libxml2
// (kb/entry_xlsx.cc); cells typed as dates in the date columns become YYYY-MM-DD.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kb/entry.h"

namespace hotline::kb {

struct ImportRow {
  std::string id;
  std::string owning_unit;
  EntryContent content;
};

struct RowError {
  size_t row = 0;  // 1 = the first data row
  std::string field;
  std::string message;
};

struct ImportResult {
  std::vector<ImportRow> rows;  // empty whenever errors is not
  std::vector<RowError> errors;
  // The file as a whole is unreadable (bad CSV quoting, not JSON, no header): one error, row 0.
};

ImportResult ParseEntriesCsv(std::string_view csv);
ImportResult ParseEntriesJson(std::string_view json);
ImportResult ParseEntriesXlsx(std::string_view bytes);

std::string ExportEntriesCsv(const std::vector<ImportRow>& rows);
std::string ExportEntriesJson(const std::vector<ImportRow>& rows);

// "2026-12-07" -> epoch seconds of that day's 00:00 in Beijing (UTC+8); -1 when malformed.
int64_t ParseBeijingDate(std::string_view date);
std::string FormatBeijingDate(int64_t epoch_seconds);

}  // namespace hotline::kb
