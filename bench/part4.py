# part4.py: bench Part 4, the radio. Imported by bench/run-bench (--part4).
#
# Boots the qemu sandbox of tests/sandbox/ ONCE per BlueZ release (real
# bluetoothd without -d, btvirt controllers, a bleak central on hci1) and
# runs bench/part4-guest.py in it, which starts every peripheral below
# --part4-runs times in shuffled order. Tables: medians (min–max) per
# peripheral, ratios against the C floors of the same run, each next to its
# target (issue 11). Nothing fails on speed.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRCROOT = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"

# key, label, floor key (for ratios), path: pc / fd (notifications), or
# write-dbus / write-sock (the write phase: the central writes, the
# peripheral counts)
PERIPHERALS = [
    ("floor-pc", "C floor, raw GDBus, PropertiesChanged", None, "pc"),
    ("floor-fd", "C floor, raw GDBus, AcquireNotify socket", None, "fd"),
    ("lib-pc-send", "**libgattperiph** PropertiesChanged, send_value_async", "floor-pc", "pc"),
    ("lib-pc-set", "**libgattperiph** PropertiesChanged, set_value spin", "floor-pc", "pc"),
    ("lib-fd-send", "**libgattperiph** AcquireNotify, send_value_async", "floor-fd", "fd"),
    ("lib-fd-set", "**libgattperiph** AcquireNotify, set_value spin", "floor-fd", "fd"),
    ("dbusfast-pc", "dbus_fast (Python), PropertiesChanged, paced as the floor", "floor-pc", "pc"),
    # The start-up before issue 11's start-up work (adapter looked up,
    # then application, then advertisement): not in the default set.
    ("lib-pc-lookup", "**libgattperiph** PropertiesChanged, send_value_async, start-up with --lookup",
     "floor-pc", "pc"),
    # The write phase: Write Commands from the central, over WriteValue or
    # over the AcquireWrite socket. The ratios are socket / D-Bus.
    # The raw GDBus WriteValue floor: not in the default set.
    ("floor-write-dbus", "C floor, raw GDBus, WriteValue on the main loop", None, "write-dbus"),
    ("lib-write-dbus", "**libgattperiph** writes over D-Bus WriteValue", "floor-write-dbus", "write-dbus"),
    ("lib-write-sock", "**libgattperiph** writes over the AcquireWrite socket", "lib-write-dbus", "write-sock"),
]
DEFAULT_PERIPHERALS = [k for k, *_ in PERIPHERALS if k not in ("lib-pc-lookup", "floor-write-dbus")]
TARGET_RATE = {"pc": 1.0, "fd": 1.2}
TARGET_CPU = 1.1
# Issue 11: AcquireWrite writes >= 2x the D-Bus write rate at <= 0.3x its
# CPU per write.
TARGET_WRITE_RATE = 2.0
TARGET_WRITE_CPU = 0.3


def is_write(path):
    return path.startswith("write-")


def log(*a):
    import sys
    print(*a, file=sys.stderr, flush=True)


def commands(builddir, floor_window, lib_window=None):
    b = os.path.join(builddir, "bench")
    lib = os.path.join(b, "gp-bench-radio-lib")
    floor = os.path.join(b, "gp-bench-radio-floor")
    w = ["--window", str(lib_window)] if lib_window else []
    return {
        "floor-pc": [floor, "--path", "pc", "--window", str(floor_window)],
        "floor-fd": [floor, "--path", "fd", "--window", str(floor_window)],
        "lib-pc-send": [lib, "--path", "pc", "--mode", "send"] + w,
        "lib-pc-lookup": [lib, "--path", "pc", "--mode", "send", "--lookup"] + w,
        "lib-pc-set": [lib, "--path", "pc", "--mode", "set"] + w,
        "lib-fd-send": [lib, "--path", "fd", "--mode", "send"] + w,
        "lib-fd-set": [lib, "--path", "fd", "--mode", "set"] + w,
        "floor-write-dbus": [floor, "--path", "write"],
        "lib-write-dbus": [lib, "--write-path", "dbus"],
        "lib-write-sock": [lib, "--write-path", "sock"],
        "dbusfast-pc": [PYTHON, os.path.join(HERE, "gp-bench-radio-dbusfast.py"),
                        "--window", str(floor_window)],
    }


