/* fake-fixture.c: a private bus with the fake BlueZ, for the C tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fake-fixture.h"
#include "gp-attribute-private.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#define CONTROL_PATH "/org/gattperiph/FakeBlueZ"
#define CONTROL_IFACE "org.gattperiph.FakeBlueZ1"

/* GTestDBus forks a watcher process the first time it starts a
 * dbus-daemon: the watcher kills the daemons when the test process goes,
 * which it learns from the end of its pipe from the test process. Before
 * GLib 2.76 that pipe is not close-on-exec, and every later dbus-daemon
 * inherits its write end: when a test crashes in its second fixture or
 * later, the pipe stays open, the watcher never kills the daemon, and
 * both keep the test's stdout and stderr open, so meson sees the crash
 * only at its timeout (300 s). Marking the process's descriptors
 * close-on-exec after each start keeps the pipe out of later daemons
 * (GLib hands a daemon the descriptors it means to on purpose). The
 * watcher can also miss the last daemon (2.74 and 2.84 alike: see
 * gp-test-dbus-daemon.c, which tests/meson.build makes GTestDBus run
 * instead of dbus-daemon, so that the daemon dies with the test). */
void
fake_test_dbus_up (GTestDBus *bus)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_test_dbus_up (bus);
  dir = g_dir_open ("/proc/self/fd", 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      int fd = atoi (name);
      int flags = fd > 2 ? fcntl (fd, F_GETFD) : -1;

      if (flags >= 0 && (flags & FD_CLOEXEC) == 0)
        fcntl (fd, F_SETFD, flags | FD_CLOEXEC);
    }
}

/* GP_TEST_CRASH=abort (or segv) makes every fixture test crash once the
 * private bus and the fake BlueZ are up: tests/crash-report checks that the
 * suite reports such a crash at once rather than at meson's timeout. */
static void
crash_if_asked (void)
{
  const char *how = g_getenv ("GP_TEST_CRASH");
  const char *at = g_getenv ("GP_TEST_CRASH_AT");
  static guint setups;

  if (how == NULL || *how == '\0')
    return;
  if (at != NULL && ++setups < (guint) atoi (at))
    return;
  g_printerr ("GP_TEST_CRASH=%s: crashing on purpose\n", how);
  if (strcmp (how, "segv") == 0)
    raise (SIGSEGV);
  abort ();
}

/* In the fake's child: SIGKILL when the test process dies. Its stdin's
 * end-of-file does the same for a running fake, but tests stop it
 * (SIGSTOP), and a stopped fake would keep the test's output open until
 * the harness times out (300 s) after a failed assertion. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

void
fake_fixture_setup (FakeFixture   *fx,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *line = NULL;
  const char *fake_py = g_getenv ("GP_FAKEBLUEZ");
  const char *python = g_getenv ("GP_PYTHON");
  const char *address;

  g_assert_nonnull (fake_py);
  fx->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  fake_test_dbus_up (fx->bus);
  address = g_test_dbus_get_bus_address (fx->bus);

  /* The fake exits when our end of its stdin closes, so a test that
   * crashes does not leave it running. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  fx->fake = g_subprocess_launcher_spawn (launcher, &error,
                                          python != NULL ? python : "/usr/bin/python3",
                                          fake_py, "--bus", address, "--att-timeout-ms", "1500",
                                          "--exit-on-stdin-eof", NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fx->fake));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "READY");

  fx->conn = g_dbus_connection_new_for_address_sync (address,
                                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                     NULL, NULL, &error);
  g_assert_no_error (error);

  {
    g_autoptr(GVariant) reply =
      fake_call (fx, "AddDevice", g_variant_new ("(sss)", "hci0", "11:22:33:44:55:66", "central"),
                 "(o)", &error);
    g_assert_no_error (error);
    g_variant_get (reply, "(o)", &fx->device);
  }
  crash_if_asked ();
}

void
fake_fixture_teardown (FakeFixture   *fx,
                       gconstpointer  data)
{
  g_clear_pointer (&fx->device, g_free);
  if (fx->fake != NULL)
    {
      g_subprocess_send_signal (fx->fake, SIGTERM);
      g_subprocess_wait (fx->fake, NULL, NULL);
      g_clear_object (&fx->fake);
    }
  g_dbus_connection_close_sync (fx->conn, NULL, NULL);
  g_clear_object (&fx->conn);
  g_test_dbus_down (fx->bus);
  g_clear_object (&fx->bus);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  return *slot;
}

static GVariant *
control_call (FakeFixture  *fx,
              const char   *dest,
              const char   *method,
              GVariant     *parameters,
              const char   *reply_type,
              GError      **error)
{
  GAsyncResult *result = NULL;
  GVariant *reply;

  g_dbus_connection_call (fx->conn, dest, CONTROL_PATH, CONTROL_IFACE, method,
                          parameters, reply_type != NULL ? G_VARIANT_TYPE (reply_type) : NULL,
                          G_DBUS_CALL_FLAGS_NONE, 30000, NULL, store_result, &result);
  reply = g_dbus_connection_call_finish (fx->conn, wait_result (&result), error);
  g_object_unref (result);
  return reply;
}

GVariant *
fake_call (FakeFixture  *fx,
           const char   *method,
           GVariant     *parameters,
           const char   *reply_type,
           GError      **error)
{
  return control_call (fx, "org.bluez", method, parameters, reply_type, error);
}

GVariant *
fake_control_call (FakeFixture *fx,
                   const char  *method,
                   GVariant    *parameters,
                   const char  *reply_type)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply = control_call (fx, "org.gattperiph.FakeBlueZ", method, parameters,
                                  reply_type, &error);

  g_assert_no_error (error);
  return reply;
}

/* A count calls nothing back: synchronous, so that it dispatches nothing
 * of the test's main context (it is used in spin_until() conditions). */
