#include "kernels/cpu_features.h"

#include <cpuid.h>
#include <cpuinfo.h>

#include <cstdlib>
#include <string>

#include "core/error.h"

namespace lfmb {

namespace {

CpuFeatures detect() {
  CpuFeatures f;
  if (!cpuinfo_initialize()) return f;  // unknown CPU: scalar only
  if (const cpuinfo_package* p = cpuinfo_get_package(0)) f.model = p->name;
  f.cores = int(cpuinfo_get_processors_count());
  f.avx2 = cpuinfo_has_x86_avx2();
  f.fma = cpuinfo_has_x86_fma3();
  f.f16c = cpuinfo_has_x86_f16c();
  f.avx512f = cpuinfo_has_x86_avx512f();
  f.avx512bw = cpuinfo_has_x86_avx512bw();
  f.avx512vl = cpuinfo_has_x86_avx512vl();
  f.avx512dq = cpuinfo_has_x86_avx512dq();
  f.avx512_vnni = cpuinfo_has_x86_avx512vnni();
  f.avx512_bf16 = cpuinfo_has_x86_avx512bf16();
  // Debian 12's cpuinfo predates AVX-VNNI: CPUID leaf 7, sub-leaf 1, EAX bit 4 (the OS saves
  // the ymm state whenever AVX2 is usable, which the avx2 path checks as well).
  unsigned a = 0, b = 0, c = 0, d = 0;
  f.avx_vnni = __get_cpuid_count(7, 1, &a, &b, &c, &d) && (a >> 4 & 1u);
  // LFMB_AVX_VNNI=0 hides it, so the avx2 path's maddubs kernels can be timed on a CPU that has it.
  if (const char* e = std::getenv("LFMB_AVX_VNNI"); e && std::string(e) == "0") f.avx_vnni = false;
  return f;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = detect();
  return f;
}

std::string_view isa_name(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return "scalar";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
  }
  return "?";
}

bool isa_supported(Isa isa) {
  const CpuFeatures& f = cpu_features();
  switch (isa) {
    case Isa::Scalar: return true;
    case Isa::Avx2: return f.avx2 && f.fma && f.f16c;
    case Isa::Avx512: return isa_supported(Isa::Avx2) && f.avx512f && f.avx512bw && f.avx512vl && f.avx512_vnni;
  }
  return false;
}

std::vector<Isa> supported_isas() {
  std::vector<Isa> v;
  for (Isa i : {Isa::Scalar, Isa::Avx2, Isa::Avx512})
    if (isa_supported(i)) v.push_back(i);
  return v;
}

Isa isa_from_name(std::string_view name, std::string_view what) {
  for (Isa i : {Isa::Scalar, Isa::Avx2, Isa::Avx512})
    if (name == isa_name(i)) return i;
  throw Error(std::string(what) + ": unknown ISA '" + std::string(name) + "' (expected scalar, avx2 or avx512)");
}

Isa default_isa() {
  Isa best = supported_isas().back();
  if (const char* env = std::getenv("LFMB_ISA"); env && *env) {
    const Isa cap = isa_from_name(env, "LFMB_ISA");
    if (cap < best) best = cap;
  }
  return best;
}

bool has_bf16_dot(Isa isa) { return isa == Isa::Avx512 && cpu_features().avx512_bf16; }

}  // namespace lfmb
