#!/usr/bin/python3
"""Observe the BlueZ behaviours that differ between releases (scenario 40)."""
import asyncio
import json
import os
import re
import subprocess
import time

import gpcentral
from gpcentral import log
import gpscenario as g


def bluez_version():
    out = subprocess.run(["/usr/libexec/bluetooth/bluetoothd", "-v"], capture_output=True, text=True)
    return tuple(int(x) for x in out.stdout.strip().split("."))


def parse_monitor(text, peripheral_names):
    """Method calls of the dbus-monitor log: [(member, interface, sender,
    destination, [option keys / argument strings])]."""
    calls = []
    for block in re.split(r"\n(?=method call |method return |signal |error )", text):
        m = re.match(r"method call time=\S+ sender=(\S+) -> destination=(\S+) serial=\d+ "
                     r"path=(\S+); interface=(\S+); member=(\S+)", block)
        if not m:
            continue
        sender, dest, path, iface, member = m.groups()
        keys = re.findall(r'dict entry\(\s*string "([^"]+)"', block)
        strings = re.findall(r'^\s*string "([^"]*)"\s*$', block, re.M)
        calls.append({"member": member, "interface": iface, "sender": sender,
                      "destination": dest, "path": path, "keys": keys, "strings": strings})
    return calls


async def main():
    ver = bluez_version()
    log("bluetoothd", ".".join(map(str, ver)))
    obs = {"bluez": ".".join(map(str, ver))}
    mon_log = os.path.join(os.environ["GP_SANDBOX_OUT"], "monitor.log")
    mon = subprocess.Popen(["dbus-monitor", "--system",
                            "type='method_call',interface='org.bluez.GattCharacteristic1'",
                            "type='method_call',interface='org.bluez.GattDescriptor1'",
                            "type='method_call',interface='org.freedesktop.DBus.Properties',member='Get'",
                            "type='method_call',interface='org.freedesktop.DBus.Properties',member='GetAll'",
                            "type='method_call',interface='org.freedesktop.DBus.ObjectManager'"],
                           stdout=open(mon_log, "w"), stderr=subprocess.STDOUT)
    await asyncio.sleep(1.0)   # the monitor's match rules are in place
    checks = []

    def check(what, cond, detail=""):
        checks.append((what, bool(cond), detail))
        log(("ok  " if cond else "FAIL"), what, detail)

    async with gpcentral.Central() as c:
        # -- the peripheral adapter and its advertising manager ------------------
        per = "/org/bluez/" + os.environ.get("GP_SANDBOX_PERIPHERAL_ADAPTER", "hci0")
        body = await c.bluez_call(per, "org.freedesktop.DBus.Properties", "GetAll", "s", ["org.bluez.Adapter1"])
        obs["adapter_properties"] = sorted(body[0])
        body = await c.bluez_call(per, "org.freedesktop.DBus.Properties", "GetAll", "s",
                                  ["org.bluez.LEAdvertisingManager1"])
        adv = {k: v.value for k, v in body[0].items()}
        obs["advertising_manager_properties"] = sorted(adv)
        obs["supported_features"] = adv.get("SupportedFeatures")
        caps = adv.get("SupportedCapabilities")
        obs["supported_capabilities"] = {k: v.value for k, v in caps.items()} if caps else None
        obs["supported_includes"] = adv.get("SupportedIncludes")
        obs["supported_secondary_channels"] = adv.get("SupportedSecondaryChannels")

        # -- one of each ATT operation --------------------------------------------
        await c.connect(name=g.NAME, service=g.SERVICE)
        obs["central_mtu"] = c.mtu
        dev = await c.device_props()
        obs["device_properties"] = sorted(dev)
        ch = c._char(g.STATIC)
        body = await c.bluez_call(ch.path, "org.freedesktop.DBus.Properties", "GetAll", "s",
                                  ["org.bluez.GattCharacteristic1"])
        obs["client_characteristic_properties"] = sorted(body[0])
        await c.read(g.STATIC)
        await c.read(g.LONG)
        await c.write(g.WRITE, b"request", response=True)
        await c.write(g.WRITE_NO_RSP, b"command", response=False)
        # Writes up to 512 bytes (one Write Request: the MTU is 517 here):
        # 5.66 refuses more than 510 (fixed in 5.69).
        lengths = {}
        for n in (400, 508, 510, 511, 512):
            data = bytes((i * 13 + n) % 256 for i in range(n))
            try:
                await c.write(g.LONG_WRITE, data, response=True)
                got = await c.read(g.LONG_WRITE)
                lengths[n] = "ok" if got == data else "read back %d bytes" % len(got)
            except Exception as e:      # noqa: BLE001 -- the error is the observation
                lengths[n] = "error: %s" % e
        obs["long_write"] = lengths
        await c.subscribe(g.NOTIFY)
        await g.command(c, "burst 3")
        await c.wait_notifications(g.NOTIFY, 1, timeout=15)
        await c.subscribe(g.NOTIFY_FD)
        await g.command(c, "burst-fd 3")
        await c.wait_notifications(g.NOTIFY_FD, 1, timeout=15)
        await c.disconnect()
    await asyncio.sleep(1.0)
    mon.terminate()
    mon.wait()

    # -- advertising: intervals and TX power without -E, data over 31 bytes --------
    env = dict(os.environ)
    b = env["GP_BUILD_DIR"]
    env.update(GI_TYPELIB_PATH=os.path.join(b, "libgattperiph"), LD_LIBRARY_PATH=os.path.join(b, "libgattperiph"))
    adv_run = subprocess.run(["/usr/bin/python3", "-u", "advertiser.py", os.environ.get("GP_SANDBOX_PERIPHERAL_ADAPTER", "hci0")],
                             env=env, capture_output=True, text=True, timeout=60)
    obs["advertiser"] = (adv_run.stdout + adv_run.stderr).strip().splitlines()
    trace = subprocess.run(["btmon", "-r", os.path.join(os.environ["GP_SANDBOX_OUT"], "btmon.snoop")],
                           capture_output=True, text=True).stdout
    params = re.findall(r"MGMT Command: Add Extended Adve\S* \(0x0054\)[^\n]*\n((?:        .*\n)+)", trace)
    obs["mgmt_adv_params"] = [re.sub(r"\s+", " ", p).strip() for p in params]
    iv = [p for p in obs["mgmt_adv_params"] if "200.000 msec" in p]
    obs["intervals_applied"] = bool(iv)
    obs["tx_power_applied"] = any("TX power: 3 dbm" in p for p in obs["mgmt_adv_params"])
    obs["max_adv_data_len"] = sorted(set(int(x) for x in re.findall(r"Available adv data len: (\d+)", trace)))

    calls = parse_monitor(open(mon_log).read(), None)
    bluez = [x for x in calls if x["interface"] in ("org.bluez.GattCharacteristic1", "org.bluez.GattDescriptor1")
             and not x["path"].startswith("/org/bluez/")]
    opts = {}
    for x in bluez:
        opts.setdefault(x["member"], set()).update(x["keys"])
    obs["server_method_options"] = {k: sorted(v) for k, v in sorted(opts.items())}
    gets = set()
    for x in calls:
        if x["member"] in ("Get", "GetAll") and not x["path"].startswith("/org/bluez") and x["strings"]:
            gets.add(" ".join(x["strings"]))
    obs["properties_read_from_app"] = sorted(gets)
    obs["acquire_notify_calls"] = sum(1 for x in bluez if x["member"] == "AcquireNotify")

    print(json.dumps(obs, indent=1, sort_keys=True), flush=True)
    report = os.environ.get("GP_PROBE_REPORT")
    if report:
        with open(report, "w") as f:
            json.dump(obs, f, indent=1, sort_keys=True)

    # -- what each release is known to do (docs/bluez-quirks.md) -----------------
    check("bluetoothd sent ReadValue/WriteValue with a device option",
          "device" in opts.get("ReadValue", ()) and "device" in opts.get("WriteValue", ()), opts)
    new_caps = ver >= (5, 70)      # SupportedCapabilities/Features lost their -E flag
    check("SupportedCapabilities readable without -E: %s" % new_caps,
          (obs["supported_capabilities"] is not None) == new_caps, obs["supported_capabilities"])
    fixed_508 = ver >= (5, 69)
    check("a 511..512-byte write works: %s" % fixed_508,
          all((lengths[n] == "ok") == fixed_508 for n in (511, 512))
          and all(lengths[n] == "ok" for n in (400, 508, 510)), lengths)
    new_adv = ver >= (5, 82)
    # libgattperiph refuses intervals when SupportedCapabilities is hidden
    # (5.66 without -E); 5.82 shows it and honours them.
    check("interval advert started: %s" % new_adv,
          any(line == "interval advert: started" for line in obs["advertiser"]) == new_adv, obs["advertiser"])
    check("MinInterval/MaxInterval applied without -E: %s" % new_adv, obs["intervals_applied"] == new_adv,
          obs["mgmt_adv_params"])
    check("one AcquireNotify for one central", obs["acquire_notify_calls"] == 1, obs["acquire_notify_calls"])
    failed = [w for w, ok, _ in checks if not ok]
    if failed:
        raise gpcentral.CentralError("%d observation(s) differ from docs/bluez-quirks.md: %s" % (
            len(failed), "; ".join(failed)))
    log("PASS")
    return 0


gpcentral.run(main)
