#include "service/hotline_service.h"

#include "geo/coords.h"
#include "geo/demo_boundaries.h"
#include "geo/geojson.h"
#include "service/service_test_fixture.h"

namespace hotline {
namespace {

using testing::SmallCity;

constexpr std::int64_t kHour = 3600, kDay = 86400;

using testing::In;

Reply GoodReply(Timestamp contacted) {
  Reply r;
  r.contacted_at = contacted;
  r.contact_method = "phone";
  r.resolved = true;
  r.actions_taken = "已协调物业清运垃圾并增加清运频次";
  r.public_text = "您反映的问题已处理，垃圾已清运。";
  return r;
}

class ServiceTest : public SmallCity {
 protected:
  WorkOrder Raw(Id id) { return store_->GetOrder(id).value(); }
  size_t EventCount(Id id) { return store_->ListEvents(id)->size(); }
};

TEST_F(ServiceTest, IntakeValidatesAndNamesTheField) {
  IntakeRequest r = Appeal();
  r.nature.reset();
  bool existed;
  auto v = svc_->Intake(agent_, r, &existed);
  EXPECT_EQ(v.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(v.status().field(), "nature");
  r = Appeal();
  r.caller_phone = "12ab";
  EXPECT_EQ(svc_->Intake(agent_, r, &existed).status().field(), "caller.phone");
  r = Appeal();
  r.subject_code = "999999";
  EXPECT_EQ(svc_->Intake(agent_, r, &existed).status().field(), "subject_code");
  r = Appeal();
  r.grid_id = UnitId("370112001");  // a street given as a grid
  EXPECT_EQ(svc_->Intake(agent_, r, &existed).status().field(), "place.grid");
  r = Appeal();
  r.caller_id_no = "370112199001011235";  // wrong check digit
  EXPECT_EQ(svc_->Intake(agent_, r, &existed).status().field(), "caller.id_no");
  EXPECT_EQ(svc_->Intake(s1_, Appeal(), &existed).status().code(), Code::kForbidden);
  EXPECT_EQ(store_->ListOrders({})->total, 0) << "a refused intake must store nothing";
}

TEST_F(ServiceTest, IntakeResolvesThePlaceAndNumbersTheOrder) {
  Id id = NewOrder();
  WorkOrder o = Raw(id);
  EXPECT_EQ(o.place.street_id, UnitId("370112001"));
  EXPECT_EQ(o.place.community_id, UnitId("370112001001"));
  EXPECT_EQ(o.no, "2611230000001");
  EXPECT_EQ(o.state, State::kReceived);
}

TEST_F(ServiceTest, IdempotencyKeyReturnsTheSameOrder) {
  IntakeRequest r = Appeal();
  r.idempotency_key = "call-42";
  bool e1 = true, e2 = false;
  auto a = svc_->Intake(agent_, r, &e1);
  auto b = svc_->Intake(agent_, r, &e2);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(e1);
  EXPECT_TRUE(e2);
  EXPECT_EQ(a->order.id, b->order.id);
  EXPECT_EQ(store_->ListOrders({})->total, 1);
}

TEST_F(ServiceTest, WholeLifecycleWithExtensionRedoAndClose) {
  Id id = NewOrder();
  // Dispatch without naming a unit: the catalogue routes 02xx to the order's street + D02.
  auto v = Act(dispatcher_, id, In(Action::kDispatch));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->order.lead_unit_id, UnitId("370112001"));
  EXPECT_EQ(v->order.assist_unit_ids, std::vector<Id>{UnitId("D02")});
  // Monday 10:00 + 5 working days = end of Monday 2026-11-30.
  EXPECT_EQ(v->order.due_at, testing::kMonday10 - 10 * kHour + 8 * kDay);
  EXPECT_EQ(v->light, Light::kGreen);

  EXPECT_EQ(Act(s2_, id, In(Action::kSign)).status().code(), Code::kNotFound)
      << "another street does not even see it";
  EXPECT_EQ(Act(d2_, id, In(Action::kSign)).status().code(), Code::kForbidden)
      << "an assisting unit sees it but is not the lead";
  clock_.Advance(2 * kHour);
  ASSERT_TRUE(Act(s1_, id, In(Action::kSign)).ok());
  ASSERT_TRUE(Act(d2_, id, In(Action::kAssistReply, "已安排环卫车辆配合清运")).ok());

  // Extension: the deadline moves only on approval.
  ActionInput ext = In(Action::kRequestExtension, "需协调物业和环卫所");
  ext.extension_days = 3;
  auto req = Act(s1_, id, ext);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  Timestamp due_before = Raw(id).due_at;
  EXPECT_EQ(req->order.due_at, due_before);
  auto ok = Act(dispatcher_, id, In(Action::kApproveExtension));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->order.due_at, due_before + 3 * kDay) << "Tue, Wed, Thu after Monday";

