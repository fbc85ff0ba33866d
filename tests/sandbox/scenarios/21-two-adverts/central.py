#!/usr/bin/python3
import sys

sys.path.insert(0, "../20-advert-fields-a")
import gpcentral  # noqa: E402
from gpcentral import log  # noqa: E402
from advscan import scan_until  # noqa: E402


async def main():
    seen = {}

    def both(dev, adv):
        if adv.local_name in ("gp-adv-one", "gp-adv-two"):
            seen.setdefault(adv.local_name, dev.address)
        return len(seen) == 2

    await scan_until(both, "both gp-adv-one and gp-adv-two")
    log("names seen (address each): %s" % seen)
    # And each one again on its own, with a fresh scan.
    for name in ("gp-adv-two", "gp-adv-one"):
        await scan_until(lambda d, a, n=name: a.local_name == n, name)
    log("PASS")
    return 0


gpcentral.run(main)
