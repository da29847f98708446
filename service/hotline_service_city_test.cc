// A city-rooted store (issue 14): Jinan 370100 over Licheng 370112 and Lixia 370102, each with
// its own hotline office; dispatch level by level (二级派单) and scope by district.
#include <algorithm>
#include <map>
#include <set>

#include "analytics/kpi.h"
#include "service/service_test_fixture.h"

namespace hotline::testing {
namespace {

using analytics::Counter;

class JinanCity : public SmallCity {
 protected:
  JinanCity() {
    boot_.district_code = "370100";
    boot_.district_name = "济南市";
    boot_.center_name = "济南市12345市民服务热线";
  }
  void Seed() override {
    std::vector<ImportError> errors;
    auto units = svc_->ImportUnits(admin_,
                                   "code,name,kind,parent_code,grid_kind\n"
                                   "370112,历城区,district,370100,\n"
                                   "370102,历下区,district,,\n"  // the city is implied
                                   "LC-OFFICE,历城区12345热线办公室,center,370112,\n"
                                   "LX-OFFICE,历下区12345热线办公室,center,370102,\n"
                                   "370112001,山大路街道,street,370112,\n"
                                   "370112002,洪家楼街道,street,370112,\n"
                                   "370102001,解放路街道,street,370102,\n"
                                   "370112001001,甸柳社区,community,370112001,\n"
                                   "370112002001,洪家楼社区,community,370112002,\n"
                                   "370102001001,解放路社区,community,370102001,\n"
                                   "370112001001001,甸柳第一网格,grid,370112001001,basic\n"
                                   "370112002001001,洪家楼第一网格,grid,370112002001,basic\n"
                                   "370102001001001,解放路第一网格,grid,370102001001,basic\n"
                                   "JN-D01,市住房和城乡建设局,department,370100,\n"
                                   "LC-D02,历城区城市管理局,department,370112,\n",
                                   true, &errors);
    ASSERT_TRUE(units.ok()) << units.status().ToString()
                            << (errors.empty() ? "" : ToString(errors[0]));
    auto users = svc_->ImportUsers(admin_,
                                   "login,display_name,role,unit_code,password,phone\n"
                                   "agent,市话务员,agent,CENTER,pw12,\n"
                                   "dispatcher,市派单员,dispatcher,CENTER,pw12,\n"
                                   "supervisor,市督办员,supervisor,CENTER,pw12,\n"
                                   "lc_dispatcher,历城区派单员,dispatcher,LC-OFFICE,pw12,\n"
                                   "lx_dispatcher,历下区派单员,dispatcher,LX-OFFICE,pw12,\n"
                                   "lx_supervisor,历下区督办员,supervisor,LX-OFFICE,pw12,\n"
                                   "s1,山大路承办人,handler,370112001,pw12,\n"
                                   "s2,洪家楼承办人,handler,370112002,pw12,\n"
                                   "x1,解放路承办人,handler,370102001,pw12,\n"
                                   "d1,市住建局承办人,handler,JN-D01,pw12,\n",
                                   &errors);
    ASSERT_TRUE(users.ok()) << users.status().ToString()
                            << (errors.empty() ? "" : ToString(errors[0]));
    ASSERT_TRUE(svc_->PutTaxonomyJson(admin_, kSmallTaxonomy).ok());
    ASSERT_TRUE(svc_->PutCatalogueJson(admin_, R"({"rules":[
      {"subject_prefix":"0101","lead":{"department":"JN-D01"}},
      {"subject_prefix":"02","lead":{"territorial":"street"}}]})")
                    .ok());
    agent_ = Login("agent");
    dispatcher_ = Login("dispatcher");
    supervisor_ = Login("supervisor");
    lc_ = Login("lc_dispatcher");
    lx_ = Login("lx_dispatcher");
    lx_supervisor_ = Login("lx_supervisor");
    s1_ = Login("s1");
    s2_ = Login("s2");
    x1_ = Login("x1");
    d1_ = Login("d1");
  }
  Id OrderIn(const std::string& grid, const std::string& subject = "020101") {
    IntakeRequest r = Appeal(subject);
    r.grid_id = UnitId(grid);
    return NewOrder(r);
  }
  Result<OrderView> Lead(const Actor& a, Id order, Action act, std::optional<Id> lead,
                         std::string text = "") {
    ActionInput in = In(act, std::move(text));
    in.lead_unit_id = lead;
    return Act(a, order, in);
  }
  std::vector<std::string> Path(Id order) {
    std::vector<std::string> out;
    const std::vector<Event> events = svc_->Events(dispatcher_, order).value();
    for (const Event& e : events)
      out.push_back(e.action + "@" + svc_->FindUnit(e.unit_id.value_or(0)).value().code);
    return out;
  }
  Actor lc_, lx_, lx_supervisor_, x1_;
};

