#include "service/login_guard.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "service/password.h"

namespace hotline {

double FailureBudget::TokensAt(const Bucket& b, Timestamp now) const {
  double refilled = b.tokens + static_cast<double>(std::max<Timestamp>(0, now - b.at)) /
                                   static_cast<double>(refill_);
  return std::min(static_cast<double>(burst_), refilled);
}

std::int64_t FailureBudget::RetryAfter(const std::string& key, Timestamp now) {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) return 0;
  double tokens = TokensAt(it->second, now);
  if (tokens >= 1) return 0;
  return std::max<std::int64_t>(
      1, static_cast<std::int64_t>(std::ceil((1 - tokens) * static_cast<double>(refill_))));
}

void FailureBudget::Spend(const std::string& key, Timestamp now) {
  std::lock_guard lock(mu_);
  // Bounded memory under a flood of names or addresses: drop the buckets that are full again.
  if (buckets_.size() >= 100000) {
    std::erase_if(buckets_, [&](const auto& kv) { return TokensAt(kv.second, now) >= burst_; });
  }
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{static_cast<double>(burst_), now});
  Bucket& b = it->second;
  b.tokens = std::max(0.0, TokensAt(b, now) - 1);
  b.at = now;
}

void FailureBudget::Reset(const std::string& key) {
  std::lock_guard lock(mu_);
  buckets_.erase(key);
}

VerificationSlots::VerificationSlots(int slots, int max_waiting, std::chrono::milliseconds max_wait)
    : slots_(std::max(1, slots)), max_waiting_(std::max(0, max_waiting)), max_wait_(max_wait) {}

bool VerificationSlots::Acquire() {
  std::unique_lock lock(mu_);
  if (busy_ < slots_) {
    ++busy_;
    return true;
  }
  if (waiting_ >= max_waiting_) return false;
  ++waiting_;
  bool got = cv_.wait_for(lock, max_wait_, [this] { return busy_ < slots_; });
  --waiting_;
  if (!got) return false;
  ++busy_;
  return true;
}

void VerificationSlots::Release() {
  {
    std::lock_guard lock(mu_);
    --busy_;
  }
  cv_.notify_one();
}

int VerificationSlotsFor(int configured) {
  if (configured > 0) return configured;
  int cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(cores, 1, 4);
}

LoginGuard::LoginGuard(const LoginOptions& o)
    : options_(o),
      slots_(VerificationSlotsFor(o.max_concurrent_verifications), o.max_waiting, o.max_wait),
      per_login_(o.per_login_burst, o.per_login_refill_seconds),
      per_address_(o.per_address_burst, o.per_address_refill_seconds) {}

const std::string& LoginGuard::DummyHash() {
  std::call_once(dummy_once_, [this] {
    // Never a valid password of anyone: random, and HashPassword's own salt on top.
    auto h = HashPassword(NewToken());
    dummy_ = h.ok() ? *h : std::string();
  });
  return dummy_;
}

}  // namespace hotline
