// Tests for eval/template/: the Jinja2 subset lm-eval's task prompts use. Expected renders were
// computed by hand-running CPython 3.11 + Jinja2 3.1.6 configured as lm-eval 4e7e0d47f33b's
// lm_eval/utils.py configures it (StrictUndefined, keep_trailing_newline=True, regex_replace).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "eval/template/doc_template.h"

using lfmb::eval::DocTemplate;
using nlohmann::json;

namespace {

struct TemplateCase {
  const char* tmpl;
  const char* doc;  // JSON
  const char* expected;
};

const TemplateCase kLmEvalPrompts[] = {
    {"{{question.strip()}}\nA. {{choices[0]}}\nB. {{choices[1]}}\nC. {{choices[2]}}\nD. {{choices[3]}}\nAnswer:",
     "{\"question\": \"  Which gas do plants absorb?\\n\", \"choices\": [\"Oxygen\", \"Carbon dioxide\", \"Nitrogen\", \"Helium\"], \"answer\": 1}",
     "Which gas do plants absorb?\nA. Oxygen\nB. Carbon dioxide\nC. Nitrogen\nD. Helium\nAnswer:"},
    {"Question: {{question}}\nAnswer:",
     "{\"question\": \"Janet has 3 apples. She buys 2 more. How many?\", \"answer\": \"3 + 2 = 5\\n#### 5\"}",
     "Question: Janet has 3 apples. She buys 2 more. How many?\nAnswer:"},
    {"{% for opt in options %}{{ 'ABCDEFGHIJ'[loop.index0] }}. {{ opt }}\n{% endfor %}",
     "{\"options\": [\"red\", \"green\", \"blue\", \"cyan\", \"magenta\"]}",
     "A. red\nB. green\nC. blue\nD. cyan\nE. magenta\n"},
    {"What is the correct answer to this question:{{Question}}\nChoices:\n(A) {{choice1}}\n(B) {{choice2}}\n(C) {{choice3}}\n(D) {{choice4}}\nLet's think step by step: ",
     "{\"Question\": \"What is the spin of a photon?\", \"choice1\": \"1\", \"choice2\": \"1/2\", \"choice3\": \"0\", \"choice4\": \"3/2\"}",
     "What is the correct answer to this question:What is the spin of a photon?\nChoices:\n(A) 1\n(B) 1/2\n(C) 0\n(D) 3/2\nLet's think step by step: "},
    {"{% if answer is not none %}{{question+\"\\nAnswer:\"}}{% else %}{{\"Question: \"+question+\"\\nAnswer:\"}}{% endif %}",
     "{\"question\": \"Wie viel ist 2+2?\", \"answer\": null, \"answer_number\": 4}",
     "Question: Wie viel ist 2+2?\nAnswer:"},
    {"{% if answer is not none %}{{question+\"\\nAnswer:\"}}{% else %}{{\"Question: \"+question+\"\\nAnswer:\"}}{% endif %}",
     "{\"question\": \"Frage: Wie viel ist 2+2?\", \"answer\": \"Schritt-für-Schritt-Antwort: 4\", \"answer_number\": 4}",
     "Frage: Wie viel ist 2+2?\nAnswer:"},
    {"{% if answer is not none %}{{answer[29:]}}{% else %}{{answer_number|string}}{% endif %}",
     "{\"answer\": null, \"answer_number\": 4}",
     "4"},
    {"{% if answer is not none %}{{answer[29:]}}{% else %}{{answer_number|string}}{% endif %}",
     "{\"answer\": \"Schritt-für-Schritt-Antwort: 2 und 2 sind 4\", \"answer_number\": 4}",
     "2 und 2 sind 4"},
    {"{{answer.split('####')[-1].strip() if answer is defined else target}}",
     "{\"answer\": \"She has 3+2=5 apples.\\n#### 5 \", \"question\": \"q\"}",
     "5"},
    {"{{answer.split('####')[-1].strip() if answer is defined else target}}",
     "{\"target\": \"7\", \"question\": \"q\"}",
     "7"},
    {"{{answer if few_shot is undefined else solution}}",
     "{\"answer\": \"12\", \"solution\": \"so 12\"}",
     "12"},
    {"{{answer if few_shot is undefined else solution}}",
     "{\"answer\": \"12\", \"solution\": \"so 12\", \"few_shot\": true}",
     "so 12"},
    {"{{['(A)', '(B)', '(C)', '(D)'][answer]}}",
     "{\"answer\": 2}",
     "(C)"},
    {"{% if choices is defined%}Q: {{question.strip()}}\n(A) {{choices[0]}} (B) {{choices[1]}}\nA: Let's think step by step.{% else %}Q: {{ question.strip() }}\nA:{% endif %}",
     "{\"question\": \" Is it? \", \"choices\": [\"yes\", \"no\"]}",
     "Q: Is it?\n(A) yes (B) no\nA: Let's think step by step."},
    {"{% if choices is defined%}Q: {{question.strip()}}\n(A) {{choices[0]}} (B) {{choices[1]}}\nA: Let's think step by step.{% else %}Q: {{ question.strip() }}\nA:{% endif %}",
     "{\"question\": \" Is it? \"}",
     "Q: Is it?\nA:"},
    {"{{answer_number|string}}",
     "{\"answer_number\": 42}",
     "42"},
};

const TemplateCase kPrinting[] = {
    {"{{ i }}|{{ f }}|{{ g }}|{{ h }}|{{ k }}|{{ z }}|{{ b }}|{{ n }}",
     "{\"i\": 42, \"f\": 0.5, \"g\": 1e-05, \"h\": 1e+16, \"k\": 3.0, \"z\": -0.0, \"b\": true, \"n\": null}",
     "42|0.5|1e-05|1e+16|3.0|-0.0|True|None"},
    {"{{ 0.1 + 0.2 }} {{ 1e15 }} {{ 123456789.123456789 }} {{ 0.0001 }} {{ 1 / 3 }} {{ 2 ** 10 }} {{ 2 ** -1 }}",
     "{}",
     "0.30000000000000004 1000000000000000.0 123456789.12345679 0.0001 0.3333333333333333 1024 0.5"},
    {"{{ xs }}",
     "{\"xs\": [\"a\", \"it's\", \"say \\\"hi\\\"\", \"both ' \\\"\", \"tab\\tnl\\n\", \"é​ \", 1, 2.5, null, false, [1, [\"x\"]]]}",
     "['a', \"it's\", 'say \"hi\"', 'both \\' \"', 'tab\\tnl\\n', 'é\\u200b\\xa0', 1, 2.5, None, False, [1, ['x']]]"},
    {"{{ xs|string }}|{{ xs|join(', ') }}|{{ xs|join }}|{{ xs|length }}",
     "{\"xs\": [\"a\", 1, null]}",
     "['a', 1, None]|a, 1, None|a1None|3"},
};

const TemplateCase kIndexing[] = {
    {"{{ s[0] }}{{ s[-1] }}|{{ s[1:3] }}|{{ s[::-1] }}|{{ s[-3:] }}|{{ s[::2] }}|{{ s[10:] }}|{{ xs[-2] }}|{{ xs[1:] }}|{{ xs[:-1] }}|{{ xs[::-2] }}",
     "{\"s\": \"héllo wörld\", \"xs\": [1, 2, 3, 4]}",
     "hd|él|dlröw olléh|rld|hlowrd|d|3|[2, 3, 4]|[1, 2, 3]|[4, 2]"},
    {"{{ d.a }}|{{ d['b'] }}|{{ d.c.0 }}|{{ xs.1 }}",
     "{\"d\": {\"a\": 1, \"b\": \"two\", \"c\": [\"z\"]}, \"xs\": [5, 6]}",
     "1|two|z|6"},
};

const TemplateCase kOperators[] = {
    {"{{ 'ell' in s }} {{ 'x' in s }} {{ 2 in xs }} {{ 2.0 in xs }} {{ 'a' not in xs }} {{ 'k' in d }} {{ true == 1 }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ [1, 2] < [1, 3] }} {{ 'b' >= 'a' }} {{ none == none }}",
     "{\"s\": \"hello\", \"xs\": [1, 2], \"d\": {\"k\": 0}}",
     "True False True True True True True True False True True True"},
    {"{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 // -2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }} {{ 7 / 2 }} {{ 6 / 2 }} {{ n % 4 }} {{ n // 4 }}",
     "{\"n\": -10}",
     "3 -4 -4 2 -2 3.0 0.5 3.5 3.0 2 -3"},
    {"{{ 'a' ~ 1 ~ none ~ true ~ 0.5 ~ xs }} {{ 'ab' * 3 }} {{ 2 * xs }} {{ xs + [3] }} {{ -n }} {{ 1 + true }}",
     "{\"xs\": [1, 2], \"n\": 5}",
     "a1NoneTrue0.5[1, 2] ababab [1, 2, 1, 2] [1, 2, 3] -5 2"},
    {"[{{ a or 'dflt' }}][{{ b and 'yes' }}][{{ a and 'x' }}][{{ not a }}][{{ not b }}][{{ 0 or none }}]",
     "{\"a\": \"\", \"b\": [1]}",
     "[dflt][yes][][True][False][None]"},
};

const TemplateCase kLoops[] = {
    {"{% for x in xs %}{{ loop.index }}/{{ loop.length }}:{{ x }}{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %}{{ loop.revindex }}{{ loop.revindex0 }}{% if not loop.last %},{% endif %}{% endfor %}",
     "{\"xs\": [\"a\", \"b\", \"c\"]}",
     "1/3:aF32,2/3:b21,3/3:cL10"},
    {"{% for r in rows %}{% for c in r %}{{ loop.index0 }}{{ c }}{% endfor %};{{ loop.index }}{% endfor %}",
     "{\"rows\": [[\"x\", \"y\"], [\"z\"]]}",
     "0x1y;10z;2"},
    {"{% for c in s %}[{{ c }}]{% endfor %}{% for x in xs %}{{ x }}{% else %}empty{% endfor %}",
     "{\"s\": \"añb\", \"xs\": []}",
     "[a][ñ][b]empty"},
    {"{% for x in range(3) %}{{ x }}{% endfor %}|{% for x in range(5, 1, -2) %}{{ x }}{% endfor %}|{{ range(2, 4)|list|join('-') }}",
     "{}",
     "012|53|2-3"},
    {"{% for question in choices %}{{ question }}{% endfor %}{{ question }}",
     "{\"question\": \"Q\", \"choices\": [\"a\", \"b\"]}",
     "abQ"},
};

const TemplateCase kConditions[] = {
    {"{% if n > 5 %}big{% elif n > 2 %}mid{% elif n == 0 %}zero{% else %}small{% endif %}",
     "{\"n\": 4}",
     "mid"},
    {"{% if n > 5 %}big{% elif n > 2 %}mid{% elif n == 0 %}zero{% else %}small{% endif %}",
     "{\"n\": 0}",
     "zero"},
    {"{% if n > 5 %}big{% elif n > 2 %}mid{% elif n == 0 %}zero{% else %}small{% endif %}",
     "{\"n\": 1}",
     "small"},
    {"{% if xs %}nonempty{% endif %}{% if not ys %}|empty{% endif %}{% if s %}|s{% endif %}",
     "{\"xs\": [0], \"ys\": [], \"s\": \" \"}",
     "nonempty|empty|s"},
};

const TemplateCase kWhitespace[] = {
    {"A  \n  {%- if true -%}  \n  B  \n  {%- endif -%}\n\n C\n",
     "{}",
     "ABC\n"},
    {"x {{- y -}} z|{#- note -#}  w {# kept #}v\n",
     "{\"y\": \"Y\"}",
     "xYz|w v\n"},
    {"a　 {{- 1 -}} \034b\n\n",
     "{}",
     "a1b\n\n"},
    {"line1\r\nline2\rline3{{ '\r\n' }}\n",
     "{}",
     "line1\nline2\nline3\n\n"},
    {"{% for x in xs %}\n- {{ x }}\n{% endfor %}\n",
     "{\"xs\": [1, 2]}",
     "\n- 1\n\n- 2\n\n"},
    {"{%+ if 1 +%} \n{{+ 'k' }}{% endif %}",
     "{}",
     " \nk"},
};

const TemplateCase kFilters[] = {
    {"[{{ s|trim }}][{{ s|lower }}][{{ s|upper }}][{{ s|length }}][{{ s|replace('b', 'X') }}][{{ s|trim('\\n a') }}][{{ 'aaa'|replace('a', 'b', 2) }}]",
     "{\"s\": \"\\n Abc bÉ　\"}",
     "[Abc bÉ][\n abc bé　][\n ABC BÉ　][9][\n AXc XÉ　][Abc bÉ　][bba]"},
    {"{{ ' 42 '|int }} {{ '4.7'|int }} {{ 'x'|int }} {{ 'x'|int(-1) }} {{ '1_000'|int }} {{ 'nan'|int }} {{ 3.9|int }} {{ -3.9|int }} {{ true|int }} {{ none|int }} {{ '1e3'|int }} {{ '+7'|int }}",
     "{}",
     "42 4 0 -1 1000 0 3 -3 1 0 1000 7"},
    {"{{ '2.5'|float }} {{ 3|float }} {{ 'x'|float }} {{ ' 1e-5 '|float }} {{ 'inf'|float }}",
     "{}",
     "2.5 3.0 0.0 1e-05 inf"},
    {"{{ xs|first }} {{ xs|last }} {{ s|first }} {{ s|last }} {{ s|list }} {{ xs|length }} {{ d|length }}",
     "{\"xs\": [3, 4, 5], \"s\": \"żab\", \"d\": {\"a\": 1, \"b\": 2}}",
     "3 5 ż b ['ż', 'a', 'b'] 3 2"},
    {"{{ s|regex_replace('\\\\s+', ' ') }}|{{ s|regex_replace('(\\\\d+)', '<\\\\1>', 1) }}",
     "{\"s\": \"a  b\\t\\tc 12 and 34\"}",
     "a b c 12 and 34|a  b\t\tc <12> and 34"},
    {"{{ x|int + 1 }} {{ -(x|int) }} {{ xs|join(', ')|upper }}",
     "{\"x\": \"5\", \"xs\": [\"a\", \"b\"]}",
     "6 -5 A, B"},
};

const TemplateCase kMethods[] = {
    {"[{{ s.strip() }}][{{ s.lstrip() }}][{{ s.rstrip() }}][{{ s.strip(' xy') }}][{{ s.split() }}][{{ s.split(' ') }}][{{ t.split(',', 1) }}][{{ s.replace('y', 'Y', 1) }}]",
     "{\"s\": \"  xy ab  yx  \", \"t\": \"a,b,c\"}",
     "[xy ab  yx][xy ab  yx  ][  xy ab  yx][ab  yx  ][['xy', 'ab', 'yx']][['', '', 'xy', 'ab', '', 'yx', '\\u2003']][['a', 'b,c']][  xY ab  yx  ]"},
    {"{{ s.lower() }} {{ s.upper() }} {{ s.startswith('Hé') }} {{ s.endswith('X') }} {{ s.index('l') }} {{ xs.index('b') }}",
     "{\"s\": \"HéLlo\", \"xs\": [\"a\", \"b\"]}",
     "héllo HÉLLO True False 3 1"},
    // Python's full case mappings (ß -> SS, ﬁ -> FI, İ -> i + U+0307) and final sigma, in methods
    // and filters alike (checked with Jinja2 3.1.2 on CPython 3.11).
    {"{{ s.upper() }}|{{ s|upper }}|{{ t.lower() }}|{{ t|lower }}|{{ u.lower() }}|{{ s.upper()|length }}",
     "{\"s\": \"straße ﬁ\", \"t\": \"ΟΔΟΣ ΣΑ\", \"u\": \"İ\"}",
     "STRASSE FI|STRASSE FI|οδος σα|οδος σα|i\u0307|10"},
    // split(None, maxsplit) keeps the rest's trailing whitespace; replace('', x, n) inserts n times.
    {"[{{ s.split(none, 1) }}][{{ s.split(none, 0) }}][{{ s.replace('', '-', 2) }}]",
     "{\"s\": \"  a b  c  \"}",
     "[['a', 'b  c  ']][['a b  c  ']][- - a b  c  ]"},
};

const TemplateCase kLiterals[] = {
    {"{{ 'a\\tb\\u00e9\\x41\\q' }}|{{ \"it's\" 'x' }}|{{ 1_000 }}|{{ [1, 'two', [3]] }}|{{ (1 + 2) * 3 }}|{{ 2 ** 3 ** 2 }}",
     "{}",
     "a\tbéA\\q|it'sx|1000|[1, 'two', [3]]|9|64"},
    {"[{{ x if n }}][{{ (x if n) ~ 'a' }}][{{ x if n else 'no' }}]",
     "{\"x\": \"X\", \"n\": 0}",
     "[][a][no]"},
    {"{{ x is defined }} {{ y is defined }} {{ y is undefined }} {{ x is none }} {{ y is none }} {{ x is not none }} {{ b is true }} {{ b is false }}",
     "{\"x\": null, \"b\": true}",
     "True False True True False False True False"},
};

const TemplateCase kBareField[] = {
    {"question",
     "{\"question\": \"Why?\"}",
     "Why?"},
    {"label",
     "{\"label\": 3}",
     "3"},
    {"answer is here",
     "{\"question\": \"Why?\"}",
     "answer is here"},
};

template <size_t N>
void check_cases(const TemplateCase (&cases)[N]) {
  for (const TemplateCase& c : cases) {
    INFO("template: " << c.tmpl);
    DocTemplate t(c.tmpl, "test");
    CHECK(t.render(json::parse(c.doc)) == c.expected);
  }
}

const char* kWhere = "tasks/x.yaml: doc_to_text";

// The message of the error thrown while parsing `tmpl`, or "" when it parses.
std::string parse_error(const std::string& tmpl) {
  try {
    DocTemplate t(tmpl, kWhere);
  } catch (const lfmb::Error& e) {
    return e.what();
  }
  return "";
}

// The message of the error thrown while rendering `tmpl` (which must parse) over `doc`.
std::string render_error(const std::string& tmpl, const json& doc) {
  DocTemplate t(tmpl, kWhere);
  try {
    t.render(doc);
  } catch (const lfmb::Error& e) {
    return e.what();
  }
  return "";
}

// One line, naming the template's place first, then the problem.
void check_message(const std::string& msg, const std::string& problem) {
  INFO("message: " << msg);
  CHECK(msg.rfind(std::string(kWhere) + ": ", 0) == 0);
  CHECK(msg.find(problem) != std::string::npos);
  CHECK(msg.find('\n') == std::string::npos);
}

}  // namespace

