#include "backends/xnnpack/xnnpack_backend.h"

#include <xnnpack.h>

#include <algorithm>
#include <exception>
#include <limits>
#include <mutex>

#include "backends/xnnpack/xnnpack_memory.h"
#include "core/io/anonymous_mapping.h"
#include "core/error.h"

namespace lfmb {

namespace {

// Idle workers yield to the scheduler after each operator instead of spinning, so they do not slow
// other libraries' threads (or the model's own work) in the same process.
constexpr uint32_t kOperatorFlags = XNN_FLAG_YIELD_WORKERS;
constexpr float kNoClamp = std::numeric_limits<float>::infinity();

// Upper bounds of XNNPACK's packing for any kernel it may pick on x86: output channels rounded
// up to the kernel's nr (≤ 64), input channels to kr·sr (≤ 16), one bias value per output
// channel, plus the operator object itself.
constexpr int64_t kMaxOutputTile = 64, kMaxInputTile = 16;
constexpr uint64_t kOperatorObjectBytes = 8192;

struct XnnpackWeight final : PreparedWeight {
  using PreparedWeight::PreparedWeight;
  ~XnnpackWeight() override {
    for (xnn_operator_t op : ops)
      if (op) xnn_delete_operator(op);
  }
  std::vector<xnn_operator_t> ops;  // one per matrix
};
// The float32 copy a matrix is packed from (an anonymous mapping: 2 MB pages, see AnonymousMapping).
AnonymousMapping temporary_matrix(const WeightView& w) {
  return AnonymousMapping(size_t(w.n_out) * size_t(w.n_in) * sizeof(float));
}

xnn_status create_operator(const WeightView& w, const float* kernel, xnn_operator_t* op) {
  const size_t n_in = size_t(w.n_in), n_out = size_t(w.n_out);
  return xnn_create_fully_connected_nc_f32(n_in, n_out, n_in, n_out, kernel, nullptr, -kNoClamp, kNoClamp,
                                           kOperatorFlags, op);
}

std::string status_text(xnn_status s) { return "XNNPACK status " + std::to_string(int(s)); }

// pthreadpool runs C callbacks: exceptions are caught there and rethrown by the caller.
struct Job {
  const std::function<void(int64_t)>* fn;
  std::mutex mutex;
  std::exception_ptr error;
};

void run_job_task(void* context, size_t i) {
  auto* job = static_cast<Job*>(context);
  try {
    (*job->fn)(int64_t(i));
  } catch (...) {
    std::lock_guard<std::mutex> lock(job->mutex);
    if (!job->error) job->error = std::current_exception();
  }
}

}  // namespace

XnnpackBackend::XnnpackBackend(const BackendOptions& opts) {
  if (!opts.dtype.empty() && opts.dtype != "f32")
    throw Error("backend 'xnnpack': dtype '" + opts.dtype + "' is not available (available: f32)");
  ensure_xnnpack_initialized();
  pool_ = pthreadpool_create(size_t(std::max(1, opts.threads)));
  if (!pool_) throw Error("backend 'xnnpack': could not create a pthreadpool of " + std::to_string(opts.threads) + " threads");
  threads_ = int(pthreadpool_get_threads_count(pool_));
}

XnnpackBackend::~XnnpackBackend() { pthreadpool_destroy(pool_); }

uint64_t XnnpackBackend::prepared_bytes(const WeightView& w) const {
  const uint64_t packed = uint64_t(round_up(w.n_out, kMaxOutputTile)) * uint64_t(round_up(w.n_in, kMaxInputTile) + 1);
  return uint64_t(w.n_mats) * (packed * sizeof(float) + kOperatorObjectBytes);
}

std::unique_ptr<PreparedWeight> XnnpackBackend::prepare(const WeightView& w) {
  w.check_width();
  auto pw = std::make_unique<XnnpackWeight>(w);
  pw->ops.assign(size_t(w.n_mats), nullptr);
  std::vector<xnn_status> status(size_t(w.n_mats), xnn_status_success);
  std::vector<int64_t> packed(size_t(w.n_mats), 0);
  // XNNPACK allocates on the creating thread: the change of that thread's count is this operator.
  auto create = [&](int64_t m, const float* kernel) {
    const int64_t before = xnnpack_net_bytes_on_this_thread();
    status[size_t(m)] = create_operator(w, kernel, &pw->ops[size_t(m)]);
    packed[size_t(m)] = xnnpack_net_bytes_on_this_thread() - before;
  };
  if (w.n_mats >= threads_) {
    // Experts: whole matrices per task, each thread with its own temporary.
    parallel_for(w.n_mats, [&](int64_t m) {
      AnonymousMapping temporary = temporary_matrix(w);
      float* kernel = reinterpret_cast<float*>(temporary.data());
      w.dequantize_rows(m * w.n_out, w.n_out, kernel);
      create(m, kernel);
    });
  } else {
    // Few large matrices: rows spread over the threads, then one operator creation each.
    AnonymousMapping temporary = temporary_matrix(w);
    float* kernel = reinterpret_cast<float*>(temporary.data());
    const int64_t chunk = 256, n_chunks = (w.n_out + chunk - 1) / chunk;
    for (int64_t m = 0; m < w.n_mats; ++m) {
      parallel_for(n_chunks, [&](int64_t c) {
        const int64_t r0 = c * chunk;
        w.dequantize_rows(m * w.n_out + r0, std::min(chunk, w.n_out - r0), kernel + size_t(r0) * size_t(w.n_in));
      });
      create(m, kernel);
    }
  }
  for (int64_t m = 0; m < w.n_mats; ++m)
    if (status[size_t(m)] != xnn_status_success)
      throw Error("backend 'xnnpack': creating the fully-connected operator for weight '" + w.name +
                  "' failed (" + status_text(status[size_t(m)]) + ")");
  for (int64_t b : packed) pw->owned_bytes += uint64_t(b);
  return pw;
}

void XnnpackBackend::linear(const PreparedWeight& pw, int64_t mat, const float* x, int64_t n_rows, float* y) {
  const auto& w = static_cast<const XnnpackWeight&>(pw);
  if (n_rows <= 0) return;
  xnn_operator_t op = w.ops[size_t(mat)];
  xnn_status s = xnn_setup_fully_connected_nc_f32(op, size_t(n_rows), x, y, pool_);
  if (s == xnn_status_success) s = xnn_run_operator(op, pool_);
  if (s != xnn_status_success)
    throw Error("backend 'xnnpack': running the operator of weight '" + w.view.name + "' failed (" + status_text(s) +
                ")");
}

void XnnpackBackend::parallel_for(int64_t n, const std::function<void(int64_t)>& fn) {
  if (n <= 0) return;
  Job job{&fn, {}, {}};
  pthreadpool_parallelize_1d(pool_, run_job_task, &job, size_t(n), PTHREADPOOL_FLAG_YIELD_WORKERS);
  if (job.error) std::rethrow_exception(job.error);
}

std::string XnnpackBackend::describe() const {
  std::string s = std::string("xnnpack (Debian libxnnpack-dev ") + LFMB_XNNPACK_PACKAGE_VERSION +
                  "): f32 fully-connected operator per matrix, weights packed at load from every stored type";
  return s + "; no f16: its x86 f16 kernels round the running sum to half after every multiply-add "
             "(rms error 1.2e-2 at 7168 inputs); no qs8: its operators fix the activation scale and requantise "
             "outputs to int8 at creation, while lfmb quantises activations per row";
}

}  // namespace lfmb
