#include "backends/onednn/onednn_backend.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <unordered_map>

#include "core/io/anonymous_mapping.h"
#include "core/error.h"
#include "core/gguf/half.h"

namespace lfmb {

namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

// Below this many values a conversion loop is not worth waking the other threads for.
constexpr int64_t kParallelValues = 1 << 15;

// Each matrix of a weight starts on a cache line.
constexpr uint64_t kAlign = 64;
uint64_t aligned_size(uint64_t bytes) { return (bytes + kAlign - 1) / kAlign * kAlign; }

const char* dtype_name(OnednnDtype d) {
  switch (d) {
    case OnednnDtype::BF16: return "bf16";
    case OnednnDtype::INT8: return "int8";
    default: return "f32";
  }
}

// Whether oneDNN runs bf16 matmuls with real kernels here (not its slow reference code).
bool bf16_runs_fast() {
  static const bool fast = [] {
    const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    const dnnl::memory::desc src({1, 64}, dt::bf16, tag::ab), w({64, 64}, dt::bf16, tag::any),
        dst({1, 64}, dt::f32, tag::ab);
    try {
      const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src, w, dst), engine);
      return std::string(pd.impl_info_str()).rfind("ref", 0) != 0;
    } catch (const dnnl::error&) {
      return false;
    }
  }();
  return fast;
}

std::vector<std::string> available_dtypes() {
  std::vector<std::string> d = {"f32"};
  if (bf16_runs_fast()) d.push_back("bf16");
  d.push_back("int8");
  return d;
}

// Without VNNI (AVX2, AVX-512 before VNNI) oneDNN's int8 kernels add each pair of u8×s8 products
// into 16 bits with saturation (vpmaddubsw): 2·255·127 overflows. Seen on an AVX2-only EPYC: rms
// error 0.07 against an exact emulation. 7-bit activations or weights instead cost too much accuracy
// (top-1 agreement 0.77 / 0.84 on the reference models, bound 0.85).
bool int8_pairs_saturate() {
  using isa = dnnl::cpu_isa;
  const isa have = dnnl::get_effective_cpu_isa();
  return !(have == isa::avx512_core_vnni || have == isa::avx512_core_bf16 || have == isa::avx512_core_amx ||
           have == isa::avx2_vnni);
}

OnednnDtype parse_dtype(const std::string& name) {
  const auto available = available_dtypes();
  if (name.empty()) return OnednnDtype::F32;
  if (std::find(available.begin(), available.end(), name) != available.end())
    return name == "bf16" ? OnednnDtype::BF16 : name == "int8" ? OnednnDtype::INT8 : OnednnDtype::F32;
  std::string list;
  for (const auto& d : available) list += (list.empty() ? "" : ", ") + d;
  throw Error("backend 'onednn' cannot compute in dtype '" + name + "' here (available: " + list + ")");
}

// A weight in oneDNN's blocked layout, one matrix after another; int8 adds two per-channel
// tensors for the matmul's post-ops.
class OnednnWeight final : public PreparedWeight {
 public:
  OnednnWeight(const WeightView& v, const dnnl::memory::desc& layout, bool int8)
      : PreparedWeight(v),
        layout(layout),
        mat_stride(aligned_size(layout.get_size())),
        data(mat_stride * uint64_t(v.n_mats)) {
    if (int8) {
      offsets.resize(size_t(v.n_out * v.n_mats));
      scales.resize(size_t(v.n_out * v.n_mats));
    }
    owned_bytes = data.size() + (offsets.size() + scales.size()) * sizeof(float);
  }
  uint8_t* matrix(int64_t mat) { return data.data() + mat_stride * uint64_t(mat); }
  const uint8_t* matrix(int64_t mat) const { return data.data() + mat_stride * uint64_t(mat); }
  // Non-const pointers because oneDNN memory handles take them; matmuls only read.
  float* matrix_offsets(int64_t mat) const { return const_cast<float*>(offsets.data()) + mat * view.n_out; }
  float* matrix_scales(int64_t mat) const { return const_cast<float*>(scales.data()) + mat * view.n_out; }

