#!/usr/bin/python3
import pathlib
import sys

sys.path.insert(0, "../20-advert-fields-a")
import gpcentral  # noqa: E402
from gpcentral import log  # noqa: E402
from advscan import scan_until  # noqa: E402

TRIGGER = pathlib.Path("/tmp/gp-22-trigger")


def mfr(adv):
    return bytes(adv.manufacturer_data.get(0xFFFF, b""))


async def main():
    await scan_until(lambda d, a: a.local_name == "gp-before" and mfr(a) == b"\x01", "gp-before, 0xffff: 01")
    TRIGGER.write_text("change\n")
    log("asked the peripheral to change its active advert")
    dev, adv = await scan_until(lambda d, a: a.local_name == "gp-after" and mfr(a) == b"\x02",
                                "gp-after, 0xffff: 02")
    log("PASS")
    return 0


gpcentral.run(main)
