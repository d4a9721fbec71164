// Deciding whether a response follows a document's instructions, strict and loose, as the
// official evaluation_lib.py does (google-research instruction_following_eval, lm-eval
// tasks/ifeval/utils.py, IFBench evaluation_lib.py):
//   strict: the response as given; an empty response (after .strip()) follows nothing;
//   loose:  any of the 8 variants (response; without its first line; without its last line;
//           without both; each of those with '*' removed) that is non-empty after .strip() and
//           passes the check.
// IFBench drops null kwargs before building (its data carries every argument of every type,
// unused ones null); IFEval passes kwargs as given (lm-eval drops null ones too: same effect).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lfmb::eval::instructions {

struct FollowResult {
  std::vector<bool> strict, loose;   // one per instruction, in the document's order
  bool all_strict() const;
  bool all_loose() const;
};

// ids[i] with kwargs[i] (an object, or null for "no arguments"). Throws lfmb::Error for an id the
// suite does not know or for bad kwargs, naming the id.
FollowResult test_following(const std::string& suite, const std::vector<std::string>& ids,
                            const std::vector<nlohmann::json>& kwargs, const std::string& prompt,
                            const std::string& response);

// The 8 loose variants of a response, in the official order.
std::vector<std::string> loose_variants(const std::string& response);

}  // namespace lfmb::eval::instructions
