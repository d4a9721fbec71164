// The filters and metrics a task's filter_list / metric_list may name, by their lm-eval names.
// One line per entry; each factory lives in its own file.
#include <algorithm>
#include <vector>

#include "eval/scorers/choice_scorers.h"
#include "eval/scorers/lm_eval_filters.h"
#include "eval/scorers/math_boxed.h"
#include "eval/scorers/math_dollar_span.h"
#include "eval/scorers/math_equiv.h"
#include "eval/scorers/math_minerva.h"
#include "eval/scorers/scorer.h"

namespace lfmb::eval {

namespace {

const std::vector<FilterInfo>& filters() {
  static const std::vector<FilterInfo> table = {
      regex_filter(),
      take_first_filter(),
      remove_whitespace_filter(),
      lowercase_filter(),
      uppercase_filter(),
      multi_choice_regex_filter(),
      boxed_filter(),
      minerva_final_answer_filter(),
      dollar_span_filter(),
      mmlu_pro_extract_filter(),
      gpqa_answer_filter(),
      mgsm_parse_answer_filter(),
  };
  return table;
}

const std::vector<MetricInfo>& metrics() {
  static const std::vector<MetricInfo> table = {
      exact_match_metric(),
      is_equiv_metric(),
      minerva_match_metric(),
      mgsm_score_metric(),
      acc_letter_metric(),
  };
  return table;
}

template <class Info>
const Info* find_in(const std::vector<Info>& table, std::string_view name) {
  auto it = std::find_if(table.begin(), table.end(), [&](const Info& i) { return i.name == name; });
  return it == table.end() ? nullptr : &*it;
}

template <class Info>
std::vector<std::string> names_of(const std::vector<Info>& table) {
  std::vector<std::string> out;
  for (const Info& i : table) out.push_back(i.name);
  return out;
}

}  // namespace

const FilterInfo* find_filter(std::string_view name) { return find_in(filters(), name); }
const MetricInfo* find_metric(std::string_view name) { return find_in(metrics(), name); }
std::vector<std::string> filter_names() { return names_of(filters()); }
std::vector<std::string> metric_names() { return names_of(metrics()); }

}  // namespace lfmb::eval
