"""Shared by the reliability scenarios (50-59): restarting bluetoothd and
the virtual controllers under a connected central, reading where the
peripheral's registrations stand, and comparing GATT layouts."""
import asyncio
import json
import os
import statistics
import time

import gpcentral
from gpcentral import log
import gpscenario as g

# gp-scenario-peripheral's registration characteristic: JSON with, for the
# application, the advertisement and the agent, {"state", "reason", "n"
# (times registered), "lost" (times lost), "at" (CLOCK_MONOTONIC µs of the
# last registration), "lost_at"}, plus "pid", "now" and "rss_kb".
REGISTRATION = g.U(0x11)
OBJECTS = ("app", "adv", "agent")


async def registration(c):
    return json.loads(await c.read(REGISTRATION))


async def stackctl(*args, timeout=60):
    """Run guest/stackctl (the sandbox's stop/start of bluetoothd and btvirt)."""
    proc = await asyncio.create_subprocess_exec(os.environ["GP_SANDBOX_STACKCTL"], *args)
    try:
        rc = await asyncio.wait_for(proc.wait(), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        raise gpcentral.CentralError("stackctl %s: no answer in %d s" % (" ".join(args), timeout))
    if rc != 0:
        raise gpcentral.CentralError("stackctl %s failed (%d)" % (" ".join(args), rc))


async def forget_bluez(c):
    """After bluetoothd went away: drop the central's connection objects and
    bleak's cache of BlueZ's objects (bleak watches InterfacesAdded/Removed
    only; a new bluetoothd never removes the old one's objects), so that the
    next connect() scans and connects afresh."""
    from bleak.backends.bluezdbus import manager
    client, c.client = c.client, None
    if client is not None:
        c._closing = True
    old = manager._global_instances.pop(asyncio.get_running_loop(), None)
    bus = getattr(old, "_bus", None)
    if bus is not None:
        bus.disconnect()
    c.notifications.clear()
    c._events.clear()


def layout(c):
    """The GATT database as the central sees it: (uuid, handle) of every
    service, characteristic and descriptor, in handle order."""
    return [(s["uuid"], s["handle"], s["primary"],
             [(ch["uuid"], ch["handle"], tuple(sorted(ch["properties"])),
               [(d["uuid"], d["handle"]) for d in ch["descriptors"]]) for ch in s["characteristics"]])
            for s in c.discover()]


async def connect(c, timeout=60):
    """Connect to gp-scenario-peripheral, retrying the way a user's central
    would when the first attempt meets a stack that is still settling."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            await c.connect(name=g.NAME, service=g.SERVICE, timeout=max(5, deadline - time.monotonic()))
            # bleak may list no characteristic right after connecting when
            # BlueZ resolved the services early: connect once more then
            if any(s["characteristics"] for s in c.discover()):
                return
            log("connected, but no characteristics listed: connecting again")
        except (gpcentral.CentralError, gpcentral.BleakError, asyncio.TimeoutError) as e:
            log("connect failed (%s: %s)" % (type(e).__name__, e))
        await c.disconnect()
        if time.monotonic() > deadline:
            raise gpcentral.CentralError("could not connect within %d s" % timeout)
        await asyncio.sleep(0.5)


async def wait_registered(c, since_n, timeout=30, objects=OBJECTS):
    """Read the registration characteristic until every object in objects
    registered more than since_n[obj] times; returns the JSON."""
    deadline = time.monotonic() + timeout
    while True:
        reg = await registration(c)
        if all(reg[o]["state"] == "registered" and reg[o]["n"] > since_n[o] for o in objects):
            return reg
        if time.monotonic() > deadline:
            raise gpcentral.CentralError("not registered again: %s" % reg)
        await asyncio.sleep(0.2)


def summary(values):
    """'median X s, max Y s' of a list of seconds."""
    if not values:
        return "n/a"
    return "median %.2f s, max %.2f s" % (statistics.median(values), max(values))


def pids_rss(comm):
    return {pid: g.rss_kb(pid) for pid in g.pids_of(comm)}


async def notifications_flow(c, n, what):
    """Subscribe to the notify characteristic, have the peripheral send a
    burst of n values, check they all arrive in order, unsubscribe."""
    await c.subscribe(g.NOTIFY)
    await g.wait_status(c, lambda s: s["notifying"], what="notifying again")
    await g.command(c, "burst %d" % n)
    got = [g.counter(v) for v in await c.wait_notifications(g.NOTIFY, n, timeout=20)]
    g.expect(got[:n] == list(range(n)), "notifications after %s: %s" % (what, got))
    await c.unsubscribe(g.NOTIFY)