def run_release(args, bluez, workdir):
    """One sandbox boot: every peripheral, --part4-runs rounds. Returns the runs."""
    cmds = commands(args.builddir, args.part4_floor_window, args.part4_lib_window)
    plan = [[k, cmds[k], path if is_write(path) else "notify"]
            for k, _, _, path in PERIPHERALS if k in args.part4_peripherals]
    d = os.path.join(workdir, bluez)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "plan.json"), "w") as f:
        json.dump(plan, f)
    out = os.path.join(d, "runs.jsonl")
    per_run = args.part4_duration + 120         # start, scan, connect, warm-up, teardown (TCG, loaded)
    timeout = int(60 + len(plan) * args.part4_runs * per_run)
    env = dict(os.environ)
    env["GP_BUILD_DIR"] = args.builddir
    env["GP_SOURCE_DIR"] = SRCROOT
    libdir = os.path.join(args.builddir, "libgattperiph")
    env["LD_LIBRARY_PATH"] = libdir + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    env.pop("G_DEBUG", None)
    conf = ["--main-conf", args.part4_main_conf] if args.part4_main_conf else []
    cmd = [os.path.join(SRCROOT, "tests", "sandbox", "gp-sandbox"), "--bluez", bluez, "--no-debug",
           "--timeout", str(timeout), "--share", d] + conf + ["run", "--",
           PYTHON, "-u", os.path.join(HERE, "part4-guest.py"), "--plan", os.path.join(d, "plan.json"),
           "--out", out, "--runs", str(args.part4_runs), "--duration", str(args.part4_duration),
           "--write-window", str(args.part4_write_window), "--write-central", args.part4_write_central]
    log("# part 4: BlueZ %s: %d peripherals × %d runs × %.0f s (sandbox timeout %d s)"
        % (bluez, len(plan), args.part4_runs, args.part4_duration, timeout))
    t0 = time.monotonic()
    p = subprocess.run(cmd, env=env, cwd=d)
    elapsed = time.monotonic() - t0
    runs = []
    if os.path.exists(out):
        with open(out) as f:
            runs = [json.loads(line) for line in f if line.strip()]
    if p.returncode != 0:
        log("# part 4: the sandbox exited with %d (%d runs recorded)" % (p.returncode, len(runs)))
    return {"bluez": bluez, "runs": runs, "elapsed_s": elapsed, "sandbox_status": p.returncode}


def med(values):
    values = [v for v in values if v is not None]
    if not values:
        return None, None, None
    return statistics.median(values), min(values), max(values)


def fmt_mmm(m, digits=0):
    if m[0] is None:
        return "–"
    f = "%." + str(digits) + "f"
    return (f + " (" + f + "–" + f + ")") % m


def fmt(x, digits=0):
    return "–" if x is None else ("%." + str(digits) + "f") % x


def verdict(r, target, higher_is_better=True):
    if r is None:
        return "–"
    ok = r >= target if higher_is_better else r <= target
    return "%.2f× (target %s %.1f×: %s)" % (r, "≥" if higher_is_better else "≤", target, "met" if ok else "**missed**")


