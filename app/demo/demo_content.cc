#include "app/demo/demo_content.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace hotline::demo {
namespace {

using nlohmann::json;

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::kNotFound, path + ": cannot open file", "path");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string BaseName(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool AllDigits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Builds errors of the form "<origin>: <array>[i] (<code>): <field> <what>" whose
// field is "<array>[i].<field>".
class ErrorAt {
 public:
  ErrorAt(const std::string& origin, std::string array)
      : origin_(origin), array_(std::move(array)) {}
  void At(size_t index, std::string code = {}) {
    index_ = index;
    code_ = std::move(code);
  }
  Status operator()(const std::string& field, const std::string& what) const {
    std::string where = array_ + "[" + std::to_string(index_) + "]";
    std::string msg = origin_ + ": " + where;
    if (!code_.empty()) msg += " (code " + code_ + ")";
    msg += ": " + field + " " + what;
    return Invalid(where + "." + field, msg);
  }

 private:
  const std::string& origin_;
  std::string array_;
  size_t index_ = 0;
  std::string code_;
};

Result<json> ParseJson(const std::string& text, const std::string& origin) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Invalid("", origin + ": not valid JSON");
  if (!j.is_object()) return Invalid("", origin + ": top level must be an object");
  return j;
}

Result<const json*> GetArray(const json& doc, const char* key, const std::string& origin) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_array())
    return Invalid(key, origin + ": " + key + " must be an array");
  return &*it;
}

// Reads a required (or optional, when `required` is false) string member.
Status GetString(const json& obj, const char* key, bool required, std::string* out,
                 const ErrorAt& err) {
  auto it = obj.find(key);
  if (it == obj.end()) return required ? err(key, "is missing") : Status::Ok();
  if (!it->is_string()) return err(key, "must be a string");
  *out = it->get<std::string>();
  if (required && out->empty()) return err(key, "must not be empty");
  return Status::Ok();
}

std::set<std::string> DepartmentCodes(const std::vector<Department>& departments) {
  std::set<std::string> codes;
  for (const auto& d : departments) codes.insert(d.code);
  return codes;
}

bool IsDepartmentCode(const std::string& s) {
  return s.size() >= 3 && s[0] == 'D' && AllDigits(s.substr(1));
}

}  // namespace

Result<std::vector<Department>> ParseDepartments(const std::string& text,
                                                 const std::string& origin) {
  HOTLINE_ASSIGN_OR_RETURN(json doc, ParseJson(text, origin));
  HOTLINE_ASSIGN_OR_RETURN(const json* arr, GetArray(doc, "departments", origin));
  ErrorAt err(origin, "departments");
  std::vector<Department> out;
  std::set<std::string> seen;
  for (size_t i = 0; i < arr->size(); ++i) {
    const json& e = (*arr)[i];
    err.At(i);
    if (!e.is_object()) return err("entry", "must be an object");
    Department d;
    HOTLINE_RETURN_IF_ERROR(GetString(e, "code", true, &d.code, err));
    err.At(i, d.code);
    if (!IsDepartmentCode(d.code)) return err("code", "must look like D01");
    if (!seen.insert(d.code).second) return err("code", "is a duplicate");
    HOTLINE_RETURN_IF_ERROR(GetString(e, "name", true, &d.name, err));
    HOTLINE_RETURN_IF_ERROR(GetString(e, "short", false, &d.short_name, err));
    if (d.short_name.empty()) d.short_name = d.name;
    out.push_back(std::move(d));
  }
  return out;
}

