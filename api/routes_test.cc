// The native JSON API through Router::Dispatch (no network) against a real
// HotlineService over a real SQLite store in a temporary directory.
#include "api/routes.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "api/json_codec.h"
#include "service/bootstrap.h"
#include "service/password.h"
#include "store/sqlite/sqlite_store.h"

namespace hotline::api {
namespace {

// 2026-11-02 09:00 +08:00, a Monday and a working day.
constexpr Timestamp kStart = 1793581200;

struct Resp {
  int status = 0;
  Json body;
  HttpResponse raw;
  std::string ErrorField() const { return body["error"].value("field", ""); }
  std::string ErrorCode() const { return body["error"].value("code", ""); }
};

class RoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    UseMinimalHashCostForTesting();
    dir_ = std::filesystem::temp_directory_path() /
           ("routes_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = OpenSqliteStore((dir_ / "hotline.db").string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    BootstrapOptions boot;
    boot.admin_password = "admin-pass";
    boot.min_password_length = 4;
    ASSERT_TRUE(Bootstrap(*store_, boot).ok());
    auto svc =
        HotlineService::Open(*store_, clock_, HOTLINE_SOURCE_DATA_DIR "/calendar/cn_holidays.json");
    ASSERT_TRUE(svc.ok()) << svc.status().ToString();
    service_ = std::move(*svc);
    RegisterRoutes(router_, *service_);
    admin_ = Login("admin", "admin-pass");
    ASSERT_FALSE(admin_.empty());
  }

  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  Resp Call(const std::string& method, const std::string& target, const std::string& token = {},
            const std::string& body = {}, std::map<std::string, std::string> headers = {}) {
    HttpRequest req;
    req.method = method;
    req.target = target;
    const auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string qs = target.substr(q + 1);
      std::size_t start = 0;
      while (start < qs.size()) {
        std::size_t end = qs.find('&', start);
        if (end == std::string::npos) end = qs.size();
        std::string kv = qs.substr(start, end - start);
        const auto eq = kv.find('=');
        req.query[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
        start = end + 1;
      }
    }
    req.headers = std::move(headers);
    if (!token.empty()) req.headers["authorization"] = "Bearer " + token;
    req.body = body;
    Resp r;
    r.raw = router_.Dispatch(req);
    r.status = r.raw.status;
    if (!r.raw.body.empty()) r.body = Json::parse(r.raw.body, nullptr, false);
    return r;
  }
  Resp Post(const std::string& target, const std::string& token, const Json& body) {
    return Call("POST", target, token, body.dump());
  }
  Resp Act(Id id, const std::string& action, const std::string& token, Json body = Json::object()) {
    return Post("/api/v1/orders/" + std::to_string(id) + "/actions/" + action, token, body);
  }
  Resp Get(const std::string& target, const std::string& token) {
    return Call("GET", target, token);
  }

  std::string Login(const std::string& login, const std::string& password) {
    Resp r = Post("/api/v1/auth/login", "", Json{{"login", login}, {"password", password}});
    if (r.status != 200) return {};
    return r.body["token"].get<std::string>();
  }

  // A street with one community and grid, a department, and one user per role.
  void SeedOrg() {
    Json units = Json::array({
        {{"code", "370112002"}, {"name", "洪家楼街道"}, {"kind", "street"}},
        {{"code", "370112002001"}, {"name", "甸柳社区"}, {"kind", "community"}},
        {{"code", "370112002001001"},
         {"name", "甸柳第一网格"},
         {"kind", "grid"},
         {"grid_kind", "basic"}},
        {{"code", "CGJ"}, {"name", "区城管局"}, {"kind", "department"}, {"parent_code", "370112"}},
        {{"code", "ZJJ"}, {"name", "区住建局"}, {"kind", "department"}, {"parent_code", "370112"}},
    });
    Resp u = Post("/api/v1/units", admin_, units);
    ASSERT_EQ(u.status, 201) << u.raw.body;
    const std::string csv =
        "login,display_name,role,unit_code,password,phone\n"
        "agent1,话务员甲,agent,CENTER,pass-agent,\n"
        "disp1,派单员乙,dispatcher,CENTER,pass-disp,\n"
        "cgj1,城管承办人,handler,CGJ,pass-cgj,\n"
        "zjj1,住建承办人,handler,ZJJ,pass-zjj,\n"
        "street1,街道承办人,handler,370112002,pass-street,\n"
        "sup1,督办员丙,supervisor,CENTER,pass-sup,\n"
        "cit1,市民丁,citizen,370112,pass-cit,13912345678\n";
    Resp us = Call("POST", "/api/v1/users", admin_, csv, {{"content-type", "text/csv"}});
    ASSERT_EQ(us.status, 201) << us.raw.body;
    Json taxonomy = {{"version", "2026.1"},
                     {"subjects",
                      {{{"code", "01"}, {"name", "城市管理"}},
                       {{"code", "0101"}, {"name", "市容环境"}, {"parent", "01"}},
                       {{"code", "010101"}, {"name", "占道经营"}, {"parent", "0101"}},
                       {{"code", "02"}, {"name", "住房建设"}, {"department_matter", true}}}}};
    Resp t = Call("PUT", "/api/v1/taxonomy", admin_, taxonomy.dump());
    ASSERT_EQ(t.status, 200) << t.raw.body;
    Json catalogue = {{"rules",
                       {{{"subject_prefix", "01"}, {"lead", {{"unit", "CGJ"}}}},
                        {{"subject_prefix", "02"}, {"lead", {{"unit", "ZJJ"}}}}}}};
    Resp c = Call("PUT", "/api/v1/catalogue", admin_, catalogue.dump());
    ASSERT_EQ(c.status, 200) << c.raw.body;
    agent_ = Login("agent1", "pass-agent");
    disp_ = Login("disp1", "pass-disp");
    cgj_ = Login("cgj1", "pass-cgj");
    zjj_ = Login("zjj1", "pass-zjj");
    street_ = Login("street1", "pass-street");
    sup_ = Login("sup1", "pass-sup");
    cit_ = Login("cit1", "pass-cit");
    for (const auto* t : {&agent_, &disp_, &cgj_, &zjj_, &street_, &sup_, &cit_})
      ASSERT_FALSE(t->empty());
  }

