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
# The write phase (plan entries whose phase is "write-dbus" or
# "write-sock"): instead of subscribing, the central writes one value (on
# the socket path: then waits until the peripheral says bluetoothd holds
# the socket, as tests/sandbox/scenarios/42-acquire-write does), then
# streams Write Commands of 20 bytes until the end of the counted
# interval: into a socket from its own bluetoothd (AcquireWrite on the
# central's side; --write-central sock, the default), or with bleak
# (WriteValue type "command", --write-window calls in flight;
# --write-central dbus). The writes/s are what the peripheral counted (it
# prints its counters on SIGUSR1), next to what the central's bluetoothd
# accepted and the CPU of every process involved.
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
import signal
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


def guest_cpu_s():
    """(busy, all) CPU seconds of the whole guest, every vCPU (/proc/stat)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)        # idle + iowait
    return (sum(v[:8]) - idle) / TICK, sum(v[:8]) / TICK


def sample(app_pid):
    busy, total = guest_cpu_s()
    return {
        "t": time.monotonic(),
        "app_cpu": cpu_s(app_pid),
        "btd_cpu": sum(cpu_s(p) for p in pids_of("bluetoothd")),
        "daemon_cpu": sum(cpu_s(p) for p in pids_of("dbus-daemon")),
        "btvirt_cpu": sum(cpu_s(p) for p in pids_of("btvirt")),
        "central_cpu": cpu_s(os.getpid()),
        "guest_busy": busy, "guest_total": total,
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
        self.counts = []             # "COUNT ..." lines (write phase), parsed
        self.write_acquired = threading.Event()
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
            if line.startswith("COUNT "):
                self.counts.append(parse_counters(line))
            if line == "write-acquired":
                self.write_acquired.set()
            if line == "advertising" and self.t_adv is None:
                self.t_adv = time.monotonic()
                self.advertising.set()

    async def counters(self, timeout=10.0):
        """The peripheral's write counters now (SIGUSR1, then its COUNT line)."""
        n = len(self.counts)
        self.proc.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + timeout
        while len(self.counts) <= n:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("no COUNT line from the peripheral")
            await asyncio.sleep(0.01)
        return self.counts[n]

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


def parse_counters(line):
    """'COUNT t=US writes=N ...' -> {"t": seconds, "writes": N, ...}"""
    d = dict(kv.split("=", 1) for kv in line.split()[1:])
    out = {k: int(v) for k, v in d.items()}
    out["t"] = out["t"] / 1e6
    return out


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


async def measure_notifications(c, p, char, args, res):
    """Subscribes and counts notifications at the central."""
    count = [0]

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
    n = n1 - n0
    dt = s1["t"] - s0["t"]
    res.update({
        "ok": n > 0, "notifications": n, "seconds": dt, "per_second": n / dt if dt > 0 else 0,
        "app_cpu_us_per_notif": (s1["app_cpu"] - s0["app_cpu"]) * 1e6 / n if n else None,
        "btd_cpu_us_per_notif": (s1["btd_cpu"] - s0["btd_cpu"]) * 1e6 / n if n else None,
        "app_cpu_pct": (s1["app_cpu"] - s0["app_cpu"]) * 100 / dt if dt > 0 else None,
        "start": s0, "end": s1, "dbus_ms": lat,
    })


async def central_acquire_write(char):
    """AcquireWrite on the central's bluetoothd: (fd, mtu)."""
    from dbus_fast import BusType, Message, MessageType
    from dbus_fast.aio import MessageBus
    bus = await MessageBus(bus_type=BusType.SYSTEM, negotiate_unix_fd=True).connect()
    reply = None
    try:
        reply = await bus.call(Message(destination="org.bluez", path=char.path,
                                       interface="org.bluez.GattCharacteristic1", member="AcquireWrite",
                                       signature="a{sv}", body=[{}]))
        if reply.message_type == MessageType.ERROR:
            raise RuntimeError("central AcquireWrite: %s %s" % (reply.error_name, reply.body))
        return os.dup(reply.unix_fds[reply.body[0]]), reply.body[1]
    finally:
        for fd in getattr(reply, "unix_fds", []) or []:
            with contextlib.suppress(OSError):
                os.close(fd)
        bus.disconnect()


def seq_value(seq):
    """A 20-byte value (MTU 23 - 3): the 4-byte sequence number, then zeros."""
    return (seq & 0xFFFFFFFF).to_bytes(4, "little") + bytes(16)


