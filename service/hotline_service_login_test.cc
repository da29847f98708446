// Login abuse (issue 12, items 3, 4 and 6): the verification pool, rate limits, lockout with its
// audit event and the admin's unlock, the dummy hash for unknown logins, and sessions revoked
// by a password change or a disable. Verifications are counted through an injected verifier:
// the code path is checked, never the time.
#include <future>
#include <mutex>
#include <thread>

#include "service/password.h"
#include "service/service_test_fixture.h"

namespace hotline {
namespace {

using testing::SmallCity;

class LoginTest : public SmallCity {
 protected:
  // Reopens the service with `lo` and a verifier that records the hashes it was given.
  void Reopen(LoginOptions lo) {
    options_.login = lo;
    options_.verify_password = [this](std::string_view encoded, std::string_view password) {
      {
        std::lock_guard lock(mu_);
        verified_.emplace_back(encoded);
      }
      return VerifyPassword(encoded, password);
    };
    Restart();
    Clear();
  }
  static LoginOptions Generous() {
    LoginOptions lo;
    lo.per_login_burst = 1000;
    lo.per_address_burst = 1000;
    return lo;
  }
  void Clear() {
    std::lock_guard lock(mu_);
    verified_.clear();
  }
  std::vector<std::string> Verified() {
    std::lock_guard lock(mu_);
    return verified_;
  }
  std::string Hash(const std::string& login) {
    auto users = store_->ListUsers();
    EXPECT_TRUE(users.ok());
    if (users.ok())
      for (const User& u : *users)
        if (u.login == login) return u.password_hash;
    return {};
  }
  User UserNamed(const std::string& login) {
    for (const User& u : svc_->Users())
      if (u.login == login) return u;
    ADD_FAILURE() << "no user " << login;
    return {};
  }
  std::vector<AuditEntry> AuditOf(const std::string& action) {
    std::vector<AuditEntry> out;
    auto all = svc_->Audit(admin_, std::nullopt, 1000);
    EXPECT_TRUE(all.ok()) << all.status().ToString();
    if (all.ok())
      for (const AuditEntry& e : *all)
        if (e.action == action) out.push_back(e);
    return out;
  }

