#include "core/gguf/gguf_writer.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "core/io/output_file.h"

namespace lfmb {

namespace {

void put_bytes(std::vector<uint8_t>& out, const void* p, size_t n) {
  if (n == 0) return;
  const size_t at = out.size();
  out.resize(at + n);
  std::memcpy(out.data() + at, p, n);
}
template <typename T>
void put(std::vector<uint8_t>& out, T v) {
  put_bytes(out, &v, sizeof v);
}
void put_string(std::vector<uint8_t>& out, const std::string& s) {
  put<uint64_t>(out, s.size());
  put_bytes(out, s.data(), s.size());
}

void put_value(std::vector<uint8_t>& out, const GgufValue& v) {
  switch (v.type) {
    case GgufType::UINT8: put<uint8_t>(out, uint8_t(std::get<uint64_t>(v.v))); break;
    case GgufType::INT8: put<int8_t>(out, int8_t(std::get<int64_t>(v.v))); break;
    case GgufType::UINT16: put<uint16_t>(out, uint16_t(std::get<uint64_t>(v.v))); break;
    case GgufType::INT16: put<int16_t>(out, int16_t(std::get<int64_t>(v.v))); break;
    case GgufType::UINT32: put<uint32_t>(out, uint32_t(std::get<uint64_t>(v.v))); break;
    case GgufType::INT32: put<int32_t>(out, int32_t(std::get<int64_t>(v.v))); break;
    case GgufType::UINT64: put<uint64_t>(out, std::get<uint64_t>(v.v)); break;
    case GgufType::INT64: put<int64_t>(out, std::get<int64_t>(v.v)); break;
    case GgufType::FLOAT32: put<float>(out, float(std::get<double>(v.v))); break;
    case GgufType::FLOAT64: put<double>(out, std::get<double>(v.v)); break;
    case GgufType::BOOL: put<uint8_t>(out, std::get<bool>(v.v) ? 1 : 0); break;
    case GgufType::STRING: put_string(out, std::get<std::string>(v.v)); break;
    case GgufType::ARRAY: {
      const auto& a = std::get<GgufArray>(v.v);
      put<uint32_t>(out, uint32_t(a.elem_type));
      put<uint64_t>(out, a.items.size());
      for (const auto& it : a.items) put_value(out, it);
      break;
    }
  }
}

}  // namespace

GgufWriter::GgufWriter(uint32_t alignment) : alignment_(alignment) {
  set("general.alignment", GgufValue::u32(alignment));
}

void GgufWriter::set(const std::string& key, GgufValue value) {
  for (auto& kv : kv_) {
    if (kv.first == key) {
      kv.second = std::move(value);
      return;
    }
  }
  kv_.emplace_back(key, std::move(value));
}

size_t GgufWriter::add_tensor(const std::string& name, TensorType type, std::vector<int64_t> dims) {
  for (const auto& t : tensors_)
    if (t.name == name) throw Error("GGUF writer: duplicate tensor '" + name + "'");
  if (dims.empty() || dims.size() > 4) throw Error("GGUF writer: tensor '" + name + "' needs 1 to 4 dimensions");
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d <= 0) throw Error("GGUF writer: tensor '" + name + "' has a non-positive dimension");
    n *= d;
  }
  if (dims[0] % block_elements(type) != 0)
    throw Error("GGUF writer: tensor '" + name + "' row length is not a multiple of the block size");
  GgufTensorSpec spec{name, type, std::move(dims), 0, row_bytes(type, n)};
  spec.offset = (data_size_ + alignment_ - 1) / alignment_ * alignment_;
  data_size_ = spec.offset + spec.n_bytes;
  tensors_.push_back(std::move(spec));
  return tensors_.size() - 1;
}

std::vector<uint8_t> GgufWriter::header_bytes() const {
  std::vector<uint8_t> out;
  put_bytes(out, "GGUF", 4);
  put<uint32_t>(out, 3);
  put<uint64_t>(out, tensors_.size());
  put<uint64_t>(out, kv_.size());
  for (const auto& [k, v] : kv_) {
    put_string(out, k);
    put<uint32_t>(out, uint32_t(v.type));
    put_value(out, v);
  }
  for (const auto& t : tensors_) {
    put_string(out, t.name);
    put<uint32_t>(out, uint32_t(t.dims.size()));
    for (int64_t d : t.dims) put<uint64_t>(out, uint64_t(d));
    put<uint32_t>(out, uint32_t(t.type));
    put<uint64_t>(out, t.offset);
  }
  out.resize((out.size() + alignment_ - 1) / alignment_ * alignment_, 0);
  return out;
}

uint64_t GgufWriter::file_size() const { return header_bytes().size() + data_size_; }

