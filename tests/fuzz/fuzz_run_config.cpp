// Fuzz target: a throughput run/sweep YAML config (bench/run_config: `lfmb run CONFIG`), parsed
// from text with its sweep expanded, exclusions applied and per-run origins recorded. An input
// holding a NUL byte is split there: the part after it is one "--set key=value" override per line.
#include <string>
#include <string_view>
#include <vector>

#include "bench/run_config.h"
#include "tests/fuzz/support.h"

using namespace lfmb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nul = in.find('\0');
  const std::string yaml(in.substr(0, nul));
  std::vector<std::string> overrides;
  if (nul != std::string_view::npos)
    for (std::string_view line : fuzz::split_fields(in.substr(nul + 1), '\n')) overrides.emplace_back(line);

  fuzz::expect_only_lfmb_errors([&] {
    // A small combination limit: the bound itself is exercised, and a sweep the fuzzer writes in a
    // hundred bytes cannot expand into 10,000 runs per input.
    const RunConfig rc = parse_run_config(yaml, "fuzz.yaml", overrides, /*max_combinations=*/64);
    for (size_t i = 0; i < rc.runs.size() && i < 4; ++i)
      for (const std::string& k : rc.swept_keys) (void)rc.where(i, k);
  });
  return 0;
}
