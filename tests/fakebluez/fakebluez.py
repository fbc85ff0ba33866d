#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""fakebluez - a fake bluetoothd (BlueZ 5.66 behaviour) for libgattperiph tests.

It owns org.bluez on a given bus, exports adapters with GattManager1,
LEAdvertisingManager1 and AgentManager1, talks to registered applications
the way bluetoothd 5.66 does, and plays the role of one or more connected
centrals driven through the control interface org.gattperiph.FakeBlueZ1 at
/org/gattperiph/FakeBlueZ.  See README.md next to this file.

Run it with Debian's /usr/bin/python3 (needs python3-gi).
"""

import argparse
import collections
import os
import signal
import socket
import struct
import sys

import gi
gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

VERBOSE = False


def log(fmt, *args):
    if VERBOSE:
        sys.stderr.write('fakebluez: ' + (fmt % args if args else fmt) + '\n')
        sys.stderr.flush()


# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------

BLUEZ = 'org.bluez'
ERR = 'org.bluez.Error.'
DBUS_ERR = 'org.freedesktop.DBus.Error.'
PROPS_IFACE = 'org.freedesktop.DBus.Properties'
OM_IFACE = 'org.freedesktop.DBus.ObjectManager'
INTROSPECT_IFACE = 'org.freedesktop.DBus.Introspectable'
ADAPTER_IFACE = 'org.bluez.Adapter1'
DEVICE_IFACE = 'org.bluez.Device1'
GATT_MGR_IFACE = 'org.bluez.GattManager1'
ADV_MGR_IFACE = 'org.bluez.LEAdvertisingManager1'
AGENT_MGR_IFACE = 'org.bluez.AgentManager1'
SERVICE_IFACE = 'org.bluez.GattService1'
CHRC_IFACE = 'org.bluez.GattCharacteristic1'
DESC_IFACE = 'org.bluez.GattDescriptor1'
PROFILE_IFACE = 'org.bluez.GattProfile1'
ADV_IFACE = 'org.bluez.LEAdvertisement1'
AGENT_IFACE = 'org.bluez.Agent1'
CTRL_IFACE = 'org.gattperiph.FakeBlueZ1'
CTRL_PATH = '/org/gattperiph/FakeBlueZ'
CTRL_NAME = 'org.gattperiph.FakeBlueZ'
CTRL_ERR = 'org.gattperiph.FakeBlueZ1.Error.'

# ATT permissions (src/shared/att-types.h)
PERM_READ = 0x01
PERM_WRITE = 0x02
PERM_READ_ENCRYPT = 0x04
PERM_WRITE_ENCRYPT = 0x08
PERM_READ_AUTHEN = 0x10
PERM_WRITE_AUTHEN = 0x20
PERM_NONE = 0x80
PERM_READ_SECURE = 0x0100
PERM_WRITE_SECURE = 0x0200
PERM_ENCRYPT = PERM_READ_ENCRYPT | PERM_WRITE_ENCRYPT
PERM_AUTHEN = PERM_READ_AUTHEN | PERM_WRITE_AUTHEN
PERM_SECURE = PERM_READ_SECURE | PERM_WRITE_SECURE
PERM_READ_MASK = PERM_READ | PERM_READ_AUTHEN | PERM_READ_ENCRYPT | PERM_READ_SECURE
PERM_WRITE_MASK = PERM_WRITE | PERM_WRITE_AUTHEN | PERM_WRITE_ENCRYPT | PERM_WRITE_SECURE

PROP_BROADCAST = 0x01
PROP_READ = 0x02
PROP_WRITE_WITHOUT_RESP = 0x04
PROP_WRITE = 0x08
PROP_NOTIFY = 0x10
PROP_INDICATE = 0x20
PROP_AUTH = 0x40
PROP_EXT_PROP = 0x80
EXT_PROP_RELIABLE_WRITE = 0x01
EXT_PROP_WRITABLE_AUX = 0x02

SEC_LOW, SEC_MEDIUM, SEC_HIGH, SEC_FIPS = 1, 2, 3, 4

ATT_INVALID_HANDLE = 0x01
ATT_READ_NOT_PERMITTED = 0x02
ATT_WRITE_NOT_PERMITTED = 0x03
ATT_AUTHENTICATION = 0x05
ATT_REQUEST_NOT_SUPPORTED = 0x06
ATT_INVALID_OFFSET = 0x07
ATT_AUTHORIZATION = 0x08
ATT_PREPARE_QUEUE_FULL = 0x09
ATT_INVALID_VALUE_LEN = 0x0D
ATT_UNLIKELY = 0x0E
ATT_INSUFFICIENT_ENCRYPTION = 0x0F
ATT_INSUFFICIENT_RESOURCES = 0x11
ATT_CCC_IMPROPERLY_CONFIGURED = 0xFD
ATT_ALREADY_IN_PROGRESS = 0xFE

ATT_MAX_VALUE_LEN = 512
MAX_PREP_QUEUE_LEN = 30
DEFAULT_MTU = 517

OP_READ, OP_WRITE_REQ, OP_WRITE_CMD, OP_PREP_WRITE, OP_EXEC_WRITE = \
    'read', 'write-req', 'write-cmd', 'prep-write', 'exec-write'

BASE_UUID_SUFFIX = '-0000-1000-8000-00805f9b34fb'

NOTIFICATION_CAP = 100000

# MGMT advertising flags (lib/mgmt.h)
MGMT_ADV_FLAG_CONNECTABLE = 1 << 0
MGMT_ADV_FLAG_DISCOV = 1 << 1
MGMT_ADV_FLAG_LIMITED_DISCOV = 1 << 2
MGMT_ADV_FLAG_MANAGED_FLAGS = 1 << 3
MGMT_ADV_FLAG_TX_POWER = 1 << 4
MGMT_ADV_FLAG_APPEARANCE = 1 << 5
MGMT_ADV_FLAG_LOCAL_NAME = 1 << 6
MGMT_ADV_FLAG_SEC_1M = 1 << 7
MGMT_ADV_FLAG_SEC_2M = 1 << 8
MGMT_ADV_FLAG_SEC_CODED = 1 << 9
MGMT_ADV_FLAG_SEC_MASK = MGMT_ADV_FLAG_SEC_1M | MGMT_ADV_FLAG_SEC_2M | MGMT_ADV_FLAG_SEC_CODED

AD_MAX_LEN = 31
AD_FLAG_LIMITED = 0x01
AD_FLAG_GENERAL = 0x02
AD_FLAG_NO_BREDR = 0x04
AD_TYPE_FLAGS = 0x01
AD_TYPE_REJECT = set([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
                      0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12,
                      0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
                      0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23,
                      0x27, 0x28, 0x29, 0x2a, 0x2b, 0x3d, 0xff])
MAX_ADV_INSTANCES = 5
TX_POWER_NO_PREFERENCE = 0x7F

IO_CAPS = {
    '': 'KeyboardDisplay', 'DisplayOnly': 'DisplayOnly',
    'DisplayYesNo': 'DisplayYesNo', 'KeyboardOnly': 'KeyboardOnly',
    'NoInputNoOutput': 'NoInputNoOutput', 'KeyboardDisplay': 'KeyboardDisplay',
}


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------

REGISTER_METHODS = ('RegisterApplication', 'RegisterAdvertisement', 'RegisterAgent')


class Options:
    att_timeout_ms = 5000
    agent_timeout_ms = 60000
    ind_timeout_ms = 30000
    experimental = False
    adv_mgmt = 'legacy'
    # The controller's advertising data limit as the kernel reports it
    # (max_adv_len(): 31, or 251 with extended advertising).
    max_adv_len = 31
    passkey = 123456
    restart_delay_ms = 100
    adapter_delay_ms = 0     # bluetoothd owns its name before its adapters are back
    # Which bluetoothd to behave like (--bluez / $FAKEBLUEZ_BLUEZ): the
    # differences between the two are those verified in the sandbox
    # (tests/sandbox/scenarios/40-bluez-differences, docs/bluez-quirks.md).
    bluez = (5, 66)


OPTS = Options()
BLUEZ_VERSIONS = ('5.66', '5.82')


def bluez_at_least(*version):
    """True if the emulated bluetoothd is this version or newer."""
    return OPTS.bluez >= version


def adv_exp_props():
    """SupportedCapabilities/SupportedFeatures: experimental (-E) in 5.66,
    always there in 5.82."""
    return OPTS.experimental or bluez_at_least(5, 82)


def adv_exp_params():
    """MinInterval/MaxInterval/TxPower of an advertisement: only read with
    -E in 5.66, always in 5.82."""
    return OPTS.experimental or bluez_at_least(5, 82)


def V(sig, val):
    return GLib.Variant(sig, val)


def dict_entries(var):
    """Yield (key, value-variant) of an a{s?}/a{sv} variant in wire order."""
    if var is None:
        return
    for i in range(var.n_children()):
        e = var.get_child_value(i)
        k = e.get_child_value(0).unpack()
        v = e.get_child_value(1)
        if v.get_type_string() == 'v':
            v = v.get_variant()
        yield k, v


def variant_bytes(v):
    if v is None or v.get_type_string() != 'ay':
        return None
    return bytes(v.unpack())


class UUID:
    """bt_uuid_t equivalent: size is 16, 32 or 128."""

    def __init__(self, size, value):
        self.size = size
        self.value = value  # int

    def to128(self):
        if self.size == 128:
            return self.value
        base = 0x0000000000001000800000805F9B34FB
        return (self.value << 96) | base

    def __eq__(self, other):
        return isinstance(other, UUID) and self.to128() == other.to128()

    def __hash__(self):
        return hash(self.to128())

    def string128(self):
        h = '%032x' % self.to128()
        return '%s-%s-%s-%s-%s' % (h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])

    def le_bytes(self):
        if self.size == 16:
            return struct.pack('<H', self.value)
        if self.size == 32:
            return struct.pack('<I', self.value)
        return self.value.to_bytes(16, 'little')

    @property
    def length(self):
        return self.size // 8


def _strtol_full(s, base):
    """C strtol semantics; returns (value, rest)."""
    t = s.lstrip(' \t\n\r\f\v')
    sign = 1
    if t[:1] in ('+', '-'):
        if t[0] == '-':
            sign = -1
        t = t[1:]
    if base == 16 and t[:2].lower() == '0x' and len(t) > 2 and t[2] in '0123456789abcdefABCDEF':
        t = t[2:]
    digits = '0123456789abcdef'[:base]
    n = 0
    i = 0
    while i < len(t) and t[i].lower() in digits:
        n = n * base + digits.index(t[i].lower())
        i += 1
    if i == 0:
        return 0, s  # nothing parsed: endptr = start
    return sign * n, t[i:]


def parse_uuid_string(s):
    """bt_string_to_uuid() of lib/uuid.c 5.66. Returns UUID or None."""
    if s is None:
        return None
    is128 = len(s) == 36 and s[8] == '-' and s[13] == '-' and s[18] == '-' and s[23] == '-'
    if is128:
        low = s.lower()
        if low.startswith('0000') and low[8:] == BASE_UUID_SUFFIX:
            try:
                return UUID(16, int(low[4:8], 16))
            except ValueError:
                pass
        try:
            parts = s.split('-')
            if [len(p) for p in parts] != [8, 4, 4, 4, 12]:
                return None
            return UUID(128, int(''.join(parts), 16))
        except ValueError:
            return None
    if len(s) in (8, 10):
        v, rest = _strtol_full(s, 16)
        if rest == '' and v >= 0:
            return UUID(32, v & 0xFFFFFFFF)
        return None
    if len(s) in (4, 6):
        v, rest = _strtol_full(s, 16)
        if rest == s:
            return None
        if rest == '' or rest.startswith('-'):
            return UUID(16, v & 0xFFFF)
        return None
    return None


UUID_GAP = UUID(16, 0x1800)
UUID_GATT = UUID(16, 0x1801)


def uuid16(v):
    return UUID(16, v)


def _failed_code(msg):
    """strtol(msg, &end, 0) handling of the Failed error message (5.66)."""
    s = msg or ''
    i = 0
    while i < len(s) and s[i] in ' \t\n\v\f\r':
        i += 1
    neg = False
    if i < len(s) and s[i] in '+-':
        neg = s[i] == '-'
        i += 1
    hexd = '0123456789abcdefABCDEF'
    if s[i:i + 2] in ('0x', '0X') and i + 2 < len(s) and s[i + 2] in hexd:
        base, i = 16, i + 2
    elif s[i:i + 1] == '0':
        base = 8
    else:
        base = 10
    digits = '0123456789abcdef'[:base]
    j = i
    val = 0
    while j < len(s) and s[j].lower() in digits:
        val = val * base + digits.index(s[j].lower())
        j += 1
    rest = s if j == i else s[j:]
    if rest != '':
        return 0x80  # "If message doesn't set an error code just use 0x80"
    if neg:
        val = -val
    if val < 0x80 or val > 0x9F:
        return ATT_UNLIKELY
    return val


def map_dbus_error(name, msg, perm_err):
    """dbus_error_to_att_ecode() of 5.66 src/gatt-database.c."""
    if name == ERR + 'Failed':
        return _failed_code(msg)
    table = {
        ERR + 'NotSupported': ATT_REQUEST_NOT_SUPPORTED,
        ERR + 'NotAuthorized': ATT_AUTHORIZATION,
        ERR + 'InvalidValueLength': ATT_INVALID_VALUE_LEN,
        ERR + 'InvalidOffset': ATT_INVALID_OFFSET,
        ERR + 'InProgress': ATT_ALREADY_IN_PROGRESS,
    }
    if name in table:
        return table[name]
    if name == ERR + 'NotPermitted':
        return perm_err
    return ATT_UNLIKELY


# --------------------------------------------------------------------------
# D-Bus plumbing
# --------------------------------------------------------------------------

class Call:
    """An incoming method call that we answer by hand."""

    def __init__(self, bus, msg):
        self.bus = bus
        self.conn = bus.conn
        self.msg = msg
        self.sender = msg.get_sender()
        self.path = msg.get_path()
        self.iface = msg.get_interface()
        self.member = msg.get_member()
        self.sig = msg.get_signature() or ''
        body = msg.get_body()
        self.body = body
        self.args = [body.get_child_value(i) for i in range(body.n_children())] if body else []
        self.noreply = bool(msg.get_flags() & Gio.DBusMessageFlags.NO_REPLY_EXPECTED)
        self.answered = False

    def arg(self, i):
        return self.args[i].unpack()

    def _send(self, reply):
        if self.answered:
            return
        self.answered = True
        if self.noreply:
            return
        try:
            self.conn.send_message(reply, Gio.DBusSendMessageFlags.NONE)
        except GLib.Error as e:
            log('cannot send reply: %s', e.message)

    def ret(self, sig=None, *vals):
        reply = self.msg.new_method_reply()
        if sig:
            reply.set_body(GLib.Variant('(' + sig + ')', tuple(vals)))
        self._send(reply)
        daemon = self.bus.daemon
        if daemon.restart_after_register and self.member in REGISTER_METHODS:
            # The reply is on its way; bluetoothd restarts before the
            # caller can look at org.bluez (RestartAfterRegister).
            daemon.restart_after_register = False
            daemon.restart(sync=True)

    def ret_variant(self, tuple_variant):
        reply = self.msg.new_method_reply()
        reply.set_body(tuple_variant)
        self._send(reply)

    def err(self, name, text):
        reply = self.msg.new_method_error_literal(name, text)
        self._send(reply)

    # bluetoothd btd_error_* helpers
    def invalid_args(self):
        self.err(ERR + 'InvalidArguments', 'Invalid arguments in method call')

    def already_exists(self):
        self.err(ERR + 'AlreadyExists', 'Already Exists')

    def does_not_exist(self):
        self.err(ERR + 'DoesNotExist', 'Does Not Exist')

    def failed(self, text):
        self.err(ERR + 'Failed', text)


class Method:
    def __init__(self, name, in_sig, out_sig, handler, noreply=False):
        self.name = name
        self.in_sig = in_sig
        self.out_sig = out_sig
        self.handler = handler


class Prop:
    def __init__(self, name, sig, getter, setter=None, exists=None):
        self.name = name
        self.sig = sig
        self.getter = getter  # () -> python value
        self.setter = setter  # (call, variant) -> None (must answer)
        self.exists = exists


class Interface:
    def __init__(self, name, methods=(), props=(), signals=(), strict=True):
        self.name = name
        self.methods = collections.OrderedDict((m.name, m) for m in methods)
        self.props = collections.OrderedDict((p.name, p) for p in props)
        self.signals = list(signals)  # [(name, [(argname, sig)])]
        self.strict = strict  # bluetoothd gdbus signature matching

    def live_props(self):
        return [p for p in self.props.values() if p.exists is None or p.exists()]

    def get_all_variant(self):
        return {p.name: V(p.sig, p.getter()) for p in self.live_props()}


class Obj:
    def __init__(self, path):
        self.path = path
        self.ifaces = collections.OrderedDict()

    def add(self, iface):
        self.ifaces[iface.name] = iface
        return iface


def _xml_escape(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('"', '&quot;')


class Bus:
    """One connection to the bus plus the objects exported on it."""

    def __init__(self, daemon, address, name, export_filter):
        self.daemon = daemon
        self.conn = Gio.DBusConnection.new_for_address_sync(
            address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
            Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
        self.conn.set_exit_on_close(False)
        self.name = name
        self.objects = collections.OrderedDict()
        self.export_filter = export_filter
        self.closed = False
        self.subs = []
        self.filter_id = self.conn.add_filter(self._filter)

    def own_name(self):
        r = self.conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                'org.freedesktop.DBus', 'RequestName',
                                V('(su)', (self.name, 4)), GLib.VariantType('(u)'),
                                Gio.DBusCallFlags.NONE, -1, None)
        if r.unpack()[0] not in (1, 4):
            raise RuntimeError('cannot own %s (already owned?)' % self.name)

    def close(self):
        if self.closed:
            return
        self.closed = True
        for s in self.subs:
            self.conn.signal_unsubscribe(s)
        self.subs = []
        try:
            self.conn.remove_filter(self.filter_id)
        except Exception:
            pass
        try:
            self.conn.flush_sync(None)
        except GLib.Error:
            pass
        try:
            self.conn.close_sync(None)
        except GLib.Error:
            pass

    def subscribe(self, sender, iface, member, path, cb):
        sid = self.conn.signal_subscribe(sender, iface, member, path, None,
                                         Gio.DBusSignalFlags.NONE,
                                         lambda c, snd, p, i, m, params: cb(snd, p, i, m, params))
        self.subs.append(sid)

    # incoming method calls are handled in the main loop, by hand, so that
    # we can answer exactly like bluetoothd (error names, signatures).
    def _filter(self, conn, msg, incoming):
        try:
            if incoming and msg.get_message_type() == Gio.DBusMessageType.METHOD_CALL:
                path = msg.get_path() or ''
                if msg.get_interface() == 'org.freedesktop.DBus.Peer' and msg.get_member() == 'Ping':
                    GLib.idle_add(self._ping_in_order, msg, priority=GLib.PRIORITY_DEFAULT)
                    return None
                if msg.get_interface() != 'org.freedesktop.DBus.Peer' and self.export_filter(path):
                    GLib.idle_add(self._dispatch, msg, priority=GLib.PRIORITY_DEFAULT)
                    return None
        except Exception as e:  # never let an exception escape into the worker
            sys.stderr.write('fakebluez: filter error %r\n' % (e,))
        return msg

    def _ping_in_order(self, msg):
        """Peer.Ping answered in turn with everything that came before it,
        as libdbus dispatches in bluetoothd (GDBus would answer it at once
        on its worker thread): an application's round trip then means
        bluetoothd handled its earlier replies (an AcquireWrite answer
        flushes the writes queued meanwhile)."""
        if not self.closed:
            try:
                self.conn.send_message(Gio.DBusMessage.new_method_reply(msg),
                                       Gio.DBusSendMessageFlags.NONE)
            except GLib.Error:
                pass
        return False

    def _dispatch(self, msg):
        if self.closed:
            return False
        call = Call(self, msg)
        try:
            self._dispatch_call(call)
        except Exception as e:
            import traceback
            traceback.print_exc()
            if not call.answered:
                call.err(DBUS_ERR + 'Failed', 'fakebluez internal error: %r' % (e,))
        return False

    def _unknown(self, call):
        call.err(DBUS_ERR + 'UnknownMethod',
                 'Method "%s" with signature "%s" on interface "%s" doesn\'t exist\n'
                 % (call.member, call.sig, call.iface))

    def _dispatch_call(self, call):
        obj = self.objects.get(call.path)
        if call.iface == INTROSPECT_IFACE and call.member == 'Introspect':
            return call.ret('s', self.introspect(call.path))
        if obj is None:
            if call.path == '/' and call.iface == OM_IFACE and call.member == 'GetManagedObjects':
                self.daemon.stats['BluezGetManagedObjects'] += 1
                if self.daemon.tree_held is not None:
                    self.daemon.tree_held.append(call)   # HoldObjectTree
                    return
                return call.ret_variant(V('(a{oa{sa{sv}}})', (self.managed_objects(),)))
            return call.err(DBUS_ERR + 'UnknownObject', 'Unknown object path %s' % call.path)
        if call.iface == PROPS_IFACE:
            return self._props(obj, call)
        iface = obj.ifaces.get(call.iface) if call.iface else None
        if iface is None:
            return self._unknown(call)
        m = iface.methods.get(call.member)
        if m is None or (iface.strict and m.in_sig != call.sig):
            return self._unknown(call)
        if call.member in REGISTER_METHODS and self.daemon.gate_registration(call):
            return
        m.handler(call)

    def _props(self, obj, call):
        if call.member == 'Get' and call.sig == 'ss':
            iname, pname = call.arg(0), call.arg(1)
            iface = obj.ifaces.get(iname)
            if iface is None:
                return call.err(DBUS_ERR + 'InvalidArgs', "No such interface '%s'" % iname)
            p = iface.props.get(pname)
            if p is None or (p.exists and not p.exists()):
                return call.err(DBUS_ERR + 'InvalidArgs', "No such property '%s'" % pname)
            return call.ret('v', V(p.sig, p.getter()))
        if call.member == 'GetAll' and call.sig == 's':
            iname = call.arg(0)
            iface = obj.ifaces.get(iname)
            if iface is None:
                return call.err(DBUS_ERR + 'InvalidArgs', "No such interface '%s'" % iname)
            return call.ret('a{sv}', iface.get_all_variant())
        if call.member == 'Set':
            if not call.sig.startswith('ssv') or len(call.sig) != 3:
                return call.err(DBUS_ERR + 'InvalidArgs', 'Invalid argument type')
            iname, pname = call.arg(0), call.arg(1)
            value = call.args[2].get_variant()
            iface = obj.ifaces.get(iname)
            if iface is None:
                return call.err(DBUS_ERR + 'InvalidArgs', "No such interface '%s'" % iname)
            p = iface.props.get(pname)
            if p is None:
                return call.err(DBUS_ERR + 'UnknownProperty', "No such property '%s'" % pname)
            if p.setter is None:
                return call.err(DBUS_ERR + 'PropertyReadOnly', "Property '%s' is not writable" % pname)
            if p.exists and not p.exists():
                return call.err(DBUS_ERR + 'UnknownProperty', "No such property '%s'" % pname)
            if value.get_type_string() != p.sig:
                return call.err(DBUS_ERR + 'InvalidSignature', "Invalid signature for '%s'" % pname)
            return p.setter(call, value)
        return self._unknown(call)

    def introspect(self, path):
        out = ['<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"\n'
               '"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">\n<node>']
        obj = self.objects.get(path)
        if obj is not None or path == '/':
            out.append('<interface name="%s"><method name="Introspect"><arg name="xml" type="s" '
                       'direction="out"/></method></interface>' % INTROSPECT_IFACE)
        if obj is not None:
            out.append('<interface name="%s"><method name="Get"><arg name="interface" type="s" '
                       'direction="in"/><arg name="name" type="s" direction="in"/><arg name="value" '
                       'type="v" direction="out"/></method><method name="Set"><arg name="interface" '
                       'type="s" direction="in"/><arg name="name" type="s" direction="in"/><arg '
                       'name="value" type="v" direction="in"/></method><method name="GetAll"><arg '
                       'name="interface" type="s" direction="in"/><arg name="properties" '
                       'type="a{sv}" direction="out"/></method><signal name="PropertiesChanged">'
                       '<arg name="interface" type="s"/><arg name="changed_properties" type="a{sv}"/>'
                       '<arg name="invalidated_properties" type="as"/></signal></interface>' % PROPS_IFACE)
            for iface in obj.ifaces.values():
                out.append('<interface name="%s">' % iface.name)
                for m in iface.methods.values():
                    out.append('<method name="%s">' % m.name)
                    for i, c in enumerate(_split_sig(m.in_sig)):
                        out.append('<arg name="arg%d" type="%s" direction="in"/>' % (i, _xml_escape(c)))
                    for i, c in enumerate(_split_sig(m.out_sig)):
                        out.append('<arg name="out%d" type="%s" direction="out"/>' % (i, _xml_escape(c)))
                    out.append('</method>')
                for sname, sargs in iface.signals:
                    out.append('<signal name="%s">' % sname)
                    for an, at in sargs:
                        out.append('<arg name="%s" type="%s"/>' % (an, _xml_escape(at)))
                    out.append('</signal>')
                for p in iface.props.values():
                    out.append('<property name="%s" type="%s" access="%s"/>'
                               % (p.name, _xml_escape(p.sig), 'readwrite' if p.setter else 'read'))
                out.append('</interface>')
        if path == '/':
            out.append('<interface name="%s"><method name="GetManagedObjects"><arg name="objects" '
                       'type="a{oa{sa{sv}}}" direction="out"/></method><signal name="InterfacesAdded">'
                       '<arg name="object" type="o"/><arg name="interfaces" type="a{sa{sv}}"/></signal>'
                       '<signal name="InterfacesRemoved"><arg name="object" type="o"/><arg '
                       'name="interfaces" type="as"/></signal></interface>' % OM_IFACE)
        prefix = path.rstrip('/') + '/'
        children = set()
        for p in self.objects:
            if p.startswith(prefix) and p != path:
                children.add(p[len(prefix):].split('/')[0])
        for c in sorted(children):
            out.append('<node name="%s"/>' % c)
        out.append('</node>')
        return ''.join(out)

    # ObjectManager at '/' covers everything under /org/bluez
    def managed_objects(self):
        res = {}
        for path, obj in self.objects.items():
            if not path.startswith('/org/bluez'):
                continue
            res[path] = {i.name: i.get_all_variant() for i in obj.ifaces.values()}
        return res

    def export(self, obj, announce=True):
        self.objects[obj.path] = obj
        if announce and obj.path.startswith('/org/bluez'):
            self.emit('/', OM_IFACE, 'InterfacesAdded',
                      V('(oa{sa{sv}})', (obj.path, {i.name: i.get_all_variant()
                                                    for i in obj.ifaces.values()})))

    def unexport(self, path, announce=True):
        obj = self.objects.pop(path, None)
        if obj is not None and announce and path.startswith('/org/bluez'):
            self.emit('/', OM_IFACE, 'InterfacesRemoved', V('(oas)', (path, list(obj.ifaces.keys()))))

    def emit(self, path, iface, member, params):
        if self.closed:
            return
        try:
            self.conn.emit_signal(None, path, iface, member, params)
        except GLib.Error as e:
            log('emit failed: %s', e.message)

    def props_changed(self, path, iface_name, names):
        obj = self.objects.get(path)
        if obj is None:
            return
        iface = obj.ifaces.get(iface_name)
        if iface is None:
            return
        changed = {}
        invalidated = []
        for n in names:
            p = iface.props[n]
            if p.exists is None or p.exists():
                changed[n] = V(p.sig, p.getter())
            else:
                invalidated.append(n)
        self.emit(path, PROPS_IFACE, 'PropertiesChanged', V('(sa{sv}as)', (iface_name, changed, invalidated)))

    # outgoing calls -------------------------------------------------------
    def call(self, dest, path, iface, method, body, cb, timeout_ms=-1, fd_list=None):
        """cb(reply) where reply is ('ok', body_variant, fdlist) or ('error', name, text)."""
        if self.closed:
            return None
        msg = Gio.DBusMessage.new_method_call(dest, path, iface, method)
        if body is not None:
            msg.set_body(body)
        if fd_list is not None:
            msg.set_unix_fd_list(fd_list)

        def done(conn, res, *ud):
            try:
                reply = conn.send_message_with_reply_finish(res)
            except GLib.Error as e:
                if e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.TIMED_OUT):
                    cb(('error', DBUS_ERR + 'NoReply', e.message))
                else:
                    name = Gio.DBusError.get_remote_error(e) or (DBUS_ERR + 'Failed')
                    cb(('error', name, e.message))
                return
            if reply.get_message_type() == Gio.DBusMessageType.ERROR:
                b = reply.get_body()
                text = None
                if b is not None and b.n_children() > 0 and b.get_child_value(0).get_type_string() == 's':
                    text = b.get_child_value(0).unpack()
                cb(('error', reply.get_error_name(), text))
            else:
                cb(('ok', reply.get_body(), reply.get_unix_fd_list()))
        try:
            self.conn.send_message_with_reply(msg, Gio.DBusSendMessageFlags.NONE, timeout_ms, None, done)
        except GLib.Error as e:
            text = e.message
            GLib.idle_add(lambda: cb(('error', DBUS_ERR + 'Failed', text)) and False)
        return True

    def call_noreply(self, dest, path, iface, method, body=None):
        if self.closed:
            return
        msg = Gio.DBusMessage.new_method_call(dest, path, iface, method)
        if body is not None:
            msg.set_body(body)
        msg.set_flags(Gio.DBusMessageFlags.NO_REPLY_EXPECTED)
        try:
            self.conn.send_message(msg, Gio.DBusSendMessageFlags.NONE)
        except GLib.Error as e:
            log('send failed: %s', e.message)


def _close_fdlist(fdl):
    if fdl is None:
        return
    try:
        for fd in fdl.steal_fds():
            try:
                os.close(fd)
            except OSError:
                pass
    except Exception:
        pass


def _split_sig(sig):
    """Split a D-Bus signature into complete types."""
    out = []
    i = 0
    while i < len(sig):
        j = _sig_end(sig, i)
        out.append(sig[i:j])
        i = j
    return out


def _sig_end(sig, i):
    c = sig[i]
    if c == 'a':
        return _sig_end(sig, i + 1)
    if c in '({':
        close = ')' if c == '(' else '}'
        j = i + 1
        while sig[j] != close:
            j = _sig_end(sig, j)
        return j + 1
    return i + 1


# --------------------------------------------------------------------------
# Attribute database (src/shared/gatt-db.c semantics)
# --------------------------------------------------------------------------

class Attribute:
    def __init__(self, service, handle, kind, uuid, perm=0, value=None):
        self.service = service
        self.handle = handle
        self.kind = kind  # primary-service secondary-service include characteristic value ccc cep descriptor
        self.uuid = uuid  # UUID object (attribute value UUID / type)
        self.perm = perm
        self.value = value  # bytes, callable or None (dynamic)
        self.props = 0  # for characteristic / value
        self.ext_props = 0
        self.owner = None  # Chrc / Desc for external attributes
        self.ccc_chrc = None  # external chrc owning this CCC
        self.included = None  # included Service
        self.chrc_value = None  # for declarations: the value Attribute
        self.static_write = False  # value stored in db on write (CSF)


class DbService:
    """gatt_db_service: a handle range with a slot array."""

    def __init__(self, db, handle, uuid, primary, num_handles, app_service=None):
        self.db = db
        self.start = handle
        self.num_handles = num_handles
        self.uuid = uuid
        self.primary = primary
        self.app_service = app_service  # external Service or None (builtin)
        self.slots = [None] * num_handles
        decl = Attribute(self, handle, 'primary-service' if primary else 'secondary-service',
                         uuid, PERM_READ, uuid.le_bytes())
        self.slots[0] = decl

    @property
    def end(self):
        return self.start + self.num_handles - 1

    def attrs(self):
        return [a for a in self.slots if a is not None]

    def _free_index(self, end_offset):
        i = 0
        while i < self.num_handles - end_offset and self.slots[i] is not None:
            i += 1
        return 0 if i == self.num_handles - end_offset else i

    def insert_characteristic(self, handle, uuid, perm, props):
        if handle and handle <= self.start:
            return None
        if handle == 0xFFFF:
            return None
        i = self._free_index(1)
        if not i:
            return None
        if not handle:
            handle = self.slots[i - 1].handle + 2
        decl_value = struct.pack('<BH', props, handle & 0xFFFF) + uuid.le_bytes()
        decl = Attribute(self, handle - 1, 'characteristic', UUID(16, 0x2803), PERM_READ, decl_value)
        decl.props = props
        val = Attribute(self, handle, 'value', uuid, perm, None)
        val.props = props
        decl.chrc_value = val
        self.slots[i] = decl
        self.slots[i + 1] = val
        return val

    def insert_descriptor(self, handle, uuid, perm, kind='descriptor', value=None):
        i = self._free_index(0)
        if not i:
            return None
        if handle and handle <= self.start:
            return None
        if not handle:
            handle = self.slots[i - 1].handle + 1
        a = Attribute(self, handle, kind, uuid, perm, value)
        self.slots[i] = a
        return a

    def add_included(self, inc):
        value = struct.pack('<HH', inc.start, inc.end)
        if inc.uuid.size == 16:
            value += inc.uuid.le_bytes()
        i = self._free_index(0)
        if not i:
            return None
        handle = self.slots[i - 1].handle + 1
        a = Attribute(self, handle, 'include', UUID(16, 0x2802), PERM_READ, value)
        a.included = inc
        self.slots[i] = a
        return a


class Database:
    def __init__(self):
        self.services = []  # sorted by start
        self.next_handle = 1

    def insert_service(self, handle, uuid, primary, num_handles, app_service=None):
        if not handle:
            handle = self.next_handle
        if num_handles < 1 or handle + num_handles - 1 > 0xFFFF:
            return None
        end = handle + num_handles - 1
        after_idx = 0
        for idx, s in enumerate(self.services):
            if s.start <= handle <= s.end or s.start <= end <= s.end:
                return None  # overlap (identical re-insert not emulated)
            if end < s.start:
                break
            after_idx = idx + 1
        svc = DbService(self, handle, uuid, primary, num_handles, app_service)
        self.services.insert(after_idx, svc)
        self.next_handle = max(handle + num_handles, self.next_handle)
        return svc

    def remove_service(self, svc):
        if svc in self.services:
            self.services.remove(svc)

    def get_attribute(self, handle):
        for s in self.services:
            if s.start <= handle <= s.end:
                for a in s.slots:
                    if a is not None and a.handle == handle:
                        return a
        # characteristics inserted with explicit handles may lie outside
        for s in self.services:
            for a in s.slots:
                if a is not None and a.handle == handle:
                    return a
        return None

    def all_attributes(self):
        out = []
        for s in self.services:
            out.extend(s.attrs())
        out.sort(key=lambda a: a.handle)
        return out


# --------------------------------------------------------------------------
# External GATT application objects (src/gatt-database.c)
# --------------------------------------------------------------------------

class Proxy:
    def __init__(self, path, iface, props):
        self.path = path
        self.iface = iface
        self.props = props  # OrderedDict name -> Variant
        self.removed = False

    def get(self, name):
        return self.props.get(name)


def parse_chrc_flags(flags_v):
    """parse_chrc_flags(); returns (props, ext_props, perm, ccc_perm, req_prep_auth) or None."""
    if flags_v is None or not flags_v.get_type_string().startswith('a'):
        return None
    if flags_v.get_type_string() != 'as':
        return None
    flags = flags_v.unpack()
    if not flags:
        return None  # do { } while: an empty array is refused
    props = ext = perm = ccc = 0
    auth = False
    for f in flags:
        if f == 'broadcast':
            props |= PROP_BROADCAST
        elif f == 'read':
            props |= PROP_READ
            perm |= PERM_READ
        elif f == 'write-without-response':
            props |= PROP_WRITE_WITHOUT_RESP
            perm |= PERM_WRITE
        elif f == 'write':
            props |= PROP_WRITE
            perm |= PERM_WRITE
        elif f == 'notify':
            props |= PROP_NOTIFY
            ccc |= PERM_WRITE
        elif f == 'indicate':
            props |= PROP_INDICATE
            ccc |= PERM_WRITE
        elif f == 'authenticated-signed-writes':
            props |= PROP_AUTH
            perm |= PERM_WRITE
        elif f == 'extended-properties':
            props |= PROP_EXT_PROP
        elif f == 'reliable-write':
            ext |= EXT_PROP_RELIABLE_WRITE
            perm |= PERM_WRITE
        elif f == 'writable-auxiliaries':
            ext |= EXT_PROP_WRITABLE_AUX
        elif f == 'encrypt-read':
            props |= PROP_READ
            perm |= PERM_READ | PERM_READ_ENCRYPT
        elif f == 'encrypt-write':
            props |= PROP_WRITE
            perm |= PERM_WRITE | PERM_WRITE_ENCRYPT
        elif f == 'encrypt-authenticated-read':
            props |= PROP_READ
            perm |= PERM_READ | PERM_READ_AUTHEN
        elif f == 'encrypt-authenticated-write':
            props |= PROP_WRITE
            perm |= PERM_WRITE | PERM_WRITE_AUTHEN
        elif f == 'secure-read':
            props |= PROP_READ
            perm |= PERM_READ | PERM_READ_SECURE
        elif f == 'secure-write':
            props |= PROP_WRITE
            perm |= PERM_WRITE | PERM_WRITE_SECURE
        elif f == 'authorize':
            auth = True
        elif f == 'encrypt-notify':
            ccc |= PERM_WRITE_ENCRYPT
            props |= PROP_NOTIFY
        elif f == 'encrypt-authenticated-notify':
            ccc |= PERM_WRITE_AUTHEN
            props |= PROP_NOTIFY
        elif f == 'secure-notify':
            ccc |= PERM_WRITE_SECURE
            props |= PROP_NOTIFY
        elif f == 'encrypt-indicate':
            ccc |= PERM_WRITE_ENCRYPT
            props |= PROP_INDICATE
        elif f == 'encrypt-authenticated-indicate':
            ccc |= PERM_WRITE_AUTHEN
            props |= PROP_INDICATE
        elif f == 'secure-indicate':
            ccc |= PERM_WRITE_SECURE
            props |= PROP_INDICATE
        else:
            log('Invalid characteristic flag: %s', f)
            return None
    if ext:
        props |= PROP_EXT_PROP
    return props, ext, perm, ccc, auth


def parse_desc_flags(flags_v):
    if flags_v is None or flags_v.get_type_string() != 'as':
        return None
    flags = flags_v.unpack()
    if not flags:
        return None
    perm = 0
    auth = False
    table = {
        'read': PERM_READ, 'write': PERM_WRITE,
        'encrypt-read': PERM_READ | PERM_READ_ENCRYPT,
        'encrypt-write': PERM_WRITE | PERM_WRITE_ENCRYPT,
        'encrypt-authenticated-read': PERM_READ | PERM_READ_AUTHEN,
        'encrypt-authenticated-write': PERM_WRITE | PERM_WRITE_AUTHEN,
        'secure-read': PERM_READ | PERM_READ_SECURE,
        'secure-write': PERM_WRITE | PERM_WRITE_SECURE,
    }
    for f in flags:
        if f in table:
            perm |= table[f]
        elif f == 'authorize':
            auth = True
        else:
            log('Invalid descriptor flag: %s', f)
            return None
    return perm, auth


class Service:
    def __init__(self, app, path, proxy):
        self.app = app
        self.path = path
        self.proxy = proxy
        self.chrcs = []
        self.descs = []
        self.includes = []
        self.attr_cnt = 1
        self.dbsvc = None


class Chrc:
    def __init__(self, service, path, proxy):
        self.service = service
        self.path = path
        self.proxy = proxy
        self.props = self.ext_props = self.perm = self.ccc_perm = 0
        self.req_prep_auth = False
        self.prep_authorized = False
        self.attr = None
        self.ccc = None
        self.ntfy_cnt = 0
        self.notify_io = None
        self.notify_ios = []  # 5.82: [(device, FdIO)], one AcquireNotify per device
        self.write_io = None
        self.write_ios = []  # 5.69+: [(device, FdIO)], one AcquireWrite per device
        self.pending = []  # PendingOp (reads/writes to the app)
        self.acq_queue = []  # writes waiting for AcquireWrite
        self.freed = False
        self.flags = []


class Desc:
    def __init__(self, service, path, proxy, chrc_path):
        self.service = service
        self.path = path
        self.proxy = proxy
        self.chrc_path = chrc_path
        self.perm = 0
        self.req_prep_auth = False
        self.prep_authorized = False
        self.attr = None
        self.handled = False
        self.pending = []
        self.freed = False
        self.flags = []


class App:
    def __init__(self, adapter, owner, path, call):
        self.adapter = adapter
        self.owner = owner
        self.path = path
        self.reg = call
        self.services = []
        self.profiles = []
        self.proxies = []
        self.failed = False
        self.ready = False
        self.removed = False


class FdIO:
    """An fd received from the app (AcquireNotify / AcquireWrite)."""

    def __init__(self, fd, on_hup, on_read=None):
        self.fd = fd
        self.on_hup = on_hup
        self.on_read = on_read
        self.src = None
        self.conf_src = None
        self.closed = False
        try:
            os.set_blocking(fd, False)
        except OSError:
            pass
        self._watch(GLib.IOCondition.IN if on_read else 0)

    def _watch(self, extra):
        if self.src:
            GLib.source_remove(self.src)
        cond = GLib.IOCondition(int(GLib.IOCondition.HUP | GLib.IOCondition.ERR) | int(extra))
        self.src = GLib.unix_fd_add_full(GLib.PRIORITY_DEFAULT, self.fd, cond, self._cb)

    def _cb(self, fd, cond):
        if cond & GLib.IOCondition.IN and self.on_read:
            try:
                data = os.read(self.fd, ATT_MAX_VALUE_LEN)
            except BlockingIOError:
                data = None
            except OSError:
                data = b''
            if data is not None:
                if len(data) == 0:
                    # bluetoothd's read handler returns false: it is removed
                    self.on_read = None
                    self.src = None
                    self.src = GLib.unix_fd_add_full(GLib.PRIORITY_DEFAULT, self.fd,
                                                     GLib.IOCondition.HUP | GLib.IOCondition.ERR, self._cb)
                    return False
                self.on_read(data)
                if self.closed:
                    return False
                if not (cond & (GLib.IOCondition.HUP | GLib.IOCondition.ERR)):
                    return True
                # drain what is left before handling HUP
                return True
        if cond & (GLib.IOCondition.HUP | GLib.IOCondition.ERR):
            self.src = None
            self.close()
            self.on_hup(self)
            return False
        return True

    def set_reading(self, reading):
        """Stops (or resumes) reading, so that the app's end fills up."""
        if self.closed or self.on_read is None:
            return
        self._watch(GLib.IOCondition.IN if reading else 0)

    def confirm(self, written, merged=None):
        """sock_io_conf() (5.80 and later): a write handler that sends one
        byte, 1, when the socket has room (written() is called then); a
        confirmation that comes while the handler waits replaces it (one
        byte for both; merged() is called then): an app that never reads
        the socket stops them."""
        if self.conf_src and merged is not None:
            merged()
        if self.closed or self.conf_src:
            return

        def write(fd, cond):
            self.conf_src = None
            if not self.closed:
                try:
                    self.send(b'\x01')
                    written()
                except OSError:
                    pass
            return False
        self.conf_src = GLib.unix_fd_add_full(GLib.PRIORITY_DEFAULT, self.fd,
                                              GLib.IOCondition.OUT, write)

    def send(self, data):
        s = socket.socket(fileno=os.dup(self.fd))
        try:
            return s.send(data, socket.MSG_NOSIGNAL)
        finally:
            s.close()

    def close(self):
        if self.closed:
            return
        self.closed = True
        if self.src:
            GLib.source_remove(self.src)
            self.src = None
        if self.conf_src:
            GLib.source_remove(self.conf_src)
            self.conf_src = None
        try:
            os.close(self.fd)
        except OSError:
            pass


