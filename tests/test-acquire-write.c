/* test-acquire-write.c: writes over sockets bluetoothd acquires
 * (GpCharacteristic:acquire-write) against the fake BlueZ: the same write
 * path as WriteValue, reads ordered after the writes, sockets closed and
 * state reset on hang-up and unregistration, the options refused, one
 * socket per central from BlueZ 5.69, and an application on a main
 * context of its own.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fake-fixture.h"
#include "gp-attribute-private.h"

#include <string.h>

/* Writes per burst: even (see test_handler()), and fewer than the 10
 * datagrams a socket queues with the kernel's default
 * net.unix.max_dgram_qlen (bluetoothd drops the writes that do not fit). */
#define N_WRITES 8

typedef struct
{
  GpApplication    *app;
  GpService        *svc;
  GpCharacteristic *rx;     /* write-without-response + read, acquire-write */
  GpCharacteristic *plain;  /* write-without-response + read, D-Bus writes */
} Profile;

static void
profile_init (Profile     *p,
              FakeFixture *fx)
{
  g_autoptr(GError) error = NULL;
  const GpCharacteristicFlags flags = GP_CHARACTERISTIC_FLAGS_READ |
                                      GP_CHARACTERISTIC_FLAGS_WRITE_WITHOUT_RESPONSE;

  p->app = gp_application_new_for_connection (fx->conn, "/test/awrite");
  p->svc = gp_service_new ("6e400001-b5a3-f393-e0a9-e50e24dcca9e", TRUE, &error);
  g_assert_no_error (error);
  p->rx = add_chrc (p->svc, "6e400002-b5a3-f393-e0a9-e50e24dcca9e", flags);
  gp_characteristic_set_acquire_write (p->rx, TRUE);
  p->plain = add_chrc (p->svc, "6e400003-b5a3-f393-e0a9-e50e24dcca9e", flags);
  g_assert_true (gp_application_add_service (p->app, p->svc, &error));
  g_assert_no_error (error);
}

static void
profile_clear (Profile *p)
{
  g_clear_object (&p->app);
  g_clear_object (&p->svc);
}

static gboolean
bluez_582 (void)
{
  return g_strcmp0 (g_getenv ("FAKEBLUEZ_BLUEZ"), "5.82") == 0;
}

static GVariant *
numbered_values (guint first,
                 guint n)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("aay"));
  for (guint i = first; i < first + n; i++)
    {
      g_autofree char *s = g_strdup_printf ("value %u", i);
      g_variant_builder_add_value (&b, g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, s, strlen (s), 1));
    }
  return g_variant_builder_end (&b);
}

/* A central sends values first..first+n-1 as Write Commands, back to
 * back, on @device, then (if @read) reads at once; returns what it read. */
static GBytes *
write_commands (FakeFixture *fx,
                const char  *device,
                guint16      handle,
                guint        first,
                guint        n,
                gboolean     read)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;
  guint8 ecode;

  reply = fake_call (fx, "WriteCommands",
                     g_variant_new ("(oq@aayb)", device, handle, numbered_values (first, n), read),
                     "(yay)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(y@ay)", &ecode, &value);
  g_assert_cmphex (ecode, ==, 0);
  return g_bytes_new (g_variant_get_data (value), g_variant_get_size (value));
}

static void
assert_bytes_str (GBytes     *bytes,
                  const char *expected)
{
  g_autofree char *got = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  g_assert_cmpstr (got, ==, expected);
}

static guint
write_socket_count (FakeFixture *fx,
                    const char  *device_or_null)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = fake_call (fx, "GetWriteSockets", NULL, "(a(ss))", &error);
  g_autoptr(GVariantIter) iter = NULL;
  const char *chrc, *device;
  guint n = 0;

  g_assert_no_error (error);
  g_variant_get (reply, "(a(ss))", &iter);
  while (g_variant_iter_next (iter, "(&s&s)", &chrc, &device))
    if (device_or_null == NULL || g_str_equal (device, device_or_null))
      n++;
  return n;
}

