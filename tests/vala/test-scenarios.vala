/* test-scenarios.vala: the core scenarios through the VAPI from Vala, on
 * the fake BlueZ: declare a profile, answer reads (now and later), take
 * writes, notify and indicate, handle errors, subclass. Async methods are
 * Vala async methods, errors are thrown as Gp.Error.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

const Gp.CharacteristicFlags READ = Gp.CharacteristicFlags.READ;
const Gp.CharacteristicFlags WRITE = Gp.CharacteristicFlags.WRITE;
const Gp.CharacteristicFlags NOTIFY = Gp.CharacteristicFlags.NOTIFY;
const Gp.CharacteristicFlags INDICATE = Gp.CharacteristicFlags.INDICATE;

/* The fake BlueZ on a private bus, and the central it plays. */
class Fake : Object {
    public DBusConnection conn;
    public string device;
    TestDBus bus;
    Subprocess proc;

    public Fake () throws Error {
        bus = new TestDBus (TestDBusFlags.NONE);
        bus.up ();
        var python = Environment.get_variable ("GP_PYTHON") ?? "/usr/bin/python3";
        /* The fake exits when this process dies (its stdin closes). */
        proc = new Subprocess (SubprocessFlags.STDIN_PIPE | SubprocessFlags.STDOUT_PIPE, python,
                               Environment.get_variable ("GP_FAKEBLUEZ"),
                               "--bus", bus.get_bus_address (), "--att-timeout-ms", "1500",
                               "--exit-on-stdin-eof");
        var stdout_lines = new DataInputStream (proc.get_stdout_pipe ());
        assert (stdout_lines.read_line_utf8 () == "READY");
        conn = new DBusConnection.for_address_sync (bus.get_bus_address (),
            DBusConnectionFlags.AUTHENTICATION_CLIENT | DBusConnectionFlags.MESSAGE_BUS_CONNECTION, null, null);
    }

    public async void init_device () throws Error {
        var r = yield call ("AddDevice", new Variant ("(sss)", "hci0", "11:22:33:44:55:66", "c"));
        device = r.get_child_value (0).get_string ();
    }

    /* Control calls are async: the application answers BlueZ meanwhile. */
    public async Variant call (string method, Variant? parameters) throws Error {
        return yield conn.call ("org.bluez", "/org/gattperiph/FakeBlueZ", "org.gattperiph.FakeBlueZ1",
                                method, parameters, null, DBusCallFlags.NONE, 30000, null);
    }

    public async Variant database () throws Error {
        var r = yield call ("GetDatabase", new Variant ("(s)", "hci0"));
        return r.get_child_value (0);
    }

    public async uint16 ccc_handle_of (Gp.Characteristic chrc) throws Error {
        var db = yield database ();
        foreach (var entry in db) {
            string? type = null;
            uint16 handle = 0;
            entry.lookup ("type", "s", out type);
            entry.lookup ("handle", "q", out handle);
            if (type == "ccc" && handle == chrc.handle + 1)
                return handle;
        }
        assert_not_reached ();
    }

    /* The ATT error of the last read. */
    public uint8 att;

    /* The value read (its ATT error goes to att). */
    public async Bytes read (uint handle, uint offset = 0, uint mtu = 517) throws Error {
        var r = yield call ("Read", new Variant ("(oqqq)", device, (uint16) handle, (uint16) offset, (uint16) mtu));
        att = r.get_child_value (0).get_byte ();
        return r.get_child_value (1).get_data_as_bytes ();
    }

    public async uint8 write (uint handle, uint8[] data, uint offset = 0, string kind = "request") throws Error {
        var v = new Variant.from_bytes (VariantType.BYTESTRING, new Bytes (data), true);
        var r = yield call ("Write", new Variant ("(oqq@ays)", device, (uint16) handle, (uint16) offset, v, kind));
        return r.get_child_value (0).get_byte ();
    }

    public async uint8 subscribe (Gp.Characteristic chrc, uint16 ccc) throws Error {
        var h = yield ccc_handle_of (chrc);
        return yield write (h, { (uint8) (ccc & 0xff), (uint8) (ccc >> 8) });
    }