TEST_CASE("DocTemplate renders the lm-eval prompts of the lfmb tasks", "[eval-template]") { check_cases(kLmEvalPrompts); }

TEST_CASE("DocTemplate prints values as Python str does", "[eval-template]") { check_cases(kPrinting); }

TEST_CASE("DocTemplate indexes and slices by code point with negative indices", "[eval-template]") {
  check_cases(kIndexing);
}

TEST_CASE("DocTemplate operators follow Python", "[eval-template]") { check_cases(kOperators); }

TEST_CASE("DocTemplate for loops and loop variables", "[eval-template]") { check_cases(kLoops); }

TEST_CASE("DocTemplate if elif else", "[eval-template]") { check_cases(kConditions); }

TEST_CASE("DocTemplate whitespace control and newlines follow lm-eval's Jinja2 environment", "[eval-template]") {
  check_cases(kWhitespace);
}

TEST_CASE("DocTemplate filters", "[eval-template]") { check_cases(kFilters); }

TEST_CASE("DocTemplate string and list methods", "[eval-template]") { check_cases(kMethods); }

TEST_CASE("DocTemplate literals and inline if", "[eval-template]") { check_cases(kLiterals); }

TEST_CASE("DocTemplate bare field name yields the field", "[eval-template]") { check_cases(kBareField); }

