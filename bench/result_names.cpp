#include "bench/result_names.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

namespace lfmb {

namespace fs = std::filesystem;

namespace {

bool taken(const std::string& base) { return exists_no_follow(base + ".json") || exists_no_follow(base + ".csv"); }

// "<YYYY-MM-DD>-<name>" or "<YYYY-MM-DD>-<name>-<N>" (N >= 2): the date and N (1 without a
// suffix); false for any other file stem.
bool parse_stem(const std::string& stem, const std::string& name, std::string& date, int& n) {
  if (stem.size() < 11 + name.size() || stem.compare(11, name.size(), name) != 0 || stem[10] != '-') return false;
  for (size_t i = 0; i < 10; ++i)
    if (i == 4 || i == 7 ? stem[i] != '-' : !std::isdigit(static_cast<unsigned char>(stem[i]))) return false;
  date = stem.substr(0, 10);
  const std::string rest = stem.substr(11 + name.size());
  if (rest.empty()) {
    n = 1;
    return true;
  }
  if (rest.size() < 2 || rest.size() > 7 || rest[0] != '-' || rest[1] == '0') return false;
  for (size_t i = 1; i < rest.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(rest[i]))) return false;
  n = std::stoi(rest.substr(1));
  return n >= 2;
}

// A .json marked "complete": false, or a .csv whose .json is missing.
bool unfinished(const std::string& base) {
  if (!exists_no_follow(base + ".json")) return exists_no_follow(base + ".csv");
  std::error_code ec;
  const auto size = fs::file_size(base + ".json", ec);
  if (ec || size > (uint64_t(1) << 30)) return false;
  std::ifstream f(base + ".json", std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  const nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  return j.is_object() && j.value("complete", nlohmann::json()) == false;
}

}  // namespace

bool exists_no_follow(const std::string& path) {
  std::error_code ec;
  return fs::symlink_status(path, ec).type() != fs::file_type::not_found && !ec;
}

std::string fresh_result_base(const std::string& dir, const std::string& stem) {
  const std::string first = dir + "/" + stem;
  if (!taken(first)) return first;
  for (int n = 2;; ++n)
    if (!taken(first + "-" + std::to_string(n))) return first + "-" + std::to_string(n);
}

std::string resume_result_base(const std::string& dir, const std::string& name, const std::string& today) {
  std::tuple<std::string, int> newest_unfinished{"", 0}, newest_today{"", 0};
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path p = it->path();
    if (p.extension() != ".json" && p.extension() != ".csv") continue;
    std::string date;
    int n = 0;
    if (!parse_stem(p.stem().string(), name, date, n)) continue;
    const std::tuple<std::string, int> key{date, n};
    const std::string base = dir + "/" + p.stem().string();
    if (key > newest_unfinished && unfinished(base)) newest_unfinished = key;
    if (date == today && key > newest_today) newest_today = key;
  }
  const auto base_of = [&](const std::tuple<std::string, int>& k) {
    const auto& [date, n] = k;
    return dir + "/" + date + "-" + name + (n > 1 ? "-" + std::to_string(n) : "");
  };
  if (!std::get<0>(newest_unfinished).empty()) return base_of(newest_unfinished);
  if (!std::get<0>(newest_today).empty()) return base_of(newest_today);
  return dir + "/" + today + "-" + name;
}

}  // namespace lfmb
