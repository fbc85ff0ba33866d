# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyGObject overrides for libgattperiph (GattPeriph-1.0).

PyGObject 3.42 passes only GLib.Bytes to a GBytes parameter. These
overrides also accept bytes, bytearray and memoryview wherever a value is
passed in (attribute values, request answers, notifications, advertising
data), and as the ``value`` keyword of a constructor. Everything else is the
introspected API, unchanged.

They also add, in pure Python over the same objects:

- asyncio: every ``*_async``/``*_finish`` pair can be awaited. Called
  without a callback, ``X_async(...)`` returns an :class:`asyncio.Future`,
  and most pairs have a short name too (``await app.register()``, ``await
  adv.start(adapter)``, ``await chrc.send_value(b"..")``, ``await
  agent.register()``, ``await Adapter.find()``). Cancelling the awaiting
  task cancels the call's GCancellable. The event loop must be GLib's:
  :func:`run` (or :func:`new_event_loop`) gives one on every PyGObject
  (``gi.events`` on 3.50+, python3-gbulb before).
- a declarative layer: :class:`DeclarativeService` subclasses whose
  :func:`characteristic`/:func:`descriptor` decorated methods answer reads
  and writes with ``bytes``, sync or ``async def``; every declared object
  is a plain :class:`Characteristic`/:class:`Descriptor`/:class:`Service`.
"""
import asyncio
import inspect
import signal
import threading
import traceback
from typing import Any, Awaitable, Callable, Optional, Sequence, TypeVar, Union

from gi.repository import Gio, GLib

from ..module import get_introspection_module
from ..overrides import override

GattPeriph = get_introspection_module("GattPeriph")

__all__ = []

BytesLike = Union[bytes, bytearray, memoryview, GLib.Bytes]
T = TypeVar("T")


def _to_glib_bytes(value):
    """GLib.Bytes (or None) as is; bytes-like objects copied into a new
    GLib.Bytes; anything else is a TypeError."""
    if value is None or isinstance(value, GLib.Bytes):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return GLib.Bytes.new(bytes(value))
    raise TypeError("expected GLib.Bytes, bytes, bytearray or memoryview, not %s"
                    % type(value).__name__)


# --- asyncio ---------------------------------------------------------------

def new_event_loop() -> asyncio.AbstractEventLoop:
    """A new asyncio event loop that runs GLib's thread-default main context
    (the one the library's objects made in this thread use): PyGObject's
    own ``gi.events.GLibEventLoop`` (3.50 and later), or else python3-gbulb's
    loop. Raises ImportError if neither is available."""
    context = GLib.MainContext.ref_thread_default()
    try:
        from gi.events import GLibEventLoop          # PyGObject >= 3.50
        return GLibEventLoop(context)
    except ImportError:
        pass
    try:
        from gbulb.glib_events import GLibEventLoop as GbulbLoop
    except ImportError as e:
        raise ImportError("GattPeriph's asyncio support needs PyGObject >= 3.50 "
                          "or python3-gbulb") from e
    return GbulbLoop(context=context)


async def _cancelled_by_signals(main: Awaitable[T], signals: Sequence[int]) -> Optional[T]:
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(main)
    caught = []
    if threading.current_thread() is not threading.main_thread():
        signals = ()

    def on_signal(signum):
        caught.append(signum)
        task.cancel()

    for signum in signals:
        loop.add_signal_handler(signum, on_signal, signum)
    try:
        return await task
    except asyncio.CancelledError:
        if caught and task.cancelled():
            return None
        raise
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)


def run(main: Awaitable[T], *, debug: Optional[bool] = None,
        stop_signals: Sequence[int] = (signal.SIGINT, signal.SIGTERM)) -> Optional[T]:
    """Like :func:`asyncio.run`, on a GLib-backed event loop (see
    :func:`new_event_loop`), so that the library's D-Bus calls and
    callbacks, which run on GLib's main context, and asyncio tasks run
    together. Returns what ``main`` returns, or None if one of
    ``stop_signals`` (in the main thread; default SIGINT and SIGTERM)
    cancelled it: a service that runs until stopped exits cleanly."""
    with asyncio.Runner(debug=debug, loop_factory=new_event_loop) as runner:
        return runner.run(_cancelled_by_signals(main, stop_signals))


class _GioFuture(asyncio.Future):
    """A future of a GIO-style async call: cancelling it cancels the call's
    GCancellable at once."""

    def __init__(self, cancellable: Gio.Cancellable, loop: asyncio.AbstractEventLoop):
        super().__init__(loop=loop)
        self.cancellable = cancellable

    def cancel(self, *args, **kwargs) -> bool:
        if not super().cancel(*args, **kwargs):
            return False
        self.cancellable.cancel()
        return True


def _glib_future(start: Callable[[Gio.Cancellable, Callable], None],
                 finish: Callable[[Any, Gio.AsyncResult], Any],
                 cancellable: Optional[Gio.Cancellable]) -> "asyncio.Future":
    """Starts a GIO-style async call and returns a future of its result.
    Cancelling the future cancels the call's GCancellable (a new one if none
    is given); the call's callback then finishes it quietly. Needs a
    running GLib-backed asyncio loop (see run())."""
    loop = asyncio.get_running_loop()
    future = _GioFuture(cancellable if cancellable is not None else Gio.Cancellable(), loop)

    def done(source, result, *_user_data):
        try:
            value = finish(source, result)
        except GLib.Error as e:
            if not future.done():
                future.set_exception(e)
            return
        if not future.done():
            future.set_result(value)

    start(future.cancellable, done)
    return future


def _n_in_args(function) -> int:
    """How many arguments an introspected *_async method takes before its
    GCancellable."""
    names = [a.get_name() for a in function.get_arguments()]
    return names.index("cancellable")


def _awaitable_async(klass, name: str, static: bool = False, convert=None):
    """Wraps klass.NAME_async so that, called without a callback, it
    returns a future of NAME_finish's result (see _glib_future)."""
    introspected = getattr(GattPeriph, klass.__name__)
    original = getattr(introspected, name + "_async")
    finish_name = name + "_finish"
    n_in = _n_in_args(original)

    def method(*args, **kwargs):
        self_args = args if static else args[1:]
        callback = kwargs.get("callback")
        if callback is None and len(self_args) > n_in + 1:
            callback = self_args[n_in + 1]
        if convert is not None and self_args:
            i = 0 if static else 1
            args = args[:i] + (convert(args[i]),) + args[i + 1:]
        if callback is not None:
            return original(*args, **kwargs)
        if len(self_args) > n_in:
            cancellable = self_args[n_in]
            args = args[:len(args) - len(self_args) + n_in]
        else:
            cancellable = kwargs.pop("cancellable", None)
        kwargs.pop("callback", None)
        kwargs.pop("user_data", None)
        if static:
            def finish(_source, result):
                return getattr(introspected, finish_name)(result)
        else:
            def finish(source, result):
                return getattr(source, finish_name)(result)
        return _glib_future(
            lambda c, cb: original(*args, cancellable=c, callback=cb, **kwargs),
            finish, cancellable)

    method.__name__ = name + "_async"
    method.__qualname__ = klass.__name__ + "." + method.__name__
    method.__doc__ = (
        "%s(...)\n\nThe introspected %s_async; called without a callback it returns\n"
        "an asyncio future of %s_finish's result (await it on a GLib-backed\n"
        "loop, see GattPeriph.run), and cancelling the future cancels the call."
        % (method.__name__, name, name))
    return staticmethod(method) if static else method


