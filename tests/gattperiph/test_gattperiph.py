# SPDX-License-Identifier: LGPL-2.1-or-later
"""gattperiph against the fake BlueZ: serve logs what a central does (as
text and as JSON), every behaviour answers as documented, Ctrl-C
unregisters everything, and the messages for a missing BlueZ or a
powered-off adapter; validate on good and bad profiles (and on every
shipped profile)."""
import glob
import json
import os
import select
import signal
import subprocess
import time

import pytest
from gi.repository import Gio, GLib

TOOL = os.environ.get("GP_GATTPERIPH", "gattperiph")
PROFILES = os.environ.get("GP_PROFILES_DIR", "")
SVC = "c0de0000-7000-4000-8000-0000000000aa"


def U(n):
    return "c0de%04x-7000-4000-8000-0000000000aa" % n


def chrc(id_, n, flags, value=None, behavior=None, **extra):
    c = {"id": id_, "uuid": U(n), "flags": flags}
    if value is not None:
        c["value"] = value
    if behavior is not None:
        c["behavior"] = behavior
    c.update(extra)
    return c


def profile(*characteristics, name="gp-tool-test"):
    return {
        "services": [{"uuid": SVC, "primary": True, "characteristics": list(characteristics)}],
        "advertisement": {"local-name": name, "service-uuids": [SVC]},
    }


