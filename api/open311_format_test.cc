#include "api/open311_format.h"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cctype>
#include <string>
#include <vector>

namespace hotline::api::open311 {
namespace {

// A parsed XML document (libxml2), freed at scope end.
struct Xml {
  explicit Xml(const std::string& text)
      : doc(xmlReadMemory(text.data(), static_cast<int>(text.size()), "t.xml", nullptr,
                          XML_PARSE_NONET)) {}
  ~Xml() { xmlFreeDoc(doc); }
  xmlNodePtr Root() const { return xmlDocGetRootElement(doc); }
  xmlDocPtr doc;
};

std::string Name(xmlNodePtr n) { return reinterpret_cast<const char*>(n->name); }
std::string Text(xmlNodePtr n) {
  xmlChar* c = xmlNodeGetContent(n);
  std::string s = c ? reinterpret_cast<const char*>(c) : "";
  xmlFree(c);
  return s;
}
std::vector<xmlNodePtr> Children(xmlNodePtr n) {
  std::vector<xmlNodePtr> out;
  for (xmlNodePtr c = n->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE) out.push_back(c);
  return out;
}

TEST(Open311Format, SuffixChoosesTheFormat) {
  auto x = SplitFormat("services.xml");
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->first, "services");
  EXPECT_EQ(x->second, Format::kXml);
  auto j = SplitFormat("2612070000001.json");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->first, "2612070000001");
  EXPECT_EQ(j->second, Format::kJson);
  for (const char* bad : {"services", "services.html", ".xml", "services.XML"})
    EXPECT_EQ(SplitFormat(bad).status().code(), Code::kNotFound) << bad;
}

TEST(Open311Format, ListsBecomeRepeatedElementsAndTextIsEscaped) {
  Doc list = Doc::array();
  list.push_back({{"service_code", "010101"},
                  {"service_name", "道路<破损> & 坑洼"},
                  {"metadata", true},
                  {"lat", 36.68},
                  {"zipcode", nullptr},
                  {"notes", Doc::array({{{"type", "submitted"}}, {{"type", "closed"}}})}});
  list.push_back({{"service_code", "010102"}});
  const std::string text = ToXml("services", list);
  std::string head = text.substr(0, 38);  // XML encoding names are case-insensitive
  for (char& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  EXPECT_EQ(head, "<?xml version=\"1.0\" encoding=\"utf-8\"?>") << text;
  Xml xml(text);
  ASSERT_NE(xml.doc, nullptr) << text;
  EXPECT_EQ(Name(xml.Root()), "services");
  auto services = Children(xml.Root());
  ASSERT_EQ(services.size(), 2u);
  EXPECT_EQ(Name(services[0]), "service");
  auto fields = Children(services[0]);
  ASSERT_EQ(fields.size(), 6u);
  EXPECT_EQ(Name(fields[0]), "service_code");  // members keep their order
  EXPECT_EQ(Text(fields[1]), "道路<破损> & 坑洼");
  EXPECT_EQ(Text(fields[2]), "true");
  EXPECT_EQ(Text(fields[3]), "36.68");
  EXPECT_EQ(Name(fields[4]), "zipcode");
  EXPECT_EQ(Text(fields[4]), "");
  auto notes = Children(fields[5]);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(Name(notes[1]), "note");
  EXPECT_EQ(Text(notes[1]), "closed");
}

TEST(Open311Format, ControlCharactersDoNotBreakTheDocument) {
  Xml xml(ToXml("errors", Doc::array({{{"code", 400}, {"description", "a\x01z"}}})));
  ASSERT_NE(xml.doc, nullptr);
  EXPECT_EQ(Text(xml.Root()), "400az");
}

TEST(Open311Format, ErrorsAreTheSpecificationsList) {
  HttpResponse r =
      Error(Format::kXml, Status(Code::kNotFound, "no such service 99", "service_code"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "text/xml; charset=utf-8");
  Xml xml(r.body);
  ASSERT_NE(xml.doc, nullptr);
  EXPECT_EQ(Name(xml.Root()), "errors");
  auto errors = Children(xml.Root());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(Name(errors[0]), "error");
  EXPECT_EQ(Text(Children(errors[0])[0]), "404");
  EXPECT_EQ(Text(Children(errors[0])[1]), "service_code: no such service 99");

  HttpResponse j = Error(Format::kJson, Invalid("lat", "lat must be a number"));
  EXPECT_EQ(j.status, 400);
  auto body = nlohmann::json::parse(j.body);
  ASSERT_TRUE(body.is_array());
  EXPECT_EQ(body[0]["code"], 400);
  EXPECT_EQ(body[0]["field"], "lat");
  EXPECT_EQ(Error(Format::kJson, Status(Code::kForbidden, "no key")).status, 403);
}

TEST(Open311Format, FormBodiesDecodeAndKeepRepeats) {
  auto f = ParseForm("service_code=010101&description=%E8%B7%AF+%E5%9D%8F&a=1&a=2&empty=&flag");
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->size(), 6u);
  EXPECT_EQ((*f)[1].second, "路 坏");
  EXPECT_EQ((*f)[3].second, "2");
  EXPECT_EQ((*f)[4].second, "");
  EXPECT_EQ((*f)[5].first, "flag");
  EXPECT_EQ(ParseForm("a=%ZZ").status().field(), "body");
  EXPECT_EQ(ParseForm("a=%FF%FE").status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(ParseForm("").ok());
}

TEST(Open311Format, AttributesOneValueOrAList) {
  auto a = Attributes({{"attribute[nature]", "complaint"},
                       {"attribute[kinds][]", "a"},
                       {"attribute[kinds][]", "b"},
                       {"service_code", "x"}});
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_EQ(a->size(), 2u);
  EXPECT_FALSE(a->at("nature").list);
  EXPECT_EQ(a->at("nature").values, std::vector<std::string>{"complaint"});
  EXPECT_TRUE(a->at("kinds").list);
  EXPECT_EQ(a->at("kinds").values, (std::vector<std::string>{"a", "b"}));

  auto twice = Attributes({{"attribute[nature]", "a"}, {"attribute[nature]", "b"}});
  EXPECT_EQ(twice.status().field(), "attribute[nature]");
  auto mixed = Attributes({{"attribute[k][]", "a"}, {"attribute[k]", "b"}});
  EXPECT_EQ(mixed.status().field(), "attribute[k]");
  EXPECT_EQ(Attributes({{"attribute[]", "a"}}).status().field(), "attribute[]");
  EXPECT_EQ(Attributes({{"attribute[k]x", "a"}}).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace hotline::api::open311
