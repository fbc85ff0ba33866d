#!/usr/bin/python3
import gpcentral
from gpcentral import log
import gpscenario as g


async def main():
    async with gpcentral.Central() as c:
        await c.connect(name=g.NAME, service=g.SERVICE)
        await c.subscribe(g.INDICATE)
        await g.wait_status(c, lambda s: s["indicating"], what="indicating")
        await g.command(c, "indicate 10")
        values = await c.wait_notifications(g.INDICATE, 10, timeout=30)
        g.expect([g.counter(v) for v in values] == sorted(g.counter(v) for v in values), "order")
        st = await g.wait_status(c, lambda s: s["confirmed"] == 10, what="10 confirmations")
        g.expect(st["indications_failed"] == 0, "failed indications %s" % st)
        log("10 indications received and confirmed; status", st)
        await c.unsubscribe(g.INDICATE)
    log("PASS")
    return 0


gpcentral.run(main)
