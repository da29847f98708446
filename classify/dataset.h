// Labelled examples from a CSV file (header row; RFC 4180 via service/csv.h), e.g. the Teddy
// 2020 appeals: text columns 留言主题,留言详情 and label column 一级标签.
// Thread-safety: stateless functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "classify/classifier.h"
#include "domain/result.h"

namespace hotline::classify {

struct CsvExamples {
  std::vector<Example> examples;  // text = the text columns joined by '\n'
  std::vector<std::string> subjects;  // the first text column alone (near-duplicate grouping)
};

// Splits "a,b,c" into column names (trimmed, empty names dropped).
std::vector<std::string> SplitColumns(std::string_view cols);

// Reads `path`. `label_column` may be empty (prediction input: labels left empty).
// kNotFound when the file does not exist; kInvalidArgument (naming the columns) when a column
// is missing, when the file has no data rows, or when a labelled row has an empty label.
Result<CsvExamples> ReadExamplesCsv(const std::string& path,
                                    const std::vector<std::string>& text_columns,
                                    const std::string& label_column);

}  // namespace hotline::classify
