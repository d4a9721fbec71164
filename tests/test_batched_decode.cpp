// Session::decode_batch: several sequences, each with its own KV cache, conv state and position,
// decoded in one forward step. A sequence's logits must be bitwise those it gets decoding alone on
// the native backend (every kernel path of this CPU) and the reference backend, with sequences of
// different lengths joining and leaving between steps.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/model/generate.h"
#include "core/model/model.h"
#include "core/synth/synthesize.h"
#include "kernels/cpu_features.h"
#include "test_support.h"

using namespace lfmb;

namespace {

// Sets $LFMB_ISA for one scope (the native backend reads it when created).
class IsaCap {
 public:
  explicit IsaCap(Isa isa) {
    if (const char* old = std::getenv("LFMB_ISA")) saved_ = old;
    setenv("LFMB_ISA", std::string(isa_name(isa)).c_str(), 1);
  }
  ~IsaCap() {
    if (saved_) setenv("LFMB_ISA", saved_->c_str(), 1);
    else unsetenv("LFMB_ISA");
  }

 private:
  std::optional<std::string> saved_;
};

std::unique_ptr<Model> tiny_model(const std::string& preset, TensorType type, const std::string& backend,
                                  int64_t n_batch = 512) {
  ModelOptions o;
  o.backend = backend;
  o.threads = 2;
  o.n_ctx = 64;
  o.n_batch = n_batch;
  return std::make_unique<Model>(std::move(*synthesize_in_memory(preset, type, 7, 1)), o);
}

std::vector<int32_t> prompt_of(int64_t len, int32_t salt, int64_t n_vocab) {
  std::vector<int32_t> p;
  for (int64_t i = 0; i < len; ++i) p.push_back(int32_t((i * 37 + salt * 11 + 5) % n_vocab));
  return p;
}

bool same_bits(const float* a, const float* b, int64_t n) { return std::memcmp(a, b, size_t(n) * sizeof(float)) == 0; }

// A sequence's schedule: prompt, the step at which it joins (after its own prefill), and how many
// tokens it decodes before leaving.
struct Plan {
  std::vector<int32_t> prompt;
  int join_step;
  int n_steps;
};

// Every step's logits of each sequence decoded alone, greedy.
std::vector<std::vector<float>> alone(const Model& m, const Plan& p) {
  Session s(m);
  std::vector<std::vector<float>> steps;
  std::vector<float> logits = s.prefill_last(p.prompt);
  for (int i = 0; i < p.n_steps; ++i) {
    logits = s.decode(argmax_token(logits.data(), m.config().n_vocab));
    steps.push_back(logits);
  }
  return steps;
}

// Runs the plans together: at step t every sequence that has joined and not left decodes one
// token in one decode_batch call. Checks each row against the alone run.
void check_batched_equals_alone(const Model& m, const std::vector<Plan>& plans) {
  const int64_t V = m.config().n_vocab;
  std::vector<std::vector<std::vector<float>>> want;
  for (const Plan& p : plans) want.push_back(alone(m, p));

  std::vector<std::unique_ptr<Session>> sessions;
  std::vector<std::vector<float>> last(plans.size());
  std::vector<int> done(plans.size(), 0);
  int max_batch = 0;
  for (int step = 0;; ++step) {
    std::vector<Session*> batch;
    std::vector<int32_t> tokens;
    std::vector<size_t> who;
    for (size_t i = 0; i < plans.size(); ++i) {
      if (step == plans[i].join_step) {
        sessions.resize(std::max(sessions.size(), i + 1));
        sessions[i] = std::make_unique<Session>(m);
        last[i] = sessions[i]->prefill_last(plans[i].prompt);
      }
      if (step >= plans[i].join_step && done[i] < plans[i].n_steps) {
        batch.push_back(sessions[i].get());
        tokens.push_back(argmax_token(last[i].data(), V));
        who.push_back(i);
      }
    }
    bool pending = false;
    for (size_t i = 0; i < plans.size(); ++i) pending = pending || step < plans[i].join_step;
    if (batch.empty() && !pending) break;
    if (batch.empty()) continue;
    max_batch = std::max(max_batch, int(batch.size()));
    const std::vector<float> logits = Session::decode_batch(batch, tokens);
    REQUIRE(logits.size() == batch.size() * size_t(V));
    for (size_t r = 0; r < who.size(); ++r) {
      const size_t i = who[r];
      INFO("sequence " << i << " step " << done[i] << " in a batch of " << batch.size());
      REQUIRE(same_bits(logits.data() + r * size_t(V), want[i][size_t(done[i])].data(), V));
      last[i].assign(logits.begin() + long(r * size_t(V)), logits.begin() + long((r + 1) * size_t(V)));
      ++done[i];
      CHECK(sessions[i]->position() == int64_t(plans[i].prompt.size()) + done[i]);
    }
  }
  CHECK(max_batch == int(plans.size()));  // the schedule did put every sequence in one step
}

std::vector<Plan> plans_for(int64_t n_vocab) {
  // Different prompt lengths (so different positions and attention spans), a late joiner and an
  // early leaver.
  return {{prompt_of(5, 1, n_vocab), 0, 9}, {prompt_of(13, 2, n_vocab), 0, 4}, {prompt_of(2, 3, n_vocab), 2, 8},
          {prompt_of(21, 4, n_vocab), 1, 7}};
}

}  // namespace

