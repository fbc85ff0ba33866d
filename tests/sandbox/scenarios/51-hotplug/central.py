#!/usr/bin/python3
import os
import re
import time

import gpcentral
from gpcentral import log
import gpreliab as r
import gpscenario as g

CYCLES = int(os.environ.get("GP_HOTPLUG_CYCLES", "3"))
ADAPTER_BOUND = ("app", "adv")


def peripheral_log():
    with open(os.path.join(os.environ["GP_SANDBOX_OUT"], "peripheral.log")) as f:
        return f.read()


async def main():
    survived = 0
    rereg = []
    async with gpcentral.Central() as c:
        await r.connect(c)
        layout0 = r.layout(c)
        reg = await r.registration(c)
        n = {o: reg[o]["n"] for o in r.OBJECTS}
        agent0 = (reg["agent"]["state"], reg["agent"]["n"], reg["agent"]["lost"])
        g.expect(agent0[0] == "registered", "agent not registered: %s" % reg)
        for i in range(1, CYCLES + 1):
            value = b"written before unplug %d" % i
            await c.write(g.WRITE, value, response=True)
            await c.subscribe(g.NOTIFY)
            await g.command(c, "burst 1000")
            await c.wait_notifications(g.NOTIFY, 3, timeout=20)
            t_remove = time.monotonic()
            await r.stackctl("controllers-remove")
            await r.forget_bluez(c)
            t_removed = time.monotonic()
            await r.stackctl("controllers-add")
            t_added = time.monotonic()
            await r.stackctl("wait-powered")
            t_powered = time.monotonic()
            await r.connect(c)
            reg = await r.wait_registered(c, n, objects=ADAPTER_BOUND)
            for o in ADAPTER_BOUND:
                g.expect(reg[o]["n"] == n[o] + 1 and reg[o]["lost"] == i,
                         "%s: registered %d times, lost %d, after cycle %d" % (o, reg[o]["n"], reg[o]["lost"], i))
                g.expect(t_remove <= reg[o]["lost_at"] / 1e6 <= t_powered,
                         "%s lost at %.3f, outside the unplug (%.3f-%.3f)" % (
                             o, reg[o]["lost_at"] / 1e6, t_remove, t_powered))
                g.expect(reg[o]["reason"] == "reregistered", "%s reason %s" % (o, reg[o]["reason"]))
            agent = (reg["agent"]["state"], reg["agent"]["n"], reg["agent"]["lost"])
            g.expect(agent == agent0, "the agent changed: %s -> %s" % (agent0, agent))
            n = {o: reg[o]["n"] for o in r.OBJECTS}
            # the loss as the program saw it: state lost, reason adapter-removed
            plog = peripheral_log()
            for t in ("GpApplication", "GpAdvertisement"):
                seen = len(re.findall(r"registration: %s lost \(adapter-removed\)" % t, plog))
                g.expect(seen == i, "%s reported %d adapter-removed losses after %d cycles" % (t, seen, i))
            g.expect(r.layout(c) == layout0, "GATT layout changed after cycle %d" % i)
            got = await c.read(g.WRITE)
            g.expect(got == value, "after cycle %d the value reads %r" % (i, got))
            await r.notifications_flow(c, 10, "cycle %d" % i)
            last = max(reg[o]["at"] for o in ADAPTER_BOUND) / 1e6
            rereg.append(last - t_added)
            survived += 1
            log("cycle %d/%d: controllers gone in %.2f s; app and advertisement lost (adapter-removed), "
                "registered again %.2f s after the controllers were back; same layout, value, notifications"
                % (i, CYCLES, t_removed - t_remove, rereg[-1]))
    log("RESULT hotplug cycles survived %d/%d; re-registered after the controllers were back: %s"
        % (survived, CYCLES, r.summary(rereg)))
    log("PASS")
    return 0


gpcentral.run(main)
