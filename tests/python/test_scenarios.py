# SPDX-License-Identifier: LGPL-2.1-or-later
"""The core scenarios through the typelib from Python, on the fake BlueZ:
declare a profile, answer reads (now and later), take writes, notify and
indicate, handle errors, subclass."""
import gi
import pytest

gi.require_version("GattPeriph", "1.0")
from gi.repository import GattPeriph as Gp, GLib  # noqa: E402

from conftest import run_async, spin_for, spin_until

F = Gp.CharacteristicFlags


def make_app(fake, *chrcs, path="/py/scenario", uuid="180d"):
    app = Gp.Application.new_for_connection(fake.conn, path)
    svc = Gp.Service.new(uuid, True)
    for chrc in chrcs:
        svc.add_characteristic(chrc)
    app.add_service(svc)
    return app, svc


def register(app):
    return run_async(lambda cb: app.register_async(None, None, cb), app.register_finish)


def unregister(app):
    return run_async(lambda cb: app.unregister_async(None, cb), app.unregister_finish)


def test_declare_profile(fake):
    hrm = Gp.Characteristic.new("2A37", F.READ | F.NOTIFY)
    desc = Gp.Descriptor.new_user_description("Heart rate")
    hrm.add_descriptor(desc)
    location = Gp.Characteristic.new("00002a38-0000-1000-8000-00805f9b34fb", F.READ)
    location.set_value(b"\x01")
    app, svc = make_app(fake, hrm, location)

    # Lists keep declaration order (element-type and transfer container).
    assert app.get_services() == [svc]
    assert svc.get_characteristics() == [hrm, location]
    assert hrm.get_descriptors() == [desc]
    assert desc.get_characteristic() == hrm and desc.props.characteristic == hrm
    assert hrm.get_service() == svc
    assert hrm.get_uuid() == "00002a37-0000-1000-8000-00805f9b34fb"
    assert Gp.uuid_normalize("180D") == "0000180d-0000-1000-8000-00805f9b34fb"
    assert Gp.uuid_is_valid("2a37") and not Gp.uuid_is_valid("nope")
    assert app.props.adapter is None and not app.props.registered

    notified = []
    app.connect("notify::registered", lambda *a: notified.append(app.props.registered))
    assert register(app) is True
    assert app.props.registered and notified == [True]
    assert app.props.adapter.get_interface_name() == "hci0"

    # BlueZ assigned handles in declaration order; the objects know them.
    db = {e["handle"]: e for e in fake.database() if e.get("owner")}
    kinds = [(db[h]["type"], db[h]["uuid"][4:8]) for h in sorted(db)]
    assert kinds == [("primary-service", "180d"), ("characteristic", "2a37"),
                     ("value", "2a37"), ("ccc", "2902"), ("descriptor", "2901"),
                     ("characteristic", "2a38"), ("value", "2a38")]
    assert svc.get_handle() == min(db)
    assert hrm.props.handle < desc.props.handle < location.props.handle
    assert fake.read(desc.props.handle) == (0, b"Heart rate")
    assert fake.read(location.props.handle) == (0, b"\x01")

    assert unregister(app) is True
    assert not app.props.registered


def test_read_now(fake):
    chrc = Gp.Characteristic.new("2a37", F.READ)
    seen = []

    def on_read(attr, request):
        assert attr is chrc and request.get_attribute() is chrc
        seen.append((request.get_kind(), request.get_offset(), request.get_mtu(),
                     request.get_link(), request.get_device_path(), request.get_value()))
        request.return_value(b"0123456789")     # plain bytes (override)
        assert request.get_answered()
        return True

    chrc.connect("read-request", on_read)
    app, _ = make_app(fake, chrc)
    register(app)
    h = chrc.props.handle
    assert fake.read(h) == (0, b"0123456789")
    # The library applies the offset of a Read Blob to the whole value.
    assert fake.read(h, offset=4, mtu=64) == (0, b"456789")
    assert seen == [(Gp.RequestKind.READ, 0, 517, Gp.LinkType.LE, fake.device, None),
                    (Gp.RequestKind.READ, 4, 64, Gp.LinkType.LE, fake.device, None)]


def test_read_default_handler_and_long_value(fake):
    chrc = Gp.Characteristic.new("2a37", F.READ)
    long_value = bytes(range(256)) + bytes(range(44))      # 300 bytes
    chrc.props.value = GLib.Bytes.new(long_value)
    app, _ = make_app(fake, chrc)
    register(app)
    h = chrc.props.handle
    att, first = fake.read(h, mtu=23)
    assert att == 0 and first == long_value[:22]
    assert fake.read(h, offset=22, mtu=517) == (0, long_value[22:])
    assert fake.read(h, offset=301)[0] == 0x07     # Invalid Offset


