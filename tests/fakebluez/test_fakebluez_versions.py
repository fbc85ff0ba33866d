# SPDX-License-Identifier: LGPL-2.1-or-later
"""The fake's version switch (--bluez 5.66 | 5.82, $FAKEBLUEZ_BLUEZ): each
behaviour that differs between the two releases, as observed in the sandbox
(tests/sandbox/scenarios/40-bluez-differences; docs/bluez-quirks.md)."""

import socket

import pytest

import gi
gi.require_version('Gio', '2.0')
from gi.repository import Gio  # noqa: E402

from test_fakebluez import (  # noqa: F401  (bus_address, fake, app are fixtures)
    DBusErr, Fake, HOLD, H_C0, H_C2, V, ads, app, bus_address, fake, register_ad,
    setup_app, spin, spin_until, wr, notifs)

V566 = ('--bluez', '5.66')
V582 = ('--bluez', '5.82')
BOTH = pytest.mark.parametrize('fake', [V566, V582], indirect=True, ids=['5.66', '5.82'])


def version_of(request):
    return request.node.callspec.id


@BOTH
def test_write_length_limits(app, request):
    """5.66 refuses a write past 510 bytes and a prepared write past offset +
    length 508 (check_length() counted the handle); 5.82 allows 512."""
    dev = setup_app(app)
    new = version_of(request) == '5.82'
    assert wr(app, dev, H_C0, bytes(510)) == 0
    assert wr(app, dev, H_C0, bytes(511)) == (0 if new else 0x0D)
    assert wr(app, dev, H_C0, bytes(512)) == (0 if new else 0x0D)
    assert wr(app, dev, H_C0, bytes(513)) == 0x0D
    assert wr(app, dev, H_C2, bytes(8), 'prepare', 500) == 0
    assert app.ctl('ExecuteWrite', 'ob', dev, False)[0] == 0
    assert wr(app, dev, H_C2, bytes(12), 'prepare', 500) == (0 if new else 0x0D)
    assert app.ctl('ExecuteWrite', 'ob', dev, False)[0] == 0
    assert wr(app, dev, H_C2, bytes(13), 'prepare', 500) == 0x0D


@BOTH
def test_advertising_manager_capabilities_without_experimental(app, request):
    """SupportedCapabilities (MaxAdvLen, ...) and SupportedFeatures: only with
    -E in 5.66, always in 5.82: probe for them, do not assume them."""
    props = app.call('/org/bluez/hci0', 'org.freedesktop.DBus.Properties', 'GetAll', 's',
                     ('org.bluez.LEAdvertisingManager1',))[0]
    new = version_of(request) == '5.82'
    assert ('SupportedCapabilities' in props) == new
    assert ('SupportedFeatures' in props) == new
    if new:
        assert props['SupportedCapabilities']['MaxAdvLen'] == 31


@BOTH
def test_advert_intervals_and_tx_power_without_experimental(app, request):
    """MinInterval/MaxInterval/TxPower are read without -E in 5.82 only."""
    register_ad(app, '/b', {'MinInterval': V('u', 100), 'MaxInterval': V('u', 200), 'TxPower': V('n', 4)})
    a = ads(app)['/b']
    if version_of(request) == '5.82':
        assert a['min-interval'] == 160 and a['max-interval'] == 320 and a['tx-power'] == 4
        with pytest.raises(DBusErr):
            register_ad(app, '/c', {'MinInterval': V('u', 200), 'MaxInterval': V('u', 100)})
    else:
        assert 'min-interval' not in a and 'tx-power' not in a
        register_ad(app, '/c', {'MinInterval': V('u', 200), 'MaxInterval': V('u', 100)})


def notify_app(app):
    app.object_manager('/app')
    app.service('/app/s', '180d')
    app.chrc('/app/s/n', '/app/s', '2a37', ['notify'], NotifyAcquired=V('b', False))
    app.register_app()
    socks = []

    def acquire(args, inv):
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        socks.append((args[0]['device'], mine))
        fdl = Gio.UnixFDList.new()
        idx = fdl.append(theirs.fileno())
        theirs.close()
        inv.return_value_with_unix_fd_list(V('(hq)', (idx, 23)), fdl)
        return HOLD
    app.handlers[('/app/s/n', 'AcquireNotify')] = acquire
    a = app.ctl('AddDevice', 'sss', 'hci0', '11:22:33:44:55:66', 'a')[0]
    b = app.ctl('AddDevice', 'sss', 'hci0', '11:22:33:44:55:77', 'b')[0]
    return socks, a, b


H_N, H_NCCC = 0x17, 0x18


