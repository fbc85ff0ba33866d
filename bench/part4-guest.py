#!/usr/bin/python3
# part4-guest.py: bench Part 4, the side that runs INSIDE the sandbox guest
# (tests/sandbox/gp-sandbox run): bluetoothd (no -d) and the virtual
# controllers are up; this script is the central (bleak, on hci1) and the
# conductor. For each round it starts every peripheral once, in a shuffled
# order, on hci0:
#   exec -> "advertising" on its stdout (bluetoothd accepted the advert),
#   scan + connect + subscribe, a warm-up, then for --duration seconds:
#   notifications counted at the central, the peripheral's and bluetoothd's
#   CPU (/proc/PID/stat utime+stime), RSS of the peripheral, dbus-daemon and
#   bluetoothd at the start and the end, and the latency of a D-Bus call to
#   bluetoothd during the flood (a starved bluetoothd answers late);
#   then unsubscribe (timed), disconnect, SIGTERM.
# One JSON object per run is appended to --out. The host side (part4.py)
# makes the tables. Nothing here asserts on speed.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import asyncio
import contextlib
import json
import os
import random
import subprocess
import threading
import time

import gpcentral

NAME = "gp-bench"
SERVICE = "6e400001-0000-4000-8000-00805f9b34fb"
CHAR = "6e400002-0000-4000-8000-00805f9b34fb"
TICK = os.sysconf("SC_CLK_TCK")


def log(*a):
    gpcentral.log(*a)


def pids_of(comm):
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            with contextlib.suppress(OSError):
                with open("/proc/%s/comm" % p) as f:
                    if f.read().strip() == comm:
                        out.append(int(p))
    return out


def rss_kb(pid):
    with contextlib.suppress(OSError):
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    return 0


