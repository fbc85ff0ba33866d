#!/usr/bin/python3
import time

import gpcentral
from gpcentral import log
import gpscenario as g


async def main():
    async with gpcentral.Central() as c:
        await c.connect(name=g.NAME, service=g.SERVICE)
        log("MTU", c.mtu)
        g.expect(await c.read(g.STATIC) == b"hello from libgattperiph", "static read")
        long_value = await c.read(g.LONG)
        g.expect(long_value == g.PATTERN, "long read: %d bytes, first difference at %s" % (
            len(long_value), next((i for i, (a, b) in enumerate(zip(long_value, g.PATTERN)) if a != b), None)))
        t = time.monotonic()
        v = await c.read(g.DEFERRED)
        elapsed = time.monotonic() - t
        log("deferred read took %.3f s" % elapsed)
        g.expect(v == b"deferred by 200 ms" and elapsed >= 0.2, "deferred read %r %.3f" % (v, elapsed))
        try:
            await c.read(g.ATT_ERROR)
        except Exception as e:  # BleakDBusError: "... ATT error: 0x85"
            log("error read:", e)
            g.expect("0x85" in str(e), "wrong error: %s" % e)
        else:
            raise gpcentral.CentralError("the ATT error read succeeded")
        async with c.timed("50 reads"):
            for _ in range(50):
                await c.read(g.STATIC)
        log("%.1f ms per read" % (c.timings["50 reads"] * 1000 / 50))
    log("PASS")
    return 0


gpcentral.run(main)
