#!/usr/bin/python3
"""Minimal BlueZ GATT peripheral written with Gio's GDBus (PyGObject), used
to prove the sandbox before the library exists and as a stand-in peripheral
in harness self-tests.

On one adapter (--adapter, default $GP_SANDBOX_PERIPHERAL_ADAPTER or hci0) it
registers with bluetoothd over D-Bus:
  * a GATT application (GattManager1.RegisterApplication):
      primary service   --service (default 0000feed-...)
        char  ...0001  read              --value (default "hello sandbox")
        char  ...0002  read, write, write-without-response (stores the value)
        char  ...0003  notify, read      (a counter, ticks every --tick ms
                                           while a client is subscribed)
        char  ...0004  read              a 300-byte value (long read)
        includes the secondary service
      secondary service ...0010
        char  ...0011  read              "secondary"
  * an LE advertisement (LEAdvertisingManager1.RegisterAdvertisement):
    connectable, LocalName --name (default "gp-demo"), the primary UUID.
Prints "READY" once both registrations succeeded; exits 0 on SIGTERM/SIGINT.
"""
import argparse
import os
import signal
import sys
import time

from gi.repository import Gio, GLib

BLUEZ = "org.bluez"
APP = "/gp/demo"
ADV = "/gp/demo/adv"

XML = """
<node>
 <interface name="org.freedesktop.DBus.ObjectManager">
  <method name="GetManagedObjects"><arg type="a{oa{sa{sv}}}" direction="out"/></method>
 </interface>
 <interface name="org.bluez.GattService1">
  <property name="UUID" type="s" access="read"/>
  <property name="Primary" type="b" access="read"/>
  <property name="Includes" type="ao" access="read"/>
 </interface>
 <interface name="org.bluez.GattCharacteristic1">
  <method name="ReadValue"><arg type="a{sv}" direction="in"/><arg type="ay" direction="out"/></method>
  <method name="WriteValue"><arg type="ay" direction="in"/><arg type="a{sv}" direction="in"/></method>
  <method name="StartNotify"/>
  <method name="StopNotify"/>
  <property name="UUID" type="s" access="read"/>
  <property name="Service" type="o" access="read"/>
  <property name="Flags" type="as" access="read"/>
  <property name="Value" type="ay" access="read"/>
 </interface>
 <interface name="org.bluez.LEAdvertisement1">
  <method name="Release"/>
  <property name="Type" type="s" access="read"/>
  <property name="ServiceUUIDs" type="as" access="read"/>
  <property name="LocalName" type="s" access="read"/>
  <property name="Discoverable" type="b" access="read"/>
 </interface>
</node>
"""
NODE = Gio.DBusNodeInfo.new_for_xml(XML)
IFACE = {i.name: i for i in NODE.interfaces}
T0 = time.monotonic()


def log(*a):
    print("[peripheral %7.3f]" % (time.monotonic() - T0), *a, flush=True)


def uuid_with(base, n):
    """base '0000feed-0000-1000-8000-00805f9b34fb' + n -> custom 128-bit UUIDs"""
    return "%s-%04x-4000-8000-00805f9b34fb" % (base[:8], n)


class Char:
    def __init__(self, svc, idx, uuid, flags, value):
        self.path = "%s/char%d" % (svc.path, idx)
        self.svc, self.uuid, self.flags, self.value = svc, uuid, flags, bytearray(value)
        self.notifying = False

    def props(self):
        return {"UUID": GLib.Variant("s", self.uuid),
                "Service": GLib.Variant("o", self.svc.path),
                "Flags": GLib.Variant("as", self.flags),
                "Value": GLib.Variant("ay", bytes(self.value))}


class Service:
    def __init__(self, idx, uuid, primary):
        self.path = "%s/svc%d" % (APP, idx)
        self.uuid, self.primary, self.chars, self.includes = uuid, primary, [], []

    def props(self):
        return {"UUID": GLib.Variant("s", self.uuid),
                "Primary": GLib.Variant("b", self.primary),
                "Includes": GLib.Variant("ao", [s.path for s in self.includes])}


