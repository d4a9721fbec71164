// Verifiable instructions: the rule-based checkers of IFEval, IFBench and Multi-IF. Each official
// checker class (build_description(**kwargs) then check_following(response)) becomes one
// InstructionType here: `build` takes the document's kwargs for that instruction (and the prompt,
// for the types whose arguments name it) and returns the checker for responses. Families (the
// part of an id before ':') live one per file in this folder; registry.cpp lists them per suite.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace lfmb::eval::instructions {

// What build_description receives.
struct InstructionInput {
  const std::string& id;          // "keywords:frequency" (for error messages)
  const nlohmann::json& kwargs;   // an object: this instruction's arguments from the data
  const std::string& prompt;      // the document's prompt (combination:repeat_prompt and the like)
};

// A built instruction: true when the response follows it (check_following).
using Checker = std::function<bool(const std::string& response)>;

struct InstructionType {
  std::string id;                                           // "keywords:frequency"
  std::function<Checker(const InstructionInput&)> build;    // throws lfmb::Error on bad kwargs
  std::string source;  // the official class it ports: "<repo> <file> <Class> @<commit>"
  // Empty when the port decides as the official code does; otherwise what differs (e.g. NLTK's
  // punkt replaced by a rule-based splitter): such types are listed in results as approximate.
  std::string approximation;
};

// Suites: "ifeval", "ifbench", "multi_if". nullptr when the suite or id is unknown.
const InstructionType* find_instruction(std::string_view suite, std::string_view id);
std::vector<std::string> instruction_ids(std::string_view suite);  // sorted
std::vector<std::string> instruction_suites();

}  // namespace lfmb::eval::instructions
