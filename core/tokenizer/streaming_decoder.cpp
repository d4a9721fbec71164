#include "core/tokenizer/streaming_decoder.h"

namespace lfmb {

namespace {

// Length a UTF-8 sequence announces by its lead byte (1 for anything that is not a lead byte,
// so that invalid bytes are passed through rather than held forever).
size_t sequence_length(uint8_t lead) {
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

}  // namespace

std::string StreamingDecoder::push(int32_t id) {
  if (!special_ && tok_.type(id) == TokenType::Control) return {};
  pending_ += tok_.token_bytes(id);
  // Find where the last character starts and whether it is complete.
  size_t start = pending_.size();
  size_t back = 0;
  while (start > 0 && back < 4) {
    --start;
    ++back;
    if ((uint8_t(pending_[start]) & 0xC0) != 0x80) break;
  }
  size_t cut = pending_.size();
  if (start < pending_.size() && (uint8_t(pending_[start]) & 0xC0) != 0x80 &&
      sequence_length(uint8_t(pending_[start])) > pending_.size() - start)
    cut = start;  // last character incomplete: hold it back
  std::string ready = pending_.substr(0, cut);
  pending_.erase(0, cut);
  return ready;
}

std::string StreamingDecoder::flush() {
  std::string rest;
  rest.swap(pending_);
  return rest;
}

}  // namespace lfmb