TEST_CASE("decode_batch: each sequence's logits are bitwise its logits alone, on every native kernel path",
          "[generate][batch]") {
  for (Isa isa : supported_isas()) {
    IsaCap cap(isa);
    for (const char* preset : {"tiny-lfm2moe", "tiny-lfm2", "tiny-qwen3"})
      for (TensorType type : {TensorType::Q4_0, TensorType::Q8_0, TensorType::BF16, TensorType::F32}) {
        INFO("native " << isa_name(isa) << " " << preset << " " << tensor_type_name(type));
        const auto m = tiny_model(preset, type, "native");
        check_batched_equals_alone(*m, plans_for(m->config().n_vocab));
      }
  }
}

TEST_CASE("decode_batch: the reference backend too", "[generate][batch]") {
  for (const char* preset : {"tiny-lfm2moe", "tiny-qwen3"}) {
    INFO(preset);
    const auto m = tiny_model(preset, TensorType::Q8_0, "reference");
    check_batched_equals_alone(*m, plans_for(m->config().n_vocab));
  }
}

TEST_CASE("decode_batch: bad batches are refused before any session changes", "[generate][batch]") {
  const auto m = tiny_model("tiny-lfm2moe", TensorType::Q8_0, "native", /*n_batch=*/2);
  const auto other = tiny_model("tiny-lfm2moe", TensorType::Q8_0, "native");
  Session a(*m), b(*m), c(*m), x(*other);
  a.prefill_last({1, 2, 3});
  b.prefill_last({4});
  const int64_t V = m->config().n_vocab;
  auto unchanged = [&] { return a.position() == 3 && b.position() == 1 && c.position() == 0; };

  CHECK(test::error_of([&] { Session::decode_batch({}, {}); }).find("no sessions") != std::string::npos);
  CHECK(test::error_of([&] { Session::decode_batch({&a, &b}, {1}); }).find("1 tokens for 2 sessions") != std::string::npos);
  CHECK(test::error_of([&] { Session::decode_batch({&a, &a}, {1, 2}); }).find("twice") != std::string::npos);
  CHECK(test::error_of([&] { Session::decode_batch({&a, &x}, {1, 2}); }).find("different models") != std::string::npos);
  CHECK(test::error_of([&] { Session::decode_batch({&a, &b, &c}, {1, 2, 3}); }).find("exceed n_batch = 2") !=
        std::string::npos);
  CHECK(test::error_of([&] { Session::decode_batch({&a, &b}, {1, int32_t(V)}); }).find("out of range") !=
        std::string::npos);
  CHECK(unchanged());
  // A full context in any one sequence stops the whole step.
  Session full(*m);
  full.prefill_last(prompt_of(64, 9, V));
  CHECK(test::error_of([&] { Session::decode_batch({&a, &full}, {1, 2}); }).find("context full") != std::string::npos);
  CHECK(unchanged());
  CHECK(full.position() == 64);
}

TEST_CASE("decode_batch: routing counts and layer observations go to each sequence", "[generate][batch]") {
  const auto m = tiny_model("tiny-lfm2moe", TensorType::Q8_0, "native");
  const int64_t E = m->config().n_embd;
  // Alone: what each sequence's observer sees for one decode step.
  auto observe = [&](Session& s, std::vector<float>& hidden, std::vector<int32_t>& experts) {
    s.set_layer_observer([&hidden, &experts, E](const LayerObservation& o) {
      REQUIRE(o.n_tokens == 1);
      hidden.insert(hidden.end(), o.hidden, o.hidden + E);
      if (o.routing) experts.insert(experts.end(), o.routing->experts, o.routing->experts + o.routing->k);
    });
  };
  std::vector<float> h_alone[2], h_batch[2];
  std::vector<int32_t> e_alone[2], e_batch[2];
  const std::vector<int32_t> prompts[2] = {{3, 1, 4, 1, 5}, {9, 2}};
  const int32_t next[2] = {6, 7};
  for (int i = 0; i < 2; ++i) {
    Session s(*m);
    s.prefill_last(prompts[i]);
    observe(s, h_alone[i], e_alone[i]);
    s.count_expert_routing(true);
    s.decode(next[i]);
  }
  Session s0(*m), s1(*m);
  s0.prefill_last(prompts[0]);
  s1.prefill_last(prompts[1]);
  observe(s0, h_batch[0], e_batch[0]);
  observe(s1, h_batch[1], e_batch[1]);
  s0.count_expert_routing(true);  // s1 does not count
  Session::decode_batch({&s0, &s1}, {next[0], next[1]});
  for (int i = 0; i < 2; ++i) {
    REQUIRE(h_batch[i].size() == h_alone[i].size());
    CHECK(same_bits(h_batch[i].data(), h_alone[i].data(), int64_t(h_alone[i].size())));
    CHECK(e_batch[i] == e_alone[i]);
  }
  uint64_t counted = 0;
  for (const auto& layer : s0.expert_routing_counts())
    for (uint64_t n : layer) counted += n;
  CHECK(counted == e_alone[0].size());  // s0's one token per MoE layer, k experts each; none of s1's
  CHECK(s1.expert_routing_counts().empty());
}
