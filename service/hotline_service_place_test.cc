// Place use cases (issue 4): the gazetteer in intake, its CSV import, the map
// layers (counts against a naive recount, bbox edges, jurisdiction), and the
// boundaries' export → import round trip through the service.
#include <boost/geometry.hpp>
#include <map>
#include <set>

#include "domain/workflow.h"
#include "geo/demo_boundaries.h"
#include "geo/geojson.h"
#include "service/service_test_fixture.h"

namespace hotline::testing {
namespace {

class PlaceTest : public SmallCity {
 protected:
  const char* kCsv =
      "name,kind,aliases,street_code,community_code,grid_code,lon,lat\n"
      "甸柳新村,compound,甸柳一区,370112001,370112001001,370112001001001,117.05,36.67\n"
      "花园小区,compound,,370112001,370112001001,,,\n"
      "花园小区,compound,,370112002,370112002001,,,\n"
      "洪家楼天主教堂,landmark,洪楼教堂,370112002,370112002001,370112002001001,,\n";

  void ImportCsv() {
    std::vector<ImportError> errors;
    auto n = svc_->ImportGazetteerCsv(admin_, kCsv, &errors);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    ASSERT_EQ(*n, 4u);
  }

  IntakeRequest AddressOnly(const std::string& address) {
    IntakeRequest r = Appeal();
    r.grid_id.reset();
    r.address = address;
    return r;
  }

