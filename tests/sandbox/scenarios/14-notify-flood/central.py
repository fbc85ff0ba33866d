#!/usr/bin/python3
"""Flood: counts notifications, checks they only move forward (the library
coalesces to the newest value, it never reorders), samples RSS of the
peripheral, dbus-daemon and bluetoothd, and times the unsubscription."""
import argparse
import asyncio
import time

import gpcentral
from gpcentral import log
import gpscenario as g

ap = argparse.ArgumentParser()
ap.add_argument("--seconds", type=int, default=30)
ap.add_argument("--command", default="flood")
ap.add_argument("--uuid", default="notify")
args = ap.parse_args()
UUID = g.NOTIFY if args.uuid == "notify" else g.NOTIFY_FD


def rss_all():
    out = {}
    for comm in ("gp-scenario-peripheral", "dbus-daemon", "bluetoothd"):
        pids = g.pids_of(comm)
        out[comm] = sum(g.rss_kb(p) for p in pids)
    return out


async def main():
    async with gpcentral.Central() as c:
        await c.connect(name=g.NAME, service=g.SERVICE)
        await c.subscribe(UUID)
        await asyncio.sleep(0.5)
        await g.command(c, "%s %d" % (args.command, args.seconds))
        samples = []
        start = time.monotonic()
        while time.monotonic() - start < args.seconds:
            await asyncio.sleep(2)
            n = len(c.notifications.get(UUID, []))
            samples.append((time.monotonic() - start, n, rss_all()))
            log("t=%4.1fs notifications=%6d rss_kb=%s" % samples[-1])
        values = [g.counter(v) for _, v in c.notifications.get(UUID, [])]
        g.expect(len(values) > 100, "only %d notifications" % len(values))
        back = [i for i in range(1, len(values)) if values[i] <= values[i - 1]]
        g.expect(not back, "values went backwards %d times, first at #%s: %s" % (
            len(back), back[0] if back else "-",
            values[max(0, back[0] - 3):back[0] + 3] if back else []))
        t = time.monotonic()
        await c.unsubscribe(UUID)
        unsub = time.monotonic() - t
        log("unsubscribed in %.2f s" % unsub)
        g.expect(unsub < 5.0, "unsubscribing took %.1f s" % unsub)
        st = await g.status(c)
        log("peripheral status:", st)
        rate = len(values) / (samples[-1][0] if samples else args.seconds)
        log("RESULT %s: %d notifications in %d s = %.0f/s; %d values set, %d coalesced" % (
            args.command, len(values), args.seconds, rate, st["flood_sets"], st["coalesced"]))
        # Flat memory: compare the second sample (warmed up) with the last.
        first, last = samples[1][2], samples[-1][2]
        for comm in first:
            growth = last[comm] - first[comm]
            log("%s RSS %d -> %d kB (%+d)" % (comm, first[comm], last[comm], growth))
            g.expect(growth < 4096, "%s grew by %d kB" % (comm, growth))
    log("PASS")
    return 0


gpcentral.run(main)
