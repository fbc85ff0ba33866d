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
                "props": [p.get("name") for p in i.findall("property")],
            }
        if any(n not in SKIP_IFACES and n != "org.freedesktop.DBus.Properties" for n in ifaces):
            objects[path] = ifaces
        for node in root.findall("node"):
            walk(path.rstrip("/") + "/" + node.get("name"))

    walk("/")
    tried, refused, unexpected, methods = 0, 0, [], set()

    def attempt(path, iface, method, sig, args):
        nonlocal tried, refused
        tried += 1
        methods.add("%s.%s" % (iface.split(".")[-1], method))
        try:
            call(dest, path, iface, method, sig, args)
            unexpected.append("%s %s.%s: answered" % (path, iface, method))
        except GLib.Error as e:
            remote = Gio.DBusError.get_remote_error(e)
            if remote == REFUSED:
                refused += 1
            else:
                unexpected.append("%s %s.%s: %s" % (path, iface, method, remote or e.message))

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
            attempt(path, props, "GetAll", "s", [iface])
            for p in info["props"] or ["UUID"]:
                attempt(path, props, "Get", "ss", [iface, p])
                attempt(path, props, "Set", "ssv", [iface, p, GLib.Variant("s", "x")])
    print(json.dumps({"uid": os.getuid(), "bus_name": dest, "objects": len(objects), "tried": tried,
                      "refused": refused, "methods": sorted(methods), "unexpected": unexpected}))
    return 0


sys.exit(main())