TEST_F(JinanCity, TheRootIsTheCityAndDistrictsSitUnderIt) {
  Unit city = svc_->FindUnitByCode("370100").value();
  EXPECT_EQ(city.kind, UnitKind::kCity);
  EXPECT_FALSE(city.parent_id);
  EXPECT_EQ(svc_->FindUnitByCode("370112").value().parent_id, city.id);
  EXPECT_EQ(svc_->FindUnitByCode("370102").value().parent_id, city.id);  // implied
  // A district of another city is refused, naming the row's field.
  std::vector<ImportError> errors;
  auto bad = svc_->ImportUnits(
      admin_, "code,name,kind,parent_code\n370202,市南区,district,370100\n", true, &errors);
  EXPECT_FALSE(bad.ok());
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].field, "code");
  EXPECT_FALSE(svc_->FindUnitByCode("370202").ok());
}

TEST_F(JinanCity, CityToDistrictOfficeToStreetWithAReturnAtEachHop) {
  Id o = OrderIn("370112001001001");
  // The catalogue points to 山大路街道 (territorial): the city's hop goes to Licheng's office,
  // as the suggestion says.
  EXPECT_EQ(svc_->SuggestDispatch(dispatcher_, o).value().lead_unit_id, UnitId("LC-OFFICE"));
  auto d = Lead(dispatcher_, o, Action::kDispatch, std::nullopt);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->order.lead_unit_id, UnitId("LC-OFFICE"));
  // Lixia's office does not see it; Licheng's does.
  EXPECT_EQ(svc_->GetOrder(lx_, o).status().code(), Code::kNotFound);
  ASSERT_TRUE(svc_->GetOrder(lc_, o).ok());
  // Hop 1: the office returns it (wrong district, says it); the city reassigns it back to the
  // office after review — the office may not approve its own return.
  ASSERT_TRUE(Act(lc_, o, In(Action::kRequestReturn, "请核实属地")).ok());
  EXPECT_EQ(Lead(lc_, o, Action::kApproveReturn, std::nullopt).status().code(), Code::kForbidden);
  auto back = Lead(dispatcher_, o, Action::kApproveReturn, UnitId("LX-OFFICE"));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_TRUE(Act(lx_, o, In(Action::kRequestReturn, "位于历城区")).ok());
  ASSERT_TRUE(Lead(dispatcher_, o, Action::kApproveReturn, UnitId("LC-OFFICE")).ok());
  ASSERT_TRUE(Act(lc_, o, In(Action::kSign)).ok());
  // At the office, the catalogue's own unit is suggested for the relay.
  EXPECT_EQ(svc_->SuggestDispatch(lc_, o).value().lead_unit_id, UnitId("370112001"));
  const Timestamp case_due = svc_->GetOrder(lc_, o).value().order.due_at;
  // The office re-dispatches: not outside its district, not to a city department.
  EXPECT_EQ(Lead(lc_, o, Action::kRelay, UnitId("370102001")).status().field(), "lead_unit");
  EXPECT_EQ(Lead(lc_, o, Action::kRelay, UnitId("JN-D01")).status().field(), "lead_unit");
  // Lixia's office led it once (it keeps reading it) but is not the lead: it may not relay it.
  EXPECT_EQ(Lead(lx_, o, Action::kRelay, UnitId("370112001")).status().code(), Code::kForbidden);
  clock_.Advance(3600);
  auto relayed = Lead(lc_, o, Action::kRelay, std::nullopt);  // the catalogue: 山大路街道
  ASSERT_TRUE(relayed.ok()) << relayed.status().ToString();
  EXPECT_EQ(relayed->order.lead_unit_id, UnitId("370112001"));
  EXPECT_EQ(relayed->order.relay_unit_id, UnitId("LC-OFFICE"));
  EXPECT_EQ(relayed->order.due_at, case_due);
  // Hop 2: the street returns it; the city may not rule on it, the office reassigns.
  ASSERT_TRUE(Act(s1_, o, In(Action::kRequestReturn, "属洪家楼街道")).ok());
  EXPECT_EQ(Lead(dispatcher_, o, Action::kApproveReturn, UnitId("370112002")).status().code(),
            Code::kForbidden);
  auto reassigned = Lead(lc_, o, Action::kApproveReturn, UnitId("370112002"));
  ASSERT_TRUE(reassigned.ok()) << reassigned.status().ToString();
  EXPECT_EQ(reassigned->order.return_count, 3);
  ASSERT_TRUE(Act(s2_, o, In(Action::kSign)).ok());
  ActionInput reply = In(Action::kReply);
  reply.reply = Reply{false, clock_.Now(), "phone", true, "", "已清理", "垃圾已清运"};
  ASSERT_TRUE(Act(s2_, o, reply).ok());
  ActionInput cb = In(Action::kCallback);
  cb.rating = Rating::kSatisfied;
  ASSERT_TRUE(Act(dispatcher_, o, cb).ok());
  ASSERT_TRUE(Act(dispatcher_, o, In(Action::kClose)).ok());
  EXPECT_EQ(Path(o), (std::vector<std::string>{
                         "intake@CENTER", "dispatch@CENTER", "request_return@LC-OFFICE",
                         "approve_return@CENTER", "request_return@LX-OFFICE",
                         "approve_return@CENTER", "sign@LC-OFFICE", "relay@LC-OFFICE",
                         "request_return@370112001", "approve_return@LC-OFFICE", "sign@370112002",
                         "reply@370112002", "callback@CENTER", "close@CENTER"}));
  // Lixia's office handled it once but it is Licheng's now: a unit keeps the orders it led.
  EXPECT_TRUE(svc_->GetOrder(lx_, o).ok());
}