TEST_CASE("DocTemplate evaluate returns the value of a single expression", "[eval-template]") {
  json doc = json::parse(R"({"choices": ["red", "green"], "label": 1, "answer": "B", "score": 0.25,
                             "flag": false, "question": "Why?", "text": "  x "})");
  // doc_to_choice: "{{choices}}" -> the list itself (lm-eval: literal_eval of its repr).
  CHECK(DocTemplate("{{choices}}", "t").evaluate(doc) == json::array({"red", "green"}));
  CHECK(DocTemplate("{{ choices + ['blue'] }}", "t").evaluate(doc) == json::array({"red", "green", "blue"}));
  CHECK(DocTemplate("{{ ['A', 'B', 'C', 'D'][:2] }}", "t").evaluate(doc) == json::array({"A", "B"}));
  // doc_to_target: an int stays an int.
  json label = DocTemplate("{{label}}", "t").evaluate(doc);
  CHECK(label.is_number_integer());
  CHECK(label == 1);
  CHECK(DocTemplate("{{ ['A', 'B'].index(answer) }}", "t").evaluate(doc) == 1);
  CHECK(DocTemplate("{{- label + 2 -}}", "t").evaluate(doc) == 3);
  CHECK(DocTemplate("{{ score }}", "t").evaluate(doc).is_number_float());
  CHECK(DocTemplate("{{ flag }}", "t").evaluate(doc) == false);
  CHECK(DocTemplate("{{ text.strip() }}", "t").evaluate(doc) == "x");
  // A bare field name: the field's value, whatever its type.
  CHECK(DocTemplate("choices", "t").evaluate(doc) == json::array({"red", "green"}));
  CHECK(DocTemplate("label", "t").evaluate(doc) == 1);
  // Anything else: the rendered text.
  CHECK(DocTemplate("{{label}} ", "t").evaluate(doc) == "1 ");
  CHECK(DocTemplate("{{choices}}{{label}}", "t").evaluate(doc) == "['red', 'green']1");
  CHECK(DocTemplate("{% if label %}{{ choices }}{% endif %}", "t").evaluate(doc) == "['red', 'green']");
  // An inline if without else renders as "" (Jinja2's default Undefined).
  CHECK(DocTemplate("{{ label if flag }}", "t").evaluate(doc) == "");
  CHECK(DocTemplate("{{ question }}", "t").source() == "{{ question }}");
}