  // Reply needs its fields.
  ActionInput bad = In(Action::kReply);
  bad.reply = GoodReply(clock_.Now());
  bad.reply->resolved = false;
  auto r = Act(s1_, id, bad);
  EXPECT_EQ(r.status().field(), "reply.unresolved_reason");
  ActionInput reply = In(Action::kReply);
  reply.reply = GoodReply(clock_.Now() - kHour);
  ASSERT_TRUE(Act(s1_, id, reply).ok());

  EXPECT_EQ(Act(dispatcher_, id, In(Action::kClose)).status().code(), Code::kFailedPrecondition)
      << "a unit's reply must be called back first";
  ActionInput cb = In(Action::kCallback);
  cb.rating = Rating::kUnsatisfied;
  ASSERT_TRUE(Act(agent_, id, cb).ok());
  auto redo = Act(dispatcher_, id, In(Action::kRedo, "市民不满意"));
  ASSERT_TRUE(redo.ok()) << redo.status().ToString();
  EXPECT_EQ(redo->order.state, State::kDispatched);
  EXPECT_EQ(redo->order.redo_count, 1);
  ASSERT_TRUE(Act(s1_, id, In(Action::kSign)).ok());
  reply.reply = GoodReply(clock_.Now());
  ASSERT_TRUE(Act(s1_, id, reply).ok());
  cb.rating = Rating::kSatisfied;
  ASSERT_TRUE(Act(agent_, id, cb).ok());
  auto closed = Act(dispatcher_, id, In(Action::kClose));
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->order.state, State::kClosed);

  auto events = svc_->Events(dispatcher_, id).value();
  std::vector<std::string> actions;
  for (const Event& e : events) actions.push_back(e.action);
  EXPECT_EQ(actions,
            (std::vector<std::string>{"intake", "dispatch", "sign", "assist_reply",
                                      "request_extension", "approve_extension", "reply", "callback",
                                      "redo", "sign", "reply", "callback", "close"}));
  EXPECT_EQ(events[2].user_id, s1_.user_id);
  EXPECT_EQ(events[2].unit_id, UnitId("370112001"));
}

TEST_F(ServiceTest, LightsFollowTheClockAcrossWorkingDays) {
  Id id = NewOrder();
  ASSERT_TRUE(Act(dispatcher_, id, In(Action::kDispatch)).ok());
  EXPECT_EQ(svc_->GetOrder(dispatcher_, id)->light, Light::kGreen);
  clock_.Set(testing::kMonday10 - 10 * kHour + 7 * kDay +
             12 * kHour);  // the last working day, noon
  EXPECT_EQ(svc_->GetOrder(dispatcher_, id)->light, Light::kYellow);
  clock_.Set(testing::kMonday10 - 10 * kHour + 8 * kDay + 60);  // just past the deadline
  EXPECT_EQ(svc_->GetOrder(dispatcher_, id)->light, Light::kRed);
  OrderQuery q;
  q.light = Light::kRed;
  EXPECT_EQ(svc_->ListOrders(supervisor_, q)->total, 1);
}