async def measure_writes(c, p, char, phase, args, res):
    """Streams Write Commands; the peripheral counts what it stored."""
    # The first write makes bluetoothd acquire the socket (socket path);
    # nothing else until it holds it (docs/notifications.md: the writes of
    # that round trip can arrive with the wrong bytes). Both paths get it.
    await c.write(char, seq_value(0), response=False)
    await asyncio.sleep(1.0)
    if phase == "write-sock":
        if not await asyncio.get_running_loop().run_in_executor(None, p.write_acquired.wait, 20):
            raise RuntimeError("bluetoothd did not acquire the write socket after the first write")
    sent = [0, 0]                # accepted by the central's bluetoothd, failed
    stop = asyncio.Event()
    errors = []

    async def one(seq):
        try:
            await c.client.write_gatt_char(char, seq_value(seq), response=False)
            sent[0] += 1
        except Exception as e:
            sent[1] += 1
            if len(errors) < 3:
                errors.append("%s: %s" % (type(e).__name__, e))

    async def stream_socket(fd):
        # The central's own AcquireWrite socket: one datagram per Write
        # Command, no D-Bus call per write; a full socket waits for POLLOUT.
        loop = asyncio.get_running_loop()
        seq = 1
        try:
            while not stop.is_set():
                for _ in range(64):
                    try:
                        os.write(fd, seq_value(seq))
                    except BlockingIOError:
                        writable = loop.create_future()
                        loop.add_writer(fd, lambda: writable.done() or writable.set_result(None))
                        try:
                            await asyncio.wait_for(writable, 1.0)
                        except asyncio.TimeoutError:
                            pass
                        finally:
                            loop.remove_writer(fd)
                        break
                    sent[0] += 1
                    seq += 1
                await asyncio.sleep(0)
        finally:
            os.close(fd)
        return seq - 1

    async def stream():
        # Tasks start in creation order, so the calls leave in sequence.
        seq, pending = 1, set()
        while not stop.is_set():
            while len(pending) < args.write_window:
                pending.add(asyncio.ensure_future(one(seq)))
                seq += 1
            _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        if pending:
            await asyncio.wait(pending)
        return seq - 1

    if args.write_central == "sock":
        fd, res["central_mtu"] = await central_acquire_write(char)
        os.set_blocking(fd, False)
        streamer = asyncio.ensure_future(stream_socket(fd))
    else:
        streamer = asyncio.ensure_future(stream())
    await asyncio.sleep(args.warmup)
    k0, s0, m0 = await p.counters(), sample(p.proc.pid), sent[0]
    # The D-Bus probe runs beside the interval, which stays --duration
    # long even when bluetoothd answers late (a Get still unanswered at
    # the end counts with the time it had waited: a lower bound).
    lat = []

    async def probe():
        while True:
            await asyncio.sleep(args.duration / 5)
            t = time.monotonic()
            try:
                lat.append(await dbus_latency_ms(c))
            except asyncio.CancelledError:
                lat.append((time.monotonic() - t) * 1000.0)
                raise

    prober = asyncio.ensure_future(probe())
    await asyncio.sleep(args.duration)
    k1, s1, m1 = await p.counters(), sample(p.proc.pid), sent[0]
    prober.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await prober
    stop.set()
    last_seq = await asyncio.wait_for(streamer, 30)
    # What is still on its way: until the count stands still for 1 s (10 s at most).
    k2 = await p.counters()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        await asyncio.sleep(1.0)
        k = await p.counters()
        if k["writes"] == k2["writes"]:
            break
        k2 = k
    n = k1["writes"] - k0["writes"]
    dt = k1["t"] - k0["t"]                   # the peripheral's clock
    ds = s1["t"] - s0["t"]
    res.update({
        "ok": n > 0, "writes": n, "seconds": dt, "per_second": n / dt if dt > 0 else 0,
        "central_per_second": (m1 - m0) / ds if ds > 0 else 0,
        "app_cpu_us_per_write": (s1["app_cpu"] - s0["app_cpu"]) * 1e6 / n if n else None,
        "btd_cpu_us_per_write": (s1["btd_cpu"] - s0["btd_cpu"]) * 1e6 / n if n else None,
        "daemon_cpu_us_per_write": (s1["daemon_cpu"] - s0["daemon_cpu"]) * 1e6 / n if n else None,
        # CPU % of one core over the counted interval; the guest's of all
        # its vCPUs (100 = every vCPU busy)
        **{"%s_cpu_pct" % k: (s1["%s_cpu" % k] - s0["%s_cpu" % k]) * 100 / ds if ds > 0 else None
           for k in ("app", "btd", "daemon", "btvirt", "central")},
        "guest_busy_pct": ((s1["guest_busy"] - s0["guest_busy"]) * 100
                           / max(s1["guest_total"] - s0["guest_total"], 1e-9)),
        # Over the whole stream (after the first write): what the central's
        # bluetoothd accepted, what the peripheral stored once its count
        # stood still.
        "stream_sent": sent[0], "stream_failed": sent[1], "stream_errors": errors,
        "stream_last_seq": last_seq,
        "stream_received": k2["writes"] - 1, "counters_start": k0, "counters_end": k1,
        "counters_final": k2,
        "start": s0, "end": s1, "dbus_ms": lat,
    })


async def one_run(key, cmd, phase, args, logdir, round_no):
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

                if phase == "notify":
                    await measure_notifications(c, p, char, args, res)
                else:
                    await measure_writes(c, p, char, phase, args, res)
                await c.disconnect()
                await forget_devices(c)
        except Exception as e:  # a failed run is recorded, the others go on
            res["ok"] = False
            res["error"] = "%s: %s" % (type(e).__name__, e)
        finally:
            res["stats"] = p.stop()
    return res


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plan", required=True,
                    help="JSON: [[key, [cmd...], phase], ...]; phase: notify, write-dbus or write-sock")
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--write-window", type=int, default=16,
                    help="write phase: the central's WriteValue calls in flight")
    ap.add_argument("--write-central", choices=("dbus", "sock"), default="sock",
                    help="write phase: the central writes with bleak (WriteValue per write) "
                    "or into its own bluetoothd's AcquireWrite socket")
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
        for key, cmd, phase in order:
            try:
                res = await asyncio.wait_for(one_run(key, cmd, phase, args, logdir, r), args.duration + 180)
            except asyncio.TimeoutError:
                res = {"key": key, "round": r, "ok": False, "error": "run timed out"}
            with open("/proc/loadavg") as f:
                res["guest_load"] = f.read().split()[0]
            log("round %d %-14s %s%s" % (r, key, "%.0f/s adv %.2fs" % (res["per_second"], res["adv_s"])
                                          if res.get("ok") else "FAILED: %s" % res.get("error"),
                                          " (central sent %.0f/s, CPU %.0f %%)"
                                          % (res["central_per_second"], res["central_cpu_pct"])
                                          if res.get("ok") and "central_per_second" in res else ""))
            with open(args.out, "a") as f:
                f.write(json.dumps(res) + "\n")
            await asyncio.sleep(1.0)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