/* WriteAcquired as bluetoothd's proxy would read it (Properties.Get). */
static gboolean
dbus_write_acquired (FakeFixture      *fx,
                     GpCharacteristic *chrc,
                     GError          **error)
{
  g_autoptr(GVariant) reply =
    fake_call (fx, "GetProperty",
               g_variant_new ("(soss)", g_dbus_connection_get_unique_name (fx->conn),
                              gp_attribute_get_object_path (GP_ATTRIBUTE (chrc)),
                              "org.bluez.GattCharacteristic1", "WriteAcquired"),
               "(v)", error);
  g_autoptr(GVariant) value = NULL;

  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(v)", &value);
  g_assert_true (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN));
  return g_variant_get_boolean (value);
}

static void
set_connected (FakeFixture *fx,
               const char  *device,
               gboolean     connected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply =
    fake_call (fx, "SetDeviceProperty", g_variant_new ("(osv)", device, "Connected",
                                                       g_variant_new_boolean (connected)),
               NULL, &error);

  g_assert_no_error (error);
}

static gboolean
write_acquired (gpointer chrc)
{
  return gp_characteristic_get_write_acquired (chrc);
}

static gboolean
write_released (gpointer chrc)
{
  return !gp_characteristic_get_write_acquired (chrc);
}

static void
count_notify (guint *count)
{
  (*count)++;
}

/* ---------------------------------------------------------------- */
/* Order: a read sees the last write, also right after acquiring      */

static void
test_order_stored_value (FakeFixture   *fx,
                         gconstpointer  data)
{
  Profile p = { 0 };
  g_autoptr(GError) error = NULL;
  guint16 handle;
  guint notified = 0;

  profile_init (&p, fx);
  g_signal_connect_swapped (p.rx, "notify::write-acquired", G_CALLBACK (count_notify), &notified);
  fake_register (fx, p.app);
  handle = fake_handle_of (fx, GP_ATTRIBUTE (p.rx));
  g_assert_false (gp_characteristic_get_write_acquired (p.rx));
  g_assert_false (dbus_write_acquired (fx, p.rx, &error));
  g_assert_no_error (error);

  /* The first write makes bluetoothd acquire; it queues the next ones
   * until it has our answer, and the read goes out before it sends them. */
  {
    g_autoptr(GBytes) read = write_commands (fx, fx->device, handle, 0, N_WRITES, TRUE);
    g_autofree char *last = g_strdup_printf ("value %u", N_WRITES - 1);
    assert_bytes_str (read, last);
  }
  g_assert_true (gp_characteristic_get_write_acquired (p.rx));
  g_assert_cmpuint (notified, ==, 1);
  g_assert_true (dbus_write_acquired (fx, p.rx, &error));
  g_assert_no_error (error);

  /* With the socket in place: the read comes while the writes wait in it. */
  for (guint round = 1; round < 4; round++)
    {
      g_autoptr(GBytes) read = write_commands (fx, fx->device, handle, round * N_WRITES, N_WRITES, TRUE);
      g_autofree char *last = g_strdup_printf ("value %u", (round + 1) * N_WRITES - 1);
      assert_bytes_str (read, last);
    }

  g_assert_cmpuint (fake_stat (fx, "AcquireWrite"), ==, 1);
  g_assert_cmpuint (fake_stat (fx, "WriteFdSend"), ==, 4 * N_WRITES);
  g_assert_cmpuint (fake_stat (fx, "WriteValue"), ==, 0);

  fake_unregister (fx, p.app);
  profile_clear (&p);
}

/* ---------------------------------------------------------------- */
/* A write-request handler sees every write, in order, unrefusable    */

typedef struct
{
  GPtrArray *values;
  GPtrArray *devices;
  guint      commands;
  guint      refused;
} Seen;

