// The timestamps lfmb writes into result files (UTC, so records from several machines sort).
#pragma once
#include <string>

namespace lfmb {

std::string utc_time_iso();  // "2026-12-05T14:03:09Z" (llama-bench's test_time)

}  // namespace lfmb