TEST_F(JinanCity, ADistrictOfficeDoesNotDispatchFromTheCityPool) {
  Id o = OrderIn("370112001001001");
  ASSERT_TRUE(svc_->GetOrder(lc_, o).ok());  // in its district: it sees it
  EXPECT_EQ(Lead(lc_, o, Action::kDispatch, UnitId("370112001")).status().code(), Code::kForbidden);
}

TEST_F(JinanCity, TheCityMayDispatchPastTheDistrictAndItIsRecorded) {
  Id o = OrderIn("370112001001001");
  EXPECT_EQ(Lead(dispatcher_, o, Action::kDispatch, UnitId("370112001")).status().field(), "text");
  auto d = Lead(dispatcher_, o, Action::kDispatch, UnitId("370112001"), "跨区协调，直派街道");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_FALSE(d->order.relay_unit_id);
  auto events = svc_->Events(dispatcher_, o).value();
  EXPECT_NE(events.back().data_json.find("\"skip_level\":true"), std::string::npos);
  // A city department is the city's own: no skip.
  Id dept = OrderIn("370112001001001", "010101");
  ASSERT_TRUE(Lead(dispatcher_, dept, Action::kDispatch, std::nullopt).ok());
  EXPECT_EQ(svc_->GetOrder(dispatcher_, dept).value().order.lead_unit_id, UnitId("JN-D01"));
  EXPECT_EQ(svc_->Events(dispatcher_, dept).value().back().data_json.find("skip_level"),
            std::string::npos);
}

