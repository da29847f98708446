// RFC 4180 CSV reading (libcsv underneath) and field escaping. Shared by the
// organisation import and the classifier's training-data reader.
// Thread-safety: stateless functions; safe to call concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/result.h"

namespace hotline {

// Parses a whole CSV document into records of fields. Accepts quoted fields
// with commas, doubled quotes and embedded newlines, CRLF or LF line ends, a
// missing final newline and a leading UTF-8 BOM. Blank lines are skipped;
// spaces around unquoted fields are trimmed (quote a field to keep them).
// Records are numbered from 0 in the result; because quoted fields may span
// lines, a record index is not a line number. Malformed quoting returns
// kInvalidArgument naming the line where parsing stopped.
Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view csv);

// One field, quoted when it holds a comma, quote, CR, LF or leading/trailing
// space, with inner quotes doubled. Join fields with ',' and records with "\r\n".
std::string CsvEscape(std::string_view field);

}  // namespace hotline