def _install_async(klass, names, static=()):
    for name in names:
        setattr(klass, name + "_async", _awaitable_async(klass, name, name in static))


class Attribute(GattPeriph.Attribute):
    """An attribute (characteristic or descriptor); values may be given as
    ``bytes`` as well as GLib.Bytes."""

    def __init__(self, **kwargs):
        if "value" in kwargs:
            kwargs["value"] = _to_glib_bytes(kwargs["value"])
        super().__init__(**kwargs)

    def set_value(self, value: Optional[BytesLike]) -> bool:
        """Sets the stored value (and, for a characteristic, notifies the
        subscribed centrals)."""
        return GattPeriph.Attribute.set_value(self, _to_glib_bytes(value))

    def changed(self, value: BytesLike) -> None:
        """Pushes a new value: it is stored for reads and, for a
        characteristic, sent to every subscribed central (notification or
        indication, whichever it subscribed to). The same as
        :meth:`set_value`, under bluez-peripheral's name."""
        self.set_value(value)


Attribute = override(Attribute)
__all__.append("Attribute")


class Characteristic(GattPeriph.Characteristic):
    """A GATT characteristic; see also :func:`characteristic` to declare
    one in a :class:`DeclarativeService`."""

    def send_value_async(self, value, *args, **kwargs):
        return _SEND_VALUE_ASYNC(self, _to_glib_bytes(value), *args, **kwargs)

    send_value_async.__doc__ = None

    def send_value(self, value: BytesLike,
                   cancellable: Optional[Gio.Cancellable] = None) -> "asyncio.Future[bool]":
        """Awaitable :meth:`send_value_async`: sends ``value`` to every
        subscribed central without storing it, and completes when it went
        out (for indications: when confirmed)."""
        return self.send_value_async(value, cancellable)


