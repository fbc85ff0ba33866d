// heart-rate.js: a Bluetooth LE heart-rate monitor (the Heart Rate service,
// 0x180D) with libgattperiph from JavaScript (GJS); the same as
// examples/heart-rate.c.
//
// It exports the Heart Rate Measurement characteristic (0x2A37, read and
// notify), whose value is [flags = 0x00, bpm as uint8], sends a new
// measurement every --interval-ms while a central is subscribed, and
// advertises as "Heart Monitor" (appearance 0x0340, Generic Heart Rate
// Sensor).
//
//   gjs -m heart-rate.js [--adapter hci0] [--interval-ms 1000] [--duration SECONDS]
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Gp from 'gi://GattPeriph?version=1.0';
import System from 'system';

// _async/_finish pairs return promises when called without a callback.
Gio._promisify(Gp.Adapter, 'find_async', 'find_finish');
Gio._promisify(Gp.Application.prototype, 'register_async', 'register_finish');
Gio._promisify(Gp.Advertisement.prototype, 'start_async', 'start_finish');

function parseArgs(argv) {
    const options = {adapter: null, intervalMs: 1000, duration: 0};
    for (let i = 0; i < argv.length; i++) {
        const [name, inline] = argv[i].split(/=(.*)/s);
        const value = () => inline ?? argv[++i];
        if (name === '--adapter' || name === '-a')
            options.adapter = value();
        else if (name === '--interval-ms' || name === '-i')
            options.intervalMs = Number.parseInt(value());
        else if (name === '--duration' || name === '-d')
            options.duration = Number.parseInt(value());
        else
            throw new Error(`unknown option ${name}`);
    }
    return options;
}

function main(argv) {
    let options;
    try {
        options = parseArgs(argv);
    } catch (e) {
        printerr(`heart-rate: ${e.message}`);
        return 2;
    }
    if (!(options.intervalMs >= 10 && options.intervalMs <= 60000)) {
        printerr('heart-rate: --interval-ms must be between 10 and 60000');
        return 2;
    }

    const loop = new GLib.MainLoop(null, false);
    let status = 0;
    let tick = 0;
    let timer = 0;

    const app = Gp.Application.new('/org/gattperiph/example/heartrate');
    const service = Gp.Service.new('180d', true);
    const measurement = Gp.Characteristic.new('2a37',
        Gp.CharacteristicFlags.READ | Gp.CharacteristicFlags.NOTIFY);
    measurement.set_value(new Uint8Array([0x00, 72]));
    measurement.add_descriptor(Gp.Descriptor.new_user_description('Heart rate in beats per minute'));
    service.add_characteristic(measurement);
    const location = Gp.Characteristic.new('2a38', Gp.CharacteristicFlags.READ);
    location.set_value(new Uint8Array([0x01]));  // Body Sensor Location: chest
    service.add_characteristic(location);
    app.add_service(service);

    const onTick = () => {
        tick++;
        // A resting heart that speeds up and calms down again.
        const bpm = Math.trunc(72 + 10 * Math.sin(tick / 8.0));
        try {
            // Stored for reads, and sent to the subscribed centrals.
            measurement.set_value(new Uint8Array([0x00, bpm]));
            print(`heart-rate: notified ${bpm} bpm`);
        } catch (e) {
            printerr(`heart-rate: ${e.message}`);
        }
        return GLib.SOURCE_CONTINUE;
    };

    measurement.connect('notify::notifying', () => {
        if (measurement.notifying) {
            print('heart-rate: a central subscribed');
            if (!timer)
                timer = GLib.timeout_add(GLib.PRIORITY_DEFAULT, options.intervalMs, onTick);
        } else {
            print('heart-rate: no central subscribed');
            if (timer)
                GLib.source_remove(timer);
            timer = 0;
        }
    });

    const quit = () => {
        loop.quit();
        return GLib.SOURCE_REMOVE;
    };
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 2, quit);   // SIGINT
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 15, quit);  // SIGTERM
    if (options.duration > 0)
        GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, options.duration, quit);

    const advertisement = Gp.Advertisement.new();
    (async () => {
        const adapter = await Gp.Adapter.find_async(null, options.adapter, null);
        await app.register_async(adapter, null);
        print(`heart-rate: GATT application registered on ${adapter.get_interface_name()}`);

        // Connectable, discoverable, advertising until stopped.
        advertisement.set_local_name('Heart Monitor');
        advertisement.set_service_uuids(['180d']);
        advertisement.set_appearance(0x0340);  // Generic Heart Rate Sensor
        await advertisement.start_async(adapter, null);
        print(`heart-rate: advertising as "${advertisement.get_local_name()}"`);
    })().catch(e => {
        printerr(`heart-rate: ${e.message}`);
        status = 1;
        loop.quit();
    });

    loop.run();
    if (timer)
        GLib.source_remove(timer);
    return status;
}

const status = main(System.programArgs);
if (status !== 0)
    System.exit(status);
