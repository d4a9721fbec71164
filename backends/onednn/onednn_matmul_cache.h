// oneDNN matmul primitives of the `onednn` backend, created once per (n_out, n_in, rows) and shared
// by every weight of that shape: LFM2-8B-A1B has ~2,300 matrices but only a handful of shapes, and
// its MoE calls each expert with a different row count, so a primitive per weight would not scale.
//
// All primitives of one shape read the weights in the same blocked layout: the one oneDNN prefers
// for a single row (decode). It also accepts that layout at every other row count (checked on 2.6:
// the brgemm kernels are chosen for all of them), so each weight is reordered once, at load.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <tuple>

#include <dnnl.hpp>

namespace lfmb {

// The compute type: what the activations and weights are converted to before the matmul.
enum class OnednnDtype {
  F32,   // f32 × f32
  BF16,  // bf16 × bf16 (activations rounded to bf16 per call)
  INT8,  // u8 × s8: s8 weights per output channel, activations quantised per row
};

class OnednnMatmulCache {
 public:
  OnednnMatmulCache(const dnnl::engine& engine, OnednnDtype dtype) : engine_(engine), dtype_(dtype) {}

  // The layout weights of this shape are stored in (bytes: get_size()).
  const dnnl::memory::desc& weights_desc(int64_t n_out, int64_t n_in);

  // The matmul for `rows` activation rows. INT8: two post-ops with 1 × n_out f32 tensors of the
  // weight, passed at execution (so the primitive does not depend on any one weight): add the
  // per-channel offsets, then multiply by the per-channel scales.
  const dnnl::matmul& matmul(int64_t n_out, int64_t n_in, int64_t rows);

  // The implementation oneDNN picked for a shape ("brg:avx512_core_vnni", ...).
  std::string implementation(int64_t n_out, int64_t n_in, int64_t rows);

  size_t primitive_count() const { return primitives_.size(); }

 private:
  dnnl::matmul::primitive_desc describe(int64_t n_out, int64_t n_in, int64_t rows, const dnnl::memory::desc& w);

  dnnl::engine engine_;
  OnednnDtype dtype_;
  std::map<std::tuple<int64_t, int64_t>, dnnl::memory::desc> layouts_;
  std::map<std::tuple<int64_t, int64_t, int64_t>, dnnl::matmul> primitives_;
};

}  // namespace lfmb