class PendingOp:
    """An ATT operation waiting for the application (gatt-db pending read/write)."""

    def __init__(self, daemon, done):
        self.daemon = daemon
        self.done_cb = done
        self.finished = False
        self.timer = GLib.timeout_add(OPTS.att_timeout_ms, self._timeout)
        self.owner_list = None

    def _timeout(self):
        self.timer = 0
        log('ATT operation timed out')
        self.finish(ATT_UNLIKELY)
        return False

    def finish(self, ecode, value=b''):
        if self.finished:
            return
        self.finished = True
        if self.timer:
            GLib.source_remove(self.timer)
            self.timer = 0
        self.done_cb(ecode, value)

    def detach(self):
        if self.owner_list is not None and self in self.owner_list:
            self.owner_list.remove(self)
        self.owner_list = None


# --------------------------------------------------------------------------
# Adapters and devices
# --------------------------------------------------------------------------

class Device:
    def __init__(self, adapter, address, name, addr_type):
        self.adapter = adapter
        self.address = address.upper()
        self.addr_type = addr_type
        self.name = name
        self.alias = name or self.address.replace(':', '-')
        self.path = adapter.path + '/dev_' + self.address.replace(':', '_')
        self.connected = True
        self.paired = False
        self.bonded = False
        self.trusted = False
        self.blocked = False
        self.mtu = DEFAULT_MTU
        self.security = SEC_LOW
        self.ccc = collections.OrderedDict()  # ccc handle -> value
        self.prep_queue = []
        self.notifications = collections.deque(maxlen=NOTIFICATION_CAP)
        self.ind_queue = collections.deque()
        self.ind_out = None
        self.ind_timer = 0
        self.confirm_src = 0
        self.ctrl_pending = []  # CtrlOp waiting for an ATT result
        self.pairing = None