  std::mutex mu_;
  std::vector<std::string> verified_;
};

TEST_F(LoginTest, UnknownDisabledAndLockedLoginsStillVerifyAgainstADummyHashOfTheSameCost) {
  Reopen(Generous());
  auto r = svc_->Login("nobody", "pw12", "10.0.0.1");
  EXPECT_EQ(r.status().code(), Code::kUnauthenticated);
  std::vector<std::string> v = Verified();
  ASSERT_EQ(v.size(), 1u) << "an unknown login must cost one verification";
  const std::string dummy = v[0];
  EXPECT_EQ(dummy.rfind("$argon2id$", 0), 0u) << dummy;
  // Same algorithm and parameters as a real hash: the text up to the salt matches.
  const std::string real = Hash("s1");
  auto params = [](const std::string& h) { return h.substr(0, h.find('$', h.find("$m=") + 1)); };
  EXPECT_EQ(params(dummy), params(real));
  EXPECT_NE(dummy, real);
  const std::string unknown_message = r.status().message();

  // A wrong password for a known login: its own hash, the same answer.
  Clear();
  r = svc_->Login("s1", "wrong", "10.0.0.1");
  EXPECT_EQ(r.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(r.status().message(), unknown_message);
  EXPECT_EQ(Verified(), std::vector<std::string>{real});

  // A disabled user, even with the right password: the dummy, the same answer.
  ASSERT_TRUE(
      svc_->UpdateUser(admin_, s1_.user_id, std::nullopt, std::nullopt, false, std::nullopt).ok());
  Clear();
  r = svc_->Login("s1", "pw12", "10.0.0.1");
  EXPECT_EQ(r.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(r.status().message(), unknown_message);
  EXPECT_EQ(Verified(), std::vector<std::string>{dummy});
}

TEST_F(LoginTest, FailuresLockTheAccountWithAnAuditEventUntilItExpiresOrAnAdminUnlocks) {
  LoginOptions lo = Generous();
  lo.lock_after_failures = 3;
  lo.lock_seconds = 900;
  Reopen(lo);
  const std::string unknown = svc_->Login("nobody", "x", "10.0.0.2").status().message();
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(svc_->Login("s2", "wrong", "10.0.0.2").status().code(), Code::kUnauthenticated);
  auto locked = AuditOf("login_locked");
  ASSERT_EQ(locked.size(), 1u);
  EXPECT_EQ(locked[0].user_id, s2_.user_id);
  EXPECT_NE(locked[0].detail.find("连续3次登录失败"), std::string::npos) << locked[0].detail;
  EXPECT_NE(locked[0].detail.find("10.0.0.2"), std::string::npos) << locked[0].detail;
  User u = UserNamed("s2");
  EXPECT_EQ(u.failed_logins, 3);
  ASSERT_TRUE(u.locked_until.has_value());
  EXPECT_EQ(*u.locked_until, clock_.Now() + 900);

  // Locked: the right password is refused like an unknown login, and not even checked.
  Clear();
  auto r = svc_->Login("s2", "pw12", "10.0.0.3");
  EXPECT_EQ(r.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(r.status().message(), unknown);
  ASSERT_EQ(Verified().size(), 1u);
  EXPECT_NE(Verified()[0], Hash("s2"));
  EXPECT_EQ(UserNamed("s2").failed_logins, 3);  // attempts while locked do not count

  // The lock is in the store: it survives a restart.
  Restart();
  EXPECT_EQ(svc_->Login("s2", "pw12", "10.0.0.3").status().code(), Code::kUnauthenticated);
  EXPECT_TRUE(UserNamed("s2").locked_until.has_value());

  // Only an admin unlocks; then the right password works again.
  EXPECT_EQ(svc_->UnlockUser(s1_, s2_.user_id).status().code(), Code::kForbidden);
  EXPECT_EQ(svc_->UnlockUser(admin_, 9999).status().code(), Code::kNotFound);
  auto un = svc_->UnlockUser(admin_, s2_.user_id);
  ASSERT_TRUE(un.ok()) << un.status().ToString();
  EXPECT_EQ(un->failed_logins, 0);
  EXPECT_FALSE(un->locked_until.has_value());
  auto audit = AuditOf("unlock_user");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].user_id, admin_.user_id);
  EXPECT_NE(audit[0].detail.find("s2"), std::string::npos);
  EXPECT_TRUE(svc_->Login("s2", "pw12", "10.0.0.3").ok());
  EXPECT_EQ(UserNamed("s2").failed_logins, 0);
  EXPECT_FALSE(UserNamed("s2").locked_until.has_value());

  // Locked again; this time the lock runs out by itself.
  for (int i = 0; i < 3; ++i) (void)svc_->Login("s2", "wrong", "10.0.0.2");
  EXPECT_EQ(svc_->Login("s2", "pw12", "10.0.0.3").status().code(), Code::kUnauthenticated);
  clock_.Advance(901);
  EXPECT_FALSE(UserNamed("s2").locked_until.has_value());
  EXPECT_TRUE(svc_->Login("s2", "pw12", "10.0.0.3").ok());
  // A success in between resets the count: failures must be consecutive.
  (void)svc_->Login("s2", "wrong", "10.0.0.2");
  (void)svc_->Login("s2", "wrong", "10.0.0.2");
  EXPECT_TRUE(svc_->Login("s2", "pw12", "10.0.0.3").ok());
  (void)svc_->Login("s2", "wrong", "10.0.0.2");
  EXPECT_TRUE(svc_->Login("s2", "pw12", "10.0.0.3").ok());
  EXPECT_EQ(AuditOf("login_locked").size(), 2u);
}

TEST_F(LoginTest, RateLimitsPerLoginAndPerAddressRefuseWithoutHashing) {
  LoginOptions lo;
  lo.lock_after_failures = 1000;
  lo.per_login_burst = 3;
  lo.per_login_refill_seconds = 60;
  lo.per_address_burst = 5;
  lo.per_address_refill_seconds = 10;
  Reopen(lo);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(svc_->Login("d1", "wrong", "10.0.0.4").status().code(), Code::kUnauthenticated);
  Clear();
  LoginRefusal refusal;
  auto r = svc_->Login("d1", "pw12", "10.0.0.5", &refusal);
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_EQ(refusal.kind, LoginRefusal::Kind::kRateLimited);
  EXPECT_EQ(refusal.retry_after_seconds, 60);
  EXPECT_TRUE(Verified().empty()) << "a refused attempt must not hash";
  // An unknown login is limited the same way (nothing tells it apart).
  for (int i = 0; i < 3; ++i) (void)svc_->Login("ghost", "x", "10.0.0.6");
  refusal = {};
  EXPECT_EQ(svc_->Login("ghost", "x", "10.0.0.7", &refusal).status().code(), Code::kUnavailable);
  EXPECT_EQ(refusal.kind, LoginRefusal::Kind::kRateLimited);

  // Per address: 10.0.0.4 has spent 3 of 5; two more failures on other logins use it up.
  (void)svc_->Login("d2", "wrong", "10.0.0.4");
  (void)svc_->Login("g1", "wrong", "10.0.0.4");
  refusal = {};
  EXPECT_EQ(svc_->Login("agent", "pw12", "10.0.0.4", &refusal).status().code(), Code::kUnavailable);
  EXPECT_EQ(refusal.kind, LoginRefusal::Kind::kRateLimited);
  EXPECT_EQ(refusal.retry_after_seconds, 10);
  // Another address is not affected; time refills the budget.
  EXPECT_TRUE(svc_->Login("agent", "pw12", "10.0.0.8").ok());
  clock_.Advance(10);
  EXPECT_TRUE(svc_->Login("agent", "pw12", "10.0.0.4").ok());
  clock_.Advance(60);
  EXPECT_TRUE(svc_->Login("d1", "pw12", "10.0.0.9").ok());
}

TEST_F(LoginTest, BusyWhenEverySlotAndQueuePlaceIsTaken) {
  LoginOptions lo = Generous();
  lo.max_concurrent_verifications = 1;
  lo.max_waiting = 0;
  options_.login = lo;
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> calls{0};
  std::atomic<bool> armed{false};
  options_.verify_password = [&](std::string_view encoded, std::string_view password) {
    if (armed.exchange(false)) {
      ++calls;
      entered.set_value();
      released.wait();  // holds the only slot
    } else if (calls > 0) {
      ++calls;
    }
    return VerifyPassword(encoded, password);
  };
  Restart();
  armed = true;
  auto first = std::async(std::launch::async, [&] { return svc_->Login("s1", "pw12", "a"); });
  entered.get_future().wait();
  LoginRefusal refusal;
  auto busy = svc_->Login("s2", "pw12", "b", &refusal);
  EXPECT_EQ(busy.status().code(), Code::kUnavailable);
  EXPECT_EQ(refusal.kind, LoginRefusal::Kind::kBusy);
  EXPECT_GT(refusal.retry_after_seconds, 0);
  EXPECT_EQ(calls.load(), 1) << "a login refused as busy must not hash";
  release.set_value();
  EXPECT_TRUE(first.get().ok());
  EXPECT_TRUE(svc_->Login("s2", "pw12", "b").ok());
}

TEST_F(LoginTest, PasswordChangeAndDisableRevokeEveryTokenAndEnableDoesNotReviveThem) {
  auto t1 = svc_->Login("s1", "pw12");
  auto t2 = svc_->Login("s1", "pw12");
  auto other = svc_->Login("s2", "pw12");
  ASSERT_TRUE(t1.ok() && t2.ok() && other.ok());
  ASSERT_TRUE(svc_->Authenticate(t1->token).ok());
  ASSERT_TRUE(svc_->UpdateUser(admin_, s1_.user_id, std::nullopt, std::nullopt, std::nullopt,
                               std::string("new-pass-1"))
                  .ok());
  EXPECT_EQ(svc_->Authenticate(t1->token).status().code(), Code::kUnauthenticated);
  EXPECT_EQ(svc_->Authenticate(t2->token).status().code(), Code::kUnauthenticated);
  EXPECT_TRUE(svc_->Authenticate(other->token).ok()) << "other users keep their sessions";

  // Self-service change: the user's own tokens go too.
  auto t3 = svc_->Login("s1", "new-pass-1");
  ASSERT_TRUE(t3.ok());
  Actor me = *svc_->Authenticate(t3->token);
  ASSERT_TRUE(
      svc_->UpdateUser(me, me.user_id, std::nullopt, std::nullopt, std::nullopt, "new-pass-2")
          .ok());
  EXPECT_EQ(svc_->Authenticate(t3->token).status().code(), Code::kUnauthenticated);

  // Disable, then enable: the token from before stays dead.
  auto t4 = svc_->Login("s1", "new-pass-2");
  ASSERT_TRUE(t4.ok());
  ASSERT_TRUE(
      svc_->UpdateUser(admin_, s1_.user_id, std::nullopt, std::nullopt, false, std::nullopt).ok());
  EXPECT_EQ(svc_->Authenticate(t4->token).status().code(), Code::kUnauthenticated);
  ASSERT_TRUE(
      svc_->UpdateUser(admin_, s1_.user_id, std::nullopt, std::nullopt, true, std::nullopt).ok());
  EXPECT_EQ(svc_->Authenticate(t4->token).status().code(), Code::kUnauthenticated);
  EXPECT_TRUE(svc_->Login("s1", "new-pass-2").ok());
}

}  // namespace
}  // namespace hotline
