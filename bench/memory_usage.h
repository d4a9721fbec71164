// Resident memory of this process: current and peak (VmRSS / VmHWM), with a reset of the peak so
// each configuration of a sweep reports its own high-water mark.
#pragma once
#include <cstdint>

namespace lfmb {

uint64_t current_rss_bytes();
uint64_t peak_rss_bytes();
// Resets the peak to the current RSS (Linux /proc/self/clear_refs "5"); false if not possible.
bool reset_peak_rss();

}  // namespace lfmb
