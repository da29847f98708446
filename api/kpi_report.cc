#include "api/kpi_report.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "domain/calendar.h"
#include "service/csv.h"

namespace hotline::api::report {
namespace {

using analytics::Counter;

// The metric columns in report order, with their Chinese names.
const std::pair<const char*, const char*> kMetrics[] = {
    {"response_rate", "响应率"},
    {"resolution_rate", "解决率"},
    {"satisfaction_rate", "满意率"},
    {"sign_on_time_rate", "及时签收率"},
    {"completion_on_time_rate", "按时办结率"},
    {"return_rate", "回退率"},
    {"redo_rate", "重办率"},
    {"extension_rate", "延期率"},
    {"direct_answer_rate", "直办率"},
};

Cell Text(std::string s) { return {Cell::Kind::kText, std::move(s), 0}; }
Cell Int(std::int64_t n) { return {Cell::Kind::kInt, {}, static_cast<double>(n)}; }
Cell Rate(const analytics::Ratio& r) {
  auto v = r.value();
  if (!v) return {};
  return {Cell::Kind::kRate, {}, *v};
}
Cell Score(std::optional<double> s) {
  if (!s) return {};
  return {Cell::Kind::kScore, {}, *s};
}
Cell Rank(int rank) { return rank > 0 ? Int(rank) : Cell{}; }

const char* KindZh(UnitKind k) {
  switch (k) {
    case UnitKind::kStreet:
      return "街道";
    case UnitKind::kCommunity:
      return "社区";
    case UnitKind::kGrid:
      return "网格";
    case UnitKind::kDepartment:
      return "部门";
    case UnitKind::kCenter:
      return "热线中心";
    case UnitKind::kDistrict:
      return "区县";
    case UnitKind::kCity:
      return "市";
    default:
      return "全区";
  }
}

Sheet RankingSheet(const char* name, const char* unit_header, const Ranking& r) {
  Sheet s;
  s.name = name;
  s.headers = {"排名",   unit_header, "编码",   "综合得分", "上月排名",
               "响应率", "解决率",    "满意率", "派单量"};
  for (const RankingRow& row : r.rows) {
    const auto& m = row.row.report.metrics;
    s.rows.push_back({Rank(row.row.rank), Text(row.unit.name), Text(row.unit.code),
                      Score(row.row.score), Rank(row.previous_rank), Rate(m.at("response_rate")),
                      Rate(m.at("resolution_rate")), Rate(m.at("satisfaction_rate")),
                      Int(row.row.report.counters[Counter::kAssigned])});
  }
  return s;
}

std::string CsvNumber(const Cell& c) {
  char buf[64];
  if (c.kind == Cell::Kind::kInt)
    std::snprintf(buf, sizeof buf, "%.0f", c.number);
  else
    std::snprintf(buf, sizeof buf, "%.10g", c.number);
  return buf;
}

}  // namespace

// "2026-10-03 14:05", Beijing time (UTC+8, no daylight saving).
static std::string FormatLocal(Timestamp t) {
  const Timestamp local = t + 8 * 3600;
  const Timestamp day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  const Timestamp sec = local - day * 86400;
  const CivilDate d = CivilFromDays(day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", d.year, d.month, d.day,
                static_cast<int>(sec / 3600), static_cast<int>(sec % 3600 / 60));
  return buf;
}

std::vector<Sheet> MonthlySheets(const MonthlyReport& r) {
  std::vector<Sheet> out;
  // A city store: the city's ranking of its districts first.
  if (!r.districts.rows.empty()) out.push_back(RankingSheet("区县排名", "区县", r.districts));
  out.push_back(RankingSheet("街道排名", "街道", r.streets));
  out.push_back(RankingSheet("部门排名", "部门", r.departments));
  // At city level, one sheet per district: its streets, then its departments, each ranked
  // within the district by the city's formulas and weights.
  for (const MonthlyReport::DistrictSection& d : r.by_district) {
    Sheet s = RankingSheet("", "单位", d.streets);
    s.name = d.district.name;
    for (auto& row : RankingSheet("", "单位", d.departments).rows) s.rows.push_back(std::move(row));
    out.push_back(std::move(s));
  }

  Sheet units;
  units.name = "单位指标";
  units.headers = {"单位", "编码", "类型", "受理量", "重复件", "派单量"};
  for (const auto& [_, zh] : kMetrics) units.headers.push_back(zh);
  units.headers.push_back("月末超期");
  units.headers.push_back("综合得分");
  for (const KpiRow& row : r.units) {
    const analytics::KpiReport& k = row.change.current;
    std::vector<Cell> cells = {Text(row.unit.name),
                               Text(row.unit.code),
                               Text(KindZh(row.unit.kind)),
                               Int(k.counters[Counter::kReceived]),
                               Int(k.counters[Counter::kDuplicates]),
                               Int(k.counters[Counter::kAssigned])};
    for (const auto& [name, _] : kMetrics) cells.push_back(Rate(k.metrics.at(name)));
    cells.push_back(Int(k.overdue_at_end));
    cells.push_back(Score(k.composite));
    units.rows.push_back(std::move(cells));
  }
  out.push_back(std::move(units));

  Sheet subjects;
  subjects.name = "热点诉求";
  subjects.headers = {"排名",       "诉求大类编码",   "诉求大类", "受理量",
                      "去重受理量", "上月去重受理量", "环比增减"};
  int rank = 0;
  for (const SubjectCount& s : r.subjects) {
    subjects.rows.push_back({Int(++rank), Text(s.code), Text(s.name), Int(s.received),
                             Int(s.unique), Int(s.previous_unique),
                             Int(s.unique - s.previous_unique)});
  }
  out.push_back(std::move(subjects));

  Sheet hot;
  hot.name = "热点";
  hot.headers = {"排名",     "热点", "诉求件数", "来电人数", "增长",
                 "热度指数", "地点", "首次受理", "最近受理", "关键词"};
  rank = 0;
  for (const HotspotView& h : r.hotspots) {
    std::string keywords;
    for (const std::string& k : h.keywords) keywords += (keywords.empty() ? "" : "、") + k;
    hot.rows.push_back({Int(++rank), Text(h.title), Int(h.count), Int(h.distinct_callers),
                        Score(h.growth), Score(h.heat), Text(h.place_name),
                        Text(FormatLocal(h.first_at)), Text(FormatLocal(h.last_at)),
                        Text(keywords)});
  }
  out.push_back(std::move(hot));
  return out;
}

std::string ToCsv(const std::vector<Sheet>& sheets) {
  std::string out = "\xEF\xBB\xBF";
  bool first = true;
  for (const Sheet& s : sheets) {
    if (!first) out += "\r\n";
    first = false;
    out += "# " + s.name + "\r\n";
    for (size_t i = 0; i < s.headers.size(); ++i) out += (i ? "," : "") + CsvEscape(s.headers[i]);
    out += "\r\n";
    for (const auto& row : s.rows) {
      for (size_t i = 0; i < row.size(); ++i) {
        if (i) out += ",";
        const Cell& c = row[i];
        if (c.kind == Cell::Kind::kText)
          out += CsvEscape(c.text);
        else if (c.kind != Cell::Kind::kEmpty)
          out += CsvNumber(c);
      }
      out += "\r\n";
    }
  }
  return out;
}

Result<std::string> ToXlsx(const std::vector<Sheet>& sheets, const std::string& title) {
  // libxlsxwriter 1.1.4 writes to a file only: a private temporary file, read back.
  char path[] = "/tmp/hotline_report_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return Status(Code::kInternal, "cannot create a temporary file for the workbook");
  close(fd);
  struct Cleanup {
    const char* p;
    ~Cleanup() { std::remove(p); }
  } cleanup{path};

  lxw_workbook* wb = workbook_new(path);
  if (!wb) return Status(Code::kInternal, "cannot start the workbook");
  lxw_doc_properties props{};
  props.title = const_cast<char*>(title.c_str());
  props.author = const_cast<char*>("hotline");
  workbook_set_properties(wb, &props);
  lxw_format* head = workbook_add_format(wb);
  format_set_bold(head);
  lxw_format* rate = workbook_add_format(wb);
  format_set_num_format(rate, "0.00%");
  lxw_format* score = workbook_add_format(wb);
  format_set_num_format(score, "0.00");
  for (const Sheet& s : sheets) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, s.name.c_str());
    if (!ws) {
      workbook_close(wb);
      return Status(Code::kInternal, "cannot add the sheet " + s.name);
    }
    for (size_t c = 0; c < s.headers.size(); ++c)
      worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), s.headers[c].c_str(), head);
    worksheet_set_column(ws, 0, static_cast<lxw_col_t>(s.headers.size()), 12, nullptr);
    worksheet_freeze_panes(ws, 1, 0);
    for (size_t r = 0; r < s.rows.size(); ++r) {
      for (size_t c = 0; c < s.rows[r].size(); ++c) {
        const Cell& cell = s.rows[r][c];
        auto row = static_cast<lxw_row_t>(r + 1);
        auto col = static_cast<lxw_col_t>(c);
        switch (cell.kind) {
          case Cell::Kind::kEmpty:
            break;
          case Cell::Kind::kText:
            worksheet_write_string(ws, row, col, cell.text.c_str(), nullptr);
            break;
          case Cell::Kind::kInt:
            worksheet_write_number(ws, row, col, cell.number, nullptr);
            break;
          case Cell::Kind::kRate:
            worksheet_write_number(ws, row, col, cell.number, rate);
            break;
          case Cell::Kind::kScore:
            worksheet_write_number(ws, row, col, cell.number, score);
            break;
        }
      }
    }
  }
  lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR)
    return Status(Code::kInternal, std::string("writing the workbook: ") + lxw_strerror(err));
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace hotline::api::report