  Json Appeal() {
    return Json{{"channel", "hotline"},
                {"nature", "complaint"},
                {"urgency", "normal"},
                {"subject_code", "010101"},
                {"title", "占道经营"},
                {"content", "华信路有商贩长期占道经营，影响通行。"},
                {"caller", {{"name", "张三"}, {"phone", "13800138000"}}},
                {"place", {{"grid", "370112002001001"}, {"address", "华信路12号"}}}};
  }

  Id NewOrder(const Json& body) {
    Resp r = Post("/api/v1/orders", agent_, body);
    EXPECT_EQ(r.status, 201) << r.raw.body;
    return r.body.value("id", Id{0});
  }

  // Version and event count, to prove an error changed nothing.
  std::pair<std::int64_t, std::size_t> Snapshot(Id id) {
    Resp o = Get("/api/v1/orders/" + std::to_string(id), admin_);
    Resp e = Get("/api/v1/orders/" + std::to_string(id) + "/events", admin_);
    return {o.body.value("version", std::int64_t{-1}), e.body["items"].size()};
  }

  std::filesystem::path dir_;
  FakeClock clock_{kStart};
  std::unique_ptr<Store> store_;
  std::unique_ptr<HotlineService> service_;
  Router router_;
  std::string admin_, agent_, disp_, cgj_, zjj_, street_, sup_, cit_;
};

TEST_F(RoutesTest, HealthNeedsNoToken) {
  Resp r = Get("/api/v1/health", "");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["status"], "ok");
  EXPECT_EQ(r.body["time"], "2026-11-02T09:00:00+08:00");
  EXPECT_EQ(r.body["version"], std::string(kApiVersion));
}

TEST_F(RoutesTest, AuthenticationAndMe) {
  EXPECT_EQ(Get("/api/v1/me", "").status, 401);
  EXPECT_EQ(Get("/api/v1/me", "").ErrorField(), "Authorization");
  EXPECT_EQ(Get("/api/v1/me", "not-a-token").status, 401);
  EXPECT_EQ(Get("/api/v1/orders", "").status, 401);

  Resp bad = Post("/api/v1/auth/login", "", Json{{"login", "admin"}, {"password", "wrong"}});
  EXPECT_EQ(bad.status, 401);
  Resp missing = Post("/api/v1/auth/login", "", Json{{"login", "admin"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.ErrorField(), "password");
  Resp typed = Post("/api/v1/auth/login", "", Json{{"login", 5}, {"password", "x"}});
  EXPECT_EQ(typed.ErrorField(), "login");

  Resp ok = Post("/api/v1/auth/login", "", Json{{"login", "admin"}, {"password", "admin-pass"}});
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body["user"]["role"], "admin");
  EXPECT_EQ(ok.body["user"]["unit"]["code"], "CENTER");
  EXPECT_FALSE(ok.body["user"].contains("password_hash"));
  EXPECT_EQ(ok.body["expires_at"], "2026-11-02T21:00:00+08:00");

  const std::string token = ok.body["token"];
  Resp me = Get("/api/v1/me", token);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.body["login"], "admin");
  EXPECT_EQ(Call("POST", "/api/v1/auth/logout", token).status, 204);
  EXPECT_EQ(Get("/api/v1/me", token).status, 401);
}

TEST_F(RoutesTest, AdminEndpointsAreGuarded) {
  SeedOrg();
  EXPECT_EQ(Get("/api/v1/units", agent_).status, 200);
  EXPECT_EQ(Get("/api/v1/units", cit_).status, 403);
  EXPECT_EQ(Post("/api/v1/units", agent_, Json::array()).status, 403);
  EXPECT_EQ(Get("/api/v1/audit", agent_).status, 403);
  EXPECT_EQ(Call("PUT", "/api/v1/calendar", disp_, "{}").status, 403);
  EXPECT_EQ(Get("/api/v1/deadline-rules", admin_).status, 200);
  EXPECT_EQ(Get("/api/v1/light-policy", admin_).status, 200);
  EXPECT_EQ(Get("/api/v1/calendar", admin_).status, 200);

  Resp users = Get("/api/v1/users", agent_);
  ASSERT_EQ(users.status, 200);
  EXPECT_GE(users.body["items"].size(), 8u);
  for (const Json& u : users.body["items"]) {
    EXPECT_FALSE(u.contains("password_hash"));
    EXPECT_FALSE(u.contains("phone"));  // only admins see phones
  }
  Resp streets = Get("/api/v1/units?kind=street", agent_);
  ASSERT_EQ(streets.body["items"].size(), 1u);
  EXPECT_EQ(streets.body["items"][0]["name"], "洪家楼街道");
  EXPECT_EQ(Get("/api/v1/units?kind=town", agent_).ErrorField(), "kind");
  EXPECT_EQ(Get("/api/v1/units?sort=x", agent_).ErrorField(), "sort");
}

