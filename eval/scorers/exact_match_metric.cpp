// lm-eval metric "exact_match": EleutherAI/lm-evaluation-harness lm_eval/api/metrics.py
// exact_match_hf_evaluate @4e7e0d47f33b (ported there from HF evaluate's exact_match), called by
// ConfigurableTask.process_results with predictions=[response], references=[target].
//
// Steps, applied to the response AND the target: each of regexes_to_ignore removed with re.sub
// (in order); ignore_case -> str.lower; ignore_punctuation -> string.punctuation (ASCII
// !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~) deleted; ignore_numbers -> ASCII 0-9 deleted; then 1.0 when equal.
//
// The texts live in one-element numpy unicode arrays there, which has two visible effects that
// are reproduced here: trailing U+0000 are dropped (numpy's U dtype), and np.char.lower keeps the
// array's width, so a lowercase that grows (U+0130 -> i + U+0307) loses code points at the end.
// A response that no filter could extract (nullopt) scores 0.
#include <optional>
#include <string>

#include "eval/scorers/findall_pick.h"
#include "eval/scorers/lm_eval_filters.h"
#include "eval/scorers/step_args.h"
#include "eval/text/py_str.h"

namespace lfmb::eval {

namespace {

size_t count_code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// A value read back from a numpy U array: `text` without trailing NULs, `width` in code points.
struct NpStr {
  std::string text;
  size_t width = 0;
};

NpStr np_store(std::string s) {
  NpStr v{std::move(s), 0};
  v.width = count_code_points(v.text);
  while (!v.text.empty() && v.text.back() == '\0') v.text.pop_back();
  return v;
}

// Keeps the first `width` code points (numpy writes a longer result into the same-width array).
std::string truncate_code_points(const std::string& s, size_t width) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && n++ == width) return s.substr(0, i);
  }
  return s;
}

std::string delete_chars(const std::string& s, std::string_view set) {
  std::string out;
  for (char c : s)
    if (set.find(c) == std::string_view::npos) out += c;
  return out;
}

struct ExactMatchOptions {
  std::optional<std::vector<std::string>> regexes_to_ignore;
  bool ignore_case, ignore_punctuation, ignore_numbers;
};

std::string normalise(const std::string& text, const ExactMatchOptions& o) {
  NpStr v;
  if (o.regexes_to_ignore && !o.regexes_to_ignore->empty()) {
    v.text = text;  // the first re.sub sees the Python str itself, NULs included
    for (const std::string& r : *o.regexes_to_ignore) v = np_store(cached_regex(r).sub(v.text, ""));
  } else {
    v = np_store(text);
  }
  if (o.ignore_case) v.text = np_store(truncate_code_points(py_lower(v.text), v.width)).text;
  if (o.ignore_punctuation) v.text = np_store(delete_chars(v.text, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")).text;
  if (o.ignore_numbers) v.text = np_store(delete_chars(v.text, "0123456789")).text;
  return v.text;
}

double exact_match(const std::optional<std::string>& response, const std::string& target, const MetricContext& ctx) {
  StepArgs args(ctx.args, "metric exact_match",
                {"regexes_to_ignore", "ignore_case", "ignore_punctuation", "ignore_numbers"},
                {"metric", "aggregation", "higher_is_better", "hf_evaluate"});
  ExactMatchOptions o{args.string_list("regexes_to_ignore"), args.flag_or("ignore_case", false),
            args.flag_or("ignore_punctuation", false), args.flag_or("ignore_numbers", false)};
  if (!response) return 0.0;
  return normalise(*response, o) == normalise(target, o) ? 1.0 : 0.0;
}

}  // namespace

MetricInfo exact_match_metric() {
  return {"exact_match", exact_match, "lm-eval lm_eval/api/metrics.py exact_match_hf_evaluate @4e7e0d47f33b"};
}

}  // namespace lfmb::eval
