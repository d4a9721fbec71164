// Strict and loose instruction following, ported from lm-eval tasks/ifeval/utils.py
// (EleutherAI/lm-evaluation-harness @4e7e0d47f33b: test_instruction_following_strict / _loose),
// which are google-research instruction_following_eval/evaluation_lib.py (@4c429948) plus
// dropping unset kwargs. Differences between the three official copies, and what lfmb does:
//   - kwargs: google-research passes them as given; lm-eval drops falsy values (`if v`); IFBench
//     drops None values (`if v is not None`). lfmb drops null values. The IFEval data has no
//     falsy non-null kwargs (checked over all 541 documents), so all three agree on it.
//   - "prompt" in get_instruction_args(): the official code then rebuilds with the prompt. Every
//     type receives the prompt in InstructionInput and uses it only where its official args hold
//     "prompt" (no IFEval type does; some IFBench types do).
#include "eval/instructions/follow.h"

#include "core/error.h"
#include "eval/instructions/instruction.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

namespace {

bool all_of(const std::vector<bool>& v) {  // Python all(): true for an empty list
  for (bool b : v)
    if (!b) return false;
  return true;
}

// "\n".join(parts[from:to]) with Python slice bounds (to may be before from: empty).
std::string join_lines(const std::vector<std::string>& parts, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    if (i > from) out += '\n';
    out += parts[i];
  }
  return out;
}

}  // namespace

bool FollowResult::all_strict() const { return all_of(strict); }
bool FollowResult::all_loose() const { return all_of(loose); }

std::vector<std::string> loose_variants(const std::string& response) {
  // r = response.split("\n"): at least one item, so r[1:], r[:-1] and r[1:-1] are well defined.
  const std::vector<std::string> r = py_split_sep(response, "\n");
  const size_t n = r.size();
  const std::string remove_first = py_strip(join_lines(r, 1, n));
  const std::string remove_last = py_strip(join_lines(r, 0, n - 1));
  const std::string remove_both = n >= 2 ? py_strip(join_lines(r, 1, n - 1)) : std::string();
  auto no_stars = [](const std::string& s) { return py_replace(s, "*", ""); };
  return {response,         no_stars(response),     remove_first,          remove_last,
          remove_both,      no_stars(remove_first), no_stars(remove_last), no_stars(remove_both)};
}

FollowResult test_following(const std::string& suite, const std::vector<std::string>& ids,
                            const std::vector<nlohmann::json>& kwargs, const std::string& prompt,
                            const std::string& response) {
  if (ids.size() != kwargs.size())
    throw Error("instruction following: " + std::to_string(ids.size()) + " instruction ids but " +
                std::to_string(kwargs.size()) + " kwargs");
  const std::vector<std::string> variants = loose_variants(response);
  // The official code skips a variant whose .strip() is empty; decide that once per variant.
  std::vector<bool> usable;
  for (const std::string& v : variants) usable.push_back(!py_strip(v).empty());

  FollowResult out;
  for (size_t i = 0; i < ids.size(); ++i) {
    const InstructionType* type = find_instruction(suite, ids[i]);
    if (!type) throw Error("instruction '" + ids[i] + "' is not a known " + suite + " instruction");
    nlohmann::json args = nlohmann::json::object();
    if (kwargs[i].is_object()) {
      for (const auto& [key, value] : kwargs[i].items())
        if (!value.is_null()) args[key] = value;
    } else if (!kwargs[i].is_null()) {
      throw Error("instruction '" + ids[i] + "': kwargs must be an object, not " + kwargs[i].dump());
    }
    const InstructionInput in{ids[i], args, prompt};
    const Checker check = type->build(in);
    out.strict.push_back(usable[0] && check(response));
    bool loose = false;
    for (size_t v = 0; v < variants.size() && !loose; ++v) loose = usable[v] && check(variants[v]);
    out.loose.push_back(loose);
  }
  return out;
}

}  // namespace lfmb::eval::instructions
