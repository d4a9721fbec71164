#include "core/tokenizer/chat_template.h"

#include "core/error.h"
#include "core/gguf/gguf_reader.h"

namespace lfmb {

namespace {

bool contains(const std::string& s, const char* piece) { return s.find(piece) != std::string::npos; }
bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
bool ends_with(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

// Python's str.lstrip('\n') / rstrip('\n') / strip('\n'), as the Qwen3 template uses them.
std::string lstrip_nl(const std::string& s) {
  const size_t i = s.find_first_not_of('\n');
  return i == std::string::npos ? "" : s.substr(i);
}
std::string rstrip_nl(const std::string& s) {
  const size_t i = s.find_last_not_of('\n');
  return i == std::string::npos ? "" : s.substr(0, i + 1);
}
std::string strip_nl(const std::string& s) { return lstrip_nl(rstrip_nl(s)); }

// Python's s.split(sep)[-1] and s.split(sep)[0].
std::string after_last(const std::string& s, const std::string& sep) {
  const size_t i = s.rfind(sep);
  return i == std::string::npos ? s : s.substr(i + sep.size());
}
std::string before_first(const std::string& s, const std::string& sep) {
  const size_t i = s.find(sep);
  return i == std::string::npos ? s : s.substr(0, i);
}

}  // namespace

ChatTemplate ChatTemplate::from_jinja(const std::string& jinja, const std::string& source, std::string bos_token) {
  // LFM2: writes bos_token itself and lists tools between <|tool_list_start|> markers.
  if (contains(jinja, "<|im_start|>") && contains(jinja, "bos_token") && contains(jinja, "<|tool_list_start|>"))
    return ChatTemplate(ChatTemplateKind::Lfm2, std::move(bos_token));
  // Qwen3: thinking switch and the last-user-query bookkeeping for <think> blocks.
  if (contains(jinja, "<|im_start|>") && contains(jinja, "enable_thinking") && contains(jinja, "last_query_index") &&
      contains(jinja, "</think>"))
    return ChatTemplate(ChatTemplateKind::Qwen3, std::move(bos_token));
  throw Error(source + ": unrecognised chat template (supported: LFM2 and Qwen3 ChatML templates)");
}

ChatTemplate ChatTemplate::from_gguf(const GgufFile& f) {
  if (!f.has("tokenizer.chat_template")) throw Error(f.path() + ": no chat template (tokenizer.chat_template missing)");
  std::string bos = "<|startoftext|>";
  if (f.has("tokenizer.ggml.bos_token_id") && f.has("tokenizer.ggml.tokens")) {
    const auto tokens = f.get_string_array("tokenizer.ggml.tokens");
    const uint32_t id = f.get_u32("tokenizer.ggml.bos_token_id");
    if (id < tokens.size()) bos = tokens[id];
  }
  return from_jinja(f.get_string("tokenizer.chat_template"), f.path() + ": tokenizer.chat_template", bos);
}

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages, const ChatRenderOptions& opts) const {
  if (messages.empty()) throw Error("chat template: conversation has no messages");
  return kind_ == ChatTemplateKind::Lfm2 ? render_lfm2(messages, opts) : render_qwen3(messages, opts);
}

std::string ChatTemplate::render_lfm2(const std::vector<ChatMessage>& messages, const ChatRenderOptions& opts) const {
  std::string out = bos_;
  size_t first = 0;
  if (messages[0].role == "system") {
    // An empty system prompt is falsy in Jinja and produces no system turn.
    if (!messages[0].content.empty()) out += "<|im_start|>system\n" + messages[0].content + "<|im_end|>\n";
    first = 1;
  }
  for (size_t i = first; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    std::string content = m.content;
    if (m.role == "tool") content = "<|tool_response_start|>" + content + "<|tool_response_end|>";
    out += "<|im_start|>" + m.role + "\n" + content + "<|im_end|>\n";
  }
  if (opts.add_generation_prompt) out += "<|im_start|>assistant\n";
  return out;
}

std::string ChatTemplate::render_qwen3(const std::vector<ChatMessage>& messages, const ChatRenderOptions& opts) const {
  std::string out;
  if (messages[0].role == "system") out += "<|im_start|>system\n" + messages[0].content + "<|im_end|>\n";

  // The last user turn that is a real query (not a wrapped tool response): thinking is only
  // shown for assistant turns after it.
  size_t last_query = messages.size() - 1;
  for (size_t k = messages.size(); k-- > 0;) {
    const ChatMessage& m = messages[k];
    if (m.role == "user" && !(starts_with(m.content, "<tool_response>") && ends_with(m.content, "</tool_response>"))) {
      last_query = k;
      break;
    }
  }

  for (size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    const bool last = i + 1 == messages.size();
    if (m.role == "user" || (m.role == "system" && i != 0)) {
      out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
    } else if (m.role == "assistant") {
      std::string content = m.content, reasoning;
      if (m.reasoning_content) {
        reasoning = *m.reasoning_content;
      } else if (contains(m.content, "</think>")) {
        content = lstrip_nl(after_last(m.content, "</think>"));
        reasoning = lstrip_nl(after_last(rstrip_nl(before_first(m.content, "</think>")), "<think>"));
      }
      if (i > last_query && (last || !reasoning.empty()))
        out += "<|im_start|>assistant\n<think>\n" + strip_nl(reasoning) + "\n</think>\n\n" + lstrip_nl(content);
      else
        out += "<|im_start|>assistant\n" + content;
      out += "<|im_end|>\n";
    } else if (m.role == "tool") {
      if (i == 0 || messages[i - 1].role != "tool") out += "<|im_start|>user";
      out += "\n<tool_response>\n" + m.content + "\n</tool_response>";
      if (last || messages[i + 1].role != "tool") out += "<|im_end|>\n";
    }
    // Other roles are skipped, as the template does.
  }
  if (opts.add_generation_prompt) {
    out += "<|im_start|>assistant\n";
    if (!opts.enable_thinking) out += "<think>\n\n</think>\n\n";
  }
  return out;
}

}  // namespace lfmb
