#!/usr/bin/python3
# profile.py: a peripheral described as data (a JSON profile, by default
# examples/thermometer.json), with code attached to one characteristic by
# the id the profile gave it.
#
# The profile declares the services, characteristics (with their initial
# values, typed: {"sint16": 2150}), descriptors and advertisement. This
# program looks up the characteristic "temperature" and answers its reads
# with a temperature that changes with time; every other value is the one
# the profile gives.
#
#   profile.py [--adapter hci0] [--duration SECONDS] [PROFILE.json]
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import argparse
import math
import os
import signal
import struct
import sys
import time

import gi

gi.require_version("GattPeriph", "1.0")
from gi.repository import GattPeriph as Gp, GLib  # noqa: E402


def log(*args):
    print("profile:", *args, flush=True)


class Peripheral:
    def __init__(self, path):
        self.loop = GLib.MainLoop()
        self.status = 0
        self.adapter = None
        self.start = time.monotonic()

        self.profile = Gp.Profile.new()
        self.profile.load_from_file(path)       # GLib.Error: one "json.path: problem" a line
        for problem in self.profile.check():    # warnings, e.g. the advertising budget
            log(problem)
        self.temperature = self.profile.lookup("temperature")
        if self.temperature is None:
            raise GLib.Error("%s has no characteristic with the id \"temperature\"" % path)
        self.temperature.connect("read-request", self.on_read_temperature)

    def on_read_temperature(self, characteristic, request):
        # Hundredths of a degree Celsius, as the profile's Presentation
        # Format says (sint16, exponent -2).
        celsius = 21.5 + 1.5 * math.sin((time.monotonic() - self.start) / 30.0)
        value = struct.pack("<h", round(celsius * 100))
        log("read of the temperature: %.2f °C" % celsius)
        request.return_value(GLib.Bytes.new(value))   # the offset is applied for us
        return True

    def fail(self, error):
        print("profile:", error.message, file=sys.stderr)
        self.status = 1
        self.loop.quit()

    def on_adapter(self, _source, result):
        try:
            self.adapter = Gp.Adapter.find_finish(result)
        except GLib.Error as e:
            return self.fail(e)
        self.profile.get_application().register_async(self.adapter, None, self.on_registered)

    def on_registered(self, app, result):
        try:
            app.register_finish(result)
        except GLib.Error as e:
            return self.fail(e)
        log("GATT application registered on %s" % self.adapter.get_interface_name())
        advertisement = self.profile.get_advertisement()
        if advertisement is not None:
            advertisement.start_async(self.adapter, None, self.on_advertising)

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
    parser = argparse.ArgumentParser(description="a peripheral described by a JSON profile")
    parser.add_argument("profile", nargs="?",
                        default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                             "thermometer.json"),
                        help="The profile (default: thermometer.json next to this script)")
    parser.add_argument("-a", "--adapter", metavar="NAME",
                        help="Adapter to use (hci0, an address; default: the first powered one)")
    parser.add_argument("-d", "--duration", type=int, default=0, metavar="SECONDS",
                        help="Exit after this many seconds (default: run until interrupted)")
    args = parser.parse_args()
    try:
        peripheral = Peripheral(args.profile)
    except GLib.Error as e:
        print("profile: %s:\n%s" % (args.profile, e.message), file=sys.stderr)
        return 2
    return peripheral.run(args.adapter, args.duration)


if __name__ == "__main__":
    sys.exit(main())
