// Work on a timer (docs/deploy.md "Scheduled work"). A job runs either in every process (each
// node following what the others wrote, e.g. the knowledge base) or only in the leader: the
// process holding the store's lease (store/store.h Lease), so that with several nodes on one
// store it runs once, not once per node. The lease is checked every tick; when its holder dies
// or loses the store, another node takes it at its next tick and runs the leader's jobs.
// Jobs must be idempotent: a leader that dies mid-job leaves the rest to the next one.
// Thread-safety: Add before Start; the rest may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "domain/result.h"
#include "store/store.h"

namespace hotline {

class Scheduler {
 public:
  enum class Where { kEveryNode, kLeader };
  struct Job {
    std::string name;
    Where where = Where::kLeader;
    std::chrono::milliseconds every{60000};
    std::function<Status()> run;
  };
  struct JobStats {
    std::string name;
    Where where = Where::kLeader;
    std::uint64_t runs = 0, failures = 0;
    std::string last_error;  // "" after a success
  };

  // `tick`: how often the lease is checked and due jobs run (default 1 s).
  explicit Scheduler(std::unique_ptr<Lease> lease,
                     std::chrono::milliseconds tick = std::chrono::milliseconds(1000));
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void Add(Job job);
  void Start();
  // Waits for a running job to finish. Idempotent.
  void Stop();

  bool leader() const;
  // Times this process became the leader.
  std::uint64_t terms() const;
  std::vector<JobStats> Stats() const;
  // One tick now, on the caller's thread (tests; Start's thread does the same).
  void RunOnce();

 private:
  struct Slot {
    Job job;
    JobStats stats;
    std::chrono::steady_clock::time_point next{};
  };
  void Loop();

  std::unique_ptr<Lease> lease_;
  const std::chrono::milliseconds tick_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Slot> slots_;
  bool leader_ = false, stopping_ = false;
  std::uint64_t terms_ = 0;
  std::mutex run_mu_;  // one tick at a time
  std::thread thread_;
};

}  // namespace hotline
