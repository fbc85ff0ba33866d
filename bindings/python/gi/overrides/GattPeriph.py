# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyGObject overrides for libgattperiph (GattPeriph-1.0).

PyGObject 3.42 passes only GLib.Bytes to a GBytes parameter. These
overrides also accept bytes, bytearray and memoryview wherever a value is
passed in (attribute values, request answers, notifications, advertising
data), and as the ``value`` keyword of a constructor. Everything else is the
introspected API, unchanged.
"""
from gi.repository import GLib

from ..module import get_introspection_module
from ..overrides import override

GattPeriph = get_introspection_module("GattPeriph")

__all__ = []


def _to_glib_bytes(value):
    """GLib.Bytes (or None) as is; bytes-like objects copied into a new
    GLib.Bytes; anything else is a TypeError."""
    if value is None or isinstance(value, GLib.Bytes):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return GLib.Bytes.new(bytes(value))
    raise TypeError("expected GLib.Bytes, bytes, bytearray or memoryview, not %s"
                    % type(value).__name__)


class Attribute(GattPeriph.Attribute):
    def __init__(self, **kwargs):
        if "value" in kwargs:
            kwargs["value"] = _to_glib_bytes(kwargs["value"])
        super().__init__(**kwargs)

    def set_value(self, value):
        return GattPeriph.Attribute.set_value(self, _to_glib_bytes(value))


Attribute = override(Attribute)
__all__.append("Attribute")


class Characteristic(GattPeriph.Characteristic):
    def send_value_async(self, value, *args, **kwargs):
        return GattPeriph.Characteristic.send_value_async(
            self, _to_glib_bytes(value), *args, **kwargs)


Characteristic = override(Characteristic)
__all__.append("Characteristic")


class Request(GattPeriph.Request):
    def return_value(self, value):
        return GattPeriph.Request.return_value(self, _to_glib_bytes(value))

    def return_partial_value(self, value):
        return GattPeriph.Request.return_partial_value(self, _to_glib_bytes(value))


Request = override(Request)
__all__.append("Request")


if hasattr(GattPeriph, "Advertisement"):
    class Advertisement(GattPeriph.Advertisement):
        def set_manufacturer_data(self, company_id, data):
            return GattPeriph.Advertisement.set_manufacturer_data(
                self, company_id, _to_glib_bytes(data))

        def set_service_data(self, uuid, data):
            return GattPeriph.Advertisement.set_service_data(
                self, uuid, _to_glib_bytes(data))

        def set_advertising_data(self, ad_type, data):
            return GattPeriph.Advertisement.set_advertising_data(
                self, ad_type, _to_glib_bytes(data))

    Advertisement = override(Advertisement)
    __all__.append("Advertisement")