class Adapter:
    def __init__(self, daemon, name):
        self.daemon = daemon
        self.name = name
        self.path = '/org/bluez/' + name
        try:
            index = int(name[3:]) if name.startswith('hci') else 0
        except ValueError:
            index = 0
        self.address = '00:AA:01:00:00:%02X' % (index & 0xFF)
        self.alias = 'fake-' + name
        self.powered = True
        self.discoverable = False
        self.discoverable_timeout = 180
        self.disc_timer = 0
        self.pairable = True
        self.pairable_timeout = 0
        self.cls = 0
        self.apps = []
        self.ads = []
        self.devices = collections.OrderedDict()
        self.db = Database()
        self.sc_handle = 0
        self.sc_ccc_handle = 0
        self._populate()

    def _populate(self):
        db = self.db
        gap = db.insert_service(0, uuid16(0x1800), True, 7)
        a = gap.insert_characteristic(0, uuid16(0x2A00), PERM_READ, PROP_READ)
        a.value = lambda: self.alias.encode('utf-8')
        a = gap.insert_characteristic(0, uuid16(0x2A01), PERM_READ, PROP_READ)
        a.value = lambda: struct.pack('<H', self.cls & 0x1FFF)
        a = gap.insert_characteristic(0, uuid16(0x2AA6), PERM_READ, PROP_READ)
        a.value = b'\x01'
        gatt = db.insert_service(0, uuid16(0x1801), True, 10)
        sc = gatt.insert_characteristic(0, uuid16(0x2A05), PERM_NONE, PROP_INDICATE)
        sc.value = b''
        self.sc_handle = sc.handle
        ccc = gatt.insert_descriptor(0, uuid16(0x2902), PERM_READ | PERM_WRITE, 'ccc')
        self.sc_ccc_handle = ccc.handle
        a = gatt.insert_characteristic(0, uuid16(0x2B29), PERM_READ | PERM_WRITE, PROP_READ | PROP_WRITE)
        a.value = b'\x00'
        a.static_write = True
        a = gatt.insert_characteristic(0, uuid16(0x2B2A), PERM_READ, PROP_READ)
        a.value = bytes(16)
        a = gatt.insert_characteristic(0, uuid16(0x2B3A), PERM_READ, PROP_READ)
        a.value = b'\x01'
        dis = db.insert_service(0, uuid16(0x180A), True, 3)
        a = dis.insert_characteristic(0, uuid16(0x2A50), PERM_READ, PROP_READ)
        a.value = struct.pack('<BHHH', 0x02, 0x1D6B, 0x0246, 0x0542)

    def uuids(self):
        out = [uuid16(0x1800).string128(), uuid16(0x1801).string128(), uuid16(0x180A).string128()]
        for app in self.apps:
            for s in app.services:
                if s.dbsvc is not None and s.dbsvc.primary:
                    u = s.dbsvc.uuid.string128()
                    if u not in out:
                        out.append(u)
        return out


class CtrlOp:
    """A control-interface call waiting for an ATT result."""

    def __init__(self, dev, call, fmt):
        self.dev = dev
        self.call = call
        self.fmt = fmt
        self.done = False
        dev.ctrl_pending.append(self)

    def reply(self, *vals):
        if self.done:
            return
        self.done = True
        if self in self.dev.ctrl_pending:
            self.dev.ctrl_pending.remove(self)
        self.call.ret(self.fmt, *vals)

    def abort(self):
        if self.done:
            return
        self.done = True
        self.call.err(CTRL_ERR + 'Disconnected', 'The device disconnected before the ATT response')


# --------------------------------------------------------------------------
# The daemon
# --------------------------------------------------------------------------