TEST_F(RoutesTest, ImportErrorsNameRowsAndChangeNothing) {
  SeedOrg();
  const auto before = Get("/api/v1/units", admin_).body["items"].size();
  Resp r = Call("POST", "/api/v1/units", admin_,
                "code,name,kind\n370112003,全福街道,street\n12345,坏编码,street\n",
                {{"content-type", "text/csv"}});
  ASSERT_EQ(r.status, 400) << r.raw.body;
  ASSERT_TRUE(r.body["error"]["rows"].is_array());
  ASSERT_FALSE(r.body["error"]["rows"].empty());
  EXPECT_EQ(r.body["error"]["rows"][0]["row"], 2);
  EXPECT_EQ(r.body["error"]["rows"][0]["field"], "code");
  EXPECT_EQ(Get("/api/v1/units", admin_).body["items"].size(), before);

  EXPECT_EQ(Post("/api/v1/units", admin_, Json("x")).ErrorField(), "body");
  EXPECT_EQ(Call("POST", "/api/v1/units", admin_, "{oops").ErrorField(), "body");

  // Users from JSON are converted to CSV for the service.
  Resp uj = Post("/api/v1/users", admin_,
                 Json::array({{{"login", "agent2"},
                               {"display_name", "话务员戊"},
                               {"role", "agent"},
                               {"unit_code", "CENTER"},
                               {"password", "pass-agent2"}}}));
  ASSERT_EQ(uj.status, 201) << uj.raw.body;
  EXPECT_EQ(uj.body["items"][0]["login"], "agent2");
  EXPECT_FALSE(Login("agent2", "pass-agent2").empty());

  // PATCH a unit and a user.
  Id cgj = 0;
  const Json units = Get("/api/v1/units", admin_).body["items"];
  for (const Json& u : units)
    if (u["code"] == "CGJ") cgj = u["id"];
  Resp pu = Call("PATCH", "/api/v1/units/" + std::to_string(cgj), admin_,
                 Json{{"name", "区城市管理局"}}.dump());
  ASSERT_EQ(pu.status, 200) << pu.raw.body;
  EXPECT_EQ(pu.body["name"], "区城市管理局");
  EXPECT_EQ(Call("PATCH", "/api/v1/units/abc", admin_, "{}").ErrorField(), "id");
  EXPECT_EQ(Call("PATCH", "/api/v1/units/99999", admin_, "{}").status, 404);
  Id agent2 = uj.body["items"][0]["id"];
  Resp pw = Call("PATCH", "/api/v1/users/" + std::to_string(agent2), admin_,
                 Json{{"active", false}}.dump());
  ASSERT_EQ(pw.status, 200) << pw.raw.body;
  EXPECT_EQ(pw.body["active"], false);
  EXPECT_EQ(Call("PATCH", "/api/v1/users/" + std::to_string(agent2), admin_,
                 Json{{"role", "boss"}}.dump())
                .ErrorField(),
            "role");
}

TEST_F(RoutesTest, IntakeValidatesAndIsIdempotent) {
  SeedOrg();
  Json body = Appeal();
  Resp first = Call("POST", "/api/v1/orders", agent_, body.dump(), {{"idempotency-key", "k-1"}});
  ASSERT_EQ(first.status, 201) << first.raw.body;
  const Json& o = first.body;
  EXPECT_EQ(o["state"], "received");
  EXPECT_EQ(o["state_label"], "已受理");
  EXPECT_EQ(o["nature_label"], "投诉");
  EXPECT_EQ(o["subject"]["name"], "占道经营");
  EXPECT_EQ(o["place"]["grid"]["code"], "370112002001001");
  EXPECT_EQ(o["place"]["community"]["code"], "370112002001");
  EXPECT_EQ(o["place"]["street"]["name"], "洪家楼街道");
  EXPECT_EQ(o["created_at"], "2026-11-02T09:00:00+08:00");
  EXPECT_FALSE(o.contains("closed_at"));
  EXPECT_TRUE(o["actions"].is_array());
  Resp again = Call("POST", "/api/v1/orders", agent_, body.dump(), {{"idempotency-key", "k-1"}});
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body["id"], o["id"]);

  auto expect_field = [&](Json b, const std::string& field) {
    Resp r = Post("/api/v1/orders", agent_, b);
    EXPECT_EQ(r.status, 400) << field << ": " << r.raw.body;
    EXPECT_EQ(r.ErrorField(), field) << r.raw.body;
  };
  Json b = Appeal();
  b.erase("nature");
  expect_field(b, "nature");
  b = Appeal();
  b["nature"] = "gripe";
  expect_field(b, "nature");
  b = Appeal();
  b["urgency"] = 3;
  expect_field(b, "urgency");
  b = Appeal();
  b["place"]["grid"] = "999999999999999";
  expect_field(b, "place.grid");
  b = Appeal();
  b["place"]["lon"] = 500;
  expect_field(b, "place.lon");
  b = Appeal();
  b["caller"]["phone"] = 13800138000;
  expect_field(b, "caller.phone");
  b = Appeal();
  b["titel"] = "typo";
  expect_field(b, "titel");
  b = Appeal();
  b["content"] = "";
  expect_field(b, "content");
  b = Appeal();
  b["reported_unit"] = "NOPE";
  expect_field(b, "reported_unit");
  Resp malformed = Call("POST", "/api/v1/orders", agent_, "{\"nature\":");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.ErrorField(), "body");
  EXPECT_EQ(Get("/api/v1/orders", admin_).body["total"], 1);
}

