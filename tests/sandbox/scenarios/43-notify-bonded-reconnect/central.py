#!/usr/bin/python3
"""Scenario 43: a bonded central reconnects and subscribes again; which
notification path still reaches it (see the scenario file)."""
import asyncio
import os
import subprocess

import gpcentral
from gpcentral import CentralError, full_uuid, log
import gpscenario as g


def bluez_version():
    out = subprocess.run(["/usr/libexec/bluetooth/bluetoothd", "-v"], capture_output=True, text=True).stdout
    return tuple(int(x) for x in out.strip().split("."))


async def burst(c, uuid, command, n=5, timeout=10.0):
    """Asks for n values on uuid; returns how many arrived within timeout."""
    before = len(c.notifications.get(full_uuid(uuid), []))
    await g.command(c, "%s %d" % (command, n))
    try:
        await c.wait_notifications(uuid, before + n, timeout=timeout)
    except CentralError:
        pass
    return len(c.notifications.get(full_uuid(uuid), [])) - before


async def subscribe_both(c):
    await c.subscribe(g.NOTIFY)
    await c.subscribe(g.NOTIFY_FD)


async def main():
    socket_lost = bluez_version() >= (5, 69)
    async with gpcentral.Central() as c:
        await c.connect(name=g.NAME, service=g.SERVICE)
        await c.register_agent("NoInputNoOutput")
        value = await c.read(g.ENCRYPTED)
        g.expect(value == b"secret after pairing", "encrypted read: %r" % value)
        props = await c.device_props()
        log("central side: Paired %s Bonded %s" % (props.get("Paired"), props.get("Bonded")))
        g.expect(props.get("Bonded"), "not bonded after pairing: %s" % props)
        # The peripheral's side decides (device_is_bonded() in bluetoothd).
        mine = await c.adapter_address(c.adapter)
        peripheral_adapter = os.environ.get("GP_SANDBOX_PERIPHERAL_ADAPTER", "hci0")
        theirs = await c._props("/org/bluez/%s/dev_%s" % (peripheral_adapter, mine.replace(":", "_")))
        log("peripheral side: Paired %s Bonded %s" % (theirs.get("Paired"), theirs.get("Bonded")))
        g.expect(theirs.get("Bonded"), "the peripheral's side is not bonded: %s" % theirs)

        await subscribe_both(c)
        await g.wait_status(c, lambda s: s["notifying"] and s["notifying_fd"], what="both notifying")
        g.expect(await burst(c, g.NOTIFY, "burst") == 5, "signals before the reconnection")
        g.expect(await burst(c, g.NOTIFY_FD, "burst-fd") == 5, "socket before the reconnection")

        await c.disconnect()
        await asyncio.sleep(2.0)
        await c.connect(name=g.NAME, service=g.SERVICE)
        await subscribe_both(c)
        await asyncio.sleep(1.0)
        st = await g.status(c)
        got_signals = await burst(c, g.NOTIFY, "burst")
        got_socket = await burst(c, g.NOTIFY_FD, "burst-fd", timeout=5.0 if socket_lost else 10.0)
        log("after the reconnection: notifying %s, notifying_fd %s; signals got %d of 5, socket got %d of 5"
            % (st["notifying"], st["notifying_fd"], got_signals, got_socket))
        g.expect(st["notifying"] and got_signals == 5, "signal path after the reconnection: %s" % st)
        if socket_lost:
            g.expect(not st["notifying_fd"] and got_socket == 0,
                     "BlueZ >= 5.69 was expected to drop the bonded central's socket for good "
                     "(docs/bluez-quirks.md); it did not: %s, got %d" % (st, got_socket))
            # Unsubscribing and subscribing again brings a socket back.
            await c.unsubscribe(g.NOTIFY_FD)
            await c.subscribe(g.NOTIFY_FD)
            await g.wait_status(c, lambda s: s["notifying_fd"], what="notifying_fd again")
            g.expect(await burst(c, g.NOTIFY_FD, "burst-fd") == 5, "socket after subscribing again")
        else:
            g.expect(st["notifying_fd"] and got_socket == 5, "socket path after the reconnection: %s" % st)
    log("PASS")
    return 0


gpcentral.run(main)
