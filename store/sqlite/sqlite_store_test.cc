#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

namespace hotline {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hotline_store_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto r = OpenSqliteStore((dir_ / "t.db").string());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    store_ = std::move(r).value();
  }
  WorkOrder NewOrder(const std::string& title) {
    WorkOrder o;
    o.no = "261123";
    o.title = title;
    o.content = "路灯不亮 " + title;
    o.caller_phone = "13800000000";
    o.created_at = 1000;
    o.subject_code = "010203";
    o.place.street_id = 2;
    return o;
  }
  Event Created() {
    Event e;
    e.action = "intake";
    e.at = 1000;
    return e;
  }
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, CreatedOrderSurvivesReopenWithItsNumberAndEvent) {
  auto r = store_->CreateOrder(NewOrder("a"), Created(), {{2, kAccessPlace}}, "", 0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->no, "2611230000001");
  Reopen();
  auto o = store_->GetOrder(r->id);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->title, "a");
  EXPECT_EQ(o->no, "2611230000001");
  auto ev = store_->ListEvents(r->id);
  ASSERT_TRUE(ev.ok());
  ASSERT_EQ(ev->size(), 1u);
  EXPECT_EQ((*ev)[0].action, "intake");
  auto by_no = store_->GetOrderByNo("2611230000001");
  ASSERT_TRUE(by_no.ok());
  EXPECT_EQ(by_no->id, r->id);
}

TEST_F(SqliteStoreTest, SameIdempotencyKeyReturnsTheSameOrder) {
  auto a = store_->CreateOrder(NewOrder("a"), Created(), {}, "key-1", 7);
  auto b = store_->CreateOrder(NewOrder("b"), Created(), {}, "key-1", 7);
  auto c = store_->CreateOrder(NewOrder("c"), Created(), {}, "key-1", 8);  // other user
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_FALSE(a->existed);
  EXPECT_TRUE(b->existed);
  EXPECT_EQ(a->id, b->id);
  EXPECT_NE(a->id, c->id);
  auto page = store_->ListOrders({});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 2);
}

TEST_F(SqliteStoreTest, TransitionIsCompareAndSwap) {
  auto r = store_->CreateOrder(NewOrder("a"), Created(), {}, "", 0);
  ASSERT_TRUE(r.ok());
  auto o = store_->GetOrder(r->id).value();
  WorkOrder next = o;
  next.state = State::kDispatched;
  next.version = 1;
  next.lead_unit_id = 5;
  Event e;
  e.action = "dispatch";
  e.from = State::kReceived;
  e.to = State::kDispatched;
  ASSERT_TRUE(store_->TransitionOrder(next, State::kReceived, 0, e, {{5, kAccessLead}}).ok());
  // A second writer that read the old version loses and changes nothing.
  WorkOrder stale = o;
  stale.state = State::kMerged;
  stale.version = 1;
  Status st = store_->TransitionOrder(stale, State::kReceived, 0, e, {{9, kAccessLead}});
  EXPECT_EQ(st.code(), Code::kConflict);
  EXPECT_NE(st.message().find("dispatched"), std::string::npos);
  EXPECT_EQ(store_->GetOrder(r->id)->state, State::kDispatched);
  EXPECT_EQ(store_->ListEvents(r->id)->size(), 2u);
  EXPECT_TRUE(store_->CanAccess(r->id, {5}).value());
  EXPECT_FALSE(store_->CanAccess(r->id, {9}).value());
}

TEST_F(SqliteStoreTest, ListFiltersScopeAndLights) {
  for (int i = 0; i < 6; ++i) {
    WorkOrder o = NewOrder("t" + std::to_string(i));
    o.created_at = 1000 + i;
    if (i < 3) {
      o.state = State::kInProgress;
      o.yellow_at = 5000;
      o.due_at = 6000 + i * 1000;  // due 6000, 7000, 8000
    }
    o.channel = i % 2 ? Channel::kWeb : Channel::kHotline;
    ASSERT_TRUE(store_->CreateOrder(o, Created(), {{10 + i % 2, kAccessPlace}}, "", 0).ok());
  }
  OrderQuery q;
  q.channel = Channel::kWeb;
  EXPECT_EQ(store_->ListOrders(q)->total, 3);
  q = {};
  q.scope_units = std::vector<Id>{10};
  EXPECT_EQ(store_->ListOrders(q)->total, 3);
  q = {};
  q.light = Light::kRed;
  q.now = 7500;
  EXPECT_EQ(store_->ListOrders(q)->total, 2);
  q.light = Light::kYellow;
  EXPECT_EQ(store_->ListOrders(q)->total, 1);
  q = {};
  q.text = "t4";
  EXPECT_EQ(store_->ListOrders(q)->total, 1);
  q = {};
  q.limit = 2;
  auto page = store_->ListOrders(q).value();
  EXPECT_EQ(page.total, 6);
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].title, "t5");  // newest first
}

TEST_F(SqliteStoreTest, ConcurrentWritersAreAllDurableAndOneFailureDoesNotSinkOthers) {
  constexpr int kThreads = 8, kEach = 50;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, conflicts{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Every 10th request reuses a unit code: a unique-constraint failure inside the batch.
        Unit u;
        u.code = i % 10 == 9 ? "dup" : "u" + std::to_string(t) + "_" + std::to_string(i);
        u.name = "单位";
        auto r = store_->InsertUnit(u);
        (r.ok() ? ok : conflicts)++;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok + conflicts, kThreads * kEach);
  EXPECT_EQ(conflicts, kThreads * kEach / 10 - 1);
  Reopen();
  EXPECT_EQ(static_cast<int>(store_->ListUnits()->size()), ok.load());
}

TEST_F(SqliteStoreTest, DocumentsAndSessions) {
  ASSERT_TRUE(store_->PutDocument("calendar", "{\"a\":1}").ok());
  ASSERT_TRUE(store_->PutDocument("calendar", "{\"a\":2}").ok());
  EXPECT_EQ(store_->GetDocument("calendar")->value(), "{\"a\":2}");
  EXPECT_FALSE(store_->GetDocument("none")->has_value());
  ASSERT_TRUE(store_->PutSession({"d1", 3, 99}).ok());
  EXPECT_EQ(store_->GetSession("d1")->value().user_id, 3);
  ASSERT_TRUE(store_->DeleteSession("d1").ok());
  EXPECT_FALSE(store_->GetSession("d1")->has_value());
}

}  // namespace
}  // namespace hotline
