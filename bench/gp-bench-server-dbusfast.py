#!/usr/bin/python3
# gp-bench-server-dbusfast.py: the reference server on the Python ancestor's
# stack (dbus_fast ServiceInterface objects, as bluez-peripheral builds them;
# dbus_fast's own ObjectManager answers GetManagedObjects).
#
#   --services S --chars C --descs D   the tree (default 1 / 1 / 0)
#   --notify unpaced                   emit_properties_changed as fast as
#                                      asyncio lets it, no flow control
#
# Prints "REGISTERED <wall us> <cpu us>" and, on SIGTERM, "STATS ...".
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import asyncio
import os
import signal
import sys
import time

from dbus_fast import Message, MessageType, PropertyAccess, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, dbus_property, method

APP_PATH = "/org/gattperiph/bench"
ADAPTER_PATH = "/org/bluez/hci0"
VALUE = bytes(0xA0 + i for i in range(20))


def bench_uuid(kind, a, b, c):
    return "%08x-0000-1000-8000-%04x%04x%04x" % (0xB0000000 | kind, a, b, c)


class Options:
    """What bluez-peripheral's ReadOptions/WriteOptions do with the dict."""

    def __init__(self, options):
        self.device = options["device"].value if "device" in options else None
        self.mtu = options["mtu"].value if "mtu" in options else None
        self.link = options["link"].value if "link" in options else None
        self.offset = options["offset"].value if "offset" in options else 0


class Service(ServiceInterface):
    def __init__(self, uuid):
        super().__init__("org.bluez.GattService1")
        self._uuid = uuid

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> "s":  # noqa: F821
        return self._uuid

    @dbus_property(access=PropertyAccess.READ)
    def Primary(self) -> "b":  # noqa: F821
        return True

    @dbus_property(access=PropertyAccess.READ)
    def Includes(self) -> "ao":  # noqa: F821
        return []


class Characteristic(ServiceInterface):
    def __init__(self, uuid, service_path, notify_mode):
        super().__init__("org.bluez.GattCharacteristic1")
        self._uuid = uuid
        self._service = service_path
        self._value = VALUE
        self._notifying = False
        self._notify_mode = notify_mode
        self.emitted = 0
        self.error = None

    @method()
    def ReadValue(self, options: "a{sv}") -> "ay":  # noqa: F821
        opts = Options(options)
        return self._value[opts.offset:]

    @method()
    def WriteValue(self, value: "ay", options: "a{sv}"):  # noqa: F821
        opts = Options(options)
        if opts.offset == 0:
            self._value = bytes(value)

    @method()
    def StartNotify(self):
        self._notifying = True
        if self._notify_mode == "unpaced":
            asyncio.get_running_loop().create_task(self._emit())

    @method()
    def StopNotify(self):
        self._notifying = False

    async def _emit(self):
        # What bluez-peripheral does on a value change, in a loop.
        n = 0
        try:
            while self._notifying:
                for _ in range(256):
                    self._value = n.to_bytes(8, "little") + VALUE[8:]
                    self.emit_properties_changed({"Value": self._value})
                    n += 1
                    self.emitted = n
                await asyncio.sleep(0)
        except Exception as e:  # the ancestor's stack fails here at full speed
            self.error = "%s: %s" % (type(e).__name__, e)

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> "s":  # noqa: F821
        return self._uuid

    @dbus_property(access=PropertyAccess.READ)
    def Service(self) -> "o":  # noqa: F821
        return self._service

    @dbus_property(access=PropertyAccess.READ)
    def Flags(self) -> "as":  # noqa: F821
        return ["read", "write", "notify"]

    @dbus_property(access=PropertyAccess.READ)
    def Value(self) -> "ay":  # noqa: F821
        return self._value

    @dbus_property(access=PropertyAccess.READ)
    def Notifying(self) -> "b":  # noqa: F821
        return self._notifying


class Descriptor(ServiceInterface):
    def __init__(self, uuid, chrc_path):
        super().__init__("org.bluez.GattDescriptor1")
        self._uuid = uuid
        self._chrc = chrc_path
        self._value = VALUE

    @method()
    def ReadValue(self, options: "a{sv}") -> "ay":  # noqa: F821
        opts = Options(options)
        return self._value[opts.offset:]

    @method()
    def WriteValue(self, value: "ay", options: "a{sv}"):  # noqa: F821
        self._value = bytes(value)

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> "s":  # noqa: F821
        return self._uuid

    @dbus_property(access=PropertyAccess.READ)
    def Characteristic(self) -> "o":  # noqa: F821
        return self._chrc

    @dbus_property(access=PropertyAccess.READ)
    def Flags(self) -> "as":  # noqa: F821
        return ["read"]


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--services", type=int, default=1)
    ap.add_argument("--chars", type=int, default=1)
    ap.add_argument("--descs", type=int, default=0)
    ap.add_argument("--notify", default=None)
    args = ap.parse_args()

    bus = await MessageBus(bus_address=os.environ["DBUS_SESSION_BUS_ADDRESS"]).connect()
    chrcs = []

    def on_term():
        emitted = sum(c.emitted for c in chrcs)
        errors = [c.error for c in chrcs if c.error]
        print("STATS emitted=%d%s" % (emitted, (" error=" + errors[0]) if errors else ""), flush=True)
        os._exit(0)

    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, on_term)

    objects = []
    for s in range(args.services):
        spath = "%s/service%d" % (APP_PATH, s)
        objects.append((spath, Service(bench_uuid(1, s, 0, 0))))
        nc = args.chars // args.services + (1 if s < args.chars % args.services else 0)
        for c in range(nc):
            cpath = "%s/char%d" % (spath, c)
            chrc = Characteristic(bench_uuid(2, s, c, 0), spath, args.notify)
            chrcs.append(chrc)
            objects.append((cpath, chrc))
            for d in range(args.descs):
                objects.append(("%s/desc%d" % (cpath, d), Descriptor(bench_uuid(3, s, c, d), cpath)))

    t0 = time.monotonic()
    c0 = time.process_time()
    for path, iface in objects:
        bus.export(path, iface)
    reply = await bus.call(Message(destination="org.bluez", path=ADAPTER_PATH,
                                   interface="org.bluez.GattManager1",
                                   member="RegisterApplication", signature="oa{sv}",
                                   body=[APP_PATH, {}]))
    if reply.message_type == MessageType.ERROR:
        print("gp-bench-server-dbusfast: %s %s" % (reply.error_name, reply.body), file=sys.stderr)
        sys.exit(1)
    print("REGISTERED %d %d" % ((time.monotonic() - t0) * 1e6, (time.process_time() - c0) * 1e6),
          flush=True)
    await asyncio.get_running_loop().create_future()


if __name__ == "__main__":
    asyncio.run(main())
