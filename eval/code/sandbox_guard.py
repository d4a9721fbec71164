# The reliability_guard of the official code scorers, shared by lfmb's sandbox drivers
# (evalplus_driver.py, lcb_driver.py): evalplus evalplus/eval/utils.py @26d6d00bb1fd and
# LiveCodeBench lcb_runner/evaluation/testing_util.py @28fef95ea8c9 disable the same Python
# functions before a candidate runs, so code that calls them fails here as it fails there. Not the
# security boundary: the sandbox is. Written for lfmb, not copied.
import builtins
import faulthandler
import os
import sys


def disable_host_functions(null_exit_and_open):
    # null_exit_and_open: evalplus also sets builtins.exit and builtins.open to None; LiveCodeBench
    # keeps exit and mocks open per test instead.
    faulthandler.disable()
    if null_exit_and_open:
        builtins.exit = None
        builtins.open = None
    builtins.quit = None
    os.environ["OMP_NUM_THREADS"] = "1"
    for name in ("kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid", "fork", "forkpty",
                 "killpg", "rename", "renames", "truncate", "replace", "unlink", "fchmod", "fchown", "chmod", "chown",
                 "chroot", "lchflags", "lchmod", "lchown", "getcwd", "chdir"):
        setattr(os, name, None)
    import shutil
    import subprocess

    shutil.rmtree = None
    shutil.move = None
    shutil.chown = None
    subprocess.Popen = None
    builtins.help = None
    for name in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        sys.modules[name] = None