TEST_F(RoutesTest, ListFiltersAndPaging) {
  SeedOrg();
  const Id a = NewOrder(Appeal());
  clock_.Advance(3600);
  Json b = Appeal();
  b["nature"] = "consultation";
  b["content"] = "请问居住证怎么办理？";
  b["caller"]["phone"] = "13900000000";
  const Id second = NewOrder(b);
  Resp all = Get("/api/v1/orders", agent_);
  ASSERT_EQ(all.status, 200) << all.raw.body;
  EXPECT_EQ(all.body["total"], 2);
  EXPECT_EQ(all.body["page"], 1);
  EXPECT_EQ(all.body["page_size"], 20);
  EXPECT_EQ(all.body["items"][0]["id"], second);  // newest first
  EXPECT_EQ(Get("/api/v1/orders?sort=oldest", agent_).body["items"][0]["id"], a);
  EXPECT_EQ(Get("/api/v1/orders?nature=consultation", agent_).body["total"], 1);
  EXPECT_EQ(Get("/api/v1/orders?status=received,closed", agent_).body["total"], 2);
  EXPECT_EQ(Get("/api/v1/orders?status=closed", agent_).body["total"], 0);
  EXPECT_EQ(Get("/api/v1/orders?street=370112002", agent_).body["total"], 2);
  EXPECT_EQ(Get("/api/v1/orders?phone=13900000000", agent_).body["total"], 1);
  EXPECT_EQ(Get("/api/v1/orders?from=2026-11-02T01:30:00Z", agent_).body["total"], 1);
  EXPECT_EQ(Get("/api/v1/orders?from=2026-11-02&to=2026-11-02", agent_).body["total"], 2);
  EXPECT_EQ(Get("/api/v1/orders?to=2026-11-01", agent_).body["total"], 0);
  Resp paged = Get("/api/v1/orders?page=2&page_size=1", agent_);
  EXPECT_EQ(paged.body["items"].size(), 1u);
  EXPECT_EQ(paged.body["items"][0]["id"], a);
  // offset: any row as the start, for a client joining lists into one paged view.
  Resp skipped = Get("/api/v1/orders?offset=1&page_size=5", agent_);
  ASSERT_EQ(skipped.status, 200) << skipped.raw.body;
  EXPECT_EQ(skipped.body["total"], 2);
  ASSERT_EQ(skipped.body["items"].size(), 1u);
  EXPECT_EQ(skipped.body["items"][0]["id"], a);
  EXPECT_EQ(Get("/api/v1/orders?offset=2", agent_).body["items"].size(), 0u);
  // The review queue may name its state (the workbench sends status=received&review=1).
  Resp review = Get("/api/v1/orders?status=received&review=1", agent_);
  EXPECT_EQ(review.status, 200) << review.raw.body;
  EXPECT_EQ(review.body["total"], Get("/api/v1/orders?review=1", agent_).body["total"]);
  // List items are masked.
  EXPECT_NE(all.body["items"][0]["caller"]["phone"], "13900000000");

  for (auto [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"page_size=0", "page_size"},
           {"page_size=201", "page_size"},
           {"page=0", "page"},
           {"page=x", "page"},
           {"status=bogus", "status"},
           {"light=blue", "light"},
           {"street=nowhere", "street"},
           {"from=yesterday", "from"},
           {"sort=random", "sort"},
           {"supervised=maybe", "supervised"},
           {"stauts=closed", "stauts"},
           {"offset=-1", "offset"},
           {"offset=x", "offset"},
           {"page=1&offset=3", "offset"},
           {"review=1&status=received,closed", "review"},
           {"review=1&status=dispatched", "review"}}) {
    Resp r = Get("/api/v1/orders?" + query, agent_);
    EXPECT_EQ(r.status, 400) << query;
    EXPECT_EQ(r.ErrorField(), field) << query << " " << r.raw.body;
  }
}