  dnnl::memory::desc layout;
  uint64_t mat_stride;
  // Page-aligned, on huge pages from 2 MB (AnonymousMapping): with 4 KB pages, rotating through a
  // few hundred MB of converted 2048×6144 matrices ran 10× slower (this VM, bench_kernels).
  AnonymousMapping data;
  // int8: activations reach the matmul as u8 = q + 128, so each sum carries 128 · Σ w_q of its
  // channel; offsets = -128 · Σ w_q takes it out again (half of it on each of the two rows a split
  // activation row becomes), scales = the channel's weight scale.
  std::vector<float> offsets, scales;
};

}  // namespace

OnednnBackend::OnednnBackend(const BackendOptions& opts)
    : dtype_(parse_dtype(opts.dtype)),
      engine_(dnnl::engine::kind::cpu, 0),
      stream_(engine_),
      cache_(engine_, dtype_),
      split_rows_(dtype_ == OnednnDtype::INT8 && int8_pairs_saturate()) {
  if (opts.threads < 1)
    throw Error("backend 'onednn': threads must be at least 1 (got " + std::to_string(opts.threads) + ")");
  threads_ = opts.threads;
  // oneDNN sizes its work split from the OpenMP thread count when a primitive is created.
  omp_set_num_threads(threads_);
}

std::vector<std::string> OnednnBackend::dtypes() const { return available_dtypes(); }

std::string OnednnBackend::dtype() const { return dtype_name(dtype_); }

uint64_t OnednnBackend::prepared_bytes(const WeightView& w) const {
  const uint64_t per_channel = dtype_ == OnednnDtype::INT8 ? 2 * uint64_t(w.n_out) * sizeof(float) : 0;
  return (aligned_size(cache_.weights_desc(w.n_out, w.n_in).get_size()) + per_channel) * uint64_t(w.n_mats);
}

std::unique_ptr<PreparedWeight> OnednnBackend::prepare(const WeightView& w) {
  if (w.n_in <= 0 || w.n_out <= 0 || w.n_mats <= 0)
    throw Error("weight '" + w.name + "': empty shape " + std::to_string(w.n_in) + "×" + std::to_string(w.n_out) +
                "×" + std::to_string(w.n_mats));
  w.check_width();
  omp_set_num_threads(threads_);
  auto pw = std::make_unique<OnednnWeight>(w, cache_.weights_desc(w.n_out, w.n_in), dtype_ == OnednnDtype::INT8);
  auto convert = [&](int64_t m, std::vector<uint8_t>& scratch, dnnl::stream& stream) {
    const bool int8 = dtype_ == OnednnDtype::INT8;
    convert_matrix(w, m, pw->layout, pw->matrix(m), int8 ? pw->matrix_offsets(m) : nullptr,
                   int8 ? pw->matrix_scales(m) : nullptr, scratch, stream);
  };
  if (w.n_mats >= threads_ && threads_ > 1) {
    // Experts: one matrix per thread at a time, so the reorders run in parallel too.
#pragma omp parallel num_threads(threads_)
    {
      std::vector<uint8_t> scratch;
      dnnl::stream stream(engine_);
#pragma omp for schedule(dynamic)
      for (int64_t m = 0; m < w.n_mats; ++m) convert(m, scratch, stream);
    }
  } else {
    std::vector<uint8_t> scratch;
    for (int64_t m = 0; m < w.n_mats; ++m) convert(m, scratch, stream_);
  }
  return pw;
}

