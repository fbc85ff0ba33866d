# SPDX-License-Identifier: LGPL-2.1-or-later
"""The GIR is usable from Python: declare a profile, answer a read."""
import gi
import pytest

gi.require_version("GattPeriph", "1.0")
from gi.repository import GattPeriph as Gp, GLib  # noqa: E402

from conftest import run_async


def build(conn, chrc):
    app = Gp.Application.new_for_connection(conn, "/py/app")
    svc = Gp.Service.new("180d", True)
    svc.add_characteristic(chrc)
    app.add_service(svc)
    return app, svc


def register(app):
    return run_async(lambda cb: app.register_async(None, None, cb),
                     app.register_finish)


def test_read_answered_by_python_handler(fake):
    chrc = Gp.Characteristic.new("2a37", Gp.CharacteristicFlags.READ | Gp.CharacteristicFlags.NOTIFY)
    seen = []

    def on_read(attr, request):
        seen.append((request.get_offset(), request.get_device_path(), request.get_mtu()))
        request.return_value(GLib.Bytes.new(b"\x00\x48python"))
        return True

    chrc.connect("read-request", on_read)
    app, _svc = build(fake.conn, chrc)
    assert register(app) is True
    assert app.props.registered

    handle = chrc.props.handle
    assert handle != 0
    att, value = fake.call("Read", GLib.Variant("(oqqq)", (fake.device, handle, 2, 100)))
    assert att == 0
    assert bytes(value) == b"python"
    assert seen == [(2, fake.device, 100)]


def test_subclass_overrides_vfunc(fake):
    class Counter(Gp.Characteristic):
        def __init__(self):
            super().__init__(uuid="2a38", flags=Gp.CharacteristicFlags.READ)
            self.count = 0

        def do_read_request(self, request):
            self.count += 1
            request.return_value(GLib.Bytes.new(str(self.count).encode()))
            return True

    chrc = Counter()
    app, _svc = build(fake.conn, chrc)
    register(app)
    handle = chrc.props.handle
    assert handle != 0
    for expected in (b"1", b"2"):
        att, value = fake.call("Read", GLib.Variant("(oqqq)", (fake.device, handle, 0, 517)))
        assert (att, bytes(value)) == (0, expected)


def test_errors_are_glib_errors_in_our_domain(fake):
    with pytest.raises(GLib.Error) as e:
        Gp.Characteristic.new("zzz", Gp.CharacteristicFlags.READ)
    assert e.value.matches(Gp.error_quark(), Gp.Error.INVALID_ARGUMENTS)

    chrc = Gp.Characteristic.new("2a39", Gp.CharacteristicFlags.READ)

    def refuse(attr, request):
        request.return_att_error(0x81)
        return True

    chrc.connect("read-request", refuse)
    app, _svc = build(fake.conn, chrc)
    register(app)
    att, _ = fake.call("Read", GLib.Variant("(oqqq)", (fake.device, chrc.props.handle, 0, 517)))
    assert att == 0x81