def write_profile(tmp_path, data, name="profile.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2))
    return str(path)


class Tool:
    """gattperiph serve on the fake's bus, its stdout read line by line."""

    def __init__(self, bus_address, *args):
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=bus_address)
        self.proc = subprocess.Popen([TOOL, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.lines = []
        self.partial = b""

    def _read(self, timeout):
        fd = self.proc.stdout.fileno()
        ready = select.select([fd], [], [], timeout)[0]
        chunk = os.read(fd, 65536) if ready else b""
        if chunk:
            self.partial += chunk
            *done, self.partial = self.partial.split(b"\n")
            self.lines += [line.decode() for line in done]
        return chunk or not ready

    def wait_for(self, pred, timeout=20, what=None):
        """The first line (from the start) for which pred(line) holds."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.lines:
                if pred(line):
                    return line
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(max(0, min(left, 0.2))):
                raise AssertionError("%s never logged; output: %r; stderr: %r"
                                     % (what or pred, self.lines, self.stop()[1]))

    def wait_text(self, text, **kw):
        return self.wait_for(lambda line: text in line, what=repr(text), **kw)

    def stop(self, sig=signal.SIGINT):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            out, err = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        self.lines += [line for line in (self.partial + out).decode().split("\n") if line]
        self.partial = b""
        return self.proc.returncode, err.decode()


def serve(fake, tmp_path, data, *options):
    tool = Tool(fake.bus.get_bus_address(), "serve", "--adapter", "hci0", *options,
                write_profile(tmp_path, data))
    tool.wait_text("ready")
    return tool


def value_handle(fake, uuid):
    for entry in fake.database():
        if entry.get("type") == "value" and entry["uuid"] == uuid:
            return entry["handle"]
    raise KeyError(uuid)


def wait_notifications(fake, count, timeout=10):
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        got += fake.take_notifications()
        fake.call("GetStats")          # lets time pass on the bus
        time.sleep(0.02)
    return got


def run(*args, env=None):
    return subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=60, env=env)


# ---- command line ------------------------------------------------------------

@pytest.mark.parametrize("command", ["serve", "validate", "clone"])
def test_help(command):
    r = run(command, "--help")
    assert r.returncode == 0, r.stderr
    assert "gattperiph " + command in r.stdout


def test_usage():
    assert run().returncode == 2
    r = run("frobnicate")
    assert r.returncode == 2 and "unknown command" in r.stderr
    assert run("serve").returncode == 2
    r = run("clone", "not-an-address", "-o", "/dev/null")
    assert r.returncode == 2 and "not a Bluetooth address" in r.stderr


# ---- validate --------------------------------------------------------------------

def test_shipped_profiles_validate():
    files = sorted(glob.glob(os.path.join(PROFILES, "*.json")))
    names = {os.path.basename(f) for f in files}
    assert {"heart-rate.json", "battery.json", "device-information.json", "current-time.json",
            "environmental-sensing.json", "nordic-uart.json"} <= names, names
    r = run("validate", *files)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count(": OK") == len(files)


def test_validate_good(tmp_path):
    path = write_profile(tmp_path, profile(chrc("counter", 1, ["read", "notify"], "00",
                                                {"notify": {"source": "counter", "interval-ms": 100}})))
    r = run("validate", path)
    assert (r.returncode, r.stdout.strip()) == (0, path + ": OK"), r.stderr


def test_validate_bad_behaviours(tmp_path):
    path = write_profile(tmp_path, profile(
        chrc("a", 1, ["read"], "00", {"wirte": "store"}),
        chrc("b", 2, ["read"], "00", {"write": "echo", "error": 5}),
        chrc("c", 3, ["read", "notify"], "00", {"notify": {"source": "countr", "interval-ms": 1}}),
        chrc("d", 4, ["read", "notify"], "00", {"notify": {"source": "file", "interval-ms": 100}}),
        chrc("e", 5, ["read"], "00", {"notify": {"source": "sequence", "interval-ms": 100,
                                                 "values": ["zz"]}}),
    ))
    r = run("validate", path)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    p = path + ": services[0].characteristics[%d].behavior"

    def has(i, text):
        assert any(line.startswith(p % i) and text in line for line in lines), (i, text, lines)

    has(0, 'unknown key "wirte"; did you mean "write"?')
    has(1, '"write": "echo" on a characteristic that cannot be written')
    has(1, '"error" must be an application ATT error')
    has(2, 'unknown value "countr"; did you mean "counter"?')
    has(2, '"interval-ms" must be a whole number')
    has(3, '"path" is missing')
    has(4, 'never runs')
    has(4, '"values"[0]')
    # serve refuses the same profile, with the same messages
    r2 = run("serve", path)
    assert r2.returncode == 1 and 'did you mean "write"?' in r2.stderr


def test_validate_unreadable(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    r = run("validate", str(bad), str(tmp_path / "missing.json"))
    assert r.returncode == 1
    assert r.stdout.count(str(bad) + ":") >= 1 and "missing.json:" in r.stdout


# ---- serve: the log -----------------------------------------------------------------

def test_serve_logs_reads_and_writes(fake, tmp_path):
    tool = serve(fake, tmp_path, profile(
        chrc("level", 1, ["read", "write"], {"uint8": 72}),
        chrc("name", 2, ["read"], {"text": "hello"}),
        chrc("temp", 3, ["read"], {"sint16": 2150},
             presentation={"format": "sint16", "exponent": -2,
                           "unit": "org.bluetooth.unit.thermodynamic_temperature.degree_celsius"}),
    ))
    try:
        level = value_handle(fake, U(1))
        assert fake.read(level) == (0, b"\x48")
        line = tool.wait_text(" read ")
        assert "11:22:33:44:55:66" in line and "level (%s)" % U(1) in line and "[48]" in line
        assert "= 72" in line                                  # typed, from the profile's value
        assert fake.write(level, b"\x49") == 0
        line = tool.wait_text(" write ")
        assert "level" in line and "[49]" in line and "= 73" in line
        assert fake.read(level) == (0, b"\x49")                 # stored by default
        assert fake.read(value_handle(fake, U(2)), offset=2) == (0, b"llo")
        line = tool.wait_for(lambda l: " read " in l and "name" in l)
        assert "offset 2" in line and "[6c 6c 6f]" in line
        for _ in range(5):     # each logged read looks at the descriptors (and must keep them)
            assert fake.read(value_handle(fake, U(3))) == (0, b"\x66\x08")
        line = tool.wait_for(lambda l: " read " in l and "temp" in l)
        assert line.endswith("[66 08] = 21.5")                  # the Presentation Format's exponent
        assert sum(" read " in l and "temp" in l for l in tool.lines) == 5 or tool.wait_for(
            lambda l: sum(" read " in x and "temp" in x for x in tool.lines) == 5)
    finally:
        status, err = tool.stop()
    assert status == 0, err


def test_serve_json_log(fake, tmp_path):
    tool = serve(fake, tmp_path, profile(chrc("level", 1, ["read", "write"], {"uint16": 513})),
                 "--json-log")
    try:
        level = value_handle(fake, U(1))
        assert fake.read(level) == (0, b"\x01\x02")
        assert fake.write(level, b"\x03\x00") == 0
        tool.wait_text('"write"')
    finally:
        status, err = tool.stop()
    assert status == 0, err
    events = [json.loads(line) for line in tool.lines]       # every line is one JSON object
    by_event = {e["event"]: e for e in events}
    assert {"registered", "advertising", "ready", "read", "write", "stopped"} <= set(by_event), events
    read = by_event["read"]
    assert read["central"] == "11:22:33:44:55:66" and read["id"] == "level"
    assert read["uuid"] == U(1) and read["offset"] == 0
    assert read["value"] == "0102" and read["typed"] == 513
    assert by_event["write"]["value"] == "0300" and by_event["write"]["typed"] == 3
    assert all("time" in e for e in events)


# ---- serve: behaviours --------------------------------------------------------------------

def test_behaviour_reject_and_ignore(fake, tmp_path):
    tool = serve(fake, tmp_path, profile(
        chrc("secret", 1, ["read"], "00", {"read": "reject", "error": "0x85"}),
        chrc("locked", 2, ["read", "write"], "07", {"write": "reject", "error": 0x90}),
        chrc("static", 3, ["read", "write"], "2a", {"write": "ignore"}),
    ))
    try:
        assert fake.read(value_handle(fake, U(1)))[0] == 0x85
        tool.wait_text("-> att-error 0x85")
        locked = value_handle(fake, U(2))
        assert fake.write(locked, b"\x01") == 0x90
        assert fake.read(locked) == (0, b"\x07")
        static = value_handle(fake, U(3))
        assert fake.write(static, b"\x01") == 0
        assert fake.read(static) == (0, b"\x2a")
        tool.wait_text("-> ignored")
    finally:
        status, err = tool.stop()
    assert status == 0, err


def test_behaviour_echo(fake, tmp_path):
    tool = serve(fake, tmp_path, profile(chrc("uart", 1, ["write", "notify"], "", {"write": "echo"})))
    try:
        uart = value_handle(fake, U(1))
        assert fake.write(uart + 1, b"\x01\x00") == 0            # subscribe (CCC)
        tool.wait_text("subscribe")
        assert fake.write(uart, b"ping") == 0
        assert wait_notifications(fake, 1) == [(uart, b"ping", False)]
        tool.wait_text(" notify ")
    finally:
        status, err = tool.stop()
    assert status == 0, err


@pytest.mark.parametrize("source", ["counter", "sequence", "file", "command"])
def test_behaviour_periodic(fake, tmp_path, source):
    data_file = tmp_path / "value.txt"
    data_file.write_text("21.5\n")
    notify = {
        "counter": {"source": "counter", "format": "uint16", "start": 65534, "step": 1},
        "sequence": {"source": "sequence", "values": ["0a", {"uint8": 11}, "0c"]},
        "file": {"source": "file", "path": str(data_file), "format": "sint16", "scale": 100},
        "command": {"source": "command", "command": "printf 'c0 de'", "format": "hex"},
    }[source]
    notify.update({"interval-ms": 20, "prefix": "ff"})
    tool = serve(fake, tmp_path, profile(chrc("ticker", 1, ["read", "notify"], "00", {"notify": notify})))
    try:
        ticker = value_handle(fake, U(1))
        assert wait_notifications(fake, 1, timeout=0.5) == []     # nothing before a subscription
        assert fake.write(ticker + 1, b"\x01\x00") == 0
        got = [v for _h, v, _i in wait_notifications(fake, 4)]
        assert len(got) >= 4, got
        assert all(v[0] == 0xFF for v in got), got                # the prefix
        body = [v[1:] for v in got[:4]]
        if source == "counter":                                   # wraps around
            assert body == [b"\xfe\xff", b"\xff\xff", b"\x00\x00", b"\x01\x00"], body
        elif source == "sequence":
            assert body == [b"\x0a", b"\x0b", b"\x0c", b"\x0a"], body
        elif source == "file":
            assert body == [(2150).to_bytes(2, "little")] * 4, body
        else:
            assert body == [b"\xc0\xde"] * 4, body
        assert fake.read(ticker)[1] == got[-1] or fake.read(ticker)[0] == 0
        assert fake.write(ticker + 1, b"\x00\x00") == 0
        tool.wait_text("unsubscribe")
    finally:
        status, err = tool.stop()
    assert status == 0, err


# ---- serve: lifecycle and errors ----------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_unregisters(fake, tmp_path, sig):
    tool = serve(fake, tmp_path, profile(chrc("level", 1, ["read"], "01")))
    (apps,) = fake.call("GetApplications")
    (ads,) = fake.call("GetAdvertisements")
    assert len(apps) == 1 and len(ads) == 1 and ads[0]["local-name"] == "gp-tool-test"
    status, err = tool.stop(sig)
    assert status == 0, err
    assert any("stopped" in line for line in tool.lines), tool.lines
    (apps,) = fake.call("GetApplications")
    (ads,) = fake.call("GetAdvertisements")
    assert apps == [] and ads == []


def test_no_bluez(tmp_path):
    bus = Gio.TestDBus.new(Gio.TestDBusFlags.NONE)
    bus.up()
    try:
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=bus.get_bus_address())
        r = run("serve", write_profile(tmp_path, profile(chrc("a", 1, ["read"], "00"))), env=env)
        assert r.returncode == 1 and "BlueZ is not running" in r.stderr, r.stderr
    finally:
        bus.down()


def test_adapter_off(fake, tmp_path):
    fake.conn.call_sync("org.bluez", "/org/bluez/hci0", "org.freedesktop.DBus.Properties", "Set",
                        GLib.Variant("(ssv)", ("org.bluez.Adapter1", "Powered", GLib.Variant("b", False))),
                        None, Gio.DBusCallFlags.NONE, 5000, None)
    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=fake.bus.get_bus_address())
    r = run("serve", "--adapter", "hci0", write_profile(tmp_path, profile(chrc("a", 1, ["read"], "00"))),
            env=env)
    assert r.returncode == 1 and "hci0 is powered off" in r.stderr, r.stderr


POLICY = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
    <deny send_destination="org.bluez"/>
  </policy>
</busconfig>
"""


def test_policy_denies(tmp_path):
    """A bus whose policy forbids talking to org.bluez (as a restrictive
    bluetooth.conf does for users outside its group)."""
    conf = tmp_path / "bus.conf"
    conf.write_text(POLICY % tmp_path)
    daemon = subprocess.Popen(["dbus-daemon", "--nofork", "--print-address", "--config-file", str(conf)],
                              stdout=subprocess.PIPE, text=True)
    fakebluez = None
    try:
        address = daemon.stdout.readline().strip()
        fakebluez = subprocess.Popen([os.environ.get("GP_PYTHON", "/usr/bin/python3"), os.environ["GP_FAKEBLUEZ"],
                                      "--bus", address], stdout=subprocess.PIPE, text=True)
        assert fakebluez.stdout.readline().strip() == "READY"
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=address)
        r = run("serve", write_profile(tmp_path, profile(chrc("a", 1, ["read"], "00"))), env=env)
        assert r.returncode == 1 and "D-Bus policy does not let this user talk to BlueZ" in r.stderr, r.stderr
    finally:
        if fakebluez is not None:
            fakebluez.terminate()
            fakebluez.wait(10)
        daemon.terminate()
        daemon.wait(10)


def test_sandbox_needs_a_source_tree(tmp_path):
    """An installed gattperiph (here: a copy outside the build tree) says
    that --sandbox needs a source tree, rather than failing obscurely."""
    copy = tmp_path / "gattperiph"
    copy.write_bytes(open(TOOL, "rb").read())
    copy.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "GP_SOURCE_DIR"}
    r = subprocess.run([str(copy), "serve", "--sandbox", write_profile(tmp_path, profile(chrc("a", 1, ["read"], "00")))],
                       capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 1 and "needs" not in r.stdout
    assert "source tree" in r.stderr and "tests/sandbox/gp-sandbox" in r.stderr, r.stderr


# ---- clone -------------------------------------------------------------------------------

REMOTE = {
    "name": "Remote HRM",
    "appearance": 832,
    "uuids": ["0000180d-0000-1000-8000-00805f9b34fb"],
    "manufacturer-data": {"65535": "c0ffee"},
    "services": [
        {"uuid": "00001800-0000-1000-8000-00805f9b34fb", "primary": True, "characteristics": [
            {"uuid": "00002a00-0000-1000-8000-00805f9b34fb", "flags": ["read"], "value": "52"}]},
        {"uuid": "0000180d-0000-1000-8000-00805f9b34fb", "primary": True, "characteristics": [
            {"uuid": "00002a37-0000-1000-8000-00805f9b34fb", "flags": ["notify"], "descriptors": [
                {"uuid": "00002902-0000-1000-8000-00805f9b34fb", "value": "0000"},
                {"uuid": "00002901-0000-1000-8000-00805f9b34fb", "value": "6270 6d"}]},
            {"uuid": "00002a38-0000-1000-8000-00805f9b34fb", "flags": ["read"], "value": "01"},
            {"uuid": "00002a39-0000-1000-8000-00805f9b34fb", "flags": ["write"]}]},
        {"uuid": "0000180a-0000-1000-8000-00805f9b34fb", "primary": True, "characteristics": [
            {"uuid": "00002a50-0000-1000-8000-00805f9b34fb", "flags": ["read"], "value": "026b1d46024205"}]},
    ],
}


def clone_remote(fake, tmp_path, address, spec):
    """`gattperiph clone` of a fake remote peripheral made from @spec."""
    fake.call("AddRemotePeripheral", GLib.Variant("(sss)", ("hci0", address, json.dumps(spec))))
    out = tmp_path / "clone.json"
    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=fake.bus.get_bus_address())
    r = run("clone", address, "-o", str(out), "--adapter", "hci0", "--timeout", "10", env=env)
    assert r.returncode == 0, r.stderr
    return r, out


