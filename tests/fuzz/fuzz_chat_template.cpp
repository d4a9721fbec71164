// Fuzz target: chat template recognition (ChatTemplate::from_jinja) and rendering of fuzzed
// conversations (core/tokenizer/chat_template), both for the recognised template and for each
// family directly, so rendering is exercised even when the Jinja text is not recognised.
// Input: NUL-separated fields: Jinja text, a flags byte (bit 0 add_generation_prompt, bit 1
// enable_thinking), then one message per field: role, '\n', content, optionally '\x1f' and the
// reasoning_content.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tokenizer/chat_template.h"
#include "tests/fuzz/support.h"

using namespace lfmb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto fields = fuzz::split_fields(std::string_view(reinterpret_cast<const char*>(data), size), '\0');
  const std::string jinja(fields[0]);
  ChatRenderOptions opts;
  if (fields.size() > 1 && !fields[1].empty()) {
    opts.add_generation_prompt = fields[1][0] & 1;
    opts.enable_thinking = fields[1][0] & 2;
  }
  std::vector<ChatMessage> messages;
  for (size_t i = 2; i < fields.size(); ++i) {
    std::string_view m = fields[i];
    const size_t nl = m.find('\n');
    ChatMessage msg;
    msg.role = std::string(m.substr(0, nl));
    if (nl != std::string_view::npos) {
      std::string_view rest = m.substr(nl + 1);
      const size_t us = rest.find('\x1f');
      msg.content = std::string(rest.substr(0, us));
      if (us != std::string_view::npos) msg.reasoning_content = std::string(rest.substr(us + 1));
    }
    messages.push_back(std::move(msg));
  }

  fuzz::expect_only_lfmb_errors([&] { (void)ChatTemplate::from_jinja(jinja, "fuzz.jinja").render(messages, opts); });
  fuzz::expect_only_lfmb_errors([&] { (void)ChatTemplate(ChatTemplateKind::Lfm2).render(messages, opts); });
  fuzz::expect_only_lfmb_errors([&] { (void)ChatTemplate(ChatTemplateKind::Qwen3, "").render(messages, opts); });
  return 0;
}
