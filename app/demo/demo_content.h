// The demo city's configuration content: the versioned subject taxonomy, the
// functional departments, the dispatch catalogue (派单目录) and the real
// administrative divisions of 济南市历城区. Loaders read the files under
// data/demo/, validate them (codes well-formed, parents exist, levels
// consistent, referenced departments exist, no duplicates) and return an
// error naming the file, the entry and the field when anything is wrong.
// Thread-safety: free functions over plain values; safe to call concurrently.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "domain/result.h"
#include "domain/types.h"

namespace hotline::demo {

// A functional department or public-service enterprise (code "D01".."D99").
struct Department {
  std::string code, name, short_name;
};

// One rule of the dispatch catalogue as written in catalogue.json. Exactly one
// of lead_department / territorial is set.
struct CatalogueSpec {
  std::string subject_prefix;   // "" matches every subject (the default rule)
  std::string lead_department;  // "" if territorial
  Territorial territorial = Territorial::kNone;
  std::vector<std::string> assist_departments;  // 协办 department codes
};

struct Taxonomy {
  std::string version;
  std::vector<Subject> subjects;                       // in file order; parents precede children
  std::map<std::string, std::string> leaf_department;  // leaf code -> dept code (部门事项 only)
};

// An administrative division: street (9 digits) or community/village (12 digits).
struct Division {
  std::string code, name, parent_code;
};

// REQUIRES for LoadTaxonomy with departments: when `departments` is non-empty,
// every leaf's "department" must name one of them.
Result<Taxonomy> LoadTaxonomy(const std::string& path);
Result<Taxonomy> LoadTaxonomy(const std::string& path, const std::vector<Department>& departments);
Result<std::vector<Department>> LoadDepartments(const std::string& path);
// When `departments` is non-empty, lead and assist codes must name one of them.
Result<std::vector<CatalogueSpec>> LoadCatalogue(const std::string& path);
Result<std::vector<CatalogueSpec>> LoadCatalogue(const std::string& path,
                                                 const std::vector<Department>& departments);
// The licheng_divisions.csv: header "code,name,parent_code", no quoted fields.
Result<std::vector<Division>> LoadDivisions(const std::string& csv_path);

// Pure parsers behind the loaders; `origin` names the source in error messages.
Result<Taxonomy> ParseTaxonomy(const std::string& text, const std::string& origin,
                               const std::vector<Department>& departments = {});
Result<std::vector<Department>> ParseDepartments(const std::string& text,
                                                 const std::string& origin);
Result<std::vector<CatalogueSpec>> ParseCatalogue(const std::string& text,
                                                  const std::string& origin,
                                                  const std::vector<Department>& departments = {});
Result<std::vector<Division>> ParseDivisions(const std::string& text, const std::string& origin);

// The most specific rule (longest prefix) matching `subject_code`, or nullptr.
const CatalogueSpec* MatchCatalogue(const std::vector<CatalogueSpec>& rules,
                                    const std::string& subject_code);

}  // namespace hotline::demo
