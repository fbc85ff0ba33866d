// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The core scenarios through the typelib from GJS, on the fake BlueZ:
// declare a profile, answer reads (now and later), take writes, notify and
// indicate, handle errors, subclass. Promises through Gio._promisify;
// values as Uint8Array or GLib.Bytes.
//
// Run: gjs -m tests/gjs/test-scenarios.js (with GI_TYPELIB_PATH,
// LD_LIBRARY_PATH and GP_FAKEBLUEZ set, as meson test does).

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import GObject from 'gi://GObject';
import Gp from 'gi://GattPeriph?version=1.0';

import {assert, assertEqual, assertThrowsGError, runTests, sleep, waitUntil} from './harness.js';

// What an application does once, at start-up: _async/_finish pairs return
// promises when called without a callback.
Gio._promisify(Gp.Application.prototype, 'register_async', 'register_finish');
Gio._promisify(Gp.Application.prototype, 'unregister_async', 'unregister_finish');
Gio._promisify(Gp.Characteristic.prototype, 'send_value_async', 'send_value_finish');
Gio._promisify(Gp.Adapter, 'find_async', 'find_finish');

const F = Gp.CharacteristicFlags;
const bytes = (...v) => new Uint8Array(v);
const text = s => Array.from(new TextEncoder().encode(s));

function makeApp(fake, chrcs, path = '/gjs/scenario') {
    const app = Gp.Application.new_for_connection(fake.conn, path);
    const svc = Gp.Service.new('180d', true);
    for (const c of chrcs)
        svc.add_characteristic(c);
    app.add_service(svc);
    return [app, svc];
}

const tests = [];
const test = (name, fn) => tests.push([name, fn]);

test('declare a profile', async fake => {
    const hrm = Gp.Characteristic.new('2A37', F.READ | F.NOTIFY);
    const desc = Gp.Descriptor.new_user_description('Heart rate');
    hrm.add_descriptor(desc);
    const location = Gp.Characteristic.new('2a38', F.READ);
    location.set_value(bytes(1));
    const [app, svc] = makeApp(fake, [hrm, location]);

    assertEqual(app.get_services().length, 1);
    assert(app.get_services()[0] === svc, 'get_services');
    const chrcs = svc.get_characteristics();
    assert(chrcs[0] === hrm && chrcs[1] === location, 'get_characteristics order');
    assert(hrm.get_descriptors()[0] === desc && desc.characteristic === hrm, 'descriptors');
    assertEqual(hrm.uuid, '00002a37-0000-1000-8000-00805f9b34fb');
    assertEqual(Gp.uuid_normalize('180D'), '0000180d-0000-1000-8000-00805f9b34fb');
    assert(Gp.uuid_is_valid('2a37') && !Gp.uuid_is_valid('nope'), 'uuid_is_valid');
    assert(app.adapter === null && !app.registered, 'not registered yet');

    // The adapter, found asynchronously through a promise.
    const adapter = await Gp.Adapter.find_async(fake.conn, 'hci0', null);
    assertEqual(adapter.get_interface_name(), 'hci0');

    const registered = [];
    app.connect('notify::registered', () => registered.push(app.registered));
    assertEqual(await app.register_async(adapter, null), true);
    assertEqual(registered, [true]);
    assertEqual(app.adapter.get_object_path(), adapter.get_object_path());

    const db = (await fake.database()).filter(e => e.owner);
    assertEqual(db.map(e => [e.type, e.uuid.slice(4, 8)]), [
        ['primary-service', '180d'], ['characteristic', '2a37'], ['value', '2a37'],
        ['ccc', '2902'], ['descriptor', '2901'], ['characteristic', '2a38'], ['value', '2a38'],
    ]);
    assert(hrm.handle < desc.handle && desc.handle < location.handle, 'handles');
    assertEqual(await fake.read(desc.handle), [0, text('Heart rate')]);
    assertEqual(await fake.read(location.handle), [0, [1]]);

    assertEqual(await app.unregister_async(null), true);
    assert(!app.registered, 'unregistered');
});

test('answer a read now', async fake => {
    const chrc = Gp.Characteristic.new('2a37', F.READ);
    const seen = [];
    chrc.connect('read-request', (attr, request) => {
        assert(attr === chrc && request.get_attribute() === chrc, 'attribute');
        seen.push([request.get_kind(), request.get_offset(), request.get_mtu(),
            request.get_link(), request.get_device_path(), request.get_value()]);
        request.return_value(new TextEncoder().encode('0123456789'));  // a Uint8Array
        assert(request.get_answered(), 'answered');
        return true;
    });
    const [app] = makeApp(fake, [chrc]);
    await app.register_async(null, null);
    assertEqual(await fake.read(chrc.handle), [0, text('0123456789')]);
    // The library applies the offset of a Read Blob.
    assertEqual(await fake.read(chrc.handle, 4, 64), [0, text('456789')]);
    assertEqual(seen, [
        [Gp.RequestKind.READ, 0, 517, Gp.LinkType.LE, fake.device, null],
        [Gp.RequestKind.READ, 4, 64, Gp.LinkType.LE, fake.device, null],
    ]);
});

