// The code sandbox (eval/sandbox): hand-written Python programs stand for model-written code and
// run only through run_sandboxed. When no sandbox can be made here the tests warn and return, or
// fail under CI=true.
#include <catch2/catch.hpp>
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "core/error.h"
#include "eval/sandbox/bwrap_command.h"
#include "eval/sandbox/sandbox.h"
#include "eval/sandbox/sandbox_input_dir.h"

using lfmb::eval::run_sandboxed;
using lfmb::eval::SandboxFile;
using lfmb::eval::SandboxLimits;
using lfmb::eval::SandboxRequest;
using lfmb::eval::SandboxResult;
using lfmb::eval::SandboxStatus;

namespace {

bool sandbox_here() {
  std::string why;
  if (lfmb::eval::sandbox_available(&why)) return true;
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") FAIL("the code sandbox is required under CI=true: " << why);
  WARN("SKIPPED: no code sandbox here: " << why);
  return false;
}

// A Python program at /input/main.py, run as `python3 /input/main.py ARGS...`.
SandboxRequest python(const std::string& code, std::vector<std::string> args = {}, SandboxLimits limits = {}) {
  SandboxRequest r;
  r.argv = {lfmb::eval::kSandboxPython, "/input/main.py"};
  r.argv.insert(r.argv.end(), args.begin(), args.end());
  r.files = {{"main.py", code}};
  r.limits = limits;
  return r;
}

SandboxLimits quick(double cpu, double wall) {
  SandboxLimits l;
  l.cpu_seconds = cpu;
  l.wall_seconds = wall;
  return l;
}

std::string describe(const SandboxResult& r) {
  std::ostringstream s;
  s << "status " << static_cast<int>(r.status) << " exit " << r.exit_code << " signal " << r.signal << " wall "
    << r.wall_seconds << " cpu " << r.cpu_seconds << "\nstdout: " << r.out.substr(0, 2000)
    << "\nstderr: " << r.err.substr(0, 2000);
  return s.str();
}

// Host processes whose command line contains `marker` (other than this test process).
int processes_with(const std::string& marker) {
  int n = 0;
  DIR* d = opendir("/proc");
  if (!d) return -1;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    if (std::atoi(e->d_name) == getpid()) continue;
    std::ifstream f(std::string("/proc/") + e->d_name + "/cmdline", std::ios::binary);
    std::string cmd((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (cmd.find(marker) != std::string::npos) ++n;
  }
  closedir(d);
  return n;
}

std::string unique_marker(const char* what) {
  return std::string("lfmb-sandbox-test-") + what + "-" + std::to_string(getpid()) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
}

}  // namespace

TEST_CASE("sandbox exit codes and captured stdout and stderr", "[sandbox]") {
  if (!sandbox_here()) return;
  SandboxResult r = run_sandboxed(python("import sys\nprint('hello')\nprint('oops', file=sys.stderr)\nsys.exit(3)\n"));
  INFO(describe(r));
  CHECK(r.status == SandboxStatus::exited);
  CHECK(r.exit_code == 3);
  CHECK(r.out == "hello\n");
  CHECK(r.err == "oops\n");
  CHECK_FALSE(r.out_truncated);
  CHECK(r.cpu_seconds > 0);

  r = run_sandboxed(python("raise ValueError('bad candidate')\n"));
  INFO(describe(r));
  CHECK(r.status == SandboxStatus::exited);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("ValueError: bad candidate") != std::string::npos);

  r = run_sandboxed(python("import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n"));
  INFO(describe(r));
  CHECK(r.status == SandboxStatus::signaled);
  CHECK(r.signal == SIGTERM);

  r = run_sandboxed(python("print('x')\n", {}, {}));
  CHECK(r.status == SandboxStatus::exited);
  CHECK(r.exit_code == 0);
}

