#include "backends/onednn/onednn_matmul_cache.h"

namespace lfmb {

namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

dt activation_type(OnednnDtype d) {
  switch (d) {
    case OnednnDtype::BF16: return dt::bf16;
    case OnednnDtype::INT8: return dt::u8;
    default: return dt::f32;
  }
}

dt weight_type(OnednnDtype d) { return d == OnednnDtype::INT8 ? dt::s8 : activation_type(d); }

}  // namespace

dnnl::matmul::primitive_desc OnednnMatmulCache::describe(int64_t n_out, int64_t n_in, int64_t rows,
                                                         const dnnl::memory::desc& w) {
  const dnnl::memory::desc src({rows, n_in}, activation_type(dtype_), tag::ab);
  const dnnl::memory::desc dst({rows, n_out}, dt::f32, tag::ab);
  dnnl::primitive_attr attr;
  if (dtype_ == OnednnDtype::INT8) {
    dnnl::post_ops ops;
    const dnnl::memory::desc per_channel({1, n_out}, dt::f32, tag::ab);
    ops.append_binary(dnnl::algorithm::binary_add, per_channel);
    ops.append_binary(dnnl::algorithm::binary_mul, per_channel);
    attr.set_post_ops(ops);
  }
  return dnnl::matmul::primitive_desc(dnnl::matmul::desc(src, w, dst), attr, engine_);
}

const dnnl::memory::desc& OnednnMatmulCache::weights_desc(int64_t n_out, int64_t n_in) {
  auto it = layouts_.find({n_out, n_in});
  if (it == layouts_.end()) {
    const dnnl::memory::desc any({n_in, n_out}, weight_type(dtype_), tag::any);
    it = layouts_.emplace(std::make_tuple(n_out, n_in), describe(n_out, n_in, 1, any).weights_desc()).first;
  }
  return it->second;
}

const dnnl::matmul& OnednnMatmulCache::matmul(int64_t n_out, int64_t n_in, int64_t rows) {
  auto it = primitives_.find({n_out, n_in, rows});
  if (it == primitives_.end())
    it = primitives_
             .emplace(std::make_tuple(n_out, n_in, rows),
                      dnnl::matmul(describe(n_out, n_in, rows, weights_desc(n_out, n_in))))
             .first;
  return it->second;
}

std::string OnednnMatmulCache::implementation(int64_t n_out, int64_t n_in, int64_t rows) {
  return describe(n_out, n_in, rows, weights_desc(n_out, n_in)).impl_info_str();
}

}  // namespace lfmb