TEST_CASE("DocTemplate refuses constructs outside the subset when parsing", "[eval-template]") {
  check_message(parse_error("{% set x = 1 %}{{ x }}"), "'{% set %}' is outside the supported template subset");
  check_message(parse_error("{% macro m() %}x{% endmacro %}"), "'{% macro %}' is outside");
  check_message(parse_error("{% raw %}{{ x }}{% endraw %}"), "'{% raw %}' is outside");
  check_message(parse_error("{% include 'other.j2' %}"), "'{% include %}' is outside");
  check_message(parse_error("{{ x|abs }}"), "filter 'abs' is not supported");
  check_message(parse_error("{{ x|nosuch }}"), "filter 'nosuch' is not supported");
  check_message(parse_error("{{ x is odd }}"), "test 'odd' is not supported");
  check_message(parse_error("{{ x.format(1) }}"), "method .format() is not supported");
  check_message(parse_error("{{ x.title() }}"), "method .title() is not supported");
  check_message(parse_error("{{ len(x) }}"), "function len() is not supported");
  check_message(parse_error("{{ {'a': 1} }}"), "dict literals are outside");
  check_message(parse_error("{{ (1, 2) }}"), "tuples are outside");
  check_message(parse_error("{{ x|join(d=',') }}"), "keyword arguments are outside");
  check_message(parse_error("{% for a, b in x %}{% endfor %}"), "tuple unpacking");
  check_message(parse_error("{% for a in x if a %}{% endfor %}"), "loop filters");
  check_message(parse_error("{{ x|replace('a') }}"), "filter 'replace' takes 2 to 3 arguments, got 1");
  check_message(parse_error("{{ x is defined(1) }}"), "takes no arguments");
  check_message(parse_error("{{ x[0]() }}"), "only methods of values and range() can be called");
  // Plain syntax errors, as Jinja2 reports them at compile time.
  check_message(parse_error("{% if 1 %}open"), "template ended while looking for '{% elif %}' or '{% else %}' or '{% endif %}'");
  check_message(parse_error("text{% endif %}"), "'{% endif %}' without a matching opening tag");
  check_message(parse_error("{% for x in y %}{% elif 1 %}{% endfor %}"), "'{% elif %}' without a matching opening tag");
  check_message(parse_error("{{ x "), "'{{' is not closed");
  check_message(parse_error("{{ 'abc }}"), "string literal is not closed");
  check_message(parse_error("{{ x | }}"), "expected a filter name after '|'");
  check_message(parse_error("{{ }}"), "empty expression");
  check_message(parse_error("{# open"), "comment '{#' is not closed");
  check_message(parse_error("{{ 1 +}}"), "unexpected end of tag");
  check_message(parse_error("{{ 01 }}"), "leading zero");
  // Python keeps '\ud800' in a str, but the prompt could never be encoded as UTF-8.
  check_message(parse_error("{{ 'a\\ud800' }}"), "surrogate escape in string literal");
  check_message(parse_error("{{ 'a\\U0000dfff' }}"), "surrogate escape in string literal");
  check_message(parse_error("{{ 1 \xc3( }}"), "template is not valid UTF-8");
  check_message(parse_error("{{ 1 \x80 }}"), "template is not valid UTF-8");
  check_message(parse_error("line 1\nline 2 {% set x = 1 %}"), "(line 2)");
  // The supported forms parse.
  CHECK(parse_error("{{ x|join(', ') }}{{ x|int(0) }}{% for a in x %}{% else %}{% endfor %}{{ range(3) }}") == "");
}