TEST_CASE("sandbox environment identity and threads", "[sandbox]") {
  if (!sandbox_here()) return;
  const SandboxResult r = run_sandboxed(python(
      "import os, json, socket, threading\n"
      "got = []\n"
      "ts = [threading.Thread(target=lambda i=i: got.append(i)) for i in range(4)]\n"
      "[t.start() for t in ts]; [t.join() for t in ts]\n"
      "print(json.dumps({'env': dict(os.environ), 'uid': os.getuid(), 'gid': os.getgid(), 'cwd': os.getcwd(),\n"
      "  'pid': os.getpid(), 'threads': sorted(got), 'host': socket.gethostname(), 'root': sorted(os.listdir('/'))}))\n"));
  INFO(describe(r));
  REQUIRE(r.status == SandboxStatus::exited);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("\"env\": {\"PATH\": \"/usr/bin\", \"LANG\": \"C.UTF-8\", \"PYTHONDONTWRITEBYTECODE\": \"1\", "
                   "\"PYTHONHASHSEED\": \"0\", \"PWD\": \"/tmp\"}") != std::string::npos);  // PWD: bwrap --chdir
  CHECK(r.out.find("\"uid\": 65534, \"gid\": 65534") != std::string::npos);
  CHECK(r.out.find("\"cwd\": \"/tmp\"") != std::string::npos);
  CHECK(r.out.find("\"pid\": 2,") != std::string::npos);  // own pid namespace: bwrap's init is 1
  CHECK(r.out.find("\"threads\": [0, 1, 2, 3]") != std::string::npos);  // clone3 -> ENOSYS -> clone
  CHECK(r.out.find("\"host\": \"sandbox\"") != std::string::npos);  // own UTS namespace
  CHECK(r.out.find("\"root\": [\"bin\", \"dev\", \"input\", \"lib\", \"lib64\", \"proc\", \"sbin\", \"tmp\", \"usr\"]") !=
        std::string::npos);
}

TEST_CASE("sandbox stdin of 5 MB streams through to 5 MB of stdout without deadlock", "[sandbox]") {
  if (!sandbox_here()) return;
  std::string data(5u << 20, '\0');
  std::mt19937 rng(7);
  for (char& c : data) c = static_cast<char>(rng() & 0xff);
  SandboxLimits lim = quick(10, 20);
  lim.output_bytes = 8u << 20;
  SandboxRequest req = python(
      "import sys, shutil\n"
      "shutil.copyfileobj(sys.stdin.buffer, sys.stdout.buffer, 65536)\n"
      "print(len(b''), file=sys.stderr)\n",
      {}, lim);
  req.stdin_data = data;
  const SandboxResult r = run_sandboxed(req);
  INFO(describe(r).substr(0, 300));
  CHECK(r.status == SandboxStatus::exited);
  CHECK(r.exit_code == 0);
  CHECK(r.out.size() == data.size());
  CHECK(r.out == data);
  CHECK_FALSE(r.out_truncated);

  // A program that never reads its stdin: the parent stops feeding it and still returns.
  SandboxRequest ignore = python("print('done')\n", {}, quick(5, 10));
  ignore.stdin_data = data;
  const SandboxResult r2 = run_sandboxed(ignore);
  CHECK(r2.status == SandboxStatus::exited);
  CHECK(r2.out == "done\n");
}

TEST_CASE("sandbox output beyond the cap is dropped and flagged", "[sandbox]") {
  if (!sandbox_here()) return;
  SandboxLimits lim = quick(10, 20);
  lim.output_bytes = 1u << 20;
  const SandboxResult r = run_sandboxed(python(
      "import sys\n"
      "sys.stdout.write('a' * (3 << 20)); sys.stdout.flush()\n"
      "sys.stderr.write('b' * (3 << 20)); sys.stderr.flush()\n"
      "sys.stdout.write('END')\n",
      {}, lim));
  INFO(describe(r).substr(0, 300));
  CHECK(r.status == SandboxStatus::exited);  // the program was never blocked on a full pipe
  CHECK(r.exit_code == 0);
  CHECK(r.out.size() == (1u << 20));
  CHECK(r.out == std::string(1u << 20, 'a'));
  CHECK(r.out_truncated);
  CHECK(r.err.size() == (1u << 20));
  CHECK(r.err_truncated);

  const SandboxResult small = run_sandboxed(python("print('a' * 1000, end='')\n", {}, lim));
  CHECK(small.out.size() == 1000);
  CHECK_FALSE(small.out_truncated);
}

