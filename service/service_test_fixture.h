// A small city for service and API tests: district 370112, two streets, one
// community with one grid each, two departments, users for every role (all
// with password "pw12"), a 3-level taxonomy and a catalogue. Fake clock.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "service/bootstrap.h"
#include "service/hotline_service.h"
#include "service/password.h"
#include "store/sqlite/sqlite_store.h"

namespace hotline::testing {

// An action with its text (the other fields left for the test to fill).
inline ActionInput In(Action a, std::string text = "") {
  ActionInput in;
  in.action = a;
  in.text = std::move(text);
  return in;
}

// 2026-11-23 10:00 Beijing time, a Monday.
inline constexpr Timestamp kMonday10 = 1795399200;

// Two branches of the subject tree, one leaf a department matter: the fixtures' taxonomy.
inline constexpr char kSmallTaxonomy[] = R"({"version":"t1","subjects":[
      {"code":"01","name":"城乡建设"},
      {"code":"0101","name":"住房保障","parent":"01"},
      {"code":"010101","name":"公租房申请","parent":"0101","department_matter":true},
      {"code":"02","name":"城市管理"},
      {"code":"0201","name":"市容环境","parent":"02"},
      {"code":"020101","name":"小区环境卫生","parent":"0201"}]})";

class SmallCity : public ::testing::Test {
 protected:
  void SetUp() override {
    UseMinimalHashCostForTesting();
    dir_ = std::filesystem::temp_directory_path() /
           ("hotline_svc_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    OpenAll(true);
  }
  void TearDown() override {
    svc_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void OpenAll(bool fresh) {
    svc_.reset();
    store_.reset();
    SqliteOptions so;
    so.synchronous_full = false;  // tests: durable against crashes is enough
    auto st = OpenSqliteStore((dir_ / "city.db").string(), so);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(st).value();
    if (fresh) {
      BootstrapOptions b = boot_;
      b.admin_password = "pw12";
      b.min_password_length = 4;  // the fixture's short passwords
      ASSERT_TRUE(Bootstrap(*store_, b).ok());
    }
    auto svc = HotlineService::Open(*store_, clock_,
                                    HOTLINE_SOURCE_DATA_DIR "/calendar/cn_holidays.json", options_);
    ASSERT_TRUE(svc.ok()) << svc.status().ToString();
    svc_ = std::move(svc).value();
    admin_ = Login("admin");
    if (fresh) Seed();
  }
  void Restart() { OpenAll(false); }

  Actor Login(const std::string& login) {
    auto r = svc_->Login(login, "pw12");
    EXPECT_TRUE(r.ok()) << login << ": " << r.status().ToString();
    if (!r.ok()) return {};
    auto a = svc_->Authenticate(r->token);
    EXPECT_TRUE(a.ok());
    return *a;
  }
  Id UnitId(const std::string& code) { return svc_->FindUnitByCode(code).value().id; }
  // An appeal recorded by the agent (default: Appeal()); 0 when refused.
  Id NewOrder(IntakeRequest r = {}) {
    if (r.content.empty()) r = Appeal();
    bool existed = false;
    auto v = svc_->Intake(agent_, r, &existed);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? v->order.id : 0;
  }
  Result<OrderView> Act(const Actor& a, Id id, ActionInput in) {
    return svc_->Act(a, id, in, std::nullopt);
  }

  // The organisation, users, taxonomy and catalogue of a fresh store (a derived fixture may
  // seed another city; it then sets boot_ in its constructor).
  virtual void Seed() {
    std::vector<ImportError> errors;
    auto units = svc_->ImportUnits(admin_,
                                   "code,name,kind,parent_code,grid_kind\n"
                                   "370112001,山大路街道,street,370112,\n"
                                   "370112002,洪家楼街道,street,370112,\n"
                                   "370112001001,甸柳社区,community,370112001,\n"
                                   "370112002001,洪家楼社区,community,370112002,\n"
                                   "370112001001001,甸柳第一网格,grid,370112001001,basic\n"
                                   "370112002001001,洪家楼第一网格,grid,370112002001,basic\n"
                                   "D01,区住房和城乡建设局,department,370112,\n"
                                   "D02,区城市管理局,department,370112,\n",
                                   true, &errors);
    ASSERT_TRUE(units.ok()) << units.status().ToString()
                            << (errors.empty() ? "" : ToString(errors[0]));
    auto users = svc_->ImportUsers(admin_,
                                   "login,display_name,role,unit_code,password,phone\n"
                                   "agent,话务员甲,agent,CENTER,pw12,\n"
                                   "dispatcher,派单员乙,dispatcher,CENTER,pw12,\n"
                                   "supervisor,督办员丙,supervisor,CENTER,pw12,\n"
                                   "s1,山大路承办人,handler,370112001,pw12,\n"
                                   "s2,洪家楼承办人,handler,370112002,pw12,\n"
                                   "d1,住建局承办人,handler,D01,pw12,\n"
                                   "d2,城管局承办人,handler,D02,pw12,\n"
                                   "g1,网格员丁,grid_worker,370112001001001,pw12,\n"
                                   "citizen,市民戊,citizen,370112,pw12,13905310000\n",
                                   &errors);
    ASSERT_TRUE(users.ok()) << users.status().ToString()
                            << (errors.empty() ? "" : ToString(errors[0]));
    ASSERT_TRUE(svc_->PutTaxonomyJson(admin_, kSmallTaxonomy).ok());
    ASSERT_TRUE(svc_->PutCatalogueJson(admin_, R"({"rules":[
      {"subject_prefix":"0101","lead":{"department":"D01"}},
      {"subject_prefix":"02","lead":{"territorial":"street"},"assist":["D02"]}]})")
                    .ok());
    agent_ = Login("agent");
    dispatcher_ = Login("dispatcher");
    supervisor_ = Login("supervisor");
    s1_ = Login("s1");
    s2_ = Login("s2");
    d1_ = Login("d1");
    d2_ = Login("d2");
    g1_ = Login("g1");
    citizen_ = Login("citizen");
  }

  IntakeRequest Appeal(const std::string& subject = "020101") {
    IntakeRequest r;
    r.channel = Channel::kHotline;
    r.nature = Nature::kComplaint;
    r.subject_code = subject;
    r.content = "甸柳小区3号楼门前垃圾堆放多日无人清理，气味很大。";
    r.caller_name = "张三丰";
    r.caller_phone = "13812345678";
    r.grid_id = UnitId("370112001001001");
    return r;
  }

  ServiceOptions options_;  // set before Restart() to reopen the service with other options
  BootstrapOptions boot_;   // the root a fresh store is bootstrapped with
  FakeClock clock_{kMonday10};
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<HotlineService> svc_;
  Actor admin_, agent_, dispatcher_, supervisor_, s1_, s2_, d1_, d2_, g1_, citizen_;
};

}  // namespace hotline::testing
