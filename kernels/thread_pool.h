// A small persistent thread pool for the kernels: the calling thread plus n−1 workers split a
// range of tasks (chunks of output rows). Between calls workers spin briefly (decode issues many
// small back-to-back calls) and then park on a condition variable, so an idle pool never
// starves other libraries' threads on a small machine.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lfmb {

class ThreadPool {
 public:
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return int(workers_.size()) + 1; }
  // Runs fn(i) for every i in [0, n_tasks), each exactly once, on all threads; returns when all
  // are done. Not re-entrant: fn must not call parallel_for on the same pool.
  void parallel_for(int64_t n_tasks, const std::function<void(int64_t)>& fn);

 private:
  void worker_loop();
  void run_tasks();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int64_t> next_task_{0};
  std::atomic<int> busy_workers_{0};
  int64_t n_tasks_ = 0;
  const std::function<void(int64_t)>* job_ = nullptr;
  bool stop_ = false;
};

}  // namespace lfmb
