#include "kb/entry.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace hotline::kb {
namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kT0 = 1'800'000'000;

const EntryActor kOwner{"u-gjj", "住房公积金管理中心", false};
const EntryActor kOtherUnit{"u-yb", "医保局", false};
const EntryActor kCentre{"u-kb", "热线中心", true};

EntryContent Content(std::string body) {
  EntryContent c;
  c.title = "公积金提取";
  c.body = std::move(body);
  c.subjects = {"住房"};
  c.source = {"北京住房公积金提取管理办法", "京房公积金发〔2020〕1号", "https://example.org/doc"};
  c.valid_until = kT0 + 100 * kDay;
  c.review_due = kT0 + 60 * kDay;
  c.attachments = {"doc:123"};
  return c;
}

Entry Act(const Entry& e, EntryAction a, const EntryActor& who, int64_t now,
          std::string note = "") {
  EntryRequest r;
  r.action = a;
  r.note = std::move(note);
  auto out = ApplyEntryAction(e, r, who, now);
  EXPECT_TRUE(out.ok()) << out.status().message();
  return out.ok() ? *out : e;
}

Entry Published() {
  auto e = CreateEntry("kb1", kOwner.unit, Content("购房可提取公积金。"), kOwner, kT0);
  EXPECT_TRUE(e.ok());
  Entry x = Act(*e, EntryAction::kSubmit, kOwner, kT0 + 1);
  return Act(x, EntryAction::kPublish, kCentre, kT0 + 2);
}

TEST(KbEntry, UnitDraftsAndSubmitsCentrePublishesEveryStepAnEvent) {
  Entry e = Published();
  EXPECT_EQ(e.state, EntryState::kPublished);
  EXPECT_EQ(e.published_version, 1);
  ASSERT_EQ(e.events.size(), 3u);
  EXPECT_EQ(e.events[0].action, "create");
  EXPECT_EQ(e.events[1].action, "submit");
  EXPECT_EQ(e.events[2].action, "publish");
  EXPECT_EQ(e.events[2].from, EntryState::kSubmitted);
  EXPECT_EQ(e.events[2].actor, "u-kb");
}

TEST(KbEntry, OnlyTheCentrePublishesAnImportAtOnceAndOnlyAFreshDraft) {
  auto e = CreateEntry("kb9", kOwner.unit, Content("购房可提取公积金。"), kCentre, kT0);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(PublishImported(*e, kOwner, kT0).status().code(), Code::kForbidden);
  auto live = PublishImported(*e, kCentre, kT0 + 1);
  ASSERT_TRUE(live.ok()) << live.status().message();
  EXPECT_EQ(live->state, EntryState::kPublished);
  EXPECT_EQ(live->published_version, 1);
  ASSERT_EQ(live->events.size(), 2u);
  EXPECT_EQ(live->events.back().action, "publish");
  EXPECT_EQ(live->events.back().note, "导入");
  EXPECT_EQ(PublishImported(*live, kCentre, kT0 + 2).status().code(), Code::kFailedPrecondition);
}

TEST(KbEntry, RolesAreEnforced) {
  auto other = CreateEntry("kb2", kOwner.unit, Content("x"), kOtherUnit, kT0);
  EXPECT_EQ(other.status().code(), Code::kForbidden);
  auto e = CreateEntry("kb2", kOwner.unit, Content("x"), kOwner, kT0);
  ASSERT_TRUE(e.ok());
  EntryRequest r;
  r.action = EntryAction::kSubmit;
  EXPECT_EQ(ApplyEntryAction(*e, r, kOtherUnit, kT0).status().code(), Code::kForbidden);
  r.action = EntryAction::kPublish;
  EXPECT_EQ(ApplyEntryAction(*e, r, kOwner, kT0).status().code(), Code::kForbidden);
  EXPECT_EQ(ApplyEntryAction(*e, r, kCentre, kT0).status().code(), Code::kFailedPrecondition)
      << "a draft is not published without being submitted";
}

TEST(KbEntry, BadContentNamesTheField) {
  EntryContent c = Content("  ");
  EXPECT_EQ(CreateEntry("k", kOwner.unit, c, kOwner, kT0).status().field(), "body");
  c = Content("答案");
  c.source.link = "javascript:alert(1)";
  EXPECT_EQ(CreateEntry("k", kOwner.unit, c, kOwner, kT0).status().field(), "source.link");
  c = Content("答案");
  c.valid_from = kT0 + 10;
  c.valid_until = kT0;
  EXPECT_EQ(CreateEntry("k", kOwner.unit, c, kOwner, kT0).status().field(), "valid_until");
}

TEST(KbEntry, UpdateKeepsThePublishedVersionLiveAndOldVersionsReadable) {
  Entry e = Published();
  EntryRequest r;
  r.action = EntryAction::kUpdate;
  r.content = Content("2026年起购房提取可在线办理。");
  r.expected_version = 1;
  auto u = ApplyEntryAction(e, r, kOwner, kT0 + 10);
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->state, EntryState::kDraft);
  EXPECT_EQ(u->published_version, 1);
  ASSERT_NE(PublishedVersion(*u), nullptr);
  EXPECT_EQ(PublishedVersion(*u)->content.body, "购房可提取公积金。");
  ASSERT_EQ(u->versions.size(), 2u);
  EXPECT_EQ(u->versions[1].content.body, "2026年起购房提取可在线办理。");
  // A second writer that still holds version 1 loses.
  EXPECT_EQ(ApplyEntryAction(*u, r, kOwner, kT0 + 11).status().code(), Code::kConflict);
  Entry p = Act(Act(*u, EntryAction::kSubmit, kOwner, kT0 + 12), EntryAction::kPublish, kCentre,
                kT0 + 13);
  EXPECT_EQ(p.published_version, 2);
  EXPECT_EQ(p.versions[0].content.body, "购房可提取公积金。");
}

