// uart.js: a UART-style service (Nordic UART Service layout) with
// libgattperiph from GJS: a central writes text to RX (6e400002, write /
// write without response) and gets it back upper-cased as a notification
// on TX (6e400003, notify). Advertises as "GP UART".
//
//   gjs -m uart.js [--adapter hci0] [--duration SECONDS]
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import Gp from 'gi://GattPeriph?version=1.0';
import System from 'system';

const UART_SERVICE = '6e400001-b5a3-f393-e0a9-e50e24dcca9e';
const UART_RX = '6e400002-b5a3-f393-e0a9-e50e24dcca9e';
const UART_TX = '6e400003-b5a3-f393-e0a9-e50e24dcca9e';

Gio._promisify(Gp.Adapter, 'find_async', 'find_finish');
Gio._promisify(Gp.Application.prototype, 'register_async', 'register_finish');
Gio._promisify(Gp.Advertisement.prototype, 'start_async', 'start_finish');
Gio._promisify(Gp.Characteristic.prototype, 'send_value_async', 'send_value_finish');

// RX: a subclass that overrides the write handler (a vfunc).
const Receiver = GObject.registerClass(class Receiver extends Gp.Characteristic {
    _init(transmitter) {
        super._init({
            uuid: UART_RX,
            flags: Gp.CharacteristicFlags.WRITE | Gp.CharacteristicFlags.WRITE_WITHOUT_RESPONSE,
            // Writes over a socket bluetoothd acquires (every one accepted).
            acquire_write: true,
        });
        this._transmitter = transmitter;
    }

    vfunc_write_request(request) {
        const text = new TextDecoder().decode(request.get_value().toArray());
        print(`uart: received "${text}" from ${request.get_device_path()}`);
        request.return_success();
        if (this._transmitter.notifying) {
            // Each reply is sent, none coalesced; the promise settles when
            // bluetoothd took it.
            const reply = new TextEncoder().encode(text.toUpperCase());
            this._transmitter.send_value_async(reply, null)
                .then(() => print(`uart: sent "${text.toUpperCase()}"`))
                .catch(e => print(`uart: not sent: ${e.message}`));
        }
        return true;
    }
});

let adapterName = null;
let duration = 0;
const argv = System.programArgs;
for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--adapter' || argv[i] === '-a')
        adapterName = argv[++i];
    else if (argv[i] === '--duration' || argv[i] === '-d')
        duration = Number.parseInt(argv[++i]);
}

const loop = new GLib.MainLoop(null, false);
let status = 0;

const app = Gp.Application.new('/org/gattperiph/example/uart');
const service = Gp.Service.new(UART_SERVICE, true);
const tx = Gp.Characteristic.new(UART_TX, Gp.CharacteristicFlags.NOTIFY);
const rx = new Receiver(tx);
service.add_characteristic(rx);
service.add_characteristic(tx);
app.add_service(service);
const advertisement = Gp.Advertisement.new();
advertisement.set_local_name('GP UART');
advertisement.set_service_uuids([UART_SERVICE]);

const quit = () => {
    loop.quit();
    return GLib.SOURCE_REMOVE;
};
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 2, quit);
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 15, quit);
if (duration > 0)
    GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, duration, quit);

(async () => {
    const adapter = await Gp.Adapter.find_async(null, adapterName, null);
    await app.register_async(adapter, null);
    print(`uart: GATT application registered on ${adapter.get_interface_name()}`);
    await advertisement.start_async(adapter, null);
    print(`uart: advertising as "${advertisement.get_local_name()}"`);
})().catch(e => {
    printerr(`uart: ${e.message}`);
    status = 1;
    loop.quit();
});

loop.run();
if (status !== 0)
    System.exit(status);
