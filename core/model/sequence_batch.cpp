#include "core/model/sequence_batch.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/model/memory_plan.h"

namespace lfmb {

void check_sequences_fit(const Model& m, int n) {
  if (n < 1 || n > kMaxSequences)
    throw Error(fmt::format("sequences decoding together: expected 1 to {}, got {}", kMaxSequences, n));
  if (n > m.options().n_batch)
    throw Error(fmt::format("{}: {} sequences per step exceed n_batch = {}", m.path(), n, m.options().n_batch));
  const MemoryPlan& plan = m.memory_plan();
  const uint64_t more = (plan.kv_cache + plan.conv_state) * uint64_t(n - 1);
  const uint64_t avail = m.options().memory_limit > 0 ? m.options().memory_limit : memory_available();
  if (avail > 0 && more > avail)
    throw Error(fmt::format("{}: {} sequences need {:.2f} GiB more for their KV caches (n_ctx = {}), {:.2f} GiB available",
                            m.path(), n, double(more) / double(1ull << 30), m.options().n_ctx,
                            double(avail) / double(1ull << 30)));
}

SequenceBatch::SequenceBatch(const Model& m, int max_sequences) : m_(m) {
  check_sequences_fit(m, max_sequences);
  slots_.resize(size_t(max_sequences));
  for (Slot& s : slots_) s.session = std::make_unique<Session>(m);
}

void SequenceBatch::add(SequenceRequest r) {
  const ModelConfig& c = m_.config();
  if (r.prompt.empty()) throw Error("generation request with an empty prompt");
  if (int64_t(r.prompt.size()) >= m_.options().n_ctx)
    throw Error(fmt::format("prompt of {} tokens leaves no room to generate (n_ctx = {})", r.prompt.size(),
                            m_.options().n_ctx));
  for (int32_t t : r.prompt)
    if (t < 0 || t >= c.n_vocab) throw Error(fmt::format("token id {} out of range (n_vocab = {})", t, c.n_vocab));
  if (r.max_new < 1) throw Error(fmt::format("max_new must be at least 1 (got {})", r.max_new));
  if (!r.pick) r.pick = argmax_token;
  queue_.push_back(std::move(r));
}

int SequenceBatch::active() const {
  int n = 0;
  for (const Slot& s : slots_) n += s.request.has_value();
  return n;
}

void SequenceBatch::end(Slot& s, SequenceEnd why) {
  SequenceRequest r = std::move(*s.request);
  s.request.reset();
  if (r.on_end) r.on_end(why);
}

bool SequenceBatch::accept(Slot& s, int32_t token) {
  ++s.produced;
  if (s.request->on_token && !s.request->on_token(token)) {
    end(s, SequenceEnd::Stopped);
    return false;
  }
  if (s.produced >= s.request->max_new) {
    end(s, SequenceEnd::Length);
    return false;
  }
  if (s.session->position() >= m_.options().n_ctx) {
    end(s, SequenceEnd::Context);
    return false;
  }
  s.next = token;
  return true;
}

bool SequenceBatch::step() {
  const int64_t V = m_.config().n_vocab;
  // Join: a free slot takes the next waiting request, prefilled alone, and picks its first token.
  for (Slot& s : slots_) {
    while (!s.request && !queue_.empty()) {
      s.request = std::move(queue_.front());
      queue_.pop_front();
      s.produced = 0;
      s.session->reset();
      const std::vector<float> logits = s.session->prefill_last(s.request->prompt);
      tokens_processed_ += int64_t(s.request->prompt.size());
      accept(s, s.request->pick(logits.data(), V));  // may end at once (first token a stop)
    }
  }
  std::vector<Session*> sessions;
  std::vector<int32_t> tokens;
  std::vector<Slot*> who;
  for (Slot& s : slots_)
    if (s.request) {
      sessions.push_back(s.session.get());
      tokens.push_back(s.next);
      who.push_back(&s);
    }
  if (sessions.empty()) return !queue_.empty();
  const std::vector<float> logits = Session::decode_batch(sessions, tokens);
  tokens_processed_ += int64_t(sessions.size());
  for (size_t i = 0; i < who.size(); ++i) accept(*who[i], who[i]->request->pick(logits.data() + i * size_t(V), V));
  return true;
}

void SequenceBatch::run() {
  while (step()) {
  }
}

}  // namespace lfmb
