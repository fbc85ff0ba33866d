# SPDX-License-Identifier: LGPL-2.1-or-later
"""A private bus with the fake BlueZ, for binding tests through the typelib."""
import os
import subprocess
import sys

import gi
import pytest

gi.require_version("Gio", "2.0")
gi.require_version("GattPeriph", "1.0")
from gi.repository import Gio, GLib  # noqa: E402


class Fake:
    def __init__(self, bus):
        self.bus = bus
        address = bus.get_bus_address()
        fake = os.environ["GP_FAKEBLUEZ"]
        self.proc = subprocess.Popen([sys.executable, fake, "--bus", address,
                                      "--att-timeout-ms", "1500"],
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "READY"
        flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
                 | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
        self.conn = Gio.DBusConnection.new_for_address_sync(address, flags, None, None)
        (self.device,) = self.call("AddDevice", GLib.Variant("(sss)", ("hci0", "11:22:33:44:55:66", "c")))

    def call(self, method, params=None, reply_type=None):
        """Calls the fake's control interface while the main loop runs, so
        the application can answer BlueZ's calls meanwhile."""
        loop = GLib.MainLoop()
        out = {}

        def done(conn, res):
            try:
                out["reply"] = conn.call_finish(res)
            except GLib.Error as e:
                out["error"] = e
            loop.quit()

        self.conn.call("org.bluez", "/org/gattperiph/FakeBlueZ", "org.gattperiph.FakeBlueZ1",
                       method, params, None, Gio.DBusCallFlags.NONE, 30000, None, done)
        loop.run()
        if "error" in out:
            raise out["error"]
        return out["reply"].unpack()

    def handle_of(self, path, kind="value"):
        (db,) = self.call("GetDatabase", GLib.Variant("(s)", ("hci0",)))
        for entry in db:
            if entry.get("path") == path and entry.get("type") == kind:
                return entry["handle"]
        raise KeyError(path)

    def close(self):
        self.conn.close_sync(None)
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture
def fake():
    bus = Gio.TestDBus.new(Gio.TestDBusFlags.NONE)
    bus.up()
    f = Fake(bus)
    yield f
    f.close()
    bus.down()


def run_async(start, finish):
    """Runs an async GIO-style call to completion on a main loop."""
    loop = GLib.MainLoop()
    out = {}

    def done(obj, res):
        try:
            out["value"] = finish(res)
        except GLib.Error as e:
            out["error"] = e
        loop.quit()

    start(done)
    loop.run()
    if "error" in out:
        raise out["error"]
    return out["value"]
