// lm-eval's prompt templates (`doc_to_text`, `doc_to_target`, `doc_to_choice`, `description`):
// the subset of Jinja2 the lfmb tasks need, rendered over a JSON document. Anything outside the
// subset is refused when the task is loaded, with one line naming the task file and the construct.
//
// Followed: EleutherAI/lm-evaluation-harness 4e7e0d47f33b, lm_eval/utils.py `apply_template`:
// `Environment(loader=BaseLoader, undefined=StrictUndefined, keep_trailing_newline=True)` plus the
// filter `regex_replace` (re.sub), rendered with the document's fields as variables (`render(**doc)`);
// lm_eval/api/task.py: a template that is a field name yields that field. So, as there:
//   - StrictUndefined: using an undefined name, a missing key/attribute or an index out of range
//     is an error naming it ("'answer' is undefined", "list object has no element 5"); only
//     `is defined` / `is undefined` / `is none` may look at such a value without error.
//   - default delimiters; no trim_blocks, no lstrip_blocks: the newline after a tag is kept unless
//     "-" strips it; the template's final newline is kept; "\r\n" and "\r" in template text
//     become "\n". `{%- -%}` `{{- -}}` `{#- -#}` strip all Unicode whitespace (str.isspace).
//   - values print as Python str(): 42, 0.5, 1e-05, True, None, ['a', 'b'].
//   - `doc` is not a variable (lm-eval passes the fields, not the document): write `question`.
//
// Subset (documented in eval/README.md):
//   {{ expr }}  {% if expr %}…{% elif expr %}…{% else %}…{% endif %}
//   {% for x in expr %}…{% else %}…{% endfor %} (loop.index, index0, revindex, revindex0, first,
//   last, length)  {# comments #}  whitespace control {%- -%} {{- -}} (and the no-op "+")
//   expr: names, x.field, x.0, x[i] (negative i), x['key'], x[a:b:c], string/int/float/list
//   literals, true/false/none, + - * / // % ** ~ (Python semantics on int64 and double),
//   == != < <= > >= (chained), in, not in, and or not (returning operands, as Python), ( ),
//   `a if c else b`, tests `is [not] defined|undefined|none|true|false`,
//   str methods .strip([chars]) .lstrip() .rstrip() .lower() .upper() .replace(a,b[,n])
//   .split([sep[,maxsplit]]) .startswith(s) .endswith(s) .index(s), list .index(x),
//   filters | trim | lower | upper | length | count | join(sep) | string | int(default)
//   | float(default) | first | last | replace(a,b[,n]) | list | regex_replace(pattern,repl[,n]),
//   range(n) / range(a,b[,step]). Jinja2 has no len(): use |length.
// Refused at parse time: other tags ({% set %}, {% macro %}, {% raw %}, {% include %}, …), other
// filters/tests/methods/functions, dict literals, tuples, keyword arguments, loop filters, tuple
// unpacking. Refused at render time where Jinja2 would print Python internals or dict order:
// printing or iterating a mapping (nlohmann::json does not keep key order), `x.values` when
// `values` is a dict/str/list method name, a method named without calling it, str % formatting,
// integers beyond 64 bits (Python's big ints).
// Bounded where Jinja2 is not: one render builds at most 4 Mi bytes and list items (every value
// an expression yields, the output, 1 Ki per loop step), range() at most 1,000,000 items; past
// that the render is an error, before the value is built.
// A template that is a bare field name with no braces (lm-eval's `doc_to_text: prompt`) yields
// that field's value.
#pragma once
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace lfmb::eval {

class DocTemplate {
 public:
  // Parses once; throws lfmb::Error "<where>: <problem>" for syntax outside the subset.
  DocTemplate(const std::string& source, const std::string& where);
  ~DocTemplate();
  DocTemplate(DocTemplate&&) noexcept;
  DocTemplate& operator=(DocTemplate&&) noexcept;

  // Renders to text (lm-eval renders then uses the string).
  std::string render(const nlohmann::json& doc) const;
  // The value of a template that is a single {{ expr }} (or a bare field name) without turning it
  // into text: doc_to_choice may yield a list, doc_to_target an int. Other templates: the text.
  // lm-eval itself renders to text and then converts (task.py: literal_eval for doc_to_choice,
  // digit strings to int when doc_to_choice is set, "[...]" targets); that per-field rule is the
  // task loader's, not this class's.
  nlohmann::json evaluate(const nlohmann::json& doc) const;
  const std::string& source() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lfmb::eval