class Daemon:
    def __init__(self, address, adapter_names, loop):
        self.address = address
        self.loop = loop
        self.adapter_names = list(adapter_names)
        self.adapters = collections.OrderedDict()
        self.stats = collections.Counter()
        self.tree_held = None  # HoldObjectTree: GetManagedObjects calls on / not answered yet
        self.auto_confirm = True
        self.confirm_delay = 0
        self.notify_reading = True
        self.agents = []  # Agent, registration order
        self.default_agents = []  # queue: head is default
        self.bus = None
        self.ctrl_bus = None
        self.restarting = False
        self.stopped = False
        self.restart_after_register = False
        self.ctrl_obj = self._make_ctrl_obj()

    # ---------------------------------------------------------------- setup
    def start(self):
        self.ctrl_bus = Bus(self, self.address, CTRL_NAME, lambda p: p == CTRL_PATH)
        self.ctrl_bus.export(self.ctrl_obj, announce=False)
        self.ctrl_bus.own_name()
        for n in self.adapter_names:
            self.adapters[n] = Adapter(self, n)
        self._bring_up()

    def _bring_up(self):
        bus = Bus(self, self.address, BLUEZ,
                  lambda p: p == '/' or p == CTRL_PATH or p == '/org' or p.startswith('/org/bluez'))
        self.bus = bus
        bus.subscribe('org.freedesktop.DBus', 'org.freedesktop.DBus', 'NameOwnerChanged',
                      '/org/freedesktop/DBus', self._on_name_owner_changed)
        bus.subscribe(None, PROPS_IFACE, 'PropertiesChanged', None, self._on_props_changed)
        bus.subscribe(None, OM_IFACE, 'InterfacesRemoved', None, self._on_ifaces_removed)
        bus.export(self.ctrl_obj, announce=False)
        bus.export(self._make_root_obj(), announce=False)
        bus.own_name()
        # like bluetoothd: the name first, then each adapter (InterfacesAdded)
        def adapters():
            if bus is self.bus and not bus.closed:
                for ad in self.adapters.values():
                    bus.export(self._make_adapter_obj(ad), announce=True)
            return False
        if OPTS.adapter_delay_ms > 0:
            GLib.timeout_add(OPTS.adapter_delay_ms, adapters)
        else:
            adapters()
        log('org.bluez owned as %s', bus.conn.get_unique_name())

    def shutdown(self):
        for b in (self.bus, self.ctrl_bus):
            if b is not None:
                b.close()

    # ------------------------------------------------------------- objects
    def _make_root_obj(self):
        obj = Obj('/org/bluez')
        obj.add(Interface(AGENT_MGR_IFACE, methods=[
            Method('RegisterAgent', 'os', '', self.h_register_agent),
            Method('UnregisterAgent', 'o', '', self.h_unregister_agent),
            Method('RequestDefaultAgent', 'o', '', self.h_request_default_agent),
        ]))
        return obj

    def _make_adapter_obj(self, ad):
        obj = Obj(ad.path)

        def setter(attr, sig, after=None):
            def f(call, value):
                setattr(ad, attr, value.unpack())
                call.ret()
                self.bus.props_changed(ad.path, ADAPTER_IFACE, [prop_name_of[attr]])
                if after:
                    after()
            return f
        prop_name_of = {'alias': 'Alias', 'powered': 'Powered', 'discoverable': 'Discoverable',
                        'discoverable_timeout': 'DiscoverableTimeout', 'pairable': 'Pairable',
                        'pairable_timeout': 'PairableTimeout'}

        def set_alias(call, value):
            ad.alias = value.unpack() or ('fake-' + ad.name)
            call.ret()
            self.bus.props_changed(ad.path, ADAPTER_IFACE, ['Alias'])

        obj.add(Interface(ADAPTER_IFACE, methods=[
            Method('StartDiscovery', '', '', lambda c: c.ret()),
            Method('StopDiscovery', '', '', lambda c: c.ret()),
            Method('RemoveDevice', 'o', '', lambda c: self.h_adapter_remove_device(ad, c)),
        ], props=[
            Prop('Address', 's', lambda: ad.address),
            Prop('AddressType', 's', lambda: 'public'),
            Prop('Name', 's', lambda: 'fake-' + ad.name),
            Prop('Alias', 's', lambda: ad.alias, set_alias),
            Prop('Class', 'u', lambda: ad.cls),
            Prop('Powered', 'b', lambda: ad.powered, setter('powered', 'b')),
            Prop('Discoverable', 'b', lambda: ad.discoverable,
                 setter('discoverable', 'b', lambda: self._discoverable_changed(ad))),
            Prop('DiscoverableTimeout', 'u', lambda: ad.discoverable_timeout,
                 setter('discoverable_timeout', 'u', lambda: self._discoverable_changed(ad, False))),
            Prop('Pairable', 'b', lambda: ad.pairable, setter('pairable', 'b')),
            Prop('PairableTimeout', 'u', lambda: ad.pairable_timeout, setter('pairable_timeout', 'u')),
            Prop('Discovering', 'b', lambda: False),
            Prop('UUIDs', 'as', lambda: ad.uuids()),
            Prop('Modalias', 's', lambda: 'usb:v1D6Bp0246d0542'),
            Prop('Roles', 'as', lambda: ['central', 'peripheral']),
        ]))
        obj.add(Interface(GATT_MGR_IFACE, methods=[
            Method('RegisterApplication', 'oa{sv}', '', lambda c: self.h_register_app(ad, c)),
            Method('UnregisterApplication', 'o', '', lambda c: self.h_unregister_app(ad, c)),
        ]))
        obj.add(Interface(ADV_MGR_IFACE, methods=[
            Method('RegisterAdvertisement', 'oa{sv}', '', lambda c: self.h_register_adv(ad, c)),
            Method('UnregisterAdvertisement', 'o', '', lambda c: self.h_unregister_adv(ad, c)),
        ], props=[
            Prop('ActiveInstances', 'y', lambda: len(ad.ads)),
            Prop('SupportedInstances', 'y', lambda: max(0, MAX_ADV_INSTANCES - len(ad.ads))),
            Prop('SupportedIncludes', 'as', lambda: ['tx-power', 'appearance', 'local-name']),
            # secondary_exists(): only controllers with extended advertising
            Prop('SupportedSecondaryChannels', 'as', lambda: ['1M', '2M', 'Coded'],
                 exists=lambda: OPTS.adv_mgmt == 'extended'),
            Prop('SupportedCapabilities', 'a{sv}',
                 lambda: {'MaxAdvLen': V('y', OPTS.max_adv_len),
                          'MaxScnRspLen': V('y', OPTS.max_adv_len),
                          'MinTxPower': V('n', -127), 'MaxTxPower': V('n', 20)},
                 exists=adv_exp_props),
            Prop('SupportedFeatures', 'as', lambda: ['CanSetTxPower'],
                 exists=adv_exp_props),
        ]))
        return obj

    def _discoverable_changed(self, ad, refresh=True):
        if ad.disc_timer:
            GLib.source_remove(ad.disc_timer)
            ad.disc_timer = 0
        if ad.discoverable and ad.discoverable_timeout:
            def expire():
                ad.disc_timer = 0
                ad.discoverable = False
                self.bus.props_changed(ad.path, ADAPTER_IFACE, ['Discoverable'])
                self.adv_refresh_all(ad)
                return False
            ad.disc_timer = GLib.timeout_add_seconds(ad.discoverable_timeout, expire)
        if refresh:
            self.adv_refresh_all(ad)

    def _make_device_obj(self, dev):
        obj = Obj(dev.path)

        def set_trusted(call, value):
            dev.trusted = value.unpack()
            call.ret()
            self.bus.props_changed(dev.path, DEVICE_IFACE, ['Trusted'])

        def set_alias(call, value):
            dev.alias = value.unpack() or dev.name or dev.address.replace(':', '-')
            call.ret()
            self.bus.props_changed(dev.path, DEVICE_IFACE, ['Alias'])

        def set_blocked(call, value):
            dev.blocked = value.unpack()
            call.ret()
            self.bus.props_changed(dev.path, DEVICE_IFACE, ['Blocked'])

        def disconnect(call):
            if dev.connected:
                self.set_connected(dev, False)
            call.ret()

        obj.add(Interface(DEVICE_IFACE, methods=[
            Method('Disconnect', '', '', disconnect),
        ], props=[
            Prop('Address', 's', lambda: dev.address),
            Prop('AddressType', 's', lambda: dev.addr_type),
            Prop('Name', 's', lambda: dev.name, exists=lambda: bool(dev.name)),
            Prop('Alias', 's', lambda: dev.alias, set_alias),
            Prop('Paired', 'b', lambda: dev.paired),
            Prop('Bonded', 'b', lambda: dev.bonded),
            Prop('Trusted', 'b', lambda: dev.trusted, set_trusted),
            Prop('Blocked', 'b', lambda: dev.blocked, set_blocked),
            Prop('LegacyPairing', 'b', lambda: False),
            Prop('Connected', 'b', lambda: dev.connected),
            Prop('UUIDs', 'as', lambda: []),
            Prop('Adapter', 'o', lambda: dev.adapter.path),
            Prop('ServicesResolved', 'b', lambda: dev.connected),
        ]))
        return obj

    # ------------------------------------------------------- bus watching
    def _on_name_owner_changed(self, sender, path, iface, member, params):
        name, old, new = params.unpack()
        if not name.startswith(':') or new:
            return
        log('client %s left the bus', name)
        for ad in self.adapters.values():
            for app in [a for a in ad.apps if a.owner == name]:
                self.remove_app(app)
            for adv in [a for a in ad.ads if a.owner == name and a.registered]:
                self.adv_remove(adv)
        for ag in [a for a in self.agents if a.owner == name]:
            self.agent_remove(ag, release=False)

    def _on_props_changed(self, sender, path, iface, member, params):
        if params.get_type_string() != '(sa{sv}as)':
            return
        iname = params.get_child_value(0).unpack()
        changed = list(dict_entries(params.get_child_value(1)))
        invalidated = params.get_child_value(2).unpack()
        for ad in self.adapters.values():
            for app in ad.apps:
                if app.owner != sender:
                    continue
                for px in app.proxies:
                    if px.path == path and px.iface == iname and not px.removed:
                        for k, v in changed:
                            px.props[k] = v
                        for k in invalidated:
                            px.props.pop(k, None)
                if iname == CHRC_IFACE and app.ready:
                    self._chrc_props_changed(app, path, changed, invalidated)
            if iname == ADV_IFACE:
                for adv in list(ad.ads):
                    if adv.owner == sender and adv.path == path and adv.registered:
                        self.adv_props_changed(adv, changed, invalidated)

    def _chrc_props_changed(self, app, path, changed, invalidated):
        for svc in app.services:
            for chrc in svc.chrcs:
                if chrc.path != path or chrc.ccc is None or chrc.proxy.removed or chrc.freed:
                    continue
                for k, v in changed:
                    if k != 'Value':
                        continue
                    if v.get_type_string() != 'ay':
                        log('Malformed "Value" property received')
                        continue
                    self.stats['ValueChanged'] += 1
                    self.send_notification(chrc, bytes(v.unpack())[:ATT_MAX_VALUE_LEN])
                for k in invalidated:
                    if k == 'Value':
                        self.stats['ValueChanged'] += 1
                        self.send_notification(chrc, b'')

    def _on_ifaces_removed(self, sender, path, iface, member, params):
        if params.get_type_string() != '(oas)':
            return
        opath, ifaces = params.unpack()
        for ad in self.adapters.values():
            for app in list(ad.apps):
                if app.owner != sender or app.path != path:
                    continue
                for iname in ifaces:
                    for px in app.proxies:
                        if px.path == opath and px.iface == iname and not px.removed:
                            px.removed = True
                            self._proxy_removed(app, px)

    def _proxy_removed(self, app, px):
        svc = next((s for s in app.services if s.path == px.path), None)
        if svc is None:
            return
        log('Proxy removed - removing service: %s', svc.path)
        app.services.remove(svc)
        self.service_free(svc)
        self.bus.props_changed(app.adapter.path, ADAPTER_IFACE, ['UUIDs'])

    # --------------------------------------------------- GattManager1
    def h_register_app(self, ad, call):
        path = call.arg(0)
        sender = call.sender
        if any(a.owner == sender and a.path == path for a in ad.apps):
            return call.already_exists()
        app = App(ad, sender, path, call)
        ad.apps.append(app)
        self.stats['RegisterApplication'] += 1
        self.stats['GetManagedObjects'] += 1
        if self.stats['BluezGetManagedObjects'] > 0:
            self.stats['RegisteredAfterTreeRead'] += 1
        log('Registering application: %s:%s', sender, path)
        self.bus.call(sender, path, OM_IFACE, 'GetManagedObjects', None,
                      lambda r: self._app_objects(app, r), 25000)

    def h_unregister_app(self, ad, call):
        path = call.arg(0)
        app = next((a for a in ad.apps if a.owner == call.sender and a.path == path), None)
        if app is None:
            return call.does_not_exist()
        self.remove_app(app)
        call.ret()

    def _app_objects(self, app, r):
        if app.removed:
            return  # 5.66: the registration is never answered
        if r[0] == 'ok' and r[1] is not None and r[1].get_type_string() == '(a{oa{sa{sv}}})':
            objs = r[1].get_child_value(0)
            for i in range(objs.n_children()):
                e = objs.get_child_value(i)
                opath = e.get_child_value(0).unpack()
                ifs = e.get_child_value(1)
                for j in range(ifs.n_children()):
                    ie = ifs.get_child_value(j)
                    iname = ie.get_child_value(0).unpack()
                    if iname in (INTROSPECT_IFACE, PROPS_IFACE):
                        continue
                    props = collections.OrderedDict(dict_entries(ie.get_child_value(1)))
                    existing = next((p for p in app.proxies if p.path == opath and p.iface == iname), None)
                    if existing:
                        existing.props.update(props)
                    else:
                        app.proxies.append(Proxy(opath, iname, props))
        call = app.reg
        app.reg = None
        if not app.proxies:
            log('No object received')
            call.failed('No object received')
            return self.remove_app(app)
        for px in app.proxies:
            if not app.failed and px.iface == PROFILE_IFACE:
                uu = px.get('UUIDs')
                if uu is None or uu.get_type_string() != 'as' or not uu.unpack():
                    app.failed = True
                else:
                    app.profiles.append((px.path, uu.unpack()))
        for px in app.proxies:
            if not app.failed and px.iface == SERVICE_IFACE:
                if any(s.path == px.path for s in app.services):
                    log('Duplicated service: %s', px.path)
                    app.failed = True
                else:
                    app.services.append(Service(app, px.path, px))
        for px in app.proxies:
            if not app.failed and px.iface == CHRC_IFACE:
                if not self._chrc_create(app, px):
                    app.failed = True
        for px in app.proxies:
            if not app.failed and px.iface == DESC_IFACE:
                if not self._desc_create(app, px):
                    app.failed = True
        if (not app.services and not app.profiles) or app.failed:
            log('No valid external GATT objects found')
            call.failed('No valid service object found')
            return self.remove_app(app)
        for svc in app.services:
            if not self._database_add_service(svc):
                log('Failed to create GATT service entry in local database')
                call.failed('Failed to create entry in database')
                return self.remove_app(app)
        app.ready = True
        log('GATT application registered: %s:%s', app.owner, app.path)
        call.ret()
        self.bus.props_changed(app.adapter.path, ADAPTER_IFACE, ['UUIDs'])
        for svc in app.services:
            if svc.dbsvc is not None:
                self.service_changed(app.adapter, svc.dbsvc.start, svc.dbsvc.end)

    def _chrc_create(self, app, px):
        sp = px.get('Service')
        if sp is None or sp.get_type_string() != 'o':
            log('Failed to obtain service path for characteristic')
            return False
        svc = next((s for s in app.services if s.path == sp.unpack()), None)
        if svc is None:
            log('Unable to find service for characteristic: %s', px.path)
            return False
        chrc = Chrc(svc, px.path, px)
        svc.attr_cnt += 2
        f = parse_chrc_flags(px.get('Flags'))
        if f is None:
            log('Failed to parse characteristic properties')
            return False
        chrc.props, chrc.ext_props, chrc.perm, chrc.ccc_perm, chrc.req_prep_auth = f
        chrc.flags = px.get('Flags').unpack()
        if chrc.props & (PROP_NOTIFY | PROP_INDICATE):
            svc.attr_cnt += 1
        if chrc.ext_props:
            svc.attr_cnt += 1
        svc.chrcs.append(chrc)
        return True

    def _desc_create(self, app, px):
        cp = px.get('Characteristic')
        if cp is None or cp.get_type_string() != 'o':
            log('Failed to obtain characteristic path for descriptor')
            return False
        cpath = cp.unpack()
        svc = next((s for s in app.services if any(c.path == cpath for c in s.chrcs)), None)
        if svc is None:
            log('Unable to find service for characteristic: %s', cpath)
            return False
        desc = Desc(svc, px.path, px, cpath)
        svc.attr_cnt += 1
        f = parse_desc_flags(px.get('Flags'))
        if f is None:
            return False
        desc.perm, desc.req_prep_auth = f
        desc.flags = px.get('Flags').unpack()
        svc.descs.append(desc)
        return True

    @staticmethod
    def _parse_uuid_prop(px):
        v = px.get('UUID')
        if v is None or v.get_type_string() != 's':
            return None
        u = parse_uuid_string(v.unpack())
        if u is None:
            return None
        if u == UUID_GAP or u == UUID_GATT:
            log('GAP/GATT service must be handled by BlueZ')
            return None
        return u

    @staticmethod
    def _parse_handle_prop(px):
        v = px.get('Handle')
        if v is None:
            return 0
        if v.get_type_string() != 'q':
            return None
        return v.unpack()

    def _write_handle(self, app, px, iface, handle):
        if 'Handle' not in px.props:
            return
        self.stats['SetHandle'] += 1
        self.bus.call(app.owner, px.path, PROPS_IFACE, 'Set',
                      V('(ssv)', (iface, 'Handle', V('q', handle))), lambda r: None)

    def _database_add_service(self, svc):
        app = svc.app
        db = app.adapter.db
        uuid = self._parse_uuid_prop(svc.proxy)
        if uuid is None:
            return False
        pv = svc.proxy.get('Primary')
        if pv is None or pv.get_type_string() != 'b':
            return False
        primary = pv.unpack()
        iv = svc.proxy.get('Includes')
        if iv is not None:
            if not iv.get_type_string().startswith('a'):
                return False
            if iv.n_children() and iv.get_type_string() != 'ao':
                return False
            for p in (iv.unpack() if iv.get_type_string() == 'ao' else []):
                svc.includes.append(p)
                svc.attr_cnt += 1
        handle = self._parse_handle_prop(svc.proxy)
        if handle is None:
            return False
        dbsvc = db.insert_service(handle, uuid, primary, svc.attr_cnt, svc)
        if dbsvc is None:
            return False
        svc.dbsvc = dbsvc
        if not handle:
            self._write_handle(app, svc.proxy, SERVICE_IFACE, dbsvc.start)
        for p in svc.includes:
            inc = next((s for s in app.services if s.path == p), None)
            if inc is None:
                log('include service not found')
                continue
            if inc.dbsvc is None or dbsvc.add_included(inc.dbsvc) is None:
                log('include service attributes failed')
        ok = True
        for chrc in svc.chrcs:
            if not self._database_add_chrc(svc, chrc):
                ok = False
                break
        if ok and any(not d.handled for d in svc.descs):
            log('Found descriptor with no matching characteristic!')
            ok = False
        if not ok:
            db.remove_service(dbsvc)
            svc.dbsvc = None
            return False
        return True

    def _database_add_chrc(self, svc, chrc):
        handle = self._parse_handle_prop(chrc.proxy)
        if handle is None:
            return False
        uuid = self._parse_uuid_prop(chrc.proxy)
        if uuid is None:
            return False
        val = svc.dbsvc.insert_characteristic(handle, uuid, chrc.perm, chrc.props)
        if val is None:
            log('Failed to create characteristic entry in database')
            return False
        val.owner = chrc
        val.ext_props = chrc.ext_props
        chrc.attr = val
        if chrc.props & (PROP_NOTIFY | PROP_INDICATE):
            chrc.ccc_perm |= PERM_READ | PERM_WRITE
            ccc = svc.dbsvc.insert_descriptor(0, uuid16(0x2902), chrc.ccc_perm, 'ccc')
            if ccc is None:
                return False
            ccc.ccc_chrc = chrc
            chrc.ccc = ccc
        if chrc.ext_props:
            cep = svc.dbsvc.insert_descriptor(0, uuid16(0x2900), PERM_READ, 'cep',
                                              struct.pack('<H', chrc.ext_props))
            if cep is None:
                return False
        if not handle:
            self._write_handle(svc.app, chrc.proxy, CHRC_IFACE, val.handle)
        for desc in svc.descs:
            if desc.handled or desc.chrc_path != chrc.path:
                continue
            if not self._database_add_desc(svc, desc):
                chrc.attr = None
                return False
        return True

    def _database_add_desc(self, svc, desc):
        handle = self._parse_handle_prop(desc.proxy)
        if handle is None:
            return False
        uuid = self._parse_uuid_prop(desc.proxy)
        if uuid is None:
            return False
        a = svc.dbsvc.insert_descriptor(handle, uuid, desc.perm, 'descriptor')
        if a is None:
            return False
        a.owner = desc
        desc.attr = a
        desc.handled = True
        if not handle:
            self._write_handle(svc.app, desc.proxy, DESC_IFACE, a.handle)
        return True

    def remove_app(self, app):
        if app.removed:
            return
        app.removed = True
        if app in app.adapter.apps:
            app.adapter.apps.remove(app)
        had = False
        for svc in list(app.services):
            had = had or svc.dbsvc is not None
            self.service_free(svc)
        app.services = []
        if had:
            self.bus.props_changed(app.adapter.path, ADAPTER_IFACE, ['UUIDs'])

    def service_free(self, svc):
        for chrc in svc.chrcs:
            chrc.freed = True
            for op in list(chrc.pending) + list(chrc.acq_queue):
                op.owner_list = None
                op.finish(ATT_REQUEST_NOT_SUPPORTED)
            chrc.pending = []
            chrc.acq_queue = []
            if chrc.write_io:
                chrc.write_io.close()
                chrc.write_io = None
            self._close_write_ios(chrc, None)
            if chrc.notify_io:
                chrc.notify_io.close()
                chrc.notify_io = None
            for _dev, io in chrc.notify_ios:
                io.close()
            chrc.notify_ios = []
        for desc in svc.descs:
            desc.freed = True
            for op in list(desc.pending):
                op.owner_list = None
                op.finish(ATT_REQUEST_NOT_SUPPORTED)
            desc.pending = []
        if svc.dbsvc is not None:
            ad = svc.app.adapter
            start, end = svc.dbsvc.start, svc.dbsvc.end
            ad.db.remove_service(svc.dbsvc)
            svc.dbsvc = None
            self.service_changed(ad, start, end)

    def service_changed(self, ad, start, end):
        """Service Changed indication to devices that enabled it."""
        for dev in ad.devices.values():
            if dev.connected and dev.ccc.get(ad.sc_ccc_handle, 0) & 0x0002:
                self.queue_indication(dev, ad.sc_handle, struct.pack('<HH', start, end), None)

    # ------------------------------------------------------ ATT server side
    @staticmethod
    def check_permissions(dev, perm, mask):
        if perm and mask & PERM_READ and not perm & PERM_READ:
            return ATT_READ_NOT_PERMITTED
        if perm and mask & PERM_WRITE and not perm & PERM_WRITE:
            return ATT_WRITE_NOT_PERMITTED
        perm &= mask
        if not perm:
            return 0
        sec = dev.security
        if perm & PERM_SECURE and sec < SEC_FIPS:
            return ATT_AUTHENTICATION
        if perm & PERM_AUTHEN and sec < SEC_HIGH:
            return ATT_AUTHENTICATION
        if perm & PERM_ENCRYPT and sec < SEC_MEDIUM:
            return ATT_INSUFFICIENT_ENCRYPTION
        return 0

    def _options(self, dev, offset, mtu, prep_authorize):
        opts = collections.OrderedDict()
        opts['device'] = V('o', dev.path)
        if offset:
            opts['offset'] = V('q', offset)
        opts['link'] = V('s', 'LE')
        if prep_authorize:
            opts['prepare-authorize'] = V('b', True)
        opts['mtu'] = V('q', mtu)
        return opts

    def att_read(self, dev, handle, offset, mtu, done):
        attr = dev.adapter.db.get_attribute(handle)
        if attr is None:
            return done(ATT_INVALID_HANDLE, b'')
        e = self.check_permissions(dev, attr.perm, PERM_READ_MASK)
        if e:
            return done(e, b'')

        def complete(ecode, value):
            if ecode:
                done(ecode, b'')
            else:
                done(0, bytes(value[:max(mtu - 1, 0)]))
        self.db_read(dev, attr, offset, mtu, complete)

    def db_read(self, dev, attr, offset, mtu, complete):
        if attr.kind == 'ccc':
            return complete(0, struct.pack('<H', dev.ccc.get(attr.handle, 0)))
        if attr.owner is not None:
            return self._ext_read(dev, attr.owner, offset, mtu, complete)
        v = attr.value() if callable(attr.value) else (attr.value or b'')
        if len(v) and offset > len(v):
            return complete(ATT_INVALID_OFFSET, b'')
        complete(0, v[offset:])

    def _ext_read(self, dev, obj, offset, mtu, complete):
        op = PendingOp(self, complete)
        if obj.freed or obj.proxy.removed:
            return op.finish(ATT_UNLIKELY)
        op.owner_list = obj.pending
        obj.pending.append(op)
        iface = CHRC_IFACE if isinstance(obj, Chrc) else DESC_IFACE
        self.stats['ReadValue'] += 1

        def reply(r):
            if op.owner_list is None:
                return  # canceled when the object got removed
            op.detach()
            if r[0] == 'error':
                return op.finish(map_dbus_error(r[1], r[2], ATT_READ_NOT_PERMITTED))
            body = r[1]
            if body is None or body.n_children() == 0 or \
                    not body.get_child_value(0).get_type_string().startswith('a'):
                return op.finish(ATT_REQUEST_NOT_SUPPORTED)
            v = body.get_child_value(0)
            if v.get_type_string() != 'ay':
                return op.finish(ATT_REQUEST_NOT_SUPPORTED)
            op.finish(0, bytes(v.unpack())[:ATT_MAX_VALUE_LEN])
        self.bus.call(obj.service.app.owner, obj.path, iface, 'ReadValue',
                      V('(a{sv})', (self._options(dev, offset, mtu, False),)), reply)

    def att_write(self, dev, handle, value, opcode, done):
        attr = dev.adapter.db.get_attribute(handle)
        if attr is None:
            return done(ATT_INVALID_HANDLE)
        # check_length() counted the handle until 5.69: 510 bytes at most in 5.66
        if len(value) + (0 if bluez_at_least(5, 69) else 2) > ATT_MAX_VALUE_LEN:
            return done(ATT_INVALID_VALUE_LEN)
        e = self.check_permissions(dev, attr.perm, PERM_WRITE_MASK)
        if e:
            return done(e)
        self.db_write(dev, attr, 0, value, opcode, done)

    def db_write(self, dev, attr, offset, value, opcode, complete):
        if attr.kind == 'ccc':
            return self._ccc_write(dev, attr, offset, value, complete)
        if isinstance(attr.owner, Chrc):
            return self._chrc_write(dev, attr.owner, offset, value, opcode, complete)
        if isinstance(attr.owner, Desc):
            return self._desc_write(dev, attr.owner, offset, value, opcode, complete)
        # value stored in the database
        if value and attr.static_write:
            old = attr.value if isinstance(attr.value, bytes) else b''
            buf = bytearray(old.ljust(offset + len(value), b'\0'))
            buf[offset:offset + len(value)] = value
            attr.value = bytes(buf)
        complete(0)

    def _ccc_write(self, dev, attr, offset, value, complete):
        if value is None or len(value) > 2 or len(value) == 0:
            return complete(ATT_INVALID_VALUE_LEN)
        if offset > 2:
            return complete(ATT_INVALID_OFFSET)
        val = value[0] if len(value) == 1 else struct.unpack('<H', bytes(value))[0]
        if val == dev.ccc.get(attr.handle, 0):
            return complete(0)
        ecode = 0
        if attr.ccc_chrc is not None:
            ecode = self._ext_ccc_write(dev, attr.ccc_chrc, val)
        if not ecode:
            dev.ccc[attr.handle] = val
        complete(ecode)

    def _take_notify_io(self, chrc, dev):
        """5.82: remove the AcquireNotify client of dev, or, for dev None
        (clear_cc_state at a disconnection), the first one of any device,
        as match_client_att() does."""
        for i, (d, io) in enumerate(chrc.notify_ios):
            if dev is None or d is dev:
                del chrc.notify_ios[i]
                return io
        return None

    def _ext_ccc_write(self, dev, chrc, value):
        """ccc_write_cb() of 5.66, or of 5.82 (--bluez 5.82: one AcquireNotify
        socket per device)."""
        app = chrc.service.app
        per_device = bluez_at_least(5, 82)
        if not value:
            if not chrc.ntfy_cnt:
                return 0
            if per_device:
                io = self._take_notify_io(chrc, dev)
                if io is not None:
                    io.close()
                    chrc.ntfy_cnt -= 1
                    return 0
            chrc.ntfy_cnt -= 1
            if chrc.ntfy_cnt:
                return 0
            if not per_device and chrc.notify_io:
                chrc.notify_io.close()
                chrc.notify_io = None
                return 0
            if not chrc.proxy.removed and not chrc.freed:
                self.stats['StopNotify'] += 1
                self.bus.call_noreply(app.owner, chrc.path, CHRC_IFACE, 'StopNotify')
            return 0
        if value > 2 or (value == 1 and not chrc.props & PROP_NOTIFY) or \
                (value == 2 and not chrc.props & PROP_INDICATE):
            return ATT_CCC_IMPROPERLY_CONFIGURED
        if any(d is dev for d, _io in chrc.notify_ios) if per_device else chrc.notify_io:
            chrc.ntfy_cnt += 1
            return 0
        if chrc.proxy.removed or chrc.freed:
            return ATT_UNLIKELY
        if 'NotifyAcquired' in chrc.proxy.props:
            self._acquire_notify(dev, chrc)
            return 0
        self.stats['StartNotify'] += 1
        self.bus.call_noreply(app.owner, chrc.path, CHRC_IFACE, 'StartNotify')
        chrc.ntfy_cnt += 1
        return 0

    def _acquire_notify(self, dev, chrc):
        app = chrc.service.app
        self.stats['AcquireNotify'] += 1

        def start_notify():
            if chrc.freed or chrc.proxy.removed:
                return
            self.stats['StartNotify'] += 1
            self.bus.call_noreply(app.owner, chrc.path, CHRC_IFACE, 'StartNotify')
            chrc.ntfy_cnt += 1

        def reply(r):
            fdl = r[2] if r[0] == 'ok' else None
            if chrc.freed:
                _close_fdlist(fdl)
                return
            if r[0] == 'error':
                if r[1] in (DBUS_ERR + 'NoReply', ERR + 'Failed'):
                    return
                return start_notify()
            body = r[1]
            if body is None or body.get_type_string() != '(hq)' or fdl is None:
                _close_fdlist(fdl)
                return start_notify()
            try:
                fd = fdl.get(body.get_child_value(0).unpack())
            except GLib.Error:
                return start_notify()
            _close_fdlist(fdl)
            if bluez_at_least(5, 82):
                # client_notify_io_get(): one socket per device; what the app
                # writes into it goes to that device only (sock_io_read()).
                def on_hup_582(io):
                    chrc.notify_ios[:] = [(d, i) for d, i in chrc.notify_ios if i is not io]

                def conf_582():
                    # sock_io_conf(): no Confirm() call; a byte (1) is
                    # written into the socket (5.80 and later).
                    self.stats['NotifyFdConfirm'] += 1

                    def written():
                        self.stats['NotifyFdConfirmWritten'] += 1

                    def merged():
                        self.stats['NotifyFdConfirmMerged'] += 1
                    io.confirm(written, merged)

                def on_read_582(data):
                    if chrc.freed or chrc.attr is None:
                        return
                    self.stats['NotifyFdRead'] += 1
                    self.send_notification(chrc, data, only=dev, conf=conf_582)
                io = FdIO(fd, on_hup_582, on_read_582)
                io.set_reading(self.notify_reading)
                chrc.notify_ios.append((dev, io))
                chrc.ntfy_cnt += 1
                return
            if chrc.notify_io:
                chrc.notify_io.close()

            def on_hup(io):
                if chrc.notify_io is io:
                    chrc.notify_io = None

            def on_read(data):
                if chrc.freed or chrc.attr is None:
                    return
                self.stats['NotifyFdRead'] += 1
                self.send_notification(chrc, data)
            chrc.notify_io = FdIO(fd, on_hup, on_read)
            chrc.notify_io.set_reading(self.notify_reading)
            chrc.ntfy_cnt += 1
        self.bus.call(app.owner, chrc.path, CHRC_IFACE, 'AcquireNotify',
                      V('(a{sv})', (self._options(dev, 0, dev.mtu, False),)), reply)

    def _send_write(self, dev, obj, op, value, offset, prep_auth, with_reply):
        app = obj.service.app
        iface = CHRC_IFACE if isinstance(obj, Chrc) else DESC_IFACE
        if obj.freed or obj.proxy.removed:
            return op.finish(ATT_UNLIKELY)
        body = V('(aya{sv})', (bytes(value), self._options(dev, offset, dev.mtu, prep_auth)))
        self.stats['WriteValue'] += 1
        if not with_reply:
            self.stats['WriteValueNoReply'] += 1
            self.bus.call_noreply(app.owner, obj.path, iface, 'WriteValue', body)
            return op.finish(0)
        op.owner_list = obj.pending
        obj.pending.append(op)

        def reply(r):
            if op.owner_list is None:
                return
            op.detach()
            if r[0] == 'error':
                return op.finish(map_dbus_error(r[1], r[2], ATT_WRITE_NOT_PERMITTED))
            if prep_auth:
                obj.prep_authorized = True
            if r[1] is not None and r[1].n_children() > 0:
                return op.finish(ATT_REQUEST_NOT_SUPPORTED)
            op.finish(0)
        self.bus.call(app.owner, obj.path, iface, 'WriteValue', body, reply)

    def _chrc_write(self, dev, chrc, offset, value, opcode, complete):
        op = PendingOp(self, complete)
        with_reply = not (chrc.props & PROP_WRITE_WITHOUT_RESP)
        if opcode == OP_PREP_WRITE:
            if not dev.trusted and not chrc.prep_authorized and chrc.req_prep_auth:
                self._send_write(dev, chrc, op, b'', offset, True, with_reply)
            else:
                op.finish(0)
            return
        if opcode == OP_EXEC_WRITE:
            chrc.prep_authorized = False
        write_io = self._write_io_of(chrc, dev)
        if write_io:
            try:
                write_io.send(value)
                self.stats['WriteFdSend'] += 1
                op.finish(0)
            except OSError as e:
                log('Unable to write: %s', e)
                op.finish(ATT_UNLIKELY)
            return
        if 'WriteAcquired' in chrc.proxy.props and not chrc.proxy.removed and not chrc.freed:
            return self._acquire_write(dev, chrc, op, value)
        self._send_write(dev, chrc, op, value, offset, False, with_reply)

    def _desc_write(self, dev, desc, offset, value, opcode, complete):
        op = PendingOp(self, complete)
        if opcode == OP_PREP_WRITE:
            if not dev.trusted and not desc.prep_authorized and desc.req_prep_auth:
                self._send_write(dev, desc, op, b'', offset, True, True)
            else:
                op.finish(0)
            return
        if opcode == OP_EXEC_WRITE:
            desc.prep_authorized = False
        self._send_write(dev, desc, op, value, offset, False, True)

    def _acquire_write(self, dev, chrc, op, value):
        acquiring = bool(chrc.acq_queue)
        op.value = bytes(value)
        op.dev = dev
        op.owner_list = chrc.acq_queue
        chrc.acq_queue.append(op)
        if acquiring:
            return
        app = chrc.service.app
        self.stats['AcquireWrite'] += 1

        def flush():
            queue = list(chrc.acq_queue)
            chrc.acq_queue[:] = []
            for o in queue:
                o.owner_list = None
                self._send_write(o.dev, chrc, o, o.value, 0, False, True)

        def reply(r):
            fdl = r[2] if r[0] == 'ok' else None
            if op.owner_list is None:
                _close_fdlist(fdl)
                return
            if r[0] == 'error':
                ecode = map_dbus_error(r[1], r[2], ATT_WRITE_NOT_PERMITTED)
                if ecode != ATT_UNLIKELY:
                    op.finish(ecode)  # 5.66 leaves the op queued
                    return
                return flush()
            body = r[1]
            if body is None or body.get_type_string() != '(hq)' or fdl is None:
                _close_fdlist(fdl)
                return flush()
            try:
                fd = fdl.get(body.get_child_value(0).unpack())
            except GLib.Error:
                return flush()
            _close_fdlist(fdl)

            write_io = self._take_write_io(chrc, op.dev, fd)
            while chrc.acq_queue:
                o = chrc.acq_queue[0]
                try:
                    write_io.send(o.value)
                    self.stats['WriteFdSend'] += 1
                except OSError:
                    return flush()
                chrc.acq_queue.pop(0)
                o.owner_list = None
                o.finish(0)
        self.bus.call(app.owner, chrc.path, CHRC_IFACE, 'AcquireWrite',
                      V('(a{sv})', (self._options(dev, 0, dev.mtu, False),)), reply)

    def att_prepare(self, dev, handle, offset, value, done):
        if len(dev.prep_queue) >= MAX_PREP_QUEUE_LEN:
            return done(ATT_PREPARE_QUEUE_FULL)
        attr = dev.adapter.db.get_attribute(handle)
        if attr is None:
            return done(ATT_INVALID_HANDLE)
        # check_length() counted handle and offset until 5.69: offset + length <= 508 in 5.66
        length = len(value) + (0 if bluez_at_least(5, 69) else 4)
        if length > ATT_MAX_VALUE_LEN:
            return done(ATT_INVALID_VALUE_LEN)
        if offset > ATT_MAX_VALUE_LEN:
            return done(ATT_INVALID_OFFSET)
        if length + offset > ATT_MAX_VALUE_LEN:
            return done(ATT_INVALID_VALUE_LEN)
        e = self.check_permissions(dev, attr.perm, PERM_WRITE_MASK)
        if e:
            return done(e)

        def complete(ecode, _v=b''):
            if ecode:
                return done(ecode)
            tail = dev.prep_queue[-1] if dev.prep_queue else None
            if tail and tail['handle'] == handle and offset == tail['offset'] + len(tail['value']):
                tail['value'] += bytes(value)
            else:
                dev.prep_queue.append({'handle': handle, 'offset': offset, 'value': bytearray(value),
                                       'reliable': self._reliable_supported(dev.adapter, handle - 1)})
            done(0)
        if attr.kind == 'ccc':
            return complete(ATT_INVALID_VALUE_LEN)  # gatt_ccc_write_cb gets value == NULL
        self.db_write(dev, attr, offset, None, OP_PREP_WRITE, complete)

    @staticmethod
    def _reliable_supported(ad, handle):
        a = ad.db.get_attribute(handle)
        if a is None or a.kind != 'characteristic' or a.chrc_value is None:
            return False
        return bool(a.chrc_value.ext_props & EXT_PROP_RELIABLE_WRITE)

    def att_execute(self, dev, commit, done):
        if not commit:
            dev.prep_queue = []
            return done(0)
        if len(dev.prep_queue) > 1 and any(not p['reliable'] for p in dev.prep_queue):
            dev.prep_queue = []
            return done(ATT_REQUEST_NOT_SUPPORTED)

        def step(err=0, _v=b''):
            if err:
                dev.prep_queue = []
                return done(err)
            if not dev.prep_queue:
                return done(0)
            nxt = dev.prep_queue.pop(0)
            attr = dev.adapter.db.get_attribute(nxt['handle'])
            if attr is None:
                dev.prep_queue = []
                return done(ATT_UNLIKELY)
            self.db_write(dev, attr, nxt['offset'], bytes(nxt['value']), OP_EXEC_WRITE, step)
        step()

    # --------------------------------------------------- notifications
    def send_notification(self, chrc, value, only=None, conf=None):
        """send_notification_to_device() for every device whose CCC is set
        (or only one). conf: how a confirmed indication is reported; None is
        conf_cb(), a Confirm() call on the characteristic."""
        ad = chrc.service.app.adapter
        if chrc.attr is None or chrc.ccc is None:
            return
        handle = chrc.attr.handle
        for dev in list(ad.devices.values()):
            if only is not None and dev is not only:
                continue
            v = dev.ccc.get(chrc.ccc.handle, 0)
            if not v & 0x0003 or not dev.connected:
                continue
            if not v & 0x0002:
                self._deliver(dev, handle, value, False)
            else:
                self.queue_indication(dev, handle, value, chrc, conf)

    def _deliver(self, dev, handle, value, indication):
        value = bytes(value[:max(dev.mtu - 3, 0)])
        dev.notifications.append((handle, value, indication))
        self.stats['indications' if indication else 'notifications'] += 1
        self.bus.emit(CTRL_PATH, CTRL_IFACE, 'Notification',
                      V('(oqayb)', (dev.path, handle, value, indication)))

    def queue_indication(self, dev, handle, value, chrc, conf=None):
        dev.ind_queue.append((handle, bytes(value), chrc, conf))
        self._pump_indications(dev)

    def _pump_indications(self, dev):
        if dev.ind_out is not None or not dev.ind_queue or not dev.connected:
            return
        dev.ind_out = dev.ind_queue.popleft()
        self._deliver(dev, dev.ind_out[0], dev.ind_out[1], True)
        token = dev.ind_out

        def att_timeout():
            dev.ind_timer = 0
            if dev.ind_out is token:
                log('indication not confirmed in time: disconnecting %s', dev.path)
                self.set_connected(dev, False)
            return False
        dev.ind_timer = GLib.timeout_add(OPTS.ind_timeout_ms, att_timeout)
        if self.auto_confirm:
            self._schedule_confirm(dev)

    def _schedule_confirm(self, dev):
        if dev.confirm_src or dev.ind_out is None:
            return
        token = dev.ind_out

        def fire():
            dev.confirm_src = 0
            if dev.ind_out is token:
                self.confirm_indication(dev)
            return False
        if self.confirm_delay:
            dev.confirm_src = GLib.timeout_add(self.confirm_delay, fire)
        else:
            dev.confirm_src = GLib.idle_add(fire, priority=GLib.PRIORITY_DEFAULT)

    def confirm_indication(self, dev):
        out = dev.ind_out
        if out is None:
            return False
        dev.ind_out = None
        if dev.ind_timer:
            GLib.source_remove(dev.ind_timer)
            dev.ind_timer = 0
        chrc, conf = out[2], out[3]
        if conf is not None:
            conf()
        elif chrc is not None and not chrc.freed and not chrc.proxy.removed:
            self.stats['Confirm'] += 1
            self.bus.call_noreply(chrc.service.app.owner, chrc.path, CHRC_IFACE, 'Confirm')
        self._pump_indications(dev)
        return True

    # ----------------------------------------------------- connections
    # AcquireWrite sockets: one per characteristic for every device in
    # 5.66 (chrc.write_io, kept until HUP or unregister), one per device
    # from 5.69 (chrc.write_ios, client_write_io_get(); shut down when the
    # device's ATT bearer goes, att_disconnect_cb()).

    def _write_io_of(self, chrc, dev):
        if not bluez_at_least(5, 69):
            return chrc.write_io
        for d, io in chrc.write_ios:
            if d is dev:
                return io
        return None

    def _take_write_io(self, chrc, dev, fd):
        """acquire_write_reply(): the socket becomes the one of dev (5.69+;
        the writes queued meanwhile, from any device, all go into it)."""
        if not bluez_at_least(5, 69):
            def on_hup(io):
                if chrc.write_io is io:
                    chrc.write_io = None
            chrc.write_io = FdIO(fd, on_hup)
            return chrc.write_io
        old = self._write_io_of(chrc, dev)
        if old:
            os.close(fd)
            return old

        def on_hup_569(io):
            chrc.write_ios[:] = [x for x in chrc.write_ios if x[1] is not io]
        io = FdIO(fd, on_hup_569)
        chrc.write_ios.append((dev, io))
        return io

    def _close_write_ios(self, chrc, dev):
        """Closes the sockets of dev (None: all) of chrc."""
        for d, io in [x for x in chrc.write_ios if dev is None or x[0] is dev]:
            chrc.write_ios.remove((d, io))
            io.close()

    def _close_write_ios_of_device(self, dev):
        if not bluez_at_least(5, 69):
            return  # 5.66 keeps its single socket across disconnections
        for app in dev.adapter.apps:
            for svc in app.services:
                for chrc in svc.chrcs:
                    self._close_write_ios(chrc, dev)

    def c_write_commands(self, call):
        """A central that sends Write Commands back to back (in one go, as
        a radio delivers a burst), then, if read is true, a Read Request at
        once: its answer is returned (error, value)."""
        dev = self._find_device(call, call.arg(0))
        if dev is None:
            return
        handle, values, read = call.arg(1), call.arg(2), call.arg(3)
        if not dev.connected:
            return call.err(CTRL_ERR + 'NotConnected', 'Device is not connected')
        for v in values:
            self.stats['att-write-cmd'] += 1
            self.att_write(dev, handle, bytes(v), OP_WRITE_CMD, lambda e, *_: None)
        if not read:
            return call.ret('yay', 0, b'')
        op = CtrlOp(dev, call, 'yay')
        self.att_read(dev, handle, 0, dev.mtu, lambda e, v: op.reply(e, bytes(v)))

    def c_get_write_sockets(self, call):
        """The AcquireWrite sockets held: (characteristic path, device path
        or '' for the 5.66 socket that serves every device)."""
        out = []
        for ad in self.adapters.values():
            for app in ad.apps:
                for svc in app.services:
                    for chrc in svc.chrcs:
                        if chrc.write_io and not chrc.write_io.closed:
                            out.append((chrc.path, ''))
                        for d, io in chrc.write_ios:
                            if not io.closed:
                                out.append((chrc.path, d.path))
        call.ret('a(ss)', out)

    def c_get_property(self, call):
        """Properties.Get on an application object, as bluetoothd's proxy
        would (only org.bluez may ask)."""
        owner, path, iface, name = call.arg(0), call.arg(1), call.arg(2), call.arg(3)

        def reply(r):
            if r[0] == 'error':
                return call.err(r[1], r[2] or '')
            call.ret('v', r[1].get_child_value(0).get_variant())
        self.bus.call(owner, path, 'org.freedesktop.DBus.Properties', 'Get',
                      V('(ss)', (iface, name)), reply)

    def c_acquire_write_raw(self, call):
        """Calls AcquireWrite on an application's characteristic with these
        options, as bluetoothd does, and closes the socket it gets at once
        (bluetoothd's end hangs up). Returns (error name or '', mtu)."""
        owner, path, options = call.arg(0), call.arg(1), call.args[2]

        def reply(r):
            if r[0] == 'error':
                return call.ret('sq', r[1], 0)
            _close_fdlist(r[2])
            body = r[1]
            if body is None or body.get_type_string() != '(hq)':
                return call.ret('sq', 'InvalidReply', 0)
            call.ret('sq', '', body.get_child_value(1).unpack())
        self.bus.call(owner, path, CHRC_IFACE, 'AcquireWrite', GLib.Variant.new_tuple(options), reply)

    def set_connected(self, dev, connected):
        if dev.connected == connected:
            return
        dev.connected = connected
        if not connected:
            for op in list(dev.ctrl_pending):
                op.abort()
            dev.ctrl_pending = []
            dev.prep_queue = []
            dev.ind_queue.clear()
            dev.ind_out = None
            for src in ('ind_timer', 'confirm_src'):
                if getattr(dev, src):
                    GLib.source_remove(getattr(dev, src))
                    setattr(dev, src, 0)
            if not dev.bonded:
                self.clear_ccc_states(dev)
                dev.security = SEC_LOW
            self._close_write_ios_of_device(dev)
            if bluez_at_least(5, 82):
                # att_disconnect_cb(): the device's AcquireNotify sockets are
                # shut down (the app sees HUP), bonded or not.
                for app in dev.adapter.apps:
                    for svc in app.services:
                        for chrc in svc.chrcs:
                            for d, io in [x for x in chrc.notify_ios if x[0] is dev]:
                                chrc.notify_ios.remove((d, io))
                                io.close()
            if dev.pairing:
                self._pairing_cancel(dev, 'org.bluez.Error.AuthenticationCanceled')
        self.bus.props_changed(dev.path, DEVICE_IFACE, ['Connected', 'ServicesResolved'])

    def clear_ccc_states(self, dev):
        """att_disconnected() for a device that is not bonded."""
        states = list(dev.ccc.items())
        dev.ccc = collections.OrderedDict()
        for handle, value in states:
            if not value:
                continue
            attr = dev.adapter.db.get_attribute(handle)
            if attr is not None and attr.kind == 'ccc' and attr.ccc_chrc is not None:
                self._ext_ccc_write(None, attr.ccc_chrc, 0)

    # ------------------------------------------------- control interface
    def _make_ctrl_obj(self):
        obj = Obj(CTRL_PATH)
        M = Method
        obj.add(Interface(CTRL_IFACE, methods=[
            M('AddDevice', 'sss', 'o', self.c_add_device),
            M('RemoveDevice', 'o', '', self.c_remove_device),
            M('SetDeviceProperty', 'osv', '', self.c_set_device_property),
            M('GetDevices', '', 'ao', self.c_get_devices),
            M('GetDatabase', 's', 'aa{sv}', self.c_get_database),
            M('Read', 'oqqq', 'yay', self.c_read),
            M('Write', 'oqqays', 'y', self.c_write),
            M('WriteThenRead', 'oqays', 'yyay', self.c_write_then_read),
            M('WriteCommands', 'oqaayb', 'yay', self.c_write_commands),
            M('GetWriteSockets', '', 'a(ss)', self.c_get_write_sockets),
            M('GetProperty', 'soss', 'v', self.c_get_property),
            M('AcquireWriteRaw', 'soa{sv}', 'sq', self.c_acquire_write_raw),
            M('ExecuteWrite', 'ob', 'y', self.c_execute_write),
            M('TakeNotifications', 'o', 'a(qayb)', self.c_take_notifications),
            M('SetConfirmDelay', 'u', '', self.c_set_confirm_delay),
            M('SetAutoConfirm', 'b', '', self.c_set_auto_confirm),
            M('ConfirmPending', 'o', '', self.c_confirm_pending),
            M('SetNotifyReading', 'b', '', self.c_set_notify_reading),
            M('GetApplications', '', 'a(so)', self.c_get_applications),
            M('GetAdvertisements', '', 'aa{sv}', self.c_get_advertisements),
            M('GetAgents', '', 'a(sos)', self.c_get_agents),
            M('GetDefaultAgent', '', 'so', self.c_get_default_agent),
            M('Restart', '', '', self.c_restart),
            M('Stop', '', '', self.c_stop),
            M('Start', '', '', self.c_start),
            M('RestartAfterRegister', '', '', self.c_restart_after_register),
            M('FailRegistrations', 'u', '', self.c_fail_registrations),
            M('GetHeldRegistrations', '', 'as', self.c_get_held_registrations),
            M('RestartAnsweringHeld', 's', '', self.c_restart_answering_held),
            M('SetAdapterDelay', 'u', '', self.c_set_adapter_delay),
            M('HoldObjectTree', 'b', '', self.c_hold_object_tree),
            M('RemoveAdapter', 's', '', self.c_remove_adapter),
            M('AddAdapter', 's', '', self.c_add_adapter),
            M('GetStats', '', 'a{sv}', self.c_get_stats),
            M('ResetStats', '', '', self.c_reset_stats),
            M('SetAttTimeout', 'u', '', self.c_set_att_timeout),
            M('Pair', 'os', 'bs', self.c_pair),
            M('CancelPairing', 'o', '', self.c_cancel_pairing),
            M('ExpireAdvertisement', 'o', '', self.c_expire_adv),
            M('AddRemotePeripheral', 'sss', 'o', self.c_add_remote_peripheral),
        ], signals=[('Notification', [('device', 'o'), ('handle', 'q'), ('value', 'ay'),
                                      ('indication', 'b')])]))
        return obj

    def _find_device(self, call, path):
        for ad in self.adapters.values():
            dev = ad.devices.get(path)
            if dev is not None:
                return dev
        call.err(CTRL_ERR + 'NoSuchDevice', 'No device %s' % path)
        return None

    def c_add_device(self, call):
        adname, address, name = call.arg(0), call.arg(1), call.arg(2)
        ad = self.adapters.get(adname)
        if ad is None:
            return call.err(CTRL_ERR + 'NoSuchAdapter', 'No adapter %s' % adname)
        parts = address.split(':')
        if len(parts) != 6 or not all(len(p) == 2 for p in parts):
            return call.err(CTRL_ERR + 'InvalidArguments', 'Bad address %s' % address)
        try:
            first = int(parts[0], 16)
            [int(p, 16) for p in parts]
        except ValueError:
            return call.err(CTRL_ERR + 'InvalidArguments', 'Bad address %s' % address)
        addr_type = 'random' if (first & 0xC0) == 0xC0 else 'public'
        dev = Device(ad, address, name, addr_type)
        if dev.path in ad.devices:
            return call.err(CTRL_ERR + 'AlreadyExists', 'Device exists')
        ad.devices[dev.path] = dev
        self.bus.export(self._make_device_obj(dev))
        call.ret('o', dev.path)

    def c_remove_device(self, call):
        dev = self._find_device(call, call.arg(0))
        if dev is None:
            return
        self.remove_device(dev)
        call.ret()

    def remove_device(self, dev):
        self.set_connected(dev, False)
        self.clear_ccc_states(dev)
        dev.adapter.devices.pop(dev.path, None)
        self.bus.unexport(dev.path)

    def h_adapter_remove_device(self, ad, call):
        dev = ad.devices.get(call.arg(0))
        if dev is None:
            return call.err(ERR + 'DoesNotExist', 'Does Not Exist')
        self.remove_device(dev)
        call.ret()

    def c_set_device_property(self, call):
        dev = self._find_device(call, call.arg(0))
        if dev is None:
            return
        name = call.arg(1)
        v = call.args[2].get_variant()
        t = v.get_type_string()
        val = v.unpack()
        bools = {'Paired': 'paired', 'Bonded': 'bonded', 'Trusted': 'trusted', 'Blocked': 'blocked'}
        if name in bools and t == 'b':
            setattr(dev, bools[name], val)
            if name == 'Paired':
                dev.security = max(dev.security, SEC_MEDIUM) if val else SEC_LOW
            call.ret()
            self.bus.props_changed(dev.path, DEVICE_IFACE, [name])
        elif name == 'Connected' and t == 'b':
            self.set_connected(dev, val)
            if val and dev.paired and dev.bonded:
                dev.security = max(dev.security, SEC_MEDIUM)
            call.ret()
        elif name == 'MTU' and t == 'q':
            if val < 23:
                return call.err(CTRL_ERR + 'InvalidArguments', 'MTU must be >= 23')
            dev.mtu = val
            call.ret()
        elif name == 'Security' and t == 'y':
            if not 1 <= val <= 4:
                return call.err(CTRL_ERR + 'InvalidArguments', 'Security is 1..4')
            dev.security = val
            call.ret()
        elif name in ('Name', 'Alias') and t == 's':
            setattr(dev, name.lower(), val)
            call.ret()
            self.bus.props_changed(dev.path, DEVICE_IFACE, [name])
        else:
            call.err(CTRL_ERR + 'InvalidArguments', 'Unsupported property %s of type %s' % (name, t))

    def c_get_devices(self, call):
        call.ret('ao', [d.path for ad in self.adapters.values() for d in ad.devices.values()])

    def c_get_database(self, call):
        ad = self.adapters.get(call.arg(0))
        if ad is None:
            return call.err(CTRL_ERR + 'NoSuchAdapter', 'No adapter %s' % call.arg(0))
        out = []
        for a in ad.db.all_attributes():
            d = {'handle': V('q', a.handle), 'type': V('s', a.kind),
                 'permissions': V('u', a.perm)}
            if a.kind in ('primary-service', 'secondary-service', 'value', 'descriptor'):
                d['uuid'] = V('s', a.uuid.string128())
            elif a.kind == 'characteristic':
                d['uuid'] = V('s', a.chrc_value.uuid.string128())
            elif a.kind == 'include':
                d['uuid'] = V('s', a.included.uuid.string128())
            elif a.kind == 'ccc':
                d['uuid'] = V('s', uuid16(0x2902).string128())
            elif a.kind == 'cep':
                d['uuid'] = V('s', uuid16(0x2900).string128())
            d['attribute-type'] = V('s', a.uuid.string128() if a.kind in ('value', 'descriptor')
                                    else {'primary-service': uuid16(0x2800), 'secondary-service': uuid16(0x2801),
                                          'include': uuid16(0x2802), 'characteristic': uuid16(0x2803),
                                          'ccc': uuid16(0x2902), 'cep': uuid16(0x2900)}[a.kind].string128())
            if a.kind in ('primary-service', 'secondary-service'):
                d['end-handle'] = V('q', a.service.end)
                if a.service.app_service is not None:
                    d['path'] = V('o', a.service.app_service.path)
                    d['owner'] = V('s', a.service.app_service.app.owner)
            if a.kind == 'include':
                d['included-handle'] = V('q', a.included.start)
                d['end-handle'] = V('q', a.included.end)
            if a.kind == 'characteristic':
                val = a.chrc_value
                d['value-handle'] = V('q', val.handle)
                d['properties'] = V('y', a.props)
                d['ext-properties'] = V('q', val.ext_props)
                if isinstance(val.owner, Chrc):
                    d['path'] = V('o', val.owner.path)
                    d['owner'] = V('s', val.owner.service.app.owner)
                    d['flags'] = V('as', list(val.owner.flags))
            if a.kind == 'value':
                d['properties'] = V('y', a.props)
                d['ext-properties'] = V('q', a.ext_props)
                if isinstance(a.owner, Chrc):
                    d['path'] = V('o', a.owner.path)
                    d['owner'] = V('s', a.owner.service.app.owner)
                    d['flags'] = V('as', list(a.owner.flags))
            if a.kind == 'ccc' and a.ccc_chrc is not None:
                d['path'] = V('o', a.ccc_chrc.path)
                d['owner'] = V('s', a.ccc_chrc.service.app.owner)
            if a.kind == 'descriptor' and isinstance(a.owner, Desc):
                d['path'] = V('o', a.owner.path)
                d['owner'] = V('s', a.owner.service.app.owner)
                d['flags'] = V('as', list(a.owner.flags))
            if a.kind == 'cep':
                d['ext-properties'] = V('q', struct.unpack('<H', a.value)[0])
            if isinstance(a.value, bytes) and a.owner is None and a.kind not in ('ccc',):
                d['value'] = V('ay', a.value)
            out.append(d)
        call.ret('aa{sv}', out)

    def c_read(self, call):
        dev = self._find_device(call, call.arg(0))
        if dev is None:
            return
        handle, offset, mtu = call.arg(1), call.arg(2), call.arg(3)
        if not dev.connected:
            return call.err(CTRL_ERR + 'NotConnected', 'Device is not connected')
        mtu = mtu or dev.mtu
        op = CtrlOp(dev, call, 'yay')
        self.stats['att-read'] += 1
        self.att_read(dev, handle, offset, mtu, lambda e, v: op.reply(e, bytes(v)))

    def c_write(self, call):
        dev = self._find_device(call, call.arg(0))
        if dev is None:
            return
        handle, offset, kind = call.arg(1), call.arg(2), call.arg(4)
        value = bytes(call.arg(3))
        if not dev.connected:
            return call.err(CTRL_ERR + 'NotConnected', 'Device is not connected')
        if kind == 'request':
            op = CtrlOp(dev, call, 'y')
            self.stats['att-write-req'] += 1
            self.att_write(dev, handle, value, OP_WRITE_REQ, lambda e, *_: op.reply(e))
        elif kind == 'command':
            self.stats['att-write-cmd'] += 1
            self.att_write(dev, handle, value, OP_WRITE_CMD, lambda e, *_: None)
            call.ret('y', 0)
        elif kind == 'prepare':
            op = CtrlOp(dev, call, 'y')
            self.stats['att-prepare-write'] += 1
            self.att_prepare(dev, handle, offset, value, lambda e, *_: op.reply(e))
        else:
            call.err(CTRL_ERR + 'InvalidArguments', 'kind must be request, command or prepare')

    def c_write_then_read(self, call):
        """A central that reads as soon as its write is acknowledged: after a
        Write Command at once, after a Write Request when the response came
        (at once for a write-without-response characteristic)."""
        dev = self._find_device(call, call.arg(0))
        if dev is None:
            return
        handle, value, kind = call.arg(1), bytes(call.arg(2)), call.arg(3)
        if not dev.connected:
            return call.err(CTRL_ERR + 'NotConnected', 'Device is not connected')
        if kind not in ('request', 'command'):
            return call.err(CTRL_ERR + 'InvalidArguments', 'kind must be request or command')
        op = CtrlOp(dev, call, 'yyay')

        def written(e, *_):
            self.att_read(dev, handle, 0, dev.mtu, lambda e2, v: op.reply(e, e2, bytes(v)))
        if kind == 'request':
            self.att_write(dev, handle, value, OP_WRITE_REQ, written)
        else:
            self.att_write(dev, handle, value, OP_WRITE_CMD, lambda e, *_: None)
            written(0)

    def c_execute_write(self, call):
        dev = self._find_device(call, call.arg(0))
        if dev is None:
            return
        if not dev.connected:
            return call.err(CTRL_ERR + 'NotConnected', 'Device is not connected')
        op = CtrlOp(dev, call, 'y')
        self.stats['att-execute-write'] += 1
        self.att_execute(dev, call.arg(1), lambda e, *_: op.reply(e))

    def c_take_notifications(self, call):
        dev = self._find_device(call, call.arg(0))
        if dev is None:
            return
        items = [(h, bytes(v), ind) for h, v, ind in dev.notifications]
        dev.notifications.clear()
        call.ret('a(qayb)', items)

    def c_set_confirm_delay(self, call):
        self.confirm_delay = call.arg(0)
        call.ret()

    def c_set_auto_confirm(self, call):
        self.auto_confirm = call.arg(0)
        call.ret()
        if self.auto_confirm:
            for ad in self.adapters.values():
                for dev in ad.devices.values():
                    self._schedule_confirm(dev)

    def c_confirm_pending(self, call):
        dev = self._find_device(call, call.arg(0))
        if dev is None:
            return
        if dev.ind_out is None:
            return call.err(CTRL_ERR + 'NothingPending', 'No indication awaiting confirmation')
        self.confirm_indication(dev)
        call.ret()

    def c_set_notify_reading(self, call):
        self.notify_reading = call.arg(0)
        for ad in self.adapters.values():
            for app in ad.apps:
                for svc in app.services:
                    for chrc in svc.chrcs:
                        if chrc.notify_io:
                            chrc.notify_io.set_reading(self.notify_reading)
                        for _dev, io in chrc.notify_ios:
                            io.set_reading(self.notify_reading)
        call.ret()

    def c_get_applications(self, call):
        call.ret('a(so)', [(a.owner, a.path) for ad in self.adapters.values() for a in ad.apps])

    def c_get_stats(self, call):
        d = {k: V('t', v) for k, v in self.stats.items()}
        call.ret('a{sv}', d)

    def c_reset_stats(self, call):
        self.stats.clear()
        call.ret()

    def c_set_att_timeout(self, call):
        OPTS.att_timeout_ms = max(1, call.arg(0))
        call.ret()

    # ------------------------------------------------- restart / hotplug
    def _drop_adapter_state(self, ad, release_ads):
        for app in list(ad.apps):
            self.remove_app(app)
        for adv in list(ad.ads):
            self.adv_remove(adv, release=release_ads)
        for dev in list(ad.devices.values()):
            for op in list(dev.ctrl_pending):
                op.abort()
            if dev.pairing:
                self._pairing_cancel(dev, 'org.bluez.Error.AuthenticationCanceled')
        ad.devices.clear()
        if ad.disc_timer:
            GLib.source_remove(ad.disc_timer)
            ad.disc_timer = 0

    def _stop(self):
        self.restarting = True
        for ad in self.adapters.values():
            self._drop_adapter_state(ad, release_ads=True)
        for ag in list(self.agents):
            self.agent_remove(ag, release=True)
        self.bus.close()
        self.stats['Restart'] += 1
        names = list(self.adapters.keys())
        self.adapters = collections.OrderedDict((n, Adapter(self, n)) for n in names)

    def restart(self, sync=False):
        self._stop()

        def up():
            self._bring_up()
            self.restarting = False
            return False
        if sync:
            up()
        else:
            GLib.timeout_add(OPTS.restart_delay_ms, up)

    def c_restart(self, call):
        if self.restarting:
            return call.err(CTRL_ERR + 'InProgress', 'Restart in progress')
        call.ret()
        self.restart()

    def c_stop(self, call):
        if self.restarting:
            return call.err(CTRL_ERR + 'InProgress', 'Restart in progress')
        call.ret()
        self._stop()
        self.stopped = True

    def c_start(self, call):
        if not self.stopped:
            return call.err(CTRL_ERR + 'NotStopped', 'Not stopped')
        self.stopped = False
        self.restarting = False
        self._bring_up()
        call.ret()

    def c_restart_after_register(self, call):
        self.restart_after_register = True
        call.ret()

    # ------------------------------------ registration race (test-reregister)
    def gate_registration(self, call):
        """FailRegistrations N: the next N calls of each Register* method
        fail with org.bluez.Error.Failed, and the calls after them are held
        (no answer) until RestartAnsweringHeld. Returns whether it took the
        call."""
        gate = getattr(self, 'reg_gate', None)
        if gate is None:
            return False
        left = gate['fail'].get(call.member, 0)
        if left > 0:
            gate['fail'][call.member] = left - 1
            self.stats['FailedRegistration'] += 1
            call.failed('Failed (FailRegistrations)')
        else:
            log('holding %s from %s', call.member, call.sender)
            gate['held'].append(call)
        return True

    def c_fail_registrations(self, call):
        self.reg_gate = {'fail': {m: call.arg(0) for m in REGISTER_METHODS}, 'held': []}
        call.ret()

    def c_get_held_registrations(self, call):
        gate = getattr(self, 'reg_gate', None)
        call.ret('as', [c.member for c in gate['held']] if gate is not None else [])

    def c_restart_answering_held(self, call):
        """bluetoothd restarts while it holds registrations, and their
        answers (the error named) reach the caller only after the new
        bluetoothd owns org.bluez and has its adapters: the old one gives
        up the name, the new one comes up, then the old one answers and
        leaves. The gate is off afterwards."""
        gate = getattr(self, 'reg_gate', None)
        if gate is None or not gate['held']:
            return call.err(CTRL_ERR + 'NothingHeld', 'No registration held')
        if self.restarting or self.stopped:
            return call.err(CTRL_ERR + 'InProgress', 'Restart in progress')
        self.reg_gate = None
        call.ret()
        old = self.bus
        for ad in self.adapters.values():
            self._drop_adapter_state(ad, release_ads=False)
        for ag in list(self.agents):
            self.agent_remove(ag, release=False)
        self.stats['Restart'] += 1
        self.adapters = collections.OrderedDict((n, Adapter(self, n)) for n in self.adapters)
        old.conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                           'ReleaseName', V('(s)', (BLUEZ,)), GLib.VariantType('(u)'),
                           Gio.DBusCallFlags.NONE, -1, None)
        self._bring_up()
        for held in gate['held']:
            held.err(call.arg(0), 'Answered after bluetoothd restarted (RestartAnsweringHeld)')
        old.close()

    def c_hold_object_tree(self, call):
        """True: GetManagedObjects on / is counted but not answered (a
        bluetoothd busy building the tree); False: every held call is
        answered with the tree as it is now."""
        if call.arg(0):
            if self.tree_held is None:
                self.tree_held = []
        else:
            held, self.tree_held = self.tree_held or [], None
            for c in held:
                c.ret_variant(V('(a{oa{sa{sv}}})', (self.bus.managed_objects(),)))
        call.ret()

    def c_set_adapter_delay(self, call):
        OPTS.adapter_delay_ms = call.arg(0)
        call.ret()

    def c_remove_adapter(self, call):
        name = call.arg(0)
        ad = self.adapters.get(name)
        if ad is None:
            return call.err(CTRL_ERR + 'NoSuchAdapter', 'No adapter %s' % name)
        self._drop_adapter_state(ad, release_ads=True)
        del self.adapters[name]
        for dev_path in [p for p in self.bus.objects if p.startswith(ad.path + '/')]:
            self.bus.unexport(dev_path)
        self.bus.unexport(ad.path)
        call.ret()

    def c_add_adapter(self, call):
        name = call.arg(0)
        if name in self.adapters:
            return call.err(CTRL_ERR + 'AlreadyExists', 'Adapter %s exists' % name)
        if not name or '/' in name:
            return call.err(CTRL_ERR + 'InvalidArguments', 'Bad adapter name')
        ad = Adapter(self, name)
        self.adapters[name] = ad
        self.bus.export(self._make_adapter_obj(ad))
        call.ret()

    # --------------------------------------------------------- agents
    def h_register_agent(self, call):
        sender = call.sender
        if any(a.owner == sender for a in self.agents):
            return call.already_exists()
        path, cap = call.arg(0), call.arg(1)
        if cap not in IO_CAPS:
            return call.invalid_args()
        ag = Agent(sender, path, IO_CAPS[cap])
        self.agents.append(ag)
        if not self.default_agents:
            self.default_agents.insert(0, ag)
        else:
            self.default_agents.append(ag)
        self.stats['RegisterAgent'] += 1
        call.ret()

    def _sender_agent(self, call):
        return next((a for a in self.agents if a.owner == call.sender), None)

    def h_unregister_agent(self, call):
        ag = self._sender_agent(call)
        if ag is None or ag.path != call.arg(0):
            return call.does_not_exist()
        self.agent_remove(ag, release=False)
        call.ret()

    def h_request_default_agent(self, call):
        ag = self._sender_agent(call)
        if ag is None or ag.path != call.arg(0):
            return call.does_not_exist()
        if ag in self.default_agents:
            self.default_agents.remove(ag)
        self.default_agents.insert(0, ag)
        call.ret()

    def agent_remove(self, ag, release):
        if ag in self.agents:
            self.agents.remove(ag)
        if ag in self.default_agents:
            self.default_agents.remove(ag)
        for ad in self.adapters.values():
            for dev in ad.devices.values():
                if dev.pairing and dev.pairing.get('agent') is ag:
                    self._pairing_cancel(dev, ERR + 'Failed')
        if release:
            self.stats['AgentRelease'] += 1
            self.bus.call_noreply(ag.owner, ag.path, AGENT_IFACE, 'Release')

    def c_get_agents(self, call):
        order = list(self.default_agents) + [a for a in self.agents if a not in self.default_agents]
        call.ret('a(sos)', [(a.owner, a.path, a.cap) for a in order])

    def c_get_default_agent(self, call):
        if not self.default_agents:
            return call.ret('so', '', '/')
        a = self.default_agents[0]
        call.ret('so', a.owner, a.path)

    def c_pair(self, call):
        dev = self._find_device(call, call.arg(0))
        if dev is None:
            return
        method = call.arg(1)
        if dev.pairing:
            return call.ret('bs', False, ERR + 'InProgress')
        if method == 'just-works':
            return self._pairing_done(dev, call, True, '', SEC_MEDIUM)
        known = ('confirm', 'passkey-display', 'passkey-request', 'pin', 'authorize', 'service')
        base = method.split(':', 1)[0]
        if base not in known or (':' in method and base != 'service'):
            return call.err(CTRL_ERR + 'InvalidArguments', 'Unknown pairing method %s' % method)
        if not self.default_agents:
            log('No agent available for request')
            return call.ret('bs', False, ERR + 'AgentNotAvailable')
        ag = self.default_agents[0]
        pk = OPTS.passkey
        token = {'agent': ag, 'call': call}
        dev.pairing = token
        level = SEC_MEDIUM if base in ('authorize', 'service') else SEC_HIGH

        def reply(r):
            if dev.pairing is not token:
                return  # canceled
            dev.pairing = None
            if r[0] == 'error':
                if r[1] == DBUS_ERR + 'NoReply':
                    self.stats['AgentCancel'] += 1
                    self.bus.call_noreply(ag.owner, ag.path, AGENT_IFACE, 'Cancel')
                return call.ret('bs', False, r[1])
            body = r[1]
            t = body.get_type_string() if body is not None else '()'
            if base == 'passkey-request':
                if t != '(u)':
                    return call.ret('bs', False, ERR + 'AuthenticationFailed')
                if body.unpack()[0] != pk:
                    return call.ret('bs', False, ERR + 'AuthenticationFailed')
            elif base == 'pin':
                if t != '(s)' or not (1 <= len(body.unpack()[0]) <= 16):
                    return call.ret('bs', False, ERR + 'AuthenticationFailed')
            self._pairing_done(dev, call, True, '', level)

        self.stats['AgentRequest'] += 1
        if base == 'confirm':
            self.bus.call(ag.owner, ag.path, AGENT_IFACE, 'RequestConfirmation',
                          V('(ou)', (dev.path, pk)), reply, OPTS.agent_timeout_ms)
        elif base == 'passkey-request':
            self.bus.call(ag.owner, ag.path, AGENT_IFACE, 'RequestPasskey',
                          V('(o)', (dev.path,)), reply, OPTS.agent_timeout_ms)
        elif base == 'pin':
            self.bus.call(ag.owner, ag.path, AGENT_IFACE, 'RequestPinCode',
                          V('(o)', (dev.path,)), reply, OPTS.agent_timeout_ms)
        elif base == 'authorize':
            self.bus.call(ag.owner, ag.path, AGENT_IFACE, 'RequestAuthorization',
                          V('(o)', (dev.path,)), reply, OPTS.agent_timeout_ms)
        elif base == 'service':
            uuid = method.split(':', 1)[1] if ':' in method else uuid16(0x1801).string128()
            self.bus.call(ag.owner, ag.path, AGENT_IFACE, 'AuthorizeService',
                          V('(os)', (dev.path, uuid)), reply, OPTS.agent_timeout_ms)
        elif base == 'passkey-display':
            for entered in range(0, 7):
                self.bus.call_noreply(ag.owner, ag.path, AGENT_IFACE, 'DisplayPasskey',
                                      V('(ouq)', (dev.path, pk, entered)))
            dev.pairing = None
            self._pairing_done(dev, call, True, '', SEC_HIGH)

    def _pairing_done(self, dev, call, ok, err, level):
        if ok:
            changed = []
            if not dev.paired:
                dev.paired = True
                changed.append('Paired')
            if not dev.bonded:
                dev.bonded = True
                changed.append('Bonded')
            dev.security = max(dev.security, level)
            if changed:
                self.bus.props_changed(dev.path, DEVICE_IFACE, changed)
        call.ret('bs', ok, err)

    def _pairing_cancel(self, dev, err):
        token = dev.pairing
        if not token:
            return
        dev.pairing = None
        ag = token['agent']
        if ag is not None:
            self.stats['AgentCancel'] += 1
            self.bus.call_noreply(ag.owner, ag.path, AGENT_IFACE, 'Cancel')
        token['call'].ret('bs', False, err)

    def c_cancel_pairing(self, call):
        dev = self._find_device(call, call.arg(0))
        if dev is None:
            return
        if not dev.pairing:
            return call.err(CTRL_ERR + 'NothingPending', 'No pairing in progress')
        self._pairing_cancel(dev, ERR + 'Canceled')
        call.ret()

    # ------------------------------------------------------- advertising
    def h_register_adv(self, ad, call):
        path = call.arg(0)
        if any(a.owner == call.sender and a.path == path for a in ad.ads):
            return call.already_exists()
        used = set(a.instance for a in ad.ads)
        inst = next((i for i in range(1, MAX_ADV_INSTANCES + 1) if i not in used), 0)
        if not inst:
            return call.err(ERR + 'NotPermitted', 'Maximum advertisements reached')
        adv = Adv(ad, call.sender, path, call, inst)
        ad.ads.append(adv)
        self.stats['RegisterAdvertisement'] += 1
        if self.stats['BluezGetManagedObjects'] > 0:
            self.stats['RegisteredAfterTreeRead'] += 1

        def got_all(r):
            if adv.removed:
                return
            props = collections.OrderedDict()
            if r[0] == 'ok' and r[1] is not None and r[1].get_type_string() == '(a{sv})':
                props = collections.OrderedDict(dict_entries(r[1].get_child_value(0)))
            self._adv_parse(adv, props)

        def got_objects(r):
            if adv.removed:
                return
            if r[0] == 'ok' and r[1] is not None and r[1].get_type_string() == '(a{oa{sa{sv}}})':
                for opath, ifs in dict_entries(r[1].get_child_value(0)):
                    if opath != path:
                        continue
                    for iname, props in dict_entries(ifs):
                        if iname == ADV_IFACE:
                            return self._adv_parse(adv, collections.OrderedDict(dict_entries(props)))
            self.bus.call(adv.owner, path, PROPS_IFACE, 'GetAll', V('(s)', (ADV_IFACE,)), got_all, 25000)
        self.bus.call(adv.owner, path, OM_IFACE, 'GetManagedObjects', None, got_objects, 25000)

    def h_unregister_adv(self, ad, call):
        adv = next((a for a in ad.ads if a.owner == call.sender and a.path == call.arg(0)), None)
        if adv is None:
            return call.does_not_exist()
        self.adv_remove(adv, release=False)
        call.ret()

    def adv_remove(self, adv, release=False):
        if adv.removed:
            return
        adv.removed = True
        adv.stop_timers()
        if release:
            self.stats['AdvertisementRelease'] += 1
            self.bus.call_noreply(adv.owner, adv.path, ADV_IFACE, 'Release')
        if adv in adv.adapter.ads:
            adv.adapter.ads.remove(adv)
        if adv.reg is not None:
            adv.reg.failed('Failed to complete registration')
            adv.reg = None
        self.bus.props_changed(adv.adapter.path, ADV_MGR_IFACE, ['SupportedInstances', 'ActiveInstances'])

    def _adv_parse(self, adv, props):
        call = adv.reg
        for name, parser in ADV_PARSERS:
            if name not in props:
                continue
            if not parser(self, adv, props[name]):
                log('Error parsing %s property', name)
                return self._adv_fail(adv, 'Failed to parse advertisement.')
        if adv.has_flags():
            if adv.type == 'broadcast':
                log('Broadcast cannot set flags')
                return self._adv_fail(adv, 'Failed to parse advertisement.')
            if adv.disc_to_id and not adv.set_flags(AD_FLAG_LIMITED):
                return self._adv_fail(adv, 'Failed to parse advertisement.')
        elif adv.disc_to_id:
            GLib.source_remove(adv.disc_to_id)
            adv.disc_to_id = 0
            adv.discoverable_to = 0
        if adv.timeout and adv.timeout < adv.discoverable_to:
            return self._adv_fail(adv, 'Failed to parse advertisement.')
        if adv.min_interval > adv.max_interval:
            return self._adv_fail(adv, 'Failed to parse advertisement.')
        err = self._adv_refresh(adv)
        if err == 'parse':
            return self._adv_fail(adv, 'Failed to parse advertisement.')
        if err == 'register':
            return self._adv_fail(adv, 'Failed to register advertisement')
        adv.registered = True
        adv.reg = None
        call.ret()
        self.bus.props_changed(adv.adapter.path, ADV_MGR_IFACE, ['SupportedInstances', 'ActiveInstances'])

    def _adv_fail(self, adv, text):
        call = adv.reg
        adv.reg = None
        self.adv_remove(adv)
        call.failed(text)

    def _adv_refresh(self, adv):
        """refresh_legacy_adv()/refresh_extended_adv(): None, 'parse' or 'register'."""
        ad = adv.adapter
        flags = adv.get_adv_flags()
        if adv.appearance_flag(flags):
            adv.data['appearance'] = adv.appearance if adv.appearance != 0xFFFF else 0
        if flags & MGMT_ADV_FLAG_CONNECTABLE and flags & MGMT_ADV_FLAG_SEC_MASK and adv.name:
            flags &= ~MGMT_ADV_FLAG_LOCAL_NAME
            adv.data['name'] = adv.name
        adv_data = ad_generate(adv.data)
        if OPTS.adv_mgmt == 'legacy':
            if adv_data is None or len(adv_data) > calc_max_adv_len(flags):
                log('Advertising data too long or couldn\'t be generated.')
                return 'parse'
        else:
            if adv_data is None or len(adv_data) > kernel_max_len(ad, flags, True):
                return 'register'
        scan = b''
        if OPTS.adv_mgmt == 'legacy' or adv_has_scan_response(adv, flags):
            if adv.name:
                flags &= ~MGMT_ADV_FLAG_LOCAL_NAME
                scan = ad_generate({'name': adv.name}) or b''
        if OPTS.adv_mgmt == 'extended' and len(scan) > kernel_max_len(ad, flags, False):
            return 'register'
        # what the kernel then validates and puts on air
        if len(adv_data) > kernel_max_len(ad, flags, True) or len(scan) > kernel_max_len(ad, flags, False):
            return 'register'
        adv.mgmt_flags = flags
        adv.adv_data, adv.scan_rsp = kernel_air_data(ad, adv, flags, adv_data, scan)
        return None

    def adv_refresh_all(self, ad):
        for adv in ad.ads:
            if adv.registered:
                self._adv_refresh(adv)

    def adv_props_changed(self, adv, changed, invalidated):
        items = [(k, v) for k, v in changed] + [(k, None) for k in invalidated]
        self.stats['AdvPropertiesChanged'] += 1
        for name, value in items:
            for pname, parser in ADV_PARSERS:
                if pname == name:
                    if parser(self, adv, value):
                        self._adv_refresh(adv)
                    break

    def c_get_advertisements(self, call):
        out = []
        for ad in self.adapters.values():
            for a in ad.ads:
                if not a.registered:
                    continue
                d = {
                    'path': V('o', a.path), 'owner': V('s', a.owner), 'adapter': V('o', ad.path),
                    'instance': V('y', a.instance), 'type': V('s', a.type),
                    'connectable': V('b', a.type == 'peripheral'),
                    'service-uuids': V('as', [u.string128() for u in a.data['uuids']]),
                    'solicit-uuids': V('as', [u.string128() for u in a.data['solicit']]),
                    'manufacturer-data': V('a{qay}', collections.OrderedDict(
                        (k, bytes(v)) for k, v in a.data['manuf'])),
                    'service-data': V('a{say}', collections.OrderedDict(
                        (u.string128(), bytes(v)) for u, v in a.data['sdata'])),
                    'data': V('a{yay}', collections.OrderedDict(
                        (t, bytes(v)) for t, v in a.data['data'] if t != AD_TYPE_FLAGS)),
                    'includes': V('as', [n for f, n in ADV_INCLUDES if a.flags & f]),
                    'discoverable': V('b', a.has_flags()),
                    'duration': V('q', a.duration), 'timeout': V('q', a.timeout),
                    'discoverable-timeout': V('q', a.discoverable_to),
                    'mgmt-flags': V('u', a.mgmt_flags),
                    'adv-data': V('ay', a.adv_data), 'scan-rsp': V('ay', a.scan_rsp),
                }
                if a.name:
                    d['local-name'] = V('s', a.name)
                if a.appearance != 0xFFFF:
                    d['appearance'] = V('q', a.appearance)
                for f, n in ADV_SECONDARY:
                    if a.flags & f:
                        d['secondary-channel'] = V('s', n)
                if adv_exp_params():
                    d['min-interval'] = V('u', a.min_interval)
                    d['max-interval'] = V('u', a.max_interval)
                    if a.tx_power != TX_POWER_NO_PREFERENCE:
                        d['tx-power'] = V('n', a.tx_power)
                out.append(d)
        call.ret('aa{sv}', out)

    def c_add_remote_peripheral(self, call):
        """A peripheral seen by adapter (for centrals such as `gattperiph
        clone`): a Device1 with advertised data, and once Connect()ed its
        GATT database as the GattService1/GattCharacteristic1/
        GattDescriptor1 objects of bluetoothd's client side. The JSON spec:
        {"name", "appearance", "uuids": [...], "manufacturer-data":
        {"<id>": "<hex>"}, "service-data": {"<uuid>": "<hex>"}, "services":
        [{"uuid", "primary", "includes": [<index of a service>],
        "characteristics": [{"uuid", "flags": [...],
        "value": "<hex>", "descriptors": [{"uuid", "value"}]}]}]}.
        Handles are numbered from 0x0010 in order, as in object paths."""
        import json
        ad = self.adapters.get(call.arg(0))
        if ad is None:
            return call.err(CTRL_ERR + 'NoSuchAdapter', 'No adapter %s' % call.arg(0))
        try:
            spec = json.loads(call.arg(2))
        except ValueError as e:
            return call.err(CTRL_ERR + 'InvalidArguments', str(e))
        path = ad.path + '/dev_' + call.arg(1).upper().replace(':', '_')
        state = {'connected': False}
        gatt_objs = []

        def export_gatt():
            for o in gatt_objs:
                self.bus.export(o)
            return GLib.SOURCE_REMOVE

        def connect(c):
            if not state['connected']:
                state['connected'] = True
                if spec.get('services-late'):
                    # As bluetoothd 5.82 may: ServicesResolved flushed
                    # before the services' InterfacesAdded.
                    self.bus.props_changed(path, DEVICE_IFACE, ['Connected', 'ServicesResolved'])
                    GLib.timeout_add(200, export_gatt)
                else:
                    export_gatt()
                    self.bus.props_changed(path, DEVICE_IFACE, ['Connected', 'ServicesResolved'])
            c.ret()

        def disconnect(c):
            if state['connected']:
                state['connected'] = False
                for o in reversed(gatt_objs):
                    self.bus.unexport(o.path)
                self.bus.props_changed(path, DEVICE_IFACE, ['Connected', 'ServicesResolved'])
            c.ret()

        def bytes_of(hexstr):
            return list(bytes.fromhex(hexstr or ''))

        dev = Obj(path)
        dev.add(Interface(DEVICE_IFACE, methods=[
            Method('Connect', '', '', connect),
            Method('Disconnect', '', '', disconnect),
        ], props=[
            Prop('Address', 's', lambda: call.arg(1).upper()),
            Prop('AddressType', 's', lambda: 'public'),
            Prop('Name', 's', lambda: spec.get('name'), exists=lambda: 'name' in spec),
            Prop('Alias', 's', lambda: spec.get('name', call.arg(1))),
            Prop('Appearance', 'q', lambda: spec.get('appearance', 0), exists=lambda: 'appearance' in spec),
            Prop('UUIDs', 'as', lambda: spec.get('uuids', [])),
            Prop('ManufacturerData', 'a{qv}',
                 lambda: {int(k): GLib.Variant('ay', bytes(bytes_of(v)))
                          for k, v in spec.get('manufacturer-data', {}).items()},
                 exists=lambda: 'manufacturer-data' in spec),
            Prop('ServiceData', 'a{sv}',
                 lambda: {k: GLib.Variant('ay', bytes(bytes_of(v)))
                          for k, v in spec.get('service-data', {}).items()},
                 exists=lambda: 'service-data' in spec),
            Prop('Adapter', 'o', lambda: ad.path),
            Prop('Paired', 'b', lambda: False),
            Prop('Connected', 'b', lambda: state['connected']),
            Prop('ServicesResolved', 'b', lambda: state['connected']),
        ]))

        def reader(value):
            return lambda c: c.ret('ay', bytes(bytes_of(value)))

        handle = 0x0010
        svc_paths = []   # "includes": indexes into "services"
        for svc in spec.get('services', []):
            spath = '%s/service%04x' % (path, handle)
            svc_paths.append(spath)
            handle += 1
            so = Obj(spath)
            so.add(Interface(SERVICE_IFACE, props=[
                Prop('UUID', 's', lambda u=svc['uuid']: u),
                Prop('Primary', 'b', lambda p=svc.get('primary', True): p),
                Prop('Device', 'o', lambda: path),
                Prop('Includes', 'ao', lambda inc=svc.get('includes', []): [svc_paths[i] for i in inc]),
                Prop('Handle', 'q', lambda h=handle - 1: h),
            ]))
            gatt_objs.append(so)
            for ch in svc.get('characteristics', []):
                cpath = '%s/char%04x' % (spath, handle)
                handle += 2
                co = Obj(cpath)
                co.add(Interface(CHRC_IFACE, methods=[
                    Method('ReadValue', 'a{sv}', 'ay', reader(ch.get('value'))),
                ], props=[
                    Prop('UUID', 's', lambda u=ch['uuid']: u),
                    Prop('Service', 'o', lambda p=spath: p),
                    Prop('Flags', 'as', lambda f=ch.get('flags', []): f),
                    Prop('Handle', 'q', lambda h=handle - 1: h),
                ]))
                gatt_objs.append(co)
                for d in ch.get('descriptors', []):
                    do = Obj('%s/desc%04x' % (cpath, handle))
                    handle += 1
                    do.add(Interface(DESC_IFACE, methods=[
                        Method('ReadValue', 'a{sv}', 'ay', reader(d.get('value'))),
                    ], props=[
                        Prop('UUID', 's', lambda u=d['uuid']: u),
                        Prop('Characteristic', 'o', lambda p=cpath: p),
                        Prop('Handle', 'q', lambda h=handle - 1: h),
                    ]))
                    gatt_objs.append(do)
        self.bus.export(dev)
        call.ret('o', path)

    def c_expire_adv(self, call):
        """Fire the Timeout of an advertisement now (Release + removal)."""
        for ad in self.adapters.values():
            for a in ad.ads:
                if a.path == call.arg(0) and a.registered:
                    self.adv_timeout(a)
                    return call.ret()
        call.err(CTRL_ERR + 'NoSuchAdvertisement', 'No such advertisement')

    def adv_timeout(self, adv):
        adv.to_id = 0
        self.adv_remove(adv, release=True)
        return False

    def adv_discoverable_timeout(self, adv):
        adv.disc_to_id = 0
        adv.clear_flags()
        if adv.registered:
            self._adv_refresh(adv)
        return False


