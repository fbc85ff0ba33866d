# SPDX-License-Identifier: LGPL-2.1-or-later
"""Tests of the fake bluetoothd itself (run: /usr/bin/python3 -m pytest)."""

import collections
import os
import select
import socket
import subprocess
import sys
import time

import pytest

import gi
gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, 'fakebluez.py')
PYTHON = '/usr/bin/python3' if os.path.exists('/usr/bin/python3') else sys.executable

CTRL_PATH = '/org/gattperiph/FakeBlueZ'
CTRL_IFACE = 'org.gattperiph.FakeBlueZ1'
ERR = 'org.bluez.Error.'


def V(s, v):
    return GLib.Variant(s, v)


def full(u16):
    return '0000%04x-0000-1000-8000-00805f9b34fb' % u16


class DBusErr(Exception):
    def __init__(self, name, text=''):
        Exception.__init__(self, name)
        self.name = name
        self.text = text


class Held:
    """Marker: the handler keeps the invocation (replies later or never)."""


HOLD = Held()

IFACE_XML = {
    'org.bluez.GattService1': '''<interface name="org.bluez.GattService1"></interface>''',
    'org.bluez.GattCharacteristic1': '''<interface name="org.bluez.GattCharacteristic1">
      <method name="ReadValue"><arg type="a{sv}" direction="in"/><arg type="ay" direction="out"/></method>
      <method name="WriteValue"><arg type="ay" direction="in"/><arg type="a{sv}" direction="in"/></method>
      <method name="AcquireWrite"><arg type="a{sv}" direction="in"/><arg type="h" direction="out"/><arg type="q" direction="out"/></method>
      <method name="AcquireNotify"><arg type="a{sv}" direction="in"/><arg type="h" direction="out"/><arg type="q" direction="out"/></method>
      <method name="StartNotify"/><method name="StopNotify"/><method name="Confirm"/>
    </interface>''',
    'org.bluez.GattDescriptor1': '''<interface name="org.bluez.GattDescriptor1">
      <method name="ReadValue"><arg type="a{sv}" direction="in"/><arg type="ay" direction="out"/></method>
      <method name="WriteValue"><arg type="ay" direction="in"/><arg type="a{sv}" direction="in"/></method>
    </interface>''',
    'org.freedesktop.DBus.ObjectManager': '''<interface name="org.freedesktop.DBus.ObjectManager">
      <method name="GetManagedObjects"><arg type="a{oa{sa{sv}}}" direction="out"/></method>
    </interface>''',
    'org.bluez.LEAdvertisement1': '''<interface name="org.bluez.LEAdvertisement1">
      <method name="Release"/></interface>''',
    'org.bluez.Agent1': '''<interface name="org.bluez.Agent1">
      <method name="Release"/>
      <method name="RequestPinCode"><arg type="o" direction="in"/><arg type="s" direction="out"/></method>
      <method name="DisplayPinCode"><arg type="o" direction="in"/><arg type="s" direction="in"/></method>
      <method name="RequestPasskey"><arg type="o" direction="in"/><arg type="u" direction="out"/></method>
      <method name="DisplayPasskey"><arg type="o" direction="in"/><arg type="u" direction="in"/><arg type="q" direction="in"/></method>
      <method name="RequestConfirmation"><arg type="o" direction="in"/><arg type="u" direction="in"/></method>
      <method name="RequestAuthorization"><arg type="o" direction="in"/></method>
      <method name="AuthorizeService"><arg type="o" direction="in"/><arg type="s" direction="in"/></method>
      <method name="Cancel"/>
    </interface>''',
}
_NODE_INFO = {k: Gio.DBusNodeInfo.new_for_xml('<node>%s</node>' % v).interfaces[0] for k, v in IFACE_XML.items()}


