// The host side of the sandbox's /input: a private temporary directory (mode 0700, under
// $TMPDIR or /tmp; /tmp when lfmb is root) holding an `input/` folder with the request's files, removed with everything
// in it when this object goes. bwrap receives `input/` as an open descriptor (--ro-bind-fd), but
// bwrap 0.8.0 still resolves that descriptor's path (realpath) as the uid it runs as: when lfmb is
// root, that uid is kHostUidWhenRoot, so the private directory is handed to it (chown) and stays
// closed to every other user.
#pragma once
#include <string>
#include <vector>

#include "eval/sandbox/sandbox.h"
#include "eval/sandbox/unique_fd.h"

namespace lfmb::eval {

class SandboxInputDir {
 public:
  // Throws lfmb::Error naming the file when a path is absolute, empty, has "." / ".." / empty
  // components or a NUL, repeats, or when writing fails (disk full).
  // `owner`: uid to give the private directory to (-1: keep lfmb's).
  SandboxInputDir(const std::vector<SandboxFile>& files, int owner);
  ~SandboxInputDir();
  SandboxInputDir(const SandboxInputDir&) = delete;
  SandboxInputDir& operator=(const SandboxInputDir&) = delete;

  // O_PATH descriptor of `input/` (close-on-exec; the child makes its copy inheritable).
  int input_fd() const { return input_fd_.get(); }
  const std::string& root() const { return root_; }

 private:
  std::string root_;  // the 0700 directory mkdtemp made
  UniqueFd input_fd_;
};

// Throws lfmb::Error when `path` is not a safe relative path (the rules above).
void check_sandbox_file_path(const std::string& path);

}  // namespace lfmb::eval
