// The base-logits file of `lfmb eval kld` (--save-base / --base-logits): llama-perplexity's
// `--kl-divergence-base` format, so base log-probs are computed once and reused, and files are
// exchangeable with llama.cpp for text (chunk) input.
// Follows ggml-org/llama.cpp tools/perplexity/perplexity.cpp (log_softmax with a uint16 record,
// perplexity(), kl_divergence()), read at 050fc7f32de1 (the stored version; protocols name de3ff815ea7d).
//
// Chunk layout (llama.cpp's, little-endian):
//   "_logits_" | uint32 n_ctx | int32 n_vocab | int32 n_chunk | int32 tokens[n_ctx × n_chunk]
//   then, per chunk, one record per scored position n_ctx/2 .. n_ctx−2.
// Sequence layout (lfmb's extension for --tokens input, where sequences have their own lengths and
// every position with a next token is scored; a different magic so llama.cpp refuses it cleanly):
//   "_lfmbsq_" | uint32 0 | int32 n_vocab | int32 n_seq | int32 length[n_seq] | int32 tokens[Σ length]
//   then, per sequence, one record per position 0 .. length−2.
// A record is nv = 2·((n_vocab+1)/2) + 4 uint16: float scale, float min_log_prob (4 uint16), then
// q_i with log p_i = scale·q_i + min_log_prob (q_i = 0 at or below max_logit − 16).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lfmb {
class MappedFile;
class OutputFile;
}

namespace lfmb::eval {

// uint16 values per record (the padding keeps records 4-byte aligned).
int64_t logits_record_size(int64_t n_vocab);

// Quantises the log-softmax of `logits` into `record` (logits_record_size values) as llama.cpp
// does, and returns −log p(next_token) computed from the unquantised logits.
double quantize_log_probs(const float* logits, int64_t n_vocab, int32_t next_token, uint16_t* record);
// log p_i from a record.
float record_scale(const uint16_t* record);
float record_min_log_prob(const uint16_t* record);
inline float record_log_prob(const uint16_t* record, float scale, float min_log_prob, int64_t i) {
  return scale * float(record[4 + i]) + min_log_prob;
}

// One scored stretch of tokens: the model runs `tokens` from position 0 (with tokens[0] replaced by
// BOS when `bos_first` and the model's vocabulary adds BOS); positions first .. tokens.size()−2 are
// scored against the next token.
struct KldSegment {
  std::vector<int32_t> tokens;
  int64_t first = 0;
  bool bos_first = false;
  int64_t n_scored() const { return int64_t(tokens.size()) - 1 - first; }
};

// What a base-logits file holds apart from the records: the input, in one of the two layouts.
struct KldInput {
  bool chunked = false;  // true: llama.cpp chunks of n_ctx; false: sequences
  int64_t n_ctx = 0;     // chunked only
  std::vector<KldSegment> segments;
  int64_t n_scored() const;
};
// Chunks of n_ctx tokens of `tokens` (at most max_chunks when > 0, all whole chunks otherwise), the
// second half of each scored, BOS in front of each (llama-perplexity's perplexity()).
KldInput chunked_input(const std::vector<int32_t>& tokens, int64_t n_ctx, int64_t max_chunks);
// Every sequence scored at every position that has a next token.
KldInput sequence_input(std::vector<std::vector<int32_t>> sequences);

// Streams a base-logits file: header and tokens on construction, then the segments' records in order.
class LogitsFileWriter {
 public:
  LogitsFileWriter(const std::string& path, const KldInput& input, int64_t n_vocab);
  ~LogitsFileWriter();
  void write_records(const uint16_t* records, int64_t n_records);
  void commit();  // throws unless exactly n_scored records were written

 private:
  std::unique_ptr<OutputFile> out_;
  int64_t n_vocab_ = 0, expected_ = 0, written_ = 0;
};

// A base-logits file, mapped; the header, sizes and tokens are validated on opening (one-line
// lfmb::Error naming the file and the problem).
class LogitsFile {
 public:
  explicit LogitsFile(const std::string& path);
  ~LogitsFile();
  const KldInput& input() const { return input_; }
  int64_t n_vocab() const { return n_vocab_; }
  // The records of segment `i` (n_scored × logits_record_size values).
  const uint16_t* records(size_t segment) const;

 private:
  std::unique_ptr<MappedFile> map_;
  KldInput input_;
  int64_t n_vocab_ = 0;
  std::vector<uint64_t> record_offset_;  // byte offset of each segment's records
};

}  // namespace lfmb::eval
