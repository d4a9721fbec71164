// Renders ChatML conversations exactly as the models' own Jinja chat templates do, for the two
// template families lfmb supports (no Jinja engine: each family is reimplemented and checked
// byte for byte against the real templates rendered by jinja2 in tests/test_chat_template.cpp).
//
//   ChatTemplate t = ChatTemplate::from_gguf(f);   // or ChatTemplate(ChatTemplateKind::Qwen3)
//   std::string prompt = t.render(messages, {.add_generation_prompt = true, .enable_thinking = false});
//   ids = tokenizer.encode(prompt, /*add_special=*/false, /*parse_special=*/true);
//
// The rendered text already contains any BOS the template writes (LFM2's <|startoftext|>), so
// encode it with add_special = false to avoid a second BOS.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace lfmb {

class GgufFile;

struct ChatMessage {
  std::string role;     // system | user | assistant | tool
  std::string content;
  std::optional<std::string> reasoning_content;  // Qwen3: an assistant turn's thinking, when kept apart
};

struct ChatRenderOptions {
  bool add_generation_prompt = true;
  bool enable_thinking = true;  // Qwen3: false opens the assistant turn with an empty <think> block
};

enum class ChatTemplateKind { Lfm2, Qwen3 };

class ChatTemplate {
 public:
  explicit ChatTemplate(ChatTemplateKind kind, std::string bos_token = "<|startoftext|>")
      : kind_(kind), bos_(std::move(bos_token)) {}

  // Recognises the template text by distinctive pieces; throws lfmb::Error (naming `source`) for
  // a template of any other family rather than guessing.
  static ChatTemplate from_jinja(const std::string& jinja, const std::string& source, std::string bos_token = "<|startoftext|>");
  // From tokenizer.chat_template of a GGUF (error when absent).
  static ChatTemplate from_gguf(const GgufFile& f);

  std::string render(const std::vector<ChatMessage>& messages, const ChatRenderOptions& opts = {}) const;
  ChatTemplateKind kind() const { return kind_; }

 private:
  std::string render_lfm2(const std::vector<ChatMessage>& messages, const ChatRenderOptions& opts) const;
  std::string render_qwen3(const std::vector<ChatMessage>& messages, const ChatRenderOptions& opts) const;

  ChatTemplateKind kind_;
  std::string bos_;
};

}  // namespace lfmb
