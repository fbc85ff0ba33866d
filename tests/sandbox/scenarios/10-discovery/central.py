#!/usr/bin/python3
import gpcentral
from gpcentral import log
from gpscenario import *  # noqa: F401,F403
import gpscenario as g

EXPECTED = {
    g.SERVICE: (True, {
        g.STATIC: ["read"], g.LONG: ["read"], g.DEFERRED: ["read"], g.ATT_ERROR: ["read"],
        g.WRITE: ["read", "write"], g.WRITE_NO_RSP: ["read", "write-without-response"],
        g.LONG_WRITE: ["read", "write"], g.REJECT: ["write"], g.NOTIFY: ["notify", "read"],
        g.CONTROL: ["write"], g.STATUS: ["read"], g.INDICATE: ["indicate"],
        g.DESCRIBED: ["read"], g.ENCRYPTED: ["read"], g.NOTIFY_FD: ["notify", "read"],
        g.REGISTRATION: ["read"],
    }),
    g.SECONDARY: (False, {g.SECONDARY_CHR: ["read"]}),
    g.INCLUDER: (True, {g.INCLUDER_CHR: ["read"]}),
}


async def main():
    async with gpcentral.Central() as c:
        await c.connect(name=g.NAME, service=g.SERVICE)
        log("found by name and service UUID in %.2f s, connected in %.2f s" % (
            c.timings["scan"], c.timings["connect"]))
        g.expect(c.adv.local_name == g.NAME, "advertised name %r" % c.adv.local_name)
        services = {s["uuid"]: s for s in c.discover()}
        ours = {u: s for u, s in services.items() if u.startswith("c0de")}
        log("services:", sorted(ours), "others:", sorted(set(services) - set(ours)))
        g.expect(set(ours) == set(EXPECTED), "services %s" % sorted(ours))
        for uuid, (primary, chars) in EXPECTED.items():
            s = ours[uuid]
            g.expect(s["primary"] == primary, "%s primary=%s" % (uuid, s["primary"]))
            got = {ch["uuid"]: sorted(ch["properties"]) for ch in s["characteristics"]}
            g.expect(got == {k: sorted(v) for k, v in chars.items()},
                     "characteristics of %s: %s" % (uuid, got))
        # Handles follow declaration order: the main service comes first.
        order = [s["uuid"] for s in sorted(ours.values(), key=lambda s: s["handle"])]
        g.expect(order == [g.SERVICE, g.SECONDARY, g.INCLUDER], "service order %s" % order)
        described = next(ch for ch in ours[g.SERVICE]["characteristics"] if ch["uuid"] == g.DESCRIBED)
        descs = sorted(d["uuid"] for d in described["descriptors"])
        g.expect(descs == sorted(["00002901-0000-1000-8000-00805f9b34fb", g.CUSTOM_DESC]), "descriptors %s" % descs)
        notify = next(ch for ch in ours[g.SERVICE]["characteristics"] if ch["uuid"] == g.NOTIFY)
        g.expect([d["uuid"] for d in notify["descriptors"]] == ["00002902-0000-1000-8000-00805f9b34fb"],
                 "notify characteristic descriptors %s" % notify["descriptors"])
        g.expect(await c.read(g.SECONDARY_CHR) == b"in the secondary service", "secondary read")
    log("PASS")
    return 0


gpcentral.run(main)