TEST_F(JinanCity, ALixiaUserNeverSeesALichengOrder) {
  Id lc_order = OrderIn("370112001001001");
  Id lx_order = OrderIn("370102001001001");
  ASSERT_TRUE(Lead(dispatcher_, lc_order, Action::kDispatch, std::nullopt).ok());
  ASSERT_TRUE(Lead(dispatcher_, lx_order, Action::kDispatch, std::nullopt).ok());
  for (const Actor& a : {lx_, lx_supervisor_}) {
    EXPECT_EQ(svc_->GetOrder(a, lc_order).status().code(), Code::kNotFound);
    EXPECT_EQ(svc_->Events(a, lc_order).status().code(), Code::kNotFound);
    // (A supervisor may not look for duplicates at all: 403 for any order.)
    EXPECT_EQ(svc_->FindDuplicates(a, lc_order).status().code(),
              a.role == Role::kSupervisor ? Code::kForbidden : Code::kNotFound);
    auto list = svc_->ListOrders(a, {});
    ASSERT_TRUE(list.ok()) << list.status().ToString();
    ASSERT_EQ(list->items.size(), 1u);
    EXPECT_EQ(list->items[0].order.id, lx_order);
    EXPECT_EQ(list->total, 1);
    // Text search finds only Lixia's.
    OrderQuery q;
    q.text = "垃圾";
    auto found = svc_->ListOrders(a, q);
    ASSERT_TRUE(found.ok());
    ASSERT_EQ(found->items.size(), 1u);
    EXPECT_EQ(found->items[0].order.id, lx_order);
  }
  // The city sees both.
  EXPECT_EQ(svc_->ListOrders(dispatcher_, {}).value().total, 2);
  EXPECT_EQ(svc_->ListOrders(supervisor_, {}).value().total, 2);
  // KPIs: Licheng is not in Lixia's jurisdiction; Lixia's own figures count only its order.
  analytics::DayRange today{analytics::DayOf(clock_.Now()), analytics::DayOf(clock_.Now()) + 1};
  KpiQuery k;
  k.range = today;
  k.unit_id = UnitId("370112");
  EXPECT_EQ(svc_->Kpis(lx_supervisor_, k).status().code(), Code::kNotFound);
  k.unit_id.reset();
  auto own = svc_->Kpis(lx_supervisor_, k);
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  ASSERT_EQ(own->size(), 1u);
  EXPECT_EQ((*own)[0].unit.id, UnitId("370102"));
  // Rankings of streets: only Lixia's streets for Lixia, every street for the city.
  auto streets = svc_->Rankings(lx_supervisor_, UnitKind::kStreet, today);
  ASSERT_TRUE(streets.ok());
  for (const auto& r : streets->rows) EXPECT_EQ(r.unit.code.substr(0, 6), "370102");
  EXPECT_FALSE(streets->rows.empty());
  auto city_streets = svc_->Rankings(supervisor_, UnitKind::kStreet, today).value();
  EXPECT_EQ(city_streets.rows.size(), 3u);
  // The dashboard opens at Lixia for Lixia's staff.
  auto dash = svc_->Dashboard(lx_supervisor_, analytics::DayOf(clock_.Now()));
  ASSERT_TRUE(dash.ok()) << dash.status().ToString();
  EXPECT_EQ(dash->unit_id, UnitId("370102"));
  EXPECT_EQ(dash->today_received, 1);
  auto city_dash = svc_->Dashboard(supervisor_, analytics::DayOf(clock_.Now())).value();
  EXPECT_EQ(city_dash.today_received, 2);
  // The audit: the city's reveal of the Licheng caller is not in Lixia's audit log.
  ASSERT_TRUE(svc_->RevealContact(supervisor_, lc_order).ok() ||
              svc_->RevealContact(dispatcher_, lc_order).ok());
  AuditQuery aq;
  aq.action = "reveal_contact";
  EXPECT_GE(svc_->QueryAudit(supervisor_, aq).value().total, 1);
  EXPECT_EQ(svc_->QueryAudit(lx_supervisor_, aq).value().total, 0);
  const std::vector<AuditEntry> lx_audit = svc_->Audit(lx_supervisor_, std::nullopt, 100).value();
  for (const AuditEntry& e : lx_audit)
    EXPECT_NE(e.order_id, std::optional<Id>(lc_order)) << e.action;
}

