// The informant rule and masking on every path text leaves by (issue 12: items 1, 2 and the
// flags): free text, automatic titles, event texts, replies, lists, the dashboard, the map, and
// searches that must not recover what the reader is shown masked.
#include <sqlite3.h>

#include <string>

#include "service/service_test_fixture.h"

namespace hotline::testing {
namespace {

using PrivacyTest = SmallCity;

// A report on D02 whose text carries the informant's phone, ID number and name.
constexpr const char* kInformantText =
    "举报人电话13822223333，身份证370112199202023450，本人张三丰举报城管执法人员收受摊贩好处。";

IntakeRequest Report(IntakeRequest r, Id reported) {
  r.nature = Nature::kReport;
  r.reported_unit_id = reported;
  r.title.clear();  // the automatic title: the content's first characters
  r.content = kInformantText;
  return r;
}

// Nothing of the informant in any text of the order as `seen`.
void ExpectNoInformant(const WorkOrder& o, const std::string& who) {
  for (const std::string* t :
       {&o.title, &o.content, &o.place.address, &o.caller_name, &o.caller_phone, &o.caller_id_no}) {
    EXPECT_EQ(t->find("13822223333"), std::string::npos) << who << ": " << *t;
    EXPECT_EQ(t->find("1382222"), std::string::npos) << who << ": " << *t;
    EXPECT_EQ(t->find("199202023"), std::string::npos) << who << ": " << *t;
    EXPECT_EQ(t->find("张三丰"), std::string::npos) << who << ": " << *t;
    EXPECT_EQ(t->find("13812345678"), std::string::npos) << who << ": " << *t;
  }
  if (o.reply)
    for (const std::string* t : {&o.reply->public_text, &o.reply->actions_taken})
      EXPECT_EQ(t->find("13822223333"), std::string::npos) << who << ": " << *t;
}

TEST_F(PrivacyTest, NumbersInAReportsTextNeverReachTheUnitReportedOn) {
  Id id = NewOrder(Report(Appeal(), UnitId("D02")));
  ActionInput d = In(Action::kDispatch);
  d.lead_unit_id = UnitId("D02");
  d.text = "请核查，举报人电话13822223333勿外泄";
  ASSERT_TRUE(Act(dispatcher_, id, d).ok());
  ASSERT_TRUE(Act(d2_, id, In(Action::kSign)).ok());

  auto one = svc_->GetOrder(d2_, id);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_TRUE(one->identity_hidden);
  EXPECT_TRUE(one->pii_masked);
  ExpectNoInformant(one->order, "GET /orders/{id} as D02");
  EXPECT_NE(one->order.content.find("收受摊贩好处"), std::string::npos)
      << "the matter itself stays readable";

  auto list = svc_->ListOrders(d2_, {});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_TRUE(list->items[0].identity_hidden) << "list items tell the truth";
  ExpectNoInformant(list->items[0].order, "GET /orders as D02");

  auto events = svc_->Events(d2_, id);
  ASSERT_TRUE(events.ok());
  for (const Event& e : *events) EXPECT_EQ(e.text.find("13822223333"), std::string::npos);

  // The agent who recorded it reads it in full.
  auto full = svc_->GetOrder(agent_, id);
  EXPECT_NE(full->order.content.find("13822223333"), std::string::npos);
}

TEST_F(PrivacyTest, RepliesAndNotesAreMaskedForEveryMaskedReader) {
  Id id = NewOrder();
  ActionInput d = In(Action::kDispatch);
  d.lead_unit_id = UnitId("370112001");
  ASSERT_TRUE(Act(dispatcher_, id, d).ok());
  ASSERT_TRUE(Act(s1_, id, In(Action::kSign)).ok());
  ActionInput reply = In(Action::kReply);
  reply.reply = Reply{};
  reply.reply->contact_method = "phone";
  reply.reply->contacted_at = clock_.Now();
  reply.reply->resolved = true;
  reply.reply->actions_taken = "已联系张三丰（13812345678）并清理";
  reply.reply->public_text = "已清理，如有问题请拨打13912340000";
  ASSERT_TRUE(Act(s1_, id, reply).ok());
  for (const Actor* a : {&supervisor_, &s1_}) {
    auto v = svc_->GetOrder(*a, id);
    ASSERT_TRUE(v.ok());
    ASSERT_TRUE(v->order.reply);
    EXPECT_EQ(v->order.reply->actions_taken.find("13812345678"), std::string::npos);
    EXPECT_EQ(v->order.reply->actions_taken.find("张三丰"), std::string::npos);
    EXPECT_EQ(v->order.reply->public_text.find("13912340000"), std::string::npos);
  }
}

TEST_F(PrivacyTest, SearchesDoNotRecoverMaskedData) {
  Id id = NewOrder(Report(Appeal(), UnitId("D02")));
  ActionInput d = In(Action::kDispatch);
  d.lead_unit_id = UnitId("D02");
  ASSERT_TRUE(Act(dispatcher_, id, d).ok());
  const std::string no = svc_->GetOrder(agent_, id)->order.no;

  auto count = [&](const Actor& a, std::string text, std::string phone = "") {
    OrderQuery q;
    q.text = std::move(text);
    q.caller_phone = std::move(phone);
    auto page = svc_->ListOrders(a, q);
    return page.ok() ? page->total : -1;
  };
  // Handlers may not filter by phone at all.
  OrderQuery by_phone;
  by_phone.caller_phone = "13812345678";
  auto refused = svc_->ListOrders(d2_, by_phone);
  EXPECT_EQ(refused.status().code(), Code::kForbidden);
  EXPECT_EQ(refused.status().field(), "phone");
  EXPECT_EQ(svc_->ListOrders(supervisor_, by_phone).status().code(), Code::kForbidden);
  // Text searches see what the reader sees: masked digits and the hidden name match nothing.
  EXPECT_EQ(count(d2_, "13822223333"), 0);
  EXPECT_EQ(count(d2_, "8222"), 0) << "a piece of the masked middle digits";
  EXPECT_EQ(count(d2_, "199202023450"), 0);
  EXPECT_EQ(count(d2_, "张三丰"), 0);
  EXPECT_EQ(count(supervisor_, "13822223333"), 0);
  EXPECT_EQ(count(d2_, "收受摊贩"), 1) << "the matter is searchable";
  EXPECT_EQ(count(d2_, no), 1) << "and the order number";
  // The agent may search by personal data, audited.
  EXPECT_EQ(count(agent_, "13822223333"), 1);
  EXPECT_EQ(count(agent_, "", "13812345678"), 1);
  auto audit = svc_->Audit(admin_, std::nullopt, 50);
  ASSERT_TRUE(audit.ok());
  int searches = 0;
  for (const AuditEntry& e : *audit) searches += e.action == "search_pii";
  EXPECT_EQ(searches, 2);
}

TEST_F(PrivacyTest, AgentsCannotFindTheInformantOfAReportOnTheirOwnCentre) {
  Id centre = svc_->FindUnitByCode("CENTER").value().id;
  NewOrder(Report(Appeal(), centre));
  OrderQuery q;
  q.caller_phone = "13812345678";
  EXPECT_EQ(svc_->ListOrders(agent_, q)->total, 0);
  q.caller_phone.clear();
  q.text = "13822223333";
  EXPECT_EQ(svc_->ListOrders(agent_, q)->total, 0);
  q.text = "收受摊贩";
  EXPECT_EQ(svc_->ListOrders(agent_, q)->total, 1);
}

TEST_F(PrivacyTest, OrdersStoredBeforeSearchTextAreFilledInOnOpen) {
  Id id = NewOrder(Report(Appeal(), UnitId("D02")));
  ActionInput d = In(Action::kDispatch);
  d.lead_unit_id = UnitId("D02");
  ASSERT_TRUE(Act(dispatcher_, id, d).ok());
  svc_.reset();
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "city.db").string().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE orders SET search_text = NULL", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  Restart();
  d2_ = Login("d2");
  OrderQuery q;
  q.text = "收受摊贩";
  EXPECT_EQ(svc_->ListOrders(d2_, q)->total, 1);
  q.text = "13822223333";
  EXPECT_EQ(svc_->ListOrders(d2_, q)->total, 0);
}

TEST_F(PrivacyTest, FlagsTellTheTruth) {
  IntakeRequest r = Appeal();
  r.channel = Channel::kWeb;
  r.caller_phone.clear();
  r.caller_name.clear();
  bool existed = false;
  ASSERT_TRUE(svc_->Intake(citizen_, r, &existed).ok());
  auto mine = svc_->ListOrders(citizen_, {});
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->items.size(), 1u);
  EXPECT_FALSE(mine->items[0].pii_masked) << "a citizen's own appeal is shown in full";
  EXPECT_EQ(mine->items[0].order.caller_phone, "13905310000");
  auto staff = svc_->ListOrders(agent_, {});
  EXPECT_TRUE(staff->items[0].pii_masked);
  EXPECT_FALSE(staff->items[0].identity_hidden);
}

}  // namespace
}  // namespace hotline::testing

