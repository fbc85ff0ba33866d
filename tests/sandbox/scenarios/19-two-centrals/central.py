#!/usr/bin/python3
"""Two centrals on hci1 and hci2, in turn: each reads, writes, and
receives notifications; the second sees what the first wrote."""
import gpcentral
from gpcentral import log
import gpscenario as g


async def one(adapter, write, expect_before):
    # bleak could list no characteristic right after connecting: the
    # peripheral's --readvertise timer called UnregisterAdvertisement just
    # as bluetoothd's client finished the central's discovery; answering
    # it flushed gdbus's pending list device first (g_dbus_flush()), so
    # PropertiesChanged(ServicesResolved=true) went out before the
    # characteristics' InterfacesAdded (scenario 41's bluetoothd log,
    # 5.82). gp-scenario-peripheral no longer readvertises while a central
    # is connected, and gpcentral's connect() waits until bleak has every
    # object BlueZ exported (it logs "services settled" when it had to).
    async with gpcentral.Central(adapter) as c:
        await c.connect(name=g.NAME, service=g.SERVICE)
        log(adapter, "connected (scan %.2f s)" % c.timings["scan"])
        c.characteristic(g.STATIC)
        await two(c, adapter, write, expect_before)


async def two(c, adapter, write, expect_before):
    g.expect(await c.read(g.STATIC) == b"hello from libgattperiph", "read on " + adapter)
    before = await c.read(g.WRITE)
    g.expect(before == expect_before, "%s read %r" % (adapter, before))
    await c.write(g.WRITE, write)
    await c.subscribe(g.NOTIFY)
    await g.wait_status(c, lambda s: s["notifying"], what="notifying")
    await g.command(c, "burst 10")
    vals = await c.wait_notifications(g.NOTIFY, 10, timeout=20)
    g.expect([g.counter(v) for v in vals] == list(range(10)), "%s notifications" % adapter)
    await c.unsubscribe(g.NOTIFY)


async def main():
    await one("hci1", b"from hci1", b"initial")
    await one("hci2", b"from hci2", b"from hci1")
    log("PASS")
    return 0


gpcentral.run(main)
