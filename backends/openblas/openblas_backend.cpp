#include "backends/openblas/openblas_backend.h"

#include <cblas.h>

#include <algorithm>

#include "core/io/anonymous_mapping.h"
#include "core/error.h"
#include "core/gguf/half.h"

namespace lfmb {

namespace {

// The weight in the element type the BLAS call reads; an empty mapping when used in place.
struct OpenblasWeight final : PreparedWeight {
  using PreparedWeight::PreparedWeight;
  AnonymousMapping converted;
  const uint8_t* base() const { return converted.size() ? converted.data() : view.data; }
};

size_t element_bytes(const std::string& dtype) { return dtype == "bf16" ? 2 : 4; }

bool used_in_place(const WeightView& w, const std::string& dtype) {
  return (dtype == "f32" && w.type == TensorType::F32) || (dtype == "bf16" && w.type == TensorType::BF16);
}

}  // namespace

OpenblasBackend::OpenblasBackend(const BackendOptions& opts)
    : dtype_(opts.dtype.empty() ? "f32" : opts.dtype), pool_(std::max(1, opts.threads)) {
  const std::vector<std::string> available = dtypes();
  if (std::find(available.begin(), available.end(), dtype_) == available.end()) {
    std::string list;
    for (const auto& d : available) list += (list.empty() ? "" : ", ") + d;
    throw Error("backend 'openblas': dtype '" + dtype_ + "' is not available (available: " + list + ")");
  }
  threads_ = pool_.size();
  use_our_thread_count();
}

std::vector<std::string> OpenblasBackend::dtypes() const {
#ifdef LFMB_OPENBLAS_HAS_SBGEMM
  return {"f32", "bf16"};
#else
  return {"f32"};
#endif
}

void OpenblasBackend::use_our_thread_count() const {
  if (openblas_get_num_threads() != threads_) openblas_set_num_threads(threads_);
}

uint64_t OpenblasBackend::prepared_bytes(const WeightView& w) const {
  if (used_in_place(w, dtype_)) return 0;
  return uint64_t(w.n_mats) * uint64_t(w.n_out) * uint64_t(w.n_in) * element_bytes(dtype_);
}

std::unique_ptr<PreparedWeight> OpenblasBackend::prepare(const WeightView& w) {
  w.check_width();
  auto pw = std::make_unique<OpenblasWeight>(w);
  if (used_in_place(w, dtype_)) return pw;
  const int64_t n_rows = w.n_mats * w.n_out;
  pw->converted = AnonymousMapping(size_t(prepared_bytes(w)));
  // Rows are converted in chunks spread over the pool: a large model has billions of weights.
  const int64_t chunk = 256, n_chunks = (n_rows + chunk - 1) / chunk;
  if (dtype_ == "f32") {
    float* dst = reinterpret_cast<float*>(pw->converted.data());
    pool_.parallel_for(n_chunks, [&](int64_t c) {
      const int64_t r0 = c * chunk;
      w.dequantize_rows(r0, std::min(chunk, n_rows - r0), dst + size_t(r0) * size_t(w.n_in));
    });
  }
#ifdef LFMB_OPENBLAS_HAS_SBGEMM
  if (dtype_ == "bf16") {
    uint16_t* dst = reinterpret_cast<uint16_t*>(pw->converted.data());
    pool_.parallel_for(n_chunks, [&](int64_t c) {
      std::vector<float> row(size_t(w.n_in));
      for (int64_t r = c * chunk; r < std::min(n_rows, (c + 1) * chunk); ++r) {
        dequantize_row(w.type, w.data + size_t(r) * w.row_stride(), row.data(), w.n_in);
        uint16_t* out = dst + size_t(r) * size_t(w.n_in);
        for (int64_t i = 0; i < w.n_in; ++i) out[i] = f32_to_bf16(row[size_t(i)]);
      }
    });
  }
#endif
  pw->owned_bytes = prepared_bytes(w);
  return pw;
}

void OpenblasBackend::linear(const PreparedWeight& pw, int64_t mat, const float* x, int64_t n_rows, float* y) {
  const auto& w = static_cast<const OpenblasWeight&>(pw);
  const WeightView& v = w.view;
  if (n_rows <= 0) return;
  use_our_thread_count();
  const int m = int(n_rows), n = int(v.n_out), k = int(v.n_in);
  const size_t mat_elems = size_t(v.n_out) * size_t(v.n_in);
#ifdef LFMB_OPENBLAS_HAS_SBGEMM
  if (dtype_ == "bf16") {
    const bfloat16* a = reinterpret_cast<const bfloat16*>(w.base()) + size_t(mat) * mat_elems;
    x_bf16_.resize(size_t(n_rows) * size_t(k));
    for (size_t i = 0; i < x_bf16_.size(); ++i) x_bf16_[i] = f32_to_bf16(x[i]);
    cblas_sbgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f,
                 x_bf16_.data(), k, a, k, 0.0f, y, n);
    return;
  }
#endif
  const float* a = reinterpret_cast<const float*>(w.base()) + size_t(mat) * mat_elems;
  // sgemm with one row is several times slower than sgemv in OpenBLAS 0.3.21.
  if (n_rows == 1)
    cblas_sgemv(CblasRowMajor, CblasNoTrans, n, k, 1.0f, a, k, x, 1, 0.0f, y, 1);
  else
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, x, k, a, k, 0.0f, y, n);
}

std::string OpenblasBackend::describe() const {
  std::string s = std::string("openblas (") + openblas_get_config() +
                  "): all types converted at load to float32 (F32 in place), cblas_sgemv for 1 row, cblas_sgemm otherwise";
#ifdef LFMB_OPENBLAS_HAS_SBGEMM
  s += "; --dtype bf16: cblas_sbgemm";
#else
  s += "; no bf16 (this OpenBLAS does not export cblas_sbgemm)";
#endif
  return s;
}

}  // namespace lfmb