  OrderView Take(const IntakeRequest& r, const Actor* who = nullptr) {
    bool existed = false;
    auto v = svc_->Intake(who ? *who : agent_, r, &existed);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : OrderView{};
  }
};

TEST_F(PlaceTest, AddressOnlyIntakeIsResolvedByTheGazetteer) {
  ImportCsv();
  // Traditional characters and a building number after the compound.
  OrderView v = Take(AddressOnly("歷城區甸柳新村3號樓2單元"));
  EXPECT_EQ(v.order.place.grid_id, UnitId("370112001001001"));
  EXPECT_EQ(v.order.place.community_id, UnitId("370112001001"));
  EXPECT_EQ(v.order.place.street_id, UnitId("370112001"));
  ASSERT_TRUE(v.order.place.lon.has_value()) << "the entry's coordinates are used";
  EXPECT_DOUBLE_EQ(*v.order.place.lon, 117.05);
  EXPECT_EQ(v.order.place.address, "歷城區甸柳新村3號樓2單元") << "the address is kept as said";
  EXPECT_FALSE(v.order.place_resolution.has_value());
  // The street sees it (placed there), the other street does not.
  EXPECT_TRUE(svc_->GetOrder(s1_, v.order.id).ok());
  EXPECT_EQ(svc_->GetOrder(s2_, v.order.id).status().code(), Code::kNotFound);

  // A division name with its suffix dropped: the community, but no grid (never guessed).
  OrderView c = Take(AddressOnly("山大路甸柳8号"));
  EXPECT_EQ(c.order.place.community_id, UnitId("370112001001"));
  EXPECT_FALSE(c.order.place.grid_id.has_value());
  EXPECT_FALSE(c.order.place.lon.has_value());

  // Explicit coordinates win over the address (no boundaries here: no unit, no gazetteer).
  IntakeRequest r = AddressOnly("甸柳新村");
  r.lon = 117.2;
  r.lat = 36.6;
  OrderView k = Take(r);
  EXPECT_DOUBLE_EQ(*k.order.place.lon, 117.2);
  EXPECT_FALSE(k.order.place.grid_id.has_value());
  EXPECT_FALSE(k.order.place_resolution.has_value());
  // An explicit unit wins too.
  r = AddressOnly("甸柳新村");
  r.grid_id = UnitId("370112002001001");
  OrderView u = Take(r);
  EXPECT_EQ(u.order.place.grid_id, UnitId("370112002001001"));
}

TEST_F(PlaceTest, AmbiguousAddressKeepsCandidatesAndNoGuessedGrid) {
  ImportCsv();
  OrderView v = Take(AddressOnly("花园小区5号楼"));
  EXPECT_FALSE(v.order.place.grid_id.has_value());
  EXPECT_FALSE(v.order.place.community_id.has_value());
  EXPECT_FALSE(v.order.place.street_id.has_value());
  EXPECT_EQ(v.order.place.address, "花园小区5号楼");
  ASSERT_TRUE(v.order.place_resolution.has_value());
  EXPECT_EQ(v.order.place_resolution->status, "ambiguous");
  ASSERT_GE(v.order.place_resolution->candidates.size(), 2u);
  std::set<Id> streets;
  for (const PlaceCandidate& c : v.order.place_resolution->candidates) {
    EXPECT_EQ(c.name, "花园小区");
    if (c.street_id) streets.insert(*c.street_id);
  }
  EXPECT_EQ(streets, (std::set<Id>{UnitId("370112001"), UnitId("370112002")}));

  // Persisted: the dispatcher sees the candidates after a restart.
  Restart();
  auto seen = svc_->GetOrder(dispatcher_, v.order.id);
  ASSERT_TRUE(seen.ok());
  ASSERT_TRUE(seen->order.place_resolution.has_value());
  EXPECT_EQ(seen->order.place_resolution->status, "ambiguous");
  EXPECT_EQ(seen->order.place_resolution->candidates.size(),
            v.order.place_resolution->candidates.size());

  // Naming the street settles it.
  OrderView w = Take(AddressOnly("洪家楼街道花园小区"));
  EXPECT_EQ(w.order.place.community_id, UnitId("370112002001"));
  EXPECT_FALSE(w.order.place.grid_id.has_value());
  EXPECT_FALSE(w.order.place_resolution.has_value());
}

TEST_F(PlaceTest, UnknownAddressKeepsTheAddressOnly) {
  OrderView v = Take(AddressOnly("火星基地一号坑"));
  EXPECT_FALSE(v.order.place.street_id.has_value());
  EXPECT_FALSE(v.order.place.grid_id.has_value());
  ASSERT_TRUE(v.order.place_resolution.has_value());
  EXPECT_EQ(v.order.place_resolution->status, "unknown");
  EXPECT_TRUE(v.order.place_resolution->candidates.empty());
  // The agent console's lookup says the same.
  auto look = svc_->ResolveAddress(agent_, "火星基地一号坑");
  ASSERT_TRUE(look.ok());
  EXPECT_EQ(look->status, "unknown");
  EXPECT_EQ(svc_->ResolveAddress(citizen_, "甸柳").status().code(), Code::kForbidden);
  EXPECT_EQ(svc_->ResolveAddress(agent_, "  ").status().field(), "address");
}

TEST_F(PlaceTest, ResolveAddressForTheAgentConsole) {
  ImportCsv();
  auto look = svc_->ResolveAddress(agent_, "洪楼教堂门口");
  ASSERT_TRUE(look.ok());
  EXPECT_EQ(look->status, "resolved");
  EXPECT_EQ(look->name, "洪家楼天主教堂");
  EXPECT_EQ(look->kind, "landmark");
  EXPECT_EQ(look->grid_id, UnitId("370112002001001"));
  auto amb = svc_->ResolveAddress(agent_, "花园小区");
  ASSERT_TRUE(amb.ok());
  EXPECT_EQ(amb->status, "ambiguous");
  EXPECT_FALSE(amb->grid_id.has_value());
}

TEST_F(PlaceTest, GazetteerImportErrorsNameLineAndFieldAndAddNothing) {
  auto before = svc_->ListGazetteer(admin_, "", 0, 500);
  ASSERT_TRUE(before.ok());
  auto audit_before = svc_->Audit(admin_, std::nullopt, 1000);
  std::vector<ImportError> errors;
  auto n =
      svc_->ImportGazetteerCsv(admin_,
                               "name,kind,aliases,street_code,community_code,grid_code,lon,lat\n"
                               "好小区,compound,,370112001,370112001001,,117.05,36.67\n"
                               "坏码,compound,,37011200,,,,\n"
                               "无此街道,compound,,370112099,,,,\n"
                               "坏经度,landmark,,370112001,370112001001,,abc,36.6\n"
                               "坏纬度,landmark,,370112001,370112001001,,117.0,95\n"
                               "无此网格,compound,,370112001,370112001001,370112001001009,,\n",
                               &errors);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), Code::kInvalidArgument);
  std::map<int, std::string> by_line;
  for (const ImportError& e : errors) by_line[e.row] = e.field;
  EXPECT_EQ(by_line[3], "street_code");
  EXPECT_EQ(by_line[4], "street_code");
  EXPECT_EQ(by_line[5], "lon");
  EXPECT_EQ(by_line[6], "lat");
  EXPECT_EQ(by_line[7], "grid_code");
  EXPECT_EQ(by_line.count(2), 0u) << "the good row has no error";
  for (const ImportError& e : errors)
    if (e.row == 4) EXPECT_NE(e.message.find("370112099"), std::string::npos) << e.message;
  auto after = svc_->ListGazetteer(admin_, "", 0, 500);
  EXPECT_EQ(after->total, before->total) << "all or nothing";
  EXPECT_EQ(svc_->ResolveAddress(agent_, "好小区")->status, "unknown");
  EXPECT_EQ(svc_->Audit(admin_, std::nullopt, 1000)->size(), audit_before->size());
  // Only admins import; a header that lacks columns is an error about the file.
  EXPECT_EQ(svc_->ImportGazetteerCsv(agent_, kCsv, &errors).status().code(), Code::kForbidden);
  errors.clear();
  EXPECT_FALSE(svc_->ImportGazetteerCsv(admin_, "name,kind\n", &errors).ok());
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].row, 0);
}

