#!/usr/bin/python3
import sys

sys.path.insert(0, "../20-advert-fields-a")
import gpcentral  # noqa: E402
from gpcentral import log  # noqa: E402
from advscan import device_path, expect, scan_until, uuid16  # noqa: E402

MFR = {0xFFFF: b"\x01\x02\x03", 0x0059: b"\x04\x05"}
SD = {uuid16(0x180F): b"\x64"}


def complete(adv):
    return (adv.local_name == "gp-fields-b"
            and {k: bytes(v) for k, v in adv.manufacturer_data.items()} == MFR
            and {k: bytes(v) for k, v in adv.service_data.items()} == SD)


async def main():
    dev, adv = await scan_until(lambda d, a: complete(a), "gp-fields-b with 2 manufacturer data and service data")
    mfr = {k: bytes(v) for k, v in adv.manufacturer_data.items()}
    expect(mfr == MFR, "manufacturer data %s" % mfr)
    sd = {k: bytes(v) for k, v in adv.service_data.items()}
    expect(sd == SD, "service data %s" % sd)
    # bleak's AdvertisementData has no appearance: BlueZ's Device1 has it.
    c = gpcentral.Central()
    async with c:
        body = await c.bluez_call(device_path(c.adapter, dev.address), "org.freedesktop.DBus.Properties",
                                  "GetAll", "s", ["org.bluez.Device1"])
        props = {k: v.value for k, v in body[0].items()}
    log("Device1.Appearance: %s" % props.get("Appearance"))
    expect(props.get("Appearance") == 0x0340, "Device1.Appearance %r" % props.get("Appearance"))
    log("PASS")
    return 0


gpcentral.run(main)
