#!/usr/bin/python3
"""Every shipped profile under `gattperiph serve` on hci0: a bleak central
on hci1 finds it by its advertised name, finds the profile's services,
characteristics (with their properties) and descriptors, reads every
readable characteristic, receives notifications from those whose
behaviour sends them, and Ctrl-C unregisters cleanly."""
import glob
import json
import os
import sys

import gpcentral
from gpcentral import log
from gpttool import PROFILES, Serve, advertised_name, expected, forget, found

SELECT = sys.argv[1:]     # profile names (without .json); default: all


async def check_profile(c, path, peripheral_address):
    name = advertised_name(path)
    tag = os.path.basename(path)[:-5]
    serve = Serve(path, tag=tag)
    try:
        await serve.wait_for("advertising")
        await c.connect(name=name)
        services = c.discover()
        want, got = expected(path), found(services)
        if want != got:
            raise gpcentral.CentralError("%s: database differs:\n want %s\n got  %s" % (tag, want, got))
        n_read = n_notified = 0
        with open(path) as f:
            data = json.load(f)
        # By handle, in the profile's service: bluetoothd's own Device
        # Information service has a PnP ID (0x2A50) too.
        mine = {}
        for s in services:
            if s["uuid"] in got:
                for ch in s["characteristics"]:
                    mine.setdefault(ch["uuid"], c.client.services.get_characteristic(ch["handle"]))
        for s in data["services"]:
            for ch in s["characteristics"]:
                char = mine[gpcentral.full_uuid(ch["uuid"])]
                if "read" in ch["flags"] and ch.get("behavior", {}).get("read") != "reject":
                    await c.read(char)
                    n_read += 1
                behavior = ch.get("behavior", {})
                if behavior.get("write") == "echo":
                    target = ch
                    for s2 in data["services"]:
                        for ch2 in s2["characteristics"]:
                            if behavior.get("echo-to") and ch2.get("id") == behavior["echo-to"]:
                                target = ch2
                    tx = mine[gpcentral.full_uuid(target["uuid"])]
                    await c.subscribe(tx)
                    kind = "write" in ch["flags"]
                    await c.write(char, b"hello gattperiph", response=kind)
                    values = await c.wait_notifications(tx.uuid, 1, timeout=15)
                    if values[-1] != b"hello gattperiph":
                        raise gpcentral.CentralError("%s: echo %r" % (tag, values))
                    await c.unsubscribe(tx)
                    n_notified += 1
                if "notify" in behavior and "notify" in ch["flags"]:
                    await c.subscribe(char)
                    await c.wait_notifications(char.uuid, 2, timeout=15)
                    await c.unsubscribe(char)
                    n_notified += 1
        log("%s: %d services as in the profile, %d reads, %d characteristics notified"
            % (tag, len(got), n_read, n_notified))
        await c.disconnect()
        await forget(c, peripheral_address)
    finally:
        await serve.stop()


async def main():
    paths = sorted(glob.glob(os.path.join(PROFILES, "*.json")))
    if SELECT:
        paths = [p for p in paths if os.path.basename(p)[:-5] in SELECT]
    if not paths:
        raise gpcentral.CentralError("no profiles in %s" % PROFILES)
    async with gpcentral.Central() as c:
        address = await c.adapter_address(os.environ.get("GP_SANDBOX_PERIPHERAL_ADAPTER", "hci0"))
        for path in paths:
            # bleak listed the Device Information profile without its
            # characteristics (5.66) or without the service (5.82, both
            # tries of a retry that was here) although bluetoothd had
            # exported them: its ServicesResolved went out before their
            # InterfacesAdded (scenario 19's comment). gpcentral's connect()
            # now waits for them ("services settled" in the log).
            await check_profile(c, path, address)
    log("PASS")
    return 0


gpcentral.run(main)
