#include "core/server/scheduler.h"

#include <algorithm>
#include <exception>

#include "core/error.h"

namespace lfmb {

Scheduler::Scheduler(const Model& m, int slots)
    : m_(m), slots_(slots), batch_(std::make_unique<SequenceBatch>(m, slots)) {
  thread_ = std::thread([this] { loop(); });
}

Scheduler::~Scheduler() { stop(); }

void Scheduler::submit(std::shared_ptr<GenerationJob> job) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (stopping_) throw Error("the server is shutting down");
    queue_.push_back(std::move(job));
  }
  cv_.notify_all();
}

void Scheduler::hold(bool on) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    held_ = on;
  }
  cv_.notify_all();
}

void Scheduler::stop() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stopping_ = true;
    held_ = false;  // a held queue would never drain
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

size_t Scheduler::queued() const {
  std::lock_guard<std::mutex> lk(mu_);
  return queue_.size();
}

SchedulerStats Scheduler::stats() const {
  std::lock_guard<std::mutex> lk(mu_);
  return stats_;
}

void Scheduler::loop() {
  int64_t tokens_done = 0;  // tokens of batches replaced after a failure
  for (;;) {
    std::deque<std::shared_ptr<GenerationJob>> incoming;
    const bool busy = batch_->active() > 0 || batch_->waiting() > 0;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [&] { return !held_ && (busy || !queue_.empty() || stopping_); });
      if (!busy && queue_.empty() && stopping_) return;
      incoming.swap(queue_);
    }
    for (std::shared_ptr<GenerationJob>& job : incoming) {
      if (job->cancelled()) {
        job->on_end(SequenceEnd::Stopped);
        continue;
      }
      GenerationJob* j = job.get();
      SequenceRequest r;
      r.prompt = j->settings().prompt;
      r.max_new = j->settings().max_new;
      r.pick = [this, j](const float* logits, int64_t n_vocab) {
        ++picks_;
        return j->pick(logits, n_vocab);
      };
      r.on_token = [j](int32_t t) { return j->on_token(t); };
      r.on_end = [this, j](SequenceEnd why) {
        j->on_end(why);
        live_.erase(std::remove_if(live_.begin(), live_.end(), [j](const auto& p) { return p.get() == j; }), live_.end());
      };
      try {
        live_.push_back(job);
        batch_->add(std::move(r));
      } catch (const std::exception& e) {
        live_.pop_back();
        job->fail(e.what());
        continue;
      }
      std::lock_guard<std::mutex> lk(mu_);
      ++stats_.requests;
    }
    // One pick per request joining (its first token) and one per row of the decode step: what
    // the step decoded together is the picks less the joins.
    picks_ = 0;
    const size_t waiting_before = batch_->waiting();
    try {
      batch_->step();
    } catch (const std::exception& e) {
      // The batch's state is unknown after a failed step: every job in it ends with the error
      // and a fresh batch takes over.
      for (const auto& job : live_) job->fail(std::string("generation failed: ") + e.what());
      live_.clear();
      tokens_done += batch_->tokens_processed();
      batch_.reset();
      batch_ = std::make_unique<SequenceBatch>(m_, slots_);
      continue;
    }
    const int64_t decoded = picks_ - int64_t(waiting_before - batch_->waiting());
    std::lock_guard<std::mutex> lk(mu_);
    if (decoded > 0) {
      ++stats_.decode_steps;
      stats_.largest_step = std::max(stats_.largest_step, int(decoded));
    }
    stats_.tokens = tokens_done + batch_->tokens_processed();
  }
}

}  // namespace lfmb
