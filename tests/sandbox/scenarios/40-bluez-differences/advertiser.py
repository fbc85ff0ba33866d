#!/usr/bin/python3
"""Scenario 40's second advertiser (libgattperiph through GI): one advert
with MinInterval/MaxInterval/TxPower set, started without bluetoothd -E;
then (--long) one advert whose data is over 31 bytes. Prints one line per
outcome; the central reads how bluetoothd programmed the controller from
the btmon trace."""
import sys

import gi
gi.require_version("GattPeriph", "1.0")
from gi.repository import GattPeriph as Gp, GLib  # noqa: E402

loop = GLib.MainLoop()
out = {}


def start(adv, adapter, label, then):
    """Start adv, print whether BlueZ (or the library) took it, then call then()."""
    def done(a, res):
        try:
            a.start_finish(res)
            print("%s: started" % label, flush=True)
        except GLib.Error as e:
            print("%s: refused: %s" % (label, e.message), flush=True)
        GLib.timeout_add(2000, then)
    adv.start_async(adapter, None, done)
    out[label] = adv


def step_long(adapter):
    adv = Gp.Advertisement.new()
    adv.set_advertisement_type(Gp.AdvertisementType.BROADCAST)
    adv.set_service_uuids(["c0de%04x-7000-4000-8000-000000000000" % i for i in range(0x300, 0x303)])
    start(adv, adapter, "long advert (3 x 128-bit UUIDs, 54 bytes)", loop.quit)


def on_adapter(_s, res):
    adapter = Gp.Adapter.find_finish(res)
    adv = Gp.Advertisement.new()
    adv.set_local_name("gp-iv")
    adv.props.min_interval = 200
    adv.props.max_interval = 250
    adv.props.tx_power = 3
    start(adv, adapter, "interval advert", lambda: step_long(adapter))


Gp.Adapter.find_async(None, sys.argv[1] if len(sys.argv) > 1 else "hci0", None, on_adapter)
loop.run()
