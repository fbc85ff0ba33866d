# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every example, in every language, runs against the fake BlueZ and does
what it says: the heart-rate monitors advertise "Heart Monitor" (180D,
appearance 0x0340) and notify [flags, bpm]; the UART services echo what
they receive, upper-cased.

--langs (or GP_EXAMPLE_LANGS: python,gjs,vala) selects the languages; GP_EXAMPLES_BUILDDIR
is where the Vala examples were built."""
import os
import select
import signal
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.normpath(os.path.join(HERE, "..", "..", "examples"))
BUILD = os.environ.get("GP_EXAMPLES_BUILDDIR", "")

UART_RX = "6e400002-b5a3-f393-e0a9-e50e24dcca9e"
UART_TX = "6e400003-b5a3-f393-e0a9-e50e24dcca9e"


def command(lang, name):
    if lang == "python":
        return [sys.executable, os.path.join(EXAMPLES, name + ".py")]
    if lang == "gjs":
        # g_print() is block-buffered on a pipe: line-buffer it.
        return ["stdbuf", "-oL", "gjs", "-m", os.path.join(EXAMPLES, name + ".js")]
    exe = os.path.join(BUILD, name + "-vala")
    if not os.path.exists(exe):
        pytest.skip("the Vala examples were not built")
    return [exe]


class Example:
    def __init__(self, fake, argv):
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=fake.bus.get_bus_address())
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.lines = []
        self.partial = b""

    def wait_for(self, text, timeout=30):
        """Reads the example's output (raw, unbuffered) until a line has text."""
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while not any(text in line for line in self.lines):
            left = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(0, min(left, 0.2)))[0]
            chunk = os.read(fd, 65536) if ready else b""
            if chunk:
                self.partial += chunk
                *done, self.partial = self.partial.split(b"\n")
                self.lines += [line.decode() for line in done]
            elif left <= 0 or ready:     # timed out, or EOF
                raise AssertionError("%r never printed; output: %r; stderr: %r"
                                     % (text, self.lines, self.stop()[1]))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            _out, err = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _out, err = self.proc.communicate()
        return self.proc.returncode, err.decode()


def value_handle(fake, uuid16_or_128):
    for entry in fake.database():
        if entry.get("type") == "value" and uuid16_or_128 in entry["uuid"]:
            return entry["handle"]
    raise KeyError(uuid16_or_128)


def advertisement(fake):
    (ads,) = fake.call("GetAdvertisements")
    assert len(ads) == 1, ads
    return ads[0]


def check_heart_rate(fake, ex, announces_subscriptions=True):
    """What every heart-rate monitor must do for a central."""
    ex.wait_for("advertising as \"Heart Monitor\"")
    ad = advertisement(fake)
    assert ad["local-name"] == "Heart Monitor"
    assert [u[4:8] for u in ad["service-uuids"]] == ["180d"] or ad["service-uuids"] == ["180d"]
    assert ad["appearance"] == 0x0340
    assert ad["type"] == "peripheral"

    hrm = value_handle(fake, "00002a37")
    att, value = fake.read(hrm)
    assert att == 0 and len(value) == 2 and value[0] == 0x00
    assert fake.read(value_handle(fake, "00002a38")) == (0, b"\x01")

    ccc = hrm + 1
    assert fake.write(ccc, b"\x01\x00") == 0
    if announces_subscriptions:
        ex.wait_for("a central subscribed")
    got = []
    deadline = time.monotonic() + 20
    while len(got) < 5 and time.monotonic() < deadline:
        got += fake.take_notifications()
        fake.call("GetStats")          # lets time pass on the bus
        time.sleep(0.05)
    assert len(got) >= 5, got
    for handle, v, indication in got:
        assert handle == hrm and not indication
        assert len(v) == 2 and v[0] == 0x00 and 60 <= v[1] <= 84, v
    assert fake.write(ccc, b"\x00\x00") == 0
    if announces_subscriptions:
        ex.wait_for("no central subscribed")


def test_heart_rate(fake, lang):
    ex = Example(fake, command(lang, "heart-rate") + ["--adapter", "hci0", "--interval-ms", "50"])
    try:
        check_heart_rate(fake, ex)
    finally:
        status, err = ex.stop()
    assert status == 0, err


def test_heart_rate_declarative(fake, lang):
    """examples/heart-rate-declarative.py (the declarative layer, asyncio):
    the same central's view; SIGTERM ends it with status 0."""
    if lang != "python":
        pytest.skip("the declarative example is in Python")
    ex = Example(fake, command(lang, "heart-rate-declarative") + ["hci0"])
    try:
        check_heart_rate(fake, ex, announces_subscriptions=False)
    finally:
        status, err = ex.stop()
    assert status == 0, err


def test_heart_rate_bad_interval(fake, lang):
    ex = Example(fake, command(lang, "heart-rate") + ["--interval-ms", "5"])
    ex.proc.wait(30)
    status, err = ex.stop()
    assert status == 2 and "--interval-ms" in err


def test_uart(fake, lang):
    ex = Example(fake, command(lang, "uart") + ["--adapter", "hci0"])
    try:
        ex.wait_for("advertising as \"GP UART\"")
        ad = advertisement(fake)
        assert ad["local-name"] == "GP UART"
        rx = value_handle(fake, UART_RX)
        tx = value_handle(fake, UART_TX)
        assert fake.write(tx + 1, b"\x01\x00") == 0
        for kind, text in (("request", b"hello"), ("command", b"again 1")):
            assert fake.write(rx, text, kind=kind) == 0
            got = []
            deadline = time.monotonic() + 10
            while not got and time.monotonic() < deadline:
                got = fake.take_notifications()
                time.sleep(0.05)
            assert got == [(tx, text.upper(), False)]
    finally:
        status, err = ex.stop()
    assert status == 0, err


def test_profile(fake, lang, tmp_path):
    """examples/profile.py serves examples/thermometer.json, answering the
    temperature's reads in code; a bad profile is refused with its path."""
    if lang != "python":
        pytest.skip("the profile example is in Python")
    ex = Example(fake, command(lang, "profile") + ["--adapter", "hci0"])
    try:
        ex.wait_for("advertising as \"Thermometer\"")
        ad = advertisement(fake)
        assert ad["local-name"] == "Thermometer" and ad["appearance"] == 768
        att, value = fake.read(value_handle(fake, "00002a6e"))      # computed by the handler
        assert att == 0 and len(value) == 2
        assert 1900 <= int.from_bytes(value, "little", signed=True) <= 2400, value
        ex.wait_for("read of the temperature")
        # From the profile: {"uint16": 4520}
        assert fake.read(value_handle(fake, "00002a6f")) == (0, (4520).to_bytes(2, "little"))
    finally:
        status, err = ex.stop()
    assert status == 0, err

    bad = tmp_path / "bad.json"
    bad.write_text('{"services": [{"uuid": "181a", "characteristics": '
                   '[{"id": "temperature", "uuid": "2a6e", "flags": ["raed"]}]}]}')
    ex = Example(fake, command(lang, "profile") + [str(bad)])
    ex.proc.wait(30)
    status, err = ex.stop()
    assert status == 2
    assert 'services[0].characteristics[0].flags[0]: unknown flag "raed"; did you mean "read"?' in err