static gboolean
on_write (GpAttribute *attr,
          GpRequest   *request,
          Seen        *seen)
{
  g_ptr_array_add (seen->values, g_bytes_ref (gp_request_get_value (request)));
  g_ptr_array_add (seen->devices, g_strdup (gp_request_get_device_path (request)));
  if (gp_request_get_write_type (request) == GP_WRITE_TYPE_COMMAND)
    seen->commands++;
  g_assert_cmpuint (gp_request_get_offset (request), ==, 0);
  g_assert_false (gp_request_get_answered (request));

  /* Refusing is recorded, not sent (BlueZ acknowledged the write). */
  if (seen->values->len % 2 == 0)
    {
      seen->refused++;
      gp_request_return_error_literal (request, GP_ERROR_NOT_PERMITTED, "no");
    }
  else
    {
      g_assert_true (gp_attribute_set_value (attr, gp_request_get_value (request), NULL));
      gp_request_return_success (request);
    }
  g_assert_true (gp_request_get_answered (request));
  return TRUE;
}

static void
test_handler (FakeFixture   *fx,
              gconstpointer  data)
{
  Profile p = { 0 };
  Seen seen = { g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref),
                g_ptr_array_new_with_free_func (g_free), 0, 0 };
  guint16 handle;

  profile_init (&p, fx);
  g_signal_connect (p.rx, "write-request", G_CALLBACK (on_write), &seen);
  fake_register (fx, p.app);
  handle = fake_handle_of (fx, GP_ATTRIBUTE (p.rx));

  g_bytes_unref (write_commands (fx, fx->device, handle, 0, N_WRITES, FALSE));
  spin_until (write_acquired, p.rx, 5000);
  {
    /* Still in order with a read, through the handler's stores. */
    g_autoptr(GBytes) read = write_commands (fx, fx->device, handle, N_WRITES, 1, TRUE);
    g_autofree char *last = g_strdup_printf ("value %u", N_WRITES);

    /* N_WRITES + 1 writes: the last one is accepted and stored. */
    g_assert_cmpuint (seen.values->len, ==, N_WRITES + 1);
    assert_bytes_str (read, last);
  }
  for (guint i = 0; i < seen.values->len; i++)
    {
      g_autofree char *expected = g_strdup_printf ("value %u", i);

      assert_bytes_str (g_ptr_array_index (seen.values, i), expected);
      g_assert_cmpstr (g_ptr_array_index (seen.devices, i), ==, fx->device);
    }
  g_assert_cmpuint (seen.commands, ==, seen.values->len);
  g_assert_cmpuint (seen.refused, ==, seen.values->len / 2);
  g_assert_cmpuint (fake_stat (fx, "WriteValue"), ==, 0);

  fake_unregister (fx, p.app);
  g_ptr_array_unref (seen.values);
  g_ptr_array_unref (seen.devices);
  profile_clear (&p);
}

/* ---------------------------------------------------------------- */
/* Not opted in: WriteValue as before, no WriteAcquired               */

static void
test_fallback (FakeFixture   *fx,
               gconstpointer  data)
{
  Profile p = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) read = NULL;
  g_autoptr(GVariant) entry = NULL;

  profile_init (&p, fx);
  fake_register (fx, p.app);

  read = write_commands (fx, fx->device, fake_handle_of (fx, GP_ATTRIBUTE (p.plain)), 0, 5, TRUE);
  assert_bytes_str (read, "value 4");
  g_assert_cmpuint (fake_stat (fx, "AcquireWrite"), ==, 0);
  g_assert_cmpuint (fake_stat (fx, "WriteValue"), ==, 5);
  g_assert_false (gp_characteristic_get_write_acquired (p.plain));

  /* bluetoothd sees no WriteAcquired, so it never asks. */
  dbus_write_acquired (fx, p.plain, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);

  fake_unregister (fx, p.app);
  profile_clear (&p);
}

/* ---------------------------------------------------------------- */
/* Hang-up: state reset, and bluetoothd acquires again                */