void OnednnBackend::convert_matrix(const WeightView& w, int64_t mat, const dnnl::memory::desc& layout, uint8_t* dst,
                                   float* offsets, float* scales, std::vector<uint8_t>& scratch,
                                   dnnl::stream& stream) {
  // The stored rows are output channels: a row-major n_out × n_in matrix is oneDNN's
  // n_in × n_out weights in the transposed ("ba") plain layout.
  const int64_t n_in = w.n_in, n_out = w.n_out;
  const dt plain_type = dtype_ == OnednnDtype::BF16 ? dt::bf16 : dtype_ == OnednnDtype::INT8 ? dt::s8 : dt::f32;
  const dnnl::memory::desc plain_desc({n_in, n_out}, plain_type, tag::ba);
  void* plain_data = nullptr;
  if (w.type == TensorType::F32 && dtype_ == OnednnDtype::F32) {
    plain_data = const_cast<uint8_t*>(w.row(mat, 0));  // read in place by the reorder
  } else {
    scratch.resize(plain_desc.get_size());
    uint8_t* plain = scratch.data();
    plain_data = plain;
    // Rows split over the threads unless the matrices already are (prepare()).
#pragma omp parallel num_threads(omp_in_parallel() ? 1 : threads_)
    {
      std::vector<float> row(static_cast<size_t>(n_in));
#pragma omp for schedule(static)
      for (int64_t o = 0; o < n_out; ++o) {
        dequantize_row(w.type, w.row(mat, o), row.data(), n_in);
        if (dtype_ == OnednnDtype::F32) {
          std::memcpy(plain + size_t(o * n_in) * sizeof(float), row.data(), size_t(n_in) * sizeof(float));
        } else if (dtype_ == OnednnDtype::BF16) {
          auto* out = reinterpret_cast<uint16_t*>(plain) + o * n_in;
          for (int64_t i = 0; i < n_in; ++i) out[i] = f32_to_bf16(row[size_t(i)]);
        } else {
          // Symmetric per output channel: scale = max|w| / 127.
          float amax = 0.0f;
          for (float v : row) amax = std::max(amax, std::fabs(v));
          scales[o] = amax / 127.0f;
          const float inv = amax > 0.0f ? 127.0f / amax : 0.0f;
          auto* out = reinterpret_cast<int8_t*>(plain) + o * n_in;
          int32_t sum = 0;
          for (int64_t i = 0; i < n_in; ++i) {
            out[i] = int8_t(std::lrintf(row[size_t(i)] * inv));
            sum += out[i];
          }
          offsets[o] = -128.0f * float(sum) / float(source_rows_per_row());
        }
      }
    }
  }
  dnnl::memory from(plain_desc, engine_, plain_data), to(layout, engine_, dst);
  dnnl::reorder(from, to).execute(stream, from, to);
  stream.wait();
}

dnnl::memory OnednnBackend::source(const float* x, int64_t rows, int64_t n_in) {
  const int64_t n = rows * n_in;
  if (dtype_ == OnednnDtype::F32)
    return dnnl::memory({{rows, n_in}, dt::f32, tag::ab}, engine_, const_cast<float*>(x));
  if (dtype_ == OnednnDtype::BF16) {
    x_bf16_.resize(size_t(n));
#pragma omp parallel for num_threads(threads_) schedule(static) if (n >= kParallelValues)
    for (int64_t i = 0; i < n; ++i) x_bf16_[size_t(i)] = f32_to_bf16(x[i]);
    return dnnl::memory({{rows, n_in}, dt::bf16, tag::ab}, engine_, x_bf16_.data());
  }
  x_u8_.resize(size_t(n * source_rows_per_row()));
  row_scales_.resize(size_t(rows));
#pragma omp parallel for num_threads(threads_) schedule(static) if (n >= kParallelValues)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * n_in;
    float amax = 0.0f;
    for (int64_t i = 0; i < n_in; ++i) amax = std::max(amax, std::fabs(xr[i]));
    row_scales_[size_t(r)] = amax / 127.0f;
    const float inv = amax > 0.0f ? 127.0f / amax : 0.0f;
    // Symmetric int8 shifted into u8 (1..255): VNNI multiplies u8 by s8.
    uint8_t* q = x_u8_.data() + r * n_in;
    for (int64_t i = 0; i < n_in; ++i) q[i] = uint8_t(std::lrintf(xr[i] * inv) + 128);
    if (split_rows_) {
      // u = min(u, 127) + rest (0..128): every pair sum stays within 2·128·127 < 2^15, and the
      // weights are still read once for both rows.
      uint8_t* rest = x_u8_.data() + (rows + r) * n_in;
      for (int64_t i = 0; i < n_in; ++i) {
        rest[i] = q[i] > 127 ? uint8_t(q[i] - 127) : 0;
        q[i] = uint8_t(q[i] - rest[i]);
      }
    }
  }
  return dnnl::memory({{rows * source_rows_per_row(), n_in}, dt::u8, tag::ab}, engine_, x_u8_.data());
}

