// Login throttling (docs/access.md "Login"): a bounded number of password verifications at a
// time, with a bounded queue in front of them, and rate limits on failed logins per login name
// and per client address. The account lockout itself lives in the store (it must survive a
// restart and be shared by several nodes); this is the in-memory, per-process part.
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "domain/clock.h"

namespace hotline {

struct LoginOptions {
  // Password verifications running at once; each argon2id verification holds 64 MiB and a core
  // for ~0.1 s. Default: 0 = the number of cores, at most 4.
  int max_concurrent_verifications = 0;
  // Logins waiting for a verification slot; a login beyond them is refused at once (503)
  // without hashing. Keep it well below ServerOptions::worker_threads: a waiting login holds
  // a worker thread. Default: 8.
  int max_waiting = 8;
  // A waiting login gives up (503) after this long. Default: 5 s.
  std::chrono::milliseconds max_wait{5000};
  // Consecutive failed logins (since the last success or unlock) that lock an account, and for
  // how long. Default: 10 failures, 900 s (15 minutes).
  int lock_after_failures = 10;
  std::int64_t lock_seconds = 900;
  // Failed logins allowed per login name (known or not), as a token bucket: `burst` at once,
  // then one more every `refill_seconds`. Default: 10, then one per 60 s.
  int per_login_burst = 10;
  std::int64_t per_login_refill_seconds = 60;
  // The same per client address (the TCP peer; behind a reverse proxy that is the proxy).
  // Default: 30, then one per 10 s.
  int per_address_burst = 30;
  std::int64_t per_address_refill_seconds = 10;
};

// Failed-login budgets keyed by a string (a login name or an address). Time comes from the
// injected clock, in whole seconds.
class FailureBudget {
 public:
  FailureBudget(int burst, std::int64_t refill_seconds)
      : burst_(burst < 1 ? 1 : burst), refill_(refill_seconds < 1 ? 1 : refill_seconds) {}
  // 0 when `key` may try again now; otherwise the seconds until it may.
  std::int64_t RetryAfter(const std::string& key, Timestamp now);
  // Spends one failure of `key`'s budget.
  void Spend(const std::string& key, Timestamp now);
  // Forgets `key` (a successful login, an admin's unlock): its full budget is back.
  void Reset(const std::string& key);

 private:
  struct Bucket {
    double tokens = 0;
    Timestamp at = 0;
  };
  double TokensAt(const Bucket& b, Timestamp now) const;

  const int burst_;
  const std::int64_t refill_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // only keys with a spent budget
};

// A fixed number of slots with a bounded queue.
class VerificationSlots {
 public:
  VerificationSlots(int slots, int max_waiting, std::chrono::milliseconds max_wait);
  // Takes a slot, waiting in the queue if all are busy. False (busy) when the queue is full or
  // the wait ran out; the caller must not verify then.
  bool Acquire();
  // REQUIRES: a slot taken by Acquire().
  void Release();
  int slots() const { return slots_; }

 private:
  const int slots_, max_waiting_;
  const std::chrono::milliseconds max_wait_;
  std::mutex mu_;
  std::condition_variable cv_;
  int busy_ = 0, waiting_ = 0;
};

// The number of verification slots for `configured` (LoginOptions::max_concurrent_verifications).
int VerificationSlotsFor(int configured);

// The throttling state of one service: the options, the slots and the two budgets.
class LoginGuard {
 public:
  explicit LoginGuard(const LoginOptions& o);
  const LoginOptions& options() const { return options_; }
  VerificationSlots& slots() { return slots_; }
  FailureBudget& per_login() { return per_login_; }
  FailureBudget& per_address() { return per_address_; }
  // The hash of a random password, made by HashPassword (the same argon2id cost as real
  // hashes) on first use: verified instead of a real hash for unknown, disabled and locked
  // accounts, so that their answer takes as long as a wrong password's.
  const std::string& DummyHash();

 private:
  const LoginOptions options_;
  VerificationSlots slots_;
  FailureBudget per_login_, per_address_;
  std::once_flag dummy_once_;
  std::string dummy_;
};

}  // namespace hotline
