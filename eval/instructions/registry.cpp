// The instruction suites and the families each one holds: one line per family.
#include <algorithm>
#include <map>

#include "core/error.h"
#include "eval/instructions/families.h"

namespace lfmb::eval::instructions {

namespace {

using Suite = std::map<std::string, InstructionType, std::less<>>;

const std::map<std::string, Suite, std::less<>>& suites() {
  static const std::map<std::string, Suite, std::less<>> all = [] {
    std::map<std::string, Suite, std::less<>> m;
    auto add = [&m](const std::string& suite, std::vector<InstructionType> family) {
      for (InstructionType& t : family) {
        const std::string id = t.id;
        if (!m[suite].emplace(id, std::move(t)).second) throw Error("instruction registry: '" + id + "' twice in " + suite);
      }
    };
    m["ifeval"];
    m["ifbench"];
    m["multi_if"];
    // ifeval
    add("ifeval", ifeval_change_case());
    add("ifeval", ifeval_combination());
    add("ifeval", ifeval_detectable_content());
    add("ifeval", ifeval_detectable_format());
    add("ifeval", ifeval_keywords());
    add("ifeval", ifeval_language());
    add("ifeval", ifeval_length_constraints());
    add("ifeval", ifeval_punctuation());
    add("ifeval", ifeval_startend());
    // ifbench
    add("ifbench", ifbench_count());
    add("ifbench", ifbench_ratio());
    add("ifbench", ifbench_sentence());
    add("ifbench", ifbench_words());
    add("ifbench", ifbench_custom());
    add("ifbench", ifbench_format());
    add("ifbench", ifbench_repeat());
    // multi_if: Multi-IF's ifeval.py holds IFEval's 25 types; where its checker differs, its own
    // version (multi_if_*.cpp) replaces IFEval's.
    for (std::vector<InstructionType> own : {multi_if_length_constraints(), multi_if_startend()})
      for (InstructionType& t : own) m["multi_if"].emplace(t.id, std::move(t));
    for (const auto& [id, t] : m["ifeval"]) m["multi_if"].emplace(id, t);  // keeps an own version
    return m;
  }();
  return all;
}

}  // namespace

const InstructionType* find_instruction(std::string_view suite, std::string_view id) {
  auto s = suites().find(suite);
  if (s == suites().end()) return nullptr;
  auto t = s->second.find(id);
  return t == s->second.end() ? nullptr : &t->second;
}

std::vector<std::string> instruction_ids(std::string_view suite) {
  std::vector<std::string> out;
  auto s = suites().find(suite);
  if (s != suites().end())
    for (const auto& [id, t] : s->second) out.push_back(id);
  return out;
}

std::vector<std::string> instruction_suites() {
  std::vector<std::string> out;
  for (const auto& [name, s] : suites()) out.push_back(name);
  return out;
}

}  // namespace lfmb::eval::instructions
