# lfmb's HumanEval+ driver: runs INSIDE the code sandbox (eval/sandbox/sandbox.h), never on the
# host. It ports, from evalplus/evalplus at commit 26d6d00bb1fd:
#   sanitize.py            code_extract, extract_target_code_or_empty, sanitize (tree-sitter -> ast)
#   syncheck.py            syntax_check
#   gen/util/__init__.py   trusted_exec (ground truth: outputs and per-input times)
#   eval/__init__.py       is_floats, unsafe_execute, untrusted_check (statuses, fast_check)
#   eval/utils.py          swallow_io, time_limit, reliability_guard
#   eval/_special_oracle.py  _poly (HumanEval/32 find_zero)
# Modes (argv[1]), files under argv[2] (the sandbox's /input):
#   version      -> sys.version
#   groundtruth  problem.json (the dataset line) -> {base, base_time, plus, plus_time}
#   sanitize     response.txt + config.json {entry_point} -> {sanitized}
#   check        response.txt + problem.json + config.json -> {sanitized, base: {...}, plus: {...}}
# The result is one JSON line on the original stdout; everything the executed code prints is
# swallowed. Expected outputs travel as base64 zlib pickles: written by this driver, read only by this
# driver, so Python types (tuples, sets, floats, big ints, None) round-trip exactly.
import ast
import base64
import contextlib
import io
import json
import math
import os
import pickle
import re
import select
import signal
import sys
import time
import zlib
from copy import deepcopy

import sandbox_guard  # /input/sandbox_guard.py, beside this file

# ---------------------------------------------------------------- the result channel
# fd 1 is kept for our one result line; the executed code's prints go to /dev/null (and to
# swallow_io's buffer while it runs), so nothing it writes can be mistaken for the result. fd 2
# stays: the driver's own traceback, if any, is what lfmb reports.
_RESULT_FD = os.dup(1)
_null = os.open(os.devnull, os.O_WRONLY)
os.dup2(_null, 1)
sys.stdout = io.StringIO()


def emit(obj):
    data = (json.dumps(obj) + "\n").encode("utf-8")
    while data:
        n = os.write(_RESULT_FD, data)
        data = data[n:]


# ---------------------------------------------------------------- sanitizer (sanitize.py)
_ANSI = re.compile(r"\x1B(?:[@-Z\\-_]|\[[0-?]*[ -/]*[@-~])")


def syntax_check(code):
    # syncheck.syntax_check catches SyntaxError and MemoryError; ValueError (NUL bytes) and
    # RecursionError (deep nesting) would stop evalplus's whole run: here they are "does not parse".
    try:
        ast.parse(code)
        return True
    except (SyntaxError, MemoryError, ValueError, RecursionError):
        return False


def code_extract(text):
    # The longest span of >= 2 consecutive lines (j starts at i + 1, as upstream) that parses,
    # measured in non-blank lines; ties keep the first. Nothing parses: the first line.
    text = _ANSI.sub("", text)
    lines = text.split("\n")
    best = (0, 0)
    best_len = 0
    for i in range(len(lines)):
        for j in range(i + 1, len(lines)):
            current = "\n".join(lines[i : j + 1])
            if syntax_check(current):
                n = sum(1 for line in lines[i : j + 1] if line.strip())
                if n > best_len:
                    best_len = n
                    best = (i, j)
    return "\n".join(lines[best[0] : best[1] + 1])


def _line_starts(data):
    # Byte offset of each line as Python's tokenizer counts lines (\r\n, \r and \n end a line),
    # so ast's (lineno, col_offset in UTF-8 bytes) map onto the original bytes.
    starts = [0]
    i, n = 0, len(data)
    while i < n:
        c = data[i]
        if c == 0x0D:
            i += 2 if i + 1 < n and data[i + 1] == 0x0A else 1
            starts.append(i)
        elif c == 0x0A:
            i += 1
            starts.append(i)
        else:
            i += 1
    return starts


def _span(node, starts):
    return (starts[node.lineno - 1] + node.col_offset, starts[node.end_lineno - 1] + node.end_col_offset)


