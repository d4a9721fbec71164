#include "bench/run_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/error.h"
#include "core/io/bounded_input.h"

namespace lfmb {

namespace {

std::string line_of(const std::string& path, const YAML::Node& n) {
  return n.Mark().is_null() ? path : path + ":" + std::to_string(n.Mark().line + 1);
}

[[noreturn]] void fail_at(const std::string& path, const YAML::Node& n, const std::string& key, const std::string& what) {
  throw Error(line_of(path, n) + ": " + (key.empty() ? "" : "key '" + key + "': ") + what);
}

// Applies one key with file/line context on failure.
void apply(RunParams& p, const std::string& path, const std::string& key, const YAML::Node& value, const YAML::Node& where) {
  const RunField* f = find_run_field(key);
  if (!f) fail_at(path, where, "", "unknown key '" + key + "' (known: " + run_field_names() + ")");
  try {
    f->set(p, value);
  } catch (const Error& e) {
    fail_at(path, value, key, e.what());
  }
}

uint64_t saturating_mul(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}
uint64_t saturating_add(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}
std::string count_text(uint64_t n) { return n == UINT64_MAX ? "more than 18446744073709551614" : std::to_string(n); }

struct SweepAxis {
  std::string key;
  std::vector<YAML::Node> values;
};

// An exclude rule: keys with their values as a run holds them (normalised once, when parsed).
using ExcludeRule = std::vector<std::pair<std::string, nlohmann::json>>;

bool excluded(const RunParams& p, const std::vector<ExcludeRule>& excludes) {
  const nlohmann::json have = p.to_json();
  return std::any_of(excludes.begin(), excludes.end(), [&](const ExcludeRule& rule) {
    return std::all_of(rule.begin(), rule.end(), [&](const auto& kv) { return have.at(kv.first) == kv.second; });
  });
}

}  // namespace

RunConfig parse_run_config(const std::string& text, const std::string& path, const std::vector<std::string>& overrides,
                           uint64_t max_combinations) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw Error(path + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  if (!root.IsMap())
    fail_at(path, root, "", "a config must be a mapping with keys name, description, run, sweep, exclude, skip_unavailable");

  RunConfig cfg;
  cfg.path = path;
  cfg.name = std::filesystem::path(path).stem().string();
  RunParams base;
  std::map<std::string, std::string> base_origin;
  std::vector<SweepAxis> axes;
  std::vector<ExcludeRule> excludes;
  std::map<std::string, std::string> overridden_axes;  // key -> "--set key=a,b" that gave its sweep list

  for (const auto& kv : root) {
    const std::string section = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (section == "name") {
      if (!v.IsScalar() || v.Scalar().empty()) fail_at(path, v, "name", "expected a non-empty string");
      cfg.name = v.Scalar();
      for (char c : cfg.name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
          fail_at(path, v, "name", "use only letters, digits, '-', '_' and '.' (it names result files)");
    } else if (section == "description") {
      if (!v.IsScalar()) fail_at(path, v, "description", "expected a string");
      cfg.description = v.Scalar();
    } else if (section == "run") {
      if (!v.IsMap()) fail_at(path, v, "run", "expected a mapping of run keys");
      for (const auto& f : v) {
        apply(base, path, f.first.Scalar(), f.second, f.first);
        base_origin[f.first.Scalar()] = line_of(path, f.second);
      }
    } else if (section == "sweep") {
      if (!v.IsMap()) fail_at(path, v, "sweep", "expected a mapping from keys to lists of values");
      for (const auto& f : v) {
        const std::string key = f.first.Scalar();
        if (!find_run_field(key)) fail_at(path, f.first, "", "unknown key '" + key + "' (known: " + run_field_names() + ")");
        if (!f.second.IsSequence() || f.second.size() == 0)
          fail_at(path, f.second, "sweep." + key, "expected a non-empty list of values");
        SweepAxis axis{key, {}};
        for (const auto& value : f.second) {
          RunParams probe;
          apply(probe, path, key, value, value);  // validates each value now, with its line
          axis.values.push_back(value);
        }
        axes.push_back(std::move(axis));
      }
    } else if (section == "exclude") {
      if (!v.IsSequence()) fail_at(path, v, "exclude", "expected a list of {key: value} mappings");
      for (const auto& rule : v) {
        if (!rule.IsMap() || rule.size() == 0) fail_at(path, rule, "exclude", "each entry must be a non-empty mapping");
        ExcludeRule r;
        for (const auto& f : rule) {
          RunParams probe;
          apply(probe, path, f.first.Scalar(), f.second, f.first);
          // A key's value in to_json() depends on that key alone, so it can be taken from a probe
          // once instead of applying the rule to every run (fuzz_run_config: 77 inputs/s that way).
          r.emplace_back(f.first.Scalar(), probe.to_json().at(f.first.Scalar()));
        }
        excludes.push_back(std::move(r));
      }
    } else if (section == "skip_unavailable") {
      try {
        cfg.skip_unavailable = v.as<bool>();
      } catch (const YAML::Exception&) {
        fail_at(path, v, "skip_unavailable", "expected true or false");
      }
    } else {
      fail_at(path, kv.first, "",
              "unknown section '" + section + "' (known: name, description, run, sweep, exclude, skip_unavailable)");
    }
  }

  // --set key=value, the value parsed as YAML. A list ("a,b,c" or "[a, b, c]") replaces a swept
  // key's values, sweeps a single-valued key, or is the value of a list key (n_prompt, depth);
  // a single value replaces the base value and ends the key's sweep.
  for (const auto& o : overrides) {
    const size_t eq = o.find('=');
    if (eq == std::string::npos || eq == 0) throw Error("--set " + o + ": expected key=value");
    const std::string key = o.substr(0, eq), text = o.substr(eq + 1);
    const RunField* f = find_run_field(key);
    if (!f) throw Error("--set " + o + ": unknown key '" + key + "' (known: " + run_field_names() + ")");
    std::vector<YAML::Node> items;  // the list's items, or one value
    try {
      const YAML::Node value = YAML::Load(text);
      if (value.IsSequence()) {
        for (const auto& it : value) items.push_back(it);
      } else if (value.IsScalar() && text.find(',') != std::string::npos && text.find_first_of("{[") == std::string::npos) {
        size_t start = 0;
        while (true) {
          const size_t comma = text.find(',', start);
          items.push_back(YAML::Load(text.substr(start, comma - start)));
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
      } else {
        items.push_back(value);
      }
    } catch (const YAML::Exception& e) {
      throw Error("--set " + o + ": invalid value: " + e.msg);
    }
    if (items.empty()) throw Error("--set " + o + ": an empty list");
    const bool is_list = items.size() > 1 || text.find_first_of(",[") != std::string::npos;
    const auto axis = std::find_if(axes.begin(), axes.end(), [&](const SweepAxis& a) { return a.key == key; });
    try {
      if (is_list && (axis != axes.end() || !f->list_value)) {
        SweepAxis replaced{key, {}};
        for (const auto& item : items) {
          RunParams probe;
          f->set(probe, item);  // each value is checked now
          replaced.values.push_back(item);
        }
        if (axis != axes.end()) *axis = std::move(replaced);
        else axes.push_back(std::move(replaced));
        overridden_axes[key] = "--set " + o;
      } else {
        // (yaml-cpp's Node assignment writes through to the node it refers to: build a new one.)
        YAML::Node list(YAML::NodeType::Sequence);
        for (const auto& item : items) list.push_back(item);
        f->set(base, is_list ? list : items.front());
        base_origin[key] = "--set " + o;
        if (axis != axes.end()) axes.erase(axis);
        overridden_axes.erase(key);
      }
    } catch (const Error& e) {
      throw Error("--set " + o + ": " + e.what());
    }
    cfg.overrides.push_back(o);
  }

  // The size of the product, counted (saturating) before it is built: a sweep of a few long
  // lists would otherwise expand to billions of runs and exhaust memory.
  uint64_t n_runs = 1;
  std::string factors;
  for (const auto& axis : axes) {
    n_runs = saturating_mul(n_runs, axis.values.size());
    factors += (factors.empty() ? "" : " x ") + std::to_string(axis.values.size()) + " " + axis.key;
  }
  if (n_runs > max_combinations)
    throw Error(path + ": the sweep has " + count_text(n_runs) + " combinations (" + factors + "), more than the limit of " +
                std::to_string(max_combinations) + "; raise it with --max-combinations N");

  // Cartesian product, first axis outermost.
  std::vector<std::pair<RunParams, std::map<std::string, std::string>>> runs = {{base, base_origin}};
  for (const auto& axis : axes) {
    cfg.swept_keys.push_back(axis.key);
    std::vector<std::pair<RunParams, std::map<std::string, std::string>>> next;
    for (const auto& r : runs)
      for (const auto& value : axis.values) {
        auto p = r;
        apply(p.first, path, axis.key, value, value);
        p.second[axis.key] = overridden_axes.count(axis.key) ? overridden_axes[axis.key] : line_of(path, value);
        next.push_back(std::move(p));
      }
    runs = std::move(next);
  }
  for (auto& [r, origin] : runs) {
    if (excluded(r, excludes)) continue;
    cfg.runs.push_back(std::move(r));
    cfg.origins.push_back(std::move(origin));
  }
  if (cfg.runs.empty()) throw Error(path + ": every combination is excluded; nothing to run");
  // Each run measures every n_prompt x depth pair plus n_gen at every n_seq x depth pair.
  uint64_t n_tests = 0;
  for (const auto& r : cfg.runs) {
    const uint64_t prompts = uint64_t(std::count_if(r.n_prompt.begin(), r.n_prompt.end(), [](int n) { return n > 0; }));
    n_tests = saturating_add(n_tests, saturating_mul(prompts + (r.n_gen > 0 ? r.n_seq.size() : 0), r.depth.size()));
  }
  if (n_tests > max_combinations)
    throw Error(path + ": the " + std::to_string(cfg.runs.size()) + " run(s) hold " + count_text(n_tests) +
                " tests (n_prompt x depth lists), more than the limit of " + std::to_string(max_combinations) +
                "; raise it with --max-combinations N");
  for (const auto& r : cfg.runs)
    if (r.model.path.empty() && r.model.preset.empty())
      throw Error(path + ": key 'model': no model given (set run.model, sweep it, or --set model=FILE.gguf)");
  return cfg;
}

std::string RunConfig::where(size_t run, const std::string& key) const {
  auto it = origins.at(run).find(key);
  return (it == origins.at(run).end() ? path + " (default)" : it->second) + ": key '" + key + "'";
}

RunConfig load_run_config(const std::string& path, const std::vector<std::string>& overrides,
                          uint64_t max_combinations) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(path + ": cannot open config file");
  return parse_run_config(read_bounded_input(path, kMaxConfigBytes), path, overrides, max_combinations);
}

}  // namespace lfmb
