// Follows ggml-org/llama.cpp tools/perplexity/perplexity.cpp @050fc7f32de1 (see kld_run.h).
#include "eval/regression/kld_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "core/error.h"
#include "core/gguf/gguf_reader.h"
#include "core/model/model.h"
#include "core/tokenizer/tokenizer.h"
#include "eval/data/table_reader.h"
#include "eval/regression/logits_file.h"
#include "eval/regression/token_sequences.h"

namespace lfmb::eval {

namespace {

int64_t longest_segment(const KldInput& in) {
  int64_t n = 0;
  for (const KldSegment& s : in.segments) n = std::max<int64_t>(n, int64_t(s.tokens.size()));
  return n;
}

// The BOS id a chunk starts with under this model's vocabulary (nullopt when it adds none).
std::optional<int32_t> chunk_bos(const Model& m) {
  const Tokenizer tok = Tokenizer::from_gguf(m.file());
  if (!tok.add_bos()) return std::nullopt;
  if (!tok.bos()) throw Error(m.path() + ": the vocabulary adds BOS but names no BOS token");
  return tok.bos();
}

// Logits of a segment's scored positions (n_scored × n_vocab), from a fresh sequence.
std::vector<float> scored_logits(Session& s, const KldSegment& seg, std::optional<int32_t> bos, int64_t n_vocab) {
  std::vector<int32_t> toks = seg.tokens;
  if (seg.bos_first && bos) toks[0] = *bos;  // llama-perplexity: BOS replaces each chunk's first token
  s.reset();
  std::vector<float> logits = s.prefill(toks);
  logits.erase(logits.begin(), logits.begin() + seg.first * n_vocab);
  logits.resize(size_t(seg.n_scored() * n_vocab));
  return logits;
}

KldInput input_from_options(const KldRunOptions& o) {
  if (!o.tokens_file.empty()) return sequence_input(read_token_sequences(o.tokens_file));
  // common_tokenize(ctx, text, add_special = true): BOS in front when the vocabulary adds it, special
  // tokens in the text not parsed.
  const GgufFile f(o.model.path);
  Tokenizer tok = Tokenizer::from_gguf(f);
  const std::string text = read_data_file(o.text_file);
  return chunked_input(tok.encode(text, /*add_special=*/true, /*parse_special=*/false), o.ctx_size, o.chunks);
}

void check_same_input(const KldInput& given, const KldInput& stored, const KldRunOptions& o) {
  const std::string what = o.tokens_file.empty() ? "--text " + o.text_file : "--tokens " + o.tokens_file;
  if (given.chunked != stored.chunked)
    throw Error(fmt::format("{}: holds {}, but {} was given", o.base_logits,
                            stored.chunked ? "text chunks" : "token sequences", what));
  if (given.chunked && given.n_ctx != stored.n_ctx)
    throw Error(fmt::format("{}: saved with ctx-size {}, --ctx-size is {}", o.base_logits, stored.n_ctx, given.n_ctx));
  if (given.segments.size() != stored.segments.size())
    throw Error(fmt::format("{}: holds {} segments, {} has {}", o.base_logits, stored.segments.size(), what,
                            given.segments.size()));
  for (size_t i = 0; i < given.segments.size(); ++i)
    if (given.segments[i].tokens != stored.segments[i].tokens)
      throw Error(fmt::format("{}: segment {} has other tokens than {}", o.base_logits, i + 1, what));
}

}  // namespace

KldAccumulator run_kld(const KldRunOptions& o) {
  KldInput input;
  std::unique_ptr<LogitsFile> file;
  std::vector<std::vector<uint16_t>> base_records;  // per segment, when the base model runs here
  int64_t base_vocab = 0;
  const bool given_input = !o.tokens_file.empty() || !o.text_file.empty();
  if (!o.base_logits.empty()) {
    file = std::make_unique<LogitsFile>(o.base_logits);
    input = file->input();
    base_vocab = file->n_vocab();
    if (given_input) check_same_input(input_from_options(o), input, o);
  } else {
    if (!given_input) throw Error("kld: give --tokens FILE or --text FILE (or --base-logits FILE)");
    input = input_from_options(o);
    const Model base(o.base.path, o.base.options(o.threads, longest_segment(input)));
    base_vocab = base.config().n_vocab;
    const int64_t nv = logits_record_size(base_vocab);
    const std::optional<int32_t> bos = chunk_bos(base);
    std::unique_ptr<LogitsFileWriter> writer;
    if (!o.save_base.empty()) writer = std::make_unique<LogitsFileWriter>(o.save_base, input, base_vocab);
    Session s(base);
    for (const KldSegment& seg : input.segments) {
      const std::vector<float> logits = scored_logits(s, seg, bos, base_vocab);
      std::vector<uint16_t> rec(size_t(seg.n_scored() * nv));
      for (int64_t p = 0; p < seg.n_scored(); ++p)
        quantize_log_probs(logits.data() + p * base_vocab, base_vocab, seg.tokens[size_t(seg.first + p + 1)],
                           rec.data() + p * nv);
      if (writer) writer->write_records(rec.data(), seg.n_scored());
      base_records.push_back(std::move(rec));
    }
    if (writer) writer->commit();
  }

  const Model model(o.model.path, o.model.options(o.threads, longest_segment(input)));
  const int64_t V = model.config().n_vocab;
  if (V != base_vocab)
    throw Error(fmt::format("{}: vocabulary of {} tokens, the base has {}", o.model.path, V, base_vocab));
  const int64_t nv = logits_record_size(V);
  const std::optional<int32_t> bos = chunk_bos(model);
  KldAccumulator acc;
  Session s(model);
  for (size_t i = 0; i < input.segments.size(); ++i) {
    const KldSegment& seg = input.segments[i];
    const std::vector<float> logits = scored_logits(s, seg, bos, V);
    const uint16_t* rec = file ? file->records(i) : base_records[i].data();
    for (int64_t p = 0; p < seg.n_scored(); ++p)
      acc.add(logits.data() + p * V, V, rec + p * nv, seg.tokens[size_t(seg.first + p + 1)]);
  }
  return acc;
}

}  // namespace lfmb::eval