    /* (handle, value, is_indication) received since the last call. */
    public async Variant take_notifications () throws Error {
        var r = yield call ("TakeNotifications", new Variant ("(o)", device));
        return r.get_child_value (0);
    }

    public void close () {
        try {
            conn.close_sync ();
        } catch (Error e) {
        }
        proc.send_signal (15);
        try {
            proc.wait ();
        } catch (Error e) {
        }
        bus.down ();
    }
}

string str (Bytes? b) {
    if (b == null)
        return "(null)";
    /* GBytes are not nul-terminated. */
    var sb = new StringBuilder ();
    sb.append_len ((string) b.get_data (), (ssize_t) b.get_size ());
    return sb.str;
}

Bytes text (string s) {
    return new Bytes (s.data);
}

async void sleep_ms (uint ms) {
    Timeout.add (ms, sleep_ms.callback);
    yield;
}

delegate bool Condition ();

async void wait_until (Condition cond, uint timeout_ms = 3000) {
    var start = get_monotonic_time ();
    while (!cond ()) {
        if (get_monotonic_time () - start > timeout_ms * 1000)
            error ("timed out waiting");
        yield sleep_ms (10);
    }
}

Gp.Application make_app (Fake fake, Gp.Characteristic[] chrcs, out Gp.Service svc) throws Error {
    var app = new Gp.Application.for_connection (fake.conn, "/vala/scenario");
    svc = new Gp.Service ("180d", true);
    foreach (var c in chrcs)
        svc.add_characteristic (c);
    app.add_service (svc);
    return app;
}

/* ---------------------------------------------------------------- */

async void test_declare_profile (Fake fake) throws Error {
    var hrm = new Gp.Characteristic ("2A37", READ | NOTIFY);
    var desc = new Gp.Descriptor.user_description ("Heart rate");
    hrm.add_descriptor (desc);
    var location = new Gp.Characteristic ("2a38", READ);
    location.set_value_data ({ 1 });
    Gp.Service svc;
    var app = make_app (fake, { hrm, location }, out svc);

    assert (app.get_services ().length () == 1 && app.get_services ().data == svc);
    var chrcs = svc.get_characteristics ();
    assert (chrcs.nth_data (0) == hrm && chrcs.nth_data (1) == location);
    assert (hrm.get_descriptors ().data == desc && desc.characteristic == hrm);
    assert (hrm.uuid == "00002a37-0000-1000-8000-00805f9b34fb");
    assert (Gp.uuid_normalize ("180D") == "0000180d-0000-1000-8000-00805f9b34fb");
    assert (!app.registered && app.adapter == null);

    var adapter = yield Gp.Adapter.find_async (fake.conn, "hci0", null);
    assert (adapter.get_interface_name () == "hci0");
    bool[] registered = {};
    app.notify["registered"].connect (() => registered += app.registered);
    assert (yield app.register_async (adapter, null));
    assert (registered.length == 1 && registered[0]);
    assert (app.adapter.get_object_path () == adapter.get_object_path ());

    assert (hrm.handle != 0 && hrm.handle < desc.handle && desc.handle < location.handle);
    Bytes v;
    v = yield fake.read (desc.handle);
    assert (fake.att == 0 && str (v) == "Heart rate");
    v = yield fake.read (location.handle);
    assert (fake.att == 0 && v.compare (new Bytes ({ 1 })) == 0);

    assert (yield app.unregister_async (null));
    assert (!app.registered);
}

async void test_read_now (Fake fake) throws Error {
    var chrc = new Gp.Characteristic ("2a37", READ);
    string[] seen = {};
    chrc.read_request.connect ((request) => {
        assert (request.get_attribute () == chrc && request.get_value () == null);
        assert (request.get_kind () == Gp.RequestKind.READ && request.get_link () == Gp.LinkType.LE);
        seen += "%u/%u/%s".printf (request.get_offset (), request.get_mtu (), request.get_device_path ());
        request.return_value (text ("0123456789"));
        assert (request.get_answered ());
        return true;
    });
    Gp.Service svc;
    var app = make_app (fake, { chrc }, out svc);
    yield app.register_async (null, null);
    Bytes v;
    v = yield fake.read (chrc.handle);
    assert (fake.att == 0 && str (v) == "0123456789");
    /* The library applies the offset of a Read Blob. */
    v = yield fake.read (chrc.handle, 4, 64);
    assert (fake.att == 0 && str (v) == "456789");
    assert (seen.length == 2);
    assert (seen[0] == "0/517/" + fake.device);
    assert (seen[1] == "4/64/" + fake.device);
}

