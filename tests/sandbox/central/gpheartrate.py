#!/usr/bin/python3
"""Central of the heart-rate example scenarios (30, 31, 32 and the package
test: the Python, GJS and declarative examples), run as
`python3 -m gpheartrate`:
finds "Heart Monitor" advertising 180D, reads the measurement and the sensor
location, subscribes and checks the notified [flags, bpm] values."""
import gpcentral
from gpcentral import log

HRS = "0000180d-0000-1000-8000-00805f9b34fb"
HRM = "00002a37-0000-1000-8000-00805f9b34fb"
LOCATION = "00002a38-0000-1000-8000-00805f9b34fb"


def check(value):
    assert len(value) == 2 and value[0] == 0x00 and 60 <= value[1] <= 84, value


async def main():
    async with gpcentral.Central() as c:
        await c.connect(name="Heart Monitor", service=HRS)
        check(await c.read(HRM))
        v = await c.read(LOCATION)
        assert v == b"\x01", v
        await c.subscribe(HRM)
        values = await c.wait_notifications(HRM, 5, timeout=20)
        for v in values:
            check(v)
        log("heart rate:", [v[1] for v in values])
        await c.unsubscribe(HRM)
    log("PASS")
    return 0


if __name__ == "__main__":
    gpcentral.run(main)
