// SPDX-License-Identifier: LGPL-2.1-or-later
//
// bindings/gjs/gattperiph.js on the fake BlueZ: once loaded (as the
// legacy `imports.gattperiph`, GJS_PATH pointing at bindings/gjs), every
// *_async method of the namespace returns a Promise when called without a
// callback, with no Gio._promisify in this file.
//
// Run: gjs -m tests/gjs/test-promises.js (GJS_PATH, GI_TYPELIB_PATH,
// LD_LIBRARY_PATH and GP_FAKEBLUEZ set, as meson test does).

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Gp from 'gi://GattPeriph?version=1.0';

import {assert, assertEqual, assertThrowsGError, runTests, waitUntil} from './harness.js';

// What GJS does by itself, before the module: GJS 1.74 needs the callback.
const nativePromises = (() => {
    try {
        const cancelled = new Gio.Cancellable();
        cancelled.cancel();
        const p = Gp.Adapter.find_async(null, 'none', cancelled);
        p?.catch?.(() => {});
        return p instanceof Promise;
    } catch (e) {
        return false;
    }
})();
print(`# GJS ${imports.system.version}: promises without a callback before gattperiph.js: ${nativePromises}`);

const {GattPeriph} = imports.gattperiph;
const F = Gp.CharacteristicFlags;

const tests = [];
const test = (name, fn) => tests.push([name, fn]);

test('the module patches the gi:// namespace: every _async pair', async () => {
    assert(GattPeriph === Gp, 'imports.gattperiph gives the gi:// namespace');
    const expected = [
        'Adapter.find_async', 'Adapter.set_alias_async', 'Adapter.set_discoverable_async',
        'Adapter.set_pairable_async', 'Adapter.set_powered_async',
        'Advertisement.start_async', 'Advertisement.stop_async',
        'Agent.register_async', 'Agent.unregister_async',
        'Application.register_async', 'Application.unregister_async',
        'Characteristic.send_value_async', 'Device.disconnect_async',
        'Device.remove_async', 'Device.set_trusted_async',
    ];
    const wrapped = [];
    for (const key of Object.keys(Gp)) {
        const k = Gp[key];
        if (typeof k !== 'function' || !k.$gtype)
            continue;
        for (const target of [k, k.prototype]) {
            for (const name of Object.getOwnPropertyNames(target)) {
                if (name.endsWith('_async')) {
                    assert(target[name].__gattperiphPromise, `${key}.${name} is not promisified`);
                    wrapped.push(`${key}.${name}`);
                }
            }
        }
    }
    assertEqual(wrapped.sort(), expected);
    // Loading it again changes nothing.
    assert(imports.gattperiph.GattPeriph === Gp);
});

test('await the async pairs; errors reject', async fake => {
    const adapter = await Gp.Adapter.find_async(fake.conn, 'hci0');
    assertEqual(adapter.get_interface_name(), 'hci0');
    await assertThrowsGError(() => Gp.Adapter.find_async(fake.conn, 'hci7'),
        Gp.error_quark(), Gp.Error.NOT_AVAILABLE);

    const app = Gp.Application.new_for_connection(fake.conn, '/gjs/promises');
    const svc = Gp.Service.new('180d', true);
    const hrm = Gp.Characteristic.new('2a37', F.READ | F.NOTIFY);
    svc.add_characteristic(hrm);
    app.add_service(svc);
    assertEqual(await app.register_async(adapter), true);
    assert(app.registered);

    assertEqual(await fake.subscribe(hrm), 0);
    await waitUntil(() => hrm.notifying);
    assertEqual(await hrm.send_value_async(new GLib.Bytes(new Uint8Array([0, 80])), null), true);
    const notes = await fake.takeNotifications();
    assertEqual(notes.map(n => n[1]), [[0, 80]]);

    const agent = Gp.Agent.new_for_connection(fake.conn, '/gjs/agent',
        Gp.AgentCapability.NO_INPUT_NO_OUTPUT);
    assertEqual(await agent.register_async(true), true);
    assertEqual(await agent.unregister_async(), true);

    const adv = Gp.Advertisement.new_for_connection(fake.conn, '/gjs/adv');
    adv.set_local_name('Promises');
    assertEqual(await adv.start_async(adapter), true);
    assertEqual(await adv.stop_async(), true);

    assertEqual(await app.unregister_async(), true);
    assert(!app.registered);
});

test('a callback still gets the introspected call', async fake => {
    const adapter = await new Promise((resolve, reject) => {
        const ret = Gp.Adapter.find_async(fake.conn, 'hci0', null, (_s, res) => {
            try {
                resolve(Gp.Adapter.find_finish(res));
            } catch (e) {
                reject(e);
            }
        });
        assert(ret === undefined, 'no promise with a callback');
    });
    assertEqual(adapter.get_interface_name(), 'hci0');
});

test('a cancelled cancellable rejects with CANCELLED', async fake => {
    const app = Gp.Application.new_for_connection(fake.conn, '/gjs/cancelled');
    app.add_service(Gp.Service.new('180d', true));
    const cancellable = new Gio.Cancellable();
    const p = app.register_async(null, cancellable);
    cancellable.cancel();
    await assertThrowsGError(() => p, Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED);
    await waitUntil(() => app.registration_state === Gp.RegistrationState.UNREGISTERED);
    assertEqual(await app.register_async(null), true);
});

runTests(tests);
