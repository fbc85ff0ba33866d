#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The other side of the demo: a central (python3-bleak) that finds the
heart-rate monitor by its advertised name, connects, reads the body sensor
location, subscribes to the Heart Rate Measurement and prints each value as
it arrives, for --seconds. Run by tools/demo inside the sandbox, where
gpcentral (tests/sandbox/central) is on PYTHONPATH."""
import argparse
import asyncio

import gpcentral

HEART_RATE = "0000180d-0000-1000-8000-00805f9b34fb"
MEASUREMENT = "00002a37-0000-1000-8000-00805f9b34fb"
LOCATION = "00002a38-0000-1000-8000-00805f9b34fb"
LOCATIONS = {0: "other", 1: "chest", 2: "wrist", 3: "finger", 4: "hand", 5: "ear lobe", 6: "foot"}


def bpm_of(value):
    """Heart Rate Measurement: flags, then the rate as uint8 or uint16."""
    return value[1] | (value[2] << 8) if value[0] & 0x01 else value[1]


async def main(args):
    async with gpcentral.Central() as c:
        await c.connect(name=args.name)
        gpcentral.log("connected to %r (%s) in %.1f s, ATT MTU %s" % (
            args.name, c.device.address, c.timings["scan"] + c.timings["connect"], c.mtu))
        for s in c.discover():
            gpcentral.log("service %s%s" % (s["uuid"], "" if s["primary"] else " (secondary)"))
            for ch in s["characteristics"]:
                gpcentral.log("    characteristic %s %s" % (ch["uuid"], ",".join(ch["properties"])))
        location = await c.read(LOCATION)
        gpcentral.log("body sensor location: %s" % LOCATIONS.get(location[0], "?"))
        gpcentral.log("heart rate now: %d bpm" % bpm_of(await c.read(MEASUREMENT)))

        def show(_uuid, value):
            bpm = bpm_of(value)
            gpcentral.log("heart rate %3d bpm  %s" % (bpm, "#" * max(0, bpm - 55)))

        await c.subscribe(MEASUREMENT, show)
        await asyncio.sleep(args.seconds)
        await c.unsubscribe(MEASUREMENT)
        got = len(c.notifications.get(MEASUREMENT, []))
        gpcentral.log("unsubscribed after %d notifications" % got)
        return 0 if got > 0 else 1


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--name", default="Heart Monitor")
    ap.add_argument("--seconds", type=float, default=10)
    args = ap.parse_args()
    gpcentral.run(lambda: main(args))