guint
fake_control_count (FakeFixture *fx,
                    const char  *method,
                    const char  *reply_type)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) list = NULL;

  reply = g_dbus_connection_call_sync (fx->conn, "org.gattperiph.FakeBlueZ", CONTROL_PATH,
                                       CONTROL_IFACE, method, NULL, G_VARIANT_TYPE (reply_type),
                                       G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
  g_assert_no_error (error);
  list = g_variant_get_child_value (reply, 0);
  return g_variant_n_children (list);
}

gboolean
fake_register_error (FakeFixture    *fx,
                     GpApplication  *app,
                     GError        **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  gp_application_register_async (app, NULL, NULL, store_result, &result);
  ok = gp_application_register_finish (app, wait_result (&result), error);
  g_object_unref (result);
  return ok;
}

void
fake_register (FakeFixture   *fx,
               GpApplication *app)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (fake_register_error (fx, app, &error));
  g_assert_no_error (error);
  g_assert_true (gp_application_get_registered (app));
}

void
fake_unregister (FakeFixture   *fx,
                 GpApplication *app)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  gp_application_unregister_async (app, NULL, store_result, &result);
  g_assert_true (gp_application_unregister_finish (app, wait_result (&result), &error));
  g_assert_no_error (error);
  g_object_unref (result);
  g_assert_false (gp_application_get_registered (app));
}

GVariant *
fake_db_entry (FakeFixture *fx,
               const char  *path,
               const char  *type)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = fake_call (fx, "GetDatabase", g_variant_new ("(s)", "hci0"),
                                         "(aa{sv})", &error);
  g_autoptr(GVariant) entries = NULL;
  GVariantIter iter;
  GVariant *entry;

  g_assert_no_error (error);
  entries = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, entries);
  while ((entry = g_variant_iter_next_value (&iter)) != NULL)
    {
      const char *p = NULL, *t = NULL;

      g_variant_lookup (entry, "path", "&o", &p);
      g_variant_lookup (entry, "type", "&s", &t);
      if (p != NULL && t != NULL && strcmp (p, path) == 0 && strcmp (t, type) == 0)
        return entry;
      g_variant_unref (entry);
    }
  return NULL;
}

guint16
fake_handle_of (FakeFixture *fx,
                GpAttribute *attr)
{
  g_autoptr(GVariant) entry = NULL;
  const char *path = gp_attribute_get_object_path (attr);
  guint16 handle = 0;

  g_assert_nonnull (path);
  entry = fake_db_entry (fx, path, GP_IS_CHARACTERISTIC (attr) ? "value" : "descriptor");
  g_assert_nonnull (entry);
  g_assert_true (g_variant_lookup (entry, "handle", "q", &handle));
  return handle;
}

guint16
fake_ccc_handle_of (FakeFixture      *fx,
                    GpCharacteristic *chrc)
{
  /* BlueZ puts its CCC right after the value (before any CEP or
   * application descriptor). */
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = fake_call (fx, "GetDatabase", g_variant_new ("(s)", "hci0"),
                                         "(aa{sv})", &error);
  g_autoptr(GVariant) entries = g_variant_get_child_value (reply, 0);
  guint16 value_handle = fake_handle_of (fx, GP_ATTRIBUTE (chrc));

  for (gsize i = 0; i < g_variant_n_children (entries); i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (entries, i);
      const char *t = NULL;
      guint16 h = 0;

      g_variant_lookup (entry, "type", "&s", &t);
      g_variant_lookup (entry, "handle", "q", &h);
      if (g_strcmp0 (t, "ccc") == 0 && h == value_handle + 1)
        return h;
    }
  g_assert_not_reached ();
  return 0;
}

