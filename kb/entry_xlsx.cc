// Entries from an xlsx workbook (issue 17 item 4): the first worksheet, first row the column
// names of kb/entry_io.h, read with minizip (the zip container; Debian libminizip-dev, the
// library libxlsxwriter already uses to write the monthly report) and libxml2 (the sheet and
// shared-string XML; already linked for Open311). Debian 12 has no xlsx reader library for C/C++
// (freexl 1.0 reads .xls only; no xlsxio), so the container and the XML are read with these two
// and the cells go through the CSV path: one set of column rules and row errors for both.
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <minizip/unzip.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kb/entry_io.h"

namespace hotline::kb {
namespace {

constexpr size_t kMaxPartBytes = 64u << 20;  // a decompressed part larger than this is refused

ImportResult FileError(std::string message) {
  ImportResult r;
  r.errors.push_back({0, "file", std::move(message)});
  return r;
}

// One part of the zip, or nullopt (missing / unreadable / too large: `why` says which).
std::optional<std::string> ReadPart(unzFile zip, const char* name, std::string* why) {
  if (unzLocateFile(zip, name, 0) != UNZ_OK) {
    *why = std::string(name) + " is missing";
    return std::nullopt;
  }
  unz_file_info info;
  if (unzGetCurrentFileInfo(zip, &info, nullptr, 0, nullptr, 0, nullptr, 0) != UNZ_OK ||
      info.uncompressed_size > kMaxPartBytes || unzOpenCurrentFile(zip) != UNZ_OK) {
    *why = std::string(name) + " cannot be read";
    return std::nullopt;
  }
  std::string out;
  char buf[65536];
  int n;
  while ((n = unzReadCurrentFile(zip, buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > kMaxPartBytes) break;
  }
  unzCloseCurrentFile(zip);
  if (n < 0 || out.size() > kMaxPartBytes) {
    *why = std::string(name) + " is damaged or too large";
    return std::nullopt;
  }
  return out;
}

bool Is(const xmlNode* n, const char* name) {
  return n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, BAD_CAST name) == 0;
}

// The text of every <t> below `n` (a shared string may be split into rich-text runs).
void TextOf(const xmlNode* n, std::string& out) {
  for (const xmlNode* c = n->children; c; c = c->next) {
    if (Is(c, "t")) {
      if (xmlChar* s = xmlNodeGetContent(c)) {
        out += reinterpret_cast<const char*>(s);
        xmlFree(s);
      }
    } else if (c->type == XML_ELEMENT_NODE && !Is(c, "rPh")) {  // rPh: phonetic hints, not text
      TextOf(c, out);
    }
  }
}

std::string Attr(const xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, BAD_CAST name);
  if (!v) return {};
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

// "C12" -> 2 (0-based column); -1 when malformed.
int ColumnOf(const std::string& ref) {
  int col = 0;
  size_t i = 0;
  for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z'; ++i) col = col * 26 + (ref[i] - 'A' + 1);
  return i == 0 || col > 16384 ? -1 : col - 1;
}

xmlDoc* ParseXml(const std::string& text) {
  return xmlReadMemory(text.data(), static_cast<int>(text.size()), nullptr, nullptr,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

std::string CsvField(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// An Excel date serial (days since 1899-12-30) as YYYY-MM-DD; nullopt when not a plain number.
std::optional<std::string> SerialDate(const std::string& v) {
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size() || d < 1 || d > 2958465) return std::nullopt;
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
  long z = static_cast<long>(d) - 25569 + 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  const long year = static_cast<long>(yoe) + era * 400 + (month <= 2);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04ld-%02u-%02u", year, month, day);
  return std::string(buf);
}

}  // namespace

ImportResult ParseEntriesXlsx(std::string_view bytes) {
  if (bytes.size() < 4 || bytes.substr(0, 2) != "PK") return FileError("not an xlsx file");
  // minizip reads files; the upload goes to a private temporary file for the read.
  char path[] = "/tmp/hotline-kb-xlsx-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return FileError("cannot make a temporary file for the xlsx");
  bool written = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  ::close(fd);
  unzFile zip = written ? unzOpen64(path) : nullptr;
  ::unlink(path);  // the open handle keeps the data readable
  if (!zip) return FileError("not an xlsx file (not a readable zip)");
  std::string why;
  std::optional<std::string> sheet = ReadPart(zip, "xl/worksheets/sheet1.xml", &why);
  std::string ignored;
  std::optional<std::string> shared = ReadPart(zip, "xl/sharedStrings.xml", &ignored);
  unzClose(zip);
  if (!sheet) return FileError("not an xlsx workbook: " + why);

  std::vector<std::string> strings;
  if (shared) {
    xmlDoc* doc = ParseXml(*shared);
    if (!doc) return FileError("xl/sharedStrings.xml is not XML");
    for (xmlNode* si = xmlDocGetRootElement(doc)->children; si; si = si->next) {
      if (!Is(si, "si")) continue;
      std::string s;
      TextOf(si, s);
      strings.push_back(std::move(s));
    }
    xmlFreeDoc(doc);
  }

  xmlDoc* doc = ParseXml(*sheet);
  if (!doc) return FileError("the first worksheet is not XML");
  std::vector<std::vector<std::string>> rows;
  xmlNode* data = nullptr;
  for (xmlNode* n = xmlDocGetRootElement(doc)->children; n; n = n->next)
    if (Is(n, "sheetData")) data = n;
  std::string bad;
  for (xmlNode* r = data ? data->children : nullptr; r && bad.empty(); r = r->next) {
    if (!Is(r, "row")) continue;
    std::vector<std::string> row;
    for (xmlNode* c = r->children; c; c = c->next) {
      if (!Is(c, "c")) continue;
      const int col = ColumnOf(Attr(c, "r"));
      if (col < 0) {
        bad = "a cell has no valid reference (r=\"" + Attr(c, "r").substr(0, 16) + "\")";
        break;
      }
      const std::string type = Attr(c, "t");
      std::string value;
      for (xmlNode* v = c->children; v; v = v->next) {
        if (Is(v, "v")) {
          if (xmlChar* s = xmlNodeGetContent(v)) {
            value = reinterpret_cast<const char*>(s);
            xmlFree(s);
          }
        } else if (Is(v, "is")) {
          TextOf(v, value);
        }
      }
      if (type == "s") {
        char* end = nullptr;
        const long i = std::strtol(value.c_str(), &end, 10);
        if (value.empty() || *end != '\0' || i < 0 || static_cast<size_t>(i) >= strings.size()) {
          bad = "a cell refers to a missing shared string";
          break;
        }
        value = strings[static_cast<size_t>(i)];
      }
      if (row.size() <= static_cast<size_t>(col)) row.resize(static_cast<size_t>(col) + 1);
      row[static_cast<size_t>(col)] = std::move(value);
    }
    bool blank = true;
    for (const auto& v : row) blank = blank && v.empty();
    if (!blank) rows.push_back(std::move(row));
  }
  xmlFreeDoc(doc);
  if (!bad.empty()) return FileError("the first worksheet: " + bad);
  if (rows.empty()) return FileError("the first worksheet is empty");

  // Every row as wide as the widest (the CSV rules then report stray cells past the header).
  size_t width = 0;
  for (const auto& row : rows) width = std::max(width, row.size());
  // Date columns typed as dates in Excel hold day serials: back to YYYY-MM-DD.
  std::vector<bool> is_date(width);
  for (size_t i = 0; i < rows[0].size(); ++i)
    is_date[i] =
        rows[0][i] == "valid_from" || rows[0][i] == "valid_until" || rows[0][i] == "review_due";
  std::string csv;
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t i = 0; i < width; ++i) {
      std::string v = i < rows[r].size() ? rows[r][i] : "";
      if (r > 0 && is_date[i])
        if (auto date = SerialDate(v)) v = *date;
      csv += (i ? "," : "") + CsvField(v);
    }
    csv += "\n";
  }
  return ParseEntriesCsv(csv);
}

}  // namespace hotline::kb
