#!/usr/bin/python3
# uart.py: a UART-style service (Nordic UART Service layout) with
# libgattperiph from Python: a central writes text to RX (6e400002, write /
# write without response) and gets it back upper-cased as a notification on
# TX (6e400003, notify). Advertises as "GP UART".
#
#   uart.py [--adapter hci0] [--duration SECONDS]
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import argparse
import signal
import sys

import gi

gi.require_version("GattPeriph", "1.0")
from gi.repository import GattPeriph as Gp, GLib  # noqa: E402

UART_SERVICE = "6e400001-b5a3-f393-e0a9-e50e24dcca9e"
UART_RX = "6e400002-b5a3-f393-e0a9-e50e24dcca9e"
UART_TX = "6e400003-b5a3-f393-e0a9-e50e24dcca9e"


def log(*args):
    print("uart:", *args, flush=True)


class Receiver(Gp.Characteristic):
    """RX: a subclass that overrides the write handler (a vfunc)."""

    def __init__(self, transmitter):
        # acquire_write: bluetoothd hands the writes over a socket instead of
        # one D-Bus call each (every write is accepted; a write carries at
        # most MTU - 3 bytes, which UART chunks do anyway).
        super().__init__(uuid=UART_RX,
                         flags=Gp.CharacteristicFlags.WRITE
                         | Gp.CharacteristicFlags.WRITE_WITHOUT_RESPONSE,
                         acquire_write=True)
        self.transmitter = transmitter

    def do_write_request(self, request):
        data = request.get_value().get_data()
        log("received %r from %s" % (data, request.get_device_path()))
        request.return_success()
        reply = data.upper()
        if self.transmitter.props.notifying:
            # Each reply is sent, none coalesced; the callback says when
            # bluetoothd took it.
            self.transmitter.send_value_async(reply, None, self.on_sent)
        return True

    def on_sent(self, transmitter, result):
        try:
            transmitter.send_value_finish(result)
            log("sent %r" % transmitter.get_value().get_data())
        except GLib.Error as e:
            log("not sent:", e.message)


def main():
    parser = argparse.ArgumentParser(description="a UART-style echo service")
    parser.add_argument("-a", "--adapter", metavar="NAME", help="Adapter to use (default: the first powered one)")
    parser.add_argument("-d", "--duration", type=int, default=0, metavar="SECONDS",
                        help="Exit after this many seconds (default: run until interrupted)")
    args = parser.parse_args()

    loop = GLib.MainLoop()
    status = [0]

    def fail(e):
        print("uart:", e.message, file=sys.stderr)
        status[0] = 1
        loop.quit()

    app = Gp.Application.new("/org/gattperiph/example/uart")
    service = Gp.Service.new(UART_SERVICE, True)
    tx = Gp.Characteristic.new(UART_TX, Gp.CharacteristicFlags.NOTIFY)
    rx = Receiver(tx)
    service.add_characteristic(rx)
    service.add_characteristic(tx)
    app.add_service(service)
    advertisement = Gp.Advertisement.new()
    advertisement.set_local_name("GP UART")
    advertisement.set_service_uuids([UART_SERVICE])

    def on_advertising(adv, result):
        try:
            adv.start_finish(result)
        except GLib.Error as e:
            return fail(e)
        log('advertising as "%s"' % adv.get_local_name())

    def on_registered(app, result, adapter):
        try:
            app.register_finish(result)
        except GLib.Error as e:
            return fail(e)
        log("GATT application registered on %s" % adapter.get_interface_name())
        advertisement.start_async(adapter, None, on_advertising)

    def on_adapter(_source, result):
        try:
            adapter = Gp.Adapter.find_finish(result)
        except GLib.Error as e:
            return fail(e)
        app.register_async(adapter, None, on_registered, adapter)

    def quit():
        loop.quit()
        return GLib.SOURCE_REMOVE

    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, quit)
    if args.duration > 0:
        GLib.timeout_add_seconds(args.duration, quit)
    Gp.Adapter.find_async(None, args.adapter, None, on_adapter)
    loop.run()
    return status[0]


if __name__ == "__main__":
    sys.exit(main())
