// Follows evalplus/evalplus 26d6d00bb1fd evalplus/data/humaneval.py get_human_eval_plus: one
// problem per JSONL line, keyed by task_id.
#include "eval/code/evalplus_problems.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace lfmb::eval {

std::map<std::string, EvalplusProblem> load_evalplus_problems(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw Error(path + ": cannot read the HumanEval+ data file: " + ec.message());
  if (size > (1ull << 30)) throw Error(path + ": " + std::to_string(size) + " bytes, more than the 1 GiB a HumanEval+ file may have");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the HumanEval+ data file");
  std::map<std::string, EvalplusProblem> out;
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(n);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);  // big integers lose precision here; only the line is passed on
    } catch (const std::exception& e) {
      throw Error(where + ": not JSON (" + std::string(e.what()) + ")");
    }
    for (const char* k : {"task_id", "prompt", "entry_point", "canonical_solution"})
      if (!j.contains(k) || !j[k].is_string()) throw Error(where + ": field '" + std::string(k) + "' must be a string");
    for (const char* k : {"base_input", "plus_input"})
      if (!j.contains(k) || !j[k].is_array()) throw Error(where + ": field '" + std::string(k) + "' must be a list of argument lists");
    if (!j.contains("atol") || !j["atol"].is_number()) throw Error(where + ": field 'atol' must be a number");
    EvalplusProblem p;
    p.task_id = j["task_id"].get<std::string>();
    p.entry_point = j["entry_point"].get<std::string>();
    p.n_base = j["base_input"].size();
    p.n_plus = j["plus_input"].size();
    p.line = std::move(line);
    if (out.count(p.task_id)) throw Error(where + ": task_id '" + p.task_id + "' appears twice");
    out.emplace(p.task_id, std::move(p));
  }
  return out;
}

}  // namespace lfmb::eval
