"""Shared by the scenarios that drive gp-scenario-peripheral (the
libgattperiph peripheral in tests/sandbox/peripherals/)."""
import asyncio
import json
import os
import time

import gpcentral

NAME = "gp-scenario"


def U(n):
    return "c0de%04x-7000-4000-8000-000000000000" % n


SERVICE = U(0x0000)
STATIC, LONG, DEFERRED, ATT_ERROR = U(1), U(2), U(3), U(4)
WRITE, WRITE_NO_RSP, LONG_WRITE, REJECT = U(5), U(6), U(7), U(8)
NOTIFY, CONTROL, STATUS, INDICATE = U(9), U(0xA), U(0xB), U(0xC)
DESCRIBED, CUSTOM_DESC, ENCRYPTED, NOTIFY_FD = U(0xD), U(0xE), U(0xF), U(0x10)
# the registration status of the application, advertisement and agent (JSON;
# scenarios 50-55)
REGISTRATION = U(0x11)
SECONDARY, SECONDARY_CHR = U(0x100), U(0x101)
INCLUDER, INCLUDER_CHR = U(0x200), U(0x201)
PATTERN = bytes((i * 7 + 3) % 256 for i in range(300))


def peripheral():
    return os.path.join(os.environ["GP_BUILD_DIR"], "tests", "sandbox", "gp-scenario-peripheral")


async def status(c):
    return json.loads(await c.read(STATUS))


async def command(c, text):
    await c.write(CONTROL, text.encode(), response=True)


async def wait_status(c, pred, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        st = await status(c)
        if pred(st):
            return st
        if time.monotonic() > deadline:
            raise gpcentral.CentralError("timed out waiting for %s; status %s" % (what, st))
        await asyncio.sleep(0.1)


def counter(value):
    return int.from_bytes(value, "little")


def expect(cond, message):
    if not cond:
        raise gpcentral.CentralError(message)


def pids_of(comm):
    """PIDs whose /proc/PID/comm starts with comm (comm is cut to 15 chars)."""
    out = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open("/proc/%s/comm" % pid) as f:
                    if f.read().strip().startswith(comm[:15]):
                        out.append(int(pid))
            except OSError:
                pass
    return out


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
