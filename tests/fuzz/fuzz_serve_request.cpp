// Fuzz target: lfmb serve's request parser (core/server/completion_request) on a raw HTTP body,
// as both endpoints read it (/v1/completions and /v1/chat/completions), under the default limits
// and under tight ones (so the size checks themselves are reached). Bad bodies may only end in
// lfmb::Error; a parsed request must respect every limit it was parsed under.
#include <cstdlib>
#include <string_view>

#include "core/server/completion_request.h"
#include "tests/fuzz/support.h"

using namespace lfmb;

namespace {

void check(const CompletionRequest& r, const RequestLimits& lim) {
  bool ok = r.prompt.size() <= lim.max_text_bytes && r.messages.size() <= lim.max_messages &&
            r.stop.size() <= lim.max_stop_strings && (!r.max_tokens || (*r.max_tokens >= 1 && *r.max_tokens <= lim.n_ctx)) &&
            r.temperature >= 0 && r.temperature <= 2 && r.top_p >= 0 && r.top_p <= 1 && r.min_p >= 0 && r.min_p <= 1 &&
            r.top_k >= 0;
  for (const ChatMessage& m : r.messages) ok = ok && m.content.size() <= lim.max_text_bytes;
  for (const std::string& s : r.stop) ok = ok && !s.empty() && s.size() <= lim.max_stop_bytes;
  if (!ok) fuzz::unexpected_exception("a parsed request breaks a limit");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  RequestLimits tight;
  tight.max_body_bytes = 512;
  tight.max_text_bytes = 16;
  tight.max_messages = 2;
  tight.max_stop_strings = 2;
  tight.max_stop_bytes = 4;
  tight.max_json_depth = 4;
  tight.n_ctx = 64;
  for (const RequestLimits& lim : {RequestLimits{}, tight})
    for (CompletionKind kind : {CompletionKind::Text, CompletionKind::Chat})
      fuzz::expect_only_lfmb_errors([&] { check(parse_completion_request(body, kind, lim), lim); });
  return 0;
}
