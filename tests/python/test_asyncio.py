# SPDX-License-Identifier: LGPL-2.1-or-later
"""asyncio through the overrides, against the fake BlueZ: every async pair
awaitable (short names and X_async() without a callback), async read and
write handlers, cancellation of an awaited call cancelling its
GCancellable, and GattPeriph.run on the thread-default main context.
Runs on PyGObject 3.42 (python3-gbulb) and 3.50+ (gi.events)."""
import asyncio
import threading

import gi
import pytest

gi.require_version("GattPeriph", "1.0")
from gi.repository import GattPeriph as Gp, Gio, GLib  # noqa: E402

F = Gp.CharacteristicFlags

try:
    Gp.new_event_loop().close()
except ImportError:
    pytest.skip("neither PyGObject >= 3.50 nor python3-gbulb", allow_module_level=True)


async def acall(fake, method, params=None):
    """The fake's control interface, awaited (the fake's blocking helpers
    would run a nested main loop inside the asyncio one)."""
    future = asyncio.get_running_loop().create_future()

    def done(conn, res):
        try:
            future.set_result(conn.call_finish(res).unpack())
        except GLib.Error as e:
            future.set_exception(e)

    fake.conn.call("org.bluez", "/org/gattperiph/FakeBlueZ", "org.gattperiph.FakeBlueZ1",
                   method, params, None, Gio.DBusCallFlags.NONE, 30000, None, done)
    return await future


async def aread(fake, handle, offset=0):
    att, value = await acall(fake, "Read", GLib.Variant("(oqqq)", (fake.device, handle, offset, 517)))
    return att, bytes(value)


async def awrite(fake, handle, value):
    (att,) = await acall(fake, "Write", GLib.Variant("(oqqays)",
                                                     (fake.device, handle, 0, value, "request")))
    return att


class Slow(Gp.DeclarativeService):
    """Async handlers that await the asyncio loop before answering."""

    def __init__(self):
        super().__init__("180d")
        self.bpm = 70
        self.gate = asyncio.Event()
        self.log = []

    @Gp.characteristic("2a37", F.READ | F.NOTIFY)
    async def measurement(self, request):
        self.log.append("read")
        await self.gate.wait()
        return bytes([0, self.bpm])

    @Gp.characteristic("2a39", F.WRITE)
    def control(self):
        pass

    @control.setter
    async def control(self, value):
        await asyncio.sleep(0)
        if value != b"\x01":
            raise Gp.BluezError(Gp.Error.NOT_SUPPORTED, "only 1 resets")
        self.log.append("reset")


def test_async_handlers_and_awaitable_calls(fake):
    async def main():
        assert isinstance(asyncio.get_running_loop(), asyncio.AbstractEventLoop)
        adapter = await Gp.Adapter.find(fake.conn, "hci0")
        assert adapter.get_interface_name() == "hci0"
        svc = Slow()
        app = await svc.register(adapter)
        assert app.props.registered and svc.application is app

        # The read waits for the handler's await; the loop keeps serving.
        read = asyncio.ensure_future(aread(fake, svc.measurement.props.handle))
        while "read" not in svc.log:
            await asyncio.sleep(0.01)
        assert not read.done()
        svc.bpm = 75
        svc.gate.set()
        assert await read == (0, bytes([0, 75]))

        assert await awrite(fake, svc.control.props.handle, b"\x01") == 0
        assert await awrite(fake, svc.control.props.handle, b"\x02") == 0x06   # NotSupported
        assert svc.log == ["read", "reset"]

        # send_value completes once sent; X_async() without a callback too.
        ccc = svc.measurement.props.handle + 1
        assert await awrite(fake, ccc, b"\x01\x00") == 0
        while not svc.measurement.props.notifying:
            await asyncio.sleep(0.01)
        assert await svc.measurement.send_value(b"\x00\x50") is True
        assert await svc.measurement.send_value_async(bytearray(b"\x00\x51")) is True
        (notes,) = await acall(fake, "TakeNotifications", GLib.Variant("(o)", (fake.device,)))
        assert [bytes(v) for _h, v, _i in notes] == [b"\x00\x50", b"\x00\x51"]

        adv = Gp.Advertisement.new_for_connection(fake.conn, "/py/async/adv")
        agent = Gp.Agent.new_for_connection(fake.conn, "/py/async/agent",
                                          Gp.AgentCapability.NO_INPUT_NO_OUTPUT)
        assert await agent.register() is True and agent.props.registered
        assert await agent.unregister() is True
        adv.set_local_name("Async")
        assert await adv.start(adapter) is True
        assert await adv.stop() is True

        # A failing call raises its GLib.Error at the await.
        with pytest.raises(GLib.Error) as e:
            await Gp.Adapter.find(fake.conn, "hci7")
        assert e.value.domain == GLib.quark_to_string(Gp.error_quark())

        assert await app.unregister() is True
        assert not app.props.registered
        return "done"

    assert Gp.run(main()) == "done"


def test_callbacks_still_work_in_the_loop(fake):
    """X_async with a callback is the introspected call, unchanged."""
    async def main():
        done = asyncio.get_running_loop().create_future()
        Gp.Adapter.find_async(fake.conn, "hci0", None,
                              lambda _s, res: done.set_result(Gp.Adapter.find_finish(res)))
        return await done

    assert Gp.run(main()).get_interface_name() == "hci0"


def test_cancelling_the_task_cancels_the_call(fake):
    async def main():
        app = Gp.Application.new_for_connection(fake.conn, "/py/cancelled")
        app.add_service(Slow())
        cancellable = Gio.Cancellable()
        task = asyncio.ensure_future(app.register(None, cancellable))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert cancellable.is_cancelled()
        # The cancelled call left nothing behind: registering again works.
        while app.props.registration_state != Gp.RegistrationState.UNREGISTERED:
            await asyncio.sleep(0.01)
        assert not app.props.registered
        assert await app.register() is True

    Gp.run(main())


def test_async_handler_without_loop_is_refused(fake, capfd):
    """An async handler needs the asyncio loop; on a bare GLib main loop
    the central gets an error rather than a hang."""
    from conftest import run_async
    svc = Slow()
    app = Gp.Application.new_for_connection(fake.conn, "/py/noloop")
    app.add_service(svc)
    assert run_async(lambda cb: app.register_async(None, None, cb), app.register_finish)
    assert fake.read(svc.measurement.props.handle)[0] == 0x80


def test_run_uses_the_thread_default_context(fake):
    """In a thread with its own thread-default main context, GattPeriph.run
    runs that context: the objects made there are served while the main
    thread's default context is not iterated at all."""
    out = {}

    def thread():
        ctx = GLib.MainContext()
        ctx.push_thread_default()
        try:
            async def main():
                idle = asyncio.get_running_loop().create_future()
                source = GLib.idle_source_new()
                source.set_callback(lambda *a: idle.set_result(True) or False)
                source.attach(ctx)
                await idle
                svc = Slow()
                svc.gate.set()
                await svc.register(connection=fake.conn)
                out["read"] = await aread(fake, svc.measurement.props.handle)
                await svc.unregister()

            Gp.run(main())
        except BaseException as e:          # reported in the main thread
            out["error"] = e
        finally:
            ctx.pop_thread_default()

    t = threading.Thread(target=thread)
    t.start()
    t.join(60)
    assert not t.is_alive()
    if "error" in out:
        raise out["error"]
    assert out["read"] == (0, bytes([0, 70]))