static void
test_hangup (FakeFixture   *fx,
             gconstpointer  data)
{
  Profile p = { 0 };
  g_autoptr(GError) error = NULL;
  guint16 handle;

  profile_init (&p, fx);
  fake_register (fx, p.app);
  handle = fake_handle_of (fx, GP_ATTRIBUTE (p.rx));

  g_bytes_unref (write_commands (fx, fx->device, handle, 0, 3, TRUE));
  g_assert_true (gp_characteristic_get_write_acquired (p.rx));

  /* The central goes: from 5.69 bluetoothd shuts its socket down; 5.66
   * keeps its one socket for every central. */
  set_connected (fx, fx->device, FALSE);
  if (bluez_582 ())
    {
      spin_until (write_released, p.rx, 5000);
      g_assert_false (dbus_write_acquired (fx, p.rx, &error));
      g_assert_no_error (error);
    }
  else
    {
      g_assert_cmpuint (write_socket_count (fx, ""), ==, 1);
      g_assert_true (gp_characteristic_get_write_acquired (p.rx));
    }
  set_connected (fx, fx->device, TRUE);
  {
    g_autoptr(GBytes) read = write_commands (fx, fx->device, handle, 3, 3, TRUE);
    assert_bytes_str (read, "value 5");
  }
  g_assert_cmpuint (fake_stat (fx, "AcquireWrite"), ==, bluez_582 () ? 2 : 1);
  g_assert_true (gp_characteristic_get_write_acquired (p.rx));

  /* bluetoothd hangs up a socket it got (here: at once). */
  {
    GVariantDict opts;
    g_autoptr(GVariant) reply = NULL;
    const char *name;
    guint16 mtu;

    fake_unregister (fx, p.app);
    g_assert_false (gp_characteristic_get_write_acquired (p.rx));
    fake_register (fx, p.app);
    g_variant_dict_init (&opts, NULL);
    g_variant_dict_insert (&opts, "device", "o", fx->device);
    g_variant_dict_insert (&opts, "link", "s", "LE");
    g_variant_dict_insert (&opts, "mtu", "q", 185);
    reply = fake_call (fx, "AcquireWriteRaw",
                       g_variant_new ("(so@a{sv})", g_dbus_connection_get_unique_name (fx->conn),
                                      gp_attribute_get_object_path (GP_ATTRIBUTE (p.rx)),
                                      g_variant_dict_end (&opts)),
                       "(sq)", &error);
    g_assert_no_error (error);
    g_variant_get (reply, "(&sq)", &name, &mtu);
    g_assert_cmpstr (name, ==, "");
    g_assert_cmpuint (mtu, ==, 185);
    spin_until (write_released, p.rx, 5000);
    g_assert_false (dbus_write_acquired (fx, p.rx, &error));
    g_assert_no_error (error);
  }

  fake_unregister (fx, p.app);
  profile_clear (&p);
}

/* ---------------------------------------------------------------- */
/* Unregistering closes the sockets                                   */

static void
test_unregister (FakeFixture   *fx,
                 gconstpointer  data)
{
  Profile p = { 0 };
  guint16 handle;

  profile_init (&p, fx);
  fake_register (fx, p.app);
  handle = fake_handle_of (fx, GP_ATTRIBUTE (p.rx));
  g_bytes_unref (write_commands (fx, fx->device, handle, 0, 3, TRUE));
  g_assert_true (gp_characteristic_get_write_acquired (p.rx));
  g_assert_cmpuint (write_socket_count (fx, NULL), ==, 1);

  fake_unregister (fx, p.app);
  g_assert_false (gp_characteristic_get_write_acquired (p.rx));
  g_assert_cmpuint (write_socket_count (fx, NULL), ==, 0);

  /* Registered again: bluetoothd acquires again, and the value is kept. */
  fake_register (fx, p.app);
  handle = fake_handle_of (fx, GP_ATTRIBUTE (p.rx));
  {
    g_autoptr(GBytes) read = write_commands (fx, fx->device, handle, 3, 2, TRUE);
    assert_bytes_str (read, "value 4");
  }
  g_assert_cmpuint (fake_stat (fx, "AcquireWrite"), ==, 2);

  /* Dropping the application closes them too. */
  g_clear_object (&p.app);
  g_assert_false (gp_characteristic_get_write_acquired (p.rx));
  profile_clear (&p);
}

