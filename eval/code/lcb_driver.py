# lfmb's LiveCodeBench grader, run by /usr/bin/python3 INSIDE the code sandbox (eval/sandbox), one
# process per (problem, response). Semantics ported from LiveCodeBench/LiveCodeBench 28fef95ea8c9
# lcb_runner/evaluation/testing_util.py (run_test, grade_stdio, grade_call_based, call_method,
# clean_if_name, make_function, compile_code, reliability_guard) and
# compute_code_generation_metrics.py (int max str digits; a crash leaves no result). Written for
# lfmb, not copied.
#
# Input: /input/problem.json {"inputs": [...], "outputs": [...], "fn_name": str|null,
# "timeout": seconds}, /input/code.py (the extracted program); stdin: a nonce, read (and so gone)
# before the program is loaded.
# Output: one line "LCB-RESULT <nonce> <json>" on the original stdout, json = {"results": the
# graded list as LiveCodeBench builds it (true, false, -2, -3, -4), "metadata": {...}}, or
# {"results": null, "crash": "..."} when something escapes the grader (LiveCodeBench then has no
# result and marks every test -1). The program's own writes to fd 1 go to stderr, and without the
# nonce it cannot forge that line.
import ast
import faulthandler
import json
import os
import signal
import sys
import time
from decimal import Decimal
from io import StringIO
from types import ModuleType
from unittest.mock import mock_open, patch

import sandbox_guard  # /input/sandbox_guard.py, beside this file

# The header LiveCodeBench puts before every program (testing_util.import_string).
HEADER = (
    "from string import *\nfrom re import *\nfrom datetime import *\nfrom collections import *\n"
    "from heapq import *\nfrom bisect import *\nfrom copy import *\nfrom math import *\n"
    "from random import *\nfrom statistics import *\nfrom itertools import *\nfrom functools import *\n"
    "from operator import *\nfrom io import *\nfrom sys import *\nfrom json import *\n"
    "from builtins import *\nfrom typing import *\nimport string\nimport re\nimport datetime\n"
    "import collections\nimport heapq\nimport bisect\nimport copy\nimport math\nimport random\n"
    "import statistics\nimport itertools\nimport functools\nimport operator\nimport io\nimport sys\n"
    "import json\nsys.setrecursionlimit(50000)\n"
)


class TimeoutException(Exception):
    pass


def on_alarm(signum, frame):
    print("timeout occured: alarm went off")
    raise TimeoutException


def set_alarm(seconds):
    # signal.alarm(timeout) as LiveCodeBench (whole seconds); 0 cancels.
    signal.setitimer(signal.ITIMER_REAL, seconds)