TEST_F(RoutesTest, AuditLogFiltersAndPages) {
  SeedOrg();
  const Id id = NewOrder(Appeal());
  const Id other = NewOrder(Appeal());
  const std::string path = "/api/v1/orders/" + std::to_string(id);
  const Json no = Get(path, sup_).body["no"];  // masked for supervisors: not audited
  ASSERT_TRUE(no.is_string());
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Get(path, admin_).status, 200);  // 3 x read_pii
  ASSERT_EQ(Get("/api/v1/orders/" + std::to_string(other), disp_).status, 200);

  const std::string reads = "/api/v1/audit?action=read_pii&order=" + std::to_string(id);
  Resp all = Get(reads, admin_);
  ASSERT_EQ(all.status, 200) << all.raw.body;
  EXPECT_EQ(all.body["total"], 3);
  ASSERT_EQ(all.body["items"].size(), 3u);
  for (const Json& e : all.body["items"]) {
    EXPECT_EQ(e["action"], "read_pii");
    EXPECT_EQ(e["order_id"], id);
    EXPECT_EQ(e["order_no"], no);
  }
  // Pages of 2, newest first: page 2 holds the oldest read only.
  Resp p2 = Get(reads + "&page_size=2&page=2", admin_);
  EXPECT_EQ(p2.body["total"], 3);
  EXPECT_EQ(p2.body["page"], 2);
  ASSERT_EQ(p2.body["items"].size(), 1u);
  EXPECT_EQ(p2.body["items"][0], all.body["items"][2]);
  // By user: the dispatcher's read only.
  Resp disp = Get("/api/v1/audit?action=read_pii&user=disp1", admin_);
  EXPECT_EQ(disp.body["total"], 1);
  EXPECT_EQ(disp.body["items"][0]["order_id"], other);
  // By date: nothing before the history began, everything from its first day.
  EXPECT_EQ(Get("/api/v1/audit?to=2000-01-01", admin_).body["total"], 0);
  EXPECT_EQ(Get("/api/v1/audit?from=2000-01-01&action=read_pii", admin_).body["total"], 4);
  // Supervisors read the log (docs/access.md); other staff do not.
  EXPECT_EQ(Get(reads, sup_).status, 200);
  EXPECT_EQ(Get(reads, disp_).status, 403);
  for (auto [query, field] :
       std::vector<std::pair<std::string, std::string>>{{"user=nobody", "user"},
                                                        {"page=0", "page"},
                                                        {"page_size=0", "page_size"},
                                                        {"limit=1001", "limit"},
                                                        {"from=soon", "from"},
                                                        {"from=2026-11-03&to=2026-11-01", "to"},
                                                        {"actor=1", "actor"}}) {
    Resp r = Get("/api/v1/audit?" + query, admin_);
    EXPECT_EQ(r.status, 400) << query;
    EXPECT_EQ(r.ErrorField(), field) << query << " " << r.raw.body;
  }
}

