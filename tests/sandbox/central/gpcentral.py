#!/usr/bin/python3
"""gpcentral -- a GATT central for gp-sandbox scenarios (python3-bleak).

Library use (inside the sandbox, PYTHONPATH already contains this dir):

    import asyncio, gpcentral

    async def main():
        async with gpcentral.Central() as c:            # adapter: $GP_SANDBOX_CENTRAL_ADAPTER
            await c.connect(name="gp-demo")             # or service=UUID / address=ADDR
            for s in c.discover():                      # services, chars, descriptors
                print(s)
            print(await c.read("0000feed-0001-4000-8000-00805f9b34fb"))
            await c.write(uuid, b"x", response=False)
            await c.subscribe(uuid)
            values = await c.wait_notifications(uuid, 3, timeout=5)
            await c.pair()                               # BlueZ Device1.Pair + our agent
            print(c.timings)                             # {"scan": s, "connect": s, ...}
        return 0

    gpcentral.run(main)                                  # asyncio.run + exit status

Command line (the default central of "gp-sandbox peripheral"): connects,
discovers, reads every readable characteristic and descriptor, subscribes to
every notify/indicate characteristic and prints values as they arrive, for
--duration seconds. See --help.

BlueZ 5.66 quirk handled here: with two controllers on one bluetoothd, the
central's Device1.Connected may never turn true although ATT works and
ServicesResolved does (the MGMT "device connected" event is handled after
bluetoothd already marked the ATT link connected, and the property change is
never emitted). bleak 0.20 gives up as soon as it sees Connected == False
after Connect(); we make it wait for ServicesResolved only.
(GP_CENTRAL_NO_WORKAROUND=1 disables this, to check whether it is still needed.)
"""
import argparse
import asyncio
import contextlib
import os
import sys
import time

import bleak
from bleak import BleakClient, BleakScanner
from bleak.exc import BleakError

__all__ = ["Central", "CentralError", "run", "log", "fmt_value"]

if not os.environ.get("GP_CENTRAL_NO_WORKAROUND"):
    from bleak.backends.bluezdbus import manager as _bluez_manager

    async def _services_resolved_only(self, device_path):
        await self._wait_condition(device_path, "ServicesResolved", True)

    _bluez_manager.BlueZManager._wait_for_services_discovery = _services_resolved_only

_T0 = time.monotonic()
BLUEZ = "org.bluez"
AGENT_PATH = "/gp/central/agent"


def log(*args):
    """Print with a time stamp relative to the start of the program."""
    print("[central %7.3f]" % (time.monotonic() - _T0), *args, flush=True)


def fmt_value(data):
    """b'hi\\x00' -> "'hi\\x00' (68 69 00)": text when printable, always hex."""
    data = bytes(data)
    hexs = " ".join("%02x" % b for b in data[:48]) + (" ..." if len(data) > 48 else "")
    try:
        text = data.decode()
        if text.isprintable():
            return "%r (%d bytes: %s)" % (text, len(data), hexs)
    except UnicodeDecodeError:
        pass
    return "%d bytes: %s" % (len(data), hexs)


def full_uuid(u):
    """'2a19' / '0x2A19' -> '00002a19-0000-1000-8000-00805f9b34fb'."""
    u = u.lower().replace("0x", "")
    if len(u) == 4:
        return "0000%s-0000-1000-8000-00805f9b34fb" % u
    if len(u) == 8:
        return "%s-0000-1000-8000-00805f9b34fb" % u
    return u


