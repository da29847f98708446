#include "app/demo/demo_content.h"

#include <gtest/gtest.h>

#include <set>

namespace hotline::demo {
namespace {

const std::string kDir = std::string(HOTLINE_SOURCE_DATA_DIR) + "/demo/";

struct Loaded {
  std::vector<Department> departments;
  Taxonomy taxonomy;
  std::vector<CatalogueSpec> catalogue;
};

const Loaded& Data() {
  static const Loaded kLoaded = [] {
    Loaded l;
    auto d = LoadDepartments(kDir + "departments.json");
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    if (d.ok()) l.departments = *d;
    auto t = LoadTaxonomy(kDir + "taxonomy.json", l.departments);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    if (t.ok()) l.taxonomy = *t;
    auto c = LoadCatalogue(kDir + "catalogue.json", l.departments);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (c.ok()) l.catalogue = *c;
    return l;
  }();
  return kLoaded;
}

TEST(DemoContent, RealFilesLoadWithExpectedSizes) {
  const Loaded& d = Data();
  EXPECT_EQ(d.taxonomy.version, "2026.1");
  int per_level[4] = {0, 0, 0, 0};
  for (const Subject& s : d.taxonomy.subjects) per_level[s.level]++;
  EXPECT_GE(per_level[1], 14);
  EXPECT_LE(per_level[1], 16);
  EXPECT_GE(per_level[2], 50);
  EXPECT_LE(per_level[2], 70);
  EXPECT_GE(per_level[3], 150);
  EXPECT_LE(per_level[3], 220);
  EXPECT_GE(d.departments.size(), 20u);
  EXPECT_LE(d.departments.size(), 30u);
  EXPECT_FALSE(d.catalogue.empty());
}

TEST(DemoContent, LevelOneHasTheTeddyLabels) {
  std::set<std::string> level1;
  for (const Subject& s : Data().taxonomy.subjects)
    if (s.level == 1) level1.insert(s.name);
  for (const char* label :
       {"城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生"})
    EXPECT_TRUE(level1.count(label)) << label;
}

TEST(DemoContent, CatalogueCoversEveryLeafAndDepartmentMattersGoToTheirDepartment) {
  const Loaded& d = Data();
  ASSERT_NE(MatchCatalogue(d.catalogue, ""), nullptr);  // the default rule
  EXPECT_EQ(MatchCatalogue(d.catalogue, "")->territorial, Territorial::kStreet);
  int leaves = 0;
  for (const Subject& s : d.taxonomy.subjects) {
    if (s.level != 3) continue;
    ++leaves;
    const CatalogueSpec* r = MatchCatalogue(d.catalogue, s.code);
    ASSERT_NE(r, nullptr) << s.code;
    EXPECT_FALSE(r->subject_prefix.empty())
        << s.code << " " << s.name << " only matches the default";
    if (s.department_matter) {
      EXPECT_EQ(r->territorial, Territorial::kNone) << s.code << " " << s.name;
      EXPECT_EQ(r->lead_department, d.taxonomy.leaf_department.at(s.code))
          << s.code << " " << s.name;
    } else {
      EXPECT_NE(r->territorial, Territorial::kNone) << s.code << " " << s.name;
    }
  }
  EXPECT_EQ(
      d.taxonomy.leaf_department.size() + 0u,
      static_cast<size_t>(std::count_if(d.taxonomy.subjects.begin(), d.taxonomy.subjects.end(),
                                        [](const Subject& s) { return s.department_matter; })));
  EXPECT_GT(leaves, 0);
  // Every level-1 subject has a rule for itself or its children.
  for (const Subject& s : d.taxonomy.subjects) {
    if (s.level != 1) continue;
    bool covered = false;
    for (const auto& r : d.catalogue)
      if (!r.subject_prefix.empty() && r.subject_prefix.compare(0, 2, s.code) == 0) covered = true;
    EXPECT_TRUE(covered) << s.code << " " << s.name;
  }
}

TEST(DemoContent, EveryDepartmentIsUsedByTheCatalogue) {
  std::set<std::string> used;
  for (const auto& r : Data().catalogue) {
    used.insert(r.lead_department);
    used.insert(r.assist_departments.begin(), r.assist_departments.end());
  }
  for (const auto& dep : Data().departments) EXPECT_TRUE(used.count(dep.code)) << dep.code;
}

TEST(DemoContent, DivisionsLoad) {
  auto d = LoadDivisions(kDir + "licheng_divisions.csv");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  int streets = 0, communities = 0;
  for (const auto& x : *d) (x.code.size() == 9 ? streets : communities)++;
  EXPECT_EQ(streets, 17);
  EXPECT_EQ(communities, 632);
  EXPECT_EQ((*d)[1].name, "洪家楼街道");
}

TEST(DemoContent, MissingFileIsNotFound) {
  auto t = LoadTaxonomy(kDir + "no_such_file.json");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), Code::kNotFound);
}