def summarise(release):
    by = {}
    for r in release["runs"]:
        by.setdefault(r["key"], []).append(r)
    s = {}
    for key, runs in by.items():
        ok = [r for r in runs if r.get("ok")]
        s[key] = {
            "n": len(ok), "failed": len(runs) - len(ok),
            "errors": sorted({r.get("error", "") for r in runs if not r.get("ok")}),
            "rate": med([r["per_second"] for r in ok]),
            "cpu": med([r.get("app_cpu_us_per_notif", r.get("app_cpu_us_per_write")) for r in ok]),
            "btd_cpu": med([r.get("btd_cpu_us_per_notif", r.get("btd_cpu_us_per_write")) for r in ok]),
            # the write phase
            "central_rate": med([r.get("central_per_second") for r in ok]),
            "daemon_cpu": med([r.get("daemon_cpu_us_per_write") for r in ok]),
            "pct": {k: med([r.get("%s_cpu_pct" % k) for r in ok])
                    for k in ("app", "btd", "daemon", "btvirt", "central")},
            "guest_busy": med([r.get("guest_busy_pct") for r in ok]),
            "stream": [(r.get("stream_sent", 0), r.get("stream_received", 0), r.get("stream_failed", 0))
                       for r in ok if "stream_sent" in r],
            "order": [(r["counters_final"]["gaps"], r["counters_final"]["skipped"],
                       r["counters_final"]["steps_back"]) for r in ok if "counters_final" in r],
            "acquired": [(r["counters_end"]["writes_acquired"] - r["counters_start"]["writes_acquired"],
                          r["writes"]) for r in ok if "counters_end" in r],
            "adv": med([r["adv_s"] * 1000 for r in runs if "adv_s" in r]),
            "to_main": med([r["mark_main_s"] * 1000 for r in runs if "mark_main_s" in r]),
            "to_reg": med([r["mark_registering_s"] * 1000 for r in runs if "mark_registering_s" in r]),
            "unsub": med([r.get("unsubscribe_s") for r in ok]),
            "dbus_ms": med([statistics.median(r["dbus_ms"]) for r in ok if r.get("dbus_ms")]),
            "dbus_ms_max": max([max(r["dbus_ms"]) for r in ok if r.get("dbus_ms")], default=None),
            "rss": {k: (med([r["start"][k] / 1024 for r in ok]), med([r["end"][k] / 1024 for r in ok]))
                    for k in ("app_rss", "daemon_rss", "btd_rss")},
            "growth": {k: max([(r["end"][k] - r["start"][k]) / 1024 for r in ok] or [0])
                       for k in ("app_rss", "daemon_rss", "btd_rss")},
        }
    return s