TEST_F(RoutesTest, WalksAnOrderThroughItsLife) {
  SeedOrg();
  const Id id = NewOrder(Appeal());
  const std::string path = "/api/v1/orders/" + std::to_string(id);
  Resp got = Get(path, agent_);
  ASSERT_EQ(got.status, 200);
  const std::string no = got.body["no"];
  EXPECT_EQ(Get("/api/v1/orders/" + no, agent_).body["id"], id);
  EXPECT_EQ(Get("/api/v1/orders/2611029999999", agent_).status, 404);
  EXPECT_EQ(Get("/api/v1/orders/abc", agent_).ErrorField(), "id");

  Resp sug = Get(path + "/dispatch-suggestion", disp_);
  ASSERT_EQ(sug.status, 200) << sug.raw.body;
  EXPECT_EQ(sug.body["lead_unit"]["code"], "CGJ");

  // Errors change nothing: wrong role, unknown action, stale version, bad input.
  auto before = Snapshot(id);
  EXPECT_EQ(Act(id, "dispatch", cgj_, {{"lead_unit", "CGJ"}}).status, 404);  // out of scope
  Resp forbidden = Act(id, "dispatch", sup_, {{"lead_unit", "CGJ"}});
  EXPECT_EQ(forbidden.status, 403) << forbidden.raw.body;
  Resp unknown = Act(id, "teleport", disp_);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.ErrorField(), "action");
  Resp stale = Act(id, "dispatch", disp_, {{"lead_unit", "CGJ"}, {"expect_version", 99}});
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(stale.ErrorField(), "expect_version");
  EXPECT_EQ(Act(id, "dispatch", disp_, {{"lead_unit", "NOPE"}}).ErrorField(), "lead_unit");
  EXPECT_EQ(Act(id, "dispatch", disp_, {{"assist_units", "ZJJ"}}).ErrorField(), "assist_units");
  EXPECT_EQ(Act(id, "dispatch", disp_, {{"lead_unit", "CGJ"}, {"extra", 1}}).ErrorField(), "extra");
  EXPECT_EQ(Act(id, "close", agent_).status, 409);  // not replied yet: wrong state
  EXPECT_EQ(Call("POST", path + "/actions/dispatch", disp_, "[").ErrorField(), "body");
  EXPECT_EQ(Snapshot(id), before);

  const std::int64_t version = got.body["version"];
  Resp dispatched = Act(id, "dispatch", disp_,
                        {{"lead_unit", "CGJ"},
                         {"assist_units", {"370112002"}},
                         {"text", "请核查处理"},
                         {"expect_version", version}});
  ASSERT_EQ(dispatched.status, 200) << dispatched.raw.body;
  EXPECT_EQ(dispatched.body["state"], "dispatched");
  EXPECT_EQ(dispatched.body["lead_unit"]["code"], "CGJ");
  EXPECT_EQ(dispatched.body["assist_units"][0]["code"], "370112002");
  EXPECT_TRUE(dispatched.body.contains("sign_due"));
  EXPECT_TRUE(dispatched.body.contains("due_at"));
  EXPECT_EQ(dispatched.body["light"], "green");

  Resp cgj_view = Get(path, cgj_);
  ASSERT_EQ(cgj_view.status, 200);
  EXPECT_NE(std::find(cgj_view.body["actions"].begin(), cgj_view.body["actions"].end(), "sign"),
            cgj_view.body["actions"].end());
  EXPECT_EQ(Get(path, zjj_).status, 404);  // out of scope

  EXPECT_EQ(Act(id, "sign", street_).status, 403);  // assisting unit may not sign
  ASSERT_EQ(Act(id, "sign", cgj_).status, 200);
  EXPECT_EQ(Act(id, "sign", cgj_).status, 409);

  // Return requested and rejected.
  before = Snapshot(id);
  Resp no_reason = Act(id, "request_return", cgj_);
  EXPECT_EQ(no_reason.status, 400) << no_reason.raw.body;
  EXPECT_EQ(Snapshot(id), before);
  ASSERT_EQ(Act(id, "request_return", cgj_, {{"text", "不属于本单位职责"}}).status, 200);
  Resp rr = Act(id, "reject_return", disp_, {{"text", "属城管职责"}});
  ASSERT_EQ(rr.status, 200) << rr.raw.body;
  EXPECT_EQ(rr.body["state"], "in_progress");

  // Extension requested and rejected; requested again and approved (once per order).
  ASSERT_EQ(Act(id, "request_extension", cgj_, {{"text", "再延"}, {"extension_days", 2}}).status,
            200);
  ASSERT_EQ(Act(id, "reject_extension", disp_, {{"text", "不予延期"}}).status, 200);
  Resp ext = Act(id, "request_extension", cgj_, {{"text", "需协调多部门"}, {"extension_days", 3}});
  ASSERT_EQ(ext.status, 200) << ext.raw.body;
  EXPECT_EQ(ext.body["state"], "extension_requested");
  EXPECT_EQ(ext.body["pending_request"], "需协调多部门");
  EXPECT_EQ(Act(id, "request_extension", cgj_, {{"text", "x"}, {"extension_days", 0}}).ErrorField(),
            "extension_days");
  Resp approved = Act(id, "approve_extension", disp_);
  ASSERT_EQ(approved.status, 200) << approved.raw.body;
  EXPECT_EQ(approved.body["extension_count"], 1);
  EXPECT_EQ(Act(id, "request_extension", cgj_, {{"text", "再延"}, {"extension_days", 2}}).status,
            409);

  Resp assist = Act(id, "assist_reply", street_, {{"text", "已配合现场劝离"}});
  ASSERT_EQ(assist.status, 200) << assist.raw.body;

  Resp supervised = Act(id, "supervise", sup_, {{"text", "请加快办理"}});
  ASSERT_EQ(supervised.status, 200) << supervised.raw.body;
  EXPECT_EQ(supervised.body["supervised"], true);
  EXPECT_EQ(Get("/api/v1/orders?supervised=true", sup_).body["total"], 1);

  ASSERT_EQ(Act(id, "suspend", disp_, {{"text", "等待施工"}}).status, 200);
  clock_.Advance(3600);
  Resp resumed = Act(id, "resume", disp_);
  ASSERT_EQ(resumed.status, 200) << resumed.raw.body;
  EXPECT_EQ(resumed.body["state"], "in_progress");

  // Contact reveal for the lead unit; the reveal is audited.
  Resp contact = Get(path + "/contact", cgj_);
  ASSERT_EQ(contact.status, 200) << contact.raw.body;
  EXPECT_EQ(contact.body["caller"]["phone"], "13800138000");
  Resp audit = Get("/api/v1/audit?order=" + std::to_string(id), admin_);
  ASSERT_EQ(audit.status, 200);
  EXPECT_FALSE(audit.body["items"].empty());
  EXPECT_EQ(Get("/api/v1/audit?limit=0", admin_).ErrorField(), "limit");

  // Reply, unsatisfied callback, redo, then the whole way to closed.
  Json reply = {{"contacted_at", "2026-11-02T09:30:00+08:00"},
                {"contact_method", "phone"},
                {"resolved", true},
                {"actions_taken", "已清理占道摊点"},
                {"public_text", "已处理"}};
  EXPECT_EQ(Act(id, "reply", cgj_, {{"reply", {{"resolved", "yes"}}}}).ErrorField(),
            "reply.resolved");
  EXPECT_EQ(Act(id, "reply", cgj_, {{"reply", {{"contacted_at", "noon"}}}}).ErrorField(),
            "reply.contacted_at");
  Resp replied = Act(id, "reply", cgj_, {{"reply", reply}});
  ASSERT_EQ(replied.status, 200) << replied.raw.body;
  EXPECT_EQ(replied.body["state"], "replied");
  EXPECT_EQ(replied.body["reply"]["contacted_at"], "2026-11-02T09:30:00+08:00");
  EXPECT_EQ(Act(id, "callback", agent_, {{"rating", "great"}}).ErrorField(), "rating");
  Resp visited = Act(id, "callback", agent_, {{"rating", "unsatisfied"}, {"text", "仍有摊贩"}});
  ASSERT_EQ(visited.status, 200) << visited.raw.body;
  EXPECT_EQ(visited.body["callback"]["rating_label"], "不满意");
  Resp redo = Act(id, "redo", disp_, {{"text", "请重新处理"}});
  ASSERT_EQ(redo.status, 200) << redo.raw.body;
  EXPECT_EQ(redo.body["state"], "dispatched");
  EXPECT_EQ(redo.body["redo_count"], 1);
  ASSERT_EQ(Act(id, "sign", cgj_).status, 200);
  reply["contacted_at"] = kStart + 3000;  // epoch seconds work too
  ASSERT_EQ(Act(id, "reply", cgj_, {{"reply", reply}}).status, 200);
  ASSERT_EQ(Act(id, "callback", agent_, {{"rating", "satisfied"}}).status, 200);
  Resp closed = Act(id, "close", agent_);
  ASSERT_EQ(closed.status, 200) << closed.raw.body;
  EXPECT_EQ(closed.body["state"], "closed");
  EXPECT_TRUE(closed.body.contains("closed_at"));
  EXPECT_EQ(Act(id, "close", agent_).status, 409);

  Resp events = Get(path + "/events", agent_);
  ASSERT_EQ(events.status, 200);
  const Json& items = events.body["items"];
  ASSERT_GE(items.size(), 20u);
  EXPECT_EQ(items[0]["action"], "intake");
  EXPECT_EQ(items[0]["user"]["display_name"], "话务员甲");
  EXPECT_EQ(items[1]["action"], "dispatch");
  EXPECT_EQ(items[1]["action_label"], "派单");
  EXPECT_EQ(items[1]["from"], "received");
  EXPECT_EQ(items[1]["to"], "dispatched");
  EXPECT_TRUE(items[1]["data"].is_object());
  EXPECT_EQ(items.back()["action"], "close");
}