// ---- the other holes of issue 12 that live in the service ----

namespace hotline::testing {
namespace {

class HolesTest : public SmallCity {};

TEST_F(HolesTest, GridWorkersReportPatrolsInTheirOwnGridOnly) {
  IntakeRequest r = Appeal();
  r.channel = Channel::kWeb;
  bool existed = false;
  EXPECT_EQ(svc_->Intake(g1_, r, &existed).status().field(), "channel");
  r.channel = Channel::kGridPatrol;
  r.grid_id = UnitId("370112002001001");  // another street's grid
  EXPECT_EQ(svc_->Intake(g1_, r, &existed).status().field(), "place");
  r.grid_id.reset();
  r.street_id = UnitId("370112002");
  EXPECT_EQ(svc_->Intake(g1_, r, &existed).status().field(), "place");
  r.street_id.reset();  // no place: the worker's whole grid
  auto v = svc_->Intake(g1_, r, &existed);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->order.place.grid_id, UnitId("370112001001001"));
  EXPECT_EQ(v->order.place.street_id, UnitId("370112001"));
}

TEST_F(HolesTest, TheLastActiveAdminCannotBeDisabledOrDemoted) {
  auto refused =
      svc_->UpdateUser(admin_, admin_.user_id, std::nullopt, std::nullopt, false, std::nullopt);
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(refused.status().field(), "active");
  EXPECT_EQ(svc_->UpdateUser(admin_, admin_.user_id, Role::kAgent, std::nullopt, std::nullopt,
                             std::nullopt)
                .status()
                .field(),
            "role");
  EXPECT_TRUE(svc_->Me(admin_)->active);
  // With a second admin, the first may step down.
  std::vector<ImportError> errors;
  ASSERT_TRUE(svc_->ImportUsers(admin_,
                                "login,display_name,role,unit_code,password,phone\n"
                                "admin2,管理员二,admin,CENTER,pw12,\n",
                                &errors)
                  .ok());
  EXPECT_TRUE(
      svc_->UpdateUser(admin_, admin_.user_id, std::nullopt, std::nullopt, false, std::nullopt)
          .ok());
  auto audit = svc_->Audit(Login("admin2"), std::nullopt, 10);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->front().action, "update_user");
}

