#!/usr/bin/python3
"""The clone round trip: `gattperiph serve` the heart-rate profile on hci0;
a bleak central on hci1 records its database and values; `gattperiph
clone` reads it from hci1 into a profile; the clone is served on hci0
instead, and the central finds the same database and values."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "60-gattperiph-profiles"))

import gpcentral  # noqa: E402
from gpcentral import log  # noqa: E402
from gpttool import PROFILES, TOOL, Serve, forget, found  # noqa: E402

NAME = "Heart Monitor"


async def snapshot(c, tag):
    """The database (as gpttool.found) and every readable value."""
    await c.connect(name=NAME)
    services = c.discover()
    db = found(services)       # without what bluetoothd serves itself (GAP, GATT, its PnP ID)
    values = {}
    for s in services:
        for ch in s["characteristics"]:
            if s["uuid"] in db and "read" in ch["properties"]:
                values[(s["uuid"], ch["uuid"])] = await c.read(ch["uuid"])
    log("%s: %s; values %s" % (tag, db, {k[1][4:8]: v.hex() for k, v in values.items()}))
    await c.disconnect()
    return db, values


async def main():
    out = os.environ.get("GP_SANDBOX_OUT", "/tmp")
    clone_path = os.path.join(out, "clone.json")
    async with gpcentral.Central() as c:
        address = await c.adapter_address(os.environ.get("GP_SANDBOX_PERIPHERAL_ADAPTER", "hci0"))
        original = Serve(os.path.join(PROFILES, "heart-rate.json"), tag="original")
        try:
            await original.wait_for("advertising")
            db1, values1 = await snapshot(c, "original")
            await forget(c, address)
            # btvirt's controllers do not always advertise again after a
            # connection (seen on 5.82): serve the original anew, so that
            # the clone's scan finds it.
            await original.stop()
            original = Serve(os.path.join(PROFILES, "heart-rate.json"), tag="original-again")
            await original.wait_for("advertising")
            r = subprocess.run([TOOL, "clone", address, "-o", clone_path, "--adapter", c.adapter],
                               capture_output=True, text=True, timeout=90)
            log("clone: exit %d\n%s%s" % (r.returncode, r.stdout, r.stderr))
            if r.returncode != 0:
                raise gpcentral.CentralError("gattperiph clone failed")
        finally:
            await original.stop()
        await forget(c, address)
        r = subprocess.run([TOOL, "validate", clone_path], capture_output=True, text=True)
        if r.returncode != 0:
            raise gpcentral.CentralError("the clone does not validate:\n" + r.stdout + r.stderr)
        served = Serve(clone_path, tag="clone")
        try:
            await served.wait_for("advertising")
            db2, values2 = await snapshot(c, "clone")
        finally:
            await served.stop()
        if db1 != db2:
            raise gpcentral.CentralError("the clone's database differs:\n %s\n %s" % (db1, db2))
        if values1 != values2:
            raise gpcentral.CentralError("the clone's values differ:\n %s\n %s" % (values1, values2))
        log("same database (%d services) and %d values" % (len(db2), len(values2)))
    log("PASS")
    return 0


gpcentral.run(main)
