// SPDX-License-Identifier: LGPL-2.1-or-later
//
// A private bus with the fake BlueZ (tests/fakebluez), a few helpers to play
// the central through its control interface, and a tiny TAP runner for
// async tests. Used by the GJS test programs in this directory.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';

Gio._promisify(Gio.DBusConnection.prototype, 'call', 'call_finish');

export function assert(cond, message = 'assertion failed') {
    if (!cond)
        throw new Error(message);
}

export function assertEqual(actual, expected, message = '') {
    const a = JSON.stringify(actual, (k, v) => v instanceof Uint8Array ? Array.from(v) : v);
    const e = JSON.stringify(expected, (k, v) => v instanceof Uint8Array ? Array.from(v) : v);
    if (a !== e)
        throw new Error(`${message} expected ${e}, got ${a}`);
}

// Runs fn, which must throw a GLib.Error in domain/code.
export async function assertThrowsGError(fn, domain, code) {
    try {
        await fn();
    } catch (e) {
        if (!(e instanceof GLib.Error))
            throw new Error(`expected a GLib.Error, got ${e}`);
        if (!e.matches(domain, code))
            throw new Error(`expected error ${domain}:${code}, got ${e.domain}:${e.code} ${e.message}`);
        return e;
    }
    throw new Error('expected a GLib.Error, nothing was thrown');
}

export function sleep(ms) {
    return new Promise(resolve => GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => {
        resolve();
        return GLib.SOURCE_REMOVE;
    }));
}

export async function waitUntil(cond, timeoutMs = 3000) {
    const start = GLib.get_monotonic_time();
    while (!await cond()) {
        if (GLib.get_monotonic_time() - start > timeoutMs * 1000)
            throw new Error(`timed out waiting for ${cond}`);
        await sleep(10);
    }
}

export class Fake {
    constructor() {
        // A private bus of our own. Not Gio.TestDBus: it forks a watcher
        // process that, in GJS 1.74, hangs in SpiderMonkey's exit handlers
        // and keeps the test's stdout open for ever.
        this.daemon = Gio.Subprocess.new(
            ['dbus-daemon', '--session', '--nofork', '--nosyslog', '--print-address'],
            Gio.SubprocessFlags.STDOUT_PIPE);
        const daemonOut = new Gio.DataInputStream({base_stream: this.daemon.get_stdout_pipe()});
        const [address] = daemonOut.read_line_utf8(null);
        assert(address, 'dbus-daemon did not start');
        const python = GLib.getenv('GP_PYTHON') ?? '/usr/bin/python3';
        // The fake exits when this process dies (its stdin closes).
        this.proc = Gio.Subprocess.new(
            [python, GLib.getenv('GP_FAKEBLUEZ'), '--bus', address, '--att-timeout-ms', '1500',
                '--exit-on-stdin-eof'],
            Gio.SubprocessFlags.STDIN_PIPE | Gio.SubprocessFlags.STDOUT_PIPE);
        const out = new Gio.DataInputStream({base_stream: this.proc.get_stdout_pipe()});
        const [line] = out.read_line_utf8(null);
        assert(line === 'READY', `fake BlueZ did not start: ${line}`);
        this.address = address;
        this.conn = Gio.DBusConnection.new_for_address_sync(address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
            Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, null, null);
    }

    async init() {
        [this.device] = await this.call('AddDevice',
            new GLib.Variant('(sss)', ['hci0', '11:22:33:44:55:66', 'c']));
        return this;
    }

    // Calls the fake's control interface; the main loop keeps running, so
    // the application under test answers BlueZ meanwhile.
    async call(method, params = null) {
        const reply = await this.conn.call('org.bluez', '/org/gattperiph/FakeBlueZ',
            'org.gattperiph.FakeBlueZ1', method, params, null, Gio.DBusCallFlags.NONE,
            30000, null);
        return reply.deepUnpack();
    }

    async database() {
        const [db] = await this.call('GetDatabase', new GLib.Variant('(s)', ['hci0']));
        return db.map(e => Object.fromEntries(
            Object.entries(e).map(([k, v]) => [k, v.deepUnpack()])));
    }

    async cccHandleOf(chrc) {
        const valueHandle = chrc.handle;
        const entry = (await this.database()).find(e => e.type === 'ccc' &&
            e.handle === valueHandle + 1);
        assert(entry, `no CCC after handle ${valueHandle}`);
        return entry.handle;
    }

    // [att_error, Uint8Array] as a central reading the handle sees them.
    async read(handle, offset = 0, mtu = 517) {
        const [att, value] = await this.call('Read',
            new GLib.Variant('(oqqq)', [this.device, handle, offset, mtu]));
        return [att, Array.from(value)];
    }

    async write(handle, value, offset = 0, kind = 'request') {
        const [att] = await this.call('Write', new GLib.Variant('(oqqays)',
            [this.device, handle, offset, new Uint8Array(value), kind]));
        return att;
    }

    async subscribe(chrc, cccValue = 1) {
        return this.write(await this.cccHandleOf(chrc), [cccValue & 0xff, cccValue >> 8]);
    }

    // [[handle, [bytes], isIndication], ...] received since the last call.
    async takeNotifications() {
        const [notes] = await this.call('TakeNotifications', new GLib.Variant('(o)', [this.device]));
        return notes.map(([h, v, ind]) => [h, Array.from(v), ind]);
    }

    close() {
        this.conn.close_sync(null);
        this.proc.send_signal(15);
        this.proc.wait(null);
        this.daemon.send_signal(15);
        this.daemon.wait(null);
    }
}

// Runs [name, async fn(fake)] tests, each with a fresh bus and fake BlueZ
// when it wants one (fn.length > 0), and prints TAP.
export function runTests(tests) {
    const loop = new GLib.MainLoop(null, false);
    let failed = 0;
    print(`1..${tests.length}`);
    (async () => {
        for (const [i, [name, fn]] of tests.entries()) {
            let fake = null;
            try {
                if (fn.length > 0)
                    fake = await new Fake().init();
                await Promise.race([fn(fake), sleep(60000).then(() => {
                    throw new Error('test timed out');
                })]);
                print(`ok ${i + 1} - ${name}`);
            } catch (e) {
                failed++;
                print(`not ok ${i + 1} - ${name}`);
                for (const line of `${e}\n${e.stack ?? ''}`.split('\n'))
                    print(`# ${line}`);
            } finally {
                fake?.close();
            }
        }
    })().finally(() => loop.quit());
    loop.run();
    // Not System.exit(): with GJS 1.74 it can hang in SpiderMonkey's
    // shutdown. An uncaught exception makes gjs exit with status 1.
    if (failed)
        throw new Error(`${failed} of ${tests.length} tests failed`);
}
