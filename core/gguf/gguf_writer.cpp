#include "core/gguf/gguf_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include "core/error.h"

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

void pwrite_all(int fd, const uint8_t* p, uint64_t n, uint64_t off, const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::pwrite(fd, p, size_t(std::min<uint64_t>(n, 1ull << 30)), off_t(off));
    if (w < 0) {
      if (errno == EINTR) continue;
      throw Error(path + ": write failed: " + std::strerror(errno));
    }
    p += w;
    n -= uint64_t(w);
    off += uint64_t(w);
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

void GgufWriter::for_each_tensor(int n_threads, uint64_t header_size,
                                 const std::function<void(size_t, std::vector<uint8_t>&)>& job,
                                 const std::function<void(uint64_t, uint64_t)>& progress) const {
  const uint64_t total = header_size + data_size_;
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> done{header_size};
  std::mutex err_mu;
  std::exception_ptr err;
  auto worker = [&] {
    std::vector<uint8_t> scratch;
    for (size_t i; (i = next.fetch_add(1)) < tensors_.size();) {
      {
        std::lock_guard<std::mutex> lk(err_mu);
        if (err) return;
      }
      try {
        job(i, scratch);
        const uint64_t d = done.fetch_add(tensors_[i].n_bytes) + tensors_[i].n_bytes;
        if (progress) {
          std::lock_guard<std::mutex> lk(err_mu);
          progress(d, total);
        }
      } catch (...) {
        std::lock_guard<std::mutex> lk(err_mu);
        if (!err) err = std::current_exception();
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < std::max(1, n_threads); ++i) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
  if (err) std::rethrow_exception(err);
}

void GgufWriter::write(const std::string& path, const FillFn& fill, int n_threads,
                       const std::function<void(uint64_t, uint64_t)>& progress) const {
  const std::string tmp = path + ".part";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(path + ": cannot create: " + std::strerror(errno));
  try {
    const std::vector<uint8_t> header = header_bytes();
    const uint64_t total = header.size() + data_size_;
    if (::ftruncate(fd, off_t(total)) != 0) throw Error(path + ": cannot size file: " + std::strerror(errno));
    pwrite_all(fd, header.data(), header.size(), 0, path);
    for_each_tensor(
        n_threads, header.size(),
        [&](size_t i, std::vector<uint8_t>& buf) {
          const auto& t = tensors_[i];
          buf.resize(size_t(t.n_bytes));
          fill(i, t, buf.data());
          pwrite_all(fd, buf.data(), t.n_bytes, header.size() + t.offset, path);
        },
        progress);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  if (::close(fd) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    throw Error(path + ": close failed: " + std::strerror(e));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    throw Error(path + ": cannot rename temp file: " + std::strerror(e));
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
  for_each_tensor(
      n_threads, header.size(),
      [&](size_t i, std::vector<uint8_t>&) { fill(i, tensors_[i], data + tensors_[i].offset); }, progress);
  return image;
}

}  // namespace lfmb
