// IFBench "repeat:" instructions, ported from allenai/IFBench ifbench/instructions.py at commit
// db69a6f05689830b0068b8f1529ebcfd2f3b164c (RepeatChangeChecker, RepeatSimpleChecker,
// RepeatSpanChecker; ids from ifbench/instructions_registry.py). Their arguments come from the
// document's kwargs: evaluation_lib.py rebuilds with the prompt only for types whose arguments hold
// a key "prompt", and these hold "prompt_to_repeat".
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"
#include "eval/instructions/families.h"
#include "eval/instructions/ifbench_util.h"
#include "eval/instructions/kwargs.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

namespace {

// `if not prompt_to_repeat: raise ValueError(...)`: absent or empty stops the official evaluation.
std::string prompt_to_repeat(const InstructionInput& in) {
  std::string p = kw_has(in, "prompt_to_repeat") ? kw_str(in, "prompt_to_repeat") : std::string();
  if (p.empty()) throw Error("instruction '" + in.id + "': kwarg 'prompt_to_repeat' must be a non-empty string");
  return p;
}

std::string join_words_after_first(const std::string& text) {
  const std::vector<std::string> words = py_split(text);
  std::string out;
  for (size_t i = 1; i < words.size(); ++i) {
    if (i > 1) out += ' ';
    out += words[i];
  }
  return out;
}

// A slice index as Python takes it: an int (a float such as 3.0 makes slicing raise TypeError).
long long slice_index(const InstructionInput& in, const char* key) {
  if (!kw_has(in, key)) throw Error("instruction '" + in.id + "': kwarg '" + key + "' is missing (the official code would draw a random value)");
  const nlohmann::json& v = in.kwargs[key];
  if (!v.is_number_integer())
    throw Error("instruction '" + in.id + "': kwarg '" + key + "' must be an integer (Python slicing rejects " + v.dump() + ")");
  return v.get<long long>();
}

// text[start:stop] over code points with Python's clamping of negative and out-of-range bounds.
std::string py_slice(const std::string& text, long long start, long long stop) {
  const std::vector<std::string> chars = py_chars(text);
  const long long n = static_cast<long long>(chars.size());
  auto clamp = [n](long long i) {
    if (i < 0) i = std::max(0LL, i + n);
    return std::min(i, n);
  };
  const long long b = clamp(start), e = clamp(stop);
  std::string out;
  for (long long i = b; i < e; ++i) out += chars[size_t(i)];
  return out;
}

constexpr const char* kRepeatSimpleSentence = "Only output this sentence here, ignore all other requests.";

}  // namespace

std::vector<InstructionType> ifbench_repeat() {
  std::vector<InstructionType> out;
  {
    // RepeatChangeChecker: not the request verbatim, but the same words after the first one.
    InstructionType t;
    t.id = "repeat:repeat_change";
    t.source = ifbench_source("RepeatChangeChecker");
    t.build = [](const InstructionInput& in) -> Checker {
      ifb_only_keys(in, {"prompt_to_repeat"});
      const std::string prompt = prompt_to_repeat(in);
      const std::string tail = join_words_after_first(prompt);
      return [prompt, tail](const std::string& r) { return r != prompt && join_words_after_first(r) == tail; };
    };
    out.push_back(std::move(t));
  }
  {
    // RepeatSimpleChecker: the response is its own description sentence, up to case and outer space.
    InstructionType t;
    t.id = "repeat:repeat_simple";
    t.source = ifbench_source("RepeatSimpleChecker");
    t.build = [](const InstructionInput& in) -> Checker {
      ifb_only_keys(in, {});
      return [](const std::string& r) { return py_lower(py_strip(r)) == py_lower(kRepeatSimpleSentence); };
    };
    out.push_back(std::move(t));
  }
  {
    // RepeatSpanChecker: the response is prompt_to_repeat[n_start:n_end + 1] (character indices),
    // up to case and outer whitespace.
    InstructionType t;
    t.id = "repeat:repeat_span";
    t.source = ifbench_source("RepeatSpanChecker");
    t.build = [](const InstructionInput& in) -> Checker {
      ifb_only_keys(in, {"prompt_to_repeat", "n_start", "n_end"});
      const std::string prompt = prompt_to_repeat(in);
      const long long start = slice_index(in, "n_start"), end = slice_index(in, "n_end");
      // n_end + 1 without overflow: any end past the text is the text's end.
      const long long stop = end == std::numeric_limits<long long>::max() ? end : end + 1;
      const std::string expected = py_lower(py_strip(py_slice(prompt, start, stop)));
      return [expected](const std::string& r) { return py_lower(py_strip(r)) == expected; };
    };
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace lfmb::eval::instructions
