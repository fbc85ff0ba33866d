#!/usr/bin/python3
"""The untrusted client: calls every method of every object that the bus
connection of process PID exports, and counts NotPermitted answers.

    caller.py PID   ->  prints one JSON line {"tried": N, "refused": N,
                        "uid": U, "methods": [...], "unexpected": [...]}
"""
import json
import os
import sys
import xml.etree.ElementTree as ET

from gi.repository import Gio, GLib

REFUSED = "org.bluez.Error.NotPermitted"
SKIP_IFACES = {"org.freedesktop.DBus.Introspectable", "org.freedesktop.DBus.Peer"}
# Methods the issue names; called on every object of the matching interface
# even when introspection did not list them.
MUST = {
    "org.bluez.GattCharacteristic1": ["ReadValue", "WriteValue", "AcquireWrite", "AcquireNotify",
                                      "StartNotify", "StopNotify", "Confirm"],
    "org.bluez.GattDescriptor1": ["ReadValue", "WriteValue"],
    "org.bluez.LEAdvertisement1": ["Release"],
    "org.bluez.Agent1": ["Release", "RequestPinCode", "DisplayPinCode", "RequestPasskey",
                         "DisplayPasskey", "RequestConfirmation", "RequestAuthorization",
                         "AuthorizeService", "Cancel"],
    "org.freedesktop.DBus.ObjectManager": ["GetManagedObjects"],
}
SIGS = {"ReadValue": "a{sv}", "WriteValue": "aya{sv}", "AcquireWrite": "a{sv}", "AcquireNotify": "a{sv}",
        "RequestPinCode": "o", "DisplayPinCode": "os", "RequestPasskey": "o", "DisplayPasskey": "ouq",
        "RequestConfirmation": "ou", "RequestAuthorization": "o", "AuthorizeService": "os"}


def split_sig(sig):
    """'aya{sv}s' -> ['ay', 'a{sv}', 's']"""
    out, i = [], 0
    while i < len(sig):
        j = i
        while sig[j] == "a":
            j += 1
        if sig[j] in "({":
            depth, k = 0, j
            while True:
                depth += sig[k] in "({"
                depth -= sig[k] in ")}"
                k += 1
                if depth == 0:
                    break
            j = k
        else:
            j += 1
        out.append(sig[i:j])
        i = j
    return out


def value_for(t):
    if t.startswith("a{"):
        return {}
    if t == "ay":
        return b"\x01"
    if t.startswith("a"):
        return []
    if t.startswith("("):
        return tuple(value_for(x) for x in split_sig(t[1:-1]))
    return {"s": "x", "o": "/x", "g": "", "b": False, "d": 0.0, "v": GLib.Variant("s", "x"),
            "h": 0}.get(t, 0)


