// Turns generated token ids into text as they arrive without ever emitting half a UTF-8
// character: bytes of an incomplete character are held back until the rest arrives.
#pragma once
#include <cstdint>
#include <string>

#include "core/tokenizer/tokenizer.h"

namespace lfmb {

class StreamingDecoder {
 public:
  explicit StreamingDecoder(const Tokenizer& tok, bool special = true) : tok_(tok), special_(special) {}

  // Text that became complete with this token (possibly empty).
  std::string push(int32_t id);
  // Whatever is still held back (an incomplete character at the end of the stream), as is.
  std::string flush();

 private:
  const Tokenizer& tok_;
  bool special_;
  std::string pending_;
};

}  // namespace lfmb