TEST_CASE("sandbox input files are visible read-only under /input", "[sandbox]") {
  if (!sandbox_here()) return;
  SandboxRequest req = python(
      "import os, errno\n"
      "print(open('/input/data/tests.json').read())\n"
      "print(sorted(os.listdir('/input')))\n"
      "for p in ['/input/data/tests.json', '/input/new.txt']:\n"
      "    try:\n"
      "        open(p, 'w').write('x')\n"
      "        print('WROTE', p)\n"
      "    except OSError as e:\n"
      "        print('refused', errno.errorcode[e.errno])\n");
  req.files.push_back({"data/tests.json", "[1, 2, 3]"});
  const SandboxResult r = run_sandboxed(req);
  INFO(describe(r));
  CHECK(r.status == SandboxStatus::exited);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "[1, 2, 3]\n['data', 'main.py']\nrefused EROFS\nrefused EROFS\n");
}

TEST_CASE("sandbox input file paths are checked", "[sandbox]") {
  using lfmb::eval::check_sandbox_file_path;
  CHECK_NOTHROW(check_sandbox_file_path("driver.py"));
  CHECK_NOTHROW(check_sandbox_file_path("a/b/c.json"));
  CHECK_THROWS_AS(check_sandbox_file_path(""), lfmb::Error);
  CHECK_THROWS_AS(check_sandbox_file_path("/etc/passwd"), lfmb::Error);
  CHECK_THROWS_AS(check_sandbox_file_path("../x"), lfmb::Error);
  CHECK_THROWS_AS(check_sandbox_file_path("a/../../x"), lfmb::Error);
  CHECK_THROWS_AS(check_sandbox_file_path("a//b"), lfmb::Error);
  CHECK_THROWS_AS(check_sandbox_file_path("a/./b"), lfmb::Error);
  CHECK_THROWS_AS(check_sandbox_file_path("dir/"), lfmb::Error);
  CHECK_THROWS_AS(check_sandbox_file_path(std::string("a\0b", 3)), lfmb::Error);
  try {
    check_sandbox_file_path("../secret");
  } catch (const lfmb::Error& e) {
    CHECK(std::string(e.what()) == "sandbox: input file path '../secret' has a '.' or '..' component");
  }
  if (!sandbox_here()) return;
  SandboxRequest twice = python("pass\n");
  twice.files.push_back({"main.py", "pass\n"});
  CHECK_THROWS_WITH(run_sandboxed(twice), "sandbox: input file path 'main.py' is given twice");
  SandboxRequest empty;
  CHECK_THROWS_WITH(run_sandboxed(empty), "sandbox: the request's argv is empty");
}

TEST_CASE("sandbox working directory is writable but capped", "[sandbox]") {
  if (!sandbox_here()) return;
  const std::string writer =
      "import errno, sys\n"
      "n = int(sys.argv[1])\n"
      "open('small.txt', 'w').write('ok')\n"
      "print(open('/tmp/small.txt').read())\n"
      "try:\n"
      "    with open('big.bin', 'wb') as f:\n"
      "        for _ in range(n):\n"
      "            f.write(b'z' * (1 << 20))\n"
      "    print('wrote all')\n"
      "except OSError as e:\n"
      "    print('refused', errno.errorcode[e.errno])\n";
  // The tmpfs is full first ...
  SandboxLimits lim = quick(10, 20);
  lim.tmpfs_bytes = 4u << 20;
  lim.file_bytes = 64u << 20;
  SandboxResult r = run_sandboxed(python(writer, {"8"}, lim));
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out == "ok\nrefused ENOSPC\n");
  // ... or RLIMIT_FSIZE stops the file first (Python ignores SIGXFSZ, so write gets EFBIG).
  lim.tmpfs_bytes = 16u << 20;
  lim.file_bytes = 1u << 20;
  r = run_sandboxed(python(writer, {"4"}, lim));
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out == "ok\nrefused EFBIG\n");
  // Within both limits the write succeeds; and the rest of the tree is read-only.
  lim.file_bytes = 8u << 20;
  r = run_sandboxed(python(writer + "import os\nfor p in ['/x', '/usr/x', '/dev/x']:\n"
                                    "    try:\n        open(p, 'w')\n        print('WROTE', p)\n"
                                    "    except OSError as e:\n        print(p, errno.errorcode[e.errno])\n",
                           {"2"}, lim));
  INFO(describe(r));
  CHECK(r.out == "ok\nwrote all\n/x EROFS\n/usr/x EROFS\n/dev/x EROFS\n");
}