@pytest.mark.parametrize('fake', [V566], indirect=True, ids=['5.66'])
def test_acquire_notify_one_socket_for_all_devices_566(app):
    socks, a, b = notify_app(app)
    assert wr(app, a, H_NCCC, b'\x01\x00') == 0
    spin_until(lambda: len(socks) == 1)
    assert wr(app, b, H_NCCC, b'\x01\x00') == 0
    spin(0.1)
    assert len(app.calls_of('AcquireNotify')) == 1
    socks[0][1].send(b'all')
    spin_until(lambda: app.ctl('GetStats')[0].get('notifications', 0) >= 2)
    assert notifs(app, a) == [(H_N, b'all', False)] and notifs(app, b) == [(H_N, b'all', False)]
    socks[0][1].close()


@pytest.mark.parametrize('fake', [V582], indirect=True, ids=['5.82'])
def test_acquire_notify_one_socket_per_device_582(app):
    """5.82: one AcquireNotify per subscribed device ('device' option), what
    the app writes into a socket goes to that device only, and the device's
    socket is closed when it disconnects."""
    socks, a, b = notify_app(app)
    assert wr(app, a, H_NCCC, b'\x01\x00') == 0
    spin_until(lambda: len(socks) == 1)
    assert wr(app, b, H_NCCC, b'\x01\x00') == 0
    spin_until(lambda: len(socks) == 2)
    assert [d for d, _ in socks] == [a, b]
    by_dev = dict(socks)
    by_dev[a].send(b'to-a')
    by_dev[b].send(b'to-b')
    spin_until(lambda: app.ctl('GetStats')[0].get('notifications', 0) >= 2)
    assert notifs(app, a) == [(H_N, b'to-a', False)]
    assert notifs(app, b) == [(H_N, b'to-b', False)]
    # b unsubscribes: only its socket is closed
    assert wr(app, b, H_NCCC, b'\x00\x00') == 0
    spin(0.05)
    assert by_dev[b].recv(10) == b''
    by_dev[a].setblocking(False)
    with pytest.raises(BlockingIOError):
        by_dev[a].recv(10)
    # a disconnects: its socket is shut down too
    app.ctl('SetDeviceProperty', 'osv', a, 'Connected', V('b', False))
    spin(0.05)
    by_dev[a].setblocking(True)
    assert by_dev[a].recv(10) == b''
    for _, s in socks:
        s.close()


def test_version_from_environment(bus_address, monkeypatch):
    """$FAKEBLUEZ_BLUEZ picks the version when --bluez is not given, so a
    whole test suite can run against either."""
    monkeypatch.setenv('FAKEBLUEZ_BLUEZ', '5.82')
    from test_fakebluez import Peer
    f = Fake(bus_address, version_from_env=True)
    p = Peer(bus_address)
    try:
        props = p.call('/org/bluez/hci0', 'org.freedesktop.DBus.Properties', 'GetAll', 's',
                       ('org.bluez.LEAdvertisingManager1',))[0]
        assert 'SupportedCapabilities' in props
    finally:
        p.close()
        f.stop()
    assert f.proc.returncode == 0


@BOTH
@pytest.mark.parametrize('error,falls_back', [
    ('org.bluez.Error.NotAvailable', True),
    ('org.bluez.Error.NotSupported', True),
    ('org.freedesktop.DBus.Error.UnknownMethod', True),
    ('org.bluez.Error.Failed', False),
], ids=['not-available', 'not-supported', 'unknown-method', 'failed'])
def test_acquire_notify_error_falls_back(app, error, falls_back):
    """acquire_notify_reply() of 5.66 and 5.82: an error from AcquireNotify
    makes bluetoothd call StartNotify (values then come as signals), except
    org.bluez.Error.Failed and NoReply, after which it does nothing: the
    central's subscription gets no values."""
    socks, a, _b = notify_app(app)

    def refuse(args, inv):
        raise DBusErr(error, 'no socket')
    app.handlers[('/app/s/n', 'AcquireNotify')] = refuse
    assert wr(app, a, H_NCCC, b'\x01\x00') == 0
    spin_until(lambda: len(app.calls_of('AcquireNotify')) == 1)
    spin(0.1)
    assert len(app.calls_of('StartNotify')) == (1 if falls_back else 0)
    assert not socks
    # Values as signals reach the subscribed central either way: bluetoothd
    # sends a Value signal to every central whose CCC is set.
    app.value_changed('/app/s/n', b'signal')
    spin_until(lambda: app.ctl('GetStats')[0].get('notifications', 0) >= 1)
    assert notifs(app, a) == [(H_N, b'signal', False)]
