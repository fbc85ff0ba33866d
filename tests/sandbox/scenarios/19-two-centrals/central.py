#!/usr/bin/python3
"""Two centrals on hci1 and hci2, in turn: each reads, writes, and
receives notifications; the second sees what the first wrote."""
import gpcentral
from gpcentral import log
import gpscenario as g


async def one(adapter, write, expect_before):
    # In full-suite runs (a loaded guest), bleak sometimes lists no
    # characteristic right after connecting although BlueZ's client
    # discovered them. Not the peripheral's doing: every scenario gets a
    # fresh bluetoothd and an empty /var/lib/bluetooth (no client cache),
    # and the app is registered once. Read in BlueZ's source (5.66 and
    # 5.82 alike), the likely cause is the order of BlueZ's own signals:
    # gatt_client_ready_cb() first adds the services to the device (UUIDs
    # changes: the device object is queued in gdbus's pending list), then
    # registers the GattService1/GattCharacteristic1 objects (queued after
    # it), then sets ServicesResolved. Idle processing emits them in the
    # right order, but any message bluetoothd sends before those idles run
    # flushes the pending list in list order (g_dbus_flush()), device
    # first: PropertiesChanged(ServicesResolved=true) then goes out before
    # the InterfacesAdded of the characteristics. One bluetoothd serves the
    # peripheral's adapter too, so such a message (a call to the
    # peripheral app) is likely while both sides are busy. bleak builds
    # its service collection when it sees ServicesResolved, so it then
    # lacks them. (The Connect() reply of LE is sent earlier, at ATT
    # connection, so it is not that message.) Not proven with a trace
    # yet: connect once more rather than fail on the central's view, and
    # say so.
    for attempt in (1, 2):
        async with gpcentral.Central(adapter) as c:
            await c.connect(name=g.NAME, service=g.SERVICE)
            log(adapter, "connected (scan %.2f s)" % c.timings["scan"])
            try:
                c.characteristic(g.STATIC)
            except gpcentral.CentralError as e:
                if attempt == 2:
                    raise
                log(adapter, "RETRY: %s; connecting again" % e)
                continue
            await two(c, adapter, write, expect_before)
            return


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