Characteristic = override(Characteristic)
__all__.append("Characteristic")
_SEND_VALUE_ASYNC = _awaitable_async(Characteristic, "send_value")
Characteristic.send_value_async.__doc__ = _SEND_VALUE_ASYNC.__doc__


class Request(GattPeriph.Request):
    """A read or write request from a central; answers take ``bytes``."""

    def return_value(self, value: BytesLike) -> None:
        """Answers a read with ``value`` (the request's offset is applied)."""
        return GattPeriph.Request.return_value(self, _to_glib_bytes(value))

    def return_partial_value(self, value: BytesLike) -> None:
        """Answers a read with ``value``, already cut at the offset."""
        return GattPeriph.Request.return_partial_value(self, _to_glib_bytes(value))


Request = override(Request)
__all__.append("Request")


class Application(GattPeriph.Application):
    """A GATT application: the services registered with BlueZ together."""

    def add_service(self, service) -> bool:
        """Adds a :class:`Service` or a :class:`DeclarativeService`."""
        if isinstance(service, DeclarativeService):
            service = service.gatt_service
        return GattPeriph.Application.add_service(self, service)

    def remove_service(self, service) -> bool:
        """Removes a :class:`Service` or a :class:`DeclarativeService`."""
        if isinstance(service, DeclarativeService):
            service = service.gatt_service
        return GattPeriph.Application.remove_service(self, service)

    def register(self, adapter: Optional["Adapter"] = None,
                 cancellable: Optional[Gio.Cancellable] = None) -> "asyncio.Future[bool]":
        """Awaitable :meth:`register_async`: registers with BlueZ on
        ``adapter`` (None: the first powered one)."""
        return self.register_async(adapter, cancellable)

    def unregister(self, cancellable: Optional[Gio.Cancellable] = None) -> "asyncio.Future[bool]":
        """Awaitable :meth:`unregister_async`."""
        return self.unregister_async(cancellable)


_install_async(Application, ["register", "unregister"])
Application = override(Application)
__all__.append("Application")


class Agent(GattPeriph.Agent):
    """A pairing agent."""

    def register(self, make_default: bool = True,
                 cancellable: Optional[Gio.Cancellable] = None) -> "asyncio.Future[bool]":
        """Awaitable :meth:`register_async` (the default agent unless
        ``make_default`` is False)."""
        return self.register_async(make_default, cancellable)

    def unregister(self, cancellable: Optional[Gio.Cancellable] = None) -> "asyncio.Future[bool]":
        """Awaitable :meth:`unregister_async`."""
        return self.unregister_async(cancellable)


_install_async(Agent, ["register", "unregister"])
Agent = override(Agent)
__all__.append("Agent")


class Adapter(GattPeriph.Adapter):
    """A Bluetooth adapter (controller) of BlueZ."""

    @staticmethod
    def find(connection: Optional[Gio.DBusConnection] = None, name: Optional[str] = None,
             cancellable: Optional[Gio.Cancellable] = None) -> "asyncio.Future[Adapter]":
        """Awaitable :meth:`find_async`: the adapter called ``name`` (hci0,
        or an address), or the first powered one, on ``connection`` (None:
        the system bus)."""
        return Adapter.find_async(connection, name, cancellable)

    def set_alias(self, alias: str,
                  cancellable: Optional[Gio.Cancellable] = None) -> "asyncio.Future[bool]":
        """Awaitable :meth:`set_alias_async`."""
        return self.set_alias_async(alias, cancellable)

    def set_powered(self, powered: bool,
                    cancellable: Optional[Gio.Cancellable] = None) -> "asyncio.Future[bool]":
        """Awaitable :meth:`set_powered_async`."""
        return self.set_powered_async(powered, cancellable)

    def set_discoverable(self, discoverable: bool,
                         cancellable: Optional[Gio.Cancellable] = None) -> "asyncio.Future[bool]":
        """Awaitable :meth:`set_discoverable_async`."""
        return self.set_discoverable_async(discoverable, cancellable)

    def set_pairable(self, pairable: bool,
                     cancellable: Optional[Gio.Cancellable] = None) -> "asyncio.Future[bool]":
        """Awaitable :meth:`set_pairable_async`."""
        return self.set_pairable_async(pairable, cancellable)


