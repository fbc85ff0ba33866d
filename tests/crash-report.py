#!/usr/bin/python3
# crash-report.py -- a test that crashes is reported at once, not at
# meson's timeout
#
# usage: crash-report.py TEST-PROGRAM
#
# Runs TEST-PROGRAM (a GTest program of fixture tests, tests/fake-fixture.c)
# the way meson does, its output on a pipe, with GP_TEST_CRASH=abort and
# GP_TEST_CRASH_AT=2: it aborts in its second fixture, after GTestDBus has
# started its watcher process. Meson reports a test when the pipe closes,
# so the pipe must close within seconds of the crash, not when meson's
# timeout (300 s) kills what still holds it. LIMIT is generous: a bound
# on the harness, not on the code under test.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import signal
import subprocess
import sys
import time

LIMIT = 60


def pipe_holders(fd):
    """The processes that hold the pipe @fd reads from, with what they are."""
    want = "pipe:[%d]" % os.fstat(fd).st_ino
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fds = [n for n in os.listdir("/proc/%s/fd" % pid)
                   if os.readlink("/proc/%s/fd/%s" % (pid, n)) == want]
            if fds and int(pid) != os.getpid():
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
                found.append("pid %s (fds %s): %s" % (pid, ",".join(sorted(fds, key=int)), cmd))
        except OSError:
            pass
    return found

env = dict(os.environ, GP_TEST_CRASH="abort", GP_TEST_CRASH_AT="2")
start = time.monotonic()
proc = subprocess.Popen([sys.argv[1], "--tap"], stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT, env=env, start_new_session=True)
try:
    out, _ = proc.communicate(timeout=LIMIT)
    elapsed = time.monotonic() - start
except subprocess.TimeoutExpired:
    out, elapsed = b"", None
    holders = pipe_holders(proc.stdout.fileno())
finally:
    # Whatever the test left behind (watcher, dbus-daemon, fake BlueZ).
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()

sys.stdout.write(out.decode(errors="replace").replace("\n", "\n# "))
print("\n1..1")
if elapsed is None:
    print(f"not ok 1 - the crash was not reported within {LIMIT} s "
          "(something still holds the test's output open)")
    for h in holders:
        print("# held by " + h)
    sys.exit(1)
if proc.returncode != -signal.SIGABRT or b"crashing on purpose" not in out:
    print(f"not ok 1 - expected an abort on purpose, got exit status {proc.returncode}")
    sys.exit(1)
print(f"ok 1 - a crash in the second fixture was reported after {elapsed:.1f} s")