// One catalogue for the city: where it names a district's department (LC-D02), an order of
// another district goes to that district's counterpart (LX-LC-D02), through its own office.
TEST_F(JinanCity, TheCataloguesDepartmentMeansTheOrdersOwnDistrictsCounterpart) {
  std::vector<ImportError> errors;
  ASSERT_TRUE(svc_->ImportUnits(admin_,
                                "code,name,kind,parent_code,grid_kind\n"
                                "LX-LC-D02,历下区城市管理局,department,370102,\n",
                                true, &errors)
                  .ok());
  ASSERT_TRUE(svc_->PutCatalogueJson(admin_, R"({"rules":[
      {"subject_prefix":"0101","lead":{"department":"LC-D02"}},
      {"subject_prefix":"02","lead":{"territorial":"street"}}]})")
                  .ok());
  Id lx_order = OrderIn("370102001001001", "010101");
  EXPECT_EQ(svc_->SuggestDispatch(dispatcher_, lx_order).value().lead_unit_id, UnitId("LX-OFFICE"));
  ASSERT_TRUE(Lead(dispatcher_, lx_order, Action::kDispatch, std::nullopt).ok());
  ASSERT_TRUE(Act(lx_, lx_order, In(Action::kSign)).ok());
  EXPECT_EQ(svc_->SuggestDispatch(lx_, lx_order).value().lead_unit_id, UnitId("LX-LC-D02"));
  auto relayed = Lead(lx_, lx_order, Action::kRelay, std::nullopt);
  ASSERT_TRUE(relayed.ok()) << relayed.status().ToString();
  EXPECT_EQ(relayed->order.lead_unit_id, UnitId("LX-LC-D02"));
  // Licheng's own order keeps the catalogue's unit.
  Id lc_order = OrderIn("370112001001001", "010101");
  ASSERT_TRUE(Lead(dispatcher_, lc_order, Action::kDispatch, std::nullopt).ok());
  ASSERT_TRUE(Act(lc_, lc_order, In(Action::kSign)).ok());
  EXPECT_EQ(Lead(lc_, lc_order, Action::kRelay, std::nullopt).value().order.lead_unit_id,
            UnitId("LC-D02"));
}

