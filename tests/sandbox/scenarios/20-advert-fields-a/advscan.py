"""Scanning helpers shared by the 2x advertisement scenarios (imported from
../20-advert-fields-a by the others)."""
import asyncio

from bleak import BleakScanner

import gpcentral
from gpcentral import CentralError, log

P = "/org/bluez"


def U(n):
    return "c0de%04x-7000-4000-8000-000000000000" % n


SERVICE, INFO = U(0x2000), U(0x2001)


def uuid16(n):
    return "0000%04x-0000-1000-8000-00805f9b34fb" % n


def expect(cond, what):
    if not cond:
        raise CentralError("expectation failed: " + what)


def describe(adv):
    return "name=%r uuids=%s mfr=%s sd=%s tx=%s" % (
        adv.local_name, sorted(adv.service_uuids),
        {hex(k): bytes(v).hex() for k, v in adv.manufacturer_data.items()},
        {k: bytes(v).hex() for k, v in adv.service_data.items()}, adv.tx_power)


async def scan_until(pred, what, timeout=30.0, adapter=None, window=3.0):
    """Scan until pred(device, adv) holds for one advertisement report;
    return (device, adv). Fails with the last report of every device.

    Scans in short windows: btvirt sends a report only when scanning (or
    advertising) is switched on, and the kernel drops it when it comes
    before its discovery state changed (seen in the btmon trace: the ADV_IND
    right after LE Set Scan Enable, before MGMT Discovering). bluetoothd
    restarts LE discovery only every ~10 s; each new window is a new chance,
    and within a window, when nothing matched after 0.5 s, scanning is
    switched off and on again behind the running discovery (as
    gpcentral's own scans do), which makes btvirt send its reports again.
    Without that, on a loaded host every window lost the race (scenario 22
    in a CI-like run: 9 windows, no report although btmon shows hci1
    receiving the changed advert in each)."""
    central = gpcentral.Central(adapter)
    adapter = central.adapter
    last = {}
    found = []
    done = asyncio.Event()

    def cb(dev, adv):
        last[dev.address] = describe(adv)
        if not found and pred(dev, adv):
            found.append((dev, adv))
            done.set()

    deadline = asyncio.get_running_loop().time() + timeout
    windows = 0
    while not found:
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            raise CentralError("%s not seen in %.0f s (%d scans); last reports: %s" % (what, timeout, windows, last))
        windows += 1
        async with BleakScanner(cb, adapter=adapter):
            try:
                await asyncio.wait_for(done.wait(), min(0.5, window, left))
            except asyncio.TimeoutError:
                rest = min(window, left) - 0.5
                if rest > 0:
                    await central._repeat_reports()
                    try:
                        await asyncio.wait_for(done.wait(), rest)
                    except asyncio.TimeoutError:
                        pass
        if not found:
            await asyncio.sleep(0.2)
    dev, adv = found[0]
    log("seen %s: %s %s (scan %d)" % (what, dev.address, describe(adv), windows))
    return dev, adv


def device_path(adapter, address):
    return "%s/%s/dev_%s" % (P, adapter, address.upper().replace(":", "_"))
