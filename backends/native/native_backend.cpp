#include "backends/native/native_backend.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace lfmb {

namespace {

// Output rows per task: about `per_thread` tasks per thread so the dynamic split evens out, a
// multiple of 4 (the kernels' register block), and long enough runs of rows that the weight
// prefetch (which runs ahead within a task) is not restarted too often.
int64_t rows_per_task(int64_t n_out, int threads, int per_thread = 8, int64_t max_rows = 128) {
  int64_t c = n_out / (int64_t(threads) * per_thread);
  c = (c + 3) / 4 * 4;
  return std::clamp<int64_t>(c, 16, max_rows);
}

// Activation rows per tile: weight rows stay in L1/L2 while up to this many rows stream past.
constexpr int64_t kRowsPerTile = 64;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

NativeBackend::NativeBackend(const BackendOptions& opts) : NativeBackend(opts, default_isa()) {}

NativeBackend::NativeBackend(const BackendOptions& opts, Isa isa) : isa_(isa), pool_(std::max(1, opts.threads)) {
  if (!opts.dtype.empty())
    throw Error("backend 'native' computes on the stored weight types (asked for dtype '" + opts.dtype + "')");
  if (!isa_supported(isa))
    throw Error("backend 'native': this CPU cannot run the " + std::string(isa_name(isa)) + " kernels");
  threads_ = pool_.size();
}

std::unique_ptr<PreparedWeight> NativeBackend::prepare(const WeightView& w) {
  w.check_width();
  return std::make_unique<PreparedWeight>(w);  // used in place: kernels read the stored blocks
}

void NativeBackend::linear(const PreparedWeight& pw, int64_t mat, const float* x, int64_t n_rows, float* y) {
  const WeightView& w = pw.view;
  if (n_rows <= 0) return;
  input_.prepare(isa_, w.type, x, n_rows, w.n_in);
  const int64_t oc = rows_per_task(w.n_out, threads_, 4, 512);
  const int64_t n_oc = ceil_div(w.n_out, oc), n_xc = ceil_div(n_rows, kRowsPerTile);
  pool_.parallel_for(n_oc * n_xc, [&](int64_t task) {
    const int64_t o0 = (task / n_xc) * oc, o1 = std::min(w.n_out, o0 + oc);
    const int64_t x0 = (task % n_xc) * kRowsPerTile, nx = std::min(kRowsPerTile, n_rows - x0);
    matmul_tile(isa_, w.type, w.row(mat, o0), w.row_stride(), o1 - o0, input_, x0, nx, y + x0 * w.n_out + o0,
                w.n_out);
  });
}

void NativeBackend::moe(const PreparedWeight& gate, const PreparedWeight& up, const PreparedWeight& down,
                        const float* x, int64_t n_tokens, int k, const int32_t* experts, const float* weights,
                        float* y) {
  const WeightView &G = gate.view, &U = up.view, &D = down.view;
  if (G.type != U.type) return Backend::moe(gate, up, down, x, n_tokens, k, experts, weights, y);
  const int64_t n_in = G.n_in, n_ff = G.n_out;

  // Group the (token, slot) pairs by expert, in expert order.
  std::vector<int> index_of(size_t(G.n_mats), -1);
  int n_active = 0;
  for (int64_t s = 0; s < n_tokens * k; ++s) {
    const int32_t e = experts[s];
    if (e < 0 || e >= G.n_mats) throw Error("moe: expert id " + std::to_string(e) + " out of range");
    if (index_of[size_t(e)] < 0) index_of[size_t(e)] = 0;
  }
  for (int64_t e = 0; e < G.n_mats; ++e)
    if (index_of[size_t(e)] >= 0) index_of[size_t(e)] = n_active++;
  if (int(work_.size()) < n_active) work_.resize(size_t(n_active));
  for (int64_t e = 0; e < G.n_mats; ++e)
    if (index_of[size_t(e)] >= 0) {
      work_[size_t(index_of[size_t(e)])].expert = e;
      work_[size_t(index_of[size_t(e)])].slots.clear();
    }
  for (int64_t s = 0; s < n_tokens * k; ++s) work_[size_t(index_of[size_t(experts[s])])].slots.push_back(s);

  // Each expert's token rows, prepared once for the gate/up kernels.
  for (int i = 0; i < n_active; ++i) {
    ExpertWork& ew = work_[size_t(i)];
    const int64_t m = int64_t(ew.slots.size());
    ew.x.resize(size_t(m * n_in));
    for (int64_t r = 0; r < m; ++r)
      std::copy_n(x + (ew.slots[size_t(r)] / k) * n_in, n_in, ew.x.begin() + r * n_in);
    ew.x_in.prepare(isa_, G.type, ew.x.data(), m, n_in);
    ew.h.resize(size_t(m * n_ff));
  }

  // Gate and up together: tasks over rows of all active experts at once, so one decode token's
  // four experts keep both threads busy; h = silu(g) ⊙ u is formed while the tile is in cache.
  struct Task {
    int expert_index;
    int64_t o0, o1, x0, nx;
  };
  std::vector<Task> tasks;
  const int64_t oc_ff = rows_per_task(n_ff * n_active, threads_, 4, 512);
  for (int i = 0; i < n_active; ++i) {
    const int64_t m = int64_t(work_[size_t(i)].slots.size());
    for (int64_t o0 = 0; o0 < n_ff; o0 += oc_ff)
      for (int64_t x0 = 0; x0 < m; x0 += kRowsPerTile)
        tasks.push_back({i, o0, std::min(n_ff, o0 + oc_ff), x0, std::min(kRowsPerTile, m - x0)});
  }
  pool_.parallel_for(int64_t(tasks.size()), [&](int64_t ti) {
    const Task& t = tasks[size_t(ti)];
    ExpertWork& ew = work_[size_t(t.expert_index)];
    const int64_t no = t.o1 - t.o0;
    thread_local std::vector<float> g, u;
    g.resize(size_t(t.nx * no));
    u.resize(size_t(t.nx * no));
    matmul_tile(isa_, G.type, G.row(ew.expert, t.o0), G.row_stride(), no, ew.x_in, t.x0, t.nx, g.data(), no);
    matmul_tile(isa_, U.type, U.row(ew.expert, t.o0), U.row_stride(), no, ew.x_in, t.x0, t.nx, u.data(), no);
    for (int64_t r = 0; r < t.nx; ++r) {
      float* h = ew.h.data() + (t.x0 + r) * n_ff + t.o0;
      for (int64_t c = 0; c < no; ++c) {
        const float gv = g[size_t(r * no + c)];
        h[c] = gv / (1.0f + std::exp(-gv)) * u[size_t(r * no + c)];
      }
    }
  });

  pool_.parallel_for(n_active, [&](int64_t i) {
    ExpertWork& ew = work_[size_t(i)];
    ew.h_in.prepare(isa_, D.type, ew.h.data(), int64_t(ew.slots.size()), n_ff);
  });

  // Down projection: tasks over output columns; each task runs every active expert for its
  // columns and adds weight · result into y, so no two tasks write the same value.
  std::fill(y, y + n_tokens * n_in, 0.0f);
  const int64_t oc_d = rows_per_task(n_in, threads_, 4, 512);
  pool_.parallel_for(ceil_div(n_in, oc_d), [&](int64_t ti) {
    const int64_t o0 = ti * oc_d, no = std::min(n_in, o0 + oc_d) - o0;
    thread_local std::vector<float> d;
    d.resize(size_t(std::min<int64_t>(kRowsPerTile, n_tokens * k) * no));
    for (int i = 0; i < n_active; ++i) {
      const ExpertWork& ew = work_[size_t(i)];
      const int64_t m = int64_t(ew.slots.size());
      for (int64_t x0 = 0; x0 < m; x0 += kRowsPerTile) {
        const int64_t nx = std::min(kRowsPerTile, m - x0);
        matmul_tile(isa_, D.type, D.row(ew.expert, o0), D.row_stride(), no, ew.h_in, x0, nx, d.data(), no);
        for (int64_t r = 0; r < nx; ++r) {
          const int64_t slot = ew.slots[size_t(x0 + r)];
          const float wgt = weights[slot];
          float* yt = y + (slot / k) * n_in + o0;
          for (int64_t c = 0; c < no; ++c) yt[c] += wgt * d[size_t(r * no + c)];
        }
      }
    }
  });
}

std::string NativeBackend::describe() const {
  std::string s = "native (" + std::string(isa_name(isa_)) + ", threads " + std::to_string(threads_) + "):";
  for (TensorType t : {TensorType::Q4_0, TensorType::Q8_0, TensorType::BF16, TensorType::F16, TensorType::F32}) {
    s.append(" ").append(tensor_type_name(t)).append(" ").append(kernel_name(t, isa_)).append(";");
  }
  return s + " fused MoE";
}

}  // namespace lfmb
