#include "api/open311_format.h"

#include <libxml/xmlwriter.h>

#include <memory>

namespace hotline::api::open311 {
namespace {

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (n < 0 || i + n >= s.size() + (n == 0)) return false;
    for (int k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += n + 1;
  }
  return true;
}

// XML 1.0 forbids most control characters even escaped; they are dropped from text.
std::string XmlText(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') continue;
    out.push_back(c);
  }
  return out;
}

std::string Scalar(const Doc& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_null()) return "";
  return v.dump();
}

const xmlChar* X(const std::string& s) { return reinterpret_cast<const xmlChar*>(s.c_str()); }

void WriteValue(xmlTextWriterPtr w, const std::string& tag, const Doc& v);

void WriteMembers(xmlTextWriterPtr w, const std::string& tag, const Doc& v) {
  if (v.is_object()) {
    for (const auto& [k, child] : v.items()) WriteValue(w, k, child);
  } else if (v.is_array()) {
    const std::string item = ItemTag(tag);
    for (const Doc& child : v) WriteValue(w, item, child);
  } else {
    xmlTextWriterWriteString(w, X(XmlText(Scalar(v))));
  }
}

void WriteValue(xmlTextWriterPtr w, const std::string& tag, const Doc& v) {
  xmlTextWriterStartElement(w, X(tag));
  WriteMembers(w, tag, v);
  xmlTextWriterFullEndElement(w);
}

}  // namespace

Result<std::pair<std::string, Format>> SplitFormat(std::string_view segment) {
  const size_t dot = segment.rfind('.');
  if (dot != std::string_view::npos && dot > 0) {
    const std::string_view ext = segment.substr(dot + 1);
    std::string name(segment.substr(0, dot));
    if (ext == "xml") return std::make_pair(name, Format::kXml);
    if (ext == "json") return std::make_pair(name, Format::kJson);
  }
  return Status(Code::kNotFound,
                "no such resource: Open311 paths end in .xml or .json (\"" +
                    std::string(segment.substr(0, 64)) + "\")",
                "format");
}

std::string ItemTag(std::string_view list) {
  static const std::map<std::string, std::string, std::less<>> kTags = {
      {"service_requests", "request"},
      {"service_requests_updates", "request_update"},
      {"services", "service"},
      {"attributes", "attribute"},
      {"values", "value"},
      {"endpoints", "endpoint"},
      {"formats", "format"},
      {"errors", "error"},
      {"notes", "note"},
      {"keywords", "keyword"},
  };
  if (auto it = kTags.find(list); it != kTags.end()) return it->second;
  if (list.size() > 1 && list.back() == 's') return std::string(list.substr(0, list.size() - 1));
  return std::string(list) + "_item";
}

std::string ToXml(std::string_view root, const Doc& doc) {
  std::unique_ptr<xmlBuffer, void (*)(xmlBufferPtr)> buf(xmlBufferCreate(), xmlBufferFree);
  xmlTextWriterPtr w = xmlNewTextWriterMemory(buf.get(), 0);
  xmlTextWriterStartDocument(w, "1.0", "utf-8", nullptr);
  WriteValue(w, std::string(root), doc);
  xmlTextWriterEndDocument(w);
  xmlFreeTextWriter(w);  // flushes into buf
  return std::string(reinterpret_cast<const char*>(xmlBufferContent(buf.get())),
                     static_cast<size_t>(xmlBufferLength(buf.get())));
}

HttpResponse Render(Format format, int status, std::string_view root, const Doc& doc) {
  HttpResponse r;
  r.status = status;
  if (format == Format::kXml) {
    r.content_type = "text/xml; charset=utf-8";
    r.body = ToXml(root, doc);
  } else {
    r.content_type = "application/json; charset=utf-8";
    r.body = doc.dump(-1, ' ', false, Doc::error_handler_t::replace);
  }
  return r;
}

HttpResponse Error(Format format, int status, const std::string& description,
                   const std::string& field) {
  Doc e = {{"code", status}, {"description", description}};
  if (!field.empty()) e["field"] = field;
  return Render(format, status, "errors", Doc::array({e}));
}

HttpResponse Error(Format format, const Status& st) {
  int status = 400;
  switch (st.code()) {
    case Code::kNotFound:
      status = 404;
      break;
    case Code::kForbidden:
    case Code::kUnauthenticated:
      status = 403;
      break;
    default:
      status = 400;
  }
  std::string desc = st.message();
  if (!st.field().empty() && desc.rfind(st.field(), 0) != 0) desc = st.field() + ": " + desc;
  return Error(format, status, desc, st.field());
}

Result<FormFields> ParseForm(std::string_view body) {
  FormFields out;
  size_t i = 0;
  while (i <= body.size()) {
    size_t amp = body.find('&', i);
    if (amp == std::string_view::npos) amp = body.size();
    std::string_view pair = body.substr(i, amp - i);
    i = amp + 1;
    if (pair.empty()) {
      if (amp == body.size()) break;
      continue;
    }
    const size_t eq = pair.find('=');
    std::string key, value;
    if (!PercentDecode(pair.substr(0, eq), true, key) ||
        (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), true, value)))
      return Invalid("body", "malformed percent-escape in the form body");
    if (!ValidUtf8(key) || !ValidUtf8(value))
      return Invalid(ValidUtf8(key) ? key : "body", "the form body is not UTF-8");
    out.emplace_back(std::move(key), std::move(value));
    if (amp == body.size()) break;
  }
  return out;
}

Result<std::map<std::string, AttributeValue>> Attributes(const FormFields& form) {
  std::map<std::string, AttributeValue> out;
  for (const auto& [key, value] : form) {
    if (key.rfind("attribute[", 0) != 0) continue;
    const size_t close = key.find(']');
    if (close == std::string::npos) return Invalid(key, "malformed attribute name " + key);
    const std::string code = key.substr(10, close - 10);
    const std::string rest = key.substr(close + 1);
    const std::string field = "attribute[" + code + "]";
    if (code.empty() || code.size() > 64) return Invalid(field, "an attribute code is 1..64 bytes");
    if (rest != "" && rest != "[]")
      return Invalid(field, "attribute fields are attribute[CODE] or attribute[CODE][]");
    const bool list = rest == "[]";
    auto [it, fresh] = out.try_emplace(code);
    if (!fresh && (it->second.list != list || !list))
      return Invalid(field, list ? "attribute " + code + " given both as one value and a list"
                                 : "attribute " + code + " given more than once");
    it->second.list = list;
    it->second.values.push_back(value);
  }
  return out;
}

}  // namespace hotline::api::open311