def main():
    pid = int(sys.argv[1])
    bus = Gio.bus_get_sync(Gio.BusType.SYSTEM, None)

    def call(dest, path, iface, method, sig="", args=(), timeout=5000):
        params = GLib.Variant("(%s)" % sig, tuple(args)) if sig else None
        return bus.call_sync(dest, path, iface, method, params, None, Gio.DBusCallFlags.NONE, timeout, None)

    names = call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "ListNames")[0]
    dest = None
    for n in names:
        if n.startswith(":"):
            try:
                if call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                        "GetConnectionUnixProcessID", "s", [n])[0] == pid:
                    dest = n
                    break
            except GLib.Error:
                pass
    if dest is None:
        print(json.dumps({"error": "no bus connection of pid %d" % pid}))
        return 1

    objects = {}      # path -> {iface: {"methods": {name: in_sig}, "props": [name]}}

    def walk(path):
        xml = call(dest, path, "org.freedesktop.DBus.Introspectable", "Introspect")[0]
        root = ET.fromstring(xml)
        ifaces = {}
        for i in root.findall("interface"):
            ifaces[i.get("name")] = {
                "methods": {m.get("name"): "".join(a.get("type") for a in m.findall("arg")
                                                   if a.get("direction", "in") == "in")
                            for m in i.findall("method")},
                "props": [(p.get("name"), p.get("access"), p.get("type")) for p in i.findall("property")],
            }
        if any(n not in SKIP_IFACES and n != "org.freedesktop.DBus.Properties" for n in ifaces):
            objects[path] = ifaces
        for node in root.findall("node"):
            walk(path.rstrip("/") + "/" + node.get("name"))

    walk("/")
    refused, gdbus, unexpected, methods = 0, 0, [], set()

    calls = []

    def attempt(path, iface, method, sig, args, gdbus_ok=False):
        """gdbus_ok: a Properties call that GDBus answers itself, before any
        code of the library runs (Get of a property the interface does not
        have, Set of a read-only one: InvalidArgs; GetAll of an interface
        without properties: an empty dict). Counted apart, as gdbus."""
        methods.add("%s.%s" % (iface.split(".")[-1], method))
        calls.append((path, iface, method, sig, args, gdbus_ok))

    def judge(path, iface, method, gdbus_ok, reply, error):
        nonlocal refused, gdbus
        if error is None:
            if gdbus_ok and method == "GetAll" and reply.unpack() == ({},):
                gdbus += 1
            else:
                unexpected.append("%s %s.%s: answered %s" % (path, iface, method, reply.print_(False)[:200]))
            return
        remote = Gio.DBusError.get_remote_error(error)
        if remote == REFUSED:
            refused += 1
        elif gdbus_ok and remote == "org.freedesktop.DBus.Error.InvalidArgs":
            gdbus += 1
        else:
            unexpected.append("%s %s.%s: %s" % (path, iface, method, remote or error.message))

    def run_all():
        """32 calls in flight at a time (answers are matched by serial): the
        guest is slow, round trips one by one would take minutes."""
        loop = GLib.MainLoop()
        pending = [len(calls)]
        queue = list(calls)

        def send_next():
            if not queue:
                return
            c = queue.pop(0)
            path, iface, method, sig, args, _ok = c
            params = GLib.Variant("(%s)" % sig, tuple(args)) if sig else None
            bus.call(dest, path, iface, method, params, None, Gio.DBusCallFlags.NONE, 60000, None, done, c)

        def done(conn, res, call_args):
            path, iface, method, _sig, _args, gdbus_ok = call_args
            try:
                reply, error = conn.call_finish(res), None
            except GLib.Error as e:
                reply, error = None, e
            judge(path, iface, method, gdbus_ok, reply, error)
            pending[0] -= 1
            if pending[0] == 0:
                loop.quit()
            send_next()

        # at most 32 in flight: dbus-daemon limits pending replies per connection
        for _ in range(32):
            send_next()
        if calls:
            loop.run()

    for path, ifaces in sorted(objects.items()):
        for iface, info in ifaces.items():
            if iface in SKIP_IFACES or iface == "org.freedesktop.DBus.Properties":
                continue
            wanted = dict(info["methods"])
            for m in MUST.get(iface, []):
                wanted.setdefault(m, SIGS.get(m, ""))
            for m, sig in sorted(wanted.items()):
                attempt(path, iface, m, sig, [value_for(t) for t in split_sig(sig)])
            props = "org.freedesktop.DBus.Properties"
            attempt(path, props, "GetAll", "s", [iface], gdbus_ok=not info["props"])
            for p, access, ptype in info["props"] or [("UUID", None, "s")]:
                attempt(path, props, "Get", "ss", [iface, p], gdbus_ok=access is None)
                # a value of the property's type: GDBus checks the type first
                attempt(path, props, "Set", "ssv", [iface, p, GLib.Variant(ptype, value_for(ptype))],
                        gdbus_ok=access is None or "write" not in access)
    run_all()
    tried = len(calls)
    print(json.dumps({"uid": os.getuid(), "bus_name": dest, "objects": len(objects), "tried": tried,
                      "refused": refused, "gdbus": gdbus, "methods": sorted(methods), "unexpected": unexpected}))
    return 0


sys.exit(main())