TEST_F(PlaceTest, GazetteerImportPersistsIsAuditedAndListed) {
  ImportCsv();
  auto audit = svc_->Audit(admin_, std::nullopt, 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_FALSE(audit->empty());
  EXPECT_EQ(audit->front().action, "import_gazetteer");
  // Importing the same rows again replaces them (no duplicates).
  ImportCsv();
  Restart();
  auto all = svc_->ListGazetteer(agent_, "", 0, 500);
  ASSERT_TRUE(all.ok());
  int imported = 0, divisions = 0;
  for (const GazetteerItem& it : all->items) (it.source == "imported" ? imported : divisions)++;
  EXPECT_EQ(imported, 4);
  EXPECT_EQ(divisions, 6) << "2 streets, 2 communities, 2 grids";
  // q matches names and aliases, traditional characters too; paged.
  auto q = svc_->ListGazetteer(agent_, "花園", 0, 1);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->total, 2);
  ASSERT_EQ(q->items.size(), 1u);
  auto q2 = svc_->ListGazetteer(agent_, "花园", 1, 1);
  ASSERT_EQ(q2->items.size(), 1u);
  EXPECT_NE(q2->items[0].entry.street_code, q->items[0].entry.street_code);
  EXPECT_EQ(svc_->ListGazetteer(agent_, "洪楼教堂", 0, 10)->total, 1) << "alias";
  EXPECT_EQ(svc_->ResolveAddress(agent_, "甸柳新村")->status, "resolved") << "survives restart";
  // New units become resolvable without a restart.
  std::vector<ImportError> errors;
  ASSERT_TRUE(svc_->ImportUnits(admin_,
                                "code,name,kind,parent_code,grid_kind\n"
                                "370112002002,燕山社区,community,370112002,\n",
                                true, &errors)
                  .ok());
  auto yan = svc_->ResolveAddress(agent_, "燕山社区12号");
  EXPECT_EQ(yan->status, "resolved");
  EXPECT_EQ(yan->community_id, UnitId("370112002002"));
}

// ---- map layers ----

class MapTest : public PlaceTest {
 protected:
  void SetUp() override {
    PlaceTest::SetUp();
    std::vector<Unit> units = svc_->Units();
    auto shapes = geo::GenerateDemoBoundaries(units);
    ASSERT_TRUE(shapes.ok()) << shapes.status().ToString();
    shapes_ = *shapes;
    std::vector<std::string> problems;
    ASSERT_TRUE(svc_->PutBoundariesGeoJson(admin_, geo::ExportGeoJson(shapes_), &problems).ok());
  }
  geo::Point Centroid(const std::string& code) {
    geo::Point c;
    boost::geometry::centroid(shapes_.Find(code)->shape, c);
    return c;
  }
  // Orders over three days in both grids, some dispatched (deadlines → lights), one closed path.
  void Populate() {
    const std::string grids[] = {"370112001001001", "370112002001001"};
    int k = 0;
    for (int day = 0; day < 3; ++day) {
      for (int i = 0; i < 4; ++i, ++k) {
        IntakeRequest r = Appeal();
        r.grid_id.reset();
        geo::Point c = Centroid(grids[k % 2]);
        r.lon = c.x() + 0.0001 * i;
        r.lat = c.y() + 0.0001 * day;
        r.content = "第" + std::to_string(k) + "件：路灯不亮，请尽快维修。电话13812345678";
        OrderView v = Take(r);
        ids_.push_back(v.order.id);
        if (k % 3 == 0) {
          ActionInput in;
          in.action = Action::kDispatch;
          auto d = svc_->Act(dispatcher_, v.order.id, in, std::nullopt);
          ASSERT_TRUE(d.ok()) << d.status().ToString();
        }
      }
      clock_.Advance(24 * 3600);
    }
    // One address-only order (no point, but a unit): counted on /map/grids, not on /map/orders.
    ImportCsv();
    ids_.push_back(Take(AddressOnly("洪家楼天主教堂")).order.id);
    clock_.Advance(5 * 24 * 3600);  // some deadlines pass: red and yellow lights
  }

