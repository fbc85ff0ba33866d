#!/usr/bin/python3
# gp-bench-radio-dbusfast.py: bench Part 4's dbus_fast reference (the stack
# of the Python ancestor, bluez-peripheral): one notify characteristic and
# an advertisement on the system bus, values emitted as PropertiesChanged
# and paced as the C floor is (--window N signals, then a Peer.Ping to
# org.bluez): an unpaced dbus_fast emitter crashes or floods the daemon
# (bench Part 3). Prints "advertising", and "STATS ..." on SIGTERM.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import asyncio
import os
import signal
import sys

from dbus_fast import BusType, Message, MessageType, PropertyAccess, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, dbus_property, method

APP_PATH = "/bench"
SERVICE_PATH = APP_PATH + "/service0"
CHAR_PATH = SERVICE_PATH + "/char0"
ADV_PATH = "/bench_adv/advertisement0"
SERVICE = "6e400001-0000-4000-8000-00805f9b34fb"
CHAR = "6e400002-0000-4000-8000-00805f9b34fb"


class Service(ServiceInterface):
    def __init__(self):
        super().__init__("org.bluez.GattService1")

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> "s":  # noqa: F821
        return SERVICE

    @dbus_property(access=PropertyAccess.READ)
    def Primary(self) -> "b":  # noqa: F821
        return True


class Characteristic(ServiceInterface):
    def __init__(self, bus, window):
        super().__init__("org.bluez.GattCharacteristic1")
        self.bus = bus
        self.window = window
        self.notifying = False
        self.value = bytes(20)
        self.sent = 0
        self.error = None

    @method()
    def ReadValue(self, options: "a{sv}") -> "ay":  # noqa: F821
        return self.value

    @method()
    def StartNotify(self):
        if not self.notifying:
            self.notifying = True
            print("notifying", flush=True)
            asyncio.get_running_loop().create_task(self.pump())

    @method()
    def StopNotify(self):
        self.notifying = False

    async def pump(self):
        try:
            while self.notifying:
                for _ in range(self.window):
                    self.value = (self.sent + 1).to_bytes(4, "little") + bytes(16)
                    self.emit_properties_changed({"Value": self.value})
                    self.sent += 1
                await self.bus.call(Message(destination="org.bluez", path="/",
                                            interface="org.freedesktop.DBus.Peer", member="Ping"))
        except Exception as e:
            self.error = "%s: %s" % (type(e).__name__, e)

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> "s":  # noqa: F821
        return CHAR

    @dbus_property(access=PropertyAccess.READ)
    def Service(self) -> "o":  # noqa: F821
        return SERVICE_PATH

    @dbus_property(access=PropertyAccess.READ)
    def Flags(self) -> "as":  # noqa: F821
        return ["read", "notify"]


class Advertisement(ServiceInterface):
    def __init__(self, name):
        super().__init__("org.bluez.LEAdvertisement1")
        self.name = name

    @method()
    def Release(self):
        pass

    @dbus_property(access=PropertyAccess.READ)
    def Type(self) -> "s":  # noqa: F821
        return "peripheral"

    @dbus_property(access=PropertyAccess.READ)
    def LocalName(self) -> "s":  # noqa: F821
        return self.name

    @dbus_property(access=PropertyAccess.READ)
    def ServiceUUIDs(self) -> "as":  # noqa: F821
        return [SERVICE]

    @dbus_property(access=PropertyAccess.READ)
    def Discoverable(self) -> "b":  # noqa: F821
        return True  # BlueZ 5.82 centrals ignore the name of other adverts


async def call(bus, path, interface, member, signature, body):
    reply = await bus.call(Message(destination="org.bluez", path=path, interface=interface,
                                   member=member, signature=signature, body=body))
    if reply.message_type == MessageType.ERROR:
        print("%s: %s %s" % (member, reply.error_name, reply.body), file=sys.stderr)
        sys.exit(1)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--window", type=int, default=64)
    ap.add_argument("--name", default="gp-bench")
    args = ap.parse_args()
    adapter = "/org/bluez/" + os.environ.get("GP_SANDBOX_PERIPHERAL_ADAPTER", "hci0")

    bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
    chrc = Characteristic(bus, args.window)

    def on_term():
        print("STATS sent=%d%s" % (chrc.sent, (" error=" + chrc.error) if chrc.error else ""), flush=True)
        os._exit(0)

    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, on_term)
    bus.export(SERVICE_PATH, Service())
    bus.export(CHAR_PATH, chrc)
    bus.export(ADV_PATH, Advertisement(args.name))

    # bluetoothd reads an advertisement with GetManagedObjects on the
    # advertisement's own path; dbus_fast's built-in handler lists only
    # the objects below a path, so bluetoothd would see an empty advert.
    def on_message(msg):
        if msg.message_type == MessageType.METHOD_CALL and msg.member == "GetManagedObjects" \
                and msg.path == ADV_PATH:
            props = {"Type": Variant("s", "peripheral"), "LocalName": Variant("s", args.name),
                     "ServiceUUIDs": Variant("as", [SERVICE]), "Discoverable": Variant("b", True)}
            return Message.new_method_return(msg, "a{oa{sa{sv}}}",
                                             [{ADV_PATH: {"org.bluez.LEAdvertisement1": props}}])
        return None

    bus.add_message_handler(on_message)
    await call(bus, adapter, "org.bluez.GattManager1", "RegisterApplication", "oa{sv}", [APP_PATH, {}])
    await call(bus, adapter, "org.bluez.LEAdvertisingManager1", "RegisterAdvertisement", "oa{sv}",
               [ADV_PATH, {}])
    print("advertising", flush=True)
    await asyncio.get_running_loop().create_future()


if __name__ == "__main__":
    asyncio.run(main())
