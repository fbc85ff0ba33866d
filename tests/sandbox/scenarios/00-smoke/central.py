#!/usr/bin/python3
"""Central of the 00-smoke scenario (runs on $GP_SANDBOX_CENTRAL_ADAPTER)."""
import gpcentral
from gpcentral import log

BASE = "0000feed"
U = lambda n: "%s-%04x-4000-8000-00805f9b34fb" % (BASE, n)  # noqa: E731
SVC = "0000feed-0000-1000-8000-00805f9b34fb"


async def main():
    async with gpcentral.Central() as c:
        await c.connect(name="gp-smoke", service=SVC)
        log("connected in %.2f s (scan %.2f s), MTU %s" % (c.timings["connect"], c.timings["scan"], c.mtu))
        services = c.discover()
        for s in services:
            log(s["uuid"], "primary" if s["primary"] else "secondary", s["includes"],
                [(ch["uuid"], ch["properties"]) for ch in s["characteristics"]])
        by_uuid = {s["uuid"]: s for s in services}
        assert SVC in by_uuid and by_uuid[SVC]["primary"], "primary service missing"
        assert U(0x10) in by_uuid, "secondary service not listed"
        assert not by_uuid[U(0x10)]["primary"], "secondary service shown as primary"
        # (BlueZ 5.66 does not export included services: "includes" is empty)

        v = await c.read(U(1))
        log("read:", gpcentral.fmt_value(v))
        assert v == b"hello sandbox", v
        v = await c.read(U(4))
        assert v == bytes(i % 256 for i in range(300)), "long read: %d bytes" % len(v)
        assert await c.read(U(0x11)) == b"secondary"

        async with c.timed("20 reads"):
            for _ in range(20):
                await c.read(U(1))
        await c.write(U(2), b"with-response", response=True)
        assert await c.read(U(2)) == b"with-response"
        await c.write(U(2), b"no-response", response=False)
        for _ in range(50):                      # a write command has no ack: poll
            if await c.read(U(2)) == b"no-response":
                break
        else:
            raise gpcentral.CentralError("write without response never arrived")

        await c.subscribe(U(3))
        async with c.timed("3 notifications"):
            vals = await c.wait_notifications(U(3), 3, timeout=10)
        await c.unsubscribe(U(3))
        log("notifications:", [int.from_bytes(v, "little") for v in vals])
        log("timings:", {k: round(v, 3) for k, v in c.timings.items()},
            "-> %.1f ms per read" % (c.timings["20 reads"] * 1000 / 20))
    log("PASS")
    return 0


gpcentral.run(main)