def test_read_deferred(fake):
    chrc = Gp.Characteristic.new("2a37", F.READ)
    pending = []

    def on_read(attr, request):
        pending.append(request)
        # Answer later, from the main loop: the handler only keeps the request.
        GLib.timeout_add(100, answer, request)
        return True

    def answer(request):
        assert not request.get_answered()
        if len(pending) == 1:
            request.return_value(GLib.Bytes.new(b"later"))
        else:
            request.return_error_literal(Gp.Error.NOT_AUTHORIZED, "not now")
        return GLib.SOURCE_REMOVE

    chrc.connect("read-request", on_read)
    app, _ = make_app(fake, chrc)
    register(app)
    assert fake.read(chrc.props.handle) == (0, b"later")
    assert fake.read(chrc.props.handle)[0] == 0x08
    assert all(r.get_answered() for r in pending)


def test_write_taken_and_default(fake):
    control = Gp.Characteristic.new("2a39", F.WRITE)
    name = Gp.Characteristic.new("12345678-1234-5678-1234-56789abcdef0", F.READ | F.WRITE)
    taken = []

    def on_control(attr, request):
        value = request.get_value()
        taken.append((request.get_kind(), request.get_offset(), value.get_data()))
        if value.get_data() != b"\x01":
            request.return_att_error(0x80)
            return True
        request.return_success()
        return True

    def on_name(attr, request):
        try:
            request.get_value().get_data().decode("utf-8")
        except UnicodeDecodeError:
            request.return_error(GLib.Error.new_literal(Gp.error_quark(), "not UTF-8",
                                                        Gp.Error.NOT_PERMITTED))
            return True
        return False   # the default handler stores it

    control.connect("write-request", on_control)
    name.connect("write-request", on_name)
    app, _ = make_app(fake, control, name)
    register(app)

    assert fake.write(control.props.handle, b"\x01") == 0
    assert fake.write(control.props.handle, b"\x02") == 0x80
    assert taken == [(Gp.RequestKind.WRITE, 0, b"\x01"), (Gp.RequestKind.WRITE, 0, b"\x02")]
    # The handler took the writes: nothing stored.
    assert control.get_value().get_data() == b""

    assert fake.write(name.props.handle, "héllo".encode()) == 0
    assert name.get_value().get_data() == "héllo".encode()
    assert fake.write(name.props.handle, b"\xff\xfe") == 0x03     # NotPermitted on a write
    assert name.get_value().get_data() == "héllo".encode()
    assert fake.read(name.props.handle) == (0, "héllo".encode())

    # A write at an offset (prepared write) lands where it says.
    assert fake.write(name.props.handle, b"hello") == 0
    assert fake.write(name.props.handle, b"LL", offset=2, kind="prepare") == 0
    assert fake.call("ExecuteWrite", GLib.Variant("(ob)", (fake.device, True))) == (0,)
    assert name.get_value().get_data() == b"heLLo"


def test_notify(fake):
    hrm = Gp.Characteristic.new("2a37", F.READ | F.NOTIFY)
    changes = []
    hrm.connect("notify::notifying", lambda c, _p: changes.append(c.props.notifying))
    # The library emits notify::value only when a handler is connected
    # (GLib 2.74 would emit it regardless): one from Python counts.
    values = []
    hrm.connect("notify::value", lambda c, _p: values.append(bytes(c.get_value().get_data())))
    app, _ = make_app(fake, hrm)
    register(app)
    assert not hrm.get_notifying()

    assert fake.subscribe(hrm, 1) == 0
    spin_until(lambda: hrm.props.notifying)
    for bpm in (60, 61, 61):                        # a repeated value is sent too
        hrm.set_value(bytes([0, bpm]))
        spin_until(lambda: hrm.get_backlog() == 0)
    got = []
    spin_until(lambda: got.extend(fake.take_notifications()) or len(got) >= 3)
    assert got == [(hrm.props.handle, bytes([0, b]), False) for b in (60, 61, 61)]
    assert values == [bytes([0, b]) for b in (60, 61, 61)]
    assert fake.read(hrm.props.handle) == (0, b"\x00\x3d")

    assert fake.subscribe(hrm, 0) == 0
    spin_until(lambda: not hrm.props.notifying)
    assert changes == [True, False]
    hrm.set_value(b"\x00\x50")
    spin_for(200)
    assert fake.take_notifications() == []


def test_send_value_async_and_indications(fake):
    ind = Gp.Characteristic.new("2a9c", F.READ | F.INDICATE)
    app, _ = make_app(fake, ind)
    register(app)

    # Nobody subscribed: the callback gets a GLib.Error in our domain.
    with pytest.raises(GLib.Error) as e:
        run_async(lambda cb: ind.send_value_async(b"x", None, cb),
                  ind.send_value_finish)
    assert e.value.matches(Gp.error_quark(), Gp.Error.NOT_CONNECTED)
    assert e.value.domain == "gp-error-quark" or e.value.domain == GLib.quark_to_string(Gp.error_quark())

    assert fake.subscribe(ind, 2) == 0
    spin_until(lambda: ind.props.notifying)
    fake.call("SetAutoConfirm", GLib.Variant("(b)", (False,)))
    done = []
    ind.send_value_async(bytearray(b"ind"), None,
                         lambda c, res, data: done.append((c.send_value_finish(res), data)),
                         "user-data")
    got = []
    spin_until(lambda: got.extend(fake.take_notifications()) or got)
    assert got == [(ind.props.handle, b"ind", True)]
    spin_for(200)
    assert done == []                                   # sent, not confirmed yet
    fake.call("ConfirmPending", GLib.Variant("(o)", (fake.device,)))
    spin_until(lambda: done)
    assert done == [(True, "user-data")]


