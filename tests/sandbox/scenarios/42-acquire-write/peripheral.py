#!/usr/bin/python3
"""The peripheral of scenario 42: two write-without-response characteristics
(one with acquire-write), each checking that the numbered values it gets
arrive in order; a status characteristic reports what each saw (JSON)."""
import json
import signal
import struct
import sys
import time

import gi

gi.require_version("GattPeriph", "1.0")
from gi.repository import GLib, GattPeriph as Gp  # noqa: E402

NAME = "gp-awrite"


def U(n):
    return "c0de%04x-7000-4000-8000-000000000000" % n


class Sink:
    """What one characteristic received."""

    def __init__(self, chrc, prime_first=False):
        self.chrc = chrc
        self.prime_first = prime_first
        self.count = 0
        self.next = 0
        self.out_of_order = 0
        self.acquired = 0        # writes that came while write-acquired was TRUE
        self.commands = 0        # requests reported as Write Commands
        self.primes = 0          # first writes taken as the prime (not counted above)
        self.first = self.last = None
        chrc.connect("write-request", self.on_write)

    def on_write(self, chrc, request):
        value = request.get_value().get_data()
        if self.prime_first and self.primes == 0:
            # The central's first write, which makes bluetoothd acquire the
            # socket: not part of the numbered stream, and not checked,
            # since bluetoothd may send it with a later PDU's bytes
            # (docs/bluez-quirks.md).
            self.primes += 1
            request.return_success()
            return True
        seq = struct.unpack_from("<I", value)[0] if len(value) >= 4 else -1
        now = time.monotonic()
        if self.first is None:
            self.first = now
        self.last = now
        self.count += 1
        if seq != self.next:
            self.out_of_order += 1
            if self.out_of_order <= 6:
                print("out of order: got %d, expected %d (write #%d, write-acquired %s)"
                      % (seq, self.next, self.count, chrc.props.write_acquired), flush=True)
        self.next = seq + 1
        if chrc.props.write_acquired:
            self.acquired += 1
        if request.props.write_type == Gp.WriteType.COMMAND:
            self.commands += 1
        request.return_success()
        return True

    def status(self):
        span = (self.last - self.first) if self.first is not None else 0.0
        return {"count": self.count, "next": self.next, "out_of_order": self.out_of_order,
                "primes": self.primes,
                "acquired": self.acquired, "commands": self.commands, "span": span,
                "write_acquired": self.chrc.props.write_acquired}


def main():
    loop = GLib.MainLoop()
    app = Gp.Application.new("/org/gattperiph/awrite")
    svc = Gp.Service.new(U(0x4200), True)
    flags = Gp.CharacteristicFlags.READ | Gp.CharacteristicFlags.WRITE_WITHOUT_RESPONSE
    fd_chrc = Gp.Characteristic.new(U(0x4201), flags)
    fd_chrc.props.acquire_write = True
    dbus_chrc = Gp.Characteristic.new(U(0x4202), flags)
    status = Gp.Characteristic.new(U(0x4203), Gp.CharacteristicFlags.READ)
    for c in (fd_chrc, dbus_chrc, status):
        svc.add_characteristic(c)
    app.add_service(svc)
    sinks = {"fd": Sink(fd_chrc, prime_first=True), "dbus": Sink(dbus_chrc)}

    def on_status(chrc, request):
        body = json.dumps({k: s.status() for k, s in sinks.items()}).encode()
        request.return_value(GLib.Bytes.new(body))
        return True
    status.connect("read-request", on_status)

    adv = Gp.Advertisement.new()
    adv.set_local_name(NAME)
    adv.set_service_uuids([U(0x4200)])

    tries = [0]

    def on_adv(a, result):
        try:
            a.start_finish(result)
        except GLib.Error as e:
            # A busy virtual controller can time out an HCI command: retry.
            tries[0] += 1
            print("advertising failed (%d): %s" % (tries[0], e.message), flush=True)
            if tries[0] >= 5:
                loop.quit()
                return
            GLib.timeout_add(1000, lambda: adv.start_async(app.props.adapter, None, on_adv) and False)
            return
        print("advertising", flush=True)

    def on_app(a, result):
        a.register_finish(result)
        print("registered", flush=True)
        adv.start_async(a.props.adapter, None, on_adv)

    app.register_async(None, None, on_app)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    loop.run()
    print("final", json.dumps({k: s.status() for k, s in sinks.items()}), flush=True)
    return 0


sys.exit(main())
