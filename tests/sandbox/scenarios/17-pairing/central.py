#!/usr/bin/python3
import gpcentral
from gpcentral import log
import gpscenario as g


async def main():
    async with gpcentral.Central() as c:
        await c.connect(name=g.NAME, service=g.SERVICE)
        before = await c.device_props()
        g.expect(not before.get("Paired"), "already paired")
        # The central's own agent answers its side of the pairing.
        await c.register_agent("NoInputNoOutput")
        async with c.timed("encrypted read"):
            value = await c.read(g.ENCRYPTED)
        log("encrypted read after %.2f s: %r" % (c.timings["encrypted read"], value))
        g.expect(value == b"secret after pairing", "value %r" % value)
        after = await c.device_props()
        log("Paired:", after.get("Paired"), "Bonded:", after.get("Bonded"))
        g.expect(after.get("Paired"), "not paired after the encrypted read")
    log("PASS")
    return 0


gpcentral.run(main)
