// lfmb serve's scheduler: ONE thread owns the model's SequenceBatch (which is not thread-safe)
// and runs it; HTTP threads hand jobs over through a mutex-guarded queue. Idle, the thread sleeps
// on a condition variable; busy, it admits every queued job before each step, so requests that
// arrive while others decode join them (continuous batching, as llama-server's slots).
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/model/model.h"
#include "core/server/generation_job.h"

namespace lfmb {

struct SchedulerStats {
  int64_t requests = 0;      // jobs admitted
  int64_t decode_steps = 0;  // forward steps that decoded one token for each active job
  int64_t tokens = 0;        // tokens run through the model (prompts + decoded)
  int largest_step = 0;      // the most jobs one decode step ran together
};

class Scheduler {
 public:
  // Creates the batch of `slots` sessions (an lfmb::Error when they do not fit) and starts the thread.
  Scheduler(const Model& m, int slots);
  ~Scheduler();  // stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Queues a job; an lfmb::Error once stop() was called.
  void submit(std::shared_ptr<GenerationJob> job);
  // While held the thread runs no step (queued jobs wait): lets a caller queue several requests
  // and release them together, e.g. a test that must see them share steps.
  void hold(bool on);
  // Refuses new jobs, lets every queued and running job finish, then ends the thread.
  void stop();

  size_t queued() const;
  int slots() const { return slots_; }
  SchedulerStats stats() const;

 private:
  void loop();

  const Model& m_;
  const int slots_;
  std::unique_ptr<SequenceBatch> batch_;  // the scheduler thread's only
  std::vector<std::shared_ptr<GenerationJob>> live_;  // admitted, not yet ended (thread only)
  int64_t picks_ = 0;                                 // tokens picked in the current step (thread only)

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<GenerationJob>> queue_;
  bool held_ = false;
  bool stopping_ = false;
  SchedulerStats stats_;
  std::thread thread_;
};

}  // namespace lfmb
