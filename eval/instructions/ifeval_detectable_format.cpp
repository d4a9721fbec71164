// IFEval family "detectable_format:" (constrained_response, json_format, multiple_sections,
// number_bullet_lists, number_highlighted_sections, title), ported from
// EleutherAI/lm-evaluation-harness lm_eval/tasks/ifeval/instructions.py @4e7e0d47f33b
// (ConstrainedResponseChecker, JsonFormat, SectionChecker, BulletListChecker,
// HighlightSectionChecker, TitleChecker); google-research
// instruction_following_eval/instructions.py @3f357bde is identical for these classes.
#include <memory>

#include "core/error.h"
#include "eval/instructions/families.h"
#include "eval/instructions/ifeval_common.h"
#include "eval/instructions/kwargs.h"
#include "eval/text/py_json_loads.h"
#include "eval/text/py_regex.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

namespace {

std::string remove_prefix(std::string s, std::string_view p) {
  return s.compare(0, p.size(), p) == 0 && s.size() >= p.size() ? s.substr(p.size()) : s;
}
std::string remove_suffix(std::string s, std::string_view p) {
  if (s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0) s.resize(s.size() - p.size());
  return s;
}

}  // namespace

std::vector<InstructionType> ifeval_detectable_format() {
  InstructionType constrained;
  constrained.id = "detectable_format:constrained_response";
  constrained.source = ifeval_source("ConstrainedResponseChecker");
  constrained.build = [](const InstructionInput&) -> Checker {
    // One of the options appears anywhere in value.strip(), case-sensitive.
    return [](const std::string& r) {
      const std::string v = py_strip(r);
      for (const char* option : {"My answer is yes.", "My answer is no.", "My answer is maybe."})
        if (v.find(option) != std::string::npos) return true;
      return false;
    };
  };

  InstructionType json_format;
  json_format.id = "detectable_format:json_format";
  json_format.source = ifeval_source("JsonFormat");
  json_format.build = [](const InstructionInput&) -> Checker {
    return [](const std::string& r) {
      // value.strip().removeprefix("```json").removeprefix("```Json").removeprefix("```JSON")
      //      .removeprefix("```").removesuffix("```").strip(), then json.loads must not raise.
      std::string v = py_strip(r);
      for (const char* p : {"```json", "```Json", "```JSON", "```"}) v = remove_prefix(std::move(v), p);
      v = py_strip(remove_suffix(std::move(v), "```"));
      return py_json_loads_ok(v);
    };
  };

  InstructionType sections;
  sections.id = "detectable_format:multiple_sections";
  sections.source = ifeval_source("SectionChecker");
  sections.build = [](const InstructionInput& in) -> Checker {
    // r"\s?" + section_spliter.strip() + r"\s?\d+\s?" (the splitter unescaped, case-sensitive);
    // len(re.split(...)) - 1 >= num_sections.
    const std::string splitter = py_strip(kw_str(in, "section_spliter"));
    const long long n = kw_count(in, "num_sections");
    auto re = std::make_shared<PyRegex>(R"(\s?)" + splitter + R"(\s?\d+\s?)");
    return [re, n](const std::string& r) { return (long long)re->split(r).size() - 1 >= n; };
  };

  InstructionType bullets;
  bullets.id = "detectable_format:number_bullet_lists";
  bullets.source = ifeval_source("BulletListChecker");
  bullets.build = [](const InstructionInput& in) -> Checker {
    const long long n = kw_count(in, "num_bullets");
    // Lines starting with "*" not followed by "*", plus lines starting with "-" (MULTILINE);
    // exactly n. Note \s* may run over blank lines and [^\*] may be a newline, as in Python.
    static const PyRegex star(R"(^\s*\*[^\*].*$)", PyRegex::Multiline);
    static const PyRegex dash(R"(^\s*-.*$)", PyRegex::Multiline);
    return [n](const std::string& r) {
      return (long long)(star.finditer(r).size() + dash.finditer(r).size()) == n;
    };
  };

  InstructionType highlights;
  highlights.id = "detectable_format:number_highlighted_sections";
  highlights.source = ifeval_source("HighlightSectionChecker");
  highlights.build = [](const InstructionInput& in) -> Checker {
    const long long n = kw_count(in, "num_highlights");
    static const PyRegex single(R"(\*[^\n\*]*\*)");
    static const PyRegex dbl(R"(\*\*[^\n\*]*\*\*)");
    return [n](const std::string& r) {
      // *x* with non-blank x counts once; **x** with non-blank x counts again (its inner *x*
      // spans are not found by the single pattern, which pairs "**" itself: "**" is empty).
      long long count = 0;
      for (const PyRegex::Match& m : single.finditer(r))
        if (!py_strip(py_strip_chars(*m.group(0), "*")).empty()) ++count;
      for (const PyRegex::Match& m : dbl.finditer(r)) {
        const std::string& s = *m.group(0);
        if (!py_strip(s.substr(2, s.size() - 4)).empty()) ++count;  // removeprefix/removesuffix("**")
      }
      return count >= n;
    };
  };

  InstructionType title;
  title.id = "detectable_format:title";
  title.source = ifeval_source("TitleChecker");
  title.build = [](const InstructionInput&) -> Checker {
    static const PyRegex re(R"(<<[^\n]+>>)");
    return [](const std::string& r) {
      // Greedy: "<<a>> and <<b>>" is one match. Any match with text left after
      // .lstrip("<").rstrip(">").strip() is a title.
      for (const PyRegex::Match& m : re.finditer(r))
        if (!py_strip(py_rstrip_chars(py_lstrip_chars(*m.group(0), "<"), ">")).empty()) return true;
      return false;
    };
  };
  return {constrained, json_format, sections, bullets, highlights, title};
}

}  // namespace lfmb::eval::instructions
