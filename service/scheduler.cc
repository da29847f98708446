#include "service/scheduler.h"

#include <iostream>

namespace hotline {

Scheduler::Scheduler(std::unique_ptr<Lease> lease, std::chrono::milliseconds tick)
    : lease_(std::move(lease)), tick_(tick) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Add(Job job) {
  std::lock_guard lock(mu_);
  Slot s;
  s.stats.name = job.name;
  s.stats.where = job.where;
  s.job = std::move(job);
  slots_.push_back(std::move(s));
}

void Scheduler::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Scheduler::leader() const {
  std::lock_guard lock(mu_);
  return leader_;
}

std::uint64_t Scheduler::terms() const {
  std::lock_guard lock(mu_);
  return terms_;
}

std::vector<Scheduler::JobStats> Scheduler::Stats() const {
  std::lock_guard lock(mu_);
  std::vector<JobStats> out;
  for (const Slot& s : slots_) out.push_back(s.stats);
  return out;
}

void Scheduler::RunOnce() {
  std::lock_guard run(run_mu_);
  const bool lead = lease_ && lease_->Hold();
  std::vector<size_t> due;
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    if (lead && !leader_) {
      ++terms_;
      // A new leader runs the leader's jobs at once: the last one may have died before them.
      for (Slot& s : slots_)
        if (s.job.where == Where::kLeader) s.next = now;
      std::cout << "scheduler: this node leads the scheduled work" << std::endl;
    } else if (!lead && leader_) {
      std::cout << "scheduler: this node no longer leads the scheduled work" << std::endl;
    }
    leader_ = lead;
    for (size_t i = 0; i < slots_.size(); ++i)
      if ((slots_[i].job.where == Where::kEveryNode || lead) && slots_[i].next <= now)
        due.push_back(i);
  }
  for (size_t i : due) {
    std::function<Status()> run;
    {
      std::lock_guard lock(mu_);
      run = slots_[i].job.run;
    }
    const Status st = run();
    std::lock_guard lock(mu_);
    Slot& s = slots_[i];
    ++s.stats.runs;
    if (!st.ok()) {
      ++s.stats.failures;
      s.stats.last_error = st.ToString();
      std::cerr << "scheduler: " << s.job.name << ": " << s.stats.last_error << std::endl;
    } else {
      s.stats.last_error.clear();
    }
    s.next = std::chrono::steady_clock::now() + s.job.every;
  }
}

void Scheduler::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    RunOnce();
    lock.lock();
    wake_.wait_for(lock, tick_, [this] { return stopping_; });
  }
}

}  // namespace hotline