// The map and hotspots (issue 14 item 3): a district's staff see their district's units and
// orders only; the city's map has a district level that counts each district's streets.
TEST_F(JinanCity, ALixiaUsersMapAndHotspotsNeverShowALichengOrder) {
  std::vector<Id> lc, lx;
  for (int i = 0; i < 3; ++i) {
    IntakeRequest r = Appeal();
    r.grid_id = UnitId("370112001001001");
    r.lon = 117.06, r.lat = 36.68;
    lc.push_back(NewOrder(r));
    if (i == 2) break;  // Lixia: two appeals, Licheng: three
    r.grid_id = UnitId("370102001001001");
    r.lon = 117.02, r.lat = 36.66;
    lx.push_back(NewOrder(r));
  }
  const Timestamp from = clock_.Now() - 3600, to = clock_.Now() + 3600;
  auto codes = [](const std::vector<MapUnitFeature>& fs) {
    std::map<std::string, std::int64_t> out;
    for (const MapUnitFeature& f : fs) out[f.unit.code] = f.counts.count;
    return out;
  };
  for (const Actor& a : {lx_, lx_supervisor_}) {
    MapOrdersQuery q;
    auto points = svc_->MapOrders(a, q);
    ASSERT_TRUE(points.ok()) << points.status().ToString();
    EXPECT_EQ(points->total, 2);
    for (const MapPoint& p : points->items)
      EXPECT_TRUE(std::find(lc.begin(), lc.end(), p.id) == lc.end()) << p.no;
    auto streets = svc_->MapGrids(a, from, to, UnitKind::kStreet, std::nullopt);
    ASSERT_TRUE(streets.ok()) << streets.status().ToString();
    EXPECT_EQ(codes(*streets), (std::map<std::string, std::int64_t>{{"370102001", 2}}));
    auto districts = svc_->MapGrids(a, from, to, UnitKind::kDistrict, std::nullopt);
    ASSERT_TRUE(districts.ok()) << districts.status().ToString();
    EXPECT_EQ(codes(*districts), (std::map<std::string, std::int64_t>{{"370102", 2}}));
    HotspotQuery h;
    h.from = from;
    h.to = to;
    auto hot = svc_->Hotspots(a, h);
    ASSERT_TRUE(hot.ok()) << hot.status().ToString();
    for (const HotspotView& v : *hot)
      for (Id id : v.order_ids)
        EXPECT_TRUE(std::find(lc.begin(), lc.end(), id) == lc.end()) << v.title;
  }
  // The city: both districts, each counting its streets' orders; every street.
  auto city = svc_->MapGrids(supervisor_, from, to, UnitKind::kDistrict, std::nullopt);
  ASSERT_TRUE(city.ok()) << city.status().ToString();
  EXPECT_EQ(codes(*city), (std::map<std::string, std::int64_t>{{"370102", 2}, {"370112", 3}}));
  EXPECT_EQ(svc_->MapGrids(supervisor_, from, to, UnitKind::kStreet, std::nullopt)->size(), 3u);
  HotspotQuery h;
  h.from = from;
  h.to = to;
  auto hot = svc_->Hotspots(supervisor_, h);
  ASSERT_TRUE(hot.ok());
  std::set<Id> seen;
  for (const HotspotView& v : *hot) seen.insert(v.order_ids.begin(), v.order_ids.end());
  EXPECT_TRUE(seen.count(lc.front())) << "the city's hotspots include Licheng's appeals";
}

// A relay is an assignment (docs/kpis.md, levels): the office is scored for signing the city's
// dispatch, the street for signing the office's relay within its own sign limit and for the
// reply; the district, above both, counts both hops' assignments (派单量 counts assignments,
// not orders; 受理量 counts the order once).
TEST_F(JinanCity, ARelayIsTheStreetsAssignmentAndTheDistrictCountsBothHops) {
  Id o = OrderIn("370112001001001");
  ASSERT_TRUE(Lead(dispatcher_, o, Action::kDispatch, std::nullopt).ok());
  ASSERT_TRUE(Act(lc_, o, In(Action::kSign)).ok());
  ASSERT_TRUE(Lead(lc_, o, Action::kRelay, UnitId("370112001")).ok());
  ASSERT_TRUE(Act(s1_, o, In(Action::kSign)).ok());
  analytics::DayRange today{analytics::DayOf(clock_.Now()), analytics::DayOf(clock_.Now()) + 1};
  auto counters = [&](const std::string& code) {
    KpiQuery k;
    k.range = today;
    k.unit_id = UnitId(code);
    auto rows = svc_->Kpis(supervisor_, k);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows->at(0).change.current;
  };
  auto street = counters("370112001"), office = counters("LC-OFFICE"),
       district = counters("370112");
  EXPECT_EQ(street.counters[Counter::kAssigned], 1);
  EXPECT_EQ(street.metrics.at("response_rate"), (analytics::Ratio{1, 1}));
  EXPECT_EQ(office.counters[Counter::kAssigned], 1);
  EXPECT_EQ(office.metrics.at("response_rate"), (analytics::Ratio{1, 1}));
  EXPECT_EQ(district.counters[Counter::kAssigned], 2);
  EXPECT_EQ(district.counters[Counter::kReceived], 1);
  // Dispatched to the office and not yet relayed, an order is no assignment of its street.
  Id direct = OrderIn("370112002001001");
  ASSERT_TRUE(Lead(dispatcher_, direct, Action::kDispatch, std::nullopt).ok());
  EXPECT_EQ(counters("370112002").counters[Counter::kAssigned], 0);
}