/* ---------------------------------------------------------------- */
/* Options bluetoothd never sends are refused, and not opting in too  */

static void
acquire_raw (FakeFixture      *fx,
             GpCharacteristic *chrc,
             GVariant         *options,
             const char       *expected_error)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *name;
  guint16 mtu;

  reply = fake_call (fx, "AcquireWriteRaw",
                     g_variant_new ("(so@a{sv})", g_dbus_connection_get_unique_name (fx->conn),
                                    gp_attribute_get_object_path (GP_ATTRIBUTE (chrc)), options),
                     "(sq)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(&sq)", &name, &mtu);
  g_assert_cmpstr (name, ==, expected_error);
}

static void
test_bad_options (FakeFixture   *fx,
                  gconstpointer  data)
{
  Profile p = { 0 };
  GVariantDict opts;

  profile_init (&p, fx);
  fake_register (fx, p.app);

  g_variant_dict_init (&opts, NULL);
  g_variant_dict_insert (&opts, "mtu", "s", "large");
  acquire_raw (fx, p.rx, g_variant_dict_end (&opts), "org.bluez.Error.InvalidArguments");
  g_variant_dict_init (&opts, NULL);
  g_variant_dict_insert (&opts, "device", "s", "not a path");
  acquire_raw (fx, p.rx, g_variant_dict_end (&opts), "org.bluez.Error.InvalidArguments");
  g_variant_dict_init (&opts, NULL);
  g_variant_dict_insert (&opts, "offset", "q", 4);
  acquire_raw (fx, p.rx, g_variant_dict_end (&opts), "org.bluez.Error.InvalidArguments");
  g_variant_dict_init (&opts, NULL);
  g_variant_dict_insert (&opts, "prepare-authorize", "b", TRUE);
  acquire_raw (fx, p.rx, g_variant_dict_end (&opts), "org.bluez.Error.InvalidArguments");
  g_assert_false (gp_characteristic_get_write_acquired (p.rx));

  /* Not opted in. */
  g_variant_dict_init (&opts, NULL);
  acquire_raw (fx, p.plain, g_variant_dict_end (&opts), "org.bluez.Error.NotSupported");
  g_assert_false (gp_characteristic_get_write_acquired (p.plain));

  /* A refusal bluetoothd maps to 0x0E: it sends the writes over D-Bus. */
  {
    g_autoptr(GBytes) read = write_commands (fx, fx->device, fake_handle_of (fx, GP_ATTRIBUTE (p.rx)),
                                             0, 2, TRUE);
    assert_bytes_str (read, "value 1");
  }

  fake_unregister (fx, p.app);
  profile_clear (&p);
}

/* ---------------------------------------------------------------- */
/* Refused while registered, like acquire-notify                      */

static void
test_registered (FakeFixture   *fx,
                 gconstpointer  data)
{
  Profile p = { 0 };

  profile_init (&p, fx);
  fake_register (fx, p.app);
  g_test_expect_message ("GattPeriph", G_LOG_LEVEL_CRITICAL, "*Cannot change acquire-write*");
  gp_characteristic_set_acquire_write (p.plain, TRUE);
  g_test_assert_expected_messages ();
  g_assert_false (gp_characteristic_get_acquire_write (p.plain));

  fake_unregister (fx, p.app);
  g_object_set (p.plain, "acquire-write", TRUE, NULL);
  g_assert_true (gp_characteristic_get_acquire_write (p.plain));
  profile_clear (&p);
}

/* ---------------------------------------------------------------- */
/* Two centrals: one socket each from 5.69, one for both in 5.66      */