TEST_CASE("sandbox hides the host filesystem", "[sandbox]") {
  if (!sandbox_here()) return;
  char cwd[4096] = {};
  REQUIRE(getcwd(cwd, sizeof cwd - 1) != nullptr);
  const std::string here = cwd;  // the build folder inside the repository
  const SandboxResult r = run_sandboxed(python(
      "import os, sys\n"
      "for p in sys.argv[1:]:\n"
      "    print(p, os.path.exists(p))\n",
      {"/work", "/root", "/home", "/etc/passwd", "/etc", "/var", here, "/usr/bin/python3"}));
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out == "/work False\n/root False\n/home False\n/etc/passwd False\n/etc False\n/var False\n" + here +
                     " False\n/usr/bin/python3 True\n");
}

TEST_CASE("sandbox network sockets are refused but unix sockets work", "[sandbox]") {
  if (!sandbox_here()) return;
  const SandboxResult r = run_sandboxed(python(
      "import errno, socket\n"
      "for fam in (socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK, socket.AF_PACKET):\n"
      "    try:\n"
      "        socket.socket(fam, socket.SOCK_DGRAM if fam != socket.AF_INET else socket.SOCK_STREAM)\n"
      "        print('OPENED', fam)\n"
      "    except OSError as e:\n"
      "        print('refused', errno.errorcode[e.errno])\n"
      "a, b = socket.socketpair(socket.AF_UNIX)\n"
      "a.sendall(b'ping'); print(b.recv(4))\n"
      "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind('/tmp/sock'); s.listen(1); print('unix ok')\n"));
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out == "refused EPERM\nrefused EPERM\nrefused EPERM\nrefused EPERM\nb'ping'\nunix ok\n");
}

TEST_CASE("sandbox refuses ptrace unshare mount and other escapes", "[sandbox]") {
  if (!sandbox_here()) return;
  // Without the filter ptrace(TRACEME) and personality(PER_LINUX32) succeed, unshare of a user
  // namespace fails with ENOSPC (--disable-userns), clone3 works and io_uring_setup fails with
  // EFAULT: the errnos below come from the filter. mount is refused by missing capabilities too.
  const SandboxResult r = run_sandboxed(python(
      "import ctypes, errno, os\n"
      "libc = ctypes.CDLL(None, use_errno=True)\n"
      "def call(name, f):\n"
      "    ctypes.set_errno(0)\n"
      "    rc = f()\n"
      "    print(name, rc, errno.errorcode.get(ctypes.get_errno(), 0))\n"
      "call('ptrace', lambda: libc.ptrace(0, 0, 0, 0))\n"
      "call('unshare', lambda: libc.unshare(0x10000000))\n"
      "call('mount', lambda: libc.mount(b'none', b'/nonexistent', b'tmpfs', 0, None))\n"
      "call('clone3', lambda: libc.syscall(435, 0, 0))\n"
      "call('personality8', lambda: libc.personality(8))\n"
      "call('personality_query', lambda: 0 if libc.personality(0xffffffff) != -1 else -1)\n"
      "call('keyctl', lambda: libc.syscall(250, 0, 0, 0, 0, 0))\n"
      "call('bpf', lambda: libc.syscall(321, 0, 0, 0))\n"
      "call('io_uring_setup', lambda: libc.syscall(425, 1, 0))\n"
      "pid = os.fork()\n"
      "if pid == 0:\n"
      "    os._exit(0)\n"
      "print('fork ok', os.waitpid(pid, 0)[1])\n"));
  INFO(describe(r));
  CHECK(r.exit_code == 0);
#if defined(__x86_64__)
  CHECK(r.out ==
        "ptrace -1 EPERM\nunshare -1 EPERM\nmount -1 EPERM\nclone3 -1 ENOSYS\npersonality8 -1 EPERM\n"
        "personality_query 0 0\nkeyctl -1 EPERM\nbpf -1 EPERM\nio_uring_setup -1 EPERM\nfork ok 0\n");
#else
  CHECK(r.out.find("ptrace -1 EPERM\nunshare -1 EPERM\nmount -1 EPERM\n") == 0);
#endif
}