async void test_read_later (Fake fake) throws Error {
    var chrc = new Gp.Characteristic ("2a37", READ);
    int n = 0;
    chrc.read_request.connect ((request) => {
        n++;
        /* The closure keeps the request; it is answered from the main loop. */
        Timeout.add (100, () => {
            assert (!request.get_answered ());
            if (n == 1)
                request.return_value (text ("later"));
            else
                request.return_error (new Gp.Error.NOT_AUTHORIZED ("not now"));
            return Source.REMOVE;
        });
        return true;
    });
    Gp.Service svc;
    var app = make_app (fake, { chrc }, out svc);
    yield app.register_async (null, null);
    Bytes v;
    v = yield fake.read (chrc.handle);
    assert (fake.att == 0 && str (v) == "later");
    v = yield fake.read (chrc.handle);
    assert (fake.att == 0x08);
}

async void test_take_write (Fake fake) throws Error {
    var control = new Gp.Characteristic ("2a39", WRITE);
    var name = new Gp.Characteristic ("12345678-1234-5678-1234-56789abcdef0", READ | WRITE);
    int taken = 0;
    control.write_request.connect ((request) => {
        unowned uint8[] data = request.get_value ().get_data ();
        assert (request.get_kind () == Gp.RequestKind.WRITE && request.get_offset () == 0);
        taken++;
        if (data.length != 1 || data[0] != 0x01) {
            request.return_att_error (0x80);
            return true;
        }
        request.return_success ();
        return true;
    });
    name.write_request.connect ((request) => {
        unowned uint8[] data = request.get_value ().get_data ();
        if (!((string) data).validate (data.length)) {
            request.return_error_literal (Gp.Error.NOT_PERMITTED, "not UTF-8");
            return true;
        }
        return false;   /* the default handler stores it */
    });
    Gp.Service svc;
    var app = make_app (fake, { control, name }, out svc);
    yield app.register_async (null, null);

    assert ((yield fake.write (control.handle, { 1 })) == 0);
    assert ((yield fake.write (control.handle, { 2 })) == 0x80);
    assert (taken == 2 && control.get_value ().get_size () == 0);

    assert ((yield fake.write (name.handle, "hello".data)) == 0);
    assert (str (name.value) == "hello");
    assert ((yield fake.write (name.handle, { 0xff, 0xfe })) == 0x03);
    assert ((yield fake.write (name.handle, "LL".data, 2, "prepare")) == 0);
    var r = yield fake.call ("ExecuteWrite", new Variant ("(ob)", fake.device, true));
    assert (r.get_child_value (0).get_byte () == 0);
    Bytes v;
    v = yield fake.read (name.handle);
    assert (fake.att == 0 && str (v) == "heLLo");
}

async void test_notify (Fake fake) throws Error {
    var hrm = new Gp.Characteristic ("2a37", READ | NOTIFY);
    int changes = 0;
    hrm.notify["notifying"].connect (() => changes++);
    Gp.Service svc;
    var app = make_app (fake, { hrm }, out svc);
    yield app.register_async (null, null);
    assert (!hrm.notifying);

    assert ((yield fake.subscribe (hrm, 1)) == 0);
    yield wait_until (() => hrm.notifying);
    foreach (uint8 bpm in new uint8[] { 60, 61, 61 }) {
        hrm.set_value (new Bytes ({ 0, bpm }));
        yield wait_until (() => hrm.get_backlog () == 0);
    }
    Variant[] got = {};
    for (int i = 0; i < 300 && got.length < 3; i++) {
        foreach (var n in yield fake.take_notifications ())
            got += n;
        yield sleep_ms (10);
    }
    assert (got.length == 3);
    uint8[] expected = { 60, 61, 61 };
    for (int i = 0; i < 3; i++) {
        uint16 h;
        Variant value;
        bool indication;
        got[i].get ("(q@ayb)", out h, out value, out indication);
        assert (h == hrm.handle && !indication);
        assert (value.get_data_as_bytes ().compare (new Bytes ({ 0, expected[i] })) == 0);
    }

    assert ((yield fake.subscribe (hrm, 0)) == 0);
    yield wait_until (() => !hrm.notifying);
    assert (changes == 2);
}

