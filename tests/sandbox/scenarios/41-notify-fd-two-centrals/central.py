#!/usr/bin/python3
"""Two centrals in turn subscribe to the AcquireNotify characteristic and
receive a burst over the socket; the first leaves without unsubscribing."""
import gpcentral
from gpcentral import log
import gpscenario as g


async def one(adapter, unsubscribe):
    async with gpcentral.Central(adapter) as c:
        await c.connect(name=g.NAME, service=g.SERVICE)
        log(adapter, "connected (scan %.2f s)" % c.timings["scan"])
        # The previous central's subscription ended with its link.
        await g.wait_status(c, lambda s: not s["notifying_fd"], what="no subscriber")
        await c.subscribe(g.NOTIFY_FD)
        await g.wait_status(c, lambda s: s["notifying_fd"], what="notifying over the socket")
        await g.command(c, "burst-fd 20")
        vals = await c.wait_notifications(g.NOTIFY_FD, 20, timeout=30)
        got = [g.counter(v) for v in vals]
        g.expect(got == list(range(20)), "%s notifications over the socket: %r" % (adapter, got))
        log(adapter, "received %d values over the socket" % len(got))
        if unsubscribe:
            await c.unsubscribe(g.NOTIFY_FD)
        # else: leave with the subscription on (the link's end ends it)


async def main():
    await one("hci1", False)
    await one("hci2", True)
    log("PASS")
    return 0


gpcentral.run(main)
