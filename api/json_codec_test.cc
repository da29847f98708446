#include "api/json_codec.h"

#include <gtest/gtest.h>

namespace hotline::api {
namespace {

TEST(JsonCodecTest, FormatsLocalTime) {
  EXPECT_EQ(FormatTime(0), "1970-01-01T08:00:00+08:00");
  EXPECT_EQ(FormatTime(1793404800), "2026-10-31T08:00:00+08:00");
  EXPECT_EQ(FormatTime(-1), "1970-01-01T07:59:59+08:00");
}

TEST(JsonCodecTest, ParsesTimes) {
  EXPECT_EQ(*ParseTime("1793404800", "t"), 1793404800);
  EXPECT_EQ(*ParseTime("2026-10-31", "t"), 1793404800 - 8 * 3600);
  EXPECT_EQ(*ParseTime("2026-10-31", "t", true), 1793404800 - 8 * 3600 + 86400);
  EXPECT_EQ(*ParseTime("2026-10-31T08:00:00+08:00", "t"), 1793404800);
  EXPECT_EQ(*ParseTime("2026-10-31T08:00", "t"), 1793404800);
  EXPECT_EQ(*ParseTime("2026-10-31 00:00:00Z", "t"), 1793404800);
  EXPECT_EQ(*ParseTime("2026-10-31T00:00:00.123Z", "t"), 1793404800);
  EXPECT_EQ(*ParseTime("2026-10-31T02:00:00+0200", "t"), 1793404800);
  EXPECT_EQ(*ParseTime("2026-10-30T19:00:00-05:00", "t"), 1793404800);
  for (const char* bad : {"", "2026-13-01", "2026-02-30", "2026-10-31T25:00", "2026/10/31",
                          "2026-10-31T08:00+8", "yesterday", "2026-10-31T08:00:00+08:00x", "-5"}) {
    auto t = ParseTime(bad, "from");
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(t.status().field(), "from");
  }
}

TEST(JsonCodecTest, ReaderNamesFieldsWithPath) {
  Json j = Json::parse(R"({"a":"x","n":3,"b":true,"f":1.5,"o":{"p":1}})");
  JsonReader r(j, "reply.");
  EXPECT_EQ(r.String("a"), "x");
  EXPECT_EQ(r.Int("n", 0, 10), 3);
  EXPECT_EQ(r.Bool("b"), true);
  EXPECT_EQ(r.String("missing"), std::nullopt);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.Int("f", 0, 10), std::nullopt);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "reply.f");
  // The first error wins.
  EXPECT_EQ(r.String("n"), std::nullopt);
  EXPECT_EQ(r.status().field(), "reply.f");
}

TEST(JsonCodecTest, ReaderRejectsUnknownEnumAndFields) {
  Json j = Json::parse(R"({"nature":"gripe"})");
  JsonReader r(j);
  EXPECT_EQ(r.Enum<Nature>("nature"), std::nullopt);
  EXPECT_EQ(r.status().field(), "nature");
  EXPECT_NE(r.status().message().find("consultation, help"), std::string::npos);

  Json k = Json::parse(R"({"titel":"x"})");
  JsonReader r2(k);
  r2.RejectUnknown({"title"});
  EXPECT_EQ(r2.status().field(), "titel");
}

TEST(JsonCodecTest, ParsesBodies) {
  EXPECT_TRUE(ParseJsonObject("")->is_object());
  EXPECT_TRUE(ParseJsonObject("  \n")->is_object());
  EXPECT_EQ(ParseJsonObject("{").status().field(), "body");
  EXPECT_EQ(ParseJsonObject("[1]").status().field(), "body");
  EXPECT_EQ(ParseJsonObject("\"\xff\"").status().field(), "body");
  EXPECT_EQ(ParseInt("12"), 12);
  EXPECT_EQ(ParseInt("-1"), std::nullopt);
  EXPECT_EQ(ParseInt("1x"), std::nullopt);
  EXPECT_EQ(ParseInt("99999999999999999999"), std::nullopt);
}

}  // namespace
}  // namespace hotline::api

namespace hotline::api {
namespace {

TEST(JsonCodec, InvalidJsonNamesTheFieldWhereItStops) {
  EXPECT_EQ(ParseJsonObject(R"({"place":{"lon":1e400,"lat":36.7}})").status().field(), "place.lon");
  EXPECT_EQ(ParseJsonObject(R"({"a":[1,2,1e999]})").status().field(), "a[2]");
  EXPECT_EQ(ParseJsonObject(R"({"nature":)").status().field(), "body") << "cut short";
  EXPECT_EQ(ParseJsonObject("[").status().field(), "body");
}

TEST(JsonCodec, StringsRefuseControlCharactersAndOversizedText) {
  Json j = Json::parse(R"({"a":"x\u0000y","b":"line\nnext\ttab","c":"12345"})");
  JsonReader r(j);
  EXPECT_EQ(r.String("b"), "line\nnext\ttab");
  EXPECT_EQ(r.String("c", 4), std::nullopt);
  EXPECT_EQ(r.status().field(), "c");
  JsonReader r2(j);
  EXPECT_EQ(r2.String("a"), std::nullopt);
  EXPECT_EQ(r2.status().field(), "a");
}

}  // namespace
}  // namespace hotline::api