TEST_CASE("DocTemplate render errors name the problem", "[eval-template]") {
  json doc = json::parse(R"({"question": "q", "choices": ["a", "b"], "x": "5", "n": 3, "e": [],
                             "d": {"values": 1, "k": {"a": 2}}, "big": 1e300})");
  // StrictUndefined: lm-eval's environment makes every use of an undefined name an error.
  check_message(render_error("{{ answer }}", doc), "'answer' is undefined");
  check_message(render_error("{% if missing %}y{% endif %}", doc), "'missing' is undefined");
  check_message(render_error("{{ missing == 1 }}", doc), "'missing' is undefined");
  check_message(render_error("{{ 'a' ~ missing }}", doc), "'missing' is undefined");
  check_message(render_error("{{ missing.attr is defined }}", doc), "'missing' is undefined");
  check_message(render_error("{{ loop.index }}", doc), "'loop' is undefined");
  // Attributes and items that do not exist.
  check_message(render_error("{{ choices.foo }}", doc), "'list object' has no attribute 'foo'");
  check_message(render_error("{{ n.foo }}", doc), "'int object' has no attribute 'foo'");
  check_message(render_error("{{ d.k.b }}", doc), "'dict object' has no attribute 'b'");
  check_message(render_error("{{ choices[5] }}", doc), "list object has no element 5");
  check_message(render_error("{{ choices[-3] }}", doc), "list object has no element -3");
  check_message(render_error("{{ question[1] }}", doc), "str object has no element 1");
  check_message(render_error("{{ e|first }}", doc), "No first item, sequence was empty.");
  check_message(render_error("{{ n.strip() }}", doc), "'int object' has no method 'strip'");
  // Jinja2 would reach a Python method here; lfmb refuses instead of printing "<built-in method>".
  check_message(render_error("{{ d.values }}", doc), "names the dict method 'values'");
  check_message(render_error("{{ question.strip }}", doc), "names the str method 'strip'");
  // Python's TypeError / ZeroDivisionError.
  check_message(render_error("{{ 1 + 'a' }}", doc), "unsupported operand type(s) for +: 'int' and 'str'");
  check_message(render_error("{{ 'a' < 1 }}", doc), "'<' not supported between instances of 'str' and 'int'");
  check_message(render_error("{{ n // 0 }}", doc), "integer division or modulo by zero");
  check_message(render_error("{{ n % 0 }}", doc), "integer division or modulo by zero");
  check_message(render_error("{{ -x|int }}", doc), "bad operand type for unary -: 'str'");
  check_message(render_error("{{ 'a' in n }}", doc), "argument of type 'int' is not iterable");
  check_message(render_error("{{ 1 in question }}", doc), "'in <string>' requires string as left operand");
  check_message(render_error("{% for i in n %}{% endfor %}", doc), "'int' object is not iterable");
  check_message(render_error("{{ (1 if 0) + 1 }}", doc), "the inline if-expression evaluated to false");
  check_message(render_error("{{ 'a' * 'b' }}", doc), "unsupported operand type(s) for *");
  check_message(render_error("{{ choices.index('z') }}", doc), "'z' is not in list");
  check_message(render_error("{{ big|int }}", doc), "beyond 64 bits");
  check_message(render_error("{{ 2 ** 70 }}", doc), "beyond 64 bits");
  // Outside the subset at render time: things Python would print with its dict order.
  check_message(render_error("{{ d }}", doc), "printing a mapping is not supported");
  check_message(render_error("{% for k in d %}{% endfor %}", doc), "iterating over a mapping is not supported");
  check_message(render_error("{{ '%s' % n }}", doc), "string formatting with '%'");
  check_message(render_error("text\n{{ nope }}", doc), "(line 2)");
  // The document itself must be a mapping (lm-eval renders with **doc).
  CHECK_THROWS_AS(DocTemplate("{{ x }}", kWhere).render(json::array()), lfmb::Error);
}