def _bluetoothd_version():
    import subprocess
    try:
        return subprocess.run(["bluetoothd", "--version"], capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


class CentralError(Exception):
    pass


class Central:
    """One central on one adapter; one connected peripheral at a time."""

    def __init__(self, adapter=None, timeout=30.0):
        self.adapter = adapter or os.environ.get("GP_SANDBOX_CENTRAL_ADAPTER", "hci1")
        self.timeout = timeout
        self.client = None
        self.device = None
        self.adv = None
        self.timings = {}
        self.notifications = {}      # uuid -> [(time, bytes)]
        self._events = {}            # uuid -> asyncio.Event (new value)
        self._bus = None             # dbus_fast bus for pairing / raw BlueZ access

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.disconnect()
        if self._bus:
            self._bus.disconnect()

    @contextlib.asynccontextmanager
    async def timed(self, what):
        """async with c.timed("burst"): ...  -> c.timings["burst"] in seconds"""
        t = time.monotonic()
        try:
            yield
        finally:
            self.timings[what] = time.monotonic() - t

    # --- scanning / connecting ---------------------------------------------
    async def find(self, name=None, service=None, address=None, timeout=None):
        """Scan on our adapter until a device matches every given criterion
        (advertised LocalName, advertised service UUID, address). With no
        criterion: the address of $GP_SANDBOX_PERIPHERAL_ADAPTER (the sandbox's
        peripheral controller). Returns a BLEDevice; raises CentralError."""
        timeout = timeout or self.timeout
        service = full_uuid(service) if service else None
        if not (name or service or address):
            address = await self.adapter_address(os.environ.get("GP_SANDBOX_PERIPHERAL_ADAPTER", "hci0"))
        address = address.upper() if address else None

        def match(dev, adv):
            if name and (adv.local_name or dev.name) != name:
                return False
            if service and service not in [u.lower() for u in adv.service_uuids]:
                return False
            if address and dev.address.upper() != address:
                return False
            self.adv = adv
            return True

        what = ", ".join("%s=%s" % kv for kv in (("name", name), ("service", service), ("address", address)) if kv[1])
        # Scan in short windows: btvirt sends an advertising report only when
        # scanning or advertising is switched on, and the kernel can drop it
        # if it arrives before discovery is registered; bluetoothd itself
        # would only restart discovery after ~10 s.
        await self._forget_stale()
        dev = None
        deadline = time.monotonic() + timeout
        async with self.timed("scan"):
            while dev is None and time.monotonic() < deadline:
                window = min(5.0, max(0.5, deadline - time.monotonic()))
                dev = await self._scan_window(match, window)
        if dev is None:
            raise CentralError("no device with %s found on %s within %.0f s" % (what, self.adapter, timeout))
        self.device = dev
        return dev

    async def _scan_window(self, match, window):
        """One discovery of at most `window` seconds; the matching BLEDevice
        or None. btvirt answers a scan enable with its advertising reports
        at once, before the kernel has marked the discovery as running, and
        the kernel drops them (the btvirt/kernel race in
        docs/testing-without-hardware.md): a real advertiser repeats every
        interval, btvirt does not. So when nothing matched within 0.5 s,
        scanning is switched off and on again on the controller, with the
        discovery now running, which makes btvirt send its reports again,
        like a real radio's next advertising event."""
        found = asyncio.get_running_loop().create_future()

        def callback(dev, adv):
            if not found.done() and match(dev, adv):
                found.set_result(dev)

        async with BleakScanner(callback, adapter=self.adapter):
            with contextlib.suppress(asyncio.TimeoutError):
                return await asyncio.wait_for(asyncio.shield(found), min(0.5, window))
            if window > 0.5:
                await self._repeat_reports()
                with contextlib.suppress(asyncio.TimeoutError):
                    return await asyncio.wait_for(found, window - 0.5)
        return None

    async def _repeat_reports(self):
        """LE Set Scan Enable off, then on (filtering duplicates), on our
        controller, behind bluetoothd's running discovery (see _scan_window)."""
        for args in (("00", "00"), ("01", "01")):
            with contextlib.suppress(OSError):
                proc = await asyncio.create_subprocess_exec(
                    "hcitool", "-i", self.adapter, "cmd", "0x08", "0x000c", *args,
                    stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
                await proc.wait()

    async def _forget_stale(self):
        """Removes the devices this adapter knows but is neither connected
        to nor bonded with. Every sandbox peripheral has the same address:
        bluetoothd 5.82 keeps a known device's old name and data, and caches
        its GATT database, so a scan by name or a new connection would see
        the previous peripheral (seen in full runs: a second `gattperiph
        serve`, a bluetoothd restart). Bonds stay. Not on 5.66, where
        the cache is what the scenarios have always run with (and a fresh
        discovery there broke scenario 60 in a trial)."""
        if _bluetoothd_version() in ("", "5.66"):
            return
        adapter = "/org/bluez/" + self.adapter
        with contextlib.suppress(Exception):
            body = await self.bluez_call("/", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects")
            for path, ifaces in body[0].items():
                dev = ifaces.get("org.bluez.Device1")
                if not path.startswith(adapter + "/dev_") or dev is None:
                    continue
                if any(dev[k].value for k in ("Connected", "Paired", "Bonded") if k in dev):
                    continue
                with contextlib.suppress(Exception):
                    await self.bluez_call(adapter, "org.bluez.Adapter1", "RemoveDevice", "o", [path])

    async def connect(self, device=None, **find_args):
        """Connect (scanning first unless a BLEDevice/address is given) and
        wait until BlueZ resolved the services."""
        if device is None:
            device = await self.find(**find_args)
        self.client = BleakClient(device, adapter=self.adapter, timeout=self.timeout,
                                  disconnected_callback=self._on_disconnect)
        self._closing = False
        async with self.timed("connect"):
            await self.client.connect()
        await self._settle_services()
        await self._fetch_mtu()
        return self.client

    GATT_INTERFACES = ("org.bluez.GattService1", "org.bluez.GattCharacteristic1",
                       "org.bluez.GattDescriptor1")

    async def _settle_services(self, timeout=10.0):
        """bleak builds its service collection from the InterfacesAdded it has
        seen when ServicesResolved turns true. bluetoothd can send that
        PropertiesChanged before the InterfacesAdded of the objects it
        exported in the same pass: answering a D-Bus call meanwhile flushes
        gdbus's pending list device first (scenario 19's comment; scenario 60
        saw it on 5.82 for a whole service, twice in a row, in a full-suite
        run). So: until every GATT object BlueZ has under the device is in
        bleak's collection, wait for bleak to see them and build it again.
        Logs when it had to."""
        backend = getattr(self.client, "_backend", None)
        if backend is None or not hasattr(backend, "_device_path"):
            return
        # The manager, not backend.get_services(): that refuses while
        # Device1.Connected is false (the 5.66 quirk above).
        from bleak.backends.bluezdbus.manager import get_global_bluez_manager
        manager = await get_global_bluez_manager()
        prefix = self.device_path + "/"
        deadline = time.monotonic() + timeout
        rebuilds = 0
        while True:
            body = await self.bluez_call("/", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects")
            want = {path for path, ifaces in body[0].items()
                    if path.startswith(prefix) and any(i in ifaces for i in self.GATT_INTERFACES)}
            have = set()
            for svc in backend.services or []:
                have.add(svc.path)
                for ch in svc.characteristics:
                    have.add(ch.path)
                    have.update(d.path for d in ch.descriptors)
            missing = want - have
            if not missing:
                if rebuilds:
                    log("services settled: bleak's first collection lacked objects BlueZ had "
                        "exported (built again %d time(s))" % rebuilds)
                return
            if time.monotonic() > deadline:
                log("services not settled after %.0f s: bleak lacks %s" % (timeout, sorted(missing)))
                return
            await asyncio.sleep(0.1)
            backend.services = await manager.get_services(
                backend._device_path, False, getattr(backend, "_requested_services", None))
            rebuilds += 1

    async def _fetch_mtu(self):
        """bleak 0.20 only knows the MTU after AcquireWrite/Notify; BlueZ
        (>= 5.62) exposes the negotiated one as GattCharacteristic1.MTU."""
        self._mtu = None
        for s in self.client.services:
            for c in s.characteristics:
                with contextlib.suppress(Exception):
                    body = await self.bluez_call(c.path, "org.freedesktop.DBus.Properties", "Get", "ss",
                                                 ["org.bluez.GattCharacteristic1", "MTU"])
                    self._mtu = body[0].value
                    backend = getattr(self.client, "_backend", None)
                    if backend is not None and hasattr(backend, "_mtu_size"):
                        backend._mtu_size = self._mtu
                    return

    def _on_disconnect(self, _client):
        if not getattr(self, "_closing", False):
            log("disconnected (by the peer or the stack)")

    async def disconnect(self):
        """Disconnect and wait until the link is really gone. bleak skips
        Device1.Disconnect when it never saw Connected == true (the BlueZ
        5.66 race above), which would leave the link up: ask BlueZ directly."""
        if self.client is not None:
            self._closing = True
            path = self.device_path
            c, self.client = self.client, None
            with contextlib.suppress(Exception):
                await c.disconnect()
            for _ in range(100):
                try:
                    props = await self._props(path)
                except CentralError:
                    break                      # device object gone: disconnected
                if not (props.get("Connected") or props.get("ServicesResolved")):
                    break
                with contextlib.suppress(CentralError):
                    await self.bluez_call(path, "org.bluez.Device1", "Disconnect")
                await asyncio.sleep(0.1)

    @property
    def mtu(self):
        """ATT MTU negotiated by BlueZ (None if unknown)."""
        return getattr(self, "_mtu", None)

    # --- discovery ------------------------------------------------------------
    def discover(self):
        """Services as a list of dicts, in handle order:
        {uuid, handle, primary, includes: [uuid], path, characteristics: [
          {uuid, handle, properties: [flags], path, descriptors: [{uuid, handle}]}]}
        Secondary services are listed too (BlueZ exposes them as GattService1
        objects with Primary=false; bleak keeps those properties in .obj).
        "includes" comes from GattService1.Includes, which both 5.66 and
        5.82 export on the client side (seen in scenario 62's runs)."""
        self._need_client()
        by_path = {s.path: s for s in self.client.services}
        out = []
        for s in sorted(self.client.services, key=lambda s: s.handle):
            obj = getattr(s, "obj", {}) or {}
            includes = [by_path[p].uuid for p in obj.get("Includes", []) if p in by_path]
            out.append({
                "uuid": s.uuid, "handle": s.handle, "path": s.path,
                "primary": bool(obj.get("Primary", True)), "includes": includes,
                "characteristics": [{
                    "uuid": c.uuid, "handle": c.handle, "path": c.path,
                    "properties": list(c.properties),
                    "descriptors": [{"uuid": d.uuid, "handle": d.handle} for d in c.descriptors],
                } for c in sorted(s.characteristics, key=lambda c: c.handle)],
            })
        return out

    def characteristic(self, uuid):
        self._need_client()
        c = self.client.services.get_characteristic(full_uuid(uuid))
        if c is None:
            raise CentralError("characteristic %s not found" % uuid)
        return c

    # --- ATT operations ----------------------------------------------------------
    async def read(self, uuid_or_char):
        """Read a characteristic value. BlueZ performs long reads (Read Blob)
        itself, so values longer than MTU-1 come back whole."""
        char = self._char(uuid_or_char)
        return bytes(await self.client.read_gatt_char(char))

    async def read_descriptor(self, handle):
        self._need_client()
        return bytes(await self.client.read_gatt_descriptor(handle))

    async def write(self, uuid_or_char, data, response=True):
        """Write request (response=True) or write command (response=False).
        Unlike bleak, never silently switches to the other kind."""
        char = self._char(uuid_or_char)
        need = "write" if response else "write-without-response"
        if need not in char.properties:
            raise CentralError("%s has no %r property (has %s)" % (char.uuid, need, char.properties))
        await self.client.write_gatt_char(char, bytes(data), response=response)

    async def subscribe(self, uuid_or_char, callback=None):
        """Enable notifications/indications; values are collected in
        self.notifications[uuid] and optionally passed to callback(uuid, data)."""
        char = self._char(uuid_or_char)
        self.notifications.setdefault(char.uuid, [])
        ev = self._events.setdefault(char.uuid, asyncio.Event())

        def on_value(_c, data):
            self.notifications[char.uuid].append((time.monotonic(), bytes(data)))
            ev.set()
            if callback:
                callback(char.uuid, bytes(data))

        await self.client.start_notify(char, on_value)

    async def unsubscribe(self, uuid_or_char):
        await self.client.stop_notify(self._char(uuid_or_char))

    async def wait_notifications(self, uuid, count, timeout=10.0):
        """Wait until at least `count` values arrived for uuid; return them."""
        uuid = full_uuid(uuid)
        ev = self._events.setdefault(uuid, asyncio.Event())
        deadline = time.monotonic() + timeout
        while len(self.notifications.get(uuid, [])) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CentralError("got %d of %d notifications from %s in %.1f s" % (
                    len(self.notifications.get(uuid, [])), count, uuid, timeout))
            ev.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(ev.wait(), left)
        return [v for _, v in self.notifications[uuid]]

    # --- BlueZ D-Bus (pairing, properties) -----------------------------------
    async def bus(self):
        if self._bus is None:
            from dbus_fast import BusType
            from dbus_fast.aio import MessageBus
            self._bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
        return self._bus

    async def bluez_call(self, path, interface, member, signature="", body=()):
        from dbus_fast import Message, MessageType
        bus = await self.bus()
        reply = await bus.call(Message(destination=BLUEZ, path=path, interface=interface,
                                       member=member, signature=signature, body=list(body)))
        if reply.message_type == MessageType.ERROR:
            raise CentralError("%s.%s: %s %s" % (interface, member, reply.error_name, reply.body))
        return reply.body

    async def adapter_address(self, adapter):
        body = await self.bluez_call("/org/bluez/" + adapter, "org.freedesktop.DBus.Properties",
                                     "Get", "ss", ["org.bluez.Adapter1", "Address"])
        return body[0].value

    @property
    def device_path(self):
        self._need_client()
        return "/org/bluez/%s/dev_%s" % (self.adapter, self.client.address.upper().replace(":", "_"))

    async def device_props(self):
        return await self._props(self.device_path)

    async def _props(self, path):
        body = await self.bluez_call(path, "org.freedesktop.DBus.Properties",
                                     "GetAll", "s", ["org.bluez.Device1"])
        return {k: v.value for k, v in body[0].items()}

    async def register_agent(self, capability="NoInputNoOutput", default=False, passkey=0):
        """Export an org.bluez.Agent1 that accepts everything and register it.
        capability: NoInputNoOutput (Just Works), DisplayYesNo, KeyboardDisplay,
        DisplayOnly, KeyboardOnly. passkey: what RequestPasskey answers.
        default=True also makes it the default agent (used for requests that
        come from the remote side on any adapter of this bluetoothd)."""
        from dbus_fast.service import ServiceInterface, method

        class Agent(ServiceInterface):
            def __init__(self):
                super().__init__("org.bluez.Agent1")

            @method()
            def Release(self):
                pass

            @method()
            def RequestPinCode(self, device: "o") -> "s":  # noqa: F821
                log("agent: RequestPinCode", device)
                return "0000"

            @method()
            def DisplayPinCode(self, device: "o", pincode: "s"):  # noqa: F821
                log("agent: DisplayPinCode", device, pincode)

            @method()
            def RequestPasskey(self, device: "o") -> "u":  # noqa: F821
                log("agent: RequestPasskey", device, "->", passkey)
                return passkey

            @method()
            def DisplayPasskey(self, device: "o", passkey: "u", entered: "q"):  # noqa: F821
                log("agent: DisplayPasskey", device, passkey)

            @method()
            def RequestConfirmation(self, device: "o", passkey: "u"):  # noqa: F821
                log("agent: RequestConfirmation", device, passkey, "-> yes")

            @method()
            def RequestAuthorization(self, device: "o"):  # noqa: F821
                log("agent: RequestAuthorization", device, "-> yes")

            @method()
            def AuthorizeService(self, device: "o", uuid: "s"):  # noqa: F821
                pass

            @method()
            def Cancel(self):
                log("agent: Cancel")

        bus = await self.bus()
        bus.export(AGENT_PATH, Agent())
        await self.bluez_call("/org/bluez", "org.bluez.AgentManager1", "RegisterAgent", "os",
                              [AGENT_PATH, capability])
        if default:
            await self.bluez_call("/org/bluez", "org.bluez.AgentManager1", "RequestDefaultAgent",
                                  "o", [AGENT_PATH])

    async def pair(self, capability="NoInputNoOutput", default_agent=False):
        """Pair the connected device through BlueZ Device1.Pair() with our own
        agent (bleak 0.20's pair() brings none; bluetoothd 5.66 refuses even
        Just Works without an agent). Returns the Device1 properties after."""
        if not getattr(self, "_agent", False):
            await self.register_agent(capability, default=default_agent)
            self._agent = True
        async with self.timed("pair"):
            await self.bluez_call(self.device_path, "org.bluez.Device1", "Pair")
        return await self.device_props()

    # --- helpers ---------------------------------------------------------------
    def _need_client(self):
        if self.client is None:
            raise CentralError("not connected")

    def _char(self, uuid_or_char):
        if isinstance(uuid_or_char, str):
            return self.characteristic(uuid_or_char)
        self._need_client()
        return uuid_or_char


def _bleak_version():
    try:
        from importlib.metadata import version
        return version("bleak")
    except Exception:
        return "?"


def run(main):
    """asyncio.run(main()) with an exit status: main's return value, 1 on
    CentralError/BleakError (printed), for `sys.exit(gpcentral.run(main))`."""
    try:
        rc = asyncio.run(main())
    except (CentralError, BleakError, asyncio.TimeoutError) as e:
        log("FAIL: %s: %s" % (type(e).__name__, e))
        rc = 1
    sys.exit(rc or 0)


# --- the default central: a live view ------------------------------------------
async def _cli(args):
    c = Central(args.adapter, timeout=args.scan_timeout)
    errors = 0
    async with c:
        what = args.name or args.service or args.address or "the sandbox peripheral (%s)" % os.environ.get(
            "GP_SANDBOX_PERIPHERAL_ADAPTER", "hci0")
        log("bleak %s on %s, looking for %s" % (_bleak_version(), c.adapter, what))
        dev = await c.find(name=args.name, service=args.service, address=args.address)
        log("found %s name=%r services=%s rssi=%s in %.2f s" % (
            dev.address, c.adv.local_name, c.adv.service_uuids, c.adv.rssi, c.timings["scan"]))
        await c.connect(dev)
        log("connected, services resolved in %.2f s, MTU %s" % (c.timings["connect"], c.mtu))
        if args.pair:
            props = await c.pair(args.capability)
            log("paired in %.2f s: Paired=%s Bonded=%s" % (c.timings["pair"], props.get("Paired"),
                                                           props.get("Bonded")))
        services = c.discover()
        subscribed = []
        for s in services:
            log("%s service %s (handle 0x%04x)%s" % ("primary" if s["primary"] else "secondary", s["uuid"],
                                                    s["handle"], " includes %s" % s["includes"] if s["includes"] else ""))
            for ch in s["characteristics"]:
                line = "  char %s (0x%04x) [%s]" % (ch["uuid"], ch["handle"], ", ".join(ch["properties"]))
                if "read" in ch["properties"] and not args.no_read:
                    try:
                        t = time.monotonic()
                        v = await c.read(ch["uuid"])
                        line += " = %s [%.0f ms]" % (fmt_value(v), (time.monotonic() - t) * 1000)
                    except Exception as e:  # report and go on: that is the point of a live view
                        line += " read FAILED: %s" % e
                        errors += 1
                log(line)
                for d in ch["descriptors"]:
                    dl = "    desc %s (0x%04x)" % (d["uuid"], d["handle"])
                    if not args.no_read:
                        try:
                            dl += " = %s" % fmt_value(await c.read_descriptor(d["handle"]))
                        except Exception as e:
                            dl += " read failed: %s" % e
                    log(dl)
                if ({"notify", "indicate"} & set(ch["properties"])) and not args.no_subscribe:
                    subscribed.append(ch["uuid"])
        for u in args.expect:
            uuid, _, want = u.partition("=")
            got = await c.read(uuid)
            want_b = bytes.fromhex(want[4:]) if want.startswith("hex:") else want.encode()
            if got != want_b:
                log("EXPECT FAILED: %s = %s, wanted %s" % (uuid, fmt_value(got), fmt_value(want_b)))
                errors += 1
            else:
                log("expect ok: %s = %s" % (uuid, fmt_value(got)))
        for u in subscribed:
            try:
                await c.subscribe(u, lambda uuid, data: log("notify %s: %s" % (uuid, fmt_value(data))))
                log("subscribed to %s" % u)
            except Exception as e:
                log("subscribe %s FAILED: %s" % (u, e))
                errors += 1
        if args.duration > 0:
            log("listening for %.0f s" % args.duration)
            await asyncio.sleep(args.duration)
        for u in subscribed:
            with contextlib.suppress(Exception):
                await c.unsubscribe(u)
        n = sum(len(v) for v in c.notifications.values())
        log("done: %d services, %d notifications, %d errors" % (len(services), n, errors))
    return 1 if errors else 0


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Default sandbox central: find a peripheral, connect, discover, read "
                    "everything readable, subscribe to everything notifiable, print it all.")
    ap.add_argument("--adapter", default=os.environ.get("GP_SANDBOX_CENTRAL_ADAPTER", "hci1"))
    ap.add_argument("--name", help="advertised local name to look for")
    ap.add_argument("--service", help="advertised service UUID to look for")
    ap.add_argument("--address", help="device address (default: the sandbox peripheral adapter's)")
    ap.add_argument("--scan-timeout", type=float, default=30)
    ap.add_argument("--duration", type=float, default=10, help="seconds to stay connected listening")
    ap.add_argument("--pair", action="store_true", help="pair (Device1.Pair) after connecting")
    ap.add_argument("--capability", default="NoInputNoOutput", help="agent IO capability for --pair")
    ap.add_argument("--no-read", action="store_true")
    ap.add_argument("--no-subscribe", action="store_true")
    ap.add_argument("--expect", action="append", default=[], metavar="UUID=VALUE",
                    help="fail unless reading UUID gives VALUE (text, or hex:0a0b...)")
    args = ap.parse_args(argv)
    run(lambda: _cli(args))


if __name__ == "__main__":
    main()
