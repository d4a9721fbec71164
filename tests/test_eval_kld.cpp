// lfmb eval kld and lfmb eval diverge (issue 18 items 1 and 4): llama-perplexity's KL-divergence
// statistics on hand-made logits (expected values computed with python3 from llama.cpp's formulas),
// the base-logits file, the chunk protocol, and the CLI on the reference models (backend against
// backend, a perturbed tensor caught by the gate and located by diverge).
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

#include "core/error.h"
#include "core/gguf/gguf_reader.h"
#include "core/gguf/gguf_writer.h"
#include "eval/regression/diverge.h"
#include "eval/regression/kld_stats.h"
#include "eval/regression/logits_file.h"
#include "eval/regression/token_sequences.h"
#include "tests/test_support.h"

using namespace lfmb;
using namespace lfmb::eval;
using Catch::Detail::Approx;

namespace {

// (base logits, model logits, next token) over a 4-token vocabulary. The cases cover an identical
// pair, argmax ties on both sides (first index wins), a changed top token, a base log-prob below
// −16 (left out of the KLD) and a flat base (scale 0).
struct KldCase {
  std::vector<float> base, model;
  int32_t next;
};
const std::vector<KldCase> kCases = {
    {{2, 1, 0, -20}, {2, 1, 0, -20}, 0},          {{2, 1, 0, -20}, {1.5f, 1, 0.5f, -1}, 1},
    {{0, 3, -1, 0.5f}, {0, 2.5f, -1, 1}, 1},      {{1, 1, 0, -3}, {0, 1, 1, -3}, 2},
    {{-2, 0.1f, 4, 1.3f}, {-2, 0, 1, 4}, 3},      {{5, -30, 0, 0}, {0, 3, 0, 0}, 0},
    {{0.3f, 0.2f, 0.1f, 0}, {0, 0.1f, 0.2f, 0.3f}, 0}, {{1, 2, 3, 4}, {1, 2, 3, 4.5f}, 3},
    {{-1, -1, -1, 2}, {-1, -1, -1, 2}, 2},        {{0, 0, 0, 0}, {0, 0, 0, 1}, 1},
    {{3, 0, -2, -5}, {2, 0.5f, -2, -5}, 0},       {{0, 6, 0, 1.2f}, {0, 5, 2, 1}, 2},
};

KldAccumulator accumulate(const std::vector<KldCase>& cases) {
  KldAccumulator acc;
  std::vector<uint16_t> rec(size_t(logits_record_size(4)));
  for (const KldCase& c : cases) {
    quantize_log_probs(c.base.data(), 4, c.next, rec.data());
    acc.add(c.model.data(), 4, rec.data(), c.next);
  }
  return acc;
}

std::string slurp(const std::string& path) { return test::read_file(path); }

// The error message of `fn`, checked to be one line.
template <class Fn>
std::string one_line_error(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    const std::string m = e.what();
    CHECK(m.find('\n') == std::string::npos);
    return m;
  }
  FAIL("no lfmb::Error thrown");
  return "";
}

// A copy of a reference GGUF with the F32 tensor `name` multiplied by `factor`.
std::string perturbed_copy(const std::string& src, const std::string& dst, const std::string& name, float factor) {
  const GgufFile f(src);
  GgufWriter w;
  for (const auto& [k, v] : f.metadata())
    if (k != "general.alignment") w.set(k, v);
  for (const GgufTensorInfo& t : f.tensors()) w.add_tensor(t.name, *t.type, t.dims);
  bool found = false;
  w.write(dst, [&](size_t i, const GgufTensorSpec& spec, uint8_t* out) {
    const GgufTensorInfo& t = f.tensors()[i];
    std::memcpy(out, t.data, spec.n_bytes);
    if (t.name != name) return;
    REQUIRE(*t.type == TensorType::F32);
    float* v = reinterpret_cast<float*>(out);
    for (int64_t j = 0; j < t.n_elements; ++j) v[j] *= factor;
    found = true;
  });
  REQUIRE(found);
  return dst;
}