def tables(release, args):
    s = summarise(release)
    out = []
    out.append("### BlueZ %s (%d runs per peripheral planned, %.0f s counted each%s)\n"
               % (release["bluez"], args.part4_runs, args.part4_duration,
                  ", sandbox %.0f s in all" % release["elapsed_s"] if release["elapsed_s"] else ""))
    notify_keys = [k for k, _, _, path in PERIPHERALS if k in s and not is_write(path)]
    if not notify_keys:
        out += write_tables(s)
        return out + failures(s)
    rows = []
    for key, label, floor, path in PERIPHERALS:
        if key not in notify_keys:
            continue
        r = s[key]
        fr = s.get(floor) if floor else None
        rate_ratio = r["rate"][0] / fr["rate"][0] if fr and fr["rate"][0] and r["rate"][0] else None
        cpu_ratio = r["cpu"][0] / fr["cpu"][0] if fr and fr["cpu"][0] and r["cpu"][0] else None
        def cell(ratio, target, higher_is_better=True):
            if floor is None:
                return "1.00× (floor)"
            if key.startswith("dbusfast"):   # a reference: no target
                return "%.2f×" % ratio if ratio else "–"
            return verdict(ratio, target, higher_is_better)

        rows.append([label + (" (%d failed)" % r["failed"] if r["failed"] else ""),
                     fmt_mmm(r["rate"]), cell(rate_ratio, TARGET_RATE[path]),
                     fmt_mmm(r["cpu"]), cell(cpu_ratio, TARGET_CPU, False),
                     fmt(r["btd_cpu"][0]),
                     fmt_mmm(r["adv"]),
                     ])
    out.append("| peripheral | notifications/s at the central, median (min–max) | vs floor | "
               "app CPU µs/notification | vs floor | bluetoothd CPU µs/notification | exec → advertising ms |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    out += ["| " + " | ".join(row) + " |" for row in rows]
    out.append("")
    rows = []
    for key, label, floor, path in PERIPHERALS:
        if key not in notify_keys:
            continue
        r = s[key]
        cells = [label]
        for k in ("app_rss", "daemon_rss", "btd_rss"):
            a, b = r["rss"][k]
            cells.append("%s → %s (max %+.1f)" % (fmt(a[0], 1), fmt(b[0], 1), r["growth"][k]))
        cells += [fmt(r["dbus_ms"][0], 0) + " (max %s)" % fmt(r["dbus_ms_max"], 0), fmt(r["unsub"][0], 2)]
        rows.append(cells)
    out.append("| peripheral | app RSS MB, start → end | dbus-daemon RSS MB | bluetoothd RSS MB | "
               "D-Bus Get on bluetoothd during the flood, ms median (max) | unsubscribe s |")
    out.append("|---|---:|---:|---:|---:|---:|")
    out += ["| " + " | ".join(row) + " |" for row in rows]
    out.append("")
    # Where exec -> advertising goes: the peripheral prints CLOCK_MONOTONIC
    # marks at main() and when it makes its first registration call.
    rows = []
    for key, label, floor, path in PERIPHERALS:
        if key not in notify_keys or s[key]["to_main"][0] is None:
            continue
        r = s[key]
        main_ms, reg_ms, adv_ms = r["to_main"][0], r["to_reg"][0], r["adv"][0]
        rows.append([label, fmt(main_ms, 0),
                     fmt(reg_ms - main_ms, 0) if reg_ms is not None else "–",
                     fmt(adv_ms - reg_ms, 0) if reg_ms is not None and adv_ms is not None else "–",
                     fmt(adv_ms, 0)])
    if rows:
        out.append("| peripheral | exec → main() ms | main() → first registration call ms | "
                   "→ advertising ms | exec → advertising ms (medians) |")
        out.append("|---|---:|---:|---:|---:|")
        out += ["| " + " | ".join(row) + " |" for row in rows]
        out.append("")
    out += write_tables(s)
    return out + failures(s)


def failures(s):
    errs = ["- %s: %s" % (k, "; ".join(v["errors"])) for k, v in s.items() if v["errors"]]
    return ["Failed runs:\n" + "\n".join(errs) + "\n"] if errs else []


def write_tables(s):
    """The write phase: what the peripheral stored, per path, and the
    socket path against the D-Bus path next to issue 11's targets."""
    keys = [k for k, _, _, path in PERIPHERALS if k in s and is_write(path)]
    if not keys:
        return []
    out = ["#### Writes: Write Commands from the central, counted at the peripheral\n"]
    rows, cpu_rows = [], []
    for key, label, floor, path in PERIPHERALS:
        if key not in keys:
            continue
        r = s[key]
        total = [sum(x[i] for x in r["stream"]) for i in range(3)]      # accepted, stored, failed
        order = [sum(x[i] for x in r["order"]) for i in range(3)]
        acq = [sum(x[i] for x in r["acquired"]) for i in range(2)]
        a, b = r["rss"]["app_rss"]
        label += " (%d failed)" % r["failed"] if r["failed"] else ""
        rows.append([label, fmt_mmm(r["rate"]), fmt_mmm(r["central_rate"]),
                     "%d / %d (%d failed at the central)" % (total[1], total[0], total[2]),
                     "%d / %d" % (order[0], order[2]),
                     "%d of %d" % tuple(acq),
                     "%s → %s (max %+.1f)" % (fmt(a[0], 1), fmt(b[0], 1), r["growth"]["app_rss"]),
                     "%s → %s" % (fmt(r["rss"]["btd_rss"][0][0], 1), fmt(r["rss"]["btd_rss"][1][0], 1)),
                     fmt(r["dbus_ms"][0], 0) + " (max %s)" % fmt(r["dbus_ms_max"], 0)])
        pct = r["pct"]
        cpu_rows.append([label, fmt_mmm(r["cpu"]), fmt_mmm(r["btd_cpu"]), fmt(r["daemon_cpu"][0]),
                         fmt(pct["app"][0]), fmt(pct["btd"][0]), fmt(pct["daemon"][0]),
                         fmt(pct["btvirt"][0]), fmt(pct["central"][0]), fmt(r["guest_busy"][0])])
    out.append("| peripheral | writes/s stored at the peripheral, median (min–max) | "
               "writes/s the central's bluetoothd accepted | stored / accepted, whole streams | "
               "sequence: gaps / steps back | counted while write-acquired | "
               "app RSS MB, start → end | bluetoothd RSS MB | D-Bus Get on bluetoothd, ms median (max) |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    out += ["| " + " | ".join(row) + " |" for row in rows]
    out.append("")
    out.append("| peripheral | app CPU µs/write | bluetoothd CPU µs/write | dbus-daemon CPU µs/write | "
               "app % | bluetoothd % | dbus-daemon % | btvirt % | central % | "
               "guest busy, % of its 2 vCPUs |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    out += ["| " + " | ".join(row) + " |" for row in cpu_rows]
    out.append("")
    d, k = s.get("lib-write-dbus"), s.get("lib-write-sock")
    if d and k and d["rate"][0] and k["rate"][0]:
        rate = k["rate"][0] / d["rate"][0]
        cpu = k["cpu"][0] / d["cpu"][0] if d["cpu"][0] and k["cpu"][0] else None
        btd = k["btd_cpu"][0] / d["btd_cpu"][0] if d["btd_cpu"][0] and k["btd_cpu"][0] else None
        out.append("| AcquireWrite socket / D-Bus WriteValue (medians) | ratio, next to issue 11's target |")
        out.append("|---|---:|")
        out.append("| writes/s stored at the peripheral | %s |" % verdict(rate, TARGET_WRITE_RATE))
        if d["pct"]["app"][0] and k["pct"]["app"][0]:
            out.append("| app CPU %% (no target) | %.2f× |" % (k["pct"]["app"][0] / d["pct"]["app"][0]))
        out.append("| app CPU per write | %s |" % verdict(cpu, TARGET_WRITE_CPU, False))
        out.append("| bluetoothd CPU per write (no target) | %s |" % ("%.2f×" % btd if btd else "–"))
        f = s.get("floor-write-dbus")
        if f and f["rate"][0] and f["cpu"][0] and d["cpu"][0]:
            out.append("| library's D-Bus path / raw GDBus floor: writes/s, app CPU per write (no target) "
                       "| %.2f×, %.2f× |" % (d["rate"][0] / f["rate"][0], d["cpu"][0] / f["cpu"][0]))
        if d["central_rate"][0] and k["central_rate"][0]:
            out.append("| writes/s the central's bluetoothd accepted (no target) | %.2f× |"
                       % (k["central_rate"][0] / d["central_rate"][0]))
        out.append("")
    return out


INTRO = """## Part 4: notifications and writes at a real central (sandbox)

In the qemu sandbox of `tests/sandbox/` (one boot per BlueZ release; real
bluetoothd **without `-d`**, btvirt's virtual LE controllers, default
`main.conf`), each peripheral runs on hci0 and a bleak central on hci1 of
the same guest connects, subscribes, and after a %.0f s warm-up counts the
notifications it receives for %.0f s. Peripherals run %d times each, in a
shuffled order per round; cells are medians (min–max). **CPU** is the
peripheral's utime+stime (`/proc/PID/stat`, 10 ms ticks) over the counted
interval divided by the notifications the central received; bluetoothd's
the same way (it serves both the peripheral and the central here). RSS is
read at the start and the end of the counted interval ("max" is the
largest growth of a single run). The D-Bus column is a `Properties.Get`
on bluetoothd, 5 times during each flood: a bluetoothd starved by its
sockets answers late or never. Exec → advertising: from `exec` to
bluetoothd's answer to `RegisterAdvertisement` (seen by the peripheral).

Peripherals: the **C floors** (bench/gp-bench-radio-floor.c: raw GDBus,
one characteristic, no library) send %d notifications then make one
`Peer.Ping` round trip to bluetoothd, on both paths: an unpaced sender
grows the dbus-daemon without bound on the signal path, and on the socket
path keeps bluetoothd 5.66 in its socket watch so that its D-Bus dispatch
(an idle source) never runs. The **library** (bench/gp-bench-radio-lib.c)
with its defaults, producing as fast as it accepts: `send_value_async`
with 2×window calls in flight, or a `set_value` spin that the library
coalesces. The **dbus_fast** reference
(bench/gp-bench-radio-dbusfast.py) paces like the C floor.

Targets (issue 11): notifications/s ≥ 1.0× the floor on the
PropertiesChanged path and ≥ 1.2× on the AcquireNotify path, CPU per
notification ≤ 1.1× the floor, flat memory. The machine is shared and
qemu runs under TCG: single runs vary by ±35 %%; compare medians.
"""


WRITE_INTRO = """**The write phase** (`lib-write-dbus`, `lib-write-sock`): the
peripheral (bench/gp-bench-radio-lib.c `--write-path dbus|sock`) has one
characteristic with write-without-response and write, `acquire-write` off
or on, no write-request handler (the library stores each write; D-Bus
writes on GDBus's I/O thread), and counts the writes it stores with a
`notify::value` handler (one per write, in order, on both paths);
`floor-write-dbus` (not in the default set) is raw GDBus, WriteValue
answered and counted on the main loop (bench/gp-bench-radio-floor.c
`--path write`). The central writes one value and waits 1 s (on the socket path until
bluetoothd holds the socket: the writes of the acquiring round trip can
arrive with other bytes, docs/notifications.md), then streams Write
Commands of 20 bytes, a 4-byte sequence number first, for the warm-up
and the counted %.0f s: %s. **writes/s** is what the peripheral
stored in the counted interval (its counters, on its clock); next to it
what the central's bluetoothd accepted. CPU per write divides each
process's CPU over the interval by the stored writes; the CPU %% columns
(of one core) say who was busy, and "guest busy" whether the guest's
2 vCPUs had anything left (under TCG on a shared host, a guest near
100 %% is the bound). One bluetoothd serves both ends here, so its CPU is
both sides' work, and the central's writes reach the peripheral through
btvirt. "Stored / accepted" covers each whole stream (until the
peripheral's count stood still); gaps and steps back are read from the
sequence numbers (with EATT, bluetoothd's default on 5.66, the central's
bluetoothd spreads Write Commands over several ATT bearers and ATT orders
nothing across them: steps back there are not the library's).
Target (issue 11): AcquireWrite writes ≥ %.0f× the D-Bus write rate at
≤ %.1f× its CPU per write.
"""


def load_release(workdir, bluez):
    """The runs a guest recorded in WORKDIR/BLUEZ (for --part4-report)."""
    with open(os.path.join(workdir, bluez, "runs.jsonl")) as f:
        runs = [json.loads(line) for line in f if line.strip()]
    return {"bluez": bluez, "runs": runs, "elapsed_s": 0.0, "sandbox_status": None}


def part4(args, out, machine_load):
    if args.part4_report:
        releases = [load_release(args.part4_report, b) for b in args.part4_bluez]
        intro(out, args)
        out.append("Tables made from the runs recorded in an earlier invocation.\n")
        for rel in releases:
            out += tables(rel, args)
        return releases
    workdir = tempfile.mkdtemp(prefix="gp-bench-part4-")
    releases = []
    try:
        for bluez in args.part4_bluez:
            releases.append(run_release(args, bluez, workdir))
    finally:
        if args.part4_keep:
            log("# part 4: logs in %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    intro(out, args)
    out.append("Host load (`uptime`) before: %s; after: %s.\n" % (machine_load, _uptime()))
    for rel in releases:
        out += tables(rel, args)
    return releases


def intro(out, args):
    out.append(INTRO % (2.0, args.part4_duration, args.part4_runs, args.part4_floor_window))
    if args.part4_lib_window:
        out.append("The library's notification window is **%d here, not its default** "
                   "(`--part4-lib-window`).\n" % args.part4_lib_window)
    if args.part4_main_conf_text:
        out.append("bluetoothd's `main.conf` **not the default** here (`--part4-main-conf`), with:\n\n```\n%s\n```\n"
                   % args.part4_main_conf_text.strip())
    if any(is_write(path) for k, _, _, path in PERIPHERALS if k in args.part4_peripherals):
        how = ("with bleak (`WriteValue` type \"command\" on its own bluetoothd, %d calls in flight)"
               % args.part4_write_window if args.part4_write_central == "dbus" else
               "into a socket from its own bluetoothd (`AcquireWrite` on the central's side, "
               "`--part4-write-central sock`: no D-Bus call per write at the central)")
        out.append(WRITE_INTRO % (args.part4_duration, how, TARGET_WRITE_RATE, TARGET_WRITE_CPU))


def _uptime():
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def add_arguments(ap):
    ap.add_argument("--part4", action="store_true",
                    help="Part 4 only: notifications at a real central in the qemu sandbox")
    ap.add_argument("--bluez", action="append", dest="part4_bluez", default=None,
                    help="Part 4: BlueZ release(s) to run (5.66, 5.82; repeatable; default 5.66)")
    ap.add_argument("--part4-runs", type=int, default=3)
    ap.add_argument("--part4-duration", type=float, default=60.0)
    ap.add_argument("--part4-floor-window", type=int, default=64)
    ap.add_argument("--part4-lib-window", type=int, default=None,
                    help="the library peripherals' notification window (default: the library's)")
    ap.add_argument("--part4-peripherals", default=",".join(DEFAULT_PERIPHERALS),
                    help="comma-separated: " + ", ".join(k for k, *_ in PERIPHERALS))
    ap.add_argument("--part4-write-window", type=int, default=16,
                    help="write phase: the central's WriteValue calls in flight")
    ap.add_argument("--part4-write-central", choices=("dbus", "sock"), default="sock",
                    help="write phase: the central writes into its own bluetoothd's AcquireWrite "
                    "socket (default), or with bleak (a WriteValue call to its bluetoothd per write)")
    ap.add_argument("--part4-main-conf", metavar="FILE", default=None,
                    help="extra bluetoothd main.conf settings for the sandbox (gp-sandbox --main-conf), "
                    "e.g. [GATT] Channels = 1 for one ATT bearer")
    ap.add_argument("--part4-keep", action="store_true", help="keep the guest's logs")
    ap.add_argument("--part4-report", metavar="DIR", default=None,
                    help="only make the tables from the runs a kept Part 4 work dir holds")


def fix_arguments(args):
    if args.part4_bluez is None:
        args.part4_bluez = ["5.66"]
    args.part4_peripherals = args.part4_peripherals.split(",")
    known = {k for k, *_ in PERIPHERALS}
    unknown = [k for k in args.part4_peripherals if k not in known]
    if unknown:
        raise SystemExit("run-bench: unknown --part4-peripherals %s (known: %s)"
                         % (", ".join(unknown), ", ".join(sorted(known))))
    args.part4_main_conf_text = None
    if args.part4_main_conf:
        args.part4_main_conf = os.path.abspath(args.part4_main_conf)
        with open(args.part4_main_conf) as f:
            args.part4_main_conf_text = f.read()
    if args.quick:
        args.part4_runs, args.part4_duration = 1, 5.0

PROGRAMS = ["gp-bench-radio-lib", "gp-bench-radio-floor"]
