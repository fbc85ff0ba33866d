"""Shared by the gattperiph scenarios (60-69): run `gattperiph serve` in
the guest, and compare what a bleak central finds with a profile."""
import asyncio
import json
import os
import signal
import subprocess
import time

import gpcentral
from gpcentral import log

TOOL = os.path.join(os.environ.get("GP_BUILD_DIR", ""), "gattperiph", "gattperiph")
PROFILES = os.path.join(os.environ.get("GP_SOURCE_DIR", ""), "data", "profiles")
BASIC = {"read", "write", "write-without-response", "notify", "indicate"}
# What BlueZ adds by itself (CCC, Extended Properties) is not in a profile.
ADDED = {gpcentral.full_uuid("2902"), gpcentral.full_uuid("2900")}


class Serve:
    """gattperiph serve in the background; its log in $GP_SANDBOX_OUT."""

    def __init__(self, profile, adapter="hci0", tag="serve"):
        self.log_path = os.path.join(os.environ.get("GP_SANDBOX_OUT", "/tmp"), "%s.log" % tag)
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen([TOOL, "serve", "--adapter", adapter, profile],
                                     stdout=self.log_file, stderr=subprocess.STDOUT)

    def text(self):
        with open(self.log_path) as f:
            return f.read()

    async def wait_for(self, text, timeout=30):
        deadline = time.monotonic() + timeout
        while text not in self.text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise gpcentral.CentralError("gattperiph never logged %r (exit %s):\n%s"
                                             % (text, self.proc.poll(), self.text()))
            await asyncio.sleep(0.1)

    async def stop(self):
        """Ctrl-C: it must unregister and exit 0."""
        self.proc.send_signal(signal.SIGINT)
        for _ in range(300):
            if self.proc.poll() is not None:
                break
            await asyncio.sleep(0.1)
        self.log_file.close()
        out = self.text()
        if self.proc.returncode != 0 or "stopped" not in out:
            raise gpcentral.CentralError("gattperiph serve exited %s after SIGINT:\n%s"
                                         % (self.proc.returncode, out))


def expected(profile_path):
    """{service uuid: {char uuid: (basic flags, [descriptor uuids])}} of a profile."""
    with open(profile_path) as f:
        data = json.load(f)
    out = {}
    for s in data.get("services", []):
        chars = {}
        for c in s.get("characteristics", []):
            # the shorthands first ("description": 0x2901, "presentation": 0x2904)
            descs = [gpcentral.full_uuid(u) for k, u in (("description", "2901"), ("presentation", "2904"))
                     if k in c]
            descs += [gpcentral.full_uuid(d["uuid"]) for d in c.get("descriptors", [])]
            chars[gpcentral.full_uuid(c["uuid"])] = (set(c.get("flags", [])) & BASIC, descs)
        out[gpcentral.full_uuid(s["uuid"])] = chars
    return out


def found(services):
    """The same shape, from gpcentral's discover(), without the services
    bluetoothd provides itself (GAP, GATT, and a Device Information
    service with only a PnP ID)."""
    out = {}
    skip = {gpcentral.full_uuid(u) for u in ("1800", "1801")}
    for s in services:
        if s["uuid"] in skip:
            continue
        if (s["uuid"] == gpcentral.full_uuid("180a")
                and [c["uuid"] for c in s["characteristics"]] == [gpcentral.full_uuid("2a50")]):
            continue
        out[s["uuid"]] = {c["uuid"]: (set(c["properties"]) & BASIC,
                                      [d["uuid"] for d in c["descriptors"] if d["uuid"] not in ADDED])
                          for c in s["characteristics"]}
    return out


def advertised_name(profile_path):
    with open(profile_path) as f:
        ad = json.load(f).get("advertisement", {})
    for key in ("local-name", "local_name", "localName", "name"):
        if key in ad:
            return ad[key]
    return None


async def forget(c, adapter_address):
    """Remove the peripheral from the central's bluetoothd (its GATT cache
    too): the next profile has the same address and another database."""
    path = "/org/bluez/%s/dev_%s" % (c.adapter, adapter_address.upper().replace(":", "_"))
    try:
        await c.bluez_call("/org/bluez/" + c.adapter, "org.bluez.Adapter1", "RemoveDevice", "o", [path])
    except gpcentral.CentralError as e:
        log("RemoveDevice:", e)
