/* heart-rate.vala: a Bluetooth LE heart-rate monitor (the Heart Rate
 * service, 0x180D) with libgattperiph from Vala; the same as
 * examples/heart-rate.c.
 *
 * It exports the Heart Rate Measurement characteristic (0x2A37, read and
 * notify), whose value is [flags = 0x00, bpm as uint8], sends a new
 * measurement every --interval-ms while a central is subscribed, and
 * advertises as "Heart Monitor" (appearance 0x0340, Generic Heart Rate
 * Sensor).
 *
 *   heart-rate-vala [--adapter hci0] [--interval-ms 1000] [--duration SECONDS]
 *
 * Build: valac --pkg gio-2.0 --pkg libgattperiph-1 heart-rate.vala
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

class HeartRate : Object {
    MainLoop loop = new MainLoop ();
    Gp.Application app;
    Gp.Characteristic measurement;
    Gp.Advertisement advertisement;
    uint interval_ms;
    uint timer = 0;
    uint tick = 0;
    int status = 0;

    public HeartRate (uint interval_ms) throws Error {
        this.interval_ms = interval_ms;
        app = new Gp.Application ("/org/gattperiph/example/heartrate");
        var service = new Gp.Service ("180d", true);
        measurement = new Gp.Characteristic ("2a37",
            Gp.CharacteristicFlags.READ | Gp.CharacteristicFlags.NOTIFY);
        measurement.set_value_data ({ 0x00, 72 });
        measurement.add_descriptor (new Gp.Descriptor.user_description ("Heart rate in beats per minute"));
        service.add_characteristic (measurement);
        var location = new Gp.Characteristic ("2a38", Gp.CharacteristicFlags.READ);
        location.set_value_data ({ 0x01 });  /* Body Sensor Location: chest */
        service.add_characteristic (location);
        app.add_service (service);
        measurement.notify["notifying"].connect (on_notifying);
    }

    bool on_tick () {
        tick++;
        /* A resting heart that speeds up and calms down again. */
        var bpm = (uint8) (72 + 10 * Math.sin (tick / 8.0));
        try {
            /* Stored for reads, and sent to the subscribed centrals. */
            measurement.set_value_data ({ 0x00, bpm });
            print ("heart-rate: notified %u bpm\n", bpm);
        } catch (Error e) {
            printerr ("heart-rate: %s\n", e.message);
        }
        return Source.CONTINUE;
    }

    void on_notifying () {
        if (measurement.notifying) {
            print ("heart-rate: a central subscribed\n");
            if (timer == 0)
                timer = Timeout.add (interval_ms, on_tick);
        } else {
            print ("heart-rate: no central subscribed\n");
            if (timer != 0)
                Source.remove (timer);
            timer = 0;
        }
    }

    async void start (string? adapter_name) {
        try {
            var adapter = yield Gp.Adapter.find_async (null, adapter_name, null);
            yield app.register_async (adapter, null);
            print ("heart-rate: GATT application registered on %s\n", adapter.get_interface_name ());

            /* Connectable, discoverable, advertising until stopped. */
            advertisement = new Gp.Advertisement ();
            advertisement.set_local_name ("Heart Monitor");
            advertisement.set_service_uuids ({ "180d" });
            advertisement.set_appearance (0x0340);  /* Generic Heart Rate Sensor */
            yield advertisement.start_async (adapter, null);
            print ("heart-rate: advertising as \"%s\"\n", advertisement.get_local_name ());
        } catch (Error e) {
            printerr ("heart-rate: %s\n", e.message);
            status = 1;
            loop.quit ();
        }
    }

    public int run (string? adapter_name, int duration) {
        Unix.signal_add (Posix.Signal.INT, () => { loop.quit (); return Source.REMOVE; });
        Unix.signal_add (Posix.Signal.TERM, () => { loop.quit (); return Source.REMOVE; });
        if (duration > 0)
            Timeout.add_seconds (duration, () => { loop.quit (); return Source.REMOVE; });
        start.begin (adapter_name);
        loop.run ();
        if (timer != 0)
            Source.remove (timer);
        return status;
    }
}

static string? adapter_name = null;
static int interval_ms = 1000;
static int duration = 0;

const OptionEntry[] entries = {
    { "adapter", 'a', 0, OptionArg.STRING, ref adapter_name,
      "Adapter to use (hci0, an address; default: the first powered one)", "NAME" },
    { "interval-ms", 'i', 0, OptionArg.INT, ref interval_ms,
      "Milliseconds between measurements (default 1000)", "MS" },
    { "duration", 'd', 0, OptionArg.INT, ref duration,
      "Exit after this many seconds (default: run until interrupted)", "SECONDS" },
    { null }
};

int main (string[] args) {
    var context = new OptionContext ("- a Bluetooth LE heart-rate monitor");
    context.add_main_entries (entries, null);
    try {
        context.parse (ref args);
    } catch (OptionError e) {
        printerr ("heart-rate: %s\n", e.message);
        return 2;
    }
    if (interval_ms < 10 || interval_ms > 60000) {
        printerr ("heart-rate: --interval-ms must be between 10 and 60000\n");
        return 2;
    }
    try {
        return new HeartRate ((uint) interval_ms).run (adapter_name, duration);
    } catch (Error e) {
        printerr ("heart-rate: %s\n", e.message);
        return 1;
    }
}
