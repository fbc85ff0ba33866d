#!/usr/bin/python3
import asyncio
import json
import os

import gpcentral
from gpcentral import log
import gpreliab as r
import gpscenario as g

# Every method the issue lists must have been tried.
REQUIRED = {"GattCharacteristic1." + m for m in ("ReadValue", "WriteValue", "AcquireWrite", "AcquireNotify",
                                                  "StartNotify", "StopNotify", "Confirm")} | {
    "GattDescriptor1.ReadValue", "GattDescriptor1.WriteValue", "ObjectManager.GetManagedObjects",
    "Properties.Get", "Properties.GetAll", "Properties.Set", "LEAdvertisement1.Release"} | {
    "Agent1." + m for m in ("Release", "RequestPinCode", "DisplayPinCode", "RequestPasskey", "DisplayPasskey",
                            "RequestConfirmation", "RequestAuthorization", "AuthorizeService", "Cancel")}


async def untrusted(pid, as_user):
    cmd = ["/usr/bin/python3", "-u", "./caller.py", str(pid)]
    if as_user:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] + cmd
    proc = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.PIPE)
    out, _ = await asyncio.wait_for(proc.communicate(), 300)
    g.expect(proc.returncode == 0, "caller failed (%d): %s" % (proc.returncode, out))
    return json.loads(out.decode().strip().splitlines()[-1])


async def snapshot(c):
    values = {u: await c.read(u) for u in (g.STATIC, g.LONG, g.WRITE, g.WRITE_NO_RSP, g.LONG_WRITE)}
    reg = await r.registration(c)
    st = await g.status(c)
    return values, {o: (reg[o]["state"], reg[o]["n"], reg[o]["lost"]) for o in r.OBJECTS}, st


async def main():
    totals = {"tried": 0, "refused": 0, "gdbus": 0}
    async with gpcentral.Central() as c:
        await r.connect(c)
        await c.write(g.WRITE, b"set by the central", response=True)
        await c.subscribe(g.NOTIFY)
        await g.wait_status(c, lambda s: s["notifying"], what="notifying")
        values0, reg0, st0 = await snapshot(c)
        pid = (await r.registration(c))["pid"]
        for as_user in (True, False):
            res = await untrusted(pid, as_user)
            g.expect("error" not in res, str(res))
            log("uid %d (%s): %d objects of %s, %d calls, %d refused with NotPermitted by the library, "
                "%d Properties calls answered by GDBus itself (no such property, read-only, no properties)" % (
                    res["uid"], "nobody" if as_user else "root, not bluetoothd", res["objects"], res["bus_name"],
                    res["tried"], res["refused"], res["gdbus"]))
            for u in res["unexpected"]:
                log("  NOT REFUSED:", u)
            missing = REQUIRED - set(res["methods"])
            g.expect(not missing, "methods not tried: %s" % sorted(missing))
            g.expect(res["objects"] >= 5, "too few objects found: %s" % res)
            g.expect(not res["unexpected"], "calls neither refused nor answered by GDBus")
            for k in totals:
                totals[k] += res[k]
        values1, reg1, st1 = await snapshot(c)
        g.expect(values1 == values0, "values changed: %s -> %s" % (values0, values1))
        g.expect(reg1 == reg0, "registrations changed: %s -> %s" % (reg0, reg1))
        for k in ("notifying", "notifying_fd", "indicating", "counter", "burst_left", "sends_failed"):
            g.expect(st1[k] == st0[k], "status %s changed: %s -> %s" % (k, st0[k], st1[k]))
        # still subscribed, notifications still flow
        await g.command(c, "burst 5")
        got = [g.counter(v) for v in await c.wait_notifications(g.NOTIFY, 5, timeout=20)]
        g.expect(got == list(range(5)), "notifications after the calls: %s" % got)
    with open(os.path.join(os.environ["GP_SANDBOX_OUT"], "peripheral.log")) as f:
        plog = f.read()
    g.expect("control:" not in plog.replace("control: burst 5", ""), "a command reached the app:\n" + plog)
    log("RESULT untrusted calls refused %d/%d with NotPermitted, %d/%d answered by GDBus before the "
        "library (Properties of a read-only or missing property), 0 reached the application" % (
            totals["refused"], totals["tried"], totals["gdbus"], totals["tried"]))
    log("PASS")
    return 0


gpcentral.run(main)
