// Login abuse over real HTTP (issue 12, items 3 and 6): a flood of logins gets 503 beyond the
// verification queue while /health answers, rate limits answer 429 with Retry-After, a locked
// account shows in GET /users and only an admin unlocks it, a password change ends sessions.
// Assertions are on status codes and bodies, never on times.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include "api/http_client.h"
#include "api/http_server.h"
#include "api/json_codec.h"
#include "api/routes.h"
#include "service/bootstrap.h"
#include "service/password.h"
#include "store/sqlite/sqlite_store.h"

namespace hotline::api {
namespace {

using namespace std::chrono_literals;

class LoginApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    UseMinimalHashCostForTesting();
    dir_ = std::filesystem::temp_directory_path() /
           ("routes_login_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = OpenSqliteStore((dir_ / "hotline.db").string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    BootstrapOptions boot;
    boot.admin_password = "admin-pass";
    ASSERT_TRUE(Bootstrap(*store_, boot).ok());
  }
  // Opens the service with `options` and serves it on a free port.
  void Serve(ServiceOptions options) {
    auto svc = HotlineService::Open(*store_, clock_,
                                    HOTLINE_SOURCE_DATA_DIR "/calendar/cn_holidays.json", options);
    ASSERT_TRUE(svc.ok()) << svc.status().ToString();
    service_ = std::move(*svc);
    RegisterRoutes(router_, *service_);
    ServerOptions so;
    so.port = 0;
    server_ = std::make_unique<HttpServer>(so, router_.AsHandler());
    ASSERT_TRUE(server_->Start().ok());
    admin_ = Login("admin", "admin-pass").body.value("token", "");
    ASSERT_FALSE(admin_.empty());
    auto admin = service_->Authenticate(admin_);
    ASSERT_TRUE(admin.ok());
    std::vector<ImportError> errors;
    ASSERT_TRUE(service_
                    ->ImportUsers(*admin,
                                  "login,display_name,role,unit_code,password,phone\n"
                                  "agent1,话务员甲,agent,CENTER,pass-agent,\n"
                                  "agent2,话务员乙,agent,CENTER,pass-agent2,\n",
                                  &errors)
                    .ok());
  }
  void TearDown() override {
    if (server_) server_->Stop();
    server_.reset();
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  struct Reply {
    int status = 0;
    Json body;
    std::string retry_after;
  };
  Reply Send(const std::string& method, const std::string& target, const std::string& token = {},
             const Json& body = nullptr) {
    HttpClient c("127.0.0.1", server_->port(), 60s);
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    if (!body.is_null()) headers.emplace_back("Content-Type", "application/json");
    auto r = c.Send(method, target, headers, body.is_null() ? std::string() : body.dump());
    Reply out;
    if (!r.ok()) {
      ADD_FAILURE() << method << " " << target << ": " << r.status().ToString();
      return out;
    }
    out.status = r->status;
    out.body = Json::parse(r->body, nullptr, false);
    out.retry_after = r->Header("retry-after");
    return out;
  }
  Reply Login(const std::string& login, const std::string& password) {
    return Send("POST", "/api/v1/auth/login", "", Json{{"login", login}, {"password", password}});
  }
  Json UserNamed(const std::string& login) {
    Reply r = Send("GET", "/api/v1/users", admin_);
    EXPECT_EQ(r.status, 200);
    for (const Json& u : r.body["items"])
      if (u["login"] == login) return u;
    ADD_FAILURE() << "no user " << login;
    return Json();
  }
  std::vector<std::string> AuditActions() {
    std::vector<std::string> out;
    Reply r = Send("GET", "/api/v1/audit", admin_);
    EXPECT_EQ(r.status, 200);
    for (const Json& e : r.body["items"]) out.push_back(e["action"]);
    return out;
  }

  FakeClock clock_{1793581200};
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<HotlineService> service_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
  std::string admin_;
};

TEST_F(LoginApiTest, AFloodOfLoginsGets503BeyondTheQueueWhileHealthAnswers) {
  ServiceOptions o;
  o.login.max_concurrent_verifications = 1;
  o.login.max_waiting = 2;
  o.login.max_wait = 120s;
  o.login.per_login_burst = 1000;
  o.login.per_address_burst = 1000;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> armed{false};
  std::atomic<int> verifying{0};
  o.verify_password = [&](std::string_view encoded, std::string_view password) {
    if (armed) {
      ++verifying;
      released.wait();  // every verification holds its slot until the test lets go
    }
    return VerifyPassword(encoded, password);
  };
  Serve(o);
  armed = true;

  constexpr int kLogins = 12;
  std::atomic<int> done{0};
  std::vector<std::future<Reply>> replies;
  for (int i = 0; i < kLogins; ++i)
    replies.push_back(std::async(std::launch::async, [&, i] {
      Reply r = Login(i % 2 ? "agent1" : "nobody", "wrong-" + std::to_string(i));
      ++done;
      return r;
    }));
  // One verifies, two wait; the other nine are refused without hashing, at once.
  while (done.load() < kLogins - 3) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(verifying.load(), 1);
  Reply health = Send("GET", "/api/v1/health");
  EXPECT_EQ(health.status, 200) << "the server must stay responsive while logins queue";
  release.set_value();
  int busy = 0, unauthenticated = 0;
  for (auto& f : replies) {
    Reply r = f.get();
    if (r.status == 503) {
      ++busy;
      EXPECT_EQ(r.body["error"]["code"], "unavailable");
      EXPECT_EQ(r.body["error"]["field"], "login");
      EXPECT_FALSE(r.retry_after.empty());
    } else {
      EXPECT_EQ(r.status, 401) << r.body.dump();
      ++unauthenticated;
    }
  }
  EXPECT_EQ(busy, kLogins - 3);
  EXPECT_EQ(unauthenticated, 3);
  EXPECT_EQ(verifying.load(), 3);
}

TEST_F(LoginApiTest, RepeatedFailuresGet429WithRetryAfter) {
  ServiceOptions o;
  o.login.per_login_burst = 2;
  o.login.per_login_refill_seconds = 60;
  Serve(o);
  EXPECT_EQ(Login("agent1", "wrong").status, 401);
  EXPECT_EQ(Login("agent1", "wrong").status, 401);
  Reply r = Login("agent1", "pass-agent");
  EXPECT_EQ(r.status, 429) << r.body.dump();
  EXPECT_EQ(r.retry_after, "60");
  EXPECT_EQ(r.body["error"]["code"], "unavailable");
  EXPECT_EQ(r.body["error"]["field"], "login");
  clock_.Advance(60);
  EXPECT_EQ(Login("agent1", "pass-agent").status, 200);
}

TEST_F(LoginApiTest, LockedAccountShowsInUsersAndOnlyAnAdminUnlocksIt) {
  ServiceOptions o;
  o.login.lock_after_failures = 3;
  o.login.lock_seconds = 900;
  Serve(o);
  Reply unknown = Login("nobody", "wrong");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Login("agent1", "wrong").status, 401);
  Reply locked = Login("agent1", "pass-agent");
  EXPECT_EQ(locked.status, 401);
  EXPECT_EQ(locked.body, unknown.body) << "a locked account answers like an unknown login";
  Json u = UserNamed("agent1");
  EXPECT_EQ(u["failed_logins"], 3);
  EXPECT_EQ(u["locked_until"], FormatTime(clock_.Now() + 900));
  EXPECT_EQ(UserNamed("agent2")["locked_until"], nullptr);
  EXPECT_EQ(UserNamed("agent2")["failed_logins"], 0);
  const std::string id = std::to_string(u["id"].get<Id>());