def shorten(x, length=300):
    s = x if isinstance(x, str) else str(x)
    if len(s) <= length:
        return s
    return s[: length // 2] + "...(truncated) ..." + s[-length // 2 :]


class CapturedStdout(list):
    """sys.stdout swapped for a StringIO whose close() does nothing; the text is appended on exit."""

    def __enter__(self):
        self._saved = sys.stdout
        self._io = StringIO()
        self._io.close = lambda *a: 1
        sys.stdout = self._io
        return self

    def __exit__(self, *exc):
        self.append(self._io.getvalue())
        sys.stdout = self._saved


class FakeStdinBuffer:
    def __init__(self, text):
        self.data = text.encode("utf-8")

    def read(self, *a):
        return self.data

    def readline(self, *a):
        return self.data.split(b"\n")[0] + b"\n"


class FakeStdin:
    """What a stdin program sees as sys.stdin: read() and readlines() give the whole input,
    readline() and iteration go through a StringIO, .buffer gives bytes."""

    def __init__(self, text):
        self.text = text
        self._io = StringIO(text)
        self.buffer = FakeStdinBuffer(text)

    def read(self, *a):
        return self.text

    def readline(self, *a):
        return self._io.readline(*a)

    def readlines(self, *a):
        return self.text.split("\n")

    def __getattr__(self, name):
        return getattr(self._io, name)


def unwrap_main_guard(code):
    # clean_if_name: a last top-level `if __name__ == '__main__':` is replaced by its body.
    try:
        tree = ast.parse(code)
        last = tree.body[-1]
        if isinstance(last, ast.If) and ast.unparse(last.test).strip() == "__name__ == '__main__'":
            code = ast.unparse(tree.body[:-1]) + "\n" + ast.unparse(last.body)
    except:  # noqa: E722 (any failure keeps the code as it is, as LiveCodeBench)
        pass
    return code


def wrap_in_function(code):
    # make_function: imports stay at the top, every other statement goes into wrapped_function().
    try:
        tree = ast.parse(code)
        imports = [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]
        rest = [s for s in tree.body if not isinstance(s, (ast.Import, ast.ImportFrom))]
        fn = ast.FunctionDef(
            name="wrapped_function",
            args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
            body=rest,
            decorator_list=[],
            lineno=-1,
        )
        return HEADER + "\n" + ast.unparse(imports) + "\n" + ast.unparse(fn)
    except Exception:
        return code


def run_with_stdin(fn, text):
    # call_method: the input reaches the program through builtins.open and sys.stdin; the patches
    # are entered in the order LiveCodeBench's decorator stack enters them (innermost first), so
    # the read/readline/readlines patches land on the driver's own stdin and the program sees
    # FakeStdin. SystemExit ends the program quietly.
    if isinstance(text, list):
        text = "\n".join(text)
    lines = iter(text.split("\n"))
    fake = FakeStdin(text)
    with patch("sys.stdin.read", lambda *a: text), patch("sys.stdin.readlines", lambda *a: text.split("\n")), patch(
        "sys.stdin.readline", lambda *a: next(lines)
    ), patch("sys.stdin", fake), patch("builtins.open", mock_open(read_data=text)):
        try:
            return fn()
        except SystemExit:
            pass


def load_program(code, timeout):
    # compile_code: exec into a fresh module under the alarm; LeetCode programs yield Solution().
    set_alarm(timeout)
    try:
        module = ModuleType("tmp_sol", "")
        exec(code, module.__dict__)
        sol = module.Solution() if "class Solution" in code else module
        assert sol is not None
    finally:
        set_alarm(0)
    return sol


def method_of(obj, name):
    try:
        assert hasattr(obj, name)
        return getattr(obj, name)
    except Exception:
        return None


def decimals(line):
    try:
        return True, [Decimal(x) for x in line.split()]
    except:  # noqa: E722
        return False, []


def stripped_lines(text):
    return [l.strip() for l in text.strip().split("\n")]


def test_error(results, e, inputs, expected):
    # A test that raised (both graders): -3 when it was the time limit's exception, else -4.
    code_ = -3 if "timeoutexception" in repr(e).lower() else -4
    results.append(code_)
    return results, {"error": repr(e), "error_code": code_,
                     "error_message": "Time Limit Exceeded" if code_ == -3 else "Runtime Error",
                     "inputs": shorten(inputs), "expected": shorten(expected)}


def grade_functional(code, inputs, outputs, fn_name, timeout):
    sol = load_program(HEADER + "\n\n" + code, timeout)
    if sol is None:
        return None
    method = method_of(sol, fn_name)
    if method is None:
        return None
    args_list = [[json.loads(line) for line in inp.split("\n")] for inp in inputs]
    expected_list = [json.loads(out) for out in outputs]
    results = []
    elapsed = 0.0
    for args, expected in zip(args_list, expected_list):
        set_alarm(timeout)
        faulthandler.enable()
        try:
            start = time.time()
            got = method(*args)
            elapsed += time.time() - start
            set_alarm(0)
            if isinstance(got, tuple):  # tuples count as the lists the answers are
                got = list(got)
            ok = got == expected
            results.append(ok)
            if not ok:
                return results, {"output": shorten(got), "inputs": shorten(args), "expected": shorten(expected),
                                 "error_code": -2, "error_message": "Wrong Answer"}
        except Exception as e:
            set_alarm(0)
            return test_error(results, e, args, expected)
        finally:
            set_alarm(0)
            faulthandler.disable()
    return results, {"execution time": elapsed}


def grade_stdin(code, inputs, outputs, timeout):
    code = wrap_in_function(unwrap_main_guard(code))
    sol = load_program(code, timeout)
    if sol is None:
        return None
    method = method_of(sol, "wrapped_function")
    if method is None:
        return None
    results = []
    elapsed = 0.0
    for inp, expected in zip(inputs, outputs):
        set_alarm(timeout)
        faulthandler.enable()
        with CapturedStdout() as captured:
            try:
                start = time.time()
                run_with_stdin(method, inp)
                elapsed += time.time() - start
                set_alarm(0)
            except Exception as e:
                set_alarm(0)
                return test_error(results, e, inp, expected)
            finally:
                set_alarm(0)
                faulthandler.disable()
        got = captured[0]
        got_lines, want_lines = stripped_lines(got), stripped_lines(expected)
        wrong = {"output": shorten(got), "inputs": shorten(inp), "expected": shorten(expected), "error_code": -2}
        if len(got_lines) != len(want_lines):
            results.append(-2)
            wrong["error_message"] = "Wrong answer: mismatched output length"
            return results, wrong
        for i, (g, w) in enumerate(zip(got_lines, want_lines)):
            wrong["error_message"] = f"Wrong answer at output_line_idx={i}: {shorten(g)} != {shorten(w)}"
            if g == w:
                continue
            ok_g, dec_g = decimals(g)
            if not ok_g:
                results.append(-2)
                return results, wrong
            ok_w, dec_w = decimals(w)
            if not ok_w:
                results.append(-2)
                return results, wrong
            if dec_g == dec_w:
                continue
            results.append(-2)
            return results, wrong
        results.append(True)
    return results, {"execution time": elapsed}


def guard():
    # reliability_guard(None): no memory cap there (the sandbox sets RLIMIT_AS); the same
    # functions disabled, exit kept and open mocked per test.
    sandbox_guard.disable_host_functions(null_exit_and_open=False)


def plain(v):
    # The graded list as compute_code_generation_metrics leaves it: numpy scalars/arrays -> Python.
    if isinstance(v, (bool, int)):
        return v
    try:
        if hasattr(v, "item"):
            v = v.item(0)
        return bool(v)
    except Exception:
        return False


def main():
    nonce = sys.stdin.read().strip()
    with open("/input/problem.json", encoding="utf-8") as f:
        problem = json.load(f)
    with open("/input/code.py", encoding="utf-8") as f:
        code = f.read()
    report = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.set_int_max_str_digits(50000)
    signal.signal(signal.SIGALRM, on_alarm)
    timeout = problem["timeout"]
    out = None
    try:
        guard()
        # run_test: the whole grading under the alarm too; any exception is [-4].
        set_alarm(timeout)
        try:
            if problem.get("fn_name") is None:
                results, meta = grade_stdin(code, problem["inputs"], problem["outputs"], timeout)
            else:
                results, meta = grade_functional(code, problem["inputs"], problem["outputs"], problem["fn_name"], timeout)
        except Exception as e:
            results, meta = [-4], {"error_code": -4, "error_message": f"Error during testing: {e}"}
        finally:
            set_alarm(0)
        out = {"results": [plain(r) for r in results], "metadata": json.loads(json.dumps(meta, default=str))}
    except BaseException as e:  # SystemExit, KeyboardInterrupt, ... escaping the grader: no result
        out = {"results": None, "crash": shorten(repr(e))}
    report.write("LCB-RESULT " + nonce + " " + json.dumps(out) + "\n")
    report.flush()
    os._exit(0)


main()
