# SPDX-License-Identifier: LGPL-2.1-or-later
"""The declarative layer of the overrides (GattPeriph.DeclarativeService,
characteristic, descriptor) with synchronous handlers, against the fake
BlueZ: a central reading and writing through the fake reaches the
decorated methods, their errors reach it as the right ATT errors, and the
declared objects are plain GattPeriph objects."""
import gi
import pytest

gi.require_version("GattPeriph", "1.0")
from gi.repository import GattPeriph as Gp  # noqa: E402

from conftest import run_async, spin_until

F = Gp.CharacteristicFlags


class Thermometer(Gp.DeclarativeService):
    """A service with every kind of declaration."""

    def __init__(self):
        super().__init__("1809")
        self.celsius = 21
        self.written = []

    @Gp.characteristic("2a1c", F.READ | F.WRITE | F.INDICATE, description="Temperature")
    def temperature(self, request):
        return bytes([self.celsius, request.get_offset()])

    @temperature.setter
    def temperature(self, value, request):
        if len(value) != 1:
            raise Gp.BluezError(Gp.Error.INVALID_VALUE_LENGTH, "one byte")
        if value == b"\xee":
            raise Gp.AttError(0x81)
        if value == b"\xff":
            raise ValueError("a bug in the handler")
        self.written.append((value, request.get_offset()))

    location = Gp.characteristic("2a1d", value=b"\x02")

    @Gp.characteristic("2a21", F.READ)
    def interval(self):
        return None                         # the stored value, or the next handler

    @temperature.descriptor("2904", Gp.DescriptorFlags.READ | Gp.DescriptorFlags.WRITE)
    def temperature_format(self):
        return b"\x0e\x00\x2f\x27\x01\x00\x00"

    @temperature_format.setter
    def temperature_format(self, value):
        raise Gp.BluezError(Gp.Error.NOT_PERMITTED)


def register(fake, svc):
    app = Gp.Application.new_for_connection(fake.conn, "/py/declarative")
    app.add_service(svc)
    assert run_async(lambda cb: app.register_async(None, None, cb), app.register_finish)
    return app


def test_declared_objects_are_plain_objects():
    t = Thermometer()
    assert isinstance(t.gatt_service, Gp.Service)
    assert isinstance(t.temperature, Gp.Characteristic)
    assert isinstance(t.temperature_format, Gp.Descriptor)
    # Declaration order, and the descriptors on their characteristic.
    assert t.get_characteristics() == [t.temperature, t.location, t.interval]
    descs = t.temperature.get_descriptors()
    assert descs[-1] == t.temperature_format
    assert descs[0].get_uuid().startswith("00002901")
    assert t.location.get_value().get_data() == b"\x02"
    assert t.temperature.get_flags() == F.READ | F.WRITE | F.INDICATE
    # Two instances get objects of their own.
    assert Thermometer().temperature is not t.temperature
    assert "Temperature" not in (Thermometer.temperature.__doc__ or "")
    assert Thermometer.temperature.uuid == "2a1c"


def test_reads_and_writes_reach_the_handlers(fake):
    t = Thermometer()
    app = register(fake, t)  # noqa: F841 (kept alive: registered while it lives)
    h = t.temperature.props.handle
    assert fake.read(h) == (0, bytes([21, 0]))
    t.celsius = 22
    # The offset is applied to the handler's value, which also saw it.
    assert fake.read(h, offset=1) == (0, bytes([1]))
    assert fake.read(t.location.props.handle) == (0, b"\x02")

    assert fake.write(h, b"\x05") == 0
    assert t.written == [(b"\x05", 0)]
    # A write is not stored: the handler owns the value.
    assert fake.read(h) == (0, bytes([22, 0]))

    fmt = t.temperature_format.props.handle
    assert fake.read(fmt) == (0, b"\x0e\x00\x2f\x27\x01\x00\x00")


def test_handler_errors_reach_the_central(fake, capfd):
    t = Thermometer()
    app = register(fake, t)  # noqa: F841 (kept alive: registered while it lives)
    h = t.temperature.props.handle
    assert fake.write(h, b"\x01\x02") == 0x0D          # InvalidValueLength
    assert fake.write(h, b"\xee") == 0x81              # the application's own code
    assert fake.write(h, b"\xff") == 0x80              # Failed, with a message
    assert "ValueError: a bug in the handler" in capfd.readouterr().err
    assert fake.write(t.temperature_format.props.handle, b"\x00") == 0x03  # NotPermitted (write)
    assert t.written == []


def test_handler_order(fake):
    """The declared handler runs first; returning None passes the request
    on to handlers connected later, then to the stored value."""
    t = Thermometer()
    seen = []

    def later(chrc, request):
        seen.append(request.get_offset())
        if request.get_offset() == 1:
            request.return_value(b"later")
            return True
        return False

    t.interval.connect("read-request", later)
    t.temperature.connect("read-request", lambda *a: seen.append("never") or False)
    t.interval.set_value(b"\x3c\x00")
    app = register(fake, t)  # noqa: F841 (kept alive: registered while it lives)
    assert fake.read(t.interval.props.handle) == (0, b"\x3c\x00")
    assert fake.read(t.interval.props.handle, offset=1) == (0, b"ater")
    assert fake.read(t.temperature.props.handle)[0] == 0
    assert seen == [0, 1]


def test_changed_pushes_to_subscribers(fake):
    t = Thermometer()
    app = register(fake, t)  # noqa: F841 (kept alive: registered while it lives)
    assert fake.subscribe(t.temperature, 2) == 0           # indications
    spin_until(lambda: t.temperature.props.notifying)
    t.temperature.changed(b"\x17")
    h = t.temperature.props.handle
    got = []
    spin_until(lambda: got.extend(fake.take_notifications()) or got)
    assert got == [(h, b"\x17", True)]
    assert t.temperature.get_value().get_data() == b"\x17"


def test_application_takes_the_declarative_service(fake):
    t = Thermometer()
    app = register(fake, t)
    assert app.get_services() == [t.gatt_service]
    assert t.temperature.get_service() == t.gatt_service
    assert app.remove_service(t)
    assert app.get_services() == []


def test_descriptor_of_another_class_is_refused():
    class Other(Gp.DeclarativeService):
        def __init__(self):
            super().__init__("180f")
        stray = Gp.descriptor("2904", Thermometer.temperature)

    with pytest.raises(ValueError, match="stray"):
        Other()