TEST_F(RoutesTest, AnswerRejectMergeAndReassign) {
  SeedOrg();
  Json consult = Appeal();
  consult["nature"] = "consultation";
  const Id answered = NewOrder(consult);
  EXPECT_EQ(Act(answered, "answer", agent_).ErrorField(), "reply.public_text");
  Resp ans =
      Act(answered, "answer", agent_, {{"reply", {{"public_text", "请携带身份证到街道办理"}}}});
  ASSERT_EQ(ans.status, 200) << ans.raw.body;
  EXPECT_EQ(ans.body["state"], "replied");
  EXPECT_EQ(ans.body["reply"]["direct"], true);

  const Id rejected = NewOrder(Appeal());
  EXPECT_EQ(Act(rejected, "reject", agent_, {{"basis", "whim"}}).ErrorField(), "basis");
  Resp rej = Act(rejected, "reject", agent_, {{"basis", "litigation"}, {"text", "已起诉"}});
  ASSERT_EQ(rej.status, 200) << rej.raw.body;
  EXPECT_EQ(rej.body["state"], "rejected");
  EXPECT_EQ(rej.body["reject_basis"], "litigation");

  const Id target = NewOrder(Appeal());
  const std::string target_no = Get("/api/v1/orders/" + std::to_string(target), agent_).body["no"];
  const Id dup = NewOrder(Appeal());
  EXPECT_EQ(Act(dup, "merge", agent_, {{"merge_into", true}}).ErrorField(), "merge_into");
  EXPECT_EQ(Act(dup, "merge", agent_, {{"merge_into", "9999999999999"}}).ErrorField(),
            "merge_into");
  Resp merged = Act(dup, "merge", agent_, {{"merge_into", target_no}, {"text", "重复诉求"}});
  ASSERT_EQ(merged.status, 200) << merged.raw.body;
  EXPECT_EQ(merged.body["state"], "merged");
  EXPECT_EQ(merged.body["merged_into"], target);

  // Department matters cannot be pushed down to a street.
  Json housing = Appeal();
  housing["subject_code"] = "02";
  const Id h = NewOrder(housing);
  Resp pushed = Act(h, "dispatch", disp_, {{"lead_unit", "370112002"}});
  EXPECT_EQ(pushed.status, 400);
  EXPECT_EQ(pushed.ErrorField(), "lead_unit");

  // Returned and reassigned (subject changed on the way).
  const Id r = NewOrder(Appeal());
  ASSERT_EQ(Act(r, "dispatch", disp_, {{"lead_unit", "CGJ"}}).status, 200);
  ASSERT_EQ(Act(r, "request_return", cgj_, {{"text", "属住建职责"}}).status, 200);
  Resp missing = Act(r, "approve_return", disp_, {{"lead_unit", "CGJ"}});
  EXPECT_EQ(missing.status, 400) << missing.raw.body;
  EXPECT_EQ(missing.ErrorField(), "lead_unit");
  Resp re = Act(r, "approve_return", disp_,
                {{"lead_unit", "ZJJ"}, {"subject_code", "02"}, {"text", "改派住建局"}});
  ASSERT_EQ(re.status, 200) << re.raw.body;
  EXPECT_EQ(re.body["lead_unit"]["code"], "ZJJ");
  EXPECT_EQ(re.body["return_count"], 1);
  EXPECT_EQ(Get("/api/v1/orders/" + std::to_string(r), zjj_).status, 200);
}