void OnednnBackend::linear(const PreparedWeight& pw, int64_t mat, const float* x, int64_t n_rows, float* y) {
  const auto& w = static_cast<const OnednnWeight&>(pw);
  const int64_t n_in = w.view.n_in, n_out = w.view.n_out;
  // Another backend instance in this process may have changed the OpenMP thread count.
  omp_set_num_threads(threads_);
  dnnl::memory weights(w.layout, engine_, const_cast<uint8_t*>(w.matrix(mat)));
  const int64_t per_row = source_rows_per_row(), chunk = kMaxRows / per_row;
  for (int64_t r0 = 0; r0 < n_rows; r0 += chunk) {
    const int64_t rows = std::min(chunk, n_rows - r0);
    float* yc = y + r0 * n_out;
    float* dst = yc;
    if (per_row > 1) {
      y_split_.resize(size_t(per_row * rows * n_out));
      dst = y_split_.data();
    }
    std::unordered_map<int, dnnl::memory> args = {
        {DNNL_ARG_SRC, source(x + r0 * n_in, rows, n_in)},
        {DNNL_ARG_WEIGHTS, weights},
        {DNNL_ARG_DST, dnnl::memory({{per_row * rows, n_out}, dt::f32, tag::ab}, engine_, dst)}};
    if (dtype_ == OnednnDtype::INT8) {
      const dnnl::memory::desc per_channel({1, n_out}, dt::f32, tag::ab);
      args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1,
                   dnnl::memory(per_channel, engine_, w.matrix_offsets(mat)));
      args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(1) | DNNL_ARG_SRC_1,
                   dnnl::memory(per_channel, engine_, w.matrix_scales(mat)));
    }
    cache_.matmul(n_out, n_in, per_row * rows).execute(stream_, args);
    stream_.wait();
    if (dtype_ == OnednnDtype::INT8) {
      // oneDNN 2.6's brgemm takes no per-row (rows × 1) post-op tensor, so the activation
      // scales are applied here, while the rows are still in cache (and split rows added up).
#pragma omp parallel for num_threads(threads_) schedule(static) if (rows * n_out >= kParallelValues)
      for (int64_t r = 0; r < rows; ++r) {
        const float s = row_scales_[size_t(r)];
        if (per_row > 1) {
          const float* a = dst + r * n_out;
          const float* b = dst + (rows + r) * n_out;
          for (int64_t o = 0; o < n_out; ++o) yc[r * n_out + o] = (a[o] + b[o]) * s;
        } else {
          for (int64_t o = 0; o < n_out; ++o) yc[r * n_out + o] *= s;
        }
      }
    }
  }
}

void OnednnBackend::parallel_for(int64_t n, const std::function<void(int64_t)>& fn) {
#pragma omp parallel for num_threads(threads_) schedule(dynamic)
  for (int64_t i = 0; i < n; ++i) fn(i);
}

std::string OnednnBackend::describe() const {
  const dnnl_version_t* v = dnnl::version();
  const std::string kernel = cache_.implementation(2048, 2048, 1);
  std::string s = "onednn " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                  std::to_string(v->patch) + " " + dtype_name(dtype_) + " (threads " + std::to_string(threads_) +
                  "): matmul " + kernel;
  switch (dtype_) {
    case OnednnDtype::BF16: s += " bf16×bf16, activations rounded to bf16"; break;
    case OnednnDtype::INT8:
      s += " u8×s8, s8 weights per channel, activations per row (offset and scale as binary post-ops)";
      if (split_rows_) s += ", each row run as two rows of values ≤ 128 (no VNNI: 16-bit pair sums would saturate)";
      break;
    default: s += " f32×f32"; break;
  }
  return s + "; every stored type converted once at load; primitives shared per shape";
}

}  // namespace lfmb