TEST_F(ServiceTest, ReturnReviewReassignsOrRejects) {
  Id id = NewOrder();
  ActionInput d = In(Action::kDispatch);
  d.lead_unit_id = UnitId("370112002");  // the wrong street
  ASSERT_TRUE(Act(dispatcher_, id, d).ok());
  EXPECT_EQ(Act(s2_, id, In(Action::kRequestReturn)).status().field(), "text");
  ASSERT_TRUE(Act(s2_, id, In(Action::kRequestReturn, "不在本街道辖区")).ok());
  ActionInput same = In(Action::kApproveReturn);
  same.lead_unit_id = UnitId("370112002");
  EXPECT_EQ(Act(dispatcher_, id, same).status().field(), "lead_unit_id");
  ActionInput ar = In(Action::kApproveReturn);
  ar.lead_unit_id = UnitId("370112001");
  auto v = Act(dispatcher_, id, ar);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->order.state, State::kDispatched);
  EXPECT_EQ(v->order.return_count, 1);
  // Second return is rejected: back to where it was.
  ASSERT_TRUE(Act(s1_, id, In(Action::kSign)).ok());
  ASSERT_TRUE(Act(s1_, id, In(Action::kRequestReturn, "想推掉")).ok());
  auto rj = Act(dispatcher_, id, In(Action::kRejectReturn, "属于本辖区，请办理"));
  ASSERT_TRUE(rj.ok());
  EXPECT_EQ(rj->order.state, State::kInProgress);
  // Past the return window (2 working days after dispatch) a return is refused.
  clock_.Advance(5 * kDay);
  EXPECT_EQ(Act(s1_, id, In(Action::kRequestReturn, "太晚了")).status().code(),
            Code::kFailedPrecondition);
}

TEST_F(ServiceTest, DepartmentMattersAreNotPushedDown) {
  Id id = NewOrder(Appeal("010101"));
  ActionInput d = In(Action::kDispatch);
  d.lead_unit_id = UnitId("370112001");
  auto r = Act(dispatcher_, id, d);
  EXPECT_EQ(r.status().field(), "lead_unit");
  EXPECT_EQ(Raw(id).state, State::kReceived);
  EXPECT_EQ(EventCount(id), 1u) << "a refused action adds no event";
  ASSERT_TRUE(Act(dispatcher_, id, In(Action::kDispatch)).ok());
  EXPECT_EQ(Raw(id).lead_unit_id, UnitId("D01"));
  // The catalogue itself refuses such a rule.
  Status st = svc_->PutCatalogueJson(
      admin_, R"({"rules":[{"subject_prefix":"010101","lead":{"territorial":"street"}}]})");
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
}