class Peer:
    """A D-Bus client of the fake: an app (GATT/adverts/agent) and the test driver."""

    def __init__(self, address):
        self.conn = Gio.DBusConnection.new_for_address_sync(
            address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
            Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
        self.conn.set_exit_on_close(False)
        self.objects = collections.OrderedDict()  # path -> OrderedDict iface -> OrderedDict props
        self.handlers = {}  # (path, method) -> fn(args, invocation) -> value / HOLD / raise DBusErr
        self.calls = []  # (path, iface, method, args, flags)
        self.reg_ids = {}
        self.om_paths = set()
        self.sets = []  # Properties.Set calls received

    @property
    def name(self):
        return self.conn.get_unique_name()

    # ------------------------------------------------------------ export
    def _method(self, conn, sender, path, iface, method, params, inv):
        flags = inv.get_message().get_flags()
        args = params.unpack()
        self.calls.append((path, iface, method, args, flags))
        if iface == 'org.freedesktop.DBus.ObjectManager':
            fn = self.handlers.get((path, 'GetManagedObjects'))
            if fn:
                try:
                    r = fn(args, inv)
                except DBusErr as e:
                    inv.return_dbus_error(e.name, e.text)
                    return
                if r is HOLD:
                    return
            objs = collections.OrderedDict()
            for p, ifs in self.objects.items():
                if p.startswith(path.rstrip('/') + '/') or p == path:
                    objs[p] = collections.OrderedDict((i, dict(pr)) for i, pr in ifs.items())
            inv.return_value(V('(a{oa{sa{sv}}})', (objs,)))
            return
        fn = self.handlers.get((path, method))
        try:
            r = fn(args, inv) if fn else None
        except DBusErr as e:
            inv.return_dbus_error(e.name, e.text)
            return
        if r is HOLD:
            return
        out = inv.get_method_info().out_args
        sig = ''.join(a.signature for a in out)
        if isinstance(r, GLib.Variant):
            inv.return_value(r)
        elif sig == '':
            inv.return_value(None)
        elif sig == 'ay':
            inv.return_value(V('(ay)', (r or b'',)))
        else:
            inv.return_value(V('(' + sig + ')', r))

    def _get(self, conn, sender, path, iface, prop):
        return self.objects[path][iface][prop]

    def _set(self, conn, sender, path, iface, prop, value):
        self.sets.append((path, iface, prop, value.unpack()))
        self.objects[path][iface][prop] = value
        return True

    def export(self, path, iface, props=None):
        old = self.reg_ids.pop((path, iface), None)
        if old:
            self.conn.unregister_object(old)
        self.objects.setdefault(path, collections.OrderedDict())[iface] = collections.OrderedDict(props or {})
        xml = IFACE_XML.get(iface, '<interface name="%s"></interface>' % iface)
        propxml = ''.join('<property name="%s" type="%s" access="readwrite"/>' % (k, v.get_type_string())
                          for k, v in (props or {}).items())
        xml = xml.replace('</interface>', propxml + '</interface>')
        info = Gio.DBusNodeInfo.new_for_xml('<node>%s</node>' % xml).interfaces[0]
        self.reg_ids[(path, iface)] = self.conn.register_object(path, info, self._method, self._get, self._set)

    def object_manager(self, path):
        self.conn.register_object(path, _NODE_INFO['org.freedesktop.DBus.ObjectManager'], self._method, None, None)

    def service(self, path, uuid, primary=True, **extra):
        props = collections.OrderedDict([('UUID', V('s', uuid)), ('Primary', V('b', primary))])
        for k, v in extra.items():
            props[k] = v
        self.export(path, 'org.bluez.GattService1', props)

    def chrc(self, path, service, uuid, flags, **extra):
        props = collections.OrderedDict([('UUID', V('s', uuid)), ('Service', V('o', service)),
                                         ('Flags', V('as', flags))])
        for k, v in extra.items():
            props[k] = v
        self.export(path, 'org.bluez.GattCharacteristic1', props)

    def desc(self, path, chrc, uuid, flags, **extra):
        props = collections.OrderedDict([('UUID', V('s', uuid)), ('Characteristic', V('o', chrc)),
                                         ('Flags', V('as', flags))])
        for k, v in extra.items():
            props[k] = v
        self.export(path, 'org.bluez.GattDescriptor1', props)

    def unexport(self, path, iface):
        rid = self.reg_ids.pop((path, iface), None)
        if rid:
            self.conn.unregister_object(rid)
        self.objects.get(path, {}).pop(iface, None)

    def emit(self, path, iface, member, params):
        self.conn.emit_signal(None, path, iface, member, params)

    def value_changed(self, path, value=None, invalidate=False):
        changed = {} if invalidate else {'Value': V('ay', value)}
        inv = ['Value'] if invalidate else []
        self.emit(path, 'org.freedesktop.DBus.Properties', 'PropertiesChanged',
                  V('(sa{sv}as)', ('org.bluez.GattCharacteristic1', changed, inv)))

    def calls_of(self, method, path=None):
        return [c for c in self.calls if c[2] == method and (path is None or c[0] == path)]

    # ------------------------------------------------------------ calls
    def call(self, path, iface, method, sig=None, args=(), dest='org.bluez', timeout=10.0, fds=None):
        box = {}
        body = V('(' + sig + ')', tuple(args)) if sig is not None else None

        def done(conn, res):
            try:
                if fds is not None:
                    box['r'] = conn.call_with_unix_fd_list_finish(res)
                else:
                    box['r'] = conn.call_finish(res)
            except GLib.Error as e:
                box['e'] = e
        if fds is not None:
            self.conn.call_with_unix_fd_list(dest, path, iface, method, body, None,
                                             Gio.DBusCallFlags.NONE, int(timeout * 1000), fds, None, done)
        else:
            self.conn.call(dest, path, iface, method, body, None, Gio.DBusCallFlags.NONE,
                           int(timeout * 1000), None, done)
        spin_until(lambda: box, timeout + 1)
        if 'e' in box:
            e = box['e']
            name = Gio.DBusError.get_remote_error(e)
            text = e.message
            prefix = 'GDBus.Error:%s: ' % name
            if name and text.startswith(prefix):
                text = text[len(prefix):]
            raise DBusErr(name or 'local', text)
        r = box['r']
        return r.unpack() if r is not None else None

    def ctl(self, method, sig=None, *args):
        return self.call(CTRL_PATH, CTRL_IFACE, method, sig, args)

    def register_app(self, root='/app', adapter='hci0'):
        return self.call('/org/bluez/' + adapter, 'org.bluez.GattManager1', 'RegisterApplication',
                         'oa{sv}', (root, {}))

    def close(self):
        try:
            self.conn.close_sync(None)
        except GLib.Error:
            pass


def spin(seconds):
    end = time.monotonic() + seconds
    ctx = GLib.MainContext.default()
    while time.monotonic() < end:
        ctx.iteration(False) or time.sleep(0.002)


def spin_until(pred, timeout=5.0):
    end = time.monotonic() + timeout
    ctx = GLib.MainContext.default()
    while not pred():
        if time.monotonic() > end:
            raise AssertionError('timed out waiting')
        if not ctx.iteration(False):
            time.sleep(0.001)


# --------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------

@pytest.fixture(scope='module')
def bus_address():
    p = subprocess.Popen(['dbus-daemon', '--session', '--nofork', '--print-address'],
                         stdout=subprocess.PIPE)
    addr = p.stdout.readline().decode().strip()
    yield addr
    p.terminate()
    p.wait()


class Fake:
    def __init__(self, address, *extra, version_from_env=False):
        if '--bluez' not in extra and not version_from_env:
            extra = ('--bluez', '5.66') + extra  # these tests are 5.66's, whatever $FAKEBLUEZ_BLUEZ says
        self.proc = subprocess.Popen([PYTHON, FAKE, '--bus', address, '--exit-on-stdin-eof',
                                      '--att-timeout-ms', '400', '--agent-timeout-ms', '800'] + list(extra) + (['--verbose'] if os.environ.get('FAKEBLUEZ_VERBOSE') else []),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        r, _, _ = select.select([self.proc.stdout], [], [], 10)
        assert r, 'fakebluez did not start'
        assert self.proc.stdout.readline().strip() == b'READY'

    def stop(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise


@pytest.fixture
def fake(bus_address, request):
    extra = getattr(request, 'param', ())
    f = Fake(bus_address, *extra)
    yield f
    f.stop()
    assert f.proc.returncode == 0


@pytest.fixture
def app(bus_address, fake):
    p = Peer(bus_address)
    yield p
    p.close()


def standard_app(p, root='/app'):
    """Service 0x180d-ish test app used by many tests."""
    p.object_manager(root)
    s = root + '/s0'
    p.service(s, '12345678-1234-5678-1234-56789abc0000', Handle=V('q', 0))
    p.chrc(s + '/c0', s, '12345678-1234-5678-1234-56789abc0001', ['read', 'write'], Handle=V('q', 0))
    p.chrc(s + '/c1', s, '2a37', ['notify'])
    p.chrc(s + '/c2', s, '12345678-1234-5678-1234-56789abc0003', ['indicate', 'reliable-write', 'read'])
    p.chrc(s + '/c3', s, '12345678-1234-5678-1234-56789abc0004', ['write-without-response'])
    p.desc(s + '/c0/d0', s + '/c0', '12345678-1234-5678-1234-56789abc00d0', ['read', 'write'],
           Handle=V('q', 0))
    return s


def rd(p, dev, handle, offset=0, mtu=0):
    code, value = p.ctl('Read', 'oqqq', dev, handle, offset, mtu)
    return code, bytes(value)


def wr(p, dev, handle, value, kind='request', offset=0):
    return p.ctl('Write', 'oqqays', dev, handle, offset, bytes(value), kind)[0]


def notifs(p, dev):
    return [(h, bytes(v), i) for h, v, i in p.ctl('TakeNotifications', 'o', dev)[0]]


def db_by_handle(p, adapter='hci0'):
    return {d['handle']: d for d in p.ctl('GetDatabase', 's', adapter)[0]}


H_SVC, H_C0, H_D0, H_C1, H_C1CCC, H_C2, H_C2CCC, H_C2CEP, H_C3 = \
    0x15, 0x17, 0x18, 0x1a, 0x1b, 0x1d, 0x1e, 0x1f, 0x21


def setup_app(p, dev_addr='11:22:33:44:55:66'):
    standard_app(p)
    p.register_app()
    dev = p.ctl('AddDevice', 'sss', 'hci0', dev_addr, 'central')[0]
    return dev


# --------------------------------------------------------------------------
# objects
# --------------------------------------------------------------------------

def test_objects_and_adapter_properties(app):
    objs = app.call('/', 'org.freedesktop.DBus.ObjectManager', 'GetManagedObjects')[0]
    a = objs['/org/bluez/hci0']
    assert a['org.bluez.Adapter1']['Address'] == '00:AA:01:00:00:00'
    assert a['org.bluez.Adapter1']['Roles'] == ['central', 'peripheral']
    assert a['org.bluez.LEAdvertisingManager1']['SupportedInstances'] == 5
    assert 'org.bluez.GattManager1' in a
    assert 'org.bluez.AgentManager1' in objs['/org/bluez']
    got = []
    app.conn.signal_subscribe('org.bluez', 'org.freedesktop.DBus.Properties', 'PropertiesChanged',
                              '/org/bluez/hci0', None, 0, lambda *a: got.append(a[5].unpack()))
    app.call('/org/bluez/hci0', 'org.freedesktop.DBus.Properties', 'Set', 'ssv',
             ('org.bluez.Adapter1', 'Alias', V('s', 'periph')))
    spin_until(lambda: got)
    assert got[0][1] == {'Alias': 'periph'}
    assert app.call('/org/bluez/hci0', 'org.freedesktop.DBus.Properties', 'Get', 'ss',
                    ('org.bluez.Adapter1', 'Alias'))[0] == 'periph'
    with pytest.raises(DBusErr) as e:
        app.call('/org/bluez/hci0', 'org.freedesktop.DBus.Properties', 'Set', 'ssv',
                 ('org.bluez.Adapter1', 'Address', V('s', 'x')))
    assert e.value.name == 'org.freedesktop.DBus.Error.PropertyReadOnly'


def test_bad_signature_is_unknown_method_like_bluetoothd(app):
    # bluetoothd's gdbus only matches methods whose signature matches
    with pytest.raises(DBusErr) as e:
        app.call('/org/bluez/hci0', 'org.bluez.GattManager1', 'RegisterApplication', 's', ('/x',))
    assert e.value.name == 'org.freedesktop.DBus.Error.UnknownMethod'


def test_device_lifecycle(app):
    dev = app.ctl('AddDevice', 'sss', 'hci0', 'C1:22:33:44:55:66', 'phone')[0]
    assert dev == '/org/bluez/hci0/dev_C1_22_33_44_55_66'
    props = app.call(dev, 'org.freedesktop.DBus.Properties', 'GetAll', 's', ('org.bluez.Device1',))[0]
    assert props['Connected'] is True and props['AddressType'] == 'random'
    app.call(dev, 'org.freedesktop.DBus.Properties', 'Set', 'ssv', ('org.bluez.Device1', 'Trusted', V('b', True)))
    app.call(dev, 'org.bluez.Device1', 'Disconnect')
    props = app.call(dev, 'org.freedesktop.DBus.Properties', 'GetAll', 's', ('org.bluez.Device1',))[0]
    assert props['Connected'] is False and props['Trusted'] is True
    removed = []
    app.conn.signal_subscribe('org.bluez', 'org.freedesktop.DBus.ObjectManager', 'InterfacesRemoved',
                              '/', None, 0, lambda *a: removed.append(a[5].unpack()))
    app.ctl('RemoveDevice', 'o', dev)
    spin_until(lambda: removed)
    assert removed[0][0] == dev


# --------------------------------------------------------------------------
# registration and database layout
# --------------------------------------------------------------------------

def test_register_database_layout(app):
    setup_app(app)
    db = db_by_handle(app)
    assert db[0x12]['uuid'] == full(0x180a) and db[0x14]['type'] == 'value'
    s = db[H_SVC]
    assert s['type'] == 'primary-service' and s['end-handle'] == 0x21 and s['path'] == '/app/s0'
    assert s['owner'] == app.name
    assert db[0x16]['type'] == 'characteristic' and db[0x16]['value-handle'] == H_C0
    assert db[0x16]['properties'] == 0x0a and db[0x16]['flags'] == ['read', 'write']
    assert db[H_C0]['permissions'] == 0x03
    assert db[H_D0]['type'] == 'descriptor' and db[H_D0]['path'] == '/app/s0/c0/d0'
    assert db[H_C1]['properties'] == 0x10 and db[H_C1]['permissions'] == 0
    assert db[H_C1]['uuid'] == full(0x2a37)
    assert db[H_C1CCC]['type'] == 'ccc' and db[H_C1CCC]['permissions'] == 0x03
    assert db[H_C2]['properties'] == 0x20 | 0x80 | 0x02 and db[H_C2]['ext-properties'] == 1
    assert db[H_C2CCC]['type'] == 'ccc' and db[H_C2CEP]['type'] == 'cep'
    assert db[H_C3]['properties'] == 0x04 and db[H_C3]['permissions'] == 0x02
    # Handle written back only where the property exists and was 0
    spin_until(lambda: len(app.sets) >= 3)
    sets = {(p, v) for p, i, n, v in app.sets if n == 'Handle'}
    assert sets == {('/app/s0', H_SVC), ('/app/s0/c0', H_C0), ('/app/s0/c0/d0', H_D0)}
    assert app.ctl('GetApplications')[0] == [(app.name, '/app')]
    uuids = app.call('/org/bluez/hci0', 'org.freedesktop.DBus.Properties', 'Get', 'ss',
                     ('org.bluez.Adapter1', 'UUIDs'))[0]
    assert '12345678-1234-5678-1234-56789abc0000' in uuids


def test_register_requested_handles_and_clash(app, bus_address):
    app.object_manager('/app')
    app.service('/app/s', '180d', Handle=V('q', 0x100))
    app.chrc('/app/s/c', '/app/s', '2a37', ['read'], Handle=V('q', 0x105))
    app.register_app()
    db = db_by_handle(app)
    assert db[0x100]['end-handle'] == 0x102 and db[0x104]['value-handle'] == 0x105
    other = Peer(bus_address)
    other.object_manager('/o')
    other.service('/o/s', '180f', Handle=V('q', 0x101))
    other.chrc('/o/s/c', '/o/s', '2a19', ['read'])
    with pytest.raises(DBusErr) as e:
        other.register_app('/o')
    assert e.value.name == ERR + 'Failed' and e.value.text == 'Failed to create entry in database'
    other.close()


def test_register_reply_order_is_honoured(app):
    app.object_manager('/app')
    app.service('/app/b', '180f')
    app.service('/app/a', '180d')
    app.chrc('/app/a/c', '/app/a', '2a37', ['read'])
    app.chrc('/app/b/c', '/app/b', '2a19', ['read'])
    app.register_app()
    db = db_by_handle(app)
    assert db[0x15]['uuid'] == full(0x180f) and db[0x18]['uuid'] == full(0x180d)


@pytest.mark.parametrize('case,err', [
    ('empty-flags', 'No valid service object found'),
    ('unknown-flag', 'No valid service object found'),
    ('no-flags', 'No valid service object found'),
    ('bad-service-path', 'No valid service object found'),
    ('desc-orphan', 'No valid service object found'),
    ('gap-uuid', 'Failed to create entry in database'),
    ('gatt-uuid128', 'Failed to create entry in database'),
    ('no-primary', 'Failed to create entry in database'),
    ('bad-uuid', 'Failed to create entry in database'),
    ('nothing', 'No object received'),
])
def test_register_errors(app, case, err):
    app.object_manager('/app')
    if case != 'nothing':
        if case == 'gap-uuid':
            app.service('/app/s', '1800')
        elif case == 'gatt-uuid128':
            app.service('/app/s', full(0x1801))
        elif case == 'no-primary':
            app.export('/app/s', 'org.bluez.GattService1', {'UUID': V('s', '180d')})
        else:
            app.service('/app/s', '180d')
        flags = {'empty-flags': [], 'unknown-flag': ['read', 'bogus']}.get(case, ['read'])
        if case == 'no-flags':
            app.export('/app/s/c', 'org.bluez.GattCharacteristic1',
                       {'UUID': V('s', '2a37'), 'Service': V('o', '/app/s')})
        elif case == 'bad-service-path':
            app.chrc('/app/s/c', '/app/nowhere', '2a37', flags)
        elif case == 'bad-uuid':
            app.chrc('/app/s/c', '/app/s', 'not-a-uuid', flags)
        else:
            app.chrc('/app/s/c', '/app/s', '2a37', flags)
        if case == 'desc-orphan':
            app.desc('/app/s/c/d', '/app/s/zz', '2901', ['read'])
    with pytest.raises(DBusErr) as e:
        app.register_app()
    assert e.value.name == ERR + 'Failed' and e.value.text == err
    assert app.ctl('GetApplications')[0] == []
    # nothing left in the database
    assert max(db_by_handle(app)) == 0x14


def test_register_already_exists_and_unregister(app):
    setup_app(app)
    with pytest.raises(DBusErr) as e:
        app.register_app()
    assert e.value.name == ERR + 'AlreadyExists'
    with pytest.raises(DBusErr) as e:
        app.call('/org/bluez/hci0', 'org.bluez.GattManager1', 'UnregisterApplication', 'o', ('/nope',))
    assert e.value.name == ERR + 'DoesNotExist'
    app.call('/org/bluez/hci0', 'org.bluez.GattManager1', 'UnregisterApplication', 'o', ('/app',))
    assert max(db_by_handle(app)) == 0x14
    # the written-back Handle values pin the layout on re-registration
    app.register_app()
    assert db_by_handle(app)[H_SVC]['path'] == '/app/s0'
    app.call('/org/bluez/hci0', 'org.bluez.GattManager1', 'UnregisterApplication', 'o', ('/app',))
    # without Handle properties: next_handle never decreases, the service moves up
    app.object_manager('/app2')
    app.service('/app2/s', '180d')
    app.chrc('/app2/s/c', '/app2/s', '2a37', ['read'])
    app.register_app('/app2')
    assert db_by_handle(app)[0x22]['path'] == '/app2/s'


def test_include_must_be_already_inserted(app):
    app.object_manager('/app')
    app.service('/app/a', '180d', Includes=V('ao', ['/app/b']))  # b comes later: ignored
    app.service('/app/b', '180f', Primary=V('b', False))
    app.service('/app/c', '1810', Includes=V('ao', ['/app/b']))  # b already inserted
    app.register_app()
    db = db_by_handle(app)
    # a: decl + reserved (empty) include slot
    assert db[0x15]['end-handle'] == 0x16 and 0x16 not in db
    assert db[0x17]['type'] == 'secondary-service'
    assert db[0x18]['type'] == 'primary-service' and db[0x19]['type'] == 'include'
    assert db[0x19]['included-handle'] == 0x17


def test_interfaces_removed_removes_service(app):
    dev = setup_app(app)
    app.unexport('/app/s0', 'org.bluez.GattService1')
    app.emit('/app', 'org.freedesktop.DBus.ObjectManager', 'InterfacesRemoved',
             V('(oas)', ('/app/s0', ['org.bluez.GattService1'])))
    spin_until(lambda: max(db_by_handle(app)) == 0x14)
    assert app.ctl('Read', 'oqqq', dev, H_C0, 0, 0)[0] == 0x01


def test_app_leaving_bus_cancels_pending_and_removes(app, bus_address):
    other = Peer(bus_address)
    other.object_manager('/o')
    other.service('/o/s', '180d')
    other.chrc('/o/s/c', '/o/s', '2a37', ['read'])
    other.handlers[('/o/s/c', 'ReadValue')] = lambda a, inv: HOLD
    other.register_app('/o')
    dev = app.ctl('AddDevice', 'sss', 'hci0', '11:22:33:44:55:66', 'c')[0]
    box = {}
    app.conn.call('org.bluez', CTRL_PATH, CTRL_IFACE, 'Read', V('(oqqq)', (dev, 0x17, 0, 0)), None, 0, 5000,
                  None, lambda c, r: box.setdefault('r', c.call_finish(r).unpack()))
    spin_until(lambda: other.calls_of('ReadValue'))
    other.close()
    spin_until(lambda: box)
    assert box['r'][0] == 0x06 and bytes(box['r'][1]) == b''
    spin_until(lambda: app.ctl('GetApplications')[0] == [])
    assert max(db_by_handle(app)) == 0x14


# --------------------------------------------------------------------------
# reads
# --------------------------------------------------------------------------

def test_read_options_offset_and_truncation(app):
    dev = setup_app(app)
    data = bytes(range(256)) * 3  # 768 bytes
    app.handlers[('/app/s0/c0', 'ReadValue')] = lambda a, inv: data[a[0].get('offset', 0):]
    code, v = rd(app, dev, H_C0)
    assert code == 0 and v == data[:512]  # 512 cap (then mtu 517 - 1 = 516)
    assert len(v) == 512
    opts = app.calls_of('ReadValue')[-1][3][0]
    assert opts == {'device': dev, 'link': 'LE', 'mtu': 517}  # no offset when 0, never 'type'
    code, v = rd(app, dev, H_C0, 100, 0)
    assert v == data[100:612][:512]
    assert app.calls_of('ReadValue')[-1][3][0]['offset'] == 100
    code, v = rd(app, dev, H_C0, 0, 23)
    assert v == data[:22]
    assert app.calls_of('ReadValue')[-1][3][0]['mtu'] == 23
    app.ctl('SetDeviceProperty', 'osv', dev, 'MTU', V('q', 100))
    code, v = rd(app, dev, H_C0)
    assert len(v) == 99
    # descriptors behave the same
    app.handlers[('/app/s0/c0/d0', 'ReadValue')] = lambda a, inv: b'desc'
    assert rd(app, dev, H_D0) == (0, b'desc')
    # declarations and builtins are served by the daemon
    assert rd(app, dev, 0x16) == (0, bytes([0x0a, H_C0, 0]) + bytes.fromhex('0100bc9a785634127856341278563412'))
    assert rd(app, dev, 0x03) == (0, b'fake-hci0')
    assert rd(app, dev, 0x999)[0] == 0x01


ERROR_TABLE = [
    ('org.bluez.Error.Failed', 'boom', 0x80, 0x80),
    ('org.bluez.Error.Failed', '0x85', 0x85, 0x85),
    ('org.bluez.Error.Failed', '133', 0x85, 0x85),
    ('org.bluez.Error.Failed', '0x9F', 0x9F, 0x9F),
    ('org.bluez.Error.Failed', '0x7f', 0x0E, 0x0E),
    ('org.bluez.Error.Failed', '0xA0', 0x0E, 0x0E),
    ('org.bluez.Error.Failed', '', 0x0E, 0x0E),
    ('org.bluez.Error.NotSupported', 'x', 0x06, 0x06),
    ('org.bluez.Error.NotAuthorized', 'x', 0x08, 0x08),
    ('org.bluez.Error.InvalidValueLength', 'x', 0x0D, 0x0D),
    ('org.bluez.Error.InvalidOffset', 'x', 0x07, 0x07),
    ('org.bluez.Error.InProgress', 'x', 0xFE, 0xFE),
    ('org.bluez.Error.NotPermitted', 'x', 0x02, 0x03),
    ('org.bluez.Error.ImproperlyConfigured', 'x', 0x0E, 0x0E),
    ('org.bluez.Error.InvalidArguments', 'x', 0x0E, 0x0E),
    ('org.freedesktop.DBus.Error.Failed', 'x', 0x0E, 0x0E),
    ('com.example.Whatever', 'x', 0x0E, 0x0E),
]


def test_error_mapping_table(app):
    dev = setup_app(app)
    for name, msg, rcode, wcode in ERROR_TABLE:
        def fail(a, inv, name=name, msg=msg):
            raise DBusErr(name, msg)
        app.handlers[('/app/s0/c0', 'ReadValue')] = fail
        app.handlers[('/app/s0/c0', 'WriteValue')] = fail
        assert rd(app, dev, H_C0) == (rcode, b''), (name, msg)
        assert wr(app, dev, H_C0, b'x') == wcode, (name, msg)


def raw_reply(inv, body):
    msg = inv.get_message().new_method_reply()
    msg.set_body(body)
    inv.get_connection().send_message(msg, Gio.DBusSendMessageFlags.NONE)
    return HOLD


def test_read_reply_of_wrong_type(app):
    dev = setup_app(app)
    app.handlers[('/app/s0/c0', 'ReadValue')] = lambda a, inv: raw_reply(inv, V('(s)', ('nope',)))
    assert rd(app, dev, H_C0)[0] == 0x06
    app.handlers[('/app/s0/c0', 'WriteValue')] = lambda a, inv: raw_reply(inv, V('(u)', (1,)))
    assert wr(app, dev, H_C0, b'x') == 0x06


def test_read_timeout_and_late_reply_ignored(app):
    dev = setup_app(app)
    held = []
    app.handlers[('/app/s0/c0', 'ReadValue')] = lambda a, inv: held.append(inv) or HOLD
    t = time.monotonic()
    assert rd(app, dev, H_C0) == (0x0E, b'')
    assert 0.3 < time.monotonic() - t < 2.0  # --att-timeout-ms 400
    held[0].return_value(V('(ay)', (b'late',)))
    app.handlers[('/app/s0/c0', 'ReadValue')] = lambda a, inv: b'now'
    assert rd(app, dev, H_C0) == (0, b'now')


def test_permissions_and_security(app):
    app.object_manager('/app')
    app.service('/app/s', '180d')
    app.chrc('/app/s/e', '/app/s', '2a01', ['encrypt-read', 'encrypt-write'])
    app.chrc('/app/s/a', '/app/s', '2a02', ['encrypt-authenticated-read'])
    app.chrc('/app/s/x', '/app/s', '2a03', ['secure-read'])
    app.chrc('/app/s/w', '/app/s', '2a04', ['write'])
    app.chrc('/app/s/n', '/app/s', '2a05', ['notify'])
    app.register_app()
    dev = app.ctl('AddDevice', 'sss', 'hci0', '11:22:33:44:55:66', 'c')[0]
    e, a, x, w, n = 0x17, 0x19, 0x1b, 0x1d, 0x1f
    for h in (e, a, x, w, n):
        app.handlers[(db_by_handle(app)[h]['path'], 'ReadValue')] = lambda a_, inv: b'ok'
    assert rd(app, dev, e)[0] == 0x0F
    assert wr(app, dev, e, b'1') == 0x0F
    assert rd(app, dev, a)[0] == 0x05
    assert rd(app, dev, x)[0] == 0x05
    assert rd(app, dev, w)[0] == 0x02  # write-only: Read Not Permitted
    assert wr(app, dev, a, b'1') == 0x03
    assert rd(app, dev, n) == (0, b'ok')  # perm 0: bluetoothd forwards the read
    app.ctl('SetDeviceProperty', 'osv', dev, 'Paired', V('b', True))
    assert rd(app, dev, e) == (0, b'ok')
    assert rd(app, dev, a)[0] == 0x05
    app.ctl('SetDeviceProperty', 'osv', dev, 'Security', V('y', 3))
    assert rd(app, dev, a) == (0, b'ok')
    assert rd(app, dev, x)[0] == 0x05
    app.ctl('SetDeviceProperty', 'osv', dev, 'Security', V('y', 4))
    assert rd(app, dev, x) == (0, b'ok')


# --------------------------------------------------------------------------
# writes
# --------------------------------------------------------------------------

def test_write_request_command_and_limits(app):
    dev = setup_app(app)
    assert wr(app, dev, H_C0, b'hello') == 0
    path, iface, m, args, flags = app.calls_of('WriteValue')[-1]
    assert bytes(args[0]) == b'hello' and args[1] == {'device': dev, 'link': 'LE', 'mtu': 517}
    assert not flags & Gio.DBusMessageFlags.NO_REPLY_EXPECTED
    app.handlers[('/app/s0/c0', 'WriteValue')] = lambda a, inv: (_ for _ in ()).throw(
        DBusErr('org.bluez.Error.Failed', '0x90'))
    assert wr(app, dev, H_C0, b'x', 'command') == 0  # a central sees no response
    spin_until(lambda: len(app.calls_of('WriteValue')) == 2)
    n = len(app.calls_of('WriteValue'))
    assert wr(app, dev, H_C0, bytes(511)) == 0x0D  # 5.66: > 510 refused
    assert len(app.calls_of('WriteValue')) == n
    app.handlers.pop(('/app/s0/c0', 'WriteValue'))
    assert wr(app, dev, H_C0, bytes(510)) == 0
    assert wr(app, dev, 0x16, b'x') == 0x03  # declaration is read-only
    assert wr(app, dev, 0x999, b'x') == 0x01


def test_write_without_response_characteristic_is_no_reply(app):
    dev = setup_app(app)
    app.handlers[('/app/s0/c3', 'WriteValue')] = lambda a, inv: (_ for _ in ()).throw(
        DBusErr('org.bluez.Error.NotPermitted', 'no'))
    assert wr(app, dev, H_C3, b'abc') == 0  # Write Request acked regardless
    spin_until(lambda: app.calls_of('WriteValue', '/app/s0/c3'))
    c = app.calls_of('WriteValue', '/app/s0/c3')[0]
    assert c[4] & Gio.DBusMessageFlags.NO_REPLY_EXPECTED
    assert rd(app, dev, H_C3)[0] == 0x02


def test_prepare_execute(app):
    dev = setup_app(app)
    # contiguous chunks to one attribute are merged by bluetoothd's prep queue
    assert wr(app, dev, H_C0, b'A' * 18, 'prepare', 0) == 0
    assert wr(app, dev, H_C0, b'B' * 18, 'prepare', 18) == 0
    assert not app.calls_of('WriteValue')
    assert app.ctl('ExecuteWrite', 'ob', dev, True)[0] == 0
    calls = app.calls_of('WriteValue')
    assert len(calls) == 1 and bytes(calls[0][3][0]) == b'A' * 18 + b'B' * 18
    assert 'offset' not in calls[0][3][1]
    # more than one queued entry needs reliable-write on every characteristic
    assert wr(app, dev, H_C0, b'x', 'prepare', 0) == 0
    assert wr(app, dev, H_C0, b'y', 'prepare', 40) == 0
    assert app.ctl('ExecuteWrite', 'ob', dev, True)[0] == 0x06
    assert len(app.calls_of('WriteValue')) == 1
    assert wr(app, dev, H_C2, b'x', 'prepare', 0) == 0
    assert wr(app, dev, H_C2, b'y', 'prepare', 40) == 0
    assert app.ctl('ExecuteWrite', 'ob', dev, True)[0] == 0
    calls = app.calls_of('WriteValue', '/app/s0/c2')
    assert [(bytes(c[3][0]), c[3][1].get('offset', 0)) for c in calls] == [(b'x', 0), (b'y', 40)]
    # cancel
    assert wr(app, dev, H_C2, b'z', 'prepare', 0) == 0
    assert app.ctl('ExecuteWrite', 'ob', dev, False)[0] == 0
    assert len(app.calls_of('WriteValue', '/app/s0/c2')) == 2
    # limits: offset + len <= 508, queue of 30
    assert wr(app, dev, H_C2, bytes(9), 'prepare', 500) == 0x0D
    assert wr(app, dev, H_C2, bytes(8), 'prepare', 500) == 0
    assert wr(app, dev, H_C2, bytes(1), 'prepare', 600) == 0x07
    for i in range(29):
        assert wr(app, dev, H_C2, b'q', 'prepare', i * 2) == 0
    assert wr(app, dev, H_C2, b'q', 'prepare', 100) == 0x09
    # an error stops execution
    app.handlers[('/app/s0/c2', 'WriteValue')] = lambda a, inv: (_ for _ in ()).throw(
        DBusErr('org.bluez.Error.InvalidOffset', ''))
    assert app.ctl('ExecuteWrite', 'ob', dev, True)[0] == 0x07


def test_prepare_authorize(app):
    app.object_manager('/app')
    app.service('/app/s', '180d')
    app.chrc('/app/s/c', '/app/s', '2a37', ['write', 'reliable-write', 'authorize'])
    app.register_app()
    dev = app.ctl('AddDevice', 'sss', 'hci0', '11:22:33:44:55:66', 'c')[0]
    assert wr(app, dev, 0x17, b'abc', 'prepare', 4) == 0
    c = app.calls_of('WriteValue')
    assert len(c) == 1 and bytes(c[0][3][0]) == b'' and c[0][3][1]['prepare-authorize'] is True
    assert c[0][3][1]['offset'] == 4
    assert wr(app, dev, 0x17, b'def', 'prepare', 20) == 0  # already authorized: no call
    assert len(app.calls_of('WriteValue')) == 1
    assert app.ctl('ExecuteWrite', 'ob', dev, True)[0] == 0
    c = app.calls_of('WriteValue')[1:]
    assert [(bytes(x[3][0]), x[3][1].get('offset')) for x in c] == [(b'abc', 4), (b'def', 20)]
    assert all('prepare-authorize' not in x[3][1] for x in c)
    # refused authorization
    app.handlers[('/app/s/c', 'WriteValue')] = lambda a, inv: (_ for _ in ()).throw(
        DBusErr('org.bluez.Error.NotAuthorized', ''))
    assert wr(app, dev, 0x17, b'abc', 'prepare', 0) == 0x08
    # trusted devices skip it
    app.handlers.pop(('/app/s/c', 'WriteValue'))
    app.ctl('SetDeviceProperty', 'osv', dev, 'Trusted', V('b', True))
    n = len(app.calls_of('WriteValue'))
    assert wr(app, dev, 0x17, b'abc', 'prepare', 0) == 0
    assert len(app.calls_of('WriteValue')) == n


# --------------------------------------------------------------------------
# CCC, notifications, indications
# --------------------------------------------------------------------------

def test_ccc_start_stop_notify(app, bus_address):
    dev = setup_app(app)
    dev2 = app.ctl('AddDevice', 'sss', 'hci0', '11:22:33:44:55:77', 'c2')[0]
    assert rd(app, dev, H_C1CCC) == (0, b'\x00\x00')
    assert wr(app, dev, H_C1CCC, b'\x02\x00') == 0xFD  # indicate on a notify-only chrc
    assert wr(app, dev, H_C1CCC, b'\x03\x00') == 0xFD
    assert wr(app, dev, H_C1CCC, b'\x01\x00\x00') == 0x0D
    assert wr(app, dev, H_C1CCC, b'\x01\x00') == 0
    assert rd(app, dev, H_C1CCC) == (0, b'\x01\x00')
    assert wr(app, dev, H_C1CCC, b'\x01\x00') == 0  # same value: nothing
    assert wr(app, dev2, H_C1CCC, b'\x01\x00') == 0
    spin(0.05)
    starts = app.calls_of('StartNotify', '/app/s0/c1')
    assert len(starts) == 2 and all(c[4] & Gio.DBusMessageFlags.NO_REPLY_EXPECTED for c in starts)
    assert wr(app, dev, H_C1CCC, b'\x00\x00') == 0
    spin(0.05)
    assert not app.calls_of('StopNotify')
    app.ctl('SetDeviceProperty', 'osv', dev2, 'Connected', V('b', False))  # not bonded
    spin_until(lambda: app.calls_of('StopNotify', '/app/s0/c1'))
    assert len(app.calls_of('StopNotify')) == 1
    stats = app.ctl('GetStats')[0]
    assert stats['StartNotify'] == 2 and stats['StopNotify'] == 1


def test_bonded_device_keeps_ccc_across_disconnect(app):
    dev = setup_app(app)
    app.ctl('SetDeviceProperty', 'osv', dev, 'Bonded', V('b', True))
    assert wr(app, dev, H_C1CCC, b'\x01\x00') == 0
    app.ctl('SetDeviceProperty', 'osv', dev, 'Connected', V('b', False))
    app.value_changed('/app/s0/c1', b'lost')
    app.ctl('SetDeviceProperty', 'osv', dev, 'Connected', V('b', True))
    app.value_changed('/app/s0/c1', b'kept')
    spin_until(lambda: app.ctl('GetStats')[0].get('notifications', 0) >= 1)
    assert notifs(app, dev) == [(H_C1, b'kept', False)]
    assert not app.calls_of('StopNotify') and len(app.calls_of('StartNotify')) == 1


def test_notifications_repeated_values_truncation_and_sender(app, bus_address):
    dev = setup_app(app)
    got = []
    app.conn.signal_subscribe('org.bluez', CTRL_IFACE, 'Notification', CTRL_PATH, None, 0,
                              lambda *a: got.append(a[5].unpack()))
    app.value_changed('/app/s0/c1', b'nobody')  # no subscriber yet
    assert wr(app, dev, H_C1CCC, b'\x01\x00') == 0
    for _ in range(3):
        app.value_changed('/app/s0/c1', b'same')
    app.value_changed('/app/s0/c1', invalidate=True)
    app.value_changed('/app/s0/c1', bytes(600))
    other = Peer(bus_address)  # not the registering connection: ignored
    other.value_changed('/app/s0/c1', b'intruder')
    app.value_changed('/app/s0/c0', b'not-notifiable')
    spin_until(lambda: len(got) >= 5)
    spin(0.05)
    n = notifs(app, dev)
    assert n == [(H_C1, b'same', False)] * 3 + [(H_C1, b'', False), (H_C1, bytes(512), False)]
    assert len(got) == 5 and got[0] == (dev, H_C1, [115, 97, 109, 101], False)
    app.ctl('SetDeviceProperty', 'osv', dev, 'MTU', V('q', 23))
    app.value_changed('/app/s0/c1', bytes(100))
    spin_until(lambda: len(got) == 6)
    assert notifs(app, dev) == [(H_C1, bytes(20), False)]
    other.close()


def test_indications_confirm(app):
    dev = setup_app(app)
    dev2 = app.ctl('AddDevice', 'sss', 'hci0', '11:22:33:44:55:77', 'c2')[0]
    assert wr(app, dev, H_C2CCC, b'\x02\x00') == 0
    assert wr(app, dev2, H_C2CCC, b'\x02\x00') == 0
    app.value_changed('/app/s0/c2', b'i1')
    spin_until(lambda: len(app.calls_of('Confirm', '/app/s0/c2')) == 2)
    assert notifs(app, dev) == [(H_C2, b'i1', True)]
    c = app.calls_of('Confirm')[0]
    assert c[4] & Gio.DBusMessageFlags.NO_REPLY_EXPECTED
    # manual confirmation: one outstanding indication per device
    app.ctl('SetAutoConfirm', 'b', False)
    app.ctl('RemoveDevice', 'o', dev2)
    app.value_changed('/app/s0/c2', b'i2')
    app.value_changed('/app/s0/c2', b'i3')
    spin_until(lambda: app.ctl('GetStats')[0].get('ValueChanged', 0) >= 3)
    assert notifs(app, dev) == [(H_C2, b'i2', True)]
    app.ctl('ConfirmPending', 'o', dev)
    spin_until(lambda: len(app.calls_of('Confirm')) == 3)
    assert notifs(app, dev) == [(H_C2, b'i3', True)]
    app.ctl('SetConfirmDelay', 'u', 100)
    app.ctl('SetAutoConfirm', 'b', True)
    t = time.monotonic()
    spin_until(lambda: len(app.calls_of('Confirm')) == 4)
    assert time.monotonic() - t > 0.08
    with pytest.raises(DBusErr):
        app.ctl('ConfirmPending', 'o', dev)


# --------------------------------------------------------------------------
# AcquireWrite / AcquireNotify
# --------------------------------------------------------------------------

def test_acquire_notify_and_write(app):
    app.object_manager('/app')
    app.service('/app/s', '180d')
    app.chrc('/app/s/n', '/app/s', '2a37', ['notify'], NotifyAcquired=V('b', False))
    app.chrc('/app/s/w', '/app/s', '2a38', ['write-without-response'], WriteAcquired=V('b', False))
    app.register_app()
    dev = app.ctl('AddDevice', 'sss', 'hci0', '11:22:33:44:55:66', 'c')[0]
    socks = {}

    def acquire(kind):
        def h(args, inv):
            mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            socks[kind] = mine
            fdl = Gio.UnixFDList.new()
            idx = fdl.append(theirs.fileno())
            theirs.close()
            inv.return_value_with_unix_fd_list(V('(hq)', (idx, 23)), fdl)
            return HOLD
        return h
    app.handlers[('/app/s/n', 'AcquireNotify')] = acquire('n')
    app.handlers[('/app/s/w', 'AcquireWrite')] = acquire('w')
    assert wr(app, dev, 0x18, b'\x01\x00') == 0
    spin_until(lambda: 'n' in socks)
    opts = app.calls_of('AcquireNotify')[0][3][0]
    assert opts == {'device': dev, 'link': 'LE', 'mtu': 517}
    assert not app.calls_of('StartNotify')
    socks['n'].send(b'via-fd')
    socks['n'].send(bytes(600))
    spin_until(lambda: app.ctl('GetStats')[0].get('notifications', 0) >= 2)
    assert notifs(app, dev) == [(0x17, b'via-fd', False), (0x17, bytes(512), False)]
    # a daemon that does not read: the datagram stays in the socket
    app.ctl('SetNotifyReading', 'b', False)
    socks['n'].send(b'held')
    spin(0.05)
    assert notifs(app, dev) == []
    app.ctl('SetNotifyReading', 'b', True)
    spin_until(lambda: app.ctl('GetStats')[0].get('notifications', 0) >= 3)
    assert notifs(app, dev) == [(0x17, b'held', False)]
    # last unsubscribe closes bluetoothd's end
    assert wr(app, dev, 0x18, b'\x00\x00') == 0
    spin(0.05)
    assert socks['n'].recv(10) == b''  # EOF: peer closed
    # AcquireWrite on the first write; then data goes to the fd
    assert wr(app, dev, 0x1a, b'one') == 0
    spin_until(lambda: 'w' in socks)
    assert wr(app, dev, 0x1a, b'two', 'command') == 0
    socks['w'].settimeout(2)
    assert socks['w'].recv(100) == b'one' and socks['w'].recv(100) == b'two'
    assert not app.calls_of('WriteValue')
    for s in socks.values():
        s.close()


# --------------------------------------------------------------------------
# advertising
# --------------------------------------------------------------------------

def register_ad(p, path, props, adapter='hci0'):
    p.export(path, 'org.bluez.LEAdvertisement1', props)
    return p.call('/org/bluez/' + adapter, 'org.bluez.LEAdvertisingManager1', 'RegisterAdvertisement',
                  'oa{sv}', (path, {}))


def ads(p):
    return {a['path']: a for a in p.ctl('GetAdvertisements')[0]}


def test_advert_basic_bytes_and_instances(app):
    register_ad(app, '/ad0', {
        'Type': V('s', 'peripheral'),
        'ServiceUUIDs': V('as', ['180d', '12345678-1234-5678-1234-56789abcdef0']),
        'ManufacturerData': V('a{qv}', {0xffff: V('ay', b'\x01\x02')}),
        'LocalName': V('s', 'periph'),
        'Discoverable': V('b', True),
    })
    a = ads(app)['/ad0']
    assert a['connectable'] is True and a['owner'] == app.name and a['instance'] == 1
    assert bytes(a['adv-data']) == (bytes([3, 3, 0x0d, 0x18]) +
                                    bytes([17, 7]) + bytes.fromhex('f0debc9a785634127856341278563412') +
                                    bytes([5, 0xff, 0xff, 0xff, 1, 2]) + bytes([2, 1, 0x06]))
    assert bytes(a['scan-rsp']) == bytes([7, 9]) + b'periph'
    props = app.call('/org/bluez/hci0', 'org.freedesktop.DBus.Properties', 'GetAll', 's',
                     ('org.bluez.LEAdvertisingManager1',))[0]
    assert props['SupportedInstances'] == 4 and props['ActiveInstances'] == 1
    with pytest.raises(DBusErr) as e:
        register_ad(app, '/ad0', {})
    assert e.value.name == ERR + 'AlreadyExists'
    for i in range(1, 5):
        register_ad(app, '/ad%d' % i, {})
    assert ads(app)['/ad1']['type'] == 'broadcast'  # absent Type
    with pytest.raises(DBusErr) as e:
        register_ad(app, '/ad5', {})
    assert e.value.name == ERR + 'NotPermitted' and e.value.text == 'Maximum advertisements reached'
    app.call('/org/bluez/hci0', 'org.bluez.LEAdvertisingManager1', 'UnregisterAdvertisement', 'o', ('/ad0',))
    with pytest.raises(DBusErr) as e:
        app.call('/org/bluez/hci0', 'org.bluez.LEAdvertisingManager1', 'UnregisterAdvertisement', 'o', ('/ad0',))
    assert e.value.name == ERR + 'DoesNotExist'
    assert not app.calls_of('Release')


@pytest.mark.parametrize('props,err', [
    ({'Type': V('s', 'bogus')}, 'Failed to parse advertisement.'),
    ({'Data': V('a{yv}', {0x01: V('ay', b'\x06')})}, 'Failed to parse advertisement.'),
    ({'Data': V('a{yv}', {0xff: V('ay', b'\x06')})}, 'Failed to parse advertisement.'),
    ({'Includes': V('as', ['local-name']), 'LocalName': V('s', 'x')}, 'Failed to parse advertisement.'),
    ({'Includes': V('as', ['appearance']), 'Appearance': V('q', 1)}, 'Failed to parse advertisement.'),
    ({'Discoverable': V('b', True)}, 'Failed to parse advertisement.'),  # broadcast cannot set flags
    ({'ManufacturerData': V('a{qv}', {1: V('ay', bytes(28))})}, 'Failed to parse advertisement.'),
    ({'ManufacturerData': V('a{qv}', {1: V('ay', bytes(20))}),
      'ServiceUUIDs': V('as', ['180d', '180f', '1810', '1811'])}, 'Failed to parse advertisement.'),
    ({'ServiceUUIDs': V('as', ['nope'])}, 'Failed to parse advertisement.'),
    ({'SecondaryChannel': V('s', '3M')}, 'Failed to parse advertisement.'),
    ({'Type': V('s', 'peripheral'), 'Timeout': V('q', 1), 'Discoverable': V('b', True),
      'DiscoverableTimeout': V('q', 5)}, 'Failed to parse advertisement.'),
])
def test_advert_parse_errors(app, props, err):
    with pytest.raises(DBusErr) as e:
        register_ad(app, '/ad', props)
    assert e.value.name == ERR + 'Failed' and e.value.text == err
    assert ads(app) == {}


def test_advert_31_byte_budget(app):
    # 29 bytes of data fit alone, but not with the Flags (3) the kernel adds
    # for a discoverable connectable instance on the legacy path.
    register_ad(app, '/a', {'Type': V('s', 'peripheral'), 'ManufacturerData': V('a{qv}', {1: V('ay', bytes(25))})})
    app.call('/org/bluez/hci0', 'org.freedesktop.DBus.Properties', 'Set', 'ssv',
             ('org.bluez.Adapter1', 'Discoverable', V('b', True)))
    with pytest.raises(DBusErr) as e:
        register_ad(app, '/b', {'Type': V('s', 'peripheral'),
                                'ManufacturerData': V('a{qv}', {1: V('ay', bytes(25))})})
    assert e.value.text == 'Failed to parse advertisement.'
    register_ad(app, '/c', {'Type': V('s', 'peripheral'), 'ManufacturerData': V('a{qv}', {1: V('ay', bytes(20))}),
                            'Includes': V('as', ['tx-power', 'local-name'])})
    a = ads(app)['/c']
    assert bytes(a['adv-data']).startswith(bytes([2, 1, 0x06])) and bytes(a['adv-data']).endswith(bytes([2, 0x0a, 0]))
    assert bytes(a['scan-rsp']) == bytes([10, 9]) + b'fake-hci0'


@pytest.mark.parametrize('fake', [('--adv-mgmt', 'extended')], indirect=True)
def test_advert_too_long_extended_path(app):
    app.call('/org/bluez/hci0', 'org.freedesktop.DBus.Properties', 'Set', 'ssv',
             ('org.bluez.Adapter1', 'Discoverable', V('b', True)))
    with pytest.raises(DBusErr) as e:
        register_ad(app, '/b', {'Type': V('s', 'peripheral'),
                                'ManufacturerData': V('a{qv}', {1: V('ay', bytes(26))})})
    assert e.value.text == 'Failed to register advertisement'


def test_advert_getall_and_property_changes_and_timeout(app):
    # no ObjectManager: GetManagedObjects fails (tolerated), GetAll is used
    register_ad(app, '/ad', {'Type': V('s', 'peripheral'), 'LocalName': V('s', 'one'), 'Timeout': V('q', 1)})
    assert any(c[2] == 'GetManagedObjects' for c in app.calls) is False  # answered by GDBus with an error
    assert ads(app)['/ad']['local-name'] == 'one'
    app.emit('/ad', 'org.freedesktop.DBus.Properties', 'PropertiesChanged',
             V('(sa{sv}as)', ('org.bluez.LEAdvertisement1', {'LocalName': V('s', 'two')}, [])))
    spin_until(lambda: ads(app)['/ad'].get('local-name') == 'two')
    assert bytes(ads(app)['/ad']['scan-rsp']) == bytes([4, 9]) + b'two'
    spin_until(lambda: app.calls_of('Release', '/ad'), 3)
    assert ads(app) == {}


def test_advert_owner_leaving(app, bus_address):
    other = Peer(bus_address)
    register_ad(other, '/x', {'Type': V('s', 'peripheral')})
    assert '/x' in ads(app)
    other.close()
    spin_until(lambda: ads(app) == {})


@pytest.mark.parametrize('fake', [('--experimental',)], indirect=True)
def test_advert_experimental_intervals(app):
    with pytest.raises(DBusErr):
        register_ad(app, '/a', {'MinInterval': V('u', 200), 'MaxInterval': V('u', 100)})
    register_ad(app, '/b', {'MinInterval': V('u', 100), 'MaxInterval': V('u', 200), 'TxPower': V('n', 4)})
    a = ads(app)['/b']
    assert a['min-interval'] == 160 and a['max-interval'] == 320 and a['tx-power'] == 4


def test_advert_intervals_ignored_without_experimental(app):
    register_ad(app, '/a', {'MinInterval': V('u', 200), 'MaxInterval': V('u', 100), 'TxPower': V('n', 99)})
    assert '/a' in ads(app)


# --------------------------------------------------------------------------
# agents and pairing
# --------------------------------------------------------------------------

def agent_call(p, method, *args):
    sig = {'RegisterAgent': 'os', 'UnregisterAgent': 'o', 'RequestDefaultAgent': 'o'}[method]
    return p.call('/org/bluez', 'org.bluez.AgentManager1', method, sig, args)


def test_agent_registration(app, bus_address):
    with pytest.raises(DBusErr) as e:
        agent_call(app, 'RegisterAgent', '/agent', 'Bogus')
    assert e.value.name == ERR + 'InvalidArguments'
    agent_call(app, 'RegisterAgent', '/agent', '')
    with pytest.raises(DBusErr) as e:
        agent_call(app, 'RegisterAgent', '/agent2', 'DisplayOnly')
    assert e.value.name == ERR + 'AlreadyExists'
    other = Peer(bus_address)
    agent_call(other, 'RegisterAgent', '/o', 'NoInputNoOutput')
    assert app.ctl('GetAgents')[0] == [(app.name, '/agent', 'KeyboardDisplay'),
                                       (other.name, '/o', 'NoInputNoOutput')]
    agent_call(other, 'RequestDefaultAgent', '/o')
    assert app.ctl('GetDefaultAgent') == (other.name, '/o')
    with pytest.raises(DBusErr) as e:
        agent_call(other, 'UnregisterAgent', '/wrong')
    assert e.value.name == ERR + 'DoesNotExist'
    other.close()
    spin_until(lambda: app.ctl('GetDefaultAgent') == (app.name, '/agent'))
    agent_call(app, 'UnregisterAgent', '/agent')
    assert app.ctl('GetAgents')[0] == []
    assert not app.calls_of('Release')


def test_pairing_paths(app):
    dev = app.ctl('AddDevice', 'sss', 'hci0', '11:22:33:44:55:66', 'c')[0]
    assert app.ctl('Pair', 'os', dev, 'confirm') == (False, ERR + 'AgentNotAvailable')
    for m in ('RequestConfirmation', 'RequestAuthorization', 'AuthorizeService', 'RequestPasskey',
              'RequestPinCode', 'DisplayPasskey', 'Cancel', 'Release'):
        app.export('/agent', 'org.bluez.Agent1', {}) if m == 'Release' else None
    app.handlers[('/agent', 'RequestPasskey')] = lambda a, inv: (123456,)
    app.handlers[('/agent', 'RequestPinCode')] = lambda a, inv: ('0000',)
    agent_call(app, 'RegisterAgent', '/agent', 'KeyboardDisplay')
    assert app.ctl('Pair', 'os', dev, 'confirm') == (True, '')
    c = app.calls_of('RequestConfirmation')[0]
    assert c[3] == (dev, 123456)
    props = app.call(dev, 'org.freedesktop.DBus.Properties', 'GetAll', 's', ('org.bluez.Device1',))[0]
    assert props['Paired'] and props['Bonded']
    assert app.ctl('Pair', 'os', dev, 'passkey-request') == (True, '')
    assert app.ctl('Pair', 'os', dev, 'pin') == (True, '')
    assert app.ctl('Pair', 'os', dev, 'authorize') == (True, '')
    assert app.ctl('Pair', 'os', dev, 'service:0000180d-0000-1000-8000-00805f9b34fb') == (True, '')
    assert app.calls_of('AuthorizeService')[0][3] == (dev, '0000180d-0000-1000-8000-00805f9b34fb')
    assert app.ctl('Pair', 'os', dev, 'passkey-display') == (True, '')
    spin_until(lambda: len(app.calls_of('DisplayPasskey')) == 7)
    assert [c[3][2] for c in app.calls_of('DisplayPasskey')] == list(range(7))
    app.handlers[('/agent', 'RequestConfirmation')] = lambda a, inv: (_ for _ in ()).throw(
        DBusErr('org.bluez.Error.Rejected', ''))
    assert app.ctl('Pair', 'os', dev, 'confirm') == (False, 'org.bluez.Error.Rejected')
    app.handlers[('/agent', 'RequestPasskey')] = lambda a, inv: (1,)
    assert app.ctl('Pair', 'os', dev, 'passkey-request') == (False, ERR + 'AuthenticationFailed')
    # timeout (--agent-timeout-ms 800): Cancel() is sent
    app.handlers[('/agent', 'RequestAuthorization')] = lambda a, inv: HOLD
    assert app.ctl('Pair', 'os', dev, 'authorize') == (False, 'org.freedesktop.DBus.Error.NoReply')
    spin_until(lambda: app.calls_of('Cancel'))
    # CancelPairing
    box = {}
    app.conn.call('org.bluez', CTRL_PATH, CTRL_IFACE, 'Pair', V('(os)', (dev, 'authorize')), None, 0, 5000,
                  None, lambda c, r: box.setdefault('r', c.call_finish(r).unpack()))
    spin_until(lambda: len(app.calls_of('RequestAuthorization')) == 3)
    app.ctl('CancelPairing', 'o', dev)
    spin_until(lambda: box)
    assert box['r'] == (False, 'org.bluez.Error.Canceled') and len(app.calls_of('Cancel')) == 2


# --------------------------------------------------------------------------
# restart and hotplug
# --------------------------------------------------------------------------

def test_restart_and_hotplug(app, bus_address):
    setup_app(app)
    app.export('/agent', 'org.bluez.Agent1', {})
    agent_call(app, 'RegisterAgent', '/agent', '')
    register_ad(app, '/ad', {'Type': V('s', 'peripheral')})
    owners = []
    app.conn.signal_subscribe('org.freedesktop.DBus', 'org.freedesktop.DBus', 'NameOwnerChanged',
                              '/org/freedesktop/DBus', 'org.bluez', 0, lambda *a: owners.append(a[5].unpack()))
    app.ctl('Restart')
    spin_until(lambda: len(owners) == 2)
    assert owners[0][2] == '' and owners[1][2] != '' and owners[1][2] != owners[0][1]
    assert app.ctl('GetApplications')[0] == [] and app.ctl('GetAgents')[0] == []
    assert max(db_by_handle(app)) == 0x14
    spin_until(lambda: app.calls_of('Release', '/ad') and app.calls_of('Release', '/agent'))
    # adapter hotplug
    register_ad(app, '/ad', {'Type': V('s', 'peripheral')})
    app.ctl('AddAdapter', 's', 'hci1')
    objs = app.call('/', 'org.freedesktop.DBus.ObjectManager', 'GetManagedObjects')[0]
    assert objs['/org/bluez/hci1']['org.bluez.Adapter1']['Address'] == '00:AA:01:00:00:01'
    app.ctl('RemoveAdapter', 's', 'hci0')
    spin_until(lambda: len(app.calls_of('Release', '/ad')) == 2)
    objs = app.call('/', 'org.freedesktop.DBus.ObjectManager', 'GetManagedObjects')[0]
    assert '/org/bluez/hci0' not in objs
