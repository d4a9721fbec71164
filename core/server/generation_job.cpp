#include "core/server/generation_job.h"

#include <algorithm>

#include "core/model/generate.h"

namespace lfmb {

GenerationJob::GenerationJob(const Tokenizer& tok, JobSettings s)
    : s_(std::move(s)), tok_(tok), sampler_(s_.sampling), dec_(tok_, /*special=*/false) {
  for (const std::string& st : s_.stop) longest_stop_ = std::max(longest_stop_, st.size());
}

int32_t GenerationJob::pick(const float* logits, int64_t n_vocab) {
  if (s_.sampling.temperature <= 0) return argmax_token(logits, n_vocab);
  return sampler_.sample(logits, size_t(n_vocab));
}

bool GenerationJob::on_token(int32_t token) {
  if (cancelled_) {
    std::lock_guard<std::mutex> lk(mu_);
    finish_reason_ = "stop";
    return false;
  }
  if (std::find(s_.stop_ids.begin(), s_.stop_ids.end(), token) != s_.stop_ids.end()) {
    std::lock_guard<std::mutex> lk(mu_);
    finish_reason_ = "stop";
    return false;
  }
  const std::string piece = dec_.push(token);
  std::lock_guard<std::mutex> lk(mu_);
  ++completion_tokens_;
  const size_t before = text_.size();
  text_ += piece;
  // A stop string that ends in the new piece starts at most longest_stop_ - 1 bytes before it.
  const size_t from = before >= longest_stop_ ? before - longest_stop_ + 1 : 0;
  size_t cut = std::string::npos;
  for (const std::string& st : s_.stop) cut = std::min(cut, text_.find(st, from));
  if (cut != std::string::npos) {
    text_.resize(cut);
    cut_at_stop_string_ = true;
    safe_ = std::max(handed_, text_.size());
    finish_reason_ = "stop";
    cv_.notify_all();
    return false;
  }
  // Hold back what a stop string could still begin with, then back to a character boundary.
  const size_t hold = longest_stop_ > 0 ? longest_stop_ - 1 : 0;
  size_t safe = text_.size() > hold ? text_.size() - hold : 0;
  while (safe > safe_ && safe < text_.size() && (static_cast<unsigned char>(text_[safe]) & 0xC0) == 0x80) --safe;
  if (safe > safe_) {
    safe_ = safe;
    cv_.notify_all();
  }
  return true;
}

void GenerationJob::on_end(SequenceEnd why) {
  // Text cut at a stop string ends there; otherwise an incomplete character at the very end is
  // kept as is (as eval does).
  const std::string rest = cut_at_stop_string_ ? std::string() : dec_.flush();
  std::lock_guard<std::mutex> lk(mu_);
  if (ended_) return;
  if (finish_reason_.empty()) finish_reason_ = why == SequenceEnd::Stopped ? "stop" : "length";
  text_ += rest;
  safe_ = text_.size();
  ended_ = true;
  cv_.notify_all();
}

void GenerationJob::fail(const std::string& message) {
  std::lock_guard<std::mutex> lk(mu_);
  if (ended_) return;
  error_ = message;
  finish_reason_ = "stop";
  ended_ = true;
  cv_.notify_all();
}

GenerationJob::Progress GenerationJob::wait(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait_for(lk, timeout, [&] { return ended_ || safe_ > handed_; });
  Progress p;
  if (safe_ > handed_) {
    p.text = text_.substr(handed_, safe_ - handed_);
    handed_ = safe_;
  }
  p.ended = ended_ && handed_ == safe_;
  return p;
}

bool GenerationJob::wait_end(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lk(mu_);
  return cv_.wait_for(lk, timeout, [&] { return ended_; });
}

bool GenerationJob::ended() const {
  std::lock_guard<std::mutex> lk(mu_);
  return ended_;
}

std::string GenerationJob::text() const {
  std::lock_guard<std::mutex> lk(mu_);
  return text_;
}

std::string GenerationJob::finish_reason() const {
  std::lock_guard<std::mutex> lk(mu_);
  return finish_reason_;
}

std::string GenerationJob::error() const {
  std::lock_guard<std::mutex> lk(mu_);
  return error_;
}

int64_t GenerationJob::completion_tokens() const {
  std::lock_guard<std::mutex> lk(mu_);
  return completion_tokens_;
}

}  // namespace lfmb
