#!/usr/bin/python3
import asyncio

import gpcentral
from gpcentral import log
import gpscenario as g


async def main():
    async with gpcentral.Central() as c:
        await c.connect(name=g.NAME, service=g.SERVICE)
        g.expect(not (await g.status(c))["notifying"], "notifying before subscribing")
        await c.subscribe(g.NOTIFY)
        await g.wait_status(c, lambda s: s["notifying"], what="notifying")
        async with c.timed("100 notifications"):
            await g.command(c, "burst 100")
            values = await c.wait_notifications(g.NOTIFY, 100, timeout=30)
        got = [g.counter(v) for v in values]
        g.expect(got == list(range(100)), "values %s" % got)
        log("100 notifications in order in %.2f s" % c.timings["100 notifications"])
        st = await g.wait_status(c, lambda s: s["burst_left"] == 0, what="burst done")
        g.expect(st["sends_failed"] == 0, "failed sends %s" % st)
        await c.unsubscribe(g.NOTIFY)
        await g.wait_status(c, lambda s: not s["notifying"], what="not notifying")
        await g.command(c, "burst 5")
        await asyncio.sleep(1.0)
        g.expect(len(c.notifications[g.NOTIFY]) == 100, "values after unsubscribing")
        st = await g.status(c)
        g.expect(st["sends_failed"] >= 1, "sending to nobody should fail: %s" % st)
    log("PASS")
    return 0


gpcentral.run(main)