_install_async(Adapter, ["find", "set_alias", "set_powered", "set_discoverable", "set_pairable"],
               static=("find",))
Adapter = override(Adapter)
__all__.append("Adapter")


class Device(GattPeriph.Device):
    """A remote device (a central) BlueZ knows. ``disconnect`` stays
    GObject's signal-handler method: await ``disconnect_async()`` to drop
    the link."""

    def remove(self, cancellable: Optional[Gio.Cancellable] = None) -> "asyncio.Future[bool]":
        """Awaitable :meth:`remove_async`."""
        return self.remove_async(cancellable)

    def set_trusted(self, trusted: bool,
                    cancellable: Optional[Gio.Cancellable] = None) -> "asyncio.Future[bool]":
        """Awaitable :meth:`set_trusted_async`."""
        return self.set_trusted_async(trusted, cancellable)


_install_async(Device, ["disconnect", "remove", "set_trusted"])
Device = override(Device)
__all__.append("Device")


if hasattr(GattPeriph, "Advertisement"):
    class Advertisement(GattPeriph.Advertisement):
        """An LE advertisement; data may be given as ``bytes``."""

        def set_manufacturer_data(self, company_id: int, data: Optional[BytesLike]) -> None:
            return GattPeriph.Advertisement.set_manufacturer_data(
                self, company_id, _to_glib_bytes(data))

        def set_service_data(self, uuid: str, data: Optional[BytesLike]) -> None:
            return GattPeriph.Advertisement.set_service_data(
                self, uuid, _to_glib_bytes(data))

        def set_advertising_data(self, ad_type: int, data: Optional[BytesLike]) -> None:
            return GattPeriph.Advertisement.set_advertising_data(
                self, ad_type, _to_glib_bytes(data))

        def start(self, adapter: Optional["Adapter"] = None,
                  cancellable: Optional[Gio.Cancellable] = None) -> "asyncio.Future[bool]":
            """Awaitable :meth:`start_async`: advertises on ``adapter``
            (None: the first powered one)."""
            return self.start_async(adapter, cancellable)

        def stop(self, cancellable: Optional[Gio.Cancellable] = None) -> "asyncio.Future[bool]":
            """Awaitable :meth:`stop_async`."""
            return self.stop_async(cancellable)

    _install_async(Advertisement, ["start", "stop"])
    Advertisement = override(Advertisement)
    __all__.append("Advertisement")


# --- the declarative layer -------------------------------------------------

class BluezError(GLib.Error):
    """Raise from a read or write handler to refuse the request with one of
    BlueZ's errors: ``code`` is a :class:`Error` (GattPeriph.Error.NOT_PERMITTED,
    INVALID_VALUE_LENGTH, NOT_AUTHORIZED, INVALID_OFFSET, NOT_SUPPORTED,
    FAILED, ...), which reaches the central as the ATT error BlueZ maps it to.
    Any GLib.Error in the GattPeriph error domain does the same."""

    def __init__(self, code: int = GattPeriph.Error.FAILED, message: Optional[str] = None):
        code = int(code)
        super().__init__(message or GattPeriph.Error(code).value_nick,
                         GLib.quark_to_string(GattPeriph.error_quark()), code)


class AttError(Exception):
    """Raise from a read or write handler to refuse the request with an
    application ATT error code (0x80 to 0x9F), as the profile defines it."""

    def __init__(self, att_code: int, message: Optional[str] = None):
        super().__init__(message or "ATT error 0x%02x" % att_code)
        self.att_code = att_code


def _refuse(request, error: BaseException) -> None:
    """Answers request with the error a handler raised (or its task ended
    with): AttError and BluezError as they say, any other exception as
    org.bluez.Error.Failed after printing its traceback."""
    if request.get_answered():
        return
    if isinstance(error, AttError):
        request.return_att_error(error.att_code)
    elif isinstance(error, GLib.Error):
        request.return_error(error)
    else:
        if isinstance(error, asyncio.CancelledError):
            message = "the handler was cancelled"
        else:
            traceback.print_exception(type(error), error, error.__traceback__)
            message = "%s: %s" % (type(error).__name__, error)
        request.return_error_literal(GattPeriph.Error.FAILED, message)


def _wants(function, n_without_request: int) -> bool:
    """Whether a handler takes the request argument (bluez-peripheral's
    ``options``) after its n_without_request ones (self included)."""
    try:
        params = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return True
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return True
    return len([p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]) \
        > n_without_request