  std::string agent2 = Login("agent2", "pass-agent2").body.value("token", "");
  ASSERT_FALSE(agent2.empty());
  Reply r = Send("POST", "/api/v1/users/" + id + "/unlock", agent2);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Send("POST", "/api/v1/users/" + id + "/unlock").status, 401);
  EXPECT_EQ(Send("POST", "/api/v1/users/99999/unlock", admin_).status, 404);
  r = Send("POST", "/api/v1/users/" + id + "/unlock", admin_);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["locked_until"], nullptr);
  EXPECT_EQ(r.body["failed_logins"], 0);
  EXPECT_EQ(Login("agent1", "pass-agent").status, 200);
  std::vector<std::string> actions = AuditActions();
  EXPECT_NE(std::find(actions.begin(), actions.end(), "login_locked"), actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "unlock_user"), actions.end());
}

TEST_F(LoginApiTest, PasswordChangeAndDisableEndSessions) {
  Serve(ServiceOptions{});
  std::string token = Login("agent1", "pass-agent").body.value("token", "");
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(Send("GET", "/api/v1/me", token).status, 200);
  Json me = Send("GET", "/api/v1/me", token).body;
  const std::string id = std::to_string(me["id"].get<Id>());
  // An admin sets a new password: the user's token ends.
  Reply r = Send("PATCH", "/api/v1/users/" + id, admin_, Json{{"password", "pass-agent-new"}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(Send("GET", "/api/v1/me", token).status, 401);
  token = Login("agent1", "pass-agent-new").body.value("token", "");
  ASSERT_FALSE(token.empty());
  ASSERT_EQ(Send("PATCH", "/api/v1/users/" + id, admin_, Json{{"active", false}}).status, 200);
  EXPECT_EQ(Send("GET", "/api/v1/me", token).status, 401);
  ASSERT_EQ(Send("PATCH", "/api/v1/users/" + id, admin_, Json{{"active", true}}).status, 200);
  EXPECT_EQ(Send("GET", "/api/v1/me", token).status, 401) << "enabling must not revive tokens";
  EXPECT_EQ(Login("agent1", "pass-agent-new").status, 200);
}

}  // namespace
}  // namespace hotline::api
