// Follows EleutherAI/lm-evaluation-harness @4e7e0d47f33b, lm_eval/tasks/hendrycks_math/utils.py
// (fix_fracs, fix_a_slash_b, remove_right_units, fix_sqrt, strip_string, is_equiv).
// Indexing (substr[0], len(...)) is by code point, as in Python.
#include "eval/scorers/math_equiv.h"

#include <vector>

#include "eval/scorers/math_py_int.h"
#include "eval/text/py_str.h"

namespace lfmb::eval {

namespace py_int = math_py_int;

std::optional<std::string> fix_fracs(std::string_view s) {
  std::vector<std::string> parts = py_split_sep(s, "\\frac");
  std::string out = parts[0];
  for (size_t k = 1; k < parts.size(); ++k) {
    const std::string& sub = parts[k];
    out += "\\frac";
    if (sub.empty()) return std::nullopt;  // substr[0] raises IndexError
    if (sub[0] == '{') {
      out += sub;
      continue;
    }
    std::vector<std::string> chars = py_chars(sub);
    if (chars.size() < 2) return std::string(s);  // assert len(substr) >= 2, caught
    const std::string &a = chars[0], &b = chars[1];
    std::string rest = sub.substr(a.size() + b.size());
    if (b != "{")
      out += "{" + a + "}{" + b + "}" + rest;
    else
      out += "{" + a + "}" + b + rest;
  }
  return out;
}

std::optional<std::string> fix_a_slash_b(std::string_view s) {
  std::vector<std::string> parts = py_split_sep(s, "/");
  if (parts.size() != 2) return std::string(s);
  // int(a), int(b): a ValueError is not caught by fix_a_slash_b's `except AssertionError`.
  if (!py_int::int_parses(parts[0]) || !py_int::int_parses(parts[1])) return std::nullopt;
  // assert string == "{}/{}".format(a, b), caught: only canonical spellings are rewritten.
  if (!py_int::is_canonical_int(parts[0]) || !py_int::is_canonical_int(parts[1])) return std::string(s);
  return "\\frac{" + parts[0] + "}{" + parts[1] + "}";
}

std::optional<std::string> remove_right_units(std::string_view s) {
  // The official comment: "\text{ " only ever occurs (in the val set) when describing units.
  if (s.find("\\text{ ") == std::string_view::npos) return std::string(s);
  std::vector<std::string> parts = py_split_sep(s, "\\text{ ");
  if (parts.size() != 2) return std::nullopt;  // assert len(splits) == 2
  return parts[0];
}

std::optional<std::string> fix_sqrt(std::string_view s) {
  if (s.find("\\sqrt") == std::string_view::npos) return std::string(s);
  std::vector<std::string> parts = py_split_sep(s, "\\sqrt");
  std::string out = parts[0];
  for (size_t k = 1; k < parts.size(); ++k) {
    const std::string& sub = parts[k];
    if (sub.empty()) return std::nullopt;  // split[0] raises IndexError
    if (sub[0] != '{') {
      std::string a = py_chars(sub).front();
      out += "\\sqrt{" + a + "}" + sub.substr(a.size());
    } else {
      out += "\\sqrt" + sub;
    }
  }
  return out;
}

std::optional<std::string> strip_string(std::string_view input) {
  std::string s(input);
  s = py_replace(s, "\n", "");       // linebreaks
  s = py_replace(s, "\\!", "");      // inverse spaces
  s = py_replace(s, "\\\\", "\\");   // "\\" -> "\"
  s = py_replace(s, "tfrac", "frac");
  s = py_replace(s, "dfrac", "frac");
  s = py_replace(s, "\\left", "");
  s = py_replace(s, "\\right", "");
  s = py_replace(s, "^{\\circ}", "");  // degrees
  s = py_replace(s, "^\\circ", "");
  s = py_replace(s, "\\$", "");        // dollar signs
  std::optional<std::string> units = remove_right_units(s);
  if (!units) return std::nullopt;
  s = *units;
  s = py_replace(s, "\\%", "");  // percent (the official removes "\\%" and "\%", the same text)
  // " 0." is " ." and "{0." is "{."; a leading "." gains a "0".
  s = py_replace(s, " .", " 0.");
  s = py_replace(s, "{.", "{0.");
  if (s.empty()) return s;
  if (s[0] == '.') s = "0" + s;
  // "k = 5" -> " 5": one '=' and at most 2 characters (code points) before it.
  std::vector<std::string> eq = py_split_sep(s, "=");
  if (eq.size() == 2 && py_len(eq[0]) <= 2) s = eq[1];
  std::optional<std::string> sqrt = fix_sqrt(s);
  if (!sqrt) return std::nullopt;
  s = py_replace(*sqrt, " ", "");  // spaces (ASCII space only)
  std::optional<std::string> fracs = fix_fracs(s);
  if (!fracs) return std::nullopt;
  s = *fracs;
  if (s == "0.5") s = "\\frac{1}{2}";
  return fix_a_slash_b(s);
}

bool is_equiv(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  if (!a && !b) return true;  // the official prints "WARNING: Both None"
  if (!a || !b) return false;
  std::optional<std::string> sa = strip_string(*a);
  std::optional<std::string> sb = strip_string(*b);
  if (!sa || !sb) return *a == *b;  // `except Exception: return str1 == str2`
  return *sa == *sb;
}

MetricInfo is_equiv_metric() {
  return {"is_equiv",
          [](const std::optional<std::string>& response, const std::string& target, const MetricContext&) {
            if (!response) return 0.0;
            return is_equiv(response, target) ? 1.0 : 0.0;
          },
          "lm-eval tasks/hendrycks_math/utils.py is_equiv(strip_string) @4e7e0d47"};
}

}  // namespace lfmb::eval
