// Several threading runtimes in one process: oneDNN's OpenMP team, OpenBLAS's pthreads, XNNPACK's
// pthreadpool and our own pool. Idle workers of one keep spinning and slow the next library's call
// on a small machine (measured up to 4×, see docs of each library). Both OpenMP and OpenBLAS read
// their wait policy only when they are loaded, before main(), so the process re-executes itself
// once with the settings below (unless the user set them: theirs win).
#pragma once

namespace lfmb {

// Call first thing in main(). Returns normally when the environment is already settled (or the
// re-exec failed, which only costs speed); otherwise never returns.
void settle_thread_environment(char** argv);

// "OMP_WAIT_POLICY=passive OPENBLAS_THREAD_TIMEOUT=4" as in effect, for result fingerprints.
const char* thread_environment_summary();

}  // namespace lfmb
