#!/usr/bin/python3
import asyncio

import gpcentral
from gpcentral import log
import gpscenario as g


async def main():
    async with gpcentral.Central() as c:
        await c.connect(name=g.NAME, service=g.SERVICE)
        await c.write(g.WRITE, b"written with response", response=True)
        g.expect(await c.read(g.WRITE) == b"written with response", "write request")
        await c.write(g.WRITE_NO_RSP, b"written without response", response=False)
        for _ in range(50):
            if await c.read(g.WRITE_NO_RSP) == b"written without response":
                break
            await asyncio.sleep(0.05)
        else:
            raise gpcentral.CentralError("write command never arrived")
        # Longer than MTU - 3: BlueZ sends Prepare Write chunks at their
        # offsets and an Execute Write; the library reassembles them.
        # (bluetoothd 5.66 refuses prepared writes past 508 bytes.)
        big = bytes((i * 13 + 1) % 256 for i in range(400))
        await c.write(g.LONG_WRITE, big, response=True)
        got = await c.read(g.LONG_WRITE)
        g.expect(got == big, "long write read back %d bytes" % len(got))
        try:
            await c.write(g.REJECT, b"no", response=True)
        except Exception as e:
            log("rejected write:", e)
            g.expect("0x86" in str(e), "wrong error: %s" % e)
        else:
            raise gpcentral.CentralError("the rejected write succeeded")
    log("PASS")
    return 0


gpcentral.run(main)