  // The naive recount: every order from the store, counted by unit.
  std::map<Id, MapUnitCounts> Recount(Timestamp from, Timestamp to, const Actor& who) {
    OrderQuery q;
    q.limit = 500;
    auto page = svc_->ListOrders(who, q);
    EXPECT_TRUE(page.ok());
    std::map<Id, MapUnitCounts> out;
    const Timestamp now = clock_.Now();
    for (const OrderView& v : page->items) {
      auto full = store_->GetOrder(v.order.id);
      const bool in = full->created_at >= from && (!to || full->created_at < to);
      const bool open = !IsTerminal(full->state);
      for (auto id : {full->place.street_id, full->place.community_id, full->place.grid_id}) {
        if (!id) continue;
        MapUnitCounts& c = out[*id];
        c.count += in;
        c.open += open;
        if (!IsOpen(full->state)) continue;
        Light l = LightOf(*full, now);
        c.red += l == Light::kRed;
        c.yellow += l == Light::kYellow;
        c.overdue += (full->due_at && now > full->due_at) ||
                     (full->sign_due && !full->signed_at && now > full->sign_due);
      }
    }
    return out;
  }

  void ExpectCountsMatch(const Actor& who, Timestamp from, Timestamp to) {
    auto naive = Recount(from, to, who);
    for (UnitKind level : {UnitKind::kStreet, UnitKind::kCommunity, UnitKind::kGrid}) {
      auto f = svc_->MapGrids(who, from, to, level, std::nullopt);
      ASSERT_TRUE(f.ok()) << f.status().ToString();
      for (const MapUnitFeature& x : *f) {
        const MapUnitCounts& n = naive[x.unit.id];
        EXPECT_EQ(x.counts.count, n.count) << x.unit.code;
        EXPECT_EQ(x.counts.open, n.open) << x.unit.code;
        EXPECT_EQ(x.counts.overdue, n.overdue) << x.unit.code;
        EXPECT_EQ(x.counts.red, n.red) << x.unit.code;
        EXPECT_EQ(x.counts.yellow, n.yellow) << x.unit.code;
        EXPECT_TRUE(x.geometry) << x.unit.code << " has a polygon";
      }
    }
  }

  geo::PlaceSet shapes_;
  std::vector<Id> ids_;
};

TEST_F(MapTest, GridCountsEqualANaiveRecountAndSurviveRestart) {
  Populate();
  const Timestamp day2 = kMonday10 + 24 * 3600 - 10 * 3600;  // Tuesday 00:00 local
  ExpectCountsMatch(dispatcher_, 0, 0);
  ExpectCountsMatch(dispatcher_, day2, day2 + 24 * 3600);
  ExpectCountsMatch(s1_, 0, 0);
  // Lights: something is red by now, and the unit colours follow the counts.
  auto f = svc_->MapGrids(dispatcher_, 0, 0, UnitKind::kStreet, std::nullopt);
  std::int64_t total = 0, red = 0;
  for (const MapUnitFeature& x : *f) {
    total += x.counts.count;
    red += x.counts.red;
    EXPECT_EQ(x.light, x.counts.red      ? Light::kRed
                       : x.counts.yellow ? Light::kYellow
                       : x.counts.open   ? Light::kGreen
                                         : Light::kNone);
  }
  EXPECT_EQ(total, static_cast<std::int64_t>(ids_.size()));
  EXPECT_GT(red, 0);
  auto reds = svc_->MapGrids(dispatcher_, 0, 0, UnitKind::kStreet, Light::kRed);
  ASSERT_TRUE(reds.ok());
  for (const MapUnitFeature& x : *reds) EXPECT_EQ(x.light, Light::kRed);
  // A transition moves the counts at once (closed orders are no longer open).
  ActionInput in;
  in.action = Action::kSign;
  auto order = store_->GetOrder(ids_[0]);
  Actor lead = order->lead_unit_id == UnitId("370112001") ? s1_ : s2_;
  ASSERT_TRUE(svc_->Act(lead, ids_[0], in, std::nullopt).ok());
  ExpectCountsMatch(dispatcher_, 0, 0);
  // Built again from the store at open.
  Restart();
  ExpectCountsMatch(dispatcher_, 0, 0);
  ExpectCountsMatch(dispatcher_, day2, day2 + 24 * 3600);
}