TEST_F(ServiceTest, StaleVersionAndWrongStateChangeNothing) {
  Id id = NewOrder();
  auto v = svc_->Act(dispatcher_, id, In(Action::kDispatch), std::int64_t{5});
  EXPECT_EQ(v.status().code(), Code::kConflict);
  EXPECT_EQ(Act(s1_, id, In(Action::kReply)).status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(Act(agent_, id, In(Action::kSign)).status().code(), Code::kForbidden);
  EXPECT_EQ(Act(agent_, id, In(Action::kClose)).status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(Raw(id).version, 0);
  EXPECT_EQ(EventCount(id), 1u);
}

TEST_F(ServiceTest, DirectAnswerMergeRejectSuspendSupervise) {
  IntakeRequest q = Appeal();
  q.nature = Nature::kConsultation;
  Id a = NewOrder(q);
  ActionInput ans = In(Action::kAnswer);
  ans.reply = Reply{};
  ans.reply->public_text = "公租房申请需携带身份证、户口本到街道便民服务中心办理。";
  auto v = Act(agent_, a, ans);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->order.reply->direct);
  ASSERT_TRUE(Act(agent_, a, In(Action::kClose)).ok()) << "direct answers may close at once";

  Id b = NewOrder(), c = NewOrder();
  ActionInput m = In(Action::kMerge);
  m.merge_into = b;
  ASSERT_TRUE(Act(agent_, c, m).ok());
  EXPECT_EQ(Raw(c).merged_into, b);
  m.merge_into = c;  // into a merged order
  EXPECT_EQ(Act(agent_, NewOrder(), m).status().field(), "merge_into");

  Id d = NewOrder();
  ActionInput rj = In(Action::kReject, "已向法院起诉");
  EXPECT_EQ(Act(agent_, d, rj).status().field(), "basis");
  rj.basis = RejectBasis::kLitigation;
  ASSERT_TRUE(Act(agent_, d, rj).ok());
  EXPECT_EQ(Raw(d).state, State::kRejected);

  ASSERT_TRUE(Act(dispatcher_, b, In(Action::kDispatch)).ok());
  ASSERT_TRUE(Act(s1_, b, In(Action::kSign)).ok());
  Timestamp due = Raw(b).due_at;
  ASSERT_TRUE(Act(dispatcher_, b, In(Action::kSuspend, "需等待上级政策")).ok());
  clock_.Advance(3 * kDay);
  EXPECT_EQ(svc_->GetOrder(dispatcher_, b)->light, Light::kNone) << "parked orders have no light";
  ASSERT_TRUE(Act(dispatcher_, b, In(Action::kResume)).ok());
  EXPECT_EQ(Raw(b).due_at, due + 3 * kDay) << "the clock stopped while parked";
  EXPECT_EQ(Act(dispatcher_, b, In(Action::kSupervise, "x")).status().code(), Code::kForbidden);
  ASSERT_TRUE(Act(supervisor_, b, In(Action::kSupervise, "请加快办理")).ok());
  EXPECT_TRUE(Raw(b).supervised);
}

TEST_F(ServiceTest, ScopeAndMasking) {
  IntakeRequest r = Appeal();
  r.content += "请回电13912345678，身份证370112199001011237。";
  Id id = NewOrder(r);  // placed in 山大路 (street 1)
  ASSERT_TRUE(Act(dispatcher_, id, In(Action::kDispatch)).ok());
  // Another street cannot see it at all.
  EXPECT_EQ(svc_->GetOrder(s2_, id).status().code(), Code::kNotFound);
  OrderQuery all;
  EXPECT_EQ(svc_->ListOrders(s2_, all)->total, 0);
  EXPECT_EQ(svc_->ListOrders(s1_, all)->total, 1);
  EXPECT_EQ(svc_->ListOrders(g1_, all)->total, 1) << "the grid the order is in";
  EXPECT_EQ(svc_->GetOrder(d1_, id).status().code(), Code::kNotFound) << "not assigned to D01";
  EXPECT_TRUE(svc_->GetOrder(d2_, id).ok()) << "D02 assists";
  // Masking: the agent sees everything (audited), the supervisor and handlers masked.
  auto full = svc_->GetOrder(agent_, id).value();
  EXPECT_EQ(full.order.caller_phone, "13812345678");
  EXPECT_FALSE(svc_->Audit(admin_, id, 10)->empty());
  auto sup = svc_->GetOrder(supervisor_, id).value();
  EXPECT_EQ(sup.order.caller_phone, "138****5678");
  EXPECT_EQ(sup.order.caller_name.find("三丰"), std::string::npos);
  auto list = svc_->ListOrders(agent_, all).value();
  EXPECT_EQ(list.items[0].order.caller_phone, "138****5678") << "lists are always masked";
  EXPECT_EQ(list.items[0].order.content.find("13912345678"), std::string::npos)
      << "and so is the text";
  EXPECT_NE(list.items[0].order.content.find("139****5678"), std::string::npos);
  EXPECT_NE(full.order.content.find("13912345678"), std::string::npos)
      << "the agent's detail is full";
  // The lead unit can reveal the contact, audited.
  auto contact = svc_->RevealContact(s1_, id);
  ASSERT_TRUE(contact.ok()) << contact.status().ToString();
  EXPECT_EQ(contact->order.caller_phone, "13812345678");
  EXPECT_EQ(svc_->RevealContact(supervisor_, id).status().code(), Code::kForbidden);
}

TEST_F(ServiceTest, InformantIsNeverShownToTheUnitReportedOn) {
  IntakeRequest r = Appeal();
  r.nature = Nature::kReport;
  r.reported_unit_id = UnitId("D02");
  r.content = "举报城管执法人员收受摊贩好处。";
  Id id = NewOrder(r);
  ActionInput d = In(Action::kDispatch);
  d.lead_unit_id = UnitId("370112001");
  d.assist_unit_ids = {UnitId("D02")};
  ASSERT_TRUE(Act(dispatcher_, id, d).ok());
  auto seen = svc_->GetOrder(d2_, id).value();
  EXPECT_TRUE(seen.identity_hidden);
  EXPECT_EQ(seen.order.caller_phone, "");
  EXPECT_EQ(seen.order.caller_name, "");
  EXPECT_EQ(svc_->RevealContact(d2_, id).status().code(), Code::kForbidden);
  EXPECT_EQ(svc_->ListOrders(d2_, {})->items.at(0).order.caller_phone, "");
  // The lead handling unit of a report does not get the informant either.
  EXPECT_TRUE(svc_->GetOrder(s1_, id)->identity_hidden);
  EXPECT_EQ(svc_->GetOrder(agent_, id)->order.caller_phone, "13812345678");
}

TEST_F(ServiceTest, CitizensSeeOnlyTheirOwnAppeals) {
  Id others = NewOrder();
  IntakeRequest r = Appeal();
  r.channel = Channel::kWeb;
  r.caller_phone.clear();
  r.caller_name.clear();
  bool existed;
  auto mine = svc_->Intake(citizen_, r, &existed);
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  EXPECT_EQ(mine->order.caller_phone, "13905310000");
  EXPECT_EQ(svc_->GetOrder(citizen_, others).status().code(), Code::kNotFound);
  EXPECT_EQ(svc_->ListOrders(citizen_, {})->total, 1);
  r.channel = Channel::kHotline;
  EXPECT_EQ(svc_->Intake(citizen_, r, &existed).status().field(), "channel");
}

TEST_F(ServiceTest, EverythingSurvivesARestart) {
  Id id = NewOrder();
  ASSERT_TRUE(Act(dispatcher_, id, In(Action::kDispatch)).ok());
  Restart();
  auto o = svc_->GetOrder(admin_, id);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->order.state, State::kDispatched);
  EXPECT_EQ(svc_->config()->taxonomy_version, "t1");
  EXPECT_EQ(svc_->config()->catalogue.size(), 2u);
  EXPECT_TRUE(svc_->Login("s1", "pw12").ok());
  EXPECT_EQ(svc_->Login("s1", "wrong").status().code(), Code::kUnauthenticated);
}

