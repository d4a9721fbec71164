// What this CPU can run, detected once at run time (cpuinfo), and which SIMD path the kernels use.
// The project compiles without -march flags: every ISA-specific function carries a target
// attribute and is only called after these checks. LFMB_ISA=scalar|avx2|avx512 forces a lower path;
// LFMB_AVX_VNNI=0 (read once, at detection) makes the avx2 path run as on a CPU without AVX-VNNI.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace lfmb {

struct CpuFeatures {
  std::string model;  // e.g. "AMD EPYC 9R14"
  int cores = 1;      // logical processors
  bool avx2 = false, fma = false, f16c = false;
  bool avx512f = false, avx512bw = false, avx512vl = false, avx512dq = false;
  bool avx512_vnni = false, avx512_bf16 = false;
  bool avx_vnni = false;  // 256-bit vpdpbusd (VEX), e.g. Alder Lake, Zen 5: the avx2 path's int8 GEMM uses it
};

const CpuFeatures& cpu_features();

// Kernel paths, lowest to highest. avx2 needs avx2+fma+f16c; avx512 needs avx512f/bw/vl + vnni.
enum class Isa { Scalar = 0, Avx2 = 1, Avx512 = 2 };

std::string_view isa_name(Isa isa);
bool isa_supported(Isa isa);             // can this CPU run the path at all?
std::vector<Isa> supported_isas();       // every path this CPU can run, lowest first
// The path kernels use by default: the best supported, capped by $LFMB_ISA if set.
// Throws lfmb::Error for an unknown LFMB_ISA value.
Isa default_isa();
// Parses "scalar", "avx2", "avx512"; throws lfmb::Error naming `what` otherwise.
Isa isa_from_name(std::string_view name, std::string_view what);
// BF16 dot instruction (vdpbf16ps): only on the avx512 path and when the CPU has it.
bool has_bf16_dot(Isa isa);

}  // namespace lfmb
