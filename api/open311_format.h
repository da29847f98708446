// Open311 GeoReport v2 on the wire (docs/open311.md): the format chosen by the path's suffix,
// answers written as XML (libxml2's xmlTextWriter) or JSON from one document tree, the
// specification's error list, and application/x-www-form-urlencoded bodies with
// attribute[CODE] and attribute[CODE][] fields. Internal to api/.
//
// One tree, two renderings ("Spark convention", as the specification's examples): a JSON
// array at the top becomes a root element holding one element per item, named by
// ItemTag(root) ("services" -> "service", "service_requests" -> "request"); an object member
// becomes an element of the same name; an array member becomes an element holding items
// named by ItemTag(member); null becomes an empty element; booleans "true"/"false".
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http_server.h"
#include "domain/result.h"

namespace hotline::api::open311 {

using Doc = nlohmann::ordered_json;

enum class Format { kXml, kJson };

// "services.xml" -> {"services", kXml}. kNotFound (field "format") for any other suffix.
Result<std::pair<std::string, Format>> SplitFormat(std::string_view segment);

// The element name of one item of a list named `list`.
std::string ItemTag(std::string_view list);

// `doc` as an XML document with root element `root` (UTF-8, declaration first).
std::string ToXml(std::string_view root, const Doc& doc);

// The answer in `format`: text/xml or application/json, both charset=utf-8.
HttpResponse Render(Format format, int status, std::string_view root, const Doc& doc);

// The specification's error answer: errors > error {code, description} (+ the field the error
// is about, when there is one). HTTP status as given (400, 403, 404; 429 for a rate limit).
HttpResponse Error(Format format, int status, const std::string& description,
                   const std::string& field = "");
// The same for a Status: kNotFound -> 404, kForbidden/kUnauthenticated -> 403, everything
// else 400 (the specification allows no other status); the description starts with the field.
HttpResponse Error(Format format, const Status& st);

// One field of a form body, in order, repeats kept.
using FormFields = std::vector<std::pair<std::string, std::string>>;
// application/x-www-form-urlencoded ('+' is a space). kInvalidArgument (field "body") for a
// malformed percent escape or text that is not UTF-8.
Result<FormFields> ParseForm(std::string_view body);

// Open311 attributes of a form: attribute[CODE]=v (one value) and attribute[CODE][]=v (a list,
// in order). kInvalidArgument naming "attribute[CODE]" when the same code comes both ways or
// a single value repeats, or the code is empty or over 64 bytes.
struct AttributeValue {
  std::vector<std::string> values;
  bool list = false;  // given as attribute[CODE][]
};
Result<std::map<std::string, AttributeValue>> Attributes(const FormFields& form);

}  // namespace hotline::api::open311
