// The monthly KPI report (GET /api/v1/reports/monthly, `hotline report`): the
// service's MonthlyReport laid out as sheets with Chinese headers, written as an
// Excel workbook (libxlsxwriter) or as CSV (UTF-8 with a byte-order mark, so that
// Excel and WPS open the Chinese text correctly). Rates are fractions (0.9810),
// shown as percentages in Excel; the numbers are those of GET /api/v1/kpis.
// Thread-safety: pure functions (the xlsx writer uses a private temporary file).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "domain/result.h"
#include "service/hotline_service.h"

namespace hotline::api::report {

// A cell: empty (a rate without data), text, an integer count, a rate, or a score.
struct Cell {
  enum class Kind { kEmpty, kText, kInt, kRate, kScore };
  Kind kind = Kind::kEmpty;
  std::string text;
  double number = 0;
};

struct Sheet {
  std::string name;  // Chinese; at most 31 characters (Excel)
  std::vector<std::string> headers;
  std::vector<std::vector<Cell>> rows;
};

// 街道排名, 部门排名, 单位指标, 热点诉求 (top level-1 subjects), 热点 (the month's hotspots).
std::vector<Sheet> MonthlySheets(const MonthlyReport& report);

// Every sheet as a titled block ("# 街道排名"), blank line between blocks; BOM first.
std::string ToCsv(const std::vector<Sheet>& sheets);

// An .xlsx workbook. Errors: kInternal when the writer fails.
Result<std::string> ToXlsx(const std::vector<Sheet>& sheets, const std::string& title);

}  // namespace hotline::api::report