guint8
fake_read (FakeFixture  *fx,
           guint16       handle,
           guint16       offset,
           guint16       mtu,
           GBytes      **out_value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = fake_call (fx, "Read",
                                         g_variant_new ("(oqqq)", fx->device, handle, offset, mtu),
                                         "(yay)", &error);
  g_autoptr(GVariant) value = NULL;
  guint8 att;

  g_assert_no_error (error);
  g_variant_get (reply, "(y@ay)", &att, &value);
  if (out_value != NULL)
    *out_value = g_variant_get_data_as_bytes (value);
  return att;
}

guint8
fake_write (FakeFixture *fx,
            guint16      handle,
            guint16      offset,
            GBytes      *value,
            const char  *kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply =
    fake_call (fx, "Write",
               g_variant_new ("(oqq@ays)", fx->device, handle, offset,
                              g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, value, TRUE),
                              kind),
               "(y)", &error);
  guint8 att;

  g_assert_no_error (error);
  g_variant_get (reply, "(y)", &att);
  return att;
}

guint8
fake_subscribe (FakeFixture      *fx,
                GpCharacteristic *chrc,
                guint16           ccc_value)
{
  guint8 le[2] = { ccc_value & 0xff, ccc_value >> 8 };
  g_autoptr(GBytes) v = g_bytes_new (le, 2);

  return fake_write (fx, fake_ccc_handle_of (fx, chrc), 0, v, "request");
}

GVariant *
fake_take_notifications (FakeFixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = fake_call (fx, "TakeNotifications", g_variant_new ("(o)", fx->device),
                                         "(a(qayb))", &error);

  g_assert_no_error (error);
  return g_variant_get_child_value (reply, 0);
}

guint
fake_collect_notifications (FakeFixture *fx,
                            guint16      handle,
                            GPtrArray   *values)
{
  g_autoptr(GVariant) list = fake_take_notifications (fx);
  GVariantIter iter;
  GVariant *value;
  guint16 h;
  gboolean indication;
  guint indications = 0;

  g_variant_iter_init (&iter, list);
  while (g_variant_iter_loop (&iter, "(q@ayb)", &h, &value, &indication))
    if (handle == 0 || h == handle)
      {
        g_ptr_array_add (values, g_variant_get_data_as_bytes (value));
        indications += indication;
      }
  return indications;
}

static gboolean
set_true (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The helpers spin the thread-default context, so that a test can run an
 * application in a thread of its own. */
static GSource *
timeout_on_thread_default (guint     ms,
                           gboolean *flag)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, set_true, flag, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

static gboolean
look_again (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
spin_until_impl (gboolean  (*cond) (gpointer),
                 gpointer    data,
                 guint       timeout_ms,
                 const char *what)
{
  gboolean timed_out = FALSE;
  GSource *timeout = timeout_on_thread_default (timeout_ms, &timed_out);
  GSource *poll = g_timeout_source_new (SPIN_LOOK_AGAIN_MS);

  /* A condition that asks the fake BlueZ (fake_stat() and the like run
   * this context until the answer comes) may consume, in there, the very
   * event that would have woken the loop below, and still see the state
   * from before it: nothing would wake us until the timeout. So look
   * again every SPIN_LOOK_AGAIN_MS. */
  g_source_set_callback (poll, look_again, NULL, NULL);
  g_source_attach (poll, g_main_context_get_thread_default ());
  while (!cond (data) && !timed_out)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  g_source_destroy (poll);
  g_source_unref (poll);
  g_source_destroy (timeout);
  g_source_unref (timeout);
  if (!cond (data))
    g_error ("Timed out after %u ms waiting for %s", timeout_ms, what);
}

void
spin_for (guint ms)
{
  gboolean done = FALSE;
  GSource *timeout = timeout_on_thread_default (ms, &done);

  while (!done)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  g_source_unref (timeout);
}

/* The state letter of /proc/PID/stat ('T' when stopped). */
static char
fake_state (FakeFixture *fx)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", g_subprocess_get_identifier (fx->fake));
  g_autofree char *stat = NULL;
  const char *end;

  g_assert_true (g_file_get_contents (path, &stat, NULL, NULL));
  end = strrchr (stat, ')');   /* after the command name, which may hold spaces */
  g_assert_nonnull (end);
  return end[2];
}

static void
fake_signal_until (FakeFixture *fx,
                   int          signum,
                   gboolean     stopped)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  g_subprocess_send_signal (fx->fake, signum);
  while ((fake_state (fx) == 'T') != stopped)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (200);
    }
}

void
fake_stop (FakeFixture *fx)
{
  fake_signal_until (fx, SIGSTOP, TRUE);
}

void
fake_cont (FakeFixture *fx)
{
  fake_signal_until (fx, SIGCONT, FALSE);
}

GBytes *
bytes_from_string (const char *s)
{
  return g_bytes_new (s, strlen (s));
}

