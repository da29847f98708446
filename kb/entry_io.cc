#include "kb/entry_io.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "service/csv.h"

namespace hotline::kb {
namespace {

constexpr const char* kColumns[] = {"id",         "owning_unit", "title",         "body",
                                    "subjects",   "source_name", "source_number", "source_link",
                                    "valid_from", "valid_until", "review_due",    "attachments"};

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(';', start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view part = s.substr(start, end - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
    start = end + 1;
  }
  return out;
}

std::string JoinList(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ";" : "") + v[i];
  return out;
}

// One row as field -> text (lists already joined with ';'), validated into an ImportRow.
void ParseRow(size_t row, const std::vector<std::pair<std::string, std::string>>& fields,
              std::set<std::string>& ids, ImportResult& out) {
  ImportRow r;
  std::vector<RowError> errs;
  auto date = [&](const std::string& name, const std::string& v, int64_t& target) {
    if (v.empty()) return;
    const int64_t t = ParseBeijingDate(v);
    if (t < 0)
      errs.push_back({row, name, "not a date YYYY-MM-DD: " + v});
    else
      target = t;
  };
  for (const auto& [k, v] : fields) {
    if (k == "id")
      r.id = v;
    else if (k == "owning_unit")
      r.owning_unit = v;
    else if (k == "title")
      r.content.title = v;
    else if (k == "body")
      r.content.body = v;
    else if (k == "subjects")
      r.content.subjects = SplitList(v);
    else if (k == "source_name")
      r.content.source.name = v;
    else if (k == "source_number")
      r.content.source.number = v;
    else if (k == "source_link")
      r.content.source.link = v;
    else if (k == "valid_from")
      date(k, v, r.content.valid_from);
    else if (k == "valid_until")
      date(k, v, r.content.valid_until);
    else if (k == "review_due")
      date(k, v, r.content.review_due);
    else if (k == "attachments")
      r.content.attachments = SplitList(v);
  }
  if (r.id.empty())
    errs.push_back({row, "id", "empty id"});
  else if (!ids.insert(r.id).second)
    errs.push_back({row, "id", "duplicate id " + r.id});
  if (r.owning_unit.empty()) errs.push_back({row, "owning_unit", "empty owning unit"});
  // The same content rules as CreateEntry.
  EntryActor centre{"import", "", true};
  if (errs.empty()) {
    auto e = CreateEntry(r.id, r.owning_unit, r.content, centre, 0);
    if (!e.ok()) errs.push_back({row, e.status().field(), e.status().message()});
  }
  for (auto& e : errs) out.errors.push_back(std::move(e));
  out.rows.push_back(std::move(r));
}

ImportResult Finish(ImportResult r) {
  if (!r.errors.empty()) r.rows.clear();
  return r;
}

}  // namespace

int64_t ParseBeijingDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return -1;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return -1;
  const int y = std::stoi(std::string(s.substr(0, 4)));
  const unsigned m = std::stoi(std::string(s.substr(5, 2)));
  const unsigned d = std::stoi(std::string(s.substr(8, 2)));
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m),
                                        std::chrono::day(d)};
  if (!ymd.ok()) return -1;
  const auto days = std::chrono::sys_days(ymd).time_since_epoch().count();
  return static_cast<int64_t>(days) * 86400 - 8 * 3600;
}

