#!/usr/bin/python3
# heart-rate.py: a Bluetooth LE heart-rate monitor (the Heart Rate service,
# 0x180D) with libgattperiph from Python (PyGObject); the same as
# examples/heart-rate.c.
#
# It exports the Heart Rate Measurement characteristic (0x2A37, read and
# notify), whose value is [flags = 0x00, bpm as uint8], sends a new
# measurement every --interval-ms while a central is subscribed, and
# advertises as "Heart Monitor" (appearance 0x0340, Generic Heart Rate
# Sensor).
#
#   heart-rate.py [--adapter hci0] [--interval-ms 1000] [--duration SECONDS]
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import argparse
import math
import signal
import sys

import gi

gi.require_version("GattPeriph", "1.0")
from gi.repository import GattPeriph as Gp, GLib  # noqa: E402


def log(*args):
    print("heart-rate:", *args, flush=True)


class HeartRate:
    def __init__(self, interval_ms):
        self.interval_ms = interval_ms
        self.loop = GLib.MainLoop()
        self.status = 0
        self.tick = 0
        self.timer = 0
        self.adapter = None
        self.advertisement = None

        self.app = Gp.Application.new("/org/gattperiph/example/heartrate")
        service = Gp.Service.new("180d", True)
        self.measurement = Gp.Characteristic.new(
            "2a37", Gp.CharacteristicFlags.READ | Gp.CharacteristicFlags.NOTIFY)
        self.measurement.set_value(bytes([0x00, 72]))       # bytes work (overrides)
        self.measurement.add_descriptor(
            Gp.Descriptor.new_user_description("Heart rate in beats per minute"))
        service.add_characteristic(self.measurement)
        location = Gp.Characteristic.new("2a38", Gp.CharacteristicFlags.READ)
        location.set_value(b"\x01")                         # Body Sensor Location: chest
        service.add_characteristic(location)
        self.app.add_service(service)
        self.measurement.connect("notify::notifying", self.on_notifying)

    def current_bpm(self):
        # A resting heart that speeds up and calms down again.
        return int(72 + 10 * math.sin(self.tick / 8.0))

    def on_tick(self):
        self.tick += 1
        bpm = self.current_bpm()
        try:
            # Stored for reads, and sent to the subscribed centrals.
            self.measurement.set_value(bytes([0x00, bpm]))
            log("notified %u bpm" % bpm)
        except GLib.Error as e:
            print("heart-rate:", e.message, file=sys.stderr)
        return GLib.SOURCE_CONTINUE

    def on_notifying(self, chrc, _pspec):
        if chrc.props.notifying:
            log("a central subscribed")
            if not self.timer:
                self.timer = GLib.timeout_add(self.interval_ms, self.on_tick)
        else:
            log("no central subscribed")
            if self.timer:
                GLib.source_remove(self.timer)
                self.timer = 0

    def fail(self, error):
        print("heart-rate:", error.message, file=sys.stderr)
        self.status = 1
        self.loop.quit()

    def on_adapter(self, _source, result):
        try:
            self.adapter = Gp.Adapter.find_finish(result)
        except GLib.Error as e:
            return self.fail(e)
        self.app.register_async(self.adapter, None, self.on_registered)

    def on_registered(self, app, result):
        try:
            app.register_finish(result)
        except GLib.Error as e:
            return self.fail(e)
        log("GATT application registered on %s" % app.props.adapter.get_interface_name())

        # Connectable, discoverable, advertising until stopped.
        self.advertisement = Gp.Advertisement.new()
        self.advertisement.set_local_name("Heart Monitor")
        self.advertisement.set_service_uuids(["180d"])
        self.advertisement.set_appearance(0x0340)           # Generic Heart Rate Sensor
        self.advertisement.start_async(self.adapter, None, self.on_advertising)

    def on_advertising(self, advertisement, result):
        try:
            advertisement.start_finish(result)
        except GLib.Error as e:
            return self.fail(e)
        log('advertising as "%s"' % advertisement.get_local_name())

    def run(self, adapter_name, duration):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, self.quit)
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, self.quit)
        if duration > 0:
            GLib.timeout_add_seconds(duration, self.quit)
        Gp.Adapter.find_async(None, adapter_name, None, self.on_adapter)
        self.loop.run()
        return self.status

    def quit(self):
        self.loop.quit()
        return GLib.SOURCE_REMOVE


def main():
    parser = argparse.ArgumentParser(description="a Bluetooth LE heart-rate monitor")
    parser.add_argument("-a", "--adapter", metavar="NAME",
                        help="Adapter to use (hci0, an address; default: the first powered one)")
    parser.add_argument("-i", "--interval-ms", type=int, default=1000, metavar="MS",
                        help="Milliseconds between measurements (default 1000)")
    parser.add_argument("-d", "--duration", type=int, default=0, metavar="SECONDS",
                        help="Exit after this many seconds (default: run until interrupted)")
    args = parser.parse_args()
    if not 10 <= args.interval_ms <= 60000:
        print("heart-rate: --interval-ms must be between 10 and 60000", file=sys.stderr)
        return 2
    try:
        hr = HeartRate(args.interval_ms)
    except GLib.Error as e:
        print("heart-rate:", e.message, file=sys.stderr)
        return 1
    return hr.run(args.adapter, args.duration)


if __name__ == "__main__":
    sys.exit(main())