def _identifiers(node):
    # Every identifier token under a node, as tree-sitter's dfs_get_deps collects `identifier`
    # children: names, parameters, attribute names, keyword-argument names, definition names,
    # imported names, global/nonlocal names, `except ... as e`, match captures.
    out = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            out.add(n.id)
        elif isinstance(n, ast.arg):
            out.add(n.arg)
        elif isinstance(n, ast.Attribute):
            out.add(n.attr)
        elif isinstance(n, ast.keyword):
            if n.arg is not None:
                out.add(n.arg)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(n.name)
        elif isinstance(n, ast.alias):
            out.update(n.name.split("."))
            if n.asname:
                out.add(n.asname)
        elif isinstance(n, ast.ImportFrom):
            if n.module:
                out.update(n.module.split("."))
        elif isinstance(n, (ast.Global, ast.Nonlocal)):
            out.update(n.names)
        elif isinstance(n, ast.ExceptHandler):
            if n.name:
                out.add(n.name)
        elif isinstance(n, (ast.MatchAs, ast.MatchStar)):
            if n.name:
                out.add(n.name)
        elif isinstance(n, ast.MatchMapping):
            if n.rest:
                out.add(n.rest)
        elif isinstance(n, ast.MatchClass):
            out.update(n.kwd_attrs)
    return out


def _has_return(node):
    return any(isinstance(n, ast.Return) for n in ast.walk(node))


def _assignment_name(node):
    # tree-sitter's get_definition_name on an `assignment` node: its first child that is a bare
    # identifier. Children are left, '=', right (or left, ':', type[, '=', right]); `a = b = 1`
    # nests the second assignment as `right`. So: the target when it is a plain name, else the
    # right-hand side when that is a plain name (`x, y = pair` is named "pair"), else None.
    if isinstance(node, ast.Assign):
        first = node.targets[0]
        if isinstance(first, ast.Name):
            return first.id
        if len(node.targets) == 1 and isinstance(node.value, ast.Name):
            return node.value.id
        return None
    if isinstance(node.target, ast.Name):  # AnnAssign: the annotation sits in a `type` node
        return node.target.id
    if isinstance(node.value, ast.Name):
        return node.value.id
    return None


def extract_target_code_or_empty(code, entrypoint=None):
    code = code_extract(code)
    data = code.encode("utf-8")
    try:
        tree = ast.parse(code)
    except (SyntaxError, MemoryError, ValueError, RecursionError):
        return ""  # tree-sitter would still recover fragments from broken code; ast cannot
    starts = _line_starts(data)
    class_names, function_names, variable_names = set(), set(), set()
    import_nodes, definitions = [], []
    for child in tree.body:
        taken = lambda name: name in class_names or name in function_names or name in variable_names
        if isinstance(child, ast.Import) or (isinstance(child, ast.ImportFrom) and child.module != "__future__"):
            # `from __future__ import` is tree-sitter's future_import_statement: not kept
            import_nodes.append(child)
        elif isinstance(child, ast.ClassDef):
            if child.decorator_list:
                continue  # tree-sitter wraps it in decorated_definition: not kept
            if not taken(child.name):
                definitions.append((child.name, child))
                class_names.add(child.name)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if child.decorator_list:
                continue
            if not taken(child.name) and _has_return(child):
                definitions.append((child.name, child))
                function_names.add(child.name)
        elif isinstance(child, (ast.Assign, ast.AnnAssign)):
            name = _assignment_name(child)
            if not taken(name):
                definitions.append((name, child))
                variable_names.add(name)
    if entrypoint:
        deps = {name: _identifiers(node) for name, node in definitions}
        reachable = {entrypoint}
        queue = [entrypoint]
        while queue:
            current = queue.pop(0)
            for neighbour in deps.get(current, ()):
                if neighbour not in reachable:
                    reachable.add(neighbour)
                    queue.append(neighbour)
    out = b""
    for node in import_nodes:
        a, b = _span(node, starts)
        out += data[a:b] + b"\n"
    for name, node in definitions:
        if entrypoint and name not in reachable:
            continue
        a, b = _span(node, starts)
        out += data[a:b] + b"\n"
    return out[:-1].decode("utf-8")


def sanitize(code, entrypoint=None):
    sanitized = extract_target_code_or_empty(code, entrypoint).strip()
    if not sanitized:
        return code_extract(code)
    return sanitized


# ---------------------------------------------------------------- execution helpers (eval/utils.py)
class TimeoutException(Exception):
    pass


class WriteOnlyStringIO(io.StringIO):
    def read(self, *args, **kwargs):
        raise IOError

    def readline(self, *args, **kwargs):
        raise IOError

    def readlines(self, *args, **kwargs):
        raise IOError

    def readable(self, *args, **kwargs):
        return False


class redirect_stdin(contextlib._RedirectStream):
    _stream = "stdin"


@contextlib.contextmanager
def swallow_io():
    stream = WriteOnlyStringIO()
    with contextlib.redirect_stdout(stream):
        with contextlib.redirect_stderr(stream):
            with redirect_stdin(stream):
                yield