class Agent:
    def __init__(self, owner, path, cap):
        self.owner = owner
        self.path = path
        self.cap = cap


# --------------------------------------------------------------------------
# Advertising (src/advertising.c + src/shared/ad.c of 5.66)
# --------------------------------------------------------------------------

ADV_INCLUDES = [(MGMT_ADV_FLAG_TX_POWER, 'tx-power'), (MGMT_ADV_FLAG_APPEARANCE, 'appearance'),
                (MGMT_ADV_FLAG_LOCAL_NAME, 'local-name')]
ADV_SECONDARY = [(MGMT_ADV_FLAG_SEC_1M, '1M'), (MGMT_ADV_FLAG_SEC_2M, '2M'),
                 (MGMT_ADV_FLAG_SEC_CODED, 'Coded')]


def new_bt_ad():
    return {'uuids': [], 'solicit': [], 'manuf': [], 'sdata': [], 'name': None,
            'appearance': 0xFFFF, 'data': []}


class Adv:
    def __init__(self, adapter, owner, path, call, instance):
        self.adapter = adapter
        self.owner = owner
        self.path = path
        self.reg = call
        self.instance = instance
        self.type = 'broadcast'  # zero-initialised AD_TYPE_BROADCAST
        self.flags = 0
        self.name = None
        self.appearance = 0xFFFF
        self.duration = 0
        self.timeout = 0
        self.to_id = 0
        self.discoverable_to = 0
        self.disc_to_id = 0
        self.min_interval = 0
        self.max_interval = 0
        self.tx_power = TX_POWER_NO_PREFERENCE
        self.data = new_bt_ad()
        self.adv_data = b''
        self.scan_rsp = b''
        self.mgmt_flags = 0
        self.registered = False
        self.removed = False

    def stop_timers(self):
        for t in ('to_id', 'disc_to_id'):
            if getattr(self, t):
                GLib.source_remove(getattr(self, t))
                setattr(self, t, 0)

    def has_flags(self):
        return any(t == AD_TYPE_FLAGS for t, v in self.data['data'])

    def clear_flags(self):
        self.data['data'] = [(t, v) for t, v in self.data['data'] if t != AD_TYPE_FLAGS]

    def set_flags(self, f):
        if not f:
            self.clear_flags()
            return True
        f |= AD_FLAG_NO_BREDR  # LE-only adapter
        if f & 0xE0:
            return False
        return ad_replace_data(self.data, AD_TYPE_FLAGS, bytes([f]))

    def get_adv_flags(self):
        flags = 0
        if self.type == 'peripheral':
            flags = MGMT_ADV_FLAG_CONNECTABLE
            if self.adapter.discoverable and not self.has_flags():
                flags |= MGMT_ADV_FLAG_DISCOV
        flags |= self.flags
        # 5.76 (ea242fbf8): data longer than legacy forces extended PDUs
        if (bluez_at_least(5, 76) and ad_length(self.data) > AD_MAX_LEN
                and not flags & MGMT_ADV_FLAG_SEC_MASK):
            flags |= MGMT_ADV_FLAG_SEC_1M
        return flags

    def appearance_flag(self, flags):
        return bool(flags & MGMT_ADV_FLAG_APPEARANCE) or self.appearance != 0xFFFF