TEST_F(MapTest, OrdersInABoxIncludeTheEdgesAndAreMasked) {
  Populate();
  geo::Point c = Centroid("370112001001001");
  // Points of grid …001: lon c.x + 0.0001 i (i = 0, 2), lat c.y + 0.0001 day.
  MapOrdersQuery q;
  q.min_lon = c.x();
  q.max_lon = c.x() + 0.0002;
  q.min_lat = c.y();
  q.max_lat = c.y() + 0.0002;
  auto all = svc_->MapOrders(dispatcher_, q);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total, 6) << "points exactly on the box's edges are inside";
  EXPECT_FALSE(all->truncated);
  for (const MapPoint& p : all->items) {
    EXPECT_GE(*p.lon, q.min_lon);
    EXPECT_LE(*p.lat, q.max_lat);
    EXPECT_EQ(p.title.find("13812345678"), std::string::npos) << "titles are masked";
  }
  // Newest first.
  for (size_t i = 1; i < all->items.size(); ++i)
    EXPECT_GE(all->items[i - 1].created_at, all->items[i].created_at);
  // Shrinking the box just inside the edge drops that row/column.
  MapOrdersQuery inner = q;
  inner.max_lat = c.y() + 0.0002 - 1e-9;
  EXPECT_EQ(svc_->MapOrders(dispatcher_, inner)->total, 4);
  inner = q;
  inner.min_lon = c.x() + 1e-9;
  EXPECT_EQ(svc_->MapOrders(dispatcher_, inner)->total, 3);
  // Limit → truncated; the total still counts every match.
  q.limit = 2;
  auto cut = svc_->MapOrders(dispatcher_, q);
  EXPECT_EQ(cut->items.size(), 2u);
  EXPECT_EQ(cut->total, 6);
  EXPECT_TRUE(cut->truncated);
  // Time range [from, to): the first day only.
  q.limit = 100;
  q.from = kMonday10 - 10 * 3600;
  q.to = q.from + 24 * 3600;
  EXPECT_EQ(svc_->MapOrders(dispatcher_, q)->total, 2);
  // Whole district box: every order with a point (the address-only one has none).
  MapOrdersQuery world;
  EXPECT_EQ(svc_->MapOrders(dispatcher_, world)->total, 12);
  world.light = Light::kRed;
  auto red = svc_->MapOrders(dispatcher_, world);
  ASSERT_TRUE(red.ok());
  for (const MapPoint& p : red->items) EXPECT_EQ(MapIndex::LightOf(p, clock_.Now()), Light::kRed);
  // Bad input names the field.
  MapOrdersQuery bad;
  bad.min_lon = 118;
  bad.max_lon = 117;
  EXPECT_EQ(svc_->MapOrders(dispatcher_, bad).status().field(), "bbox");
  EXPECT_EQ(svc_->MapOrders(citizen_, world).status().code(), Code::kForbidden);
}

TEST_F(MapTest, MapLayersAreScopedByJurisdiction) {
  Populate();
  MapOrdersQuery world;
  world.limit = 10000;
  // 山大路's handler sees what ListOrders shows them, and nothing else.
  OrderQuery lq;
  lq.limit = 500;
  std::set<Id> visible;
  auto listed = svc_->ListOrders(s1_, lq);
  ASSERT_TRUE(listed.ok());
  for (const OrderView& v : listed->items)
    if (v.order.place.lon) visible.insert(v.order.id);
  std::set<Id> mapped;
  auto points = svc_->MapOrders(s1_, world);
  ASSERT_TRUE(points.ok());
  for (const MapPoint& p : points->items) mapped.insert(p.id);
  EXPECT_EQ(mapped, visible);
  EXPECT_LT(mapped.size(), 12u);
  EXPECT_FALSE(mapped.empty());
  // Their street polygon only.
  auto streets = svc_->MapGrids(s1_, 0, 0, UnitKind::kStreet, std::nullopt);
  ASSERT_EQ(streets->size(), 1u);
  EXPECT_EQ((*streets)[0].unit.code, "370112001");
  auto grids = svc_->MapGrids(s1_, 0, 0, UnitKind::kGrid, std::nullopt);
  ASSERT_EQ(grids->size(), 1u);
  EXPECT_EQ((*grids)[0].unit.code, "370112001001001");
  // A department sees the polygons, counting only its own orders (none here).
  auto dept = svc_->MapGrids(d1_, 0, 0, UnitKind::kStreet, std::nullopt);
  ASSERT_EQ(dept->size(), 2u);
  for (const MapUnitFeature& x : *dept) EXPECT_EQ(x.counts.count, 0);
  EXPECT_EQ(svc_->MapOrders(d1_, world)->total, 0);
}