test('answer a read later', async fake => {
    const chrc = Gp.Characteristic.new('2a37', F.READ);
    let n = 0;
    chrc.connect('read-request', (attr, request) => {
        n++;
        // Not an async function: the handler returns true at once and
        // answers when the promise settles.
        sleep(100).then(() => {
            assert(!request.get_answered(), 'not answered yet');
            if (n === 1)
                request.return_value(new GLib.Bytes(bytes(0x6c, 0x61)));  // a GLib.Bytes
            else
                request.return_error_literal(Gp.Error.NOT_AUTHORIZED, 'not now');
        });
        return true;
    });
    const [app] = makeApp(fake, [chrc]);
    await app.register_async(null, null);
    assertEqual(await fake.read(chrc.handle), [0, [0x6c, 0x61]]);
    assertEqual((await fake.read(chrc.handle))[0], 0x08);
});

test('take a write', async fake => {
    const control = Gp.Characteristic.new('2a39', F.WRITE);
    const name = Gp.Characteristic.new('12345678-1234-5678-1234-56789abcdef0', F.READ | F.WRITE);
    const taken = [];
    control.connect('write-request', (attr, request) => {
        const data = request.get_value().toArray();
        taken.push([request.get_kind(), request.get_offset(), Array.from(data)]);
        if (data.length !== 1 || data[0] !== 0x01) {
            request.return_att_error(0x80);
            return true;
        }
        request.return_success();
        return true;
    });
    name.connect('write-request', (attr, request) => {
        try {
            new TextDecoder('utf-8', {fatal: true}).decode(request.get_value().toArray());
        } catch (e) {
            request.return_error(new GLib.Error(Gp.error_quark(), Gp.Error.NOT_PERMITTED, 'not UTF-8'));
            return true;
        }
        return false;  // the default handler stores it
    });
    const [app] = makeApp(fake, [control, name]);
    await app.register_async(null, null);

    assertEqual(await fake.write(control.handle, [1]), 0);
    assertEqual(await fake.write(control.handle, [2]), 0x80);
    assertEqual(taken, [[Gp.RequestKind.WRITE, 0, [1]], [Gp.RequestKind.WRITE, 0, [2]]]);
    assertEqual(control.value.get_size(), 0);

    assertEqual(await fake.write(name.handle, text('hello')), 0);
    assertEqual(Array.from(name.value.toArray()), text('hello'));
    assertEqual(await fake.write(name.handle, [0xff, 0xfe]), 0x03);
    assertEqual(await fake.write(name.handle, text('LL'), 2, 'prepare'), 0);
    assertEqual(await fake.call('ExecuteWrite', new GLib.Variant('(ob)', [fake.device, true])), [0]);
    assertEqual(await fake.read(name.handle), [0, text('heLLo')]);
});

test('notify', async fake => {
    const hrm = Gp.Characteristic.new('2a37', F.READ | F.NOTIFY);
    const changes = [];
    hrm.connect('notify::notifying', () => changes.push(hrm.notifying));
    const [app] = makeApp(fake, [hrm]);
    await app.register_async(null, null);
    assert(!hrm.notifying, 'not notifying');

    assertEqual(await fake.subscribe(hrm, 1), 0);
    await waitUntil(() => hrm.notifying);
    for (const bpm of [60, 61, 61]) {
        hrm.set_value(bytes(0, bpm));
        await waitUntil(() => hrm.get_backlog() === 0);
    }
    let got = [];
    await waitUntil(async () => (got = got.concat(await fake.takeNotifications())).length >= 3);
    assertEqual(got, [60, 61, 61].map(b => [hrm.handle, [0, b], false]));
    // set_value_data takes a Uint8Array too.
    hrm.set_value_data(bytes(0, 62));
    await waitUntil(async () => (got = await fake.takeNotifications()).length >= 1);
    assertEqual(got, [[hrm.handle, [0, 62], false]]);

    assertEqual(await fake.subscribe(hrm, 0), 0);
    await waitUntil(() => !hrm.notifying);
    assertEqual(changes, [true, false]);
});

test('send_value_async and indications', async fake => {
    const ind = Gp.Characteristic.new('2a9c', F.READ | F.INDICATE);
    const [app] = makeApp(fake, [ind]);
    await app.register_async(null, null);

    // Nobody subscribed: the promise rejects with a GLib.Error in our domain.
    await assertThrowsGError(() => ind.send_value_async(bytes(1), null),
        Gp.error_quark(), Gp.Error.NOT_CONNECTED);

    assertEqual(await fake.subscribe(ind, 2), 0);
    await waitUntil(() => ind.notifying);
    await fake.call('SetAutoConfirm', new GLib.Variant('(b)', [false]));
    let confirmed = false;
    const sent = ind.send_value_async(new GLib.Bytes(bytes(7, 8)), null).then(r => {
        confirmed = r;
    });
    let got = [];
    await waitUntil(async () => (got = await fake.takeNotifications()).length > 0);
    assertEqual(got, [[ind.handle, [7, 8], true]]);
    await sleep(200);
    assert(!confirmed, 'completed before the confirmation');
    await fake.call('ConfirmPending', new GLib.Variant('(o)', [fake.device]));
    await sent;
    assertEqual(confirmed, true);
});