TEST_F(ServiceTest, IntakeSuggestsOpenDuplicatesAndMergeClosesTheLoop) {
  Id first = NewOrder();
  // Another caller, same street, nearly the same words.
  IntakeRequest r = Appeal();
  r.caller_phone = "13700001111";
  r.content = "甸柳小区3号楼门前的垃圾堆放了好多天无人清理，气味很大！";
  bool existed;
  auto v = svc_->Intake(agent_, r, &existed);
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->duplicates.size(), 1u);
  EXPECT_EQ(v->duplicates[0].id, first);
  EXPECT_EQ(v->duplicates[0].reason, "similar_text_same_place");
  // Same caller, different matter: suggested as the same caller.
  IntakeRequest other = Appeal();
  other.content = "咨询社区老年人助餐点的开放时间。";
  auto w = svc_->Intake(agent_, other, &existed);
  ASSERT_TRUE(w.ok());
  ASSERT_FALSE(w->duplicates.empty());
  EXPECT_EQ(w->duplicates[0].reason, "same_caller");
  // The same text in another street is not the same matter.
  IntakeRequest far = r;
  far.caller_phone = "13700002222";
  far.grid_id = UnitId("370112002001001");
  auto x = svc_->Intake(agent_, far, &existed);
  ASSERT_TRUE(x.ok());
  for (const auto& d : x->duplicates) EXPECT_NE(d.reason, "similar_text_same_place");
  // Merged orders are no longer suggested; the index survives a restart.
  ActionInput m = In(Action::kMerge);
  m.merge_into = first;
  ASSERT_TRUE(Act(agent_, v->order.id, m).ok());
  Restart();
  auto again = svc_->FindDuplicates(agent_, first);
  ASSERT_TRUE(again.ok());
  for (const auto& d : *again) EXPECT_NE(d.id, v->order.id) << "merged orders are closed";
  EXPECT_EQ(svc_->FindDuplicates(s1_, first).status().code(), Code::kForbidden);
}

