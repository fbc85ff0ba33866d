#!/usr/bin/python3
import gpcentral
from gpcentral import log
from advscan import SERVICE, expect, scan_until, uuid16

WANT = {uuid16(0x180D), SERVICE}


async def main():
    # Wait for one report that has everything: the name comes in the scan
    # response, the rest in the advertising data.
    dev, adv = await scan_until(
        lambda d, a: a.local_name == "gp-fields-a" and WANT <= set(a.service_uuids) and a.tx_power is not None,
        "gp-fields-a with 180d, %s and tx-power" % SERVICE)
    expect(adv.local_name == "gp-fields-a", "name %r" % adv.local_name)
    expect(uuid16(0x180D) in adv.service_uuids, "16-bit UUID 180d in %s" % adv.service_uuids)
    expect(SERVICE in adv.service_uuids, "128-bit UUID in %s" % adv.service_uuids)
    expect(isinstance(adv.tx_power, int), "tx_power %r" % adv.tx_power)
    log("tx_power (Includes tx-power): %d dBm" % adv.tx_power)
    log("PASS")
    return 0


gpcentral.run(main)