TEST_F(JinanCity, TheCityRanksItsDistrictsAndEachDistrictItsOwnUnits) {
  // Licheng: two orders dispatched to its office, one reassigned there after a return; Lixia:
  // one. Ranked by the same formulas; every unit with an assignment is scored.
  ASSERT_TRUE(svc_->PutKpiConfigJson(admin_, R"({"min_assigned":1})").ok());
  for (const char* grid : {"370112001001001", "370112002001001", "370102001001001"})
    ASSERT_TRUE(Lead(dispatcher_, OrderIn(grid), Action::kDispatch, std::nullopt).ok());
  Id dept = OrderIn("370112001001001", "010101");
  ASSERT_TRUE(Lead(dispatcher_, dept, Action::kDispatch, std::nullopt).ok());
  analytics::DayRange today{analytics::DayOf(clock_.Now()), analytics::DayOf(clock_.Now()) + 1};

  auto districts = svc_->Rankings(supervisor_, UnitKind::kDistrict, today);
  ASSERT_TRUE(districts.ok()) << districts.status().ToString();
  std::vector<std::string> codes;
  for (const auto& r : districts->rows) codes.push_back(r.unit.code);
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(codes, (std::vector<std::string>{"370102", "370112"}));
  for (const auto& r : districts->rows) EXPECT_GT(r.row.rank, 0) << r.unit.code;
  // Lixia's staff see Lixia's row, with its rank in the city.
  auto own = svc_->Rankings(lx_supervisor_, UnitKind::kDistrict, today).value();
  ASSERT_EQ(own.rows.size(), 1u);
  EXPECT_EQ(own.rows[0].unit.code, "370102");
  for (const auto& r : districts->rows)
    if (r.unit.code == "370102") {
      EXPECT_EQ(own.rows[0].row.rank, r.row.rank);
    }
  // Departments: the city ranks its own, a district its own.
  auto city_depts = svc_->Rankings(supervisor_, UnitKind::kDepartment, today).value();
  ASSERT_EQ(city_depts.rows.size(), 1u);
  EXPECT_EQ(city_depts.rows[0].unit.code, "JN-D01");
  auto lc_depts = svc_->Rankings(lc_, UnitKind::kDepartment, today).value();
  ASSERT_EQ(lc_depts.rows.size(), 1u);
  EXPECT_EQ(lc_depts.rows[0].unit.code, "LC-D02");
  // The dashboard carries the district ranking at both levels.
  auto dash = svc_->Dashboard(supervisor_, analytics::DayOf(clock_.Now())).value();
  EXPECT_EQ(dash.district_ranking.size(), 2u);
  auto lx_dash = svc_->Dashboard(lx_supervisor_, analytics::DayOf(clock_.Now())).value();
  ASSERT_EQ(lx_dash.district_ranking.size(), 1u);
  EXPECT_EQ(lx_dash.district_ranking[0].unit.code, "370102");
  // The monthly report at city level: the districts, and each district's own ranking.
  auto month = svc_->MonthlyReportData(supervisor_, today).value();
  EXPECT_EQ(month.districts.rows.size(), 2u);
  ASSERT_EQ(month.by_district.size(), 2u);
  EXPECT_EQ(month.by_district[0].district.code, "370102");
  EXPECT_EQ(month.by_district[1].district.code, "370112");
  ASSERT_EQ(month.by_district[1].streets.rows.size(), 2u);
  for (const auto& row : month.by_district[1].streets.rows)
    EXPECT_EQ(row.unit.code.substr(0, 6), "370112");
  ASSERT_EQ(month.by_district[1].departments.rows.size(), 1u);
  EXPECT_EQ(month.by_district[1].departments.rows[0].unit.code, "LC-D02");
  // A district's report: its own row among the districts, no sections.
  auto lx_month = svc_->MonthlyReportData(lx_supervisor_, today).value();
  ASSERT_EQ(lx_month.districts.rows.size(), 1u);
  EXPECT_TRUE(lx_month.by_district.empty());
}

}  // namespace
}  // namespace hotline::testing