def ad_replace_data(ad, type_, data):
    for i, (t, v) in enumerate(ad['data']):
        if t == type_:
            if v == data:
                return False
            ad['data'][i] = (t, data)
            return True
    ad['data'].append((type_, data))
    return True


def _uuid_list_length(uuids):
    n = sum(u.length for u in uuids)
    n += 2 * len(set(u.size for u in uuids))
    return n


def ad_max_len():
    """The bt_ad max_len: 31 in 5.66, the manager's max_adv_len from 5.69
    (bt_ad_set_max_len())."""
    return OPTS.max_adv_len if bluez_at_least(5, 69) else AD_MAX_LEN


def ad_length(ad):
    """bt_ad_length(): the data as it stands, without the cap."""
    return len(ad_generate(ad, 255) or b'')


def ad_generate(ad, max_len=None):
    """bt_ad_generate(): bytes, or None if longer than max_len (ad_max_len())."""
    cap = ad_max_len() if max_len is None else max_len
    length = _uuid_list_length(ad.get('uuids', [])) + _uuid_list_length(ad.get('solicit', []))
    length += sum(4 + len(v) for k, v in ad.get('manuf', []))
    length += sum(2 + u.length + len(v) for u, v in ad.get('sdata', []))
    name = ad.get('name')
    if name:
        nb = name.encode('utf-8')
        nl = 2 + len(nb)
        if length <= cap and nl > cap - length:
            nl = cap - length
        length += nl
    if ad.get('appearance', 0xFFFF) != 0xFFFF:
        length += 4
    length += sum(2 + len(v) for t, v in ad.get('data', []))
    if length > cap:
        return None
    out = bytearray()
    for lst, types in ((ad.get('uuids', []), {16: 0x03, 32: 0x05, 128: 0x07}),
                       (ad.get('solicit', []), {16: 0x14, 32: 0x1F, 128: 0x15})):
        for size in (16, 32, 128):
            us = [u for u in lst if u.size == size]
            if us:
                body = b''.join(u.le_bytes() for u in us)
                out += bytes([len(body) + 1, types[size]]) + body
    for mid, v in ad.get('manuf', []):
        out += bytes([len(v) + 3, 0xFF]) + struct.pack('<H', mid) + v
    for u, v in ad.get('sdata', []):
        out += bytes([u.length + len(v) + 1, {2: 0x16, 4: 0x20, 16: 0x21}[u.length]]) + u.le_bytes() + v
    if name:
        nb = name.encode('utf-8')
        t = 0x09
        if len(nb) > cap - (len(out) + 2):
            t = 0x08
            nb = nb[:cap - (len(out) + 2)]
        out += bytes([len(nb) + 1, t]) + nb
    if ad.get('appearance', 0xFFFF) != 0xFFFF:
        out += bytes([3, 0x19]) + struct.pack('<H', ad['appearance'])
    for t, v in ad.get('data', []):
        out += bytes([len(v) + 1, t]) + v
    return bytes(out)


