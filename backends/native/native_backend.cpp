#include "backends/native/native_backend.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

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

constexpr int64_t kGroup = PackedInt8Weights::kRows;

// A weight as the native backend keeps it: the stored blocks, plus the packed copy for Q4_0/Q8_0
// (empty, 0 bytes, for other types or with LFMB_NATIVE_PACK=0). When there is a copy, every call
// uses it, whatever its row count: prefill, decode (one-row kernels that stream several groups with
// software prefetch) and batched decode. A row's result then does not depend on how many rows
// share the call, so a sequence decodes bitwise the same alone or in a batch.
struct NativeWeight final : PreparedWeight {
  using PreparedWeight::PreparedWeight;
  PackedInt8Weights packed;
};

const PackedInt8Weights* packed_copy(const PreparedWeight& pw) {
  const auto* nw = dynamic_cast<const NativeWeight*>(&pw);
  return nw && nw->packed.bytes() > 0 ? &nw->packed : nullptr;
}

// Rows [o0, o1) of one matrix for tile row x0..x0+nx: the packed GEMM when there is a packed copy
// (o0 a multiple of 16), else the tile kernels on the stored rows.
void weight_tile(Isa isa, Int8GemmPath path, const WeightView& w, const PackedInt8Weights* packed, int64_t mat,
                 int64_t o0, int64_t o1, const KernelInput& in, int64_t x0, int64_t nx, float* y, int64_t ldy) {
  if (packed)
    return gemm_packed_int8(path, *packed, mat, o0 / kGroup, ceil_div(o1, kGroup), in.quantized(), x0, nx, y, ldy);
  matmul_tile(isa, w.type, w.row(mat, o0), w.row_stride(), o1 - o0, in, x0, nx, y, ldy);
}

}  // namespace

NativeBackend::NativeBackend(const BackendOptions& opts) : NativeBackend(opts, default_isa()) {}

NativeBackend::NativeBackend(const BackendOptions& opts, Isa isa)
    : isa_(isa), gemm_path_(int8_gemm_path(isa)), pool_(std::max(1, opts.threads)) {
  if (const char* env = std::getenv("LFMB_NATIVE_PACK"); env && std::strcmp(env, "0") == 0) pack_ = false;
  if (!opts.dtype.empty())
    throw Error("backend 'native' computes on the stored weight types (asked for dtype '" + opts.dtype + "')");
  if (!isa_supported(isa))
    throw Error("backend 'native': this CPU cannot run the " + std::string(isa_name(isa)) + " kernels");
  threads_ = pool_.size();
}

bool NativeBackend::packs(const WeightView& w) const {
  return pack_ && (w.type == TensorType::Q4_0 || w.type == TensorType::Q8_0);
}

uint64_t NativeBackend::prepared_bytes(const WeightView& w) const {
  return packs(w) ? PackedInt8Weights::bytes_for(w.type, w.n_out, w.n_in, w.n_mats) : 0;
}

std::unique_ptr<PreparedWeight> NativeBackend::prepare(const WeightView& w) {
  w.check_width();
  auto nw = std::make_unique<NativeWeight>(w);  // decode reads the stored blocks in place
  if (packs(w)) {
    nw->packed = PackedInt8Weights(w.type, w.data, w.row_stride(), w.n_out, w.n_in, w.n_mats);
    const int64_t groups = nw->packed.groups();
    pool_.parallel_for(w.n_mats * groups, [&](int64_t i) { nw->packed.pack_group(i / groups, i % groups); });
    nw->owned_bytes = nw->packed.bytes();
    nw->stored_unused = true;
  }
  return nw;
}

void NativeBackend::linear(const PreparedWeight& pw, int64_t mat, const float* x, int64_t n_rows, float* y) {
  const WeightView& w = pw.view;
  if (n_rows <= 0) return;
  input_.prepare(isa_, w.type, x, n_rows, w.n_in);
  const PackedInt8Weights* packed = packed_copy(pw);
  int64_t oc = rows_per_task(w.n_out, threads_, 4, 512);
  if (packed) oc = round_up(oc, kGroup);
  const int64_t n_oc = ceil_div(w.n_out, oc), n_xc = ceil_div(n_rows, kRowsPerTile);
  pool_.parallel_for(n_oc * n_xc, [&](int64_t task) {
    const int64_t o0 = (task / n_xc) * oc, o1 = std::min(w.n_out, o0 + oc);
    const int64_t x0 = (task % n_xc) * kRowsPerTile, nx = std::min(kRowsPerTile, n_rows - x0);
    weight_tile(isa_, gemm_path_, w, packed, mat, o0, o1, input_, x0, nx, y + x0 * w.n_out + o0, w.n_out);
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
  // With packed copies, tasks start on whole groups. Gate and up have one type, so both have a
  // copy or neither.
  const PackedInt8Weights *pg = packed_copy(gate), *pu = packed_copy(up), *pd = packed_copy(down);
  int64_t oc_ff = rows_per_task(n_ff * n_active, threads_, 4, 512);
  if (pg) oc_ff = round_up(oc_ff, kGroup);
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
    weight_tile(isa_, gemm_path_, G, pg, ew.expert, t.o0, t.o1, ew.x_in, t.x0, t.nx, g.data(), no);
    weight_tile(isa_, gemm_path_, U, pu, ew.expert, t.o0, t.o1, ew.x_in, t.x0, t.nx, u.data(), no);
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
  int64_t oc_d = rows_per_task(n_in, threads_, 4, 512);
  if (pd) oc_d = round_up(oc_d, kGroup);
  pool_.parallel_for(ceil_div(n_in, oc_d), [&](int64_t ti) {
    const int64_t o0 = ti * oc_d, no = std::min(n_in, o0 + oc_d) - o0;
    thread_local std::vector<float> d;
    d.resize(size_t(std::min<int64_t>(kRowsPerTile, n_tokens * k) * no));
    for (int i = 0; i < n_active; ++i) {
      const ExpertWork& ew = work_[size_t(i)];
      const int64_t m = int64_t(ew.slots.size());
      for (int64_t x0 = 0; x0 < m; x0 += kRowsPerTile) {
        const int64_t nx = std::min(kRowsPerTile, m - x0);
        weight_tile(isa_, gemm_path_, D, pd, ew.expert, o0, o0 + no, ew.h_in, x0, nx, d.data(), no);
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
    // Q4_0/Q8_0 run on their packed copy only (the stored-block kernels with LFMB_NATIVE_PACK=0).
    const bool packed = pack_ && (t == TensorType::Q4_0 || t == TensorType::Q8_0);
    s.append(" ").append(tensor_type_name(t)).append(" ");
    if (packed) s.append("packed int8 GEMM ").append(int8_gemm_path_name(gemm_path_));
    else s.append(kernel_name(t, isa_));
    s.append(";");
  }
  return s + " fused MoE";
}

}  // namespace lfmb