TEST_F(RoutesTest, ConfigurationDocumentsValidate) {
  SeedOrg();
  Resp tax = Get("/api/v1/taxonomy", agent_);
  ASSERT_EQ(tax.status, 200);
  EXPECT_EQ(tax.body["subjects"].size(), 4u);
  Resp bad = Call("PUT", "/api/v1/taxonomy", admin_,
                  Json{{"subjects", {{{"code", "1"}, {"name", "x"}}}}}.dump());
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.ErrorField(), "subjects[0].code");
  EXPECT_EQ(Call("PUT", "/api/v1/taxonomy", admin_, "{").ErrorField(), "body");
  EXPECT_EQ(Get("/api/v1/taxonomy", agent_).body, tax.body);  // unchanged

  Resp cal = Get("/api/v1/calendar", admin_);
  ASSERT_EQ(cal.status, 200);
  Resp put = Call("PUT", "/api/v1/calendar", admin_, cal.raw.body);
  EXPECT_EQ(put.status, 200) << put.raw.body;
  Resp lp = Get("/api/v1/light-policy", admin_);
  EXPECT_EQ(Call("PUT", "/api/v1/light-policy", admin_, lp.raw.body).status, 200);
  Resp rules = Get("/api/v1/deadline-rules", admin_);
  EXPECT_EQ(Call("PUT", "/api/v1/deadline-rules", admin_, rules.raw.body).status, 200);
}

// ---- hotspots (routes_hotspots.cc) ----

TEST_F(RoutesTest, HotspotsRankClustersInScopeAndRejectBadDates) {
  SeedOrg();
  const char* burst[] = {
      "甸柳小区3号楼楼下烧烤店每晚油烟噪音扰民", "甸柳小区3号楼下烧烤店油烟大噪音扰民到凌晨",
      "投诉甸柳小区烧烤店夜间油烟噪音扰民", "甸柳小区楼下烧烤店每天晚上油烟噪音扰民"};
  std::vector<Id> ids;
  for (int i = 0; i < 4; ++i) {
    Json b = Appeal();
    b.erase("title");
    b["content"] = burst[i];
    b["caller"]["phone"] = "1381111000" + std::to_string(i);
    ids.push_back(NewOrder(b));
    clock_.Advance(600);
  }
  NewOrder(Appeal());  // unrelated
  Resp r = Get("/api/v1/hotspots?from=2026-11-01&to=2026-11-03&limit=5", agent_);
  ASSERT_EQ(r.status, 200) << r.raw.body;
  EXPECT_EQ(r.body["from"], "2026-11-01");
  ASSERT_EQ(r.body["items"].size(), 1u) << r.raw.body;
  const Json& h = r.body["items"][0];
  EXPECT_EQ(h["count"], 4);
  EXPECT_EQ(h["distinct_callers"], 4);
  EXPECT_EQ(h["order_ids"], Json(ids));
  EXPECT_EQ(h["place"]["street"]["code"], "370112002");
  EXPECT_EQ(h["place"]["community"]["name"], "甸柳社区");
  EXPECT_EQ(h["first_at"], "2026-11-02T09:00:00+08:00");
  for (const char* k : {"id", "title", "growth", "heat", "support", "last_at", "keywords"})
    EXPECT_TRUE(h.contains(k)) << k;
  // Default range: the last 30 days including today.
  EXPECT_EQ(Get("/api/v1/hotspots", agent_).body["items"].size(), 1u);
  // Scope: the street sees it; a department with no assigned order sees nothing, and may not
  // name a street outside its jurisdiction.
  EXPECT_EQ(Get("/api/v1/hotspots", street_).body["items"].size(), 1u);
  Resp dept = Get("/api/v1/hotspots", cgj_);
  ASSERT_EQ(dept.status, 200) << dept.raw.body;
  EXPECT_TRUE(dept.body["items"].empty());
  Resp outside = Get("/api/v1/hotspots?street=370112002", cgj_);
  EXPECT_EQ(outside.status, 404);
  EXPECT_EQ(outside.ErrorField(), "street");
  EXPECT_EQ(Get("/api/v1/hotspots", cit_).status, 403);
  // Bad input: 400 naming the field.
  for (auto [query, field] :
       std::vector<std::pair<std::string, std::string>>{{"from=2026-13-01", "from"},
                                                        {"to=yesterday", "to"},
                                                        {"from=2026-11-03&to=2026-11-01", "to"},
                                                        {"from=2025-01-01&to=2026-11-03", "to"},
                                                        {"limit=0", "limit"},
                                                        {"street=NOPE", "street"},
                                                        {"street=370112002001", "street"},
                                                        {"form=2026-11-01", "form"}}) {
    Resp bad = Get("/api/v1/hotspots?" + query, agent_);
    EXPECT_EQ(bad.status, 400) << query << " " << bad.raw.body;
    EXPECT_EQ(bad.ErrorField(), field) << query;
  }
}

}  // namespace
}  // namespace hotline::api
