// Time for the whole engine comes from a Clock so that deadlines and lights
// can be tested by moving a fake clock instead of sleeping.
// Thread-safety: implementations are safe to call from any thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace hotline {

// Seconds since the Unix epoch, UTC. Local (Beijing) time is derived by the
// calendar, never stored.
using Timestamp = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start) : now_(start) {}
  Timestamp Now() const override { return now_.load(); }
  void Set(Timestamp t) { now_.store(t); }
  void Advance(std::int64_t seconds) { now_.fetch_add(seconds); }

 private:
  std::atomic<Timestamp> now_;
};

}  // namespace hotline
