# SPDX-License-Identifier: LGPL-2.1-or-later
"""A private bus with the fake BlueZ, for binding tests through the typelib."""
import os
import subprocess
import sys

import gi
import gi.overrides
import pytest

# The Python overrides of the source tree (bindings/python/gi/overrides),
# also when PYTHONPATH does not name them: they must be on gi.overrides'
# path before GattPeriph is first imported.
_OVERRIDES = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..",
                                           "bindings", "python", "gi", "overrides"))
if _OVERRIDES not in gi.overrides.__path__:
    gi.overrides.__path__.append(_OVERRIDES)

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

    def database(self):
        (db,) = self.call("GetDatabase", GLib.Variant("(s)", ("hci0",)))
        return db

    def ccc_handle_of(self, chrc):
        """BlueZ puts its CCC right after the value handle."""
        value_handle = chrc.props.handle
        for entry in self.database():
            if entry.get("type") == "ccc" and entry["handle"] == value_handle + 1:
                return entry["handle"]
        raise KeyError(value_handle)

    def read(self, handle, offset=0, mtu=517):
        """(att_error, bytes) as a central reading the handle sees them."""
        att, value = self.call("Read", GLib.Variant("(oqqq)", (self.device, handle, offset, mtu)))
        return att, bytes(value)

    def write(self, handle, value, offset=0, kind="request"):
        (att,) = self.call("Write", GLib.Variant("(oqqays)",
                                                 (self.device, handle, offset, bytes(value), kind)))
        return att

    def subscribe(self, chrc, ccc_value=1):
        return self.write(self.ccc_handle_of(chrc), ccc_value.to_bytes(2, "little"))

    def take_notifications(self):
        """[(handle, bytes, is_indication)] received since the last call."""
        (notes,) = self.call("TakeNotifications", GLib.Variant("(o)", (self.device,)))
        return [(h, bytes(v), ind) for h, v, ind in notes]

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


def spin_until(cond, timeout_ms=3000):
    """Iterates the default main context until cond() is true."""
    ctx = GLib.MainContext.default()
    expired = []
    source = GLib.timeout_add(timeout_ms, lambda: expired.append(True) or False)
    try:
        while not cond():
            if expired:
                raise AssertionError("timed out waiting for %r" % (cond,))
            ctx.iteration(True)
    finally:
        if not expired:
            GLib.source_remove(source)


def spin_for(ms):
    done = []
    GLib.timeout_add(ms, lambda: done.append(True) or False)
    spin_until(lambda: done, ms + 1000)
