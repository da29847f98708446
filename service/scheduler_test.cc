#include "service/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>

namespace hotline {
namespace {

// A lease whose answer the test sets (another node holding it, or not).
class FakeLease : public Lease {
 public:
  explicit FakeLease(std::atomic<bool>& free) : free_(free) {}
  bool Hold() override { return free_; }

 private:
  std::atomic<bool>& free_;
};

struct Counted {
  int runs = 0;
  Scheduler::Job Job(const std::string& name, Scheduler::Where where, Status result = {}) {
    return {name, where, std::chrono::milliseconds(0), [this, result] {
              ++runs;
              return result;
            }};
  }
};

TEST(SchedulerTest, OnlyTheLeaseHolderRunsTheLeadersJobsEveryNodeRunsItsOwn) {
  std::atomic<bool> free{false};
  Scheduler s(std::make_unique<FakeLease>(free));
  Counted leader_job, node_job;
  s.Add(leader_job.Job("expire", Scheduler::Where::kLeader));
  s.Add(node_job.Job("refresh", Scheduler::Where::kEveryNode));
  s.RunOnce();
  s.RunOnce();
  EXPECT_FALSE(s.leader());
  EXPECT_EQ(leader_job.runs, 0) << "another node holds the lease";
  EXPECT_EQ(node_job.runs, 2);
  free = true;  // the other node died: this one takes the lease at its next tick
  s.RunOnce();
  EXPECT_TRUE(s.leader());
  EXPECT_EQ(s.terms(), 1u);
  EXPECT_EQ(leader_job.runs, 1);
  free = false;  // lost (the store went away)
  s.RunOnce();
  EXPECT_FALSE(s.leader());
  EXPECT_EQ(leader_job.runs, 1);
  free = true;
  s.RunOnce();
  EXPECT_EQ(s.terms(), 2u);
  EXPECT_EQ(leader_job.runs, 2);
}

TEST(SchedulerTest, AJobRunsAgainOnlyWhenItsIntervalHasPassedExceptForANewLeader) {
  std::atomic<bool> free{true};
  Scheduler s(std::make_unique<FakeLease>(free));
  Counted slow;
  auto job = slow.Job("hourly", Scheduler::Where::kLeader);
  job.every = std::chrono::hours(1);
  s.Add(job);
  s.RunOnce();
  s.RunOnce();
  EXPECT_EQ(slow.runs, 1);
  free = false;
  s.RunOnce();
  free = true;
  s.RunOnce();  // a new term: the last leader may have died before running it
  EXPECT_EQ(slow.runs, 2);
}

TEST(SchedulerTest, FailuresAreCountedAndTheJobRunsAgain) {
  std::atomic<bool> free{true};
  Scheduler s(std::make_unique<FakeLease>(free));
  Counted failing;
  s.Add(failing.Job("broken", Scheduler::Where::kLeader,
                    Status(Code::kUnavailable, "store unreachable")));
  s.RunOnce();
  s.RunOnce();
  auto stats = s.Stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].runs, 2u);
  EXPECT_EQ(stats[0].failures, 2u);
  EXPECT_NE(stats[0].last_error.find("store unreachable"), std::string::npos);
}

TEST(SchedulerTest, StartRunsOnItsThreadAndStopWaits) {
  std::atomic<bool> free{true};
  Scheduler s(std::make_unique<FakeLease>(free), std::chrono::milliseconds(10));
  std::atomic<int> runs{0};
  s.Add({"tick", Scheduler::Where::kEveryNode, std::chrono::milliseconds(0), [&] {
           ++runs;
           return Status();
         }});
  s.Start();
  for (int i = 0; i < 500 && runs < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  s.Stop();
  const int after_stop = runs;
  EXPECT_GE(after_stop, 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(runs, after_stop) << "nothing runs after Stop";
}

}  // namespace
}  // namespace hotline