def test_errors(fake):
    # Constructors and methods raise GLib.Error in the GP_ERROR domain.
    with pytest.raises(GLib.Error) as e:
        Gp.Service.new("not-a-uuid", True)
    assert e.value.matches(Gp.error_quark(), Gp.Error.INVALID_ARGUMENTS)
    with pytest.raises(GLib.Error) as e:
        Gp.Characteristic.new("2a37", F.NONE)
    assert e.value.matches(Gp.error_quark(), Gp.Error.INVALID_ARGUMENTS)
    with pytest.raises(GLib.Error) as e:
        Gp.uuid_normalize("xyz")
    assert e.value.matches(Gp.error_quark(), Gp.Error.INVALID_ARGUMENTS)

    # ATT codes to errors and back.
    err = Gp.error_new_att(0x85)
    assert err.matches(Gp.error_quark(), Gp.Error.FAILED)
    assert Gp.error_get_att_code(err, False) == 0x85
    not_permitted = GLib.Error.new_literal(Gp.error_quark(), "no", Gp.Error.NOT_PERMITTED)
    assert Gp.error_get_att_code(not_permitted, True) == 0x03
    assert Gp.error_get_att_code(not_permitted, False) == 0x02

    chrc = Gp.Characteristic.new("2a37", F.READ | F.WRITE)
    codes = iter([0x9f, 0x81])

    def refuse(attr, request):
        request.return_error(Gp.error_new_att(next(codes)))
        return True

    chrc.connect("read-request", refuse)
    chrc.connect("write-request", refuse)
    app, svc = make_app(fake, chrc)
    register(app)
    assert fake.read(chrc.props.handle)[0] == 0x9f
    assert fake.write(chrc.props.handle, b"x") == 0x81

    # Registering twice, and changing a registered tree, are refused.
    with pytest.raises(GLib.Error) as e:
        register(app)
    assert e.value.matches(Gp.error_quark(), Gp.Error.ALREADY_EXISTS)
    with pytest.raises(GLib.Error) as e:
        svc.add_characteristic(Gp.Characteristic.new("2a38", F.READ))
    assert e.value.matches(Gp.error_quark(), Gp.Error.NOT_PERMITTED)
    # A value too long for ATT.
    with pytest.raises(GLib.Error) as e:
        chrc.set_value(bytes(513))
    assert e.value.matches(Gp.error_quark(), Gp.Error.INVALID_VALUE_LENGTH)

    unregister(app)
    with pytest.raises(GLib.Error) as e:
        unregister(app)
    assert e.value.matches(Gp.error_quark(), Gp.Error.DOES_NOT_EXIST)


def test_subclass_read_and_write_vfuncs(fake):
    class Echo(Gp.Characteristic):
        """Reads return the last write, upper-cased; writes are counted."""

        def __init__(self):
            super().__init__(uuid="6e400002-b5a3-f393-e0a9-e50e24dcca9e",
                             flags=F.READ | F.WRITE, value=b"-")
            self.writes = 0

        def do_write_request(self, request):
            self.writes += 1
            if request.get_offset() != 0:
                return Gp.Characteristic.do_write_request(self, request)   # chain up
            self.last = request.get_value().get_data()
            request.return_success()
            return True

        def do_read_request(self, request):
            if self.writes == 0:
                # Chain up: the default answers from the stored value.
                return Gp.Characteristic.do_read_request(self, request)
            request.return_value(self.last.upper())
            return True

    class Label(Gp.Descriptor):
        def do_read_request(self, request):
            request.return_value(memoryview(b"label"))
            return True

    echo = Echo()
    label = Label(uuid="2901", flags=Gp.DescriptorFlags.READ)
    echo.add_descriptor(label)
    app, _ = make_app(fake, echo)
    register(app)
    assert fake.read(echo.props.handle) == (0, b"-")
    assert fake.write(echo.props.handle, b"abc") == 0
    assert fake.read(echo.props.handle) == (0, b"ABC")
    assert fake.read(label.props.handle) == (0, b"label")
    assert echo.writes == 1

    # A signal handler runs before the class handler and can take over.
    echo.connect("read-request", lambda a, r: r.return_value(b"signal") or True)
    assert fake.read(echo.props.handle) == (0, b"signal")


def test_bad_subclass_is_refused_when_added():
    class Bad(Gp.Characteristic):
        pass

    svc = Gp.Service.new("180d", True)
    with pytest.raises(GLib.Error) as e:
        svc.add_characteristic(Bad(uuid="garbage", flags=F.READ))
    assert e.value.matches(Gp.error_quark(), Gp.Error.INVALID_ARGUMENTS)