class _Declaration:
    """What characteristic and descriptor declarations share."""

    _n = 0

    def __init__(self, uuid: str, flags: int, value: Optional[BytesLike]):
        self.uuid = uuid
        self.flags = flags
        self.value = value
        self.name: Optional[str] = None
        self._getter: Optional[Callable] = None
        self._setter: Optional[Callable] = None
        _Declaration._n += 1
        self._order = _Declaration._n

    def __set_name__(self, owner, name):
        self.name = name

    def __call__(self, getter: Callable) -> "_Declaration":
        """Decorates the read handler: ``def name(self[, request]) -> bytes``
        (or ``async def``). It returns the value to answer with (the
        request's offset is applied for it), or None to answer with the
        stored value; it may raise :class:`BluezError`/:class:`AttError` to
        refuse. ``request`` is the :class:`Request` (offset, mtu, device,
        link...)."""
        self._getter = getter
        self.__doc__ = getter.__doc__
        return self

    def setter(self, setter: Callable) -> "_Declaration":
        """Decorates the write handler: ``def name(self, value: bytes[,
        request])`` (or ``async def``). Returning accepts the write (the
        value is not stored: the handler owns it; call ``changed()`` to
        store it); raising :class:`BluezError`/:class:`AttError` refuses it
        with that error."""
        self._setter = setter
        return self

    def _connect(self, obj, service: "DeclarativeService") -> None:
        if self.value is not None:
            obj.set_value(self.value)
        if self._getter is not None:
            obj.connect("read-request", _on_read, service, self._getter)
        if self._setter is not None:
            obj.connect("write-request", _on_write, service, self._setter)


def _start_task(service, request, awaitable, answer) -> None:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        if inspect.iscoroutine(awaitable):
            awaitable.close()
        request.return_error_literal(GattPeriph.Error.FAILED,
                                     "an async handler needs a running asyncio loop "
                                     "(GattPeriph.run)")
        return
    task = asyncio.ensure_future(awaitable, loop=loop)
    service._tasks.add(task)

    def done(t):
        service._tasks.discard(t)
        if request.get_answered():
            return
        if t.cancelled():
            _refuse(request, asyncio.CancelledError())
        elif t.exception() is not None:
            _refuse(request, t.exception())
        else:
            answer(t.result())

    task.add_done_callback(done)


def _on_read(attribute, request, service, getter):
    def answer(value):
        if not request.get_answered():
            request.return_value(attribute.get_value() if value is None else value)

    try:
        result = getter(service, request) if _wants(getter, 1) else getter(service)
    except Exception as e:                  # answered, not lost
        _refuse(request, e)
        return True
    if inspect.isawaitable(result):
        _start_task(service, request, result, answer)
        return True
    if request.get_answered():
        return True
    if result is None:
        return False                        # the next handler, or the stored value
    answer(result)
    return True


def _on_write(attribute, request, service, setter):
    def answer(_result):
        if not request.get_answered():
            request.return_success()

    value = request.get_value()
    value = bytes(value.get_data() or b"") if value is not None else b""
    try:
        result = (setter(service, value, request) if _wants(setter, 2)
                  else setter(service, value))
    except Exception as e:                  # answered, not lost
        _refuse(request, e)
        return True
    if inspect.isawaitable(result):
        _start_task(service, request, result, answer)
    else:
        answer(result)
    return True


class characteristic(_Declaration):    # noqa: N801 (a decorator, as in bluez-peripheral)
    """Declares a characteristic in a :class:`DeclarativeService` body::

        @characteristic("2A37", CharacteristicFlags.READ | CharacteristicFlags.NOTIFY)
        def heart_rate(self, request):        # read handler (optional body)
            return bytes([0, 72])

        @heart_rate.setter
        def heart_rate(self, value, request): # write handler
            ...

    or without handlers: ``location = characteristic("2A38", value=b"\\x01")``.
    On each service instance the name is the :class:`Characteristic` made
    for it (``self.heart_rate.changed(b"...")`` pushes a value).
    ``description`` adds a Characteristic User Description descriptor;
    ``value`` is the initial stored value (answered when no read handler, or
    a read handler returning None)."""

    def __init__(self, uuid: str,
                 flags: GattPeriph.CharacteristicFlags = GattPeriph.CharacteristicFlags.READ,
                 *, value: Optional[BytesLike] = None, description: Optional[str] = None):
        super().__init__(uuid, flags, value)
        self.description = description

    def descriptor(self, uuid: str,
                   flags: GattPeriph.DescriptorFlags = GattPeriph.DescriptorFlags.READ,
                   *, value: Optional[BytesLike] = None) -> "descriptor":
        """Declares a descriptor of this characteristic (a decorator for
        its read handler, as :func:`characteristic` is)."""
        return descriptor(uuid, self, flags, value=value)

    def _make(self, service: "DeclarativeService"):
        obj = Characteristic.new(self.uuid, self.flags)
        if self.description is not None:
            obj.add_descriptor(GattPeriph.Descriptor.new_user_description(self.description))
        self._connect(obj, service)
        return obj


