#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A scripted central for the demo on the fake BlueZ: it waits for the
heart-rate application to register, reads its characteristics, subscribes
to the Heart Rate Measurement and prints the values as they arrive."""
import argparse
import sys
import time

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

HR_MEASUREMENT = "00002a37-0000-1000-8000-00805f9b34fb"
BODY_LOCATION = "00002a38-0000-1000-8000-00805f9b34fb"
USER_DESCRIPTION = "00002901-0000-1000-8000-00805f9b34fb"
LOCATIONS = {0: "other", 1: "chest", 2: "wrist", 3: "finger", 4: "hand", 5: "ear lobe", 6: "foot"}


class Central:
    def __init__(self, address):
        flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
                 | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
        self.conn = Gio.DBusConnection.new_for_address_sync(address, flags, None, None)
        self.t0 = time.monotonic()

    def call(self, method, params=None):
        reply = self.conn.call_sync("org.bluez", "/org/gattperiph/FakeBlueZ",
                                    "org.gattperiph.FakeBlueZ1", method, params, None,
                                    Gio.DBusCallFlags.NONE, 10000, None)
        return reply.unpack()

    def say(self, *words):
        print("[central %5.1fs]" % (time.monotonic() - self.t0), *words, flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bus", required=True)
    ap.add_argument("--seconds", type=float, default=8)
    args = ap.parse_args()

    c = Central(args.bus)
    (device,) = c.call("AddDevice", GLib.Variant("(sss)", ("hci0", "C0:FF:EE:00:00:01", "demo central")))
    c.say("connected as", device)

    deadline = time.monotonic() + 15
    while not c.call("GetApplications")[0]:
        if time.monotonic() > deadline:
            c.say("no GATT application registered within 15 s")
            return 1
        time.sleep(0.1)

    (db,) = c.call("GetDatabase", GLib.Variant("(s)", ("hci0",)))
    app = [e for e in db if "owner" in e or e.get("handle", 0) >= 0x15]
    c.say("discovered %d attributes:" % len(app))
    for e in app:
        c.say("   0x%04x %-17s %s" % (e["handle"], e["type"], e.get("uuid", "")))

    def handle(uuid, kind):
        return next(e["handle"] for e in app if e.get("uuid") == uuid and e["type"] == kind)

    hrm = handle(HR_MEASUREMENT, "value")
    att, desc = c.call("Read", GLib.Variant("(oqqq)", (device, handle(USER_DESCRIPTION, "descriptor"), 0, 517)))
    c.say("2A37 user description:", repr(bytes(desc).decode()))
    att, loc = c.call("Read", GLib.Variant("(oqqq)", (device, handle(BODY_LOCATION, "value"), 0, 517)))
    c.say("body sensor location:", LOCATIONS.get(bytes(loc)[0], "?"))
    att, value = c.call("Read", GLib.Variant("(oqqq)", (device, hrm, 0, 517)))
    c.say("read heart rate: %d bpm" % bytes(value)[1])

    ccc = next(e["handle"] for e in app if e["type"] == "ccc" and e["handle"] == hrm + 1)
    att, = c.call("Write", GLib.Variant("(oqqays)", (device, ccc, 0, b"\x01\x00", "request")))
    c.say("subscribed to notifications" + ("" if att == 0 else " FAILED 0x%02x" % att))

    received = 0
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        (notes,) = c.call("TakeNotifications", GLib.Variant("(o)", (device,)))
        for h, v, _ind in notes:
            v = bytes(v)
            received += 1
            c.say("heart rate %3d bpm  %s" % (v[1], "#" * max(0, v[1] - 55)))
        time.sleep(0.05)

    att, = c.call("Write", GLib.Variant("(oqqays)", (device, ccc, 0, b"\x00\x00", "request")))
    c.say("unsubscribed; %d notifications received" % received)
    return 0 if received > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
