// Follows ggml-org/llama.cpp tools/perplexity/perplexity.cpp @050fc7f32de1 (see logits_file.h).
#include "eval/regression/logits_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.h"
#include "core/io/mapped_file.h"
#include "core/io/output_file.h"

namespace lfmb::eval {

namespace {

constexpr char kChunkMagic[] = "_logits_";
constexpr char kSequenceMagic[] = "_lfmbsq_";
constexpr uint64_t kHeaderBytes = 8 + 4 + 4 + 4;

void put_u32(std::string& b, uint32_t v) { b.append(reinterpret_cast<const char*>(&v), 4); }
void put_i32(std::string& b, int32_t v) { b.append(reinterpret_cast<const char*>(&v), 4); }

}  // namespace

int64_t logits_record_size(int64_t n_vocab) { return 2 * ((n_vocab + 1) / 2) + 4; }

double quantize_log_probs(const float* logits, int64_t n_vocab, int32_t next_token, uint16_t* record) {
  // The arithmetic (float here, double there) is llama.cpp's, so records match its files bit for bit.
  float max_logit = logits[0], min_logit = logits[0];
  for (int64_t i = 1; i < n_vocab; ++i) {
    max_logit = std::max(max_logit, logits[i]);
    min_logit = std::min(min_logit, logits[i]);
  }
  min_logit = std::max(min_logit, max_logit - 16);  // below e^-16 of the top everything stores as 0
  double sum_exp = 0.0;
  for (int64_t i = 0; i < n_vocab; ++i) sum_exp += std::exp(logits[i] - max_logit);
  const float log_sum_exp = float(std::log(sum_exp));
  const float min_log_prob = min_logit - max_logit - log_sum_exp;
  const float scale = (max_logit - min_logit) / 65535.f;
  std::memcpy(record, &scale, 4);
  std::memcpy(record + 2, &min_log_prob, 4);
  uint16_t* q = record + 4;
  std::fill(q, q + (logits_record_size(n_vocab) - 4), uint16_t(0));
  if (scale != 0.0f) {
    const float inv_scale = 1 / scale;
    for (int64_t i = 0; i < n_vocab; ++i)
      if (logits[i] > min_logit)  // round half to even, as llama.cpp's nearest_int
        q[i] = uint16_t(std::min(65535.0f, std::nearbyint(inv_scale * (logits[i] - min_logit))));
  }
  return max_logit + log_sum_exp - logits[next_token];
}

float record_scale(const uint16_t* record) {
  float v;
  std::memcpy(&v, record, 4);
  return v;
}

float record_min_log_prob(const uint16_t* record) {
  float v;
  std::memcpy(&v, record + 2, 4);
  return v;
}

int64_t KldInput::n_scored() const {
  int64_t n = 0;
  for (const KldSegment& s : segments) n += s.n_scored();
  return n;
}

KldInput chunked_input(const std::vector<int32_t>& tokens, int64_t n_ctx, int64_t max_chunks) {
  // llama-perplexity: n_ctx/2 must leave at least one scored position, and the text must fill two chunks.
  if (n_ctx < 3) throw Error(fmt::format("--ctx-size {}: must be at least 3 (half of each chunk is scored)", n_ctx));
  if (int64_t(tokens.size()) < 2 * n_ctx)
    throw Error(fmt::format("--text: {} tokens; llama-perplexity needs at least 2 × ctx-size = {}", tokens.size(),
                            2 * n_ctx));
  int64_t n_chunk = int64_t(tokens.size()) / n_ctx;
  if (max_chunks > 0) n_chunk = std::min(n_chunk, max_chunks);
  KldInput in;
  in.chunked = true;
  in.n_ctx = n_ctx;
  for (int64_t c = 0; c < n_chunk; ++c)
    in.segments.push_back(
        KldSegment{std::vector<int32_t>(tokens.begin() + c * n_ctx, tokens.begin() + (c + 1) * n_ctx), n_ctx / 2, true});
  return in;
}

KldInput sequence_input(std::vector<std::vector<int32_t>> sequences) {
  KldInput in;
  for (size_t i = 0; i < sequences.size(); ++i) {
    if (sequences[i].size() < 2)
      throw Error(fmt::format("--tokens: sequence {} has {} token(s); at least 2 are needed to score one", i + 1,
                              sequences[i].size()));
    in.segments.push_back(KldSegment{std::move(sequences[i]), 0, false});
  }
  if (in.segments.empty()) throw Error("--tokens: no sequences");
  return in;
}

LogitsFileWriter::LogitsFileWriter(const std::string& path, const KldInput& input, int64_t n_vocab)
    : out_(std::make_unique<OutputFile>(path, ParentDirs::MustExist)), n_vocab_(n_vocab), expected_(input.n_scored()) {
  if (input.segments.size() > size_t(std::numeric_limits<int32_t>::max()))
    throw Error(path + ": too many segments for the file format");
  std::string b;
  if (input.chunked) {
    b.append(kChunkMagic, 8);
    put_u32(b, uint32_t(input.n_ctx));
    put_i32(b, int32_t(n_vocab));
    put_i32(b, int32_t(input.segments.size()));
    // llama.cpp stores the text's tokens (the BOS replacement happens at evaluation).
    for (const KldSegment& s : input.segments)
      for (int32_t t : s.tokens) put_i32(b, t);
  } else {
    b.append(kSequenceMagic, 8);
    put_u32(b, 0);
    put_i32(b, int32_t(n_vocab));
    put_i32(b, int32_t(input.segments.size()));
    for (const KldSegment& s : input.segments) put_i32(b, int32_t(s.tokens.size()));
    for (const KldSegment& s : input.segments)
      for (int32_t t : s.tokens) put_i32(b, t);
  }
  out_->write(b);
}

LogitsFileWriter::~LogitsFileWriter() = default;

void LogitsFileWriter::write_records(const uint16_t* records, int64_t n_records) {
  out_->write(records, size_t(n_records * logits_record_size(n_vocab_)) * sizeof(uint16_t));
  written_ += n_records;
}

void LogitsFileWriter::commit() {
  if (written_ != expected_)
    throw Error(fmt::format("{}: {} records written, {} expected", out_->target().describe(), written_, expected_));
  out_->commit();
}

LogitsFile::LogitsFile(const std::string& path) : map_(std::make_unique<MappedFile>(path)) {
  const uint8_t* d = map_->data();
  const uint64_t size = map_->size();
  auto fail = [&](const std::string& what) -> Error { return Error(path + ": " + what); };
  if (size < kHeaderBytes) throw fail(fmt::format("{} bytes: too short for a base-logits header", size));
  const bool chunked = std::memcmp(d, kChunkMagic, 8) == 0;
  if (!chunked && std::memcmp(d, kSequenceMagic, 8) != 0)
    throw fail("not a base-logits file (magic is neither _logits_ nor _lfmbsq_)");
  uint32_t n_ctx;
  int32_t n_vocab, n_seg;
  std::memcpy(&n_ctx, d + 8, 4);
  std::memcpy(&n_vocab, d + 12, 4);
  std::memcpy(&n_seg, d + 16, 4);
  if (n_vocab < 1) throw fail(fmt::format("n_vocab {} is not positive", n_vocab));
  if (n_seg < 1) throw fail(fmt::format("{} {} is not positive", chunked ? "n_chunk" : "n_seq", n_seg));
  n_vocab_ = n_vocab;
  const uint64_t rec_bytes = uint64_t(logits_record_size(n_vocab)) * 2;
  uint64_t pos = kHeaderBytes;
  // Every count is checked against the bytes left before anything is sized by it.
  auto need = [&](uint64_t count, uint64_t unit, const char* what) {
    if (count > (size - pos) / unit)
      throw fail(fmt::format("truncated: {} {} need {} more bytes, {} left", count, what, count * unit, size - pos));
  };
  std::vector<int64_t> lengths;
  input_.chunked = chunked;
  if (chunked) {
    if (n_ctx < 3) throw fail(fmt::format("n_ctx {} leaves no scored position (at least 3)", n_ctx));
    input_.n_ctx = n_ctx;
    need(uint64_t(n_seg), 4 * uint64_t(n_ctx), "chunks of tokens");
    lengths.assign(size_t(n_seg), int64_t(n_ctx));
  } else {
    if (n_ctx != 0) throw fail(fmt::format("sequence layout with n_ctx {} (must be 0)", n_ctx));
    need(uint64_t(n_seg), 4, "sequence lengths");
    lengths.resize(size_t(n_seg));
    for (int32_t i = 0; i < n_seg; ++i) {
      int32_t len;
      std::memcpy(&len, d + pos + 4 * uint64_t(i), 4);
      if (len < 2) throw fail(fmt::format("sequence {} has length {} (at least 2)", i + 1, len));
      lengths[size_t(i)] = len;
    }
    pos += 4 * uint64_t(n_seg);
  }
  uint64_t n_tokens = 0, n_records = 0;
  for (int64_t len : lengths) {
    n_tokens += uint64_t(len);
    n_records += uint64_t(len - 1 - (chunked ? len / 2 : 0));
    need(n_tokens, 4, "tokens");
  }
  const uint64_t token_pos = pos;
  pos += 4 * n_tokens;
  need(n_records, rec_bytes, "records");
  if (pos + n_records * rec_bytes != size)
    throw fail(fmt::format("{} bytes after the last record (file size {}, expected {})", size - pos - n_records * rec_bytes,
                           size, pos + n_records * rec_bytes));
  uint64_t tp = token_pos, rp = pos;
  for (size_t s = 0; s < lengths.size(); ++s) {
    KldSegment seg;
    seg.tokens.resize(size_t(lengths[s]));
    std::memcpy(seg.tokens.data(), d + tp, size_t(lengths[s]) * 4);
    tp += uint64_t(lengths[s]) * 4;
    for (int32_t t : seg.tokens)
      if (t < 0 || t >= n_vocab) throw fail(fmt::format("token id {} out of range (n_vocab {})", t, n_vocab));
    seg.first = chunked ? lengths[s] / 2 : 0;
    seg.bos_first = chunked;
    record_offset_.push_back(rp);
    for (int64_t r = 0; r < seg.n_scored(); ++r) {
      const uint16_t* rec = reinterpret_cast<const uint16_t*>(d + rp + uint64_t(r) * rec_bytes);
      const float scale = record_scale(rec), mlp = record_min_log_prob(rec);
      if (!std::isfinite(scale) || scale < 0 || !std::isfinite(mlp) || mlp > 0)
        throw fail(fmt::format("record {} of segment {}: bad scale {} or min log-prob {}", r, s + 1, scale, mlp));
    }
    rp += uint64_t(seg.n_scored()) * rec_bytes;
    input_.segments.push_back(std::move(seg));
  }
}

LogitsFile::~LogitsFile() = default;

const uint16_t* LogitsFile::records(size_t segment) const {
  return reinterpret_cast<const uint16_t*>(map_->data() + record_offset_.at(segment));
}

}  // namespace lfmb::eval