def calc_max_adv_len(flags):
    m = OPTS.max_adv_len
    if flags & MGMT_ADV_FLAG_TX_POWER:
        m -= 3
    if flags & (MGMT_ADV_FLAG_DISCOV | MGMT_ADV_FLAG_LIMITED_DISCOV | MGMT_ADV_FLAG_MANAGED_FLAGS):
        m -= 3
    if flags & MGMT_ADV_FLAG_APPEARANCE:
        m -= 4
    return m


def _kernel_name_ad(ad):
    nb = ad.alias.encode('utf-8')
    if len(nb) <= 10:
        return bytes([len(nb) + 1, 0x09]) + nb
    return bytes([11, 0x08]) + nb[:10]


def kernel_max_len(ad, flags, is_adv):
    """tlv_data_max_len() of the kernel's MGMT."""
    m = OPTS.max_adv_len
    if is_adv:
        if flags & (MGMT_ADV_FLAG_DISCOV | MGMT_ADV_FLAG_LIMITED_DISCOV | MGMT_ADV_FLAG_MANAGED_FLAGS):
            m -= 3
        if flags & MGMT_ADV_FLAG_TX_POWER:
            m -= 3
    else:
        if flags & MGMT_ADV_FLAG_LOCAL_NAME:
            m -= len(_kernel_name_ad(ad))
        if flags & MGMT_ADV_FLAG_APPEARANCE:
            m -= 4
    return m