@contextlib.contextmanager
def time_limit(seconds):
    # Wall clock, as evalplus (ITIMER_REAL).
    def handler(signum, frame):
        raise TimeoutException("Timed out!")

    signal.setitimer(signal.ITIMER_REAL, seconds)
    signal.signal(signal.SIGALRM, handler)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def reliability_guard(maximum_memory_bytes):
    # evalplus's guard, so code that calls these fails here as it fails there. Not the security
    # boundary: the sandbox is. RLIMIT_AS/DATA are also set by the sandbox; raising a hard limit
    # the sandbox set lower fails, which is fine.
    import resource

    for limit in (resource.RLIMIT_AS, resource.RLIMIT_DATA, resource.RLIMIT_STACK):
        try:
            resource.setrlimit(limit, (maximum_memory_bytes, maximum_memory_bytes))
        except (ValueError, OSError):
            pass
    sandbox_guard.disable_host_functions(null_exit_and_open=True)


# ---------------------------------------------------------------- comparison (eval/__init__.py)
def is_floats(x):
    if isinstance(x, float):
        return True
    if isinstance(x, (list, tuple)) and x:
        return all(isinstance(i, float) for i in x)
    return False


def _poly(xs, x):
    return sum([coeff * math.pow(x, i) for i, coeff in enumerate(xs)])


def _as_array(x):
    # numpy.asanyarray for what the comparison meets: (shape, flat elements). Ragged lists and
    # non-numeric elements are errors (numpy raises, or fails in subtract / abs).
    if isinstance(x, (list, tuple)):
        parts = [_as_array(e) for e in x]
        if parts and any(p[0] != parts[0][0] for p in parts):
            raise ValueError("inhomogeneous shape")
        shape = (len(x),) + (parts[0][0] if parts else ())
        flat = [v for p in parts for v in p[1]]
        return shape, flat
    if isinstance(x, (bool, int, float)):
        return (), [x]
    raise TypeError("not numeric: %s" % type(x).__name__)


def _broadcast_index(shape, out_shape, index):
    # flat index in the broadcast result -> flat index in an operand of `shape`
    coords = []
    for d in reversed(out_shape):
        coords.append(index % d)
        index //= d
    coords.reverse()
    coords = coords[len(out_shape) - len(shape):]
    flat = 0
    for c, d in zip(coords, shape):
        flat = flat * d + (0 if d == 1 else c)
    return flat


def allclose(a, b, rtol, atol):
    # numpy.allclose(a, b, rtol, atol) (equal_nan=False): broadcast, then every element has
    # |a - b| <= atol + rtol * |b| when both are finite, a == b otherwise; computed in float64.
    sa, fa = _as_array(a)
    sb, fb = _as_array(b)
    nd = max(len(sa), len(sb))
    pa = (1,) * (nd - len(sa)) + sa
    pb = (1,) * (nd - len(sb)) + sb
    out_shape = []
    for x, y in zip(pa, pb):
        if x != y and x != 1 and y != 1:
            raise ValueError("shapes do not broadcast")
        out_shape.append(y if x == 1 else x)
    total = 1
    for d in out_shape:
        total *= d
    for k in range(total):
        x = float(fa[_broadcast_index(sa, out_shape, k)])
        y = float(fb[_broadcast_index(sb, out_shape, k)])
        if math.isfinite(x) and math.isfinite(y):
            if not abs(x - y) <= atol + rtol * abs(y):
                return False
        elif not x == y:
            return False
    return True


# ---------------------------------------------------------------- checking (one forked child per set)
def unsafe_execute(entry_point, code, inputs, expected, time_limits, atol, fast_check, memory_bytes):
    # Returns (stat, details) as evalplus's shared Value/Array would hold them.
    details = []
    reliability_guard(memory_bytes)
    exec_globals = {}
    try:
        with swallow_io():
            exec(code, exec_globals)
            fn = exec_globals[entry_point]
        for i, inp in enumerate(inputs):
            try:
                with time_limit(time_limits[i]):
                    with swallow_io():
                        out = fn(*inp)
                exp = expected[i]
                exact_match = out == exp
                if entry_point == "find_zero":  # HumanEval/32's special oracle
                    if not abs(_poly(*inp, out)) <= atol:
                        raise AssertionError
                    details.append(True)
                    continue
                if atol == 0 and is_floats(exp):
                    atol = 1e-6  # kept for the later inputs too, as upstream
                if not exact_match and atol != 0:
                    if type(out) != type(exp):
                        raise AssertionError
                    if isinstance(exp, (list, tuple)) and len(out) != len(exp):
                        raise AssertionError
                    if not allclose(out, exp, rtol=1e-07, atol=atol):
                        raise AssertionError
                elif not exact_match:
                    raise AssertionError
            except BaseException:
                details.append(False)
                if fast_check:
                    raise
                continue
            details.append(True)
        return "success", details
    except BaseException:
        return "failed", details


