#include "service/csv.h"

#include <csv.h>

#include <algorithm>

namespace hotline {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

struct Collector {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> current;
};

void OnField(void* data, std::size_t len, void* sink) {
  auto* c = static_cast<Collector*>(sink);
  c->current.emplace_back(static_cast<const char*>(data), len);
}

void OnRecordEnd(int /*terminator*/, void* sink) {
  auto* c = static_cast<Collector*>(sink);
  c->rows.push_back(std::move(c->current));
  c->current.clear();
}

// Owns a csv_parser so every return path frees it.
class Parser {
 public:
  Parser() : ok_(csv_init(&p_, CSV_STRICT | CSV_STRICT_FINI) == 0) {}
  ~Parser() {
    if (ok_) csv_free(&p_);
  }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  bool ok() const { return ok_; }
  csv_parser* get() { return &p_; }

 private:
  csv_parser p_{};
  bool ok_;
};

int LineAt(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + offset, '\n'));
}

}  // namespace

Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view csv) {
  if (csv.starts_with(kUtf8Bom)) csv.remove_prefix(kUtf8Bom.size());
  Parser parser;
  if (!parser.ok()) return Status(Code::kInternal, "csv: cannot initialise the parser");
  Collector sink;
  std::size_t done = csv_parse(parser.get(), csv.data(), csv.size(), OnField, OnRecordEnd, &sink);
  if (done != csv.size()) {
    return Invalid("csv", "malformed CSV at line " + std::to_string(LineAt(csv, done)) + ": " +
                              csv_strerror(csv_error(parser.get())));
  }
  if (csv_fini(parser.get(), OnField, OnRecordEnd, &sink) != 0) {
    return Invalid("csv", "malformed CSV at the end of the text (line " +
                              std::to_string(LineAt(csv, csv.size())) +
                              "): a quoted field is not closed");
  }
  return std::move(sink.rows);
}

std::string CsvEscape(std::string_view field) {
  bool quote = field.find_first_of(",\"\r\n") != std::string_view::npos ||
               (!field.empty() && (field.front() == ' ' || field.front() == '\t' ||
                                   field.back() == ' ' || field.back() == '\t'));
  if (!quote) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace hotline
