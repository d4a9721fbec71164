// lm-eval's prompt templates (`doc_to_text`, `doc_to_target`, `doc_to_choice`, `description`):
// the subset of Jinja2 the lfmb tasks need, rendered over a JSON document. Anything outside the
// subset is refused when the task is loaded, with one line naming the task file and the construct.
//
// Subset (documented in eval/README.md):
//   {{ expr }}  {% if expr %}…{% elif expr %}…{% else %}…{% endif %}  {% for x in expr %}…{% endfor %}
//   (loop.index, loop.index0, loop.first, loop.last)  {# comments #}  whitespace control {%- -%} {{- -}}
//   expr: field names, doc.field, x[0], x['key'], x[a:b], string/int/list literals, + - * // % ~,
//   == != < <= > >=, and or not, in, ( ), method calls .strip() .lstrip() .rstrip() .lower() .upper()
//   .replace(a,b) .split() .split(sep), filters | trim | lower | upper | length | join(sep) | string
//   | int | first | last | replace(a,b), functions range(n) len(x).
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
  nlohmann::json evaluate(const nlohmann::json& doc) const;
  const std::string& source() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lfmb::eval
