#!/usr/bin/python3
import subprocess

import gpcentral
from gpcentral import log
import gpscenario as g

HRM, LOCATION = "2a37", "2a38"


def bus(*args, user=None):
    cmd = ["dbus-send", "--system", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus"]
    if user:
        cmd = ["setpriv", "--reuid=%d" % user, "--regid=%d" % user, "--clear-groups", "--"] + cmd
    return subprocess.run(cmd + list(args), capture_output=True, text=True)


def proc_status(pid):
    with open("/proc/%d/status" % pid) as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


async def main():
    # The bus is the strict one: a plain user may not own a name.
    res = bus("org.freedesktop.DBus.RequestName", "string:org.gattperiph.Test", "uint32:0", user=65534)
    g.expect(res.returncode != 0 and "AccessDenied" in res.stderr,
             "the system bus is not running Debian's policy: %s %s" % (res.stdout, res.stderr))
    pids = g.pids_of("heart-rate")
    g.expect(len(pids) == 1, "heart-rate processes: %s" % pids)
    st = proc_status(pids[0])
    uid, gid = int(st["Uid"].split()[0]), int(st["Gid"].split()[0])
    groups = st["Groups"].split()
    bt_gid = subprocess.run(["getent", "group", "bluetooth"], capture_output=True, text=True).stdout.split(":")[2]
    log("peripheral pid %d: uid %d gid %d groups %s, CapEff %s, NoNewPrivs %s" % (
        pids[0], uid, gid, groups, st["CapEff"], st["NoNewPrivs"]))
    g.expect(uid != 0 and gid != 0, "the peripheral runs as root")
    g.expect(bt_gid in groups, "not in group bluetooth (%s)" % bt_gid)
    g.expect(int(st["CapEff"], 16) == 0 and st["NoNewPrivs"] == "1", "capabilities or privileges left")
    async with gpcentral.Central() as c:
        await c.connect(name="Heart Monitor")
        location = await c.read(LOCATION)
        log("body sensor location: %s" % gpcentral.fmt_value(location))
        g.expect(len(location) == 1, "location %r" % location)
        await c.subscribe(HRM)
        values = await c.wait_notifications(HRM, 2, timeout=30)
        log("heart rate notifications: %s" % [gpcentral.fmt_value(v) for v in values])
        g.expect(all(len(v) >= 2 for v in values), "heart rate values %s" % values)
    log("RESULT registered, advertised, read and notified as uid %d in group bluetooth on Debian's bus policy" % uid)
    log("PASS")
    return 0


gpcentral.run(main)