class Peripheral:
    def __init__(self, args):
        self.args = args
        self.bus = Gio.bus_get_sync(Gio.BusType.SYSTEM, None)
        self.adapter = "/org/bluez/" + args.adapter
        base = args.service
        prim = Service(0, base, True)
        sec = Service(1, uuid_with(base, 0x10), False)
        prim.includes.append(sec)
        self.services = [prim, sec]
        self.c_read = Char(prim, 0, uuid_with(base, 1), ["read"], args.value.encode())
        self.c_rw = Char(prim, 1, uuid_with(base, 2), ["read", "write", "write-without-response"], b"")
        self.c_ntf = Char(prim, 2, uuid_with(base, 3), ["read", "notify"], b"\0\0\0\0")
        self.c_long = Char(prim, 3, uuid_with(base, 4), ["read"], bytes(i % 256 for i in range(300)))
        prim.chars = [self.c_read, self.c_rw, self.c_ntf, self.c_long]
        sec.chars = [Char(sec, 0, uuid_with(base, 0x11), ["read"], b"secondary")]
        self.chars = {c.path: c for s in self.services for c in s.chars}
        self.counter = 0
        self.tick_id = 0
        self.pending = 2

        reg = self.bus.register_object
        reg(APP, IFACE["org.freedesktop.DBus.ObjectManager"], self.on_call, None, None)
        for s in self.services:
            reg(s.path, IFACE["org.bluez.GattService1"], self.on_call, self.on_get, None)
        for c in self.chars.values():
            reg(c.path, IFACE["org.bluez.GattCharacteristic1"], self.on_call, self.on_get, None)
        reg(ADV, IFACE["org.bluez.LEAdvertisement1"], self.on_call, self.on_get, None)

    # --- D-Bus handlers ------------------------------------------------------
    def on_get(self, conn, sender, path, iface, prop):
        if path == ADV:
            return {"Type": GLib.Variant("s", "peripheral"),
                    "ServiceUUIDs": GLib.Variant("as", [self.args.service]),
                    "LocalName": GLib.Variant("s", self.args.name),
                    # LE General Discoverable flag: without it, BlueZ 5.82's
                    # unfiltered discovery (bleak's) ignores the advert's data
                    # (docs/bluez-quirks.md); 5.66 reported it anyway.
                    "Discoverable": GLib.Variant("b", True)}[prop]
        obj = self.chars.get(path) or next(s for s in self.services if s.path == path)
        return obj.props()[prop]

    def on_call(self, conn, sender, path, iface, method, params, inv):
        if method == "GetManagedObjects":
            objs = {}
            for s in self.services:
                objs[s.path] = {"org.bluez.GattService1": s.props()}
                for c in s.chars:
                    objs[c.path] = {"org.bluez.GattCharacteristic1": c.props()}
            inv.return_value(GLib.Variant("(a{oa{sa{sv}}})", (objs,)))
        elif method == "Release":
            log("advertisement released")
            inv.return_value(None)
        elif method == "ReadValue":
            c = self.chars[path]
            opts = params.unpack()[0]
            off = opts.get("offset", 0)
            log("read %s offset %d -> %d bytes" % (c.uuid, off, len(c.value) - off))
            inv.return_value(GLib.Variant("(ay)", (bytes(c.value[off:]),)))
        elif method == "WriteValue":
            c = self.chars[path]
            value, opts = params.unpack()
            off = opts.get("offset", 0)
            c.value[off:] = bytes(value)
            log("write %s (%s) <- %r" % (c.uuid, opts.get("type", "?"), bytes(value)))
            inv.return_value(None)
        elif method == "StartNotify":
            c = self.chars[path]
            log("start notify", c.uuid)
            c.notifying = True
            if not self.tick_id:
                self.tick_id = GLib.timeout_add(self.args.tick, self.on_tick)
            inv.return_value(None)
        elif method == "StopNotify":
            c = self.chars[path]
            log("stop notify", c.uuid)
            c.notifying = False
            inv.return_value(None)
        else:
            inv.return_dbus_error("org.bluez.Error.NotSupported", method)

    def on_tick(self):
        c = self.c_ntf
        if not c.notifying:
            self.tick_id = 0
            return False
        self.counter += 1
        c.value = bytearray(self.counter.to_bytes(4, "little"))
        self.bus.emit_signal(None, c.path, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                             GLib.Variant("(sa{sv}as)", ("org.bluez.GattCharacteristic1",
                                                         {"Value": GLib.Variant("ay", bytes(c.value))}, [])))
        return True

    # --- registration --------------------------------------------------------
    def register(self):
        self.bus.call(BLUEZ, self.adapter, "org.bluez.GattManager1", "RegisterApplication",
                      GLib.Variant("(oa{sv})", (APP, {})), None, Gio.DBusCallFlags.NONE, 30000,
                      None, self.on_registered, "GATT application")
        self.bus.call(BLUEZ, self.adapter, "org.bluez.LEAdvertisingManager1", "RegisterAdvertisement",
                      GLib.Variant("(oa{sv})", (ADV, {})), None, Gio.DBusCallFlags.NONE, 30000,
                      None, self.on_registered, "advertisement")

    def readvertise(self):
        # asynchronous: bluetoothd calls back into us (Properties.GetAll on
        # the advertisement) before it answers RegisterAdvertisement
        def registered(bus, res, _data):
            try:
                bus.call_finish(res)
            except GLib.Error as e:
                log("re-advertising failed:", e.message)

        def unregistered(bus, res, _data):
            try:
                bus.call_finish(res)
            except GLib.Error:
                pass
            bus.call(BLUEZ, self.adapter, "org.bluez.LEAdvertisingManager1", "RegisterAdvertisement",
                     GLib.Variant("(oa{sv})", (ADV, {})), None, Gio.DBusCallFlags.NONE, 10000, None,
                     registered, None)

        self.bus.call(BLUEZ, self.adapter, "org.bluez.LEAdvertisingManager1", "UnregisterAdvertisement",
                      GLib.Variant("(o)", (ADV,)), None, Gio.DBusCallFlags.NONE, 10000, None,
                      unregistered, None)
        return True

    def on_registered(self, bus, res, what):
        try:
            bus.call_finish(res)
        except GLib.Error as e:
            log("FAILED to register %s: %s" % (what, e.message))
            sys.exit(1)
        log("registered", what)
        self.pending -= 1
        if self.pending == 0:
            log("READY: advertising %r, service %s on %s" % (self.args.name, self.args.service,
                                                             self.args.adapter))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--adapter", default=os.environ.get("GP_SANDBOX_PERIPHERAL_ADAPTER", "hci0"))
    ap.add_argument("--name", default="gp-demo")
    ap.add_argument("--service", default="0000feed-0000-1000-8000-00805f9b34fb")
    ap.add_argument("--value", default="hello sandbox")
    ap.add_argument("--tick", type=int, default=200, help="notification period, ms")
    ap.add_argument("--readvertise", type=float, default=0, metavar="S",
                    help="re-register the advertisement every S seconds (with btvirt, the "
                         "kernel does not resume advertising after a connection by itself)")
    ap.add_argument("--readvertise-on-disconnect", action="store_true",
                    help="re-register the advertisement whenever a central disconnects")
    args = ap.parse_args()
    args.service = args.service.lower()
    loop = GLib.MainLoop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, lambda: (log("signal, exiting"), loop.quit()))
    p = Peripheral(args)
    p.register()
    if args.readvertise:
        GLib.timeout_add(int(args.readvertise * 1000), p.readvertise)
    if args.readvertise_on_disconnect:
        # A central on our adapter disconnected: advertise again (btvirt's
        # controllers do not always resume by themselves), never while a
        # central is connected (a call bluetoothd answers mid-discovery
        # reorders its signals, see docs/bluez-quirks.md).
        prefix = "/org/bluez/%s/" % args.adapter

        def on_props(bus, sender, path, iface, signal, params):
            changed = params.unpack()[1]
            if path.startswith(prefix) and changed.get("Connected") is False:
                log("a central disconnected: advertising again")
                p.readvertise()

        p.bus.signal_subscribe(BLUEZ, "org.freedesktop.DBus.Properties", "PropertiesChanged", None,
                               "org.bluez.Device1", Gio.DBusSignalFlags.NONE, on_props)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
