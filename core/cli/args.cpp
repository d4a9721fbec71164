#include "core/cli/args.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "core/error.h"

namespace lfmb {

namespace {
// "--model,-m" -> {"--model", "-m"}
std::vector<std::string> names_of(const OptionSpec& o) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t comma = o.name.find(',', start);
    out.push_back(o.name.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}
}  // namespace

std::optional<std::string> ParsedArgs::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::string ParsedArgs::get_or(const std::string& name, const std::string& dflt) const {
  auto v = get(name);
  return v ? *v : dflt;
}

long long ParsedArgs::get_int(const std::string& name, long long dflt, long long lo, long long hi) const {
  auto v = get(name);
  if (!v) return dflt;
  char* end = nullptr;
  const long long x = std::strtoll(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || x < lo || x > hi)
    throw UsageError(name + " expects an integer from " + std::to_string(lo) + " to " + std::to_string(hi) +
                     ", got '" + *v + "'");
  return x;
}

std::vector<std::string> ParsedArgs::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

ParsedArgs parse_args(const CommandSpec& spec, const std::vector<std::string>& args) {
  ParsedArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() > 1 && a[0] == '-' && !(a.size() > 1 && (std::isdigit(static_cast<unsigned char>(a[1])) || a[1] == '.'))) {
      std::string key = a, inline_value;
      bool has_inline = false;
      if (const size_t eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
        key = a.substr(0, eq);
        inline_value = a.substr(eq + 1);
        has_inline = true;
      }
      const OptionSpec* match = nullptr;
      for (const auto& o : spec.options)
        for (const auto& n : names_of(o))
          if (n == key) match = &o;
      if (!match) throw UsageError("lfmb " + spec.name + ": unknown option '" + key + "' (see lfmb " + spec.name + " --help)");
      const std::string canonical = names_of(*match)[0];
      if (!match->ignored.empty()) {
        std::string shown = key;
        if (has_inline) shown += " " + inline_value;
        else if (!match->value_name.empty() && i + 1 < args.size()) shown += " " + args[++i];
        out.notes_.push_back(shown + " ignored (" + match->ignored + ")");
        continue;
      }
      if (match->value_name.empty()) {
        if (has_inline) throw UsageError("lfmb " + spec.name + ": option " + key + " takes no value");
        out.values_[canonical].push_back("1");
        continue;
      }
      std::string value;
      if (has_inline) {
        value = inline_value;
      } else {
        if (i + 1 >= args.size()) throw UsageError("lfmb " + spec.name + ": option " + key + " needs a value " + match->value_name);
        value = args[++i];
      }
      if (!match->repeatable && out.values_.count(canonical))
        throw UsageError("lfmb " + spec.name + ": option " + key + " given twice");
      out.values_[canonical].push_back(value);
    } else {
      out.positional_.push_back(a);
    }
  }
  const int np = int(out.positional_.size());
  if (np < spec.min_positional || np > spec.max_positional)
    throw UsageError("usage: " + spec.usage);
  return out;
}

std::optional<ParsedArgs> parse_args_or_help(const CommandSpec& spec, const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      std::fputs(format_help(spec).c_str(), stdout);
      return std::nullopt;
    }
  }
  ParsedArgs parsed = parse_args(spec, args);
  for (const auto& n : parsed.notes()) std::fprintf(stderr, "lfmb %s: note: %s\n", spec.name.c_str(), n.c_str());
  return parsed;
}

std::string format_help(const CommandSpec& spec) {
  std::string s = "usage: " + spec.usage + "\n\n" + spec.summary + "\n";
  if (!spec.options.empty()) s += "\noptions:\n";
  for (const auto& o : spec.options) {
    std::string left = "  " + o.name + (o.value_name.empty() ? "" : " " + o.value_name);
    if (left.size() < 28) left.resize(28, ' ');
    else left += "\n" + std::string(28, ' ');
    s += left + o.help + "\n";
  }
  s += "  --help, -h                show this help\n";
  return s;
}

std::vector<std::string> split_comma_list(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

}  // namespace lfmb