def test_clone_round_trip(fake, tmp_path):
    """clone reads a (fake) remote peripheral into a profile that validates,
    without what BlueZ serves itself; serving it gives the same database
    and values."""
    r, out = clone_remote(fake, tmp_path, "C0:FF:EE:00:00:01", REMOTE)
    assert "1 services, 0 included services, 3 characteristics, 1 descriptors, 2 values" in r.stdout, r.stdout
    assert run("validate", str(out)).returncode == 0

    data = json.loads(out.read_text())
    (svc,) = data["services"]                      # no 0x1800, no PnP-only 0x180A
    assert svc["uuid"].lower().startswith(("180d", "0000180d"))
    chars = svc["characteristics"]
    assert [c["uuid"][-36:][4:8] if len(c["uuid"]) > 4 else c["uuid"] for c in chars] == ["2a37", "2a38", "2a39"]
    ad = data["advertisement"]
    assert ad["local-name"] == "Remote HRM" and ad["appearance"] == 832

    # Serve the clone and look at what a central would find.
    tool = Tool(fake.bus.get_bus_address(), "serve", "--adapter", "hci0", str(out))
    try:
        tool.wait_text("ready")
        db = [e for e in fake.database() if e.get("owner")]
        kinds = [(e["type"], e["uuid"][4:8]) for e in db]
        assert kinds == [("primary-service", "180d"),
                         ("characteristic", "2a37"), ("value", "2a37"), ("ccc", "2902"), ("descriptor", "2901"),
                         ("characteristic", "2a38"), ("value", "2a38"),
                         ("characteristic", "2a39"), ("value", "2a39")], kinds
        flags = {e["uuid"][4:8]: e["flags"] for e in db if e["type"] == "value"}
        assert flags == {"2a37": ["notify"], "2a38": ["read"], "2a39": ["write"]}, flags
        by_uuid = {(e["type"], e["uuid"][4:8]): e["handle"] for e in db}
        assert fake.read(by_uuid[("value", "2a38")]) == (0, b"\x01")
        assert fake.read(by_uuid[("descriptor", "2901")]) == (0, b"bpm")
        (ads,) = fake.call("GetAdvertisements")
        assert ads[0]["local-name"] == "Remote HRM"
        assert ads[0]["manufacturer-data"] == {0xFFFF: b"\xc0\xff\xee"} or \
            {k: bytes(v) for k, v in ads[0]["manufacturer-data"].items()} == {0xFFFF: b"\xc0\xff\xee"}
    finally:
        status, err = tool.stop()
    assert status == 0, err