async void test_send_value_and_indicate (Fake fake) throws Error {
    var ind = new Gp.Characteristic ("2a9c", READ | INDICATE);
    Gp.Service svc;
    var app = make_app (fake, { ind }, out svc);
    yield app.register_async (null, null);

    /* Nobody subscribed: the async method throws. */
    try {
        yield ind.send_value_async (text ("x"), null);
        assert_not_reached ();
    } catch (Gp.Error.NOT_CONNECTED e) {
    }

    assert ((yield fake.subscribe (ind, 2)) == 0);
    yield wait_until (() => ind.notifying);
    yield fake.call ("SetAutoConfirm", new Variant ("(b)", false));
    bool confirmed = false;
    ind.send_value_async.begin (text ("ind"), null, (obj, res) => {
        try {
            confirmed = ind.send_value_async.end (res);
        } catch (Error e) {
            error ("%s", e.message);
        }
    });
    Variant? got = null;
    for (int i = 0; i < 300 && got == null; i++) {
        var notes = yield fake.take_notifications ();
        if (notes.n_children () > 0)
            got = notes.get_child_value (0);
        else
            yield sleep_ms (10);
    }
    assert (got != null);
    uint16 h;
    Variant value;
    bool indication;
    got.get ("(q@ayb)", out h, out value, out indication);
    assert (h == ind.handle && indication && str (value.get_data_as_bytes ()) == "ind");
    yield sleep_ms (200);
    assert (!confirmed);
    yield fake.call ("ConfirmPending", new Variant ("(o)", fake.device));
    yield wait_until (() => confirmed);
}

async void test_errors (Fake fake) throws Error {
    try {
        new Gp.Service ("not-a-uuid", true);
        assert_not_reached ();
    } catch (Gp.Error.INVALID_ARGUMENTS e) {
    }
    try {
        new Gp.Characteristic ("2a37", Gp.CharacteristicFlags.NONE);
        assert_not_reached ();
    } catch (Gp.Error e) {
        assert (e is Gp.Error.INVALID_ARGUMENTS && e.domain == Gp.Error.quark ());
    }

    var err = Gp.Error.new_att (0x85);
    assert (err is Gp.Error.FAILED);
    assert (Gp.Error.get_att_code (err, false) == 0x85);
    assert (Gp.Error.get_att_code (new Gp.Error.NOT_PERMITTED ("no"), true) == 0x03);

    var chrc = new Gp.Characteristic ("2a37", READ | WRITE);
    uint8[] codes = { 0x9f, 0x81 };
    int next = 0;
    chrc.read_request.connect ((r) => { r.return_error (Gp.Error.new_att (codes[next++])); return true; });
    chrc.write_request.connect ((r) => { r.return_att_error (codes[next++]); return true; });
    Gp.Service svc;
    var app = make_app (fake, { chrc }, out svc);
    yield app.register_async (null, null);
    Bytes v;
    v = yield fake.read (chrc.handle);
    assert (fake.att == 0x9f);
    assert ((yield fake.write (chrc.handle, { 1 })) == 0x81);

    try {
        yield app.register_async (null, null);
        assert_not_reached ();
    } catch (Gp.Error.ALREADY_EXISTS e) {
    }
    try {
        svc.add_characteristic (new Gp.Characteristic ("2a38", READ));
        assert_not_reached ();
    } catch (Gp.Error.NOT_PERMITTED e) {
    }
    try {
        chrc.set_value (new Bytes (new uint8[513]));
        assert_not_reached ();
    } catch (Gp.Error.INVALID_VALUE_LENGTH e) {
    }
    yield app.unregister_async (null);
    try {
        yield app.unregister_async (null);
        assert_not_reached ();
    } catch (Gp.Error.DOES_NOT_EXIST e) {
    }
}

