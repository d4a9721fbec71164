// Target attributes for the ISA paths and small shared SIMD helpers. Only include from kernel .cpp
// files; every function here carries its target, so nothing leaks into baseline code.
#pragma once
#include <immintrin.h>

// GCC 12 reports its own AVX-512 intrinsics (built on _mm512_undefined_*) as using uninitialised
// values; it is a compiler false positive (GCC bug 105593), silenced for the kernel files only.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#define LFMB_TARGET_AVX2 __attribute__((target("avx2,fma,f16c")))
#define LFMB_TARGET_AVX512 __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")))
#define LFMB_TARGET_AVX512_BF16 \
  __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx512bf16")))

namespace lfmb::simd {

LFMB_TARGET_AVX2 inline float hsum_avx2(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

}  // namespace lfmb::simd