GpCharacteristic *
add_chrc (GpService             *service,
          const char            *uuid,
          GpCharacteristicFlags  flags)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpCharacteristic) c = gp_characteristic_new (uuid, flags, &error);

  g_assert_no_error (error);
  g_assert_true (gp_service_add_characteristic (service, c, &error));
  return c;  /* the service holds it */
}

gboolean
is_notifying (gpointer characteristic)
{
  return gp_characteristic_get_notifying (characteristic);
}

gboolean
not_notifying (gpointer characteristic)
{
  return !gp_characteristic_get_notifying (characteristic);
}

gboolean
app_is_registered (gpointer application)
{
  return gp_application_get_registered (application);
}

gboolean
app_not_registered (gpointer application)
{
  return !gp_application_get_registered (application);
}

void
fake_fixture_setup_with_args (FakeFixture        *fx,
                              const char * const *extra_args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *line = NULL;
  const char *fake_py = g_getenv ("GP_FAKEBLUEZ");
  const char *python = g_getenv ("GP_PYTHON");
  const char *address;

  g_assert_nonnull (fake_py);
  fx->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  fake_test_dbus_up (fx->bus);
  address = g_test_dbus_get_bus_address (fx->bus);

  g_ptr_array_add (argv, (gpointer) (python != NULL ? python : "/usr/bin/python3"));
  g_ptr_array_add (argv, (gpointer) fake_py);
  g_ptr_array_add (argv, (gpointer) "--bus");
  g_ptr_array_add (argv, (gpointer) address);
  g_ptr_array_add (argv, (gpointer) "--att-timeout-ms");
  g_ptr_array_add (argv, (gpointer) "1500");
  g_ptr_array_add (argv, (gpointer) "--exit-on-stdin-eof");
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  fx->fake = g_subprocess_newv ((const char * const *) argv->pdata,
                                G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE,
                                &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fx->fake));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "READY");

  fx->conn = g_dbus_connection_new_for_address_sync (address,
                                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                     NULL, NULL, &error);
  g_assert_no_error (error);

  {
    g_autoptr(GVariant) reply =
      fake_call (fx, "AddDevice", g_variant_new ("(sss)", "hci0", "11:22:33:44:55:66", "central"),
                 "(o)", &error);
    g_assert_no_error (error);
    g_variant_get (reply, "(o)", &fx->device);
  }
  crash_if_asked ();
}

GVariant *
fake_advertisement (FakeFixture *fx,
                    const char  *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = fake_call (fx, "GetAdvertisements", NULL, "(aa{sv})", &error);
  g_autoptr(GVariant) ads = NULL;

  g_assert_no_error (error);
  ads = g_variant_get_child_value (reply, 0);
  for (gsize i = 0; i < g_variant_n_children (ads); i++)
    {
      GVariant *ad = g_variant_get_child_value (ads, i);
      const char *p = NULL;

      g_variant_lookup (ad, "path", "&o", &p);
      if (g_strcmp0 (p, path) == 0)
        return ad;
      g_variant_unref (ad);
    }
  return NULL;
}

guint
fake_advertisement_count (FakeFixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = fake_call (fx, "GetAdvertisements", NULL, "(aa{sv})", &error);
  g_autoptr(GVariant) ads = NULL;

  g_assert_no_error (error);
  ads = g_variant_get_child_value (reply, 0);
  return g_variant_n_children (ads);
}

guint64
fake_stat (FakeFixture *fx,
           const char  *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = fake_call (fx, "GetStats", NULL, "(a{sv})", &error);
  g_autoptr(GVariant) stats = NULL;
  guint64 value = 0;

  g_assert_no_error (error);
  stats = g_variant_get_child_value (reply, 0);
  g_variant_lookup (stats, name, "t", &value);
  return value;
}

gboolean
fake_stat_reached (gpointer wait)
{
  FakeStatWait *w = wait;

  return fake_stat (w->fx, w->name) >= w->n;
}

void
fake_wait_stat (FakeFixture *fx,
                const char  *name,
                guint64      n,
                guint        timeout_ms)
{
  FakeStatWait w = { fx, name, n };

  spin_until (fake_stat_reached, &w, timeout_ms);
}

static void
store_call_result (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

void
fake_set_bluez_property (FakeFixture *fx,
                         const char  *path,
                         const char  *interface,
                         const char  *name,
                         GVariant    *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GAsyncResult *result = NULL;

  g_dbus_connection_call (fx->conn, "org.bluez", path, "org.freedesktop.DBus.Properties", "Set",
                          g_variant_new ("(ssv)", interface, name, value), NULL,
                          G_DBUS_CALL_FLAGS_NONE, 10000, NULL, store_call_result, &result);
  while (result == NULL)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  reply = g_dbus_connection_call_finish (fx->conn, result, &error);
  g_object_unref (result);
  g_assert_no_error (error);
}
