// Every file a command writes goes through here, so an output path is never harmed by what it
// names. A regular file (or a path that does not exist yet) is replaced atomically: readers see
// the old file or the whole new one (temp file beside it, fsync, rename). A symlink, or a chain
// of them, is followed and its final target replaced so; the link stays a link. A character
// device, FIFO or socket cannot be replaced by a rename (as root that would swap /dev/null for a
// regular file): it is opened and written directly, and a write error there is an lfmb::Error.
// A directory or a block device is refused.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lfmb {

// What to do when a new file's directory does not exist. A path the user names (synth -o,
// logits --out) must have its directory, so a typo fails instead of growing a tree; a layout lfmb
// makes itself (run's results/<device>/) is created.
enum class ParentDirs { MustExist, Create };

enum class OutputKind { NewFile, RegularFile, CharDevice, Fifo, Socket };

struct OutputTarget {
  std::string path;    // as given, for messages
  std::string target;  // after following symlinks (== path when it is not a link)
  OutputKind kind = OutputKind::NewFile;
  // Written in place (no temp file, no rename): devices, FIFOs and sockets.
  bool direct() const { return kind == OutputKind::CharDevice || kind == OutputKind::Fifo || kind == OutputKind::Socket; }
  // "PATH" or "PATH (-> TARGET)": how errors name the output.
  std::string describe() const;
};

// Follows symlinks (at most 40, as the kernel does) and classifies what the path finally names.
// Throws lfmb::Error (one line naming the path) for a directory, a block device, a symlink loop
// or a path that cannot be inspected.
OutputTarget resolve_output(const std::string& path);

// An output being written. Regular targets go to a temp file beside the final target until
// commit(); direct targets are opened where they are. Destroyed without commit(), a temp file is
// removed and the target is left as it was.
class OutputFile {
 public:
  explicit OutputFile(const std::string& path, ParentDirs parents);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  const OutputTarget& target() const { return target_; }
  // True when the bytes go to a temp file, so write_at() and reserve() may be used; a device,
  // FIFO or socket only takes bytes in order through write().
  bool seekable() const { return !target_.direct(); }

  // Appends bytes (sequential writers). Throws lfmb::Error "PATH: write failed: <strerror>".
  void write(const void* data, size_t n);
  void write(std::string_view s) { write(s.data(), s.size()); }
  // Writes at an offset of the temp file (parallel writers); seekable() outputs only.
  void write_at(const void* data, size_t n, uint64_t offset);
  // Sets the temp file's size up front (holes read as zeros); seekable() outputs only.
  void reserve(uint64_t size);
  // Regular: fsync and close the temp file, so only the rename is left for commit(); the temp
  // file is still removed if this object is destroyed uncommitted. Direct: close, reporting
  // errors. Called by commit() when not called before.
  void finish();
  // Regular: finish(), rename over the target, fsync the directory. Direct: finish().
  void commit();

 private:
  [[noreturn]] void fail(const char* what, int err) const;
  OutputTarget target_;
  std::string temp_;  // empty for direct outputs and after the rename
  int fd_ = -1;
  bool finished_ = false, committed_ = false;
};

// Writes a whole output (JSON, CSV, ...) by the rules above.
void write_output(const std::string& path, std::string_view content, ParentDirs parents);

struct OutputContent {
  std::string path;
  std::string_view content;
};
// Writes several outputs as a set: all or none as far as a write can fail. Every regular file is
// written to its temp file and synced first, then every direct output (device, FIFO, socket) is
// written; only when all of that succeeded are the temp files renamed, in the order given. Any
// failure before the first rename removes every temp file and leaves every target as it was.
// A crash (or a failed rename) between two renames leaves the earlier files new and the later
// ones old, so callers list last the file whose presence says the set is current.
void write_outputs(const std::vector<OutputContent>& files, ParentDirs parents);

}  // namespace lfmb