test('errors are GLib.Errors in our domain', async fake => {
    await assertThrowsGError(() => Gp.Service.new('not-a-uuid', true),
        Gp.error_quark(), Gp.Error.INVALID_ARGUMENTS);
    await assertThrowsGError(() => Gp.Characteristic.new('2a37', F.NONE),
        Gp.error_quark(), Gp.Error.INVALID_ARGUMENTS);
    await assertThrowsGError(() => Gp.uuid_normalize('xyz'),
        Gp.error_quark(), Gp.Error.INVALID_ARGUMENTS);

    const err = Gp.error_new_att(0x85);
    assert(err.matches(Gp.error_quark(), Gp.Error.FAILED), 'error_new_att domain');
    assertEqual(Gp.error_get_att_code(err, false), 0x85);
    const notPermitted = new GLib.Error(Gp.error_quark(), Gp.Error.NOT_PERMITTED, 'no');
    assertEqual(Gp.error_get_att_code(notPermitted, true), 0x03);

    const chrc = Gp.Characteristic.new('2a37', F.READ | F.WRITE);
    const codes = [0x9f, 0x81];
    const refuse = (attr, request) => {
        request.return_error(Gp.error_new_att(codes.shift()));
        return true;
    };
    chrc.connect('read-request', refuse);
    chrc.connect('write-request', refuse);
    const [app, svc] = makeApp(fake, [chrc]);
    await app.register_async(null, null);
    assertEqual((await fake.read(chrc.handle))[0], 0x9f);
    assertEqual(await fake.write(chrc.handle, [1]), 0x81);

    await assertThrowsGError(() => app.register_async(null, null),
        Gp.error_quark(), Gp.Error.ALREADY_EXISTS);
    await assertThrowsGError(() => svc.add_characteristic(Gp.Characteristic.new('2a38', F.READ)),
        Gp.error_quark(), Gp.Error.NOT_PERMITTED);
    await assertThrowsGError(() => chrc.set_value(new Uint8Array(513)),
        Gp.error_quark(), Gp.Error.INVALID_VALUE_LENGTH);
    await app.unregister_async(null);
    await assertThrowsGError(() => app.unregister_async(null),
        Gp.error_quark(), Gp.Error.DOES_NOT_EXIST);
});

test('subclasses override the request vfuncs', async fake => {
    const Echo = GObject.registerClass(class Echo extends Gp.Characteristic {
        _init() {
            super._init({
                uuid: '6e400002-b5a3-f393-e0a9-e50e24dcca9e',
                flags: F.READ | F.WRITE,
                value: new GLib.Bytes(bytes(0x2d)),
            });
            this.writes = 0;
            this.last = null;
        }

        vfunc_write_request(request) {
            this.writes++;
            this.last = request.get_value().toArray();
            request.return_success();
            return true;
        }

        vfunc_read_request(request) {
            if (this.last === null)
                return super.vfunc_read_request(request);  // chain up: the stored value
            request.return_value(this.last.map(c => c >= 0x61 && c <= 0x7a ? c - 0x20 : c));
            return true;
        }
    });
    const Label = GObject.registerClass(class Label extends Gp.Descriptor {
        vfunc_read_request(request) {
            request.return_value(new TextEncoder().encode('label'));
            return true;
        }
    });

    const echo = new Echo();
    const label = new Label({uuid: '2901', flags: Gp.DescriptorFlags.READ});
    echo.add_descriptor(label);
    const [app] = makeApp(fake, [echo]);
    await app.register_async(null, null);
    assertEqual(await fake.read(echo.handle), [0, [0x2d]]);
    assertEqual(await fake.write(echo.handle, text('abc')), 0);
    assertEqual(await fake.read(echo.handle), [0, text('ABC')]);
    assertEqual(await fake.read(label.handle), [0, text('label')]);
    assertEqual(echo.writes, 1);
});

test('Uint8Array and GLib.Bytes both pass as values', async () => {
    const chrc = Gp.Characteristic.new('2a37', F.READ);
    chrc.set_value(bytes(0, 72));
    assertEqual(Array.from(chrc.get_value().toArray()), [0, 72]);
    chrc.set_value(new GLib.Bytes(bytes(0, 73)));
    assertEqual(Array.from(chrc.value.toArray()), [0, 73]);
    chrc.value = new GLib.Bytes(bytes(0, 74));  // a property takes a GLib.Bytes
    assertEqual(Array.from(chrc.get_value().toArray()), [0, 74]);
    let threw = false;
    try {
        chrc.set_value('text');
    } catch (e) {
        threw = true;
    }
    assert(threw, 'a string is not a value');
});

runTests(tests);