TEST_F(HolesTest, AdminResetBringsBackAnAdminThroughTheStore) {
  // Disabled behind the service's back (as a database edit or an old bug would).
  User u = store_->ListUsers()->front();
  ASSERT_EQ(u.login, "admin");
  u.active = false;
  ASSERT_TRUE(store_->UpdateUser(u).ok());
  EXPECT_EQ(ResetAdmin(*store_, "agent", "a-long-new-password").status().field(), "--login");
  EXPECT_EQ(ResetAdmin(*store_, "admin", "abc").status().field(), "password");
  ASSERT_TRUE(ResetAdmin(*store_, "admin", "a-long-new-password").ok());
  auto created = ResetAdmin(*store_, "rescue", "another-long-password");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  svc_.reset();  // the server reads users when it starts
  auto svc =
      HotlineService::Open(*store_, clock_, HOTLINE_SOURCE_DATA_DIR "/calendar/cn_holidays.json");
  ASSERT_TRUE(svc.ok());
  EXPECT_TRUE((*svc)->Login("admin", "a-long-new-password").ok());
  auto rescue = (*svc)->Login("rescue", "another-long-password");
  ASSERT_TRUE(rescue.ok());
  EXPECT_EQ(rescue->user.role, Role::kAdmin);
  auto audit = store_->ListAudit(std::nullopt, 5);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->front().action, "admin_reset");
}

TEST_F(HolesTest, ANewStoreRefusesShortPasswords) {
  auto fresh = OpenSqliteStore((dir_ / "fresh.db").string());
  ASSERT_TRUE(fresh.ok());
  BootstrapOptions b;
  b.admin_password = "demo";
  EXPECT_EQ(Bootstrap(**fresh, b).field(), "password") << "default minimum: 10";
  b.admin_password = "a-long-password";
  ASSERT_TRUE(Bootstrap(**fresh, b).ok());
  auto svc =
      HotlineService::Open(**fresh, clock_, HOTLINE_SOURCE_DATA_DIR "/calendar/cn_holidays.json");
  ASSERT_TRUE(svc.ok());
  auto login = (*svc)->Login("admin", "a-long-password");
  ASSERT_TRUE(login.ok());
  Actor admin = (*svc)->Authenticate(login->token).value();
  std::vector<ImportError> errors;
  EXPECT_FALSE((*svc)
                   ->ImportUsers(admin,
                                 "login,display_name,role,unit_code,password,phone\n"
                                 "a1,话务员,agent,CENTER,short,\n",
                                 &errors)
                   .ok());
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].field, "password");
  EXPECT_EQ((*svc)
                ->UpdateUser(admin, admin.user_id, std::nullopt, std::nullopt, std::nullopt,
                             std::string("123456789"))
                .status()
                .field(),
            "password");
}

}  // namespace
}  // namespace hotline::testing