// Malformed input: the error names the file, the entry and the field.
void ExpectError(const Status& st, const std::string& field, const std::string& in_message) {
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.field(), field) << st.ToString();
  EXPECT_NE(st.message().find(in_message), std::string::npos) << st.ToString();
}

TEST(DemoContentErrors, Taxonomy) {
  const char* head = R"({"version":"1","subjects":[{"code":"01","name":"A"},)";
  ExpectError(ParseTaxonomy("{not json", "t.json").status(), "", "t.json: not valid JSON");
  ExpectError(ParseTaxonomy(R"({"subjects":[]})", "t.json").status(), "version", "t.json");
  ExpectError(
      ParseTaxonomy(std::string(head) + R"({"code":"0101","name":"B","parent":"02"}]})", "t.json")
          .status(),
      "subjects[1].parent", "t.json: subjects[1] (code 0101)");
  ExpectError(
      ParseTaxonomy(std::string(head) + R"({"code":"01x1","name":"B","parent":"01"}]})", "t.json")
          .status(),
      "subjects[1].code", "t.json");
  ExpectError(ParseTaxonomy(std::string(head) + R"({"code":"01","name":"B"}]})", "t.json").status(),
              "subjects[1].code", "duplicate");
  ExpectError(
      ParseTaxonomy(std::string(head) + R"({"code":"0101","parent":"01"}]})", "t.json").status(),
      "subjects[1].name", "missing");
  ExpectError(ParseTaxonomy(
                  std::string(head) +
                      R"({"code":"0101","name":"B","parent":"01"},)"
                      R"({"code":"010101","name":"C","parent":"0101","department_matter":true}]})",
                  "t.json")
                  .status(),
              "subjects[2].department", "required");
  std::vector<Department> deps = {{"D01", "x", "x"}};
  ExpectError(
      ParseTaxonomy(
          std::string(head) +
              R"({"code":"0101","name":"B","parent":"01"},)"
              R"({"code":"010101","name":"C","parent":"0101","department_matter":true,"department":"D09"}]})",
          "t.json", deps)
          .status(),
      "subjects[2].department", "not a known department");
  // A level-2 node without leaves is inconsistent.
  ExpectError(
      ParseTaxonomy(std::string(head) + R"({"code":"0101","name":"B","parent":"01"}]})", "t.json")
          .status(),
      "subjects[1].code", "without children");
}

TEST(DemoContentErrors, DepartmentsAndCatalogue) {
  ExpectError(ParseDepartments(R"({"departments":[{"code":"X1","name":"a"}]})", "d.json").status(),
              "departments[0].code", "d.json");
  ExpectError(
      ParseDepartments(R"({"departments":[{"code":"D01","name":"a"},{"code":"D01","name":"b"}]})",
                       "d.json")
          .status(),
      "departments[1].code", "duplicate");
  ExpectError(ParseDepartments(R"({"departments":[{"code":"D01"}]})", "d.json").status(),
              "departments[0].name", "missing");
  ExpectError(ParseCatalogue(R"({"rules":[{"subject_prefix":"01","lead":{}}]})", "c.json").status(),
              "rules[0].lead", "exactly one");
  ExpectError(ParseCatalogue(R"({"rules":[{"subject_prefix":"01","lead":{"territorial":"city"}}]})",
                             "c.json")
                  .status(),
              "rules[0].lead.territorial", "c.json: rules[0] (code 01)");
  std::vector<Department> deps = {{"D01", "x", "x"}};
  ExpectError(
      ParseCatalogue(
          R"({"rules":[{"subject_prefix":"01","lead":{"department":"D01"},"assist":["D07"]}]})",
          "c.json", deps)
          .status(),
      "rules[0].assist", "not a known department");
  ExpectError(ParseCatalogue(R"({"rules":[{"subject_prefix":"123","lead":{"department":"D01"}}]})",
                             "c.json")
                  .status(),
              "rules[0].subject_prefix", "digits");
  ExpectError(ParseCatalogue(R"({"rules":[{"lead":{"department":"D01"}}]})", "c.json").status(),
              "rules[0].subject_prefix", "must be a string");
}

TEST(DemoContentErrors, Divisions) {
  ExpectError(ParseDivisions("id,name\n", "v.csv").status(), "header", "v.csv: line 1");
  ExpectError(ParseDivisions("code,name,parent_code\n37011200,x,370112\n", "v.csv").status(),
              "code", "v.csv: line 2");
  ExpectError(ParseDivisions("code,name,parent_code\n370112001,x,370113\n", "v.csv").status(),
              "parent_code", "line 2");
  ExpectError(ParseDivisions("code,name,parent_code\n370112001001,x,370112001\n", "v.csv").status(),
              "parent_code", "not a street");
  ExpectError(ParseDivisions("code,name,parent_code\n370112001,x\n", "v.csv").status(), "line",
              "3 fields");
  ExpectError(ParseDivisions("code,name,parent_code\n370112001,,370112\n", "v.csv").status(),
              "name", "empty");
}

}  // namespace
}  // namespace hotline::demo