TEST(KbEntry, ReturnAndWithdrawNeedAReason) {
  auto e = CreateEntry("kb3", kOwner.unit, Content("x"), kOwner, kT0);
  ASSERT_TRUE(e.ok());
  Entry s = Act(*e, EntryAction::kSubmit, kOwner, kT0);
  EntryRequest r;
  r.action = EntryAction::kReturn;
  EXPECT_EQ(ApplyEntryAction(s, r, kCentre, kT0).status().field(), "note");
  Entry back = Act(s, EntryAction::kReturn, kCentre, kT0, "文号不对");
  EXPECT_EQ(back.state, EntryState::kDraft);
  Entry w = Act(Published(), EntryAction::kWithdraw, kCentre, kT0 + 5, "政策废止");
  EXPECT_EQ(w.state, EntryState::kWithdrawn);
  EXPECT_EQ(PublishedVersion(w), nullptr);
}

TEST(KbEntry, ExpiresOnlyAfterValidUntil) {
  Entry e = Published();
  EntryRequest r;
  r.action = EntryAction::kExpire;
  EXPECT_EQ(ApplyEntryAction(e, r, kCentre, kT0 + 99 * kDay).status().code(),
            Code::kFailedPrecondition);
  Entry x = Act(e, EntryAction::kExpire, kCentre, kT0 + 100 * kDay);
  EXPECT_EQ(x.state, EntryState::kExpired);
  EXPECT_EQ(EntryLight(x, kT0 + 100 * kDay), Light::kNone);
}

TEST(KbEntry, ReviewDueAndExpiryTurnTheLightYellowThenRed) {
  Entry e = Published();  // review due at day 60, valid until day 100
  EXPECT_EQ(EntryLight(e, kT0 + 10 * kDay), Light::kGreen);
  EXPECT_EQ(EntryLight(e, kT0 + 50 * kDay), Light::kYellow);  // review due within 14 days
  EXPECT_EQ(EntryLight(e, kT0 + 60 * kDay), Light::kRed);     // review overdue
  e.versions[0].content.review_due = 0;
  EXPECT_EQ(EntryLight(e, kT0 + 80 * kDay), Light::kGreen);
  EXPECT_EQ(EntryLight(e, kT0 + 90 * kDay), Light::kYellow);  // expiry within 14 days
  EXPECT_EQ(EntryLight(e, kT0 + 100 * kDay), Light::kRed);
}

TEST(KbEntry, AnyUnitProposesACorrectionWithoutChangingTheEntry) {
  Entry e = Published();
  Entry c = Act(e, EntryAction::kCorrection, kOtherUnit, kT0 + 3, "办理地点已搬迁");
  EXPECT_EQ(c.state, EntryState::kPublished);
  ASSERT_EQ(c.corrections.size(), 1u);
  EXPECT_EQ(c.corrections[0].unit, "医保局");
  EXPECT_EQ(c.corrections[0].version, 1);
  EXPECT_EQ(c.events.back().action, "correction");
}

}  // namespace
}  // namespace hotline::kb

namespace hotline::kb {
namespace {

TEST(KbEntryJson, RoundTripKeepsVersionsEventsAndCorrections) {
  Entry e = Published();
  EntryRequest r;
  r.action = EntryAction::kUpdate;
  r.content = Content("新答案");
  auto u = ApplyEntryAction(e, r, kOwner, kT0 + 20);
  ASSERT_TRUE(u.ok());
  Entry c = Act(*u, EntryAction::kCorrection, kOtherUnit, kT0 + 21, "电话已变更");
  const std::string j = EntryToJson(c);
  auto back = ParseEntryJson(j);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(EntryToJson(*back), j);
  EXPECT_EQ(back->versions.size(), 2u);
  EXPECT_EQ(back->published_version, 1);
  EXPECT_EQ(back->state, EntryState::kDraft);
  EXPECT_EQ(back->events.back().action, "correction");
  EXPECT_EQ(back->corrections.at(0).note, "电话已变更");
}

TEST(KbEntryJson, BadDocumentsNameTheField) {
  EXPECT_EQ(ParseEntryJson("{").status().field(), "entry");
  Entry e = Published();
  std::string j = EntryToJson(e);
  auto obj = nlohmann::json::parse(j);
  obj["state"] = "gone";
  EXPECT_EQ(ParseEntryJson(obj.dump()).status().field(), "state");
  obj = nlohmann::json::parse(j);
  obj["published_version"] = 7;
  EXPECT_EQ(ParseEntryJson(obj.dump()).status().field(), "published_version");
  obj = nlohmann::json::parse(j);
  obj.erase("versions");
  EXPECT_EQ(ParseEntryJson(obj.dump()).status().field(), "versions");
}

}  // namespace
}  // namespace hotline::kb
