// Where `lfmb run` puts its result pair, and under which name. A run never replaces an earlier
// run's files: when <dir>/<date>-<name>.json or .csv exists, the pair is named <date>-<name>-2,
// -3, ... instead. --resume continues the newest such pair (of any date) that is unfinished: its
// .json says "complete": false, or there is a .csv without a .json (a first write cut between
// its two renames); without one it continues today's newest pair, or starts a new name.
#pragma once
#include <string>

namespace lfmb {

// The first of <dir>/<stem>, <dir>/<stem>-2, <dir>/<stem>-3, ... with neither a .json nor a .csv.
std::string fresh_result_base(const std::string& dir, const std::string& stem);

// Whether something (a file, a link, even a dangling one) is at `path`.
bool exists_no_follow(const std::string& path);

// `name` is the config's (possibly with its --set suffix); `today` is "YYYY-MM-DD".
std::string resume_result_base(const std::string& dir, const std::string& name, const std::string& today);

}  // namespace lfmb