Result<Taxonomy> ParseTaxonomy(const std::string& text, const std::string& origin,
                               const std::vector<Department>& departments) {
  HOTLINE_ASSIGN_OR_RETURN(json doc, ParseJson(text, origin));
  Taxonomy tax;
  auto v = doc.find("version");
  if (v == doc.end() || !v->is_string() || v->get<std::string>().empty())
    return Invalid("version", origin + ": version must be a non-empty string");
  tax.version = v->get<std::string>();
  HOTLINE_ASSIGN_OR_RETURN(const json* arr, GetArray(doc, "subjects", origin));
  const std::set<std::string> dept_codes = DepartmentCodes(departments);
  ErrorAt err(origin, "subjects");
  std::map<std::string, size_t> index;  // code -> position in tax.subjects
  std::set<std::string> has_children;
  for (size_t i = 0; i < arr->size(); ++i) {
    const json& e = (*arr)[i];
    err.At(i);
    if (!e.is_object()) return err("entry", "must be an object");
    Subject s;
    HOTLINE_RETURN_IF_ERROR(GetString(e, "code", true, &s.code, err));
    err.At(i, s.code);
    if (!AllDigits(s.code) || (s.code.size() != 2 && s.code.size() != 4 && s.code.size() != 6))
      return err("code", "must be 2, 4 or 6 digits");
    if (index.count(s.code)) return err("code", "is a duplicate");
    HOTLINE_RETURN_IF_ERROR(GetString(e, "name", true, &s.name, err));
    s.level = static_cast<int>(s.code.size() / 2);
    HOTLINE_RETURN_IF_ERROR(GetString(e, "parent", s.level > 1, &s.parent_code, err));
    if (s.level == 1 && !s.parent_code.empty()) return err("parent", "must be absent on level 1");
    if (s.level > 1) {
      if (s.parent_code != s.code.substr(0, s.code.size() - 2))
        return err("parent", "\"" + s.parent_code + "\" is not the code's own prefix");
      if (!index.count(s.parent_code))
        return err("parent", "\"" + s.parent_code + "\" does not exist (parents come first)");
      has_children.insert(s.parent_code);
    }
    auto dm = e.find("department_matter");
    if (dm != e.end() && !dm->is_boolean()) return err("department_matter", "must be a boolean");
    s.department_matter = dm != e.end() && dm->get<bool>();
    std::string dept;
    HOTLINE_RETURN_IF_ERROR(GetString(e, "department", false, &dept, err));
    if (s.level < 3 && (dm != e.end() || !dept.empty()))
      return err("department_matter", "only leaves (level 3) carry department fields");
    if (s.department_matter) {
      if (dept.empty()) return err("department", "is required for a department matter");
      if (!IsDepartmentCode(dept)) return err("department", "\"" + dept + "\" must look like D01");
      if (!dept_codes.empty() && !dept_codes.count(dept))
        return err("department", "\"" + dept + "\" is not a known department");
      tax.leaf_department[s.code] = dept;
    } else if (!dept.empty()) {
      return err("department", "is set but department_matter is not true");
    }
    index[s.code] = tax.subjects.size();
    tax.subjects.push_back(std::move(s));
  }
  if (tax.subjects.empty()) return Invalid("subjects", origin + ": subjects must not be empty");
  // Levels must be consistent: every level-1/2 node has children (leaves are level 3 only).
  for (size_t i = 0; i < tax.subjects.size(); ++i) {
    const Subject& s = tax.subjects[i];
    err.At(i, s.code);
    if (s.level < 3 && !has_children.count(s.code))
      return err("code", "is a level-" + std::to_string(s.level) + " node without children");
  }
  return tax;
}