TEST_F(ServiceTest, TheSameMatterAtTheSameCompoundIsSuggestedWhateverTheWords) {
  std::vector<ImportError> errors;
  ASSERT_TRUE(svc_->ImportGazetteerCsv(admin_,
                                       "name,kind,aliases,street_code,community_code,grid_code,"
                                       "lon,lat\n"
                                       "祥泰小区,compound,,370112001,370112001001,,,\n"
                                       "金科新苑,compound,,370112001,370112001001,,,\n",
                                       &errors)
                  .ok());
  IntakeRequest r = Appeal();
  r.address = "洪家楼街道祥泰小区1号楼";
  r.content =
      "祥泰小区1号楼东侧的垃圾桶已经满了三天，垃圾散落一地，夏天苍蝇很多，物业说环卫不来收，"
      "希望相关部门尽快清运并增加清运次数";
  bool existed;
  auto first = svc_->Intake(agent_, r, &existed);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // A neighbour says it in a few words of their own: the text alone is far from the first.
  IntakeRequest again = Appeal();
  again.caller_phone = "13700001111";
  again.address = "祥泰小区3号楼";
  again.content = "3号楼门口垃圾没人收";
  auto second = svc_->Intake(agent_, again, &existed);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->duplicates.size(), 1u);
  EXPECT_EQ(second->duplicates[0].id, first->order.id);
  EXPECT_EQ(second->duplicates[0].reason, "same_place_same_subject");
  EXPECT_LT(second->duplicates[0].score, 0.3);
  // The same words about another compound, or another matter at this one, are not it.
  IntakeRequest elsewhere = again;
  elsewhere.caller_phone = "13700002222";
  elsewhere.address = "金科新苑3号楼";
  auto third = svc_->Intake(agent_, elsewhere, &existed);
  ASSERT_TRUE(third.ok());
  for (const auto& d : third->duplicates) EXPECT_NE(d.id, first->order.id);
  IntakeRequest other_matter = again;
  other_matter.caller_phone = "13700003333";
  other_matter.subject_code = "010101";
  auto fourth = svc_->Intake(agent_, other_matter, &existed);
  ASSERT_TRUE(fourth.ok());
  for (const auto& d : fourth->duplicates) EXPECT_NE(d.id, first->order.id);
  // The index is rebuilt with the places at start.
  Restart();
  auto found = svc_->FindDuplicates(agent_, second->order.id);
  ASSERT_TRUE(found.ok());
  bool suggested = false;
  for (const auto& d : *found)
    suggested |= d.id == first->order.id && d.reason == "same_place_same_subject";
  EXPECT_TRUE(suggested);
}