def cpu_s(pid):
    """utime + stime of a process (all its threads), in seconds."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    return 0.0


def sample(app_pid):
    return {
        "t": time.monotonic(),
        "app_cpu": cpu_s(app_pid),
        "btd_cpu": sum(cpu_s(p) for p in pids_of("bluetoothd")),
        "app_rss": rss_kb(app_pid),
        "daemon_rss": sum(rss_kb(p) for p in pids_of("dbus-daemon")),
        "btd_rss": sum(rss_kb(p) for p in pids_of("bluetoothd")),
    }


class Peripheral:
    """A peripheral process; a thread reads its stdout lines."""

    def __init__(self, cmd, logf):
        self.lines = []
        self.advertising = threading.Event()
        self.t_adv = None
        self.marks = {}              # start-up marks, seconds after exec
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=logf, text=True,
                                     start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            line = line.strip()
            self.lines.append(line)
            if line.startswith("mark "):
                # "mark WHAT MICROSECONDS" on CLOCK_MONOTONIC, as time.monotonic()
                _, what, us = line.split()
                self.marks[what] = int(us) / 1e6 - self.t0
            if line == "advertising" and self.t_adv is None:
                self.t_adv = time.monotonic()
                self.advertising.set()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        time.sleep(0.1)
        return [l for l in self.lines if l.startswith("STATS")]


async def dbus_latency_ms(c):
    """One D-Bus round trip to bluetoothd (a property read)."""
    t = time.monotonic()
    await c.bluez_call("/org/bluez/" + os.environ.get("GP_SANDBOX_PERIPHERAL_ADAPTER", "hci0"),
                       "org.freedesktop.DBus.Properties", "Get", "ss", ["org.bluez.Adapter1", "Address"])
    return (time.monotonic() - t) * 1000.0


async def forget_devices(c):
    """Removes every device the central's adapter knows. bluetoothd caches
    a peer's GATT database even unbonded ([GATT] Cache = always), and every
    peripheral here has the same address but not the same handles: with a
    stale cache, bleak lists half the services."""
    adapter = "/org/bluez/" + c.adapter
    body = await c.bluez_call("/", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects")
    for path, ifaces in body[0].items():
        if path.startswith(adapter + "/dev_") and "org.bluez.Device1" in ifaces:
            with contextlib.suppress(Exception):
                await c.bluez_call(adapter, "org.bluez.Adapter1", "RemoveDevice", "o", [path])


async def one_run(key, cmd, args, logdir, round_no):
    res = {"key": key, "round": round_no, "ok": False}
    with open(os.path.join(logdir, "%s-%d.log" % (key, round_no)), "w") as logf:
        p = Peripheral(cmd, logf)
        try:
            if not await asyncio.get_running_loop().run_in_executor(None, p.advertising.wait, 30):
                res["error"] = "not advertising after 30 s (exit %s)" % p.proc.poll()
                return res
            res["adv_s"] = p.t_adv - p.t0
            # exec -> main(), -> first registration call, in seconds
            res.update({"mark_%s_s" % k: v for k, v in p.marks.items()})
            count = [0]
            async with gpcentral.Central(timeout=30) as c:
                for attempt in range(3):
                    # bleak on 5.66 can fail to list the services right
                    # after connecting (see scenario 19): connect again.
                    try:
                        await forget_devices(c)
                        await c.connect(name=NAME, service=SERVICE)
                        char = c.characteristic(CHAR)
                        break
                    except Exception as e:
                        if attempt == 2:
                            raise
                        log("%s: connect: %s: %s; again" % (key, type(e).__name__, e))
                        await c.disconnect()
                        await asyncio.sleep(1.0)
                res["connect_attempts"] = attempt + 1

                def on_value(_c, _data):
                    count[0] += 1

                await c.client.start_notify(char, on_value)
                await asyncio.sleep(args.warmup)
                n0, s0 = count[0], sample(p.proc.pid)
                lat = []
                steps = 5
                for _ in range(steps):
                    await asyncio.sleep(args.duration / steps)
                    lat.append(await dbus_latency_ms(c))
                n1, s1 = count[0], sample(p.proc.pid)
                t = time.monotonic()
                await asyncio.wait_for(c.client.stop_notify(char), 30)
                res["unsubscribe_s"] = time.monotonic() - t
                await c.disconnect()
                await forget_devices(c)
            n = n1 - n0
            dt = s1["t"] - s0["t"]
            res.update({
                "ok": n > 0, "notifications": n, "seconds": dt, "per_second": n / dt if dt > 0 else 0,
                "app_cpu_us_per_notif": (s1["app_cpu"] - s0["app_cpu"]) * 1e6 / n if n else None,
                "btd_cpu_us_per_notif": (s1["btd_cpu"] - s0["btd_cpu"]) * 1e6 / n if n else None,
                "app_cpu_pct": (s1["app_cpu"] - s0["app_cpu"]) * 100 / dt if dt > 0 else None,
                "start": s0, "end": s1, "dbus_ms": lat,
            })
        except Exception as e:  # a failed run is recorded, the others go on
            res["error"] = "%s: %s" % (type(e).__name__, e)
        finally:
            res["stats"] = p.stop()
    return res


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plan", required=True, help="JSON: [[key, [cmd...]], ...]")
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    with open(args.plan) as f:
        plan = json.load(f)
    rng = random.Random(args.seed)
    logdir = os.path.join(os.path.dirname(os.path.abspath(args.out)), "logs")
    os.makedirs(logdir, exist_ok=True)
    with open("/proc/loadavg") as f:
        log("guest load:", f.read().strip())
    for r in range(args.runs):
        order = list(plan)
        rng.shuffle(order)
        for key, cmd in order:
            try:
                res = await asyncio.wait_for(one_run(key, cmd, args, logdir, r), args.duration + 180)
            except asyncio.TimeoutError:
                res = {"key": key, "round": r, "ok": False, "error": "run timed out"}
            with open("/proc/loadavg") as f:
                res["guest_load"] = f.read().split()[0]
            log("round %d %-14s %s" % (r, key, "%.0f/s adv %.2fs" % (res["per_second"], res["adv_s"])
                                        if res.get("ok") else "FAILED: %s" % res.get("error")))
            with open(args.out, "a") as f:
                f.write(json.dumps(res) + "\n")
            await asyncio.sleep(1.0)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