std::string lines(const std::string& s) { return std::to_string(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST_CASE("kld record quantises the base log-softmax as llama.cpp", "[eval-kld]") {
  // python3: max 2, min max(-20, 2-16) = -14, scale 16/65535, q = round((l+14)/scale).
  const float logits[4] = {2, 1, 0, -20};
  std::vector<uint16_t> rec(size_t(logits_record_size(4)));
  CHECK(rec.size() == 8);
  CHECK(logits_record_size(5) == 10);  // odd vocabularies are padded to an even count
  const double nll = quantize_log_probs(logits, 4, 1, rec.data());
  CHECK(rec[4] == 65535);
  CHECK(rec[5] == 61439);
  CHECK(rec[6] == 57343);
  CHECK(rec[7] == 0);  // at or below max − 16
  CHECK(record_scale(rec.data()) == Approx(0.0002441443503).epsilon(1e-6));
  CHECK(record_min_log_prob(rec.data()) == Approx(-16.40760596).epsilon(1e-6));
  const double lse = std::log(std::exp(2.0) + std::exp(1.0) + 1.0 + std::exp(-20.0));
  CHECK(nll == Approx(lse - 1.0).epsilon(1e-6));
  const float s = record_scale(rec.data()), m = record_min_log_prob(rec.data());
  for (int i = 0; i < 3; ++i)  // within half a quantisation step of the true log-prob
    CHECK(std::fabs(record_log_prob(rec.data(), s, m, i) - (logits[i] - lse)) <= 0.5 * s + 1e-5);
  // A flat distribution: scale 0, every q 0, every log-prob −log 4.
  const float flat[4] = {1, 1, 1, 1};
  quantize_log_probs(flat, 4, 0, rec.data());
  CHECK(record_scale(rec.data()) == 0.0f);
  CHECK(record_min_log_prob(rec.data()) == Approx(-std::log(4.0)).epsilon(1e-6));
  CHECK((rec[4] | rec[5] | rec[6] | rec[7]) == 0);
}

TEST_CASE("kld per-token values on hand-made logits", "[eval-kld]") {
  const KldAccumulator acc = accumulate(kCases);
  REQUIRE(acc.count == 12);
  const double want[12] = {-6.48173324e-06, 0.100998454, 0.0483441342, 0.264907326, 2.56994745, 3.05933775,
                           0.0249294364,    0.027093436, 0,            0.10737402,  0.0843534674, 0.0427873011};
  for (int i = 0; i < 12; ++i) {
    INFO("case " << i);
    CHECK(acc.kld_values[size_t(i)] == Approx(want[i]).epsilon(1e-4).margin(2e-6));
  }
  // The identical pair differs only by the uint16 downcast: a tiny negative KLD, as llama.cpp's README notes.
  CHECK(acc.kld_values[0] < 0);
  CHECK(acc.n_same_top == 7);  // cases 3 (ties), 4, 5, 6 and 9 (flat base: 0 vs 3) change the top
  CHECK(acc.p_diff_values[0] == Approx(0).margin(1e-4));
  CHECK(acc.p_diff_values[4] == Approx(0.872413).epsilon(1e-4));
  CHECK(acc.p_diff_values[5] == Approx(-0.943386).epsilon(1e-4));
  // A next token the base puts below max − 16: its base NLL is the truncated 16 + log Σ exp(l − max).
  const KldAccumulator trunc = accumulate({{{5, -30, 0, 0}, {5, -30, 0, 0}, 1}});
  CHECK(trunc.sum_nll_base == Approx(16.01338590172145).epsilon(1e-6));
  CHECK(trunc.sum_nll == Approx(35.01338590172145).epsilon(1e-6));
  // Ties: the first index wins on both sides.
  CHECK(accumulate({{{1, 1, 0, -3}, {2, 1, 0, -3}, 0}}).n_same_top == 1);
  CHECK(accumulate({{{2, 1, 0, -3}, {1, 1, 0, -3}, 0}}).n_same_top == 1);
  CHECK(accumulate({{{1, 2, 0, -3}, {1, 1, 0, -3}, 0}}).n_same_top == 0);
}

TEST_CASE("kld summary statistics match llama-perplexity formulas", "[eval-kld]") {
  const KldSummary s = summarize_kld(accumulate(kCases));
  CHECK(s.n_tokens == 12);
  CHECK(s.mean_kld == Approx(0.5275055251).epsilon(1e-5));
  CHECK(s.mean_kld_stderr == Approx(0.3105417696).epsilon(1e-5));
  CHECK(s.median_kld == Approx(0.06634880081).epsilon(1e-5));  // even count: mean of the two middle values
  CHECK(s.p90_kld == Approx(2.33944344).epsilon(1e-5));        // p = 0.9·11 = 9.9 between sorted[9] and [10]
  CHECK(s.p95_kld == Approx(2.790173089).epsilon(1e-5));
  CHECK(s.p99_kld == Approx(3.005504821).epsilon(1e-5));
  CHECK(s.max_kld == Approx(3.059337755).epsilon(1e-6));
  CHECK(s.min_kld == Approx(-6.481733242e-06).margin(5e-7));
  CHECK(s.same_top_p == Approx(7.0 / 12.0));
  CHECK(s.same_top_p_unc == Approx(0.1486470975).epsilon(1e-6));  // sqrt(p(1−p)/(N−1))
  CHECK(s.mean_delta_p == Approx(-0.00157220677).epsilon(1e-3));
  CHECK(s.mean_delta_p_stderr == Approx(0.1162033318).epsilon(1e-5));
  CHECK(s.rms_delta_p == Approx(0.3854060579).epsilon(1e-5));
  CHECK(s.rms_delta_p_unc == Approx(0.1190903707).epsilon(1e-5));
  CHECK(s.median_delta_p == Approx(0).margin(1e-6));
  CHECK(s.p75_delta_p == Approx(0.06388657081).epsilon(1e-4));
  CHECK(s.p25_delta_p == Approx(-0.08648948209).epsilon(1e-4));
  CHECK(s.ppl == Approx(3.793285864).epsilon(1e-5));
  CHECK(s.ppl_unc == Approx(1.315259747).epsilon(1e-5));
  CHECK(s.ppl_base == Approx(4.831150677).epsilon(1e-5));
  CHECK(s.ppl_base_unc == Approx(2.427605029).epsilon(1e-5));
  CHECK(s.log_ppl_ratio == Approx(-0.2418520487).epsilon(1e-5));
  CHECK(s.log_ppl_ratio_unc == Approx(0.4474579495).epsilon(1e-5));
  CHECK(s.ppl_ratio == Approx(0.7851723362).epsilon(1e-5));
  CHECK(s.log_ppl_cor == Approx(0.4950399741).epsilon(1e-4));

  const nlohmann::json j = kld_summary_json(s);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  CHECK(keys == std::vector<std::string>{"max_kld", "mean_delta_p", "mean_kld", "mean_kld_stderr", "median_kld",
                                         "n_tokens", "p90_kld", "p95_kld", "p99_kld", "ppl", "ppl_base",
                                         "rms_delta_p", "same_top_p"});
  CHECK(j["n_tokens"] == 12);
  const std::string text = kld_summary_text(s);
  CHECK_THAT(text, Catch::Contains("Mean    KLD:   0.527506 ±   0.310542"));
  CHECK_THAT(text, Catch::Contains("Same top p: 58.333 ± 14.865 %"));
}

TEST_CASE("kld mean_and_uncertainty percentiles and median helpers", "[eval-kld]") {
  // 1..12: mean 6.5, population variance 143/12, se = sqrt(143/12/11).
  double s = 0, s2 = 0;
  for (int i = 1; i <= 12; ++i) s += i, s2 += i * i;
  auto [m, u] = mean_and_uncertainty(s, s2, 12);
  CHECK(m == Approx(6.5));
  CHECK(u == Approx(std::sqrt(143.0 / 12.0 / 11.0)));
  // 10 values or fewer: no uncertainty; none: (0, 0).
  CHECK(mean_and_uncertainty(55, 385, 10).second == 0.0);
  CHECK(mean_and_uncertainty(55, 385, 10).first == Approx(5.5));
  CHECK(mean_and_uncertainty(0, 0, 0) == std::make_pair(0.0, 0.0));
  // Covariance: exact line b = 2a over 1..12 → cov = 2·var/(N−1).
  double sb = 0, sab = 0;
  for (int i = 1; i <= 12; ++i) sb += 2 * i, sab += 2.0 * i * i;
  CHECK(kld_covariance(s, sb, sab, 12) == Approx(2 * 143.0 / 12.0 / 11.0));
  CHECK(kld_covariance(s, sb, sab, 9) == 0.0);

  const std::vector<float> v = {1, 2, 4, 8, 16};
  CHECK(sorted_percentile(v, 0.9f) == Approx(12.8));  // p = 3.6: 0.4·8 + 0.6·16
  CHECK(sorted_percentile(v, 0.5f) == Approx(4));
  CHECK(sorted_percentile(v, 0.0f) == 1);
  CHECK(sorted_percentile(v, 1.0f) == 16);
  CHECK(sorted_percentile(v, 0.99f) == Approx(15.68));  // p = 3.96
  CHECK(sorted_median(v) == 4);
  CHECK(sorted_median({1, 2, 4, 8}) == 3);
  CHECK_THROWS_AS(summarize_kld(KldAccumulator{}), Error);
}

TEST_CASE("kld chunk protocol follows llama-perplexity", "[eval-kld]") {
  std::vector<int32_t> toks(53);
  for (int i = 0; i < 53; ++i) toks[size_t(i)] = i;
  const KldInput in = chunked_input(toks, 10, 0);
  REQUIRE(in.segments.size() == 5);  // whole chunks only: 53 / 10
  CHECK(in.chunked);
  CHECK(in.segments[1].tokens.front() == 10);
  CHECK(in.segments[1].first == 5);  // n_ctx / 2
  CHECK(in.segments[1].bos_first);
  CHECK(in.segments[1].n_scored() == 4);  // positions 5..8 predict tokens 6..9
  CHECK(in.n_scored() == 20);
  CHECK(chunked_input(toks, 11, 0).segments[0].n_scored() == 5);  // 11 − 1 − 5
  CHECK(chunked_input(toks, 10, 2).segments.size() == 2);
  CHECK_THAT(one_line_error([&] { chunked_input(toks, 27, 0); }), Catch::Contains("at least 2 × ctx-size = 54"));
  CHECK_THROWS_AS(chunked_input(toks, 2, 0), Error);

  const KldInput seq = sequence_input({{1, 2, 3}, {4, 5}});
  CHECK(!seq.chunked);
  CHECK(seq.n_scored() == 3);
  CHECK(seq.segments[0].first == 0);
  CHECK_THAT(one_line_error([] { sequence_input({{1, 2}, {7}}); }), Catch::Contains("sequence 2 has 1 token"));
}

TEST_CASE("kld token sequence files", "[eval-kld]") {
  const std::string dir = test::temp_dir();
  test::write_file(dir + "/t.txt", "1 2 3\n\n4,5\t6\r\n");
  CHECK(read_token_sequences(dir + "/t.txt") == std::vector<std::vector<int32_t>>{{1, 2, 3}, {4, 5, 6}});
  test::write_file(dir + "/bad.txt", "1 2\n3 x 4\n");
  CHECK_THAT(one_line_error([&] { read_token_sequences(dir + "/bad.txt"); }),
             Catch::Contains("bad.txt: line 2: 'x' is not a token id"));
  test::write_file(dir + "/empty.txt", "\n \n");
  CHECK_THAT(one_line_error([&] { read_token_sequences(dir + "/empty.txt"); }), Catch::Contains("no token sequences"));
}

TEST_CASE("kld base-logits file round trip in both layouts", "[eval-kld]") {
  const std::string dir = test::temp_dir();
  const int64_t V = 7, nv = logits_record_size(V);
  CHECK(nv == 12);
  std::vector<int32_t> toks(40);
  for (int i = 0; i < 40; ++i) toks[size_t(i)] = (i * 3) % int(V);
  for (const bool chunked : {true, false}) {
    INFO("chunked " << chunked);
    const KldInput in = chunked ? chunked_input(toks, 8, 0) : sequence_input({{1, 2, 3, 4}, {5, 6}, {0, 1, 2}});
    const std::string path = dir + (chunked ? "/c.logits" : "/s.logits");
    std::vector<std::vector<float>> logits;
    std::vector<uint16_t> all;
    {
      LogitsFileWriter w(path, in, V);
      uint32_t seed = 1;
      for (const KldSegment& seg : in.segments) {
        std::vector<uint16_t> rec(size_t(seg.n_scored() * nv));
        for (int64_t p = 0; p < seg.n_scored(); ++p) {
          logits.push_back(test::random_floats(size_t(V), seed++, 3.0f));
          quantize_log_probs(logits.back().data(), V, seg.tokens[size_t(seg.first + p + 1)], rec.data() + p * nv);
        }
        w.write_records(rec.data(), seg.n_scored());
        all.insert(all.end(), rec.begin(), rec.end());
      }
      w.commit();
    }
    const std::string bytes = slurp(path);
    CHECK(bytes.substr(0, 8) == (chunked ? "_logits_" : "_lfmbsq_"));
    uint32_t n_ctx;
    int32_t n_vocab, n_seg;
    std::memcpy(&n_ctx, bytes.data() + 8, 4);
    std::memcpy(&n_vocab, bytes.data() + 12, 4);
    std::memcpy(&n_seg, bytes.data() + 16, 4);
    CHECK(n_ctx == (chunked ? 8u : 0u));
    CHECK(n_vocab == V);
    CHECK(n_seg == int32_t(in.segments.size()));
    // llama.cpp's layout: header, n_ctx × n_chunk tokens, then (n_ctx − 1 − n_ctx/2) records per chunk.
    const size_t want_size = chunked ? 20 + 4 * 8 * 5 + 5 * 3 * nv * 2 : 20 + 4 * 3 + 4 * 9 + 6 * nv * 2;
    CHECK(bytes.size() == want_size);
    if (chunked) {
      int32_t t9;
      std::memcpy(&t9, bytes.data() + 20 + 4 * 9, 4);
      CHECK(t9 == toks[9]);  // the text's tokens, not BOS-replaced
    }

    const LogitsFile f(path);
    CHECK(f.n_vocab() == V);
    CHECK(f.input().chunked == chunked);
    CHECK(f.input().n_ctx == (chunked ? 8 : 0));
    REQUIRE(f.input().segments.size() == in.segments.size());
    size_t li = 0, off = 0;
    for (size_t i = 0; i < in.segments.size(); ++i) {
      CHECK(f.input().segments[i].tokens == in.segments[i].tokens);
      CHECK(f.input().segments[i].first == in.segments[i].first);
      const uint16_t* rec = f.records(i);
      CHECK(std::memcmp(rec, all.data() + off, size_t(in.segments[i].n_scored() * nv) * 2) == 0);
      for (int64_t p = 0; p < in.segments[i].n_scored(); ++p, ++li) {
        const uint16_t* r = rec + p * nv;
        const std::vector<float>& l = logits[li];
        double mx = l[0], sum = 0;
        for (float x : l) mx = std::max<double>(mx, x);
        for (float x : l) sum += std::exp(x - mx);
        for (int64_t k = 0; k < V; ++k) {
          const double truth = l[size_t(k)] - mx - std::log(sum);
          if (l[size_t(k)] - mx <= -16) continue;  // stored as q = 0
          // within half a step of 16/65535 (the range of these logits is below 16)
          CHECK(std::fabs(record_log_prob(r, record_scale(r), record_min_log_prob(r), k) - truth) <=
                0.5 * record_scale(r) + 1e-5);
        }
      }
      off += size_t(in.segments[i].n_scored() * nv);
    }
  }
  // A writer that is not given every record refuses to commit.
  const KldInput in = sequence_input({{1, 2, 3}});
  LogitsFileWriter w(dir + "/short.logits", in, V);
  std::vector<uint16_t> rec(static_cast<size_t>(nv));
  w.write_records(rec.data(), 1);
  CHECK_THAT(one_line_error([&] { w.commit(); }), Catch::Contains("1 records written, 2 expected"));
}

TEST_CASE("kld corrupt or truncated base-logits files are one-line errors", "[eval-kld]") {
  const std::string dir = test::temp_dir();
  const int64_t V = 5, nv = logits_record_size(V);
  const KldInput in = sequence_input({{1, 2, 3}, {4, 0}});
  {
    LogitsFileWriter w(dir + "/good", in, V);
    std::vector<uint16_t> rec(size_t(3 * nv));
    const float l[5] = {1, 2, 3, 0, -1};
    for (int p = 0; p < 3; ++p) quantize_log_probs(l, V, 1, rec.data() + p * nv);
    w.write_records(rec.data(), 3);
    w.commit();
  }
  const std::string good = slurp(dir + "/good");
  CHECK_NOTHROW(LogitsFile(dir + "/good"));
  auto variant = [&](const std::string& name, const std::string& bytes) {
    test::write_file(dir + "/" + name, bytes);
    return one_line_error([&] { LogitsFile f(dir + "/" + name); });
  };
  auto with_i32 = [&](size_t off, int32_t v) {
    std::string b = good;
    std::memcpy(b.data() + off, &v, 4);
    return b;
  };
  CHECK_THAT(variant("short", good.substr(0, 12)), Catch::Contains("short: 12 bytes: too short"));
  CHECK_THAT(variant("magic", "_notlog_" + good.substr(8)), Catch::Contains("magic: not a base-logits file"));
  CHECK_THAT(variant("cut", good.substr(0, good.size() - 1)), Catch::Contains("cut: truncated"));
  CHECK_THAT(variant("extra", good + "x"), Catch::Contains("extra: 1 bytes after the last record"));
  CHECK_THAT(variant("vocab", with_i32(12, 0)), Catch::Contains("n_vocab 0 is not positive"));
  CHECK_THAT(variant("nseq", with_i32(16, -1)), Catch::Contains("n_seq -1 is not positive"));
  // A huge count is bounded by the file size before anything is allocated.
  CHECK_THAT(variant("huge", with_i32(16, 0x7fffffff)), Catch::Contains("huge: truncated: 2147483647 sequence lengths"));
  CHECK_THAT(variant("len", with_i32(20, 1)), Catch::Contains("sequence 1 has length 1"));
  CHECK_THAT(variant("biglen", with_i32(20, 0x7fffffff)), Catch::Contains("biglen: truncated"));
  CHECK_THAT(variant("tok", with_i32(28, 5)), Catch::Contains("token id 5 out of range (n_vocab 5)"));
  CHECK_THAT(variant("ctx", with_i32(8, 3)), Catch::Contains("sequence layout with n_ctx 3"));
  const size_t rec0 = 20 + 8 + 20;
  std::string nan = good;
  const float qnan = std::nanf("");
  std::memcpy(nan.data() + rec0, &qnan, 4);
  CHECK_THAT(variant("nan", nan), Catch::Contains("record 0 of segment 1: bad scale"));
  // The llama.cpp layout: a chunk count whose tokens the file cannot hold.
  std::string chunk = "_logits_";
  const int32_t hdr[3] = {512, 340, 1 << 30};
  chunk.append(reinterpret_cast<const char*>(hdr), 12);
  CHECK_THAT(variant("chunks", chunk), Catch::Contains("chunks: truncated: 1073741824 chunks of tokens"));
  CHECK_THAT(one_line_error([&] { LogitsFile f(dir + "/missing"); }), Catch::Contains("missing"));
}

TEST_CASE("kld first diverging layer rule", "[eval-kld]") {
  CHECK(first_diverging_layer({0, 0, 0}) == std::nullopt);
  CHECK(first_diverging_layer({1e-7, 2e-7, 5e-7}) == std::nullopt);  // tiny and smooth: below the floor
  CHECK(first_diverging_layer({0, 0, 0.2, 0.3}) == 2);
  CHECK(first_diverging_layer({1e-6, 2e-6, 0.05, 0.1}) == 2);
  CHECK(first_diverging_layer({0.01, 0.02, 0.05, 0.3}) == 0);  // above the floor from the start
  CHECK(first_diverging_layer({0.002, 0.01, 0.025}) == 0);
  CHECK(first_diverging_layer({0.0005, 0.0009, 0.011}) == 2);  // 0.011 > 10 × 0.0009 and > 1e-3
  CHECK(first_diverging_layer({0.0005, 0.0009, 0.009}) == std::nullopt);
  CHECK(first_diverging_layer({0, NAN, 0}) == 1);
}

TEST_CASE("eval kld reference against native backend passes tight bounds", "[eval-kld][reference]") {
  LFMB_REQUIRE_REFERENCE(ref);
  const std::string seqs = ref + "/sequences.txt";
  struct Pair {
    const char* model;
    const char* backend;
    const char* max_kld;
    const char* min_top;
  };
  // Float activations on both sides: only rounding differs (measured |mean KLD| < 3e-6, same top 1).
  // native runs Q4_0 with int8 activations (as llama.cpp does) against reference's float32 ones:
  // measured mean KLD 0.014, same top 0.978, hence the quantised-path bound.
  const Pair pairs[] = {{"qwen3-f32.gguf", "native", "1e-4", "1"},
                        {"lfm2moe-f32.gguf", "native", "1e-4", "1"},
                        {"lfm2moe-bf16.gguf", "native", "1e-4", "1"},
                        {"lfm2moe-q4_0.gguf", "openblas", "1e-4", "1"},
                        {"lfm2moe-q4_0.gguf", "native", "0.05", "0.9"}};
  for (const Pair& p : pairs) {
    INFO(p.model << " " << p.backend);
    const std::string m = ref + "/" + p.model;
    const auto r = test::run_lfmb({"eval", "kld", "--base", m, "--model", m, "--base-backend", "reference", "--backend",
                                   p.backend, "--tokens", seqs, "--json", "--max-mean-kld", p.max_kld,
                                   "--min-same-top", p.min_top});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["n_tokens"] == 7 + 24 + 61);
    CHECK(std::fabs(j["mean_kld"].get<double>()) <= std::stod(p.max_kld));
    CHECK(j["same_top_p"].get<double>() >= std::stod(p.min_top));
    CHECK(j["max_kld"].get<double>() >= j["p99_kld"].get<double>());
    CHECK(j["p99_kld"].get<double>() >= j["p95_kld"].get<double>());
    CHECK(j["p95_kld"].get<double>() >= j["p90_kld"].get<double>());
    // Random next tokens sit far below the top: the base NLL is truncated at 16 + log Σ, the model's is not.
    CHECK(j["ppl"].get<double>() >= j["ppl_base"].get<double>());
  }
  // The q4_0 native pair fails the float-path bound, with one line.
  const std::string q4 = ref + "/lfm2moe-q4_0.gguf";
  const auto r = test::run_lfmb({"eval", "kld", "--base", q4, "--model", q4, "--backend", "native", "--tokens", seqs,
                                 "--max-mean-kld", "1e-4", "--min-same-top", "0.999"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::StartsWith("kld gate: mean KLD ") && Catch::Contains(" > 0.0001, same top ") &&
                        Catch::EndsWith(" < 0.999\n"));
  CHECK(lines(r.err) == "1");
  CHECK_THAT(r.out, Catch::Contains("Mean    KLD:"));
}

TEST_CASE("eval kld gate catches a perturbed tensor and diverge names its layer", "[eval-kld][reference]") {
  LFMB_REQUIRE_REFERENCE(ref);
  const std::string dir = test::temp_dir();
  const std::string orig = ref + "/lfm2moe-f32.gguf";
  const std::string bad = perturbed_copy(orig, dir + "/bad.gguf", "blk.3.ffn_down_exps.weight", 4.0f);
  const std::string seqs = ref + "/sequences.txt";
  const std::vector<std::string> gate = {"--tokens", seqs, "--max-mean-kld", "0.001", "--json"};
  auto kld = [&](const std::string& model, const std::string& backend) {
    std::vector<std::string> a = {"eval", "kld", "--base", orig, "--model", model, "--backend", backend};
    a.insert(a.end(), gate.begin(), gate.end());
    return test::run_lfmb(a);
  };
  const auto pass = kld(orig, "native");
  INFO(pass.err);
  CHECK(pass.exit_code == 0);
  CHECK(pass.err.empty());
  const auto fail = kld(bad, "reference");
  CHECK(fail.exit_code == 1);
  const auto j = nlohmann::json::parse(fail.out);  // the statistics are still printed
  CHECK(j["mean_kld"].get<double>() > 0.001);
  CHECK(fail.err == fmt::format("kld gate: mean KLD {:.6g} > 0.001\n", j["mean_kld"].get<double>()));

  auto dv = test::run_lfmb({"eval", "diverge", "--base", orig, "--model", bad, "--tokens", seqs, "--json"});
  INFO(dv.err);
  REQUIRE(dv.exit_code == 0);
  const auto d = nlohmann::json::parse(dv.out);
  CHECK(d["first_diverging_layer"] == 3);
  REQUIRE(d["layers"].size() == 6);
  for (int l = 0; l < 3; ++l) CHECK(d["layers"][l]["rel_error"].get<double>() == 0.0);  // same weights, same backend
  CHECK(d["layers"][3]["rel_error"].get<double>() > 0.01);
  for (int l = 0; l < 2; ++l) {  // the two leading dense layers
    CHECK(d["layers"][l]["expert_set_changed"].is_null());
    CHECK(d["layers"][l]["topk_overlap"].is_null());
    CHECK(d["layers"][l]["max_route_weight_diff"].is_null());
  }
  // Layer 3 routes before its perturbed experts run: identical routing. Layer 4 routes on the changed state.
  CHECK(d["layers"][3]["expert_set_changed"] == 0.0);
  CHECK(d["layers"][3]["topk_overlap"] == 1.0);
  CHECK(d["layers"][3]["max_route_weight_diff"] == 0.0);
  CHECK(d["layers"][4]["max_route_weight_diff"].get<double>() > 0.0);
  CHECK(d["layers"][4]["topk_overlap"].get<double>() <= 1.0);
  CHECK(d["layers"][4]["topk_overlap"].get<double>() >= 1.0 - d["layers"][4]["expert_set_changed"].get<double>());

  // Same file, two backends: nothing jumps.
  dv = test::run_lfmb({"eval", "diverge", "--base", orig, "--model", orig, "--backend", "native", "--tokens", seqs, "--json"});
  REQUIRE(dv.exit_code == 0);
  const auto same = nlohmann::json::parse(dv.out);
  CHECK(same["first_diverging_layer"].is_null());
  for (const auto& l : same["layers"]) CHECK(l["rel_error"].get<double>() < 1e-4);
  // Text output names the layer.
  dv = test::run_lfmb({"eval", "diverge", "--base", orig, "--model", bad, "--tokens", seqs});
  CHECK_THAT(dv.out, Catch::Contains("first diverging layer: 3"));
}

TEST_CASE("eval kld save-base and base-logits round trip on text chunks", "[eval-kld][reference]") {
  LFMB_REQUIRE_REFERENCE(ref);
  const std::string dir = test::temp_dir();
  const std::string model = ref + "/qwen3-f32.gguf";
  std::string text;
  for (int i = 0; i < 30; ++i) text += "The quick brown fox " + std::to_string(i) + " jumps over the lazy dog. ";
  test::write_file(dir + "/t.txt", text);
  const std::vector<std::string> common = {"eval", "kld", "--model", model, "--backend", "native", "--json"};
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = common;
    a.insert(a.end(), extra.begin(), extra.end());
    return test::run_lfmb(a);
  };
  const auto direct = run({"--base", model, "--text", dir + "/t.txt", "--ctx-size", "32", "--chunks", "3"});
  INFO(direct.err);
  REQUIRE(direct.exit_code == 0);
  const auto saved = run({"--base", model, "--text", dir + "/t.txt", "--ctx-size", "32", "--chunks", "3",
                          "--save-base", dir + "/base.logits"});
  REQUIRE(saved.exit_code == 0);
  CHECK(saved.out == direct.out);
  const auto j = nlohmann::json::parse(direct.out);
  CHECK(j["n_tokens"] == 3 * (32 - 1 - 16));
  // The file is llama.cpp's layout: n_ctx 32, vocabulary 340, 3 chunks.
  const LogitsFile f(dir + "/base.logits");
  CHECK(f.input().chunked);
  CHECK(f.input().n_ctx == 32);
  CHECK(f.n_vocab() == 340);
  CHECK(f.input().segments.size() == 3);
  // Reused: no base model, no text needed; the same numbers.
  const auto reused = run({"--base-logits", dir + "/base.logits"});
  INFO(reused.err);
  REQUIRE(reused.exit_code == 0);
  CHECK(reused.out == direct.out);
  CHECK(run({"--base-logits", dir + "/base.logits", "--text", dir + "/t.txt", "--ctx-size", "32", "--chunks", "3"})
            .out == direct.out);
  // Inputs that disagree with the file are refused.
  auto other = run({"--base-logits", dir + "/base.logits", "--text", dir + "/t.txt", "--ctx-size", "16"});
  CHECK(other.exit_code == 1);
  CHECK_THAT(other.err, Catch::Contains("saved with ctx-size 32, --ctx-size is 16"));
  CHECK(lines(other.err) == "1");
  // A truncated file: exit 1, one line.
  const std::string bytes = slurp(dir + "/base.logits");
  test::write_file(dir + "/cut.logits", bytes.substr(0, bytes.size() - 100));
  const auto cut = run({"--base-logits", dir + "/cut.logits"});
  CHECK(cut.exit_code == 1);
  CHECK(lines(cut.err) == "1");
  CHECK_THAT(cut.err, Catch::Contains("cut.logits: truncated"));
  // Too little text for two chunks.
  const auto little = run({"--base", model, "--text", dir + "/t.txt", "--ctx-size", "4000"});
  CHECK(little.exit_code == 1);
  CHECK_THAT(little.err, Catch::Contains("at least 2 × ctx-size"));
}

TEST_CASE("eval kld save-base on token sequences and exit codes", "[eval-kld][reference]") {
  LFMB_REQUIRE_REFERENCE(ref);
  const std::string dir = test::temp_dir();
  const std::string model = ref + "/lfm2moe-q4_0.gguf", seqs = ref + "/sequences.txt";
  auto a = test::run_lfmb({"eval", "kld", "--base", model, "--model", model, "--tokens", seqs, "--save-base",
                           dir + "/s.logits", "--json"});
  INFO(a.err);
  REQUIRE(a.exit_code == 0);
  auto b = test::run_lfmb({"eval", "kld", "--base-logits", dir + "/s.logits", "--model", model, "--json"});
  REQUIRE(b.exit_code == 0);
  CHECK(a.out == b.out);
  const auto j = nlohmann::json::parse(a.out);
  CHECK(j["same_top_p"] == 1.0);  // the same model on the same backend: only the uint16 downcast remains
  CHECK(std::fabs(j["mean_kld"].get<double>()) < 1e-6);
  CHECK(std::fabs(j["mean_delta_p"].get<double>()) < 1e-3);
  const LogitsFile f(dir + "/s.logits");
  CHECK(!f.input().chunked);
  REQUIRE(f.input().segments.size() == 3);
  CHECK(f.input().segments[2].tokens.size() == 62);

  // Text report with the llama-perplexity sections.
  auto t = test::run_lfmb({"eval", "kld", "--base-logits", dir + "/s.logits", "--model", model});
  REQUIRE(t.exit_code == 0);
  CHECK_THAT(t.out, Catch::Contains("====== KL divergence statistics ======"));
  CHECK_THAT(t.out, Catch::Contains("Mean PPL(Q)/PPL(base)"));
  CHECK_THAT(t.out, Catch::Contains("Note: only 92 scored tokens"));
  CHECK(t.err.empty());
  // Same-top gate: a bound above 1 is a usage error, an unreachable one fails with one line.
  CHECK(test::run_lfmb({"eval", "kld", "--base-logits", dir + "/s.logits", "--model", model, "--min-same-top", "1.5"})
            .exit_code == 2);
  // A file made for another vocabulary.
  {
    LogitsFileWriter w(dir + "/v7.logits", sequence_input({{1, 2}}), 7);
    std::vector<uint16_t> rec(size_t(logits_record_size(7)));
    w.write_records(rec.data(), 1);
    w.commit();
  }
  auto v = test::run_lfmb({"eval", "kld", "--base-logits", dir + "/v7.logits", "--model", model});
  CHECK(v.exit_code == 1);
  CHECK_THAT(v.err, Catch::Contains("vocabulary of 340 tokens, the base has 7"));
  CHECK(lines(v.err) == "1");
  // Usage errors: 2.
  CHECK(test::run_lfmb({"eval", "kld", "--model", model, "--tokens", seqs}).exit_code == 2);  // no base
  CHECK(test::run_lfmb({"eval", "kld", "--base", model, "--model", model}).exit_code == 2);   // no input
  CHECK(test::run_lfmb({"eval", "kld", "--base", model, "--model", model, "--text", seqs}).exit_code == 2);
  CHECK(test::run_lfmb({"eval", "kld", "--base", model, "--model", model, "--tokens", seqs, "--max-mean-kld", "x"})
            .exit_code == 2);
  CHECK(test::run_lfmb({"eval", "diverge", "--base", model, "--model", model}).exit_code == 2);
  // Bad input: 1 with one line.
  const auto missing = test::run_lfmb({"eval", "kld", "--base", dir + "/none.gguf", "--model", model, "--tokens", seqs});
  CHECK(missing.exit_code == 1);
  CHECK(lines(missing.err) == "1");
  const auto mismatch = test::run_lfmb({"eval", "diverge", "--base", model, "--model", ref + "/qwen3-f32.gguf",
                                        "--tokens", seqs});
  CHECK(mismatch.exit_code == 1);
  CHECK(lines(mismatch.err) == "1");
}

TEST_CASE("the decision gate fails a perturbed tensor and passes the same file on another backend", "[eval-kld][reference]") {
  LFMB_REQUIRE_REFERENCE(ref);
  const std::string dir = test::temp_dir();
  const std::string orig = ref + "/lfm2moe-f32.gguf";
  const std::string bad = perturbed_copy(orig, dir + "/bad.gguf", "blk.3.ffn_down_exps.weight", 4.0f);
  // A multiple-choice task of 60 short documents: the decisions the gate pairs per doc_id.
  test::write_file(dir + "/tasks/mc.yaml", "task: mc\ndataset_path: mc\ndataset_kwargs: {data_files: {test: test.jsonl}}\n"
                                           "output_type: multiple_choice\ndoc_to_text: \"{{q}}\"\n"
                                           "doc_to_choice: [\" the\", \" a\", \" cat\", \" sat\"]\ndoc_to_target: 0\n"
                                           "metric_list: [{metric: acc}]\n");
  std::string docs;
  const char* words[] = {"one", "two", "red", "sun", "hat", "dog", "sky", "sea", "map", "cup"};
  for (int i = 0; i < 60; ++i)
    docs += nlohmann::json{{"q", std::string(words[i % 10]) + " " + words[(i * 7 + 3) % 10] + " " + words[(i * 3 + 1) % 10]}}.dump() + "\n";
  test::write_file(dir + "/data/mc/test.jsonl", docs);
  auto run = [&](const std::string& model, const std::string& backend, const std::string& out) {
    const auto r = test::run_lfmb({"eval", "--model", model, "--backend", backend, "--tasks", "mc", "--include-path",
                                   dir + "/tasks", "--data-dir", dir + "/data", "--output", dir + "/" + out, "--no-progress"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  };
  run(orig, "reference", "base");
  run(orig, "openblas", "same");
  run(bad, "reference", "bad");
  const auto pass = test::run_lfmb({"eval", "compare", dir + "/base", dir + "/same", "--max-flips", "0"});
  INFO(pass.out << pass.err);
  CHECK(pass.exit_code == 0);
  const auto fail = test::run_lfmb({"eval", "compare", dir + "/base", dir + "/bad", "--max-flips", "0", "--json"});
  CHECK(fail.exit_code == 1);
  const auto j = nlohmann::json::parse(fail.out);
  CHECK(j["tasks"]["mc"]["n_a_only"].get<int>() + j["tasks"]["mc"]["n_b_only"].get<int>() > 0);
}