void GgufWriter::for_each_tensor(int n_threads, size_t first, size_t last,
                                 const std::function<void(size_t, std::vector<uint8_t>&)>& job,
                                 const std::function<void(size_t)>& on_done) const {
  std::atomic<size_t> next{first};
  std::mutex err_mu;
  std::exception_ptr err;
  auto worker = [&] {
    std::vector<uint8_t> scratch;
    for (size_t i; (i = next.fetch_add(1)) < last;) {
      {
        std::lock_guard<std::mutex> lk(err_mu);
        if (err) return;
      }
      try {
        job(i, scratch);
        if (on_done) {
          std::lock_guard<std::mutex> lk(err_mu);
          on_done(i);
        }
      } catch (...) {
        std::lock_guard<std::mutex> lk(err_mu);
        if (!err) err = std::current_exception();
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  const int n = int(std::min<size_t>(size_t(std::max(1, n_threads)), last - first));
  for (int i = 1; i < n; ++i) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
  if (err) std::rethrow_exception(err);
}

void GgufWriter::write(const std::string& path, const FillFn& fill, int n_threads,
                       const std::function<void(uint64_t, uint64_t)>& progress) const {
  OutputFile out(path, ParentDirs::MustExist);
  const std::vector<uint8_t> header = header_bytes();
  if (out.seekable()) write_in_parallel(out, header, fill, n_threads, progress);
  else write_in_order(out, header, fill, n_threads, progress);
  out.commit();
}

void GgufWriter::write_in_parallel(OutputFile& out, const std::vector<uint8_t>& header, const FillFn& fill,
                                   int n_threads, const std::function<void(uint64_t, uint64_t)>& progress) const {
  const uint64_t total = header.size() + data_size_;
  // Sized up front: each tensor is written at its offset as soon as it is filled, and the
  // alignment padding between tensors stays the zeros of the file's holes.
  out.reserve(total);
  out.write_at(header.data(), header.size(), 0);
  uint64_t done = header.size();
  for_each_tensor(
      n_threads, 0, tensors_.size(),
      [&](size_t i, std::vector<uint8_t>& buf) {
        const auto& t = tensors_[i];
        buf.resize(size_t(t.n_bytes));
        fill(i, t, buf.data());
        out.write_at(buf.data(), size_t(t.n_bytes), header.size() + t.offset);
      },
      [&](size_t i) {
        done += tensors_[i].n_bytes;
        if (progress) progress(done, total);
      });
}

void GgufWriter::write_in_order(OutputFile& out, const std::vector<uint8_t>& header, const FillFn& fill,
                                int n_threads, const std::function<void(uint64_t, uint64_t)>& progress) const {
  // A device, FIFO or socket takes bytes in order only: tensors are filled in parallel a batch at
  // a time (at most n_threads tensors and kBatchBytes, but always one) and written in file order
  // with their zero padding, so memory stays bounded whatever the model size.
  constexpr uint64_t kBatchBytes = 512ull << 20;
  const uint64_t total = header.size() + data_size_;
  out.write(header.data(), header.size());
  uint64_t pos = 0;  // within the data section
  const std::vector<uint8_t> zeros(alignment_, 0);
  std::vector<std::vector<uint8_t>> bufs;
  for (size_t first = 0; first < tensors_.size();) {
    size_t last = first;
    uint64_t bytes = 0;
    while (last < tensors_.size() && (last == first || (last - first < size_t(std::max(1, n_threads)) &&
                                                         bytes + tensors_[last].n_bytes <= kBatchBytes)))
      bytes += tensors_[last++].n_bytes;
    if (bufs.size() < last - first) bufs.resize(last - first);
    for_each_tensor(
        n_threads, first, last,
        [&](size_t i, std::vector<uint8_t>&) {
          auto& buf = bufs[i - first];
          buf.resize(size_t(tensors_[i].n_bytes));
          fill(i, tensors_[i], buf.data());
        },
        nullptr);
    for (size_t i = first; i < last; ++i) {
      const auto& t = tensors_[i];
      out.write(zeros.data(), size_t(t.offset - pos));  // offsets ascend; the gap is under one alignment
      out.write(bufs[i - first].data(), size_t(t.n_bytes));
      pos = t.offset + t.n_bytes;
      if (progress) progress(header.size() + pos, total);
    }
    first = last;
  }
}

AnonymousMapping GgufWriter::write_to_memory(const FillFn& fill, int n_threads,
                                             const std::function<void(uint64_t, uint64_t)>& progress) const {
  const std::vector<uint8_t> header = header_bytes();
  AnonymousMapping image(header.size() + data_size_);
  std::memcpy(image.data(), header.data(), header.size());
  // Alignment padding between tensors stays zero: fresh anonymous pages are zero-filled, as are
  // the holes ftruncate leaves in the file.
  uint8_t* data = image.data() + header.size();
  const uint64_t total = header.size() + data_size_;
  uint64_t done = header.size();
  for_each_tensor(
      n_threads, 0, tensors_.size(),
      [&](size_t i, std::vector<uint8_t>&) { fill(i, tensors_[i], data + tensors_[i].offset); },
      [&](size_t i) {
        done += tensors_[i].n_bytes;
        if (progress) progress(done, total);
      });
  return image;
}

}  // namespace lfmb
