#!/usr/bin/python3
import asyncio
import json
import sys

sys.path.insert(0, "../20-advert-fields-a")
import gpcentral  # noqa: E402
from gpcentral import log  # noqa: E402
from advscan import INFO, SERVICE, expect, scan_until  # noqa: E402


async def wait_event(c, event, address, count=1, timeout=10.0):
    """Read the peripheral's event list until `count` `event`s for address."""
    for _ in range(int(timeout / 0.25)):
        info = json.loads(await c.read(INFO))
        hits = [e for e in info["events"] if e["event"] == event and e["address"] == address]
        if len(hits) >= count:
            return info, hits
        await asyncio.sleep(0.25)
    raise gpcentral.CentralError("no %d %s for %s in %s" % (count, event, address, info))


async def find():
    dev, _ = await scan_until(lambda d, a: a.local_name == "gp-events" and SERVICE in a.service_uuids, "gp-events")
    return dev


async def main():
    async with gpcentral.Central() as c:
        me = await c.adapter_address(c.adapter)
        log("central adapter %s is %s" % (c.adapter, me))
        await c.connect(await find())
        info, hits = await wait_event(c, "device-connected", me)
        log("peripheral events after connecting: %s" % info["events"])
        # What the peripheral's GpDevice said about Device1.Connected when
        # the signal came (the peripheral side of the 5.66 Connected race).
        log("peripheral side Device1.Connected at device-connected: %s" % hits[0]["connected"])
        props = await c.device_props()
        log("central side Device1.Connected=%s ServicesResolved=%s" % (props.get("Connected"),
                                                                      props.get("ServicesResolved")))
        expect(hits[0]["connected"] is True, "peripheral's device-connected with Connected=false")
        await c.disconnect()
        log("disconnected; connecting again (the peripheral advertises again)")
        await c.connect(await find())
        info, hits = await wait_event(c, "device-connected", me, count=2)
        log("peripheral events after reconnecting: %s" % info["events"])
        names = [e["event"] for e in info["events"]]
        expect(names == ["device-connected", "device-disconnected", "device-connected"], "events %s" % names)
        expect(all(e["address"] == me for e in info["events"]), "addresses in %s" % info["events"])
        expect(info["events"][1]["connected"] is False, "device-disconnected with Connected=true")
    log("PASS")
    return 0


gpcentral.run(main)