Result<std::vector<CatalogueSpec>> ParseCatalogue(const std::string& text,
                                                  const std::string& origin,
                                                  const std::vector<Department>& departments) {
  HOTLINE_ASSIGN_OR_RETURN(json doc, ParseJson(text, origin));
  HOTLINE_ASSIGN_OR_RETURN(const json* arr, GetArray(doc, "rules", origin));
  const std::set<std::string> dept_codes = DepartmentCodes(departments);
  auto check_dept = [&](const std::string& code, const char* field, const ErrorAt& err) -> Status {
    if (!IsDepartmentCode(code)) return err(field, "\"" + code + "\" must look like D01");
    if (!dept_codes.empty() && !dept_codes.count(code))
      return err(field, "\"" + code + "\" is not a known department");
    return Status::Ok();
  };
  ErrorAt err(origin, "rules");
  std::vector<CatalogueSpec> out;
  std::set<std::string> seen;
  for (size_t i = 0; i < arr->size(); ++i) {
    const json& e = (*arr)[i];
    err.At(i);
    if (!e.is_object()) return err("entry", "must be an object");
    CatalogueSpec r;
    auto sp = e.find("subject_prefix");
    if (sp == e.end() || !sp->is_string()) return err("subject_prefix", "must be a string");
    r.subject_prefix = sp->get<std::string>();
    err.At(i, r.subject_prefix.empty() ? "\"\"" : r.subject_prefix);
    if (!r.subject_prefix.empty() &&
        (!AllDigits(r.subject_prefix) || r.subject_prefix.size() % 2 != 0 ||
         r.subject_prefix.size() > 6))
      return err("subject_prefix", "must be \"\" or 2, 4 or 6 digits");
    if (!seen.insert(r.subject_prefix).second) return err("subject_prefix", "is a duplicate");
    auto lead = e.find("lead");
    if (lead == e.end() || !lead->is_object()) return err("lead", "must be an object");
    bool has_dept = lead->contains("department"), has_terr = lead->contains("territorial");
    if (has_dept == has_terr)
      return err("lead", "must name exactly one of department or territorial");
    if (has_dept) {
      if (!(*lead)["department"].is_string()) return err("lead.department", "must be a string");
      r.lead_department = (*lead)["department"].get<std::string>();
      HOTLINE_RETURN_IF_ERROR(check_dept(r.lead_department, "lead.department", err));
    } else {
      const json& t = (*lead)["territorial"];
      auto parsed = t.is_string() ? Parse<Territorial>(t.get<std::string>()) : std::nullopt;
      if (!parsed || *parsed == Territorial::kNone)
        return err("lead.territorial", "must be one of street, community, grid");
      r.territorial = *parsed;
    }
    auto assist = e.find("assist");
    if (assist != e.end()) {
      if (!assist->is_array()) return err("assist", "must be an array of department codes");
      for (const json& a : *assist) {
        if (!a.is_string()) return err("assist", "must be an array of department codes");
        std::string code = a.get<std::string>();
        HOTLINE_RETURN_IF_ERROR(check_dept(code, "assist", err));
        if (code == r.lead_department) return err("assist", "repeats the lead department");
        r.assist_departments.push_back(std::move(code));
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<Division>> ParseDivisions(const std::string& text, const std::string& origin) {
  std::vector<Division> out;
  std::set<std::string> codes;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1) {
      if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
      if (line != "code,name,parent_code")
        return Invalid("header", origin + ": line 1: header must be code,name,parent_code");
      continue;
    }
    if (line.empty()) continue;
    auto at = [&](const std::string& field, const std::string& what) {
      return Invalid(field,
                     origin + ": line " + std::to_string(line_no) + ": " + field + " " + what);
    };
    auto c1 = line.find(',');
    auto c2 = c1 == std::string::npos ? c1 : line.find(',', c1 + 1);
    if (c2 == std::string::npos || line.find(',', c2 + 1) != std::string::npos)
      return at("line", "must have exactly 3 fields");
    Division d{line.substr(0, c1), line.substr(c1 + 1, c2 - c1 - 1), line.substr(c2 + 1)};
    if (!AllDigits(d.code) || (d.code.size() != 9 && d.code.size() != 12))
      return at("code", "\"" + d.code + "\" must be 9 or 12 digits");
    if (d.name.empty()) return at("name", "must not be empty");
    if (!AllDigits(d.parent_code) || d.parent_code.size() + 3 != d.code.size() ||
        d.code.compare(0, d.parent_code.size(), d.parent_code) != 0)
      return at("parent_code", "\"" + d.parent_code + "\" is not the code's own prefix");
    if (d.code.size() == 12 && !codes.count(d.parent_code))
      return at("parent_code", "\"" + d.parent_code + "\" is not a street listed above");
    if (!codes.insert(d.code).second) return at("code", "\"" + d.code + "\" is a duplicate");
    out.push_back(std::move(d));
  }
  if (line_no == 0) return Invalid("header", origin + ": empty file");
  return out;
}

Result<Taxonomy> LoadTaxonomy(const std::string& path) { return LoadTaxonomy(path, {}); }

Result<Taxonomy> LoadTaxonomy(const std::string& path, const std::vector<Department>& departments) {
  HOTLINE_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseTaxonomy(text, BaseName(path), departments);
}

Result<std::vector<Department>> LoadDepartments(const std::string& path) {
  HOTLINE_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseDepartments(text, BaseName(path));
}

Result<std::vector<CatalogueSpec>> LoadCatalogue(const std::string& path) {
  return LoadCatalogue(path, {});
}

Result<std::vector<CatalogueSpec>> LoadCatalogue(const std::string& path,
                                                 const std::vector<Department>& departments) {
  HOTLINE_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseCatalogue(text, BaseName(path), departments);
}

Result<std::vector<Division>> LoadDivisions(const std::string& csv_path) {
  HOTLINE_ASSIGN_OR_RETURN(std::string text, ReadFile(csv_path));
  return ParseDivisions(text, BaseName(csv_path));
}

const CatalogueSpec* MatchCatalogue(const std::vector<CatalogueSpec>& rules,
                                    const std::string& subject_code) {
  const CatalogueSpec* best = nullptr;
  for (const auto& r : rules) {
    if (subject_code.compare(0, r.subject_prefix.size(), r.subject_prefix) != 0) continue;
    if (r.subject_prefix.size() > subject_code.size()) continue;
    if (!best || r.subject_prefix.size() > best->subject_prefix.size()) best = &r;
  }
  return best;
}

}  // namespace hotline::demo
