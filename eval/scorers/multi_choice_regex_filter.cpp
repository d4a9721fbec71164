// lm-eval filter "multi_choice_regex": EleutherAI/lm-evaluation-harness
// lm_eval/filters/extraction.py MultiChoiceRegexFilter @4e7e0d47f33b.
//
// Three tries, each re.findall(...)[group_select], the first non-empty result wins:
//  1. regex_pattern on the response, taken as it is (e.g. "(\([A-Z]\))" -> "(B)");
//  2. the document's choices as literal text, searched in the normalised response (regexes_to_ignore
//     removed, then lowercased if ignore_case, then Unicode punctuation (categories P*) removed if
//     ignore_punctuation; the choices normalised the same way after .strip()); a found choice
//     becomes its letter "(A)", "(B)", ... (the last of equal normalised choices wins);
//  3. ":" then whitespace then a bare letter A, B, ... in the raw response, e.g. "Answer: C" -> "(C)".
// Nothing found -> fallback ("[invalid]" -> nullopt, as in regex_filter.cpp).
//
// The choices come from ctx.doc["choices"], a JSON array of strings, exactly the field lm-eval reads
// (doc["choices"]); tasks that use this filter build it in process_docs (e.g. GPQA's utils.py).
#include <map>
#include <optional>
#include <utf8proc.h>

#include "core/error.h"
#include "eval/scorers/findall_pick.h"
#include "eval/scorers/lm_eval_filters.h"
#include "eval/scorers/step_args.h"
#include "eval/text/py_str.h"

namespace lfmb::eval {

namespace {

const std::string kOwner = "filter multi_choice_regex";

// str.translate with a table deleting every code point whose general category starts with "P".
std::string remove_unicode_punctuation(const std::string& s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n =
        utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i), utf8proc_ssize_t(s.size() - i), &cp);
    if (n <= 0) {  // a stray byte is no punctuation: keep it
      out += s[i++];
      continue;
    }
    switch (utf8proc_category(cp)) {
      case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS: case UTF8PROC_CATEGORY_PE:
      case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF: case UTF8PROC_CATEGORY_PO:
        break;
      default:
        out.append(s, i, size_t(n));
    }
    i += size_t(n);
  }
  return out;
}

struct McRegexOptions {
  long group_select;
  bool ignore_case, ignore_punctuation;
  std::optional<std::vector<std::string>> regexes_to_ignore;
};

std::string filter_ignores(std::string s, const McRegexOptions& o) {
  if (o.regexes_to_ignore)
    for (const std::string& r : *o.regexes_to_ignore) s = cached_regex(r).sub(s, "");
  if (o.ignore_case) s = py_lower(s);
  if (o.ignore_punctuation) s = remove_unicode_punctuation(s);
  return s;
}

// find_match: "" or nullopt both mean "nothing" (Python: a falsy result).
std::optional<std::string> find_match(const PyRegex& re, const std::string& text, long group_select,
                                      const std::map<std::string, std::string>& convert = {}) {
  FindallPick pick = findall_pick(re, text, group_select, kOwner);
  if (!pick.matched || !pick.value) return std::nullopt;
  std::string m = py_strip(*pick.value);
  if (m.empty()) return std::nullopt;
  auto it = convert.find(m);
  return it == convert.end() ? m : it->second;
}

std::optional<std::string> apply_multi_choice(const std::string& text, const FilterContext& ctx) {
  StepArgs args(ctx.args, kOwner,
                {"regex_pattern", "group_select", "fallback", "ignore_case", "ignore_punctuation", "regexes_to_ignore"},
                {"function"});
  const std::string pattern = args.string_or("regex_pattern", R"(#### (\-?[0-9\.\,]+))");
  const std::string fallback = args.string_or("fallback", kInvalidFallback);
  McRegexOptions o{args.integer_or("group_select", 0), args.flag_or("ignore_case", false),
            args.flag_or("ignore_punctuation", false), args.string_list("regexes_to_ignore")};

  auto choices = ctx.doc.is_object() ? ctx.doc.find("choices") : ctx.doc.end();
  if (!ctx.doc.is_object() || choices == ctx.doc.end() || !choices->is_array())
    throw Error(kOwner + ": the document needs a \"choices\" list (doc[\"choices\"] in lm-eval)");

  std::string choice_alternation, letter_alternation;
  std::map<std::string, std::string> choice_to_letter, letter_to_target;
  char letter = 'A';
  bool first = true;
  for (const auto& c : *choices) {
    if (!c.is_string()) throw Error(kOwner + ": doc[\"choices\"] must hold strings, got " + c.dump());
    const std::string m = filter_ignores(py_strip(c.get<std::string>()), o);
    const std::string target = std::string("(") + letter + ")";
    if (!first) {
      choice_alternation += '|';
      letter_alternation += '|';
    }
    first = false;
    choice_alternation += py_re_escape(m);
    choice_to_letter[m] = target;
    letter_alternation += letter;  // not escaped, as in lm-eval (past 'Z' that breaks the pattern there too)
    letter_to_target[std::string(1, letter)] = target;
    ++letter;
  }

  std::optional<std::string> match = find_match(cached_regex(pattern), text, o.group_select);
  if (!match) match = find_match(cached_regex(choice_alternation), filter_ignores(text, o), o.group_select,
                                 choice_to_letter);
  if (!match)
    match = find_match(cached_regex(R"(:[\s]*()" + letter_alternation + ")"), text, o.group_select, letter_to_target);
  if (!match) return fallback == kInvalidFallback ? std::nullopt : std::optional<std::string>(fallback);
  return match;
}

}  // namespace

FilterInfo multi_choice_regex_filter() {
  return {"multi_choice_regex", apply_multi_choice,
          "lm-eval lm_eval/filters/extraction.py MultiChoiceRegexFilter @4e7e0d47f33b"};
}

}  // namespace lfmb::eval