/* A subclass overrides the class handlers of the request signals. */
class Echo : Gp.Characteristic {
    public int writes = 0;
    Bytes? last = null;

    public Echo () {
        Object (uuid: "6e400002-b5a3-f393-e0a9-e50e24dcca9e",
                flags: Gp.CharacteristicFlags.READ | Gp.CharacteristicFlags.WRITE,
                value: new Bytes ("-".data));
    }

    public override bool write_request (Gp.Request request) {
        writes++;
        last = request.get_value ();
        request.return_success ();
        return true;
    }

    public override bool read_request (Gp.Request request) {
        if (last == null)
            return base.read_request (request);   /* chain up: the stored value */
        request.return_value (new Bytes (str (last).up ().data));
        return true;
    }
}

class Label : Gp.Descriptor {
    public override bool read_request (Gp.Request request) {
        request.return_value (text ("label"));
        return true;
    }
}

async void test_subclass (Fake fake) throws Error {
    var echo = new Echo ();
    var label = (Label) Object.new (typeof (Label), uuid: "2901", flags: Gp.DescriptorFlags.READ);
    echo.add_descriptor (label);
    Gp.Service svc;
    var app = make_app (fake, { echo }, out svc);
    yield app.register_async (null, null);
    Bytes v;
    v = yield fake.read (echo.handle);
    assert (fake.att == 0 && str (v) == "-");
    assert ((yield fake.write (echo.handle, "abc".data)) == 0);
    v = yield fake.read (echo.handle);
    assert (fake.att == 0 && str (v) == "ABC");
    v = yield fake.read (label.handle);
    assert (fake.att == 0 && str (v) == "label");
    assert (echo.writes == 1);
}

/* ---------------------------------------------------------------- */

delegate void Start (Fake fake, AsyncReadyCallback cb);
delegate void Finish (AsyncResult res) throws Error;

/* Runs one async test on a fresh bus and fake BlueZ. */
void add_async (string path, owned Start start, owned Finish finish) {
    Test.add_data_func (path, () => {
        var loop = new MainLoop ();
        Fake fake = null;
        try {
            fake = new Fake ();
            fake.init_device.begin ((o, r) => {
                try {
                    fake.init_device.end (r);
                } catch (Error e) {
                    error ("%s", e.message);
                }
                loop.quit ();
            });
            loop.run ();
        } catch (Error e) {
            error ("%s", e.message);
        }
        start (fake, (o, r) => {
            try {
                finish (r);
            } catch (Error e) {
                error ("%s: %d %s", e.domain.to_string (), e.code, e.message);
            }
            loop.quit ();
        });
        loop.run ();
        fake.close ();
    });
}

int main (string[] args) {
    Test.init (ref args);
    add_async ("/vala/declare-profile", (f, cb) => test_declare_profile.begin (f, cb), (r) => test_declare_profile.end (r));
    add_async ("/vala/read-now", (f, cb) => test_read_now.begin (f, cb), (r) => test_read_now.end (r));
    add_async ("/vala/read-later", (f, cb) => test_read_later.begin (f, cb), (r) => test_read_later.end (r));
    add_async ("/vala/take-write", (f, cb) => test_take_write.begin (f, cb), (r) => test_take_write.end (r));
    add_async ("/vala/notify", (f, cb) => test_notify.begin (f, cb), (r) => test_notify.end (r));
    add_async ("/vala/send-value-indicate", (f, cb) => test_send_value_and_indicate.begin (f, cb),
               (r) => test_send_value_and_indicate.end (r));
    add_async ("/vala/errors", (f, cb) => test_errors.begin (f, cb), (r) => test_errors.end (r));
    add_async ("/vala/subclass", (f, cb) => test_subclass.begin (f, cb), (r) => test_subclass.end (r));
    return Test.run ();
}
