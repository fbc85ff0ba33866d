# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Python overrides (bindings/python/gi/overrides/GattPeriph.py): bytes,
bytearray and memoryview work wherever GLib.Bytes does."""
import gi
import pytest

gi.require_version("GattPeriph", "1.0")
from gi.repository import GattPeriph as Gp, GLib  # noqa: E402

from conftest import run_async, spin_until

F = Gp.CharacteristicFlags
VALUES = [b"\x00\x48", bytearray(b"\x00\x48"), memoryview(b"\x00\x48"), GLib.Bytes.new(b"\x00\x48")]
IDS = ["bytes", "bytearray", "memoryview", "GLib.Bytes"]


def test_overrides_are_loaded():
    assert Gp.Attribute.__module__ == "gi.overrides.GattPeriph"
    assert issubclass(Gp.Characteristic, Gp.Attribute)
    assert issubclass(Gp.Descriptor, Gp.Attribute)


@pytest.mark.parametrize("value", VALUES, ids=IDS)
def test_set_value(value):
    chrc = Gp.Characteristic.new("2a37", F.READ)
    assert chrc.set_value(value) is True
    assert isinstance(chrc.get_value(), GLib.Bytes)
    assert chrc.get_value().get_data() == b"\x00\x48"
    desc = Gp.Descriptor.new("2901", Gp.DescriptorFlags.READ)
    desc.set_value(value)
    assert desc.props.value.get_data() == b"\x00\x48"


@pytest.mark.parametrize("value", VALUES, ids=IDS)
def test_constructor_keyword(value):
    chrc = Gp.Characteristic(uuid="2a37", flags=F.READ, value=value)
    assert chrc.get_value().get_data() == b"\x00\x48"


def test_set_value_data_takes_bytes():
    chrc = Gp.Characteristic.new("2a37", F.READ)
    chrc.set_value_data(b"\x01\x02")
    assert chrc.get_value().get_data() == b"\x01\x02"


@pytest.mark.parametrize("bad", ["text", 42, [1, 2]])
def test_wrong_types_raise_type_error(bad):
    chrc = Gp.Characteristic.new("2a37", F.READ)
    with pytest.raises(TypeError):
        chrc.set_value(bad)


def test_none_is_refused():
    # GBytes parameters are not nullable: PyGObject refuses None before the
    # call reaches C.
    chrc = Gp.Characteristic.new("2a37", F.READ)
    with pytest.raises(TypeError):
        chrc.set_value(None)


@pytest.mark.parametrize("value", VALUES, ids=IDS)
def test_request_return_value(fake, value):
    chrc = Gp.Characteristic.new("2a37", F.READ)

    def on_read(attr, request):
        request.return_value(value)
        return True

    chrc.connect("read-request", on_read)
    app = Gp.Application.new_for_connection(fake.conn, "/py/overrides")
    svc = Gp.Service.new("180d", True)
    svc.add_characteristic(chrc)
    app.add_service(svc)
    run_async(lambda cb: app.register_async(None, None, cb), app.register_finish)
    assert fake.read(chrc.props.handle) == (0, b"\x00\x48")
    assert fake.read(chrc.props.handle, offset=1) == (0, b"\x48")


@pytest.mark.parametrize("value", VALUES, ids=IDS)
def test_request_return_partial_value(fake, value):
    chrc = Gp.Characteristic.new("2a37", F.READ)

    def on_read(attr, request):
        # The handler answers from the offset on itself.
        request.return_partial_value(value)
        return True

    chrc.connect("read-request", on_read)
    app = Gp.Application.new_for_connection(fake.conn, "/py/partial")
    svc = Gp.Service.new("180d", True)
    svc.add_characteristic(chrc)
    app.add_service(svc)
    run_async(lambda cb: app.register_async(None, None, cb), app.register_finish)
    assert fake.read(chrc.props.handle, offset=5) == (0, b"\x00\x48")


@pytest.mark.parametrize("value", VALUES, ids=IDS)
def test_send_value_async(fake, value):
    chrc = Gp.Characteristic.new("2a37", F.NOTIFY)
    app = Gp.Application.new_for_connection(fake.conn, "/py/send")
    svc = Gp.Service.new("180d", True)
    svc.add_characteristic(chrc)
    app.add_service(svc)
    run_async(lambda cb: app.register_async(None, None, cb), app.register_finish)
    assert fake.subscribe(chrc) == 0
    spin_until(lambda: chrc.props.notifying)
    assert run_async(lambda cb: chrc.send_value_async(value, None, cb), chrc.send_value_finish)
    got = []
    spin_until(lambda: got.extend(fake.take_notifications()) or got)
    assert got == [(chrc.props.handle, b"\x00\x48", False)]


@pytest.mark.parametrize("value", VALUES, ids=IDS)
def test_advertisement_data(value):
    adv = Gp.Advertisement.new()
    adv.set_manufacturer_data(0xffff, value)
    assert adv.get_manufacturer_data(0xffff).get_data() == b"\x00\x48"
    adv.set_service_data("180d", value)
    assert adv.get_service_data("180d").get_data() == b"\x00\x48"
    adv.set_advertising_data(0xff, value)
    assert adv.get_advertising_data(0xff).get_data() == b"\x00\x48"
    adv.set_manufacturer_data(0xffff, None)     # nullable: removes it
    assert adv.get_manufacturer_data(0xffff) is None
