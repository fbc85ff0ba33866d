#!/usr/bin/python3
"""Two centrals (hci1 then hci2) on one peripheral; each reads, writes and
collects notifications; the second sees what the first wrote."""
import gpcentral
from gpcentral import log

U = lambda n: "0000feed-%04x-4000-8000-00805f9b34fb" % n  # noqa: E731


async def one(adapter, write, expect_before):
    async with gpcentral.Central(adapter) as c:
        await c.connect(name="gp-two")
        log(adapter, "connected in %.2f s (scan %.2f s)" % (c.timings["connect"], c.timings["scan"]))
        assert await c.read(U(1)) == b"hello sandbox"
        before = await c.read(U(2))
        assert before == expect_before, (adapter, before)
        await c.write(U(2), write)
        await c.subscribe(U(3))
        vals = await c.wait_notifications(U(3), 2, timeout=15)
        log(adapter, "notifications", [int.from_bytes(v, "little") for v in vals])
        await c.unsubscribe(U(3))


async def main():
    await one("hci1", b"from hci1", b"")
    await one("hci2", b"from hci2", b"from hci1")
    log("PASS")
    return 0


gpcentral.run(main)