std::string FormatBeijingDate(int64_t t) {
  if (t == 0) return "";
  const auto days = std::chrono::floor<std::chrono::days>(
      std::chrono::sys_seconds(std::chrono::seconds(t + 8 * 3600)));
  const std::chrono::year_month_day ymd{days};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

ImportResult ParseEntriesCsv(std::string_view csv) {
  ImportResult out;
  auto rows = ParseCsv(csv);
  if (!rows.ok()) {
    out.errors.push_back({0, "file", rows.status().message()});
    return out;
  }
  if (rows->empty()) {
    out.errors.push_back({0, "file", "empty file (no header row)"});
    return out;
  }
  const auto& head = (*rows)[0];
  for (const char* need : {"id", "owning_unit", "body"})
    if (std::find(head.begin(), head.end(), need) == head.end())
      out.errors.push_back({0, need, std::string("no column ") + need});
  if (!out.errors.empty()) return out;
  std::set<std::string> ids;
  for (size_t r = 1; r < rows->size(); ++r) {
    std::vector<std::pair<std::string, std::string>> fields;
    for (size_t c = 0; c < head.size() && c < (*rows)[r].size(); ++c)
      fields.emplace_back(head[c], (*rows)[r][c]);
    ParseRow(r, fields, ids, out);
  }
  return Finish(std::move(out));
}

ImportResult ParseEntriesJson(std::string_view text) {
  ImportResult out;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    out.errors.push_back({0, "file", std::string("not JSON: ") + e.what()});
    return out;
  }
  if (j.is_object() && j.contains("entries")) j = j["entries"];
  if (!j.is_array()) {
    out.errors.push_back({0, "file", "expected an array of entries (or {\"entries\": [...]})"});
    return out;
  }
  std::set<std::string> ids;
  for (size_t r = 0; r < j.size(); ++r) {
    const auto& o = j[r];
    if (!o.is_object()) {
      out.errors.push_back({r + 1, "entry", "not an object"});
      continue;
    }
    std::vector<std::pair<std::string, std::string>> fields;
    bool bad = false;
    for (auto it = o.begin(); it != o.end(); ++it) {
      if (it.value().is_string()) {
        fields.emplace_back(it.key(), it.value().get<std::string>());
      } else if (it.value().is_array() && (it.key() == "subjects" || it.key() == "attachments")) {
        std::vector<std::string> items;
        for (const auto& x : it.value()) {
          if (!x.is_string())
            bad = true;
          else
            items.push_back(x.get<std::string>());
        }
        if (bad) {
          out.errors.push_back({r + 1, it.key(), "a list of strings expected"});
          break;
        }
        fields.emplace_back(it.key(), JoinList(items));
      } else if (!it.value().is_null()) {
        out.errors.push_back({r + 1, it.key(), "a string expected"});
        bad = true;
        break;
      }
    }
    if (!bad) ParseRow(r + 1, fields, ids, out);
  }
  return Finish(std::move(out));
}

std::string ExportEntriesCsv(const std::vector<ImportRow>& rows) {
  std::string out;
  for (size_t i = 0; i < std::size(kColumns); ++i) out += (i ? "," : "") + std::string(kColumns[i]);
  out += "\r\n";
  for (const auto& r : rows) {
    const auto& c = r.content;
    const std::string f[] = {r.id,
                             r.owning_unit,
                             c.title,
                             c.body,
                             JoinList(c.subjects),
                             c.source.name,
                             c.source.number,
                             c.source.link,
                             FormatBeijingDate(c.valid_from),
                             FormatBeijingDate(c.valid_until),
                             FormatBeijingDate(c.review_due),
                             JoinList(c.attachments)};
    for (size_t i = 0; i < std::size(f); ++i) out += (i ? "," : "") + CsvEscape(f[i]);
    out += "\r\n";
  }
  return out;
}

std::string ExportEntriesJson(const std::vector<ImportRow>& rows) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : rows) {
    const auto& c = r.content;
    arr.push_back({{"id", r.id},
                   {"owning_unit", r.owning_unit},
                   {"title", c.title},
                   {"body", c.body},
                   {"subjects", c.subjects},
                   {"source_name", c.source.name},
                   {"source_number", c.source.number},
                   {"source_link", c.source.link},
                   {"valid_from", FormatBeijingDate(c.valid_from)},
                   {"valid_until", FormatBeijingDate(c.valid_until)},
                   {"review_due", FormatBeijingDate(c.review_due)},
                   {"attachments", c.attachments}});
  }
  return nlohmann::json{{"entries", arr}}.dump(2);
}

}  // namespace hotline::kb
