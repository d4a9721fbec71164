// read_data_file: a dataset file's bytes, gunzipped by the .gz suffix (as Python tools open them
// with gzip.open), size-checked before anything is allocated.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

#include "core/error.h"
#include "eval/data/gunzip.h"
#include "eval/data/table_reader.h"

namespace lfmb::eval {

namespace fs = std::filesystem;

std::string read_data_file(const std::string& path, uint64_t max_bytes) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found) throw Error(fmt::format("{}: no such file", path));
  if (ec) throw Error(fmt::format("{}: cannot access ({})", path, ec.message()));
  if (fs::is_directory(st)) throw Error(fmt::format("{}: is a directory, not a data file", path));
  if (!fs::is_regular_file(st)) throw Error(fmt::format("{}: not a regular file", path));
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) throw Error(fmt::format("{}: cannot read its size ({})", path, ec.message()));
  if (size > max_bytes) throw Error(fmt::format("{}: {} bytes, more than the limit of {} bytes", path, size, max_bytes));

  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open ({})", path, std::strerror(errno)));
  std::string bytes(static_cast<size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (static_cast<uintmax_t>(in.gcount()) != size)
    throw Error(fmt::format("{}: read {} of {} bytes", path, in.gcount(), size));

  const bool gzipped = path.size() >= 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  return gzipped ? gunzip(bytes, path, max_bytes) : bytes;
}

}  // namespace lfmb::eval