TEST_CASE("sandbox infinite loop ends as cpu_limit", "[sandbox]") {
  if (!sandbox_here()) return;
  // CPU time does not depend on the machine's load; the wall limit is only a generous backstop.
  SandboxResult r = run_sandboxed(python("while True:\n    pass\n", {}, quick(1, 20)));
  INFO(describe(r));
  CHECK(r.status == SandboxStatus::cpu_limit);
  CHECK(r.signal == SIGXCPU);
  CHECK(r.cpu_seconds >= 0.9);
  CHECK(r.cpu_seconds < 1.8);
  // A program that ignores SIGXCPU is killed at the hard limit, one second later.
  r = run_sandboxed(python("import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\nwhile True:\n    pass\n", {},
                           quick(1, 20)));
  INFO(describe(r));
  CHECK(r.status == SandboxStatus::cpu_limit);
  CHECK(r.signal == SIGKILL);
  CHECK(r.cpu_seconds >= 1.8);  // rusage rounds a little below the kernel's own count
  CHECK(r.cpu_seconds < 2.8);
}

TEST_CASE("sandbox sleeping program ends as wall_timeout", "[sandbox]") {
  if (!sandbox_here()) return;
  const std::string marker = unique_marker("sleep");
  const SandboxResult r = run_sandboxed(python("import time\nprint('started', flush=True)\ntime.sleep(100)\n",
                                               {marker}, quick(10, 1.5)));
  INFO(describe(r));
  CHECK(r.status == SandboxStatus::wall_timeout);
  CHECK(r.wall_seconds >= 1.45);
  CHECK(r.wall_seconds < 2.6);  // run_sandboxed's promise: the wall limit plus a second
  CHECK(r.out == "started\n");  // output before the kill is kept
  CHECK(processes_with(marker) == 0);
}

TEST_CASE("sandbox deadline during bwrap's setup leaves nothing behind", "[sandbox]") {
  if (!sandbox_here()) return;
  // Deadlines from 2 to 60 ms fall into bwrap's setup or the interpreter's start.
  for (double wall : {0.002, 0.01, 0.03, 0.06}) {
    const std::string marker = unique_marker("early");
    const SandboxResult r = run_sandboxed(python("import time\ntime.sleep(30)\n", {marker}, quick(5, wall)));
    INFO("wall limit " << wall << ": " << describe(r));
    CHECK(r.status == SandboxStatus::wall_timeout);
    CHECK(r.wall_seconds < wall + 1.05);
    CHECK(processes_with(marker) == 0);
  }
}

TEST_CASE("sandbox memory bomb fails under a 256 MB limit", "[sandbox]") {
  if (!sandbox_here()) return;
  SandboxLimits lim = quick(10, 20);
  lim.memory_bytes = 256u << 20;
  SandboxResult r = run_sandboxed(python(
      "import threading\n"
      "t = threading.Thread(target=lambda: None); t.start(); t.join()\n"  // room for a thread stack
      "try:\n"
      "    x = bytearray(512 << 20)\n"
      "    print('ALLOCATED')\n"
      "except MemoryError:\n"
      "    print('MemoryError')\n"
      "blocks = []\n"
      "while True:\n"
      "    blocks.append(bytearray(10 << 20))\n",
      {}, lim));
  INFO(describe(r));
  CHECK(r.out == "MemoryError\n");
  const bool failed = (r.status == SandboxStatus::exited && r.exit_code == 1 &&
                       r.err.find("MemoryError") != std::string::npos) ||
                      (r.status == SandboxStatus::signaled && r.signal == SIGKILL);
  CHECK(failed);
}

