// Follows EleutherAI/lm-evaluation-harness lm_eval/filters/extraction.py @4e7e0d47f33b.
#include "eval/scorers/findall_pick.h"

#include <memory>
#include <unordered_map>

#include "core/error.h"

namespace lfmb::eval {

FindallPick findall_pick(const PyRegex& re, std::string_view text, long group_select, const std::string& owner) {
  std::vector<PyRegex::Match> all = re.finditer(text);
  FindallPick pick;
  if (all.empty()) return pick;
  pick.matched = true;
  const long n = long(all.size());
  const long idx = group_select < 0 ? n + group_select : group_select;
  if (idx < 0 || idx >= n)
    throw Error(owner + ": group_select " + std::to_string(group_select) + " is out of range for " +
                std::to_string(n) + " matches of '" + re.pattern() + "'");
  const PyRegex::Match& m = all[size_t(idx)];
  if (m.groups.size() <= 2) {  // no group: the whole match; one group: that group ("" when unset)
    pick.value = m.findall_value();
    return pick;
  }
  for (size_t g = 1; g < m.groups.size(); ++g)  // a tuple: Python's [m for m in match if m][0]
    if (m.groups[g] && !m.groups[g]->empty()) {
      pick.value = *m.groups[g];
      break;
    }
  return pick;
}

const PyRegex& cached_regex(const std::string& pattern) {
  // Bounded: multi_choice_regex compiles one pattern per document from its choices.
  thread_local std::unordered_map<std::string, std::unique_ptr<PyRegex>> cache;
  auto it = cache.find(pattern);
  if (it != cache.end()) return *it->second;
  if (cache.size() >= 512) cache.clear();
  auto re = std::make_unique<PyRegex>(pattern);
  return *cache.emplace(pattern, std::move(re)).first->second;
}

}  // namespace lfmb::eval