TEST_F(MapTest, AUnitThatLostTheLeadKeepsSeeingTheOrderAfterARestart) {
  // An order in 洪家楼's grid, led by department D01, returned and reassigned to D02.
  IntakeRequest r = Appeal();
  r.grid_id.reset();
  const geo::Point c = Centroid("370112002001001");
  r.lon = c.x();
  r.lat = c.y();
  const Id id = Take(r).order.id;
  ActionInput in;
  in.action = Action::kDispatch;
  in.lead_unit_id = UnitId("D01");
  ASSERT_TRUE(svc_->Act(dispatcher_, id, in, std::nullopt).ok());
  in = {};
  in.action = Action::kRequestReturn;
  in.text = "不属于本单位职责";
  ASSERT_TRUE(svc_->Act(d1_, id, in, std::nullopt).ok());
  in = {};
  in.action = Action::kApproveReturn;
  in.lead_unit_id = UnitId("D02");
  ASSERT_TRUE(svc_->Act(dispatcher_, id, in, std::nullopt).ok());

  MapOrdersQuery world;
  world.limit = 100;
  auto ids = [&](const Actor& a) {
    std::set<Id> out;
    auto points = svc_->MapOrders(a, world);
    EXPECT_TRUE(points.ok()) << points.status().ToString();
    for (const MapPoint& p : points->items) out.insert(p.id);
    return out;
  };
  auto listed = [&](const Actor& a) {
    OrderQuery q;
    q.limit = 100;
    std::set<Id> out;
    auto page = svc_->ListOrders(a, q);
    EXPECT_TRUE(page.ok());
    for (const OrderView& v : page->items) out.insert(v.order.id);
    return out;
  };
  EXPECT_EQ(ids(d1_), std::set<Id>{id});
  EXPECT_EQ(ids(d2_), std::set<Id>{id});
  Restart();
  d1_ = Login("d1");
  d2_ = Login("d2");
  // The map shows what the order list shows: D01 keeps its grant after losing the lead.
  EXPECT_EQ(listed(d1_), std::set<Id>{id});
  EXPECT_EQ(ids(d1_), std::set<Id>{id});
  EXPECT_EQ(ids(d2_), std::set<Id>{id});
  EXPECT_TRUE(ids(s1_).empty()) << "another street never saw it";
}