TEST_CASE("sandbox fork bomb is contained and leaves no process behind", "[sandbox]") {
  if (!sandbox_here()) return;
  // The count: RLIMIT_NPROC allows max_processes tasks beyond the program and bwrap's init.
  SandboxLimits lim = quick(5, 10);
  lim.max_processes = 12;
  const std::string marker_count = unique_marker("count");
  SandboxResult r = run_sandboxed(python(
      "import os, time\n"
      "n = 0\n"
      "while n < 1000:\n"
      "    try:\n"
      "        pid = os.fork()\n"
      "    except OSError:\n"
      "        break\n"
      "    if pid == 0:\n"
      "        time.sleep(30)\n"
      "        os._exit(0)\n"
      "    n += 1\n"
      "print(n)\n",
      {marker_count}, lim));
  INFO(describe(r));
  CHECK(r.status == SandboxStatus::exited);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "12\n");
  CHECK(r.wall_seconds < 5);  // the sleeping children died with the sandbox
  CHECK(processes_with(marker_count) == 0);

  // Threads count against the same limit.
  r = run_sandboxed(python(
      "import threading\n"
      "threading.stack_size(1 << 20)\n"
      "stop = threading.Event()\n"
      "n = 0\n"
      "while n < 1000:\n"
      "    try:\n"
      "        threading.Thread(target=stop.wait).start()\n"
      "    except RuntimeError:\n"
      "        break\n"
      "    n += 1\n"
      "stop.set()\n"
      "print(n)\n",
      {}, lim));
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out == "12\n");

  // The bomb: every process forks forever; the wall deadline ends it.
  lim = quick(2, 3);
  lim.max_processes = 32;
  const std::string marker = unique_marker("bomb");
  r = run_sandboxed(python(
      "import os\n"
      "while True:\n"
      "    try:\n"
      "        os.fork()\n"
      "    except OSError:\n"
      "        pass\n",
      {marker}, lim));
  INFO(describe(r));
  CHECK(r.status == SandboxStatus::wall_timeout);
  CHECK(r.wall_seconds < 4.1);
  CHECK(processes_with(marker) == 0);
}

TEST_CASE("sandbox background children are killed when the program ends", "[sandbox]") {
  if (!sandbox_here()) return;
  const std::string marker = unique_marker("daemon");
  // Double fork and setsid; one daemon keeps stdout open, one closes all its descriptors.
  const SandboxResult r = run_sandboxed(python(
      "import os, time\n"
      "for keep in (True, False):\n"
      "    if os.fork() == 0:\n"
      "        os.setsid()\n"
      "        if os.fork() == 0:\n"
      "            if not keep:\n"
      "                os.closerange(0, 256)\n"
      "            time.sleep(60)\n"
      "        os._exit(0)\n"
      "time.sleep(0.2)\n"
      "print('parent done')\n",
      {marker}, quick(10, 20)));
  INFO(describe(r));
  CHECK(r.status == SandboxStatus::exited);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "parent done\n");
  CHECK(r.wall_seconds < 5);
  CHECK(processes_with(marker) == 0);
}