TEST_F(ServiceTest, CoordinatesResolveToTheGridThroughImportedBoundaries) {
  std::vector<Unit> units = svc_->Units();
  auto shapes = geo::GenerateDemoBoundaries(units);
  ASSERT_TRUE(shapes.ok()) << shapes.status().ToString();
  std::string geojson = geo::ExportGeoJson(*shapes);
  std::vector<std::string> problems;
  EXPECT_EQ(svc_->PutBoundariesGeoJson(agent_, geojson, &problems).code(), Code::kForbidden);
  ASSERT_TRUE(svc_->PutBoundariesGeoJson(admin_, geojson, &problems).ok());
  // A point inside 洪家楼第一网格: its centroid.
  const geo::Place* grid = shapes->Find("370112002001001");
  ASSERT_NE(grid, nullptr);
  geo::Point c;
  boost::geometry::centroid(grid->shape, c);
  IntakeRequest r = Appeal();
  r.grid_id.reset();
  r.lon = c.x();
  r.lat = c.y();
  bool existed;
  auto v = svc_->Intake(agent_, r, &existed);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->order.place.grid_id, UnitId("370112002001001"));
  EXPECT_EQ(v->order.place.street_id, UnitId("370112002"));
  // The same point as a Chinese map app gives it (GCJ-02) lands in the same grid, stored as WGS-84.
  geo::LonLat gcj = geo::Wgs84ToGcj02({c.x(), c.y()});
  r.lon = gcj.lon;
  r.lat = gcj.lat;
  r.gcj02 = true;
  auto g = svc_->Intake(agent_, r, &existed);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->order.place.grid_id, UnitId("370112002001001"));
  EXPECT_NEAR(*g->order.place.lon, c.x(), 1e-5);
  // Outside every grid: coordinates kept, no unit guessed.
  r.gcj02 = false;
  r.lon = 100.0;
  r.lat = 30.0;
  auto out = svc_->Intake(agent_, r, &existed);
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->order.place.grid_id.has_value());
  EXPECT_FALSE(out->order.place.street_id.has_value());
  EXPECT_EQ(out->order.place.lon, 100.0);
  // Boundaries naming a unit the organisation lacks are refused whole; the old ones stay.
  std::string bad = geojson;
  bad.replace(bad.find("370112002001001"), 15, "370112002001009");
  problems.clear();
  EXPECT_EQ(svc_->PutBoundariesGeoJson(admin_, bad, &problems).code(), Code::kInvalidArgument);
  EXPECT_FALSE(problems.empty());
  Restart();
  r.lon = c.x();
  r.lat = c.y();
  auto again = svc_->Intake(agent_, r, &existed);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->order.place.grid_id, UnitId("370112002001001")) << "boundaries persist";
}

TEST_F(ServiceTest, TaxonomyIsVersioned) {
  const char* changed = R"({"version":"t1","subjects":[
      {"code":"01","name":"城乡建设"},
      {"code":"0101","name":"住房保障","parent":"01"},
      {"code":"010101","name":"公租房申请","parent":"0101","department_matter":true},
      {"code":"02","name":"城市管理（新）"},
      {"code":"0201","name":"市容环境","parent":"02"},
      {"code":"020101","name":"小区环境卫生","parent":"0201"}]})";
  EXPECT_EQ(svc_->PutTaxonomyJson(admin_, changed).field(), "version");
  std::string v2 = changed;
  v2.replace(v2.find("\"t1\""), 4, "\"t2\"");
  ASSERT_TRUE(svc_->PutTaxonomyJson(admin_, v2).ok());
  EXPECT_EQ(svc_->config()->taxonomy_version, "t2");
  auto archived = store_->GetDocument("taxonomy@t1").value();
  ASSERT_TRUE(archived.has_value());
  EXPECT_NE(archived->find("城市管理\""), std::string::npos);
}

TEST_F(ServiceTest, ImportReportsRowErrorsAndImportsNothing) {
  std::vector<ImportError> errors;
  auto r = svc_->ImportUnits(admin_,
                             "code,name,kind,parent_code,grid_kind\n"
                             "370112003,东风街道,street,370112,\n"
                             "37011200300,坏社区,community,370112003,\n",
                             true, &errors);
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].row, 2) << ToString(errors[0]);
  EXPECT_EQ(errors[0].field, "code");
  EXPECT_EQ(svc_->FindUnitByCode("370112003").status().code(), Code::kNotFound);
  EXPECT_EQ(svc_->ImportUnits(agent_, "x", true, &errors).status().code(), Code::kForbidden);
}

}  // namespace
}  // namespace hotline
