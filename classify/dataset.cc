#include "classify/dataset.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "service/csv.h"

namespace hotline::classify {

std::vector<std::string> SplitColumns(std::string_view cols) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= cols.size()) {
    size_t end = cols.find(',', start);
    if (end == std::string_view::npos) end = cols.size();
    std::string_view c = cols.substr(start, end - start);
    while (!c.empty() && c.front() == ' ') c.remove_prefix(1);
    while (!c.empty() && c.back() == ' ') c.remove_suffix(1);
    if (!c.empty()) out.emplace_back(c);
    start = end + 1;
  }
  return out;
}

Result<CsvExamples> ReadExamplesCsv(const std::string& path,
                                    const std::vector<std::string>& text_columns,
                                    const std::string& label_column) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return Status(Code::kNotFound, "input file not found: " + path, "input");
  if (text_columns.empty()) return Invalid("text", "no text columns given");
  std::ifstream f(path, std::ios::binary);
  std::ostringstream buf;
  buf << f.rdbuf();
  auto parsed = ParseCsv(buf.str());
  if (!parsed.ok()) return Invalid("input", path + ": " + parsed.status().message());
  const auto& rows = *parsed;
  if (rows.empty()) return Invalid("input", path + ": empty file (no header row)");
  const auto& head = rows[0];
  auto find = [&](const std::string& name) -> int {
    for (size_t i = 0; i < head.size(); ++i)
      if (head[i] == name) return static_cast<int>(i);
    return -1;
  };
  std::vector<int> text_idx;
  std::string missing;
  for (const auto& c : text_columns) {
    const int i = find(c);
    if (i < 0) missing += (missing.empty() ? "" : ", ") + c;
    text_idx.push_back(i);
  }
  int label_idx = -1;
  if (!label_column.empty()) {
    label_idx = find(label_column);
    if (label_idx < 0) missing += (missing.empty() ? "" : ", ") + label_column;
  }
  if (!missing.empty()) {
    std::string have;
    for (const auto& h : head) have += (have.empty() ? "" : ", ") + h;
    return Invalid("columns", path + ": missing column(s) " + missing + " (the header has: " +
                                  have + ")");
  }
  if (rows.size() < 2) return Invalid("input", path + ": no data rows after the header");
  CsvExamples out;
  out.examples.reserve(rows.size() - 1);
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    auto cell = [&](int i) -> std::string {
      return i < static_cast<int>(row.size()) ? row[i] : std::string();
    };
    Example e;
    for (size_t k = 0; k < text_idx.size(); ++k) {
      if (k) e.text.push_back('\n');
      e.text += cell(text_idx[k]);
    }
    if (label_idx >= 0) {
      e.label = cell(label_idx);
      if (e.label.empty())
        return Invalid("label", path + ": record " + std::to_string(r) + " has an empty " +
                                    label_column);
    }
    out.subjects.push_back(cell(text_idx[0]));
    out.examples.push_back(std::move(e));
  }
  return out;
}

}  // namespace hotline::classify