TEST_CASE("sandbox runs from two threads at once", "[sandbox]") {
  if (!sandbox_here()) return;
  SandboxResult results[2];
  std::string errors[2];
  std::thread threads[2];
  for (int i = 0; i < 2; ++i) {
    threads[i] = std::thread([i, &results, &errors] {
      try {
        SandboxRequest req = python("import sys, time\ntime.sleep(0.3)\nprint(sys.stdin.read() * 2)\n", {}, quick(5, 20));
        req.stdin_data = "thread" + std::to_string(i);
        results[i] = run_sandboxed(req);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 2; ++i) {
    INFO("thread " << i << ": " << errors[i] << describe(results[i]));
    CHECK(errors[i].empty());
    CHECK(results[i].status == SandboxStatus::exited);
    CHECK(results[i].exit_code == 0);
    CHECK(results[i].out == "thread" + std::to_string(i) + "thread" + std::to_string(i) + "\n");
  }
}

// Not run by default: `lfmb_tests "[sandbox-bench]"` prints the cost of an empty sandboxed run.
TEST_CASE("sandbox overhead of an empty python run", "[.][sandbox-bench]") {
  if (!sandbox_here()) return;
  for (std::vector<std::string> argv : {std::vector<std::string>{lfmb::eval::kSandboxPython, "-c", "pass"},
                                        std::vector<std::string>{"/usr/bin/true"}}) {
    SandboxRequest req;
    req.argv = argv;
    run_sandboxed(req);
    const int n = 20;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) REQUIRE(run_sandboxed(req).exit_code == 0);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / n;
    WARN("sandboxed " << argv[0] << (argv.size() > 1 ? " -c pass" : "") << ": " << ms << " ms per run (mean of " << n << ")");
  }
}

TEST_CASE("sandbox bwrap command line", "[sandbox]") {
  SandboxRequest req;
  req.argv = {"/usr/bin/python3", "/input/main.py"};
  req.limits.max_processes = 10;
  req.limits.tmpfs_bytes = 1u << 20;
  const std::vector<std::string> a = lfmb::eval::bwrap_command(req, true);
  auto at = [&](const std::string& s) {
    const auto it = std::find(a.begin(), a.end(), s);
    return it == a.end() ? -1 : static_cast<int>(it - a.begin());
  };
  REQUIRE(a.at(0) == "/usr/bin/bwrap");
  for (const char* opt : {"--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--clearenv",
                          "--disable-userns", "--seccomp", "--json-status-fd", "--ro-bind-fd"})
    CHECK(at(opt) > 0);
  CHECK(a[at("--ro-bind") + 1] == "/usr");
  CHECK(a[at("--ro-bind") + 2] == "/usr");
  CHECK(a[at("--cap-drop") + 1] == "ALL");
  CHECK(a[at("--uid") + 1] == "65534");
  CHECK(a[at("--gid") + 1] == "65534");
  CHECK(a[at("--size") + 1] == "1048576");
  CHECK(a[at("--size") + 2] == "--tmpfs");
  CHECK(a[at("--chdir") + 1] == "/tmp");
  // The root and /dev become read-only after everything is mounted below them.
  CHECK(at("/") > at("/input"));
  CHECK(at("/") > at("/tmp"));
  // Nothing of the host but /usr.
  for (const char* host : {"/etc", "/home", "/root", "/work", "/var"}) CHECK(at(host) == -1);
  // prlimit in front of the program: the program, bwrap's init and 10 more tasks.
  const int dashdash = at("--");
  REQUIRE(dashdash > 0);
  CHECK(std::vector<std::string>(a.begin() + dashdash + 1, a.end()) ==
        std::vector<std::string>{"/usr/bin/prlimit", "--nproc=12:12", "--", "/usr/bin/python3", "/input/main.py"});
  CHECK(at("--disable-userns") < dashdash);
  const std::vector<std::string> without = lfmb::eval::bwrap_command(req, false);
  CHECK(std::find(without.begin(), without.end(), "--disable-userns") == without.end());
  CHECK(without.size() + 1 == a.size());
}

TEST_CASE("sandbox limits and programs that cannot start", "[sandbox]") {
  if (!sandbox_here()) return;
  std::string why = "unchanged";
  CHECK(lfmb::eval::sandbox_available(&why));
  CHECK(why.empty());
  SandboxRequest bad = python("pass\n");
  bad.limits.cpu_seconds = 0;
  CHECK_THROWS_WITH(run_sandboxed(bad), "sandbox: limits.cpu_seconds must be a positive number");
  bad = python("pass\n");
  bad.limits.max_open_files = 3;
  CHECK_THROWS_AS(run_sandboxed(bad), lfmb::Error);
  bad = python("pass\n");
  bad.limits.memory_bytes = 1 << 20;
  CHECK_THROWS_AS(run_sandboxed(bad), lfmb::Error);
  // A program that does not exist in the sandbox is a failed run, not an lfmb error.
  SandboxRequest missing;
  missing.argv = {"/usr/bin/no-such-interpreter", "x"};
  const SandboxResult r = run_sandboxed(missing);
  INFO(describe(r));
  CHECK(r.status == SandboxStatus::exited);
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("no-such-interpreter") != std::string::npos);
  // The host's programs outside /usr are not there either.
  SandboxRequest etc;
  etc.argv = {"/etc/passwd"};
  CHECK(run_sandboxed(etc).exit_code != 0);
}
