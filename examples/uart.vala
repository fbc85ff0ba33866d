/* uart.vala: a UART-style service (Nordic UART Service layout) with
 * libgattperiph from Vala: a central writes text to RX (6e400002, write /
 * write without response) and gets it back upper-cased as a notification
 * on TX (6e400003, notify). Advertises as "GP UART".
 *
 *   uart-vala [--adapter hci0] [--duration SECONDS]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

const string UART_SERVICE = "6e400001-b5a3-f393-e0a9-e50e24dcca9e";
const string UART_RX = "6e400002-b5a3-f393-e0a9-e50e24dcca9e";
const string UART_TX = "6e400003-b5a3-f393-e0a9-e50e24dcca9e";

/* RX: a subclass that overrides the class handler of write requests. */
class Receiver : Gp.Characteristic {
    public Gp.Characteristic transmitter { get; construct; }

    public Receiver (Gp.Characteristic transmitter) {
        Object (uuid: UART_RX,
                flags: Gp.CharacteristicFlags.WRITE | Gp.CharacteristicFlags.WRITE_WITHOUT_RESPONSE,
                /* Writes over a socket bluetoothd acquires (every one accepted). */
                acquire_write: true,
                transmitter: transmitter);
    }

    public override bool write_request (Gp.Request request) {
        var data = request.get_value ();
        var sb = new StringBuilder ();
        sb.append_len ((string) data.get_data (), (ssize_t) data.get_size ());
        print ("uart: received \"%s\" from %s\n", sb.str, request.get_device_path ());
        request.return_success ();
        if (transmitter.notifying)
            send.begin (sb.str.up ());
        return true;
    }

    /* Each reply is sent, none coalesced; the async method returns when
     * bluetoothd took it. */
    async void send (string reply) {
        try {
            yield transmitter.send_value_async (new Bytes (reply.data), null);
            print ("uart: sent \"%s\"\n", reply);
        } catch (Error e) {
            print ("uart: not sent: %s\n", e.message);
        }
    }
}

static string? adapter_name = null;
static int duration = 0;

const OptionEntry[] entries = {
    { "adapter", 'a', 0, OptionArg.STRING, ref adapter_name, "Adapter to use", "NAME" },
    { "duration", 'd', 0, OptionArg.INT, ref duration, "Exit after this many seconds", "SECONDS" },
    { null }
};

async void start (Gp.Application app, Gp.Advertisement advertisement, MainLoop loop, int* status) {
    try {
        var adapter = yield Gp.Adapter.find_async (null, adapter_name, null);
        yield app.register_async (adapter, null);
        print ("uart: GATT application registered on %s\n", adapter.get_interface_name ());
        yield advertisement.start_async (adapter, null);
        print ("uart: advertising as \"%s\"\n", advertisement.get_local_name ());
    } catch (Error e) {
        printerr ("uart: %s\n", e.message);
        *status = 1;
        loop.quit ();
    }
}

int main (string[] args) {
    var context = new OptionContext ("- a UART-style echo service");
    context.add_main_entries (entries, null);
    try {
        context.parse (ref args);
    } catch (OptionError e) {
        printerr ("uart: %s\n", e.message);
        return 2;
    }

    var loop = new MainLoop ();
    int status = 0;
    var app = new Gp.Application ("/org/gattperiph/example/uart");
    var advertisement = new Gp.Advertisement ();
    try {
        var service = new Gp.Service (UART_SERVICE, true);
        var tx = new Gp.Characteristic (UART_TX, Gp.CharacteristicFlags.NOTIFY);
        service.add_characteristic (new Receiver (tx));
        service.add_characteristic (tx);
        app.add_service (service);
    } catch (Error e) {
        printerr ("uart: %s\n", e.message);
        return 1;
    }
    advertisement.set_local_name ("GP UART");
    advertisement.set_service_uuids ({ UART_SERVICE });

    Unix.signal_add (Posix.Signal.INT, () => { loop.quit (); return Source.REMOVE; });
    Unix.signal_add (Posix.Signal.TERM, () => { loop.quit (); return Source.REMOVE; });
    if (duration > 0)
        Timeout.add_seconds (duration, () => { loop.quit (); return Source.REMOVE; });
    start.begin (app, advertisement, loop, &status);
    loop.run ();
    return status;
}