def untrusted_check(entry_point, code, inputs, expected, time_limits, atol, fast_check, memory_bytes):
    # evalplus runs unsafe_execute in a fresh process and waits join(timeout + 1), where timeout =
    # min(60, sum of limits) + 1 (+ 1 without fast_check); a process that never reported is TIMEOUT.
    timeout = min(60, sum(time_limits)) + 1
    if not fast_check:
        timeout += 1
    r, w = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            stat, details = unsafe_execute(entry_point, code, inputs, expected, time_limits, atol, fast_check,
                                           memory_bytes)
            fail = next((k for k, ok in enumerate(details) if not ok), None)
            msg = json.dumps({"stat": stat, "n": len(details), "all": all(details), "fail": fail}) + "\n"
            data = msg.encode()
            while data:
                data = data[os.write(w, data):]
        finally:
            os._exit(0)
    os.close(w)
    buf = b""
    deadline = start + timeout + 1
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([r], [], [], left)
        if not ready:
            break
        chunk = os.read(r, 65536)
        if not chunk:
            break
        buf += chunk
    os.close(r)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    seconds = time.monotonic() - start
    lines = [line for line in buf.split(b"\n") if line.strip()]
    try:
        res = json.loads(lines[-1])
    except (IndexError, ValueError):
        res = None
    if res is None or res.get("stat") not in ("success", "failed"):
        return {"status": "timeout", "n_done": 0, "seconds": seconds}
    status = "pass" if res["stat"] == "success" else "fail"
    if status == "pass" and (res["n"] != len(inputs) or not res["all"]):
        status = "fail"
    out = {"status": status, "n_done": res["n"], "seconds": seconds}
    if res.get("fail") is not None:
        out["fail_index"] = res["fail"]
    return out


# ---------------------------------------------------------------- modes
def trusted_exec(code, inputs, entry_point):
    # gen/util trusted_exec(record_time=True): a fresh exec per call, deep-copied inputs, wall time.
    exec_globals = {}
    exec(code, exec_globals)
    fn = exec_globals[entry_point]
    rtime, ret = [], []
    for inp in inputs:
        inp = deepcopy(inp)
        start = time.time()
        ret.append(fn(*inp))
        rtime.append(time.time() - start)
    return ret, rtime


def pack(values):
    # zlib: some outputs are huge and repetitive (HumanEval/15's digit strings: ~150 MB raw).
    return base64.b64encode(zlib.compress(pickle.dumps(values, protocol=4), 6)).decode("ascii")


def unpack(text):
    return pickle.loads(zlib.decompress(base64.b64decode(text)))


def read(folder, name):
    with open(os.path.join(folder, name), "r", encoding="utf-8") as f:
        return f.read()


def main():
    mode, folder = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "/input")
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    if mode == "version":
        emit({"python": sys.version})
    elif mode == "groundtruth":
        problem = json.loads(read(folder, "problem.json"))
        code = problem["prompt"] + problem["canonical_solution"]
        result = {"task_id": problem["task_id"], "python": sys.version}
        for name in ("base", "plus"):
            outputs, times = trusted_exec(code, problem[name + "_input"], problem["entry_point"])
            result[name] = pack(outputs)
            result[name + "_time"] = times
        emit(result)
    elif mode == "sanitize":
        config = json.loads(read(folder, "config.json"))
        emit({"sanitized": sanitize(read(folder, "response.txt"), config.get("entry_point"))})
    elif mode == "check":
        config = json.loads(read(folder, "config.json"))
        problem = json.loads(read(folder, "problem.json"))
        entry_point = problem["entry_point"]
        code = sanitize(read(folder, "response.txt"), entry_point)
        result = {"sanitized": code}
        for s in config["sets"]:
            name = s["name"]
            result[name] = untrusted_check(entry_point, code, problem[name + "_input"], unpack(s["expected"]),
                                           s["time_limits"], problem["atol"], config.get("fast_check", True),
                                           config["memory_bytes"])
        emit(result)
    else:
        raise SystemExit("unknown mode " + mode)


if __name__ == "__main__":
    main()