TEST_F(MapTest, RelocateMovesTheOrderEverywhereItIsCounted) {
  ImportCsv();
  // Recorded in 甸柳's grid (山大路街道) by mistake; the caller is at 洪家楼天主教堂.
  const Id id = Take(Appeal()).order.id;
  auto act = [&](const Actor& a, ActionInput in) { return svc_->Act(a, id, in, std::nullopt); };
  ActionInput in;
  in.action = Action::kRelocate;
  in.text = "来电人说明地点在洪家楼";
  in.place = Place{};
  in.place->address = "花园小区";  // in both streets: ambiguous
  const std::int64_t version = store_->GetOrder(id)->version;
  auto bad = act(agent_, in);
  EXPECT_EQ(bad.status().field(), "place") << bad.status().ToString();
  EXPECT_EQ(act(s1_, in).status().code(), Code::kForbidden) << "units do not move orders";
  EXPECT_EQ(store_->GetOrder(id)->version, version) << "refused corrections change nothing";
  EXPECT_EQ(svc_->GetOrder(s2_, id).status().code(), Code::kNotFound);
  auto before = svc_->MapGrids(admin_, 0, 0, UnitKind::kStreet, std::nullopt);

  in.place->address = "洪家楼天主教堂";
  auto moved = act(agent_, in);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(moved->order.state, State::kReceived);
  EXPECT_EQ(moved->order.place.grid_id, UnitId("370112002001001"));
  EXPECT_EQ(moved->order.place.street_id, UnitId("370112002"));
  // The new street sees it; the map and the KPI counts follow.
  EXPECT_TRUE(svc_->GetOrder(s2_, id).ok());
  auto count = [&](const std::vector<MapUnitFeature>& f, const std::string& code) -> long {
    for (const MapUnitFeature& x : f)
      if (x.unit.code == code) return x.counts.count;
    return -1;
  };
  auto after = svc_->MapGrids(admin_, 0, 0, UnitKind::kStreet, std::nullopt);
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_EQ(count(*after, "370112001"), count(*before, "370112001") - 1);
  EXPECT_EQ(count(*after, "370112002"), count(*before, "370112002") + 1);
  KpiQuery q;
  q.unit_id = UnitId("370112002");
  q.range = analytics::MonthRange(2026, 11);
  auto kpi = svc_->Kpis(admin_, q);
  ASSERT_TRUE(kpi.ok());
  EXPECT_EQ(kpi->front().change.current.counters[analytics::Counter::kReceived], 1);
  // A repeat of the appeal in 洪家楼 now finds it as a duplicate in the same place.
  IntakeRequest again = Appeal();
  again.grid_id = UnitId("370112002001001");
  again.caller_phone = "13900000001";
  bool existed = false;
  auto dup = svc_->Intake(agent_, again, &existed);
  ASSERT_TRUE(dup.ok());
  ASSERT_FALSE(dup->duplicates.empty());
  EXPECT_EQ(dup->duplicates.front().id, id);
  // The timeline says where it moved from and to.
  auto events = svc_->Events(dispatcher_, id).value();
  EXPECT_EQ(events.back().action, "relocate");
  EXPECT_NE(events.back().data_json.find("\"from_grid_id\""), std::string::npos);
}

// The boundaries round trip through the service: export, import back, same places;
// malformed and overlapping GeoJSON are refused with readable problems.
TEST_F(MapTest, BoundariesRoundTripAndBadGeoJsonIsRefused) {
  std::string exported = svc_->BoundariesGeoJson();
  geo::GeoJsonImport first = geo::ImportGeoJson(exported);
  ASSERT_TRUE(first.problems.empty());
  std::vector<std::string> problems;
  ASSERT_TRUE(svc_->PutBoundariesGeoJson(admin_, geo::ExportGeoJson(first.places), &problems).ok());
  geo::GeoJsonImport second = geo::ImportGeoJson(svc_->BoundariesGeoJson());
  ASSERT_EQ(second.places.places.size(), shapes_.places.size());
  for (const geo::Place& p : shapes_.places) {
    const geo::Place* q = second.places.Find(p.code);
    ASSERT_NE(q, nullptr) << p.code;
    EXPECT_EQ(q->name, p.name);
    EXPECT_TRUE(boost::geometry::equals(q->shape, p.shape)) << p.code;
  }
  EXPECT_EQ(geo::ExportGeoJson(second.places), geo::ExportGeoJson(first.places));

  EXPECT_EQ(svc_->PutBoundariesGeoJson(admin_, "{\"type\":", &problems).code(),
            Code::kInvalidArgument);
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems[0].find("JSON"), std::string::npos) << problems[0];

  // Overlap: grid …001's polygon given to the other community's grid as well.
  geo::PlaceSet overlapping = shapes_;
  for (geo::Place& p : overlapping.places)
    if (p.code == "370112002001001") p.shape = shapes_.Find("370112001001001")->shape;
  problems.clear();
  EXPECT_EQ(svc_->PutBoundariesGeoJson(admin_, geo::ExportGeoJson(overlapping), &problems).code(),
            Code::kInvalidArgument);
  bool named = false;
  for (const std::string& p : problems)
    named |= p.find("370112002001001") != std::string::npos &&
             (p.find("outside") != std::string::npos || p.find("overlap") != std::string::npos);
  EXPECT_TRUE(named) << (problems.empty() ? "" : problems[0]);
  // Nothing changed: coordinates still resolve through the good boundaries.
  geo::Point c = Centroid("370112002001001");
  IntakeRequest r = Appeal();
  r.grid_id.reset();
  r.lon = c.x();
  r.lat = c.y();
  EXPECT_EQ(Take(r).order.place.grid_id, UnitId("370112002001001"));
}

}  // namespace
}  // namespace hotline::testing