def adv_has_scan_response(adv, flags):
    if not flags & MGMT_ADV_FLAG_LOCAL_NAME and not adv.name:
        return False
    if flags & MGMT_ADV_FLAG_CONNECTABLE and flags & MGMT_ADV_FLAG_SEC_MASK:
        return False
    return True


def kernel_air_data(ad, adv, flags, adv_data, scan):
    """Approximation of what the kernel puts on air for this instance."""
    air = bytearray()
    if not adv.has_flags():
        f = AD_FLAG_NO_BREDR
        if flags & MGMT_ADV_FLAG_DISCOV:
            f |= AD_FLAG_GENERAL
        if flags & MGMT_ADV_FLAG_LIMITED_DISCOV:
            f |= AD_FLAG_LIMITED
        air += bytes([2, AD_TYPE_FLAGS, f])
    air += adv_data
    if flags & MGMT_ADV_FLAG_TX_POWER:
        air += bytes([2, 0x0A, 0])
    rsp = bytearray()
    if flags & MGMT_ADV_FLAG_APPEARANCE:
        rsp += bytes([3, 0x19]) + struct.pack('<H', ad.cls & 0x1FFF)
    rsp += scan
    if flags & MGMT_ADV_FLAG_LOCAL_NAME:
        rsp += _kernel_name_ad(ad)
    return bytes(air), bytes(rsp)


def _p_type(d, adv, v):
    if v is None:
        return True
    if v.get_type_string() != 's' or v.unpack() not in ('broadcast', 'peripheral'):
        return False
    adv.type = v.unpack()
    return True


def _p_uuid_list(key):
    def parse(d, adv, v):
        adv.data[key] = []
        if v is None:
            return True
        if not v.get_type_string().startswith('a'):
            return False
        if v.get_type_string() != 'as':
            return True
        for s in v.unpack():
            u = parse_uuid_string(s)
            if u is None:
                adv.data[key] = []
                return False
            adv.data[key].append(u)
        return True
    return parse


def _p_manuf(d, adv, v):
    adv.data['manuf'] = []
    if v is None:
        return True
    if not v.get_type_string().startswith('a'):
        return False
    if v.n_children() == 0:
        return True
    if v.get_type_string() != 'a{qv}':
        adv.data['manuf'] = []
        return False
    for k, val in dict_entries(v):
        data = variant_bytes(val)
        if data is None or len(data) > ad_max_len() - 4:
            adv.data['manuf'] = []
            return False
        for i, (mid, old) in enumerate(adv.data['manuf']):
            if mid == k:
                if old == data:
                    adv.data['manuf'] = []
                    return False
                adv.data['manuf'][i] = (k, data)
                break
        else:
            adv.data['manuf'].append((k, data))
    return True


def _p_sdata(d, adv, v):
    adv.data['sdata'] = []
    if v is None:
        return True
    if not v.get_type_string().startswith('a'):
        return False
    if v.n_children() == 0:
        return True
    if v.get_type_string() != 'a{sv}':
        return False
    for k, val in dict_entries(v):
        u = parse_uuid_string(k)
        data = variant_bytes(val)
        if u is None or data is None or len(data) > ad_max_len() - 2 - u.length:
            adv.data['sdata'] = []
            return False
        for i, (ou, old) in enumerate(adv.data['sdata']):
            if ou == u:
                if old == data:
                    adv.data['sdata'] = []
                    return False
                adv.data['sdata'][i] = (u, data)
                break
        else:
            adv.data['sdata'].append((u, data))
    return True


def _p_includes(d, adv, v):
    if v is None:
        adv.flags = 0
        return True
    if not v.get_type_string().startswith('a'):
        return False
    adv.flags = 0
    if v.get_type_string() == 'as':
        for s in v.unpack():
            for f, n in ADV_INCLUDES:
                if s == n:
                    adv.flags |= f
    return True


def _p_local_name(d, adv, v):
    if v is None:
        adv.name = None
        return True
    if v.get_type_string() != 's':
        return False
    if adv.flags & MGMT_ADV_FLAG_LOCAL_NAME:
        log('Local name already included')
        return False
    adv.name = v.unpack() or None
    return True


def _p_appearance(d, adv, v):
    if v is None:
        adv.appearance = 0
        return True
    if v.get_type_string() != 'q':
        return False
    if adv.flags & MGMT_ADV_FLAG_APPEARANCE:
        log('Appearance already included')
        return False
    adv.appearance = v.unpack()
    return True


def _p_duration(d, adv, v):
    if v is None:
        adv.duration = 0
        return True
    if v.get_type_string() != 'q':
        return False
    adv.duration = v.unpack()
    return True


def _p_timeout(d, adv, v):
    if v is None:
        adv.timeout = 0
        if adv.to_id:
            GLib.source_remove(adv.to_id)
            adv.to_id = 0
        return True
    if v.get_type_string() != 'q':
        return False
    adv.timeout = v.unpack()
    if adv.to_id:
        GLib.source_remove(adv.to_id)
        adv.to_id = 0
    if adv.timeout > 0:
        adv.to_id = GLib.timeout_add_seconds(adv.timeout, d.adv_timeout, adv)
    return True


def _p_data(d, adv, v):
    adv.data['data'] = []
    if v is None:
        return True
    if not v.get_type_string().startswith('a'):
        return False
    if v.n_children() == 0:
        return True
    if v.get_type_string() != 'a{yv}':
        return False
    for t, val in dict_entries(v):
        data = variant_bytes(val)
        if data is None or len(data) > ad_max_len() - 2 or t in AD_TYPE_REJECT:
            adv.data['data'] = []
            return False
        if not ad_replace_data(adv.data, t, data):
            adv.data['data'] = []
            return False
    return True


def _p_discoverable(d, adv, v):
    if v is None:
        adv.clear_flags()
        return True
    if v.get_type_string() != 'b':
        return False
    if not adv.set_flags(AD_FLAG_GENERAL if v.unpack() else 0):
        adv.clear_flags()
        return False
    return True


def _p_disc_timeout(d, adv, v):
    if v is None:
        adv.discoverable_to = 0
        if adv.disc_to_id:
            GLib.source_remove(adv.disc_to_id)
            adv.disc_to_id = 0
        return True
    if v.get_type_string() != 'q':
        return False
    adv.discoverable_to = v.unpack()
    if adv.disc_to_id:
        GLib.source_remove(adv.disc_to_id)
    adv.disc_to_id = GLib.timeout_add_seconds(adv.discoverable_to, d.adv_discoverable_timeout, adv)
    return True


def _p_secondary(d, adv, v):
    adv.flags &= ~MGMT_ADV_FLAG_SEC_MASK
    if v is None:
        return True
    if v.get_type_string() != 's':
        return False
    for f, n in ADV_SECONDARY:
        if v.unpack() == n:
            if OPTS.adv_mgmt != 'extended':
                return False  # not in the manager's supported_flags
            adv.flags |= f
            return True
    return False


def _p_interval(attr):
    def parse(d, adv, v):
        if not adv_exp_params():
            return True
        if v is None:
            setattr(adv, attr, 0)
            return False
        if v.get_type_string() != 'u':
            return False
        val = int(v.unpack() / 0.625) & 0xFFFFFFFF
        if val < 0x20 or val > 0xFFFFFF:
            setattr(adv, attr, 0)
            return False
        setattr(adv, attr, val)
        return True
    return parse


def _p_tx_power(d, adv, v):
    if not adv_exp_params():
        return True
    if v is None:
        adv.tx_power = TX_POWER_NO_PREFERENCE
        return False
    if v.get_type_string() != 'n':
        return False
    val = v.unpack()
    if val < -127 or val > 20:
        return False
    adv.tx_power = val
    return True


ADV_PARSERS = [
    ('Type', _p_type), ('ServiceUUIDs', _p_uuid_list('uuids')),
    ('SolicitUUIDs', _p_uuid_list('solicit')), ('ManufacturerData', _p_manuf),
    ('ServiceData', _p_sdata), ('Includes', _p_includes), ('LocalName', _p_local_name),
    ('Appearance', _p_appearance), ('Duration', _p_duration), ('Timeout', _p_timeout),
    ('Data', _p_data), ('Discoverable', _p_discoverable),
    ('DiscoverableTimeout', _p_disc_timeout), ('SecondaryChannel', _p_secondary),
    ('MinInterval', _p_interval('min_interval')), ('MaxInterval', _p_interval('max_interval')),
    ('TxPower', _p_tx_power),
]


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def main(argv=None):
    global VERBOSE
    ap = argparse.ArgumentParser(description='Fake bluetoothd (5.66 or 5.82) for tests')
    ap.add_argument('--bus', default=os.environ.get('DBUS_SESSION_BUS_ADDRESS'),
                    help='D-Bus address (default: $DBUS_SESSION_BUS_ADDRESS)')
    ap.add_argument('--adapters', default='hci0', help='comma separated adapter names')
    ap.add_argument('--att-timeout-ms', type=int, default=5000,
                    help='ATT deadline for app replies (bluetoothd: 5000)')
    ap.add_argument('--agent-timeout-ms', type=int, default=60000)
    ap.add_argument('--indication-timeout-ms', type=int, default=30000,
                    help='unconfirmed indication disconnects the device after this')
    ap.add_argument('--experimental', action='store_true', help='behave like bluetoothd -E')
    ap.add_argument('--adv-mgmt', choices=('legacy', 'extended'), default='legacy',
                    help='which MGMT advertising path to emulate')
    ap.add_argument('--max-adv-len', type=int, default=31,
                    help='the controller\'s advertising data limit (MaxAdvLen; 31, or up to 251 '
                    'with extended advertising)')
    ap.add_argument('--bluez', choices=BLUEZ_VERSIONS,
                    default=os.environ.get('FAKEBLUEZ_BLUEZ') or BLUEZ_VERSIONS[0],
                    help='behave like this bluetoothd (default: $FAKEBLUEZ_BLUEZ or 5.66)')
    ap.add_argument('--passkey', type=int, default=123456)
    ap.add_argument('--exit-on-stdin-eof', action='store_true')
    ap.add_argument('--verbose', action='store_true')
    args = ap.parse_args(argv)
    VERBOSE = args.verbose
    if not args.bus:
        sys.stderr.write('fakebluez: no bus address (--bus or DBUS_SESSION_BUS_ADDRESS)\n')
        return 2
    OPTS.att_timeout_ms = max(1, args.att_timeout_ms)
    OPTS.agent_timeout_ms = max(1, args.agent_timeout_ms)
    OPTS.ind_timeout_ms = max(1, args.indication_timeout_ms)
    OPTS.experimental = args.experimental
    OPTS.bluez = tuple(int(x) for x in args.bluez.split('.'))
    OPTS.adv_mgmt = args.adv_mgmt
    OPTS.max_adv_len = min(max(args.max_adv_len, AD_MAX_LEN), 251)
    OPTS.passkey = args.passkey % 1000000
    names = [n.strip() for n in args.adapters.split(',') if n.strip()]
    loop = GLib.MainLoop()
    daemon = Daemon(args.bus, names, loop)
    try:
        daemon.start()
    except (GLib.Error, RuntimeError) as e:
        sys.stderr.write('fakebluez: cannot start: %s\n' % (getattr(e, 'message', None) or e,))
        return 1

    def quit_(*a):
        loop.quit()
        return False
    GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGTERM, quit_)
    GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGINT, quit_)
    if args.exit_on_stdin_eof:
        def on_stdin(fd, cond):
            try:
                data = os.read(0, 4096)
            except OSError:
                data = b''
            if not data:
                loop.quit()
                return False
            return True
        GLib.unix_fd_add_full(GLib.PRIORITY_DEFAULT, 0, GLib.IOCondition.IN | GLib.IOCondition.HUP, on_stdin)
    sys.stdout.write('READY\n')
    sys.stdout.flush()
    loop.run()
    daemon.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    # skip interpreter finalization: GDBus worker threads may still call
    # into Python (message filters) while it is being torn down.
    os._exit(0)


if __name__ == '__main__':
    sys.exit(main())