static void
test_two_centrals (FakeFixture   *fx,
                   gconstpointer  data)
{
  Profile p = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *other = NULL;
  Seen seen = { g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref),
                g_ptr_array_new_with_free_func (g_free), 0, 0 };
  guint16 handle;

  reply = fake_call (fx, "AddDevice", g_variant_new ("(sss)", "hci0", "11:22:33:44:55:77", "second"),
                     "(o)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(o)", &other);

  profile_init (&p, fx);
  g_signal_connect (p.rx, "write-request", G_CALLBACK (on_write), &seen);
  fake_register (fx, p.app);
  handle = fake_handle_of (fx, GP_ATTRIBUTE (p.rx));

  g_bytes_unref (write_commands (fx, fx->device, handle, 0, 2, TRUE));
  g_bytes_unref (write_commands (fx, other, handle, 2, 2, TRUE));
  g_bytes_unref (write_commands (fx, fx->device, handle, 4, 2, TRUE));
  g_assert_cmpuint (seen.values->len, ==, 6);
  if (bluez_582 ())
    {
      g_assert_cmpuint (write_socket_count (fx, fx->device), ==, 1);
      g_assert_cmpuint (write_socket_count (fx, other), ==, 1);
      g_assert_cmpuint (fake_stat (fx, "AcquireWrite"), ==, 2);
      for (guint i = 0; i < 6; i++)
        g_assert_cmpstr (g_ptr_array_index (seen.devices, i), ==, i / 2 == 1 ? other : fx->device);

      /* One goes; the other keeps its socket. */
      set_connected (fx, other, FALSE);
      g_assert_cmpuint (write_socket_count (fx, NULL), ==, 1);
      g_assert_true (gp_characteristic_get_write_acquired (p.rx));
    }
  else
    {
      /* 5.66: the socket of the first central carries every write. */
      g_assert_cmpuint (write_socket_count (fx, ""), ==, 1);
      g_assert_cmpuint (fake_stat (fx, "AcquireWrite"), ==, 1);
      for (guint i = 0; i < 6; i++)
        g_assert_cmpstr (g_ptr_array_index (seen.devices, i), ==, fx->device);
    }

  fake_unregister (fx, p.app);
  g_ptr_array_unref (seen.values);
  g_ptr_array_unref (seen.devices);
  profile_clear (&p);
}

/* ---------------------------------------------------------------- */
/* An application on a main context of its own                        */

static gpointer
run_on_own_context (gpointer data)
{
  FakeFixture *fx = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  Profile p = { 0 };
  guint16 handle;

  g_main_context_push_thread_default (context);

  profile_init (&p, fx);
  fake_register (fx, p.app);
  handle = fake_handle_of (fx, GP_ATTRIBUTE (p.rx));
  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(GBytes) read = write_commands (fx, fx->device, handle, round * N_WRITES, N_WRITES, TRUE);
      g_autofree char *last = g_strdup_printf ("value %u", (round + 1) * N_WRITES - 1);

      assert_bytes_str (read, last);
    }
  g_assert_true (gp_characteristic_get_write_acquired (p.rx));
  fake_unregister (fx, p.app);
  g_assert_false (gp_characteristic_get_write_acquired (p.rx));
  profile_clear (&p);

  g_main_context_pop_thread_default (context);
  return NULL;
}

/* The global default context is never iterated meanwhile: a watch the
 * library attached there would never run, and the reads would wait. */
static void
test_own_context (FakeFixture   *fx,
                  gconstpointer  data)
{
  g_thread_join (g_thread_new ("application", run_on_own_context, fx));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn) g_test_add (name, FakeFixture, NULL, fake_fixture_setup, fn, fake_fixture_teardown)
  ADD ("/acquire-write/order/stored-value", test_order_stored_value);
  ADD ("/acquire-write/order/handler", test_handler);
  ADD ("/acquire-write/fallback", test_fallback);
  ADD ("/acquire-write/hangup", test_hangup);
  ADD ("/acquire-write/unregister", test_unregister);
  ADD ("/acquire-write/bad-options", test_bad_options);
  ADD ("/acquire-write/registered", test_registered);
  ADD ("/acquire-write/two-centrals", test_two_centrals);
  ADD ("/acquire-write/own-context", test_own_context);
#undef ADD

  return g_test_run ();
}