class descriptor(_Declaration):        # noqa: N801
    """Declares a descriptor of ``characteristic`` (a :func:`characteristic`
    declaration of the same service class); used like it, as a decorator for
    the read handler, with ``.setter`` for the write handler. On each
    service instance the name is the :class:`Descriptor` made for it."""

    def __init__(self, uuid: str, characteristic: characteristic,
                 flags: GattPeriph.DescriptorFlags = GattPeriph.DescriptorFlags.READ,
                 *, value: Optional[BytesLike] = None):
        super().__init__(uuid, flags, value)
        self.characteristic = characteristic

    def _make(self, service: "DeclarativeService"):
        obj = GattPeriph.Descriptor.new(self.uuid, self.flags)
        self._connect(obj, service)
        return obj


class DeclarativeService:
    """A GATT service declared as a class (bluez-peripheral's ``Service``)::

        class HeartRate(GattPeriph.DeclarativeService):
            def __init__(self):
                super().__init__("180D")

            @GattPeriph.characteristic("2A37", F.READ | F.NOTIFY)
            def measurement(self, request):
                return bytes([0, self.bpm])

    Each instance makes one :class:`Service` (``gatt_service``) holding a
    :class:`Characteristic` per :func:`characteristic` declaration (and a
    :class:`Descriptor` per :func:`descriptor`), in declaration order,
    reachable as attributes of the same names. Attributes it does not have
    are looked up on ``gatt_service``; ``Application.add_service`` takes the
    instance as it is, or :meth:`register` makes an application for it."""

    def __init__(self, uuid: str, primary: bool = True):
        self.gatt_service = GattPeriph.Service.new(uuid, primary)
        self.application: Optional[Application] = None
        self._tasks = set()
        declarations = {}
        for klass in reversed(type(self).__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, _Declaration):
                    declarations[name] = value
        made = {}
        for name, decl in sorted(declarations.items(), key=lambda kv: kv[1]._order):
            if isinstance(decl, characteristic):
                made[decl] = obj = decl._make(self)
                self.gatt_service.add_characteristic(obj)
                setattr(self, name, obj)
        for name, decl in sorted(declarations.items(), key=lambda kv: kv[1]._order):
            if isinstance(decl, descriptor):
                if decl.characteristic not in made:
                    raise ValueError("descriptor %s: its characteristic is not declared "
                                     "in %s" % (name, type(self).__name__))
                obj = decl._make(self)
                made[decl.characteristic].add_descriptor(obj)
                setattr(self, name, obj)

    def __getattr__(self, name: str) -> Any:
        if name == "gatt_service":
            raise AttributeError(name)
        return getattr(self.gatt_service, name)

    async def register(self, adapter: Optional["Adapter"] = None, *,
                       connection: Optional[Gio.DBusConnection] = None,
                       path: Optional[str] = None) -> "Application":
        """Registers this service alone with BlueZ, as bluez-peripheral's
        ``await service.register(bus)`` does: makes an :class:`Application`
        (on ``adapter``'s connection, else ``connection``, else the system
        bus; at ``path``, else one made from the class name), adds the
        service, awaits :meth:`Application.register` and returns the
        application (also kept as ``self.application``)."""
        if path is None:
            path = "/org/gattperiph/py/%s_%x" % (type(self).__name__, id(self))
        if adapter is not None and connection is None:
            connection = adapter.get_connection()
        app = (Application.new_for_connection(connection, path) if connection is not None
               else Application.new(path))
        app.add_service(self)
        await app.register(adapter)
        self.application = app
        return app

    async def unregister(self) -> None:
        """Unregisters the application :meth:`register` made."""
        if self.application is not None:
            await self.application.unregister()


__all__ += ["BluezError", "AttError", "characteristic", "descriptor", "DeclarativeService"]


__all__ += ["new_event_loop", "run"]