TEST_CASE("DocTemplate keeps undefined checks lazy as Jinja2 does", "[eval-template]") {
  json doc = json::parse(R"({"a": 0, "xs": []})");
  // Never-evaluated branches and loop bodies do not touch their undefined names.
  CHECK(DocTemplate("{% if a %}{{ nope }}{% else %}ok{% endif %}", "t").render(doc) == "ok");
  CHECK(DocTemplate("{% for x in xs %}{{ nope }}{% endfor %}done", "t").render(doc) == "done");
  CHECK(DocTemplate("{{ a and nope }}", "t").render(doc) == "0");
  CHECK(DocTemplate("{{ nope is defined and nope }}", "t").render(doc) == "False");
  CHECK(DocTemplate("{{ 'y' if nope is undefined else nope }}", "t").render(doc) == "y");
}

TEST_CASE("DocTemplate moves and renders many documents", "[eval-template]") {
  DocTemplate a("Q: {{ q }}", "t");
  DocTemplate b = std::move(a);
  CHECK(b.render(json{{"q", "one"}}) == "Q: one");
  CHECK(b.render(json{{"q", 2}}) == "Q: 2");
  CHECK(b.source() == "Q: {{ q }}");
}

TEST_CASE("DocTemplate bounds nesting and skips Unicode whitespace inside tags", "[eval-template]") {
  std::string deep = "{{ " + std::string(300, '(') + "1" + std::string(300, ')') + " }}";
  check_message(parse_error(deep), "nesting deeper than 100 levels");
  std::string nots = "{{ " + [] { std::string s; for (int i = 0; i < 300; ++i) s += "not "; return s; }() + "1 }}";
  check_message(parse_error(nots), "nesting deeper than 100 levels");
  // Jinja2 skips \s+ (Unicode-aware) between tokens: NBSP and U+3000 separate like a space.
  CHECK(DocTemplate("{{\u00a0x\u3000}}", "t").render(json{{"x", "v"}}) == "v");
  CHECK(DocTemplate("{{ (((1 + 2))) * 2 }}", "t").render(json::object()) == "6");
}

TEST_CASE("DocTemplate number literals and dotted item indices", "[eval-template]") {
  // Renders from Jinja2 3.1.6: a number after "." is an index (m.0.1 is m[0][1]).
  json doc = json::parse(R"({"m": [["a", "b"], ["c", "d"]]})");
  CHECK(DocTemplate("{{ m.0.1 }}|{{ m.1.0 }}", "t").render(doc) == "b|c");
  CHECK(DocTemplate("{{ 1e999 }}|{{ 1_0.5_0 }}|{{ 2.5e-3 }}", "t").render(doc) == "inf|10.5|0.0025");
  check_message(parse_error("{{ 9223372036854775808 }}"), "integer literal beyond 64 bits");
  CHECK(DocTemplate("{{ 9223372036854775807 }}", "t").render(doc) == "9223372036854775807");
}
