// A small declarative argument parser: each subcommand lists its options once, and that list
// drives parsing, validation and --help.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lfmb {

struct OptionSpec {
  std::string name;        // "--model" (a short alias may follow after a comma: "--model,-m")
  std::string value_name;  // "" for a flag; "FILE", "N", ... for an option that takes a value
  std::string help;
  bool repeatable = false;  // may be given several times (values collected in order)
  std::string ignored{};    // non-empty: accepted, not stored, and noted (why) in ParsedArgs::notes()
};

struct CommandSpec {
  std::string name;        // "info"
  std::string usage;       // "lfmb info FILE.gguf [--json]"
  std::string summary;     // one line
  std::vector<OptionSpec> options;
  int min_positional = 0;
  int max_positional = 0;
};

class ParsedArgs {
 public:
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  // Last value given for an option; nullopt if absent.
  std::optional<std::string> get(const std::string& name) const;
  std::string get_or(const std::string& name, const std::string& dflt) const;
  // Integer value, with a usage error naming the option when it is not a number in [lo, hi].
  long long get_int(const std::string& name, long long dflt, long long lo, long long hi) const;
  std::vector<std::string> all(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }
  // One line per ignored option given ("-ngl 99 ignored (lfmb runs on the CPU)");
  // parse_args_or_help prints them on stderr.
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  friend ParsedArgs parse_args(const CommandSpec&, const std::vector<std::string>&);
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
  std::vector<std::string> notes_;
};

// Throws lfmb::UsageError on an unknown option, a missing value or a wrong number of positionals.
// Returns nullopt after printing help when --help/-h is given.
std::optional<ParsedArgs> parse_args_or_help(const CommandSpec& spec, const std::vector<std::string>& args);
ParsedArgs parse_args(const CommandSpec& spec, const std::vector<std::string>& args);
std::string format_help(const CommandSpec& spec);

// "a,b,,c" -> {"a", "b", "c"}: the comma lists of --tasks and similar flags (empty items dropped).
std::vector<std::string> split_comma_list(const std::string& s);

}  // namespace lfmb
