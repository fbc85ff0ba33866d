#!/usr/bin/python3
import gpcentral
from gpcentral import log
import gpscenario as g


async def main():
    async with gpcentral.Central() as c:
        await c.connect(name=g.NAME, service=g.SERVICE)
        char = c.characteristic(g.DESCRIBED)
        descs = {d.uuid: d for d in char.descriptors}
        user = descs["00002901-0000-1000-8000-00805f9b34fb"]
        text = await c.read_descriptor(user.handle)
        log("user description:", text)
        g.expect(text == b"Described characteristic", "2901 %r" % text)
        custom = descs[g.CUSTOM_DESC]
        g.expect(await c.read_descriptor(custom.handle) == b"descriptor value", "custom descriptor")
        await c.client.write_gatt_descriptor(custom.handle, b"written to a descriptor")
        g.expect(await c.read_descriptor(custom.handle) == b"written to a descriptor", "descriptor write")
    log("PASS")
    return 0


gpcentral.run(main)