REMOTE_INCLUDES = {
    "name": "Remote with includes",
    "services": [
        {"uuid": "0000180d-0000-1000-8000-00805f9b34fb", "primary": True, "includes": [1], "characteristics": [
            {"uuid": "00002a38-0000-1000-8000-00805f9b34fb", "flags": ["read"], "value": "01"}]},
        {"uuid": "0000180f-0000-1000-8000-00805f9b34fb", "primary": False, "characteristics": [
            {"uuid": "00002a19-0000-1000-8000-00805f9b34fb", "flags": ["read", "notify"], "value": "64",
             "descriptors": [{"uuid": "00002904-0000-1000-8000-00805f9b34fb", "value": "04 00 ad 27 01 00 00"}]}]},
    ],
}


def test_clone_includes(fake, tmp_path):
    """An included (secondary) service is cloned, and added before the
    service including it (which BlueZ needs); descriptors are cloned
    readable with their values, and stderr says BlueZ gives no descriptor
    flags; serving the clone gives the Include declaration."""
    r, out = clone_remote(fake, tmp_path, "C0:FF:EE:00:00:02", REMOTE_INCLUDES)
    assert "2 services, 1 included services, 2 characteristics, 1 descriptors, 3 values" in r.stdout, r.stdout
    assert "does not tell the flags of descriptors" in r.stderr, r.stderr
    assert run("validate", str(out)).returncode == 0

    data = json.loads(out.read_text())
    battery, hrs = data["services"]                 # the included one first
    assert "180f" in battery["uuid"].lower() and battery["primary"] is False
    assert "180d" in hrs["uuid"].lower() and hrs["includes"] == [battery["id"]]
    (level,) = battery["characteristics"]
    assert level["value"] == "64"
    (presentation,) = level["descriptors"]
    assert presentation["value"] == {"presentation": {"format": "uint8", "exponent": 0,
                                                      "unit": "org.bluetooth.unit.percentage"}}

    tool = Tool(fake.bus.get_bus_address(), "serve", "--adapter", "hci0", str(out))
    try:
        tool.wait_text("ready")
        db = fake.database()
        kinds = [(e["type"], e["uuid"][4:8]) for e in db if e["type"] != "value"]
        assert ("secondary-service", "180f") in kinds, kinds
        start = kinds.index(("primary-service", "180d"))
        assert kinds[start + 1] == ("include", "180f"), kinds
    finally:
        status, err = tool.stop()
    assert status == 0, err


def test_clone_services_after_resolved(fake, tmp_path):
    """bluetoothd 5.82 may flush ServicesResolved before the services'
    InterfacesAdded: clone waits for them instead of writing an empty
    profile (it wrote "0 services" and exited 0 before)."""
    late = dict(REMOTE, **{"services-late": True})
    r, out = clone_remote(fake, tmp_path, "C0:FF:EE:00:00:03", late)
    assert "1 services, 0 included services, 3 characteristics, 1 descriptors, 2 values" in r.stdout, r.stdout
    assert len(json.loads(out.read_text())["services"]) == 1
