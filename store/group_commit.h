// The two connection disciplines both store backends share: one writer thread
// that commits every waiting write in one transaction (group commit), and a
// pool of read connections.
//
// GroupCommit<Conn>: Submit() queues a write and blocks until the group that
// contains it has committed (or failed); the backend's RunGroup decides how a
// group becomes a transaction (BEGIN, a SAVEPOINT per write, COMMIT) and fills
// one Status per write. Writes are run in arrival order on the writer thread,
// at most `max_group` per transaction.
// Thread-safety: Submit() may be called from any thread; Start() and Stop()
// from the owner only. Stop() refuses new writes, finishes the queued ones and
// joins the thread; call it before destroying the writer connection.
//
// ConnPool<Conn>: With(fn) borrows a connection, waiting while all are in use.
// Thread-safety: any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "domain/result.h"
#include "store/store.h"  // WriteStats

namespace hotline {

template <typename Conn>
class GroupCommit {
 public:
  using Op = std::function<Status(Conn&)>;
  // Runs one group as one transaction: results[i] is the outcome of *ops[i].
  using RunGroup =
      std::function<void(Conn& conn, const std::vector<Op*>& ops, std::vector<Status>& results)>;

  GroupCommit() = default;
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;
  ~GroupCommit() { Stop(); }

  // REQUIRES: `conn` outlives Stop(); max_group >= 1.
  void Start(Conn& conn, int max_group, RunGroup run) {
    conn_ = &conn;
    max_group_ = max_group < 1 ? 1 : max_group;
    run_ = std::move(run);
    writer_ = std::thread([this] { Loop(); });
  }

  // Runs `fn` inside the next group and returns its outcome once the group is
  // durable (or has failed). kUnavailable after Stop().
  Status Submit(Op fn) {
    Pending p{std::move(fn), {}};
    auto done = p.done.get_future();
    {
      std::lock_guard lock(mu_);
      if (stopping_) return Status(Code::kUnavailable, "store is closing");
      queue_.push_back(&p);
    }
    cv_.notify_one();
    return done.get();
  }

  WriteStats Stats() const {
    WriteStats s;
    s.groups = groups_.load(std::memory_order_relaxed);
    s.writes = writes_.load(std::memory_order_relaxed);
    s.failed_writes = failed_.load(std::memory_order_relaxed);
    std::lock_guard lock(mu_);
    s.queued = queue_.size();
    return s;
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (writer_.joinable()) writer_.join();
  }

 private:
  struct Pending {
    Op fn;
    std::promise<Status> done;
  };

  void Loop() {
    std::vector<Pending*> batch;
    std::vector<Op*> ops;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty() && stopping_) return;
        while (!queue_.empty() && static_cast<int>(batch.size()) < max_group_) {
          batch.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      for (Pending* p : batch) ops.push_back(&p->fn);
      std::vector<Status> results(batch.size());
      run_(*conn_, ops, results);
      groups_.fetch_add(1, std::memory_order_relaxed);
      writes_.fetch_add(batch.size(), std::memory_order_relaxed);
      for (const Status& r : results)
        if (!r.ok()) failed_.fetch_add(1, std::memory_order_relaxed);
      for (size_t i = 0; i < batch.size(); ++i) batch[i]->done.set_value(results[i]);
      batch.clear();
      ops.clear();
    }
  }

  Conn* conn_ = nullptr;
  int max_group_ = 1;
  RunGroup run_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> groups_{0}, writes_{0}, failed_{0};
  std::thread writer_;
};

template <typename Conn>
class ConnPool {
 public:
  void Add(std::unique_ptr<Conn> conn) {
    {
      std::lock_guard lock(mu_);
      idle_.push_back(std::move(conn));
    }
    cv_.notify_one();
  }

  // Runs `fn(Conn&)` on a borrowed connection and returns its Status.
  template <typename Fn>
  Status With(Fn&& fn) {
    std::unique_ptr<Conn> c;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return !idle_.empty(); });
      c = std::move(idle_.back());
      idle_.pop_back();
    }
    Status st = fn(*c);
    Add(std::move(c));
    return st;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;
};

}  // namespace hotline
