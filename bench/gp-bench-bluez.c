/* gp-bench-bluez.c: a minimal bluetoothd stand-in that drives a benchmark
 * server and measures it.
 *
 * It owns org.bluez on a private bus, exports an ObjectManager at / with
 * one powered adapter (/org/bluez/hci0, Adapter1 + GattManager1), spawns
 * the server given after "--", answers its RegisterApplication after
 * reading its tree with GetManagedObjects (as bluetoothd does), then:
 *
 *   --mode rw        ReadValue / WriteValue calls with bluetoothd's options
 *                    {device, link, mtu}, sequential and with K outstanding;
 *                    the server's CPU time per call (clock_getcpuclockid,
 *                    all threads, ns) and wall time per call
 *   --mode register  the registration numbers (server-side time, the
 *                    GetManagedObjects round trip, reply size, RSS)
 *   --mode notify    StartNotify, then counts the PropertiesChanged signals
 *                    that arrive for --duration seconds (Peer.Ping is
 *                    answered by GDBus itself, as bluetoothd answers it)
 *   --mode notify-fd AcquireNotify (with bluetoothd's options), then counts
 *                    the datagrams read from the socket for --duration
 *                    seconds, on a thread of their own
 *
 * It prints one JSON object on stdout. Nothing here asserts on speed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bench-common.h"

#include <errno.h>
#include <gio/gunixfdlist.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct
{
  GDBusConnection       *conn;
  GDBusNodeInfo         *node;
  GMainLoop             *loop;

  GSubprocess           *server;
  GPid                   server_pid;
  GPid                   daemon_pid;
  GDataInputStream      *server_out;
  GPtrArray             *server_lines;
  gboolean               server_gone;

  char                  *app_sender;
  char                  *app_path;
  GPtrArray             *chrc_paths;
  guint                  n_objects;
  gsize                  gmo_bytes;
  gint64                 gmo_us;
  gboolean               registered;
  char                  *register_error;

  /* notify */
  gint                   signals_received;   /* atomic, counted on the I/O thread */
} Bench;

static Bench B;

/* Options */
static char   *opt_bus;
static int     opt_daemon_pid;
static char   *opt_mode = "rw";
static int     opt_calls = 10000;
static char   *opt_concurrency = "1,8";
static char   *opt_methods = "read,write";
static int     opt_reps = 3;
static double  opt_duration = 5.0;
static char   *opt_label = "";

static GOptionEntry entries[] = {
  { "bus", 0, 0, G_OPTION_ARG_STRING, &opt_bus, "D-Bus address of the private bus", "ADDR" },
  { "daemon-pid", 0, 0, G_OPTION_ARG_INT, &opt_daemon_pid, "PID of its dbus-daemon", "PID" },
  { "mode", 0, 0, G_OPTION_ARG_STRING, &opt_mode, "rw, register, notify or notify-fd", "MODE" },
  { "calls", 0, 0, G_OPTION_ARG_INT, &opt_calls, "calls per repetition (rw)", "N" },
  { "concurrency", 0, 0, G_OPTION_ARG_STRING, &opt_concurrency, "outstanding calls, a list (rw)", "1,8" },
  { "methods", 0, 0, G_OPTION_ARG_STRING, &opt_methods, "read,write (rw)", "LIST" },
  { "reps", 0, 0, G_OPTION_ARG_INT, &opt_reps, "repetitions (rw)", "N" },
  { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &opt_duration, "seconds of notifications (notify)", "S" },
  { "label", 0, 0, G_OPTION_ARG_STRING, &opt_label, "label copied to the output", "NAME" },
  { NULL }
};

static void
die (const char *fmt,
     ...) G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN;

static void
die (const char *fmt,
     ...)
{
  va_list ap;

  va_start (ap, fmt);
  fprintf (stderr, "gp-bench-bluez: ");
  vfprintf (stderr, fmt, ap);
  fprintf (stderr, "\n");
  va_end (ap);
  if (B.server != NULL)
    g_subprocess_force_exit (B.server);
  exit (1);
}

/* ------------------------------------------------------------------ */
/* The stand-in: ObjectManager at /, GattManager1 at /org/bluez/hci0    */

static GVariant *
bluez_managed_objects (void)
{
  GVariantBuilder objects, adapter, props;

  g_variant_builder_init (&props, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&props, "{sv}", "Address", g_variant_new_string ("00:AA:01:00:00:01"));
  g_variant_builder_add (&props, "{sv}", "AddressType", g_variant_new_string ("public"));
  g_variant_builder_add (&props, "{sv}", "Name", g_variant_new_string ("bench"));
  g_variant_builder_add (&props, "{sv}", "Alias", g_variant_new_string ("bench"));
  g_variant_builder_add (&props, "{sv}", "Powered", g_variant_new_boolean (TRUE));
  g_variant_builder_add (&props, "{sv}", "Discoverable", g_variant_new_boolean (FALSE));
  g_variant_builder_add (&props, "{sv}", "Pairable", g_variant_new_boolean (TRUE));

  g_variant_builder_init (&adapter, G_VARIANT_TYPE ("a{sa{sv}}"));
  g_variant_builder_add (&adapter, "{sa{sv}}", "org.bluez.Adapter1", &props);
  g_variant_builder_add (&adapter, "{s@a{sv}}", "org.bluez.GattManager1",
                         g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
  g_variant_builder_add (&adapter, "{s@a{sv}}", "org.bluez.LEAdvertisingManager1",
                         g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));

  g_variant_builder_init (&objects, G_VARIANT_TYPE ("a{oa{sa{sv}}}"));
  g_variant_builder_add (&objects, "{oa{sa{sv}}}", BENCH_ADAPTER_PATH, &adapter);
  return g_variant_new ("(@a{oa{sa{sv}}})", g_variant_builder_end (&objects));
}

static void
root_method_call (GDBusConnection       *connection,
                  const char            *sender,
                  const char            *object_path,
                  const char            *interface_name,
                  const char            *method_name,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation,
                  gpointer               user_data)
{
  if (strcmp (method_name, "GetManagedObjects") == 0)
    g_dbus_method_invocation_return_value (invocation, bluez_managed_objects ());
  else
    g_dbus_method_invocation_return_dbus_error (invocation, "org.freedesktop.DBus.Error.UnknownMethod",
                                                method_name);
}

static const GDBusInterfaceVTable root_vtable = { root_method_call, NULL, NULL, { 0 } };

static int
cmp_paths (gconstpointer a,
           gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static void
got_app_objects (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GDBusMethodInvocation *invocation = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) objects = NULL;
  g_autoptr(GPtrArray) chrcs = g_ptr_array_new_with_free_func (g_free);
  GVariantIter iter;
  const char *path;
  GVariant *ifaces;
  gint64 t0 = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (invocation), "t0"));

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  B.gmo_us = g_get_monotonic_time () - t0;
  if (reply == NULL)
    {
      B.register_error = g_strdup (error->message);
      g_dbus_method_invocation_return_dbus_error (invocation, "org.bluez.Error.Failed", error->message);
      return;
    }

  B.gmo_bytes = g_variant_get_size (reply);
  objects = g_variant_get_child_value (reply, 0);
  B.n_objects = g_variant_n_children (objects);
  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_loop (&iter, "{&o@a{sa{sv}}}", &path, &ifaces))
    {
      g_autoptr(GVariant) props = g_variant_lookup_value (ifaces, "org.bluez.GattCharacteristic1", NULL);
      if (props != NULL)
        g_ptr_array_add (chrcs, g_strdup (path));
    }
  /* Implementations answer in their own order (dbus_fast: hash order):
   * measure the same characteristic, the first by path. */
  g_ptr_array_sort (chrcs, cmp_paths);
  g_clear_pointer (&B.chrc_paths, g_ptr_array_unref);
  B.chrc_paths = g_steal_pointer (&chrcs);

  if (B.chrc_paths->len == 0)
    {
      B.register_error = g_strdup ("no characteristic in the application");
      g_dbus_method_invocation_return_dbus_error (invocation, "org.bluez.Error.Failed", B.register_error);
      return;
    }
  B.registered = TRUE;
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
manager_method_call (GDBusConnection       *connection,
                     const char            *sender,
                     const char            *object_path,
                     const char            *interface_name,
                     const char            *method_name,
                     GVariant              *parameters,
                     GDBusMethodInvocation *invocation,
                     gpointer               user_data)
{
  if (strcmp (method_name, "RegisterApplication") == 0)
    {
      const char *path;

      g_variant_get (parameters, "(&o@a{sv})", &path, NULL);
      g_free (B.app_sender);
      g_free (B.app_path);
      B.app_sender = g_strdup (sender);
      B.app_path = g_strdup (path);
      /* Like bluetoothd: read the tree, then answer. */
      g_object_set_data (G_OBJECT (invocation), "t0", GSIZE_TO_POINTER (g_get_monotonic_time ()));
      g_dbus_connection_call (connection, sender, path, "org.freedesktop.DBus.ObjectManager",
                              "GetManagedObjects", NULL, G_VARIANT_TYPE ("(a{oa{sa{sv}}})"),
                              G_DBUS_CALL_FLAGS_NO_AUTO_START, 60000, NULL,
                              got_app_objects, invocation);
    }
  else if (strcmp (method_name, "UnregisterApplication") == 0)
    {
      B.registered = FALSE;
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else
    g_dbus_method_invocation_return_dbus_error (invocation, "org.freedesktop.DBus.Error.UnknownMethod",
                                                method_name);
}

static const GDBusInterfaceVTable manager_vtable = { manager_method_call, NULL, NULL, { 0 } };

static void
setup_bluez (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint32 ret;

  B.node = g_dbus_node_info_new_for_xml (bench_gatt_xml (), &error);
  g_assert_no_error (error);

  if (g_dbus_connection_register_object (B.conn, "/",
                                         g_dbus_node_info_lookup_interface (B.node, "org.freedesktop.DBus.ObjectManager"),
                                         &root_vtable, NULL, NULL, &error) == 0 ||
      g_dbus_connection_register_object (B.conn, BENCH_ADAPTER_PATH,
                                         g_dbus_node_info_lookup_interface (B.node, "org.bluez.GattManager1"),
                                         &manager_vtable, NULL, NULL, &error) == 0)
    die ("cannot export the stand-in: %s", error->message);

  reply = g_dbus_connection_call_sync (B.conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.bluez", 4 /* DO_NOT_QUEUE */),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  if (reply == NULL)
    die ("RequestName: %s", error->message);
  g_variant_get (reply, "(u)", &ret);
  if (ret != 1)
    die ("could not own org.bluez (%u)", ret);
}

/* ------------------------------------------------------------------ */
/* The server process                                                   */

static void read_server_line (void);

static void
got_server_line (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, &error);

  if (line == NULL)
    return;  /* EOF: the server exited */
  g_ptr_array_add (B.server_lines, line);
  read_server_line ();
}

static void
read_server_line (void)
{
  g_data_input_stream_read_line_async (B.server_out, G_PRIORITY_DEFAULT, NULL, got_server_line, NULL);
}

static const char *
server_line (const char *prefix)
{
  for (guint i = 0; i < B.server_lines->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (B.server_lines, i), prefix))
      return g_ptr_array_index (B.server_lines, i);
  return NULL;
}

static void
server_waited (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  B.server_gone = TRUE;
}

static void
spawn_server (char **argv)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", opt_bus, TRUE);
  B.server = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  if (B.server == NULL)
    die ("cannot start %s: %s", argv[0], error->message);
  B.server_pid = atoi (g_subprocess_get_identifier (B.server));
  B.server_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (B.server));
  read_server_line ();
  g_subprocess_wait_async (B.server, NULL, server_waited, NULL);
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
never (void)
{
  return FALSE;
}

/* Runs the main loop until @done says so, or @seconds pass. */
static gboolean
iterate_until (gboolean (*done) (void),
               double    seconds)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add ((guint) (seconds * 1000), timeout_cb, &timed_out);

  while (!done () && !timed_out)
    {
      g_main_context_iteration (NULL, TRUE);
      if (B.server_gone && done != never)
        break;
    }
  if (!timed_out)
    g_source_remove (id);
  return done ();
}

static gboolean
is_ready (void)
{
  return (B.registered || B.register_error != NULL) && server_line ("REGISTERED") != NULL;
}

static gboolean
server_exited (void)
{
  return B.server_gone;
}

static void
wait_server_exit (void)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (3000, timeout_cb, &timed_out);

  while (!timed_out && !server_exited ())
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  if (!server_exited ())
    g_subprocess_force_exit (B.server);
}

/* Asks the server to print its STATS line and exit (SIGTERM). */
static void
stop_server (void)
{
  g_subprocess_send_signal (B.server, SIGTERM);
  wait_server_exit ();
  /* Drain what it printed before exiting. */
  for (int i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

/* ------------------------------------------------------------------ */
/* rw mode                                                              */

typedef struct
{
  const char *method;
  GVariant   *params;
  guint       total;
  guint       issued;
  guint       done;
  guint       errors;
  char       *first_error;
} CallRun;

static void issue_call (CallRun *run);

static void
call_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CallRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (reply == NULL)
    {
      run->errors++;
      if (run->first_error == NULL)
        run->first_error = g_strdup (error->message);
    }
  run->done++;
  if (run->issued < run->total)
    issue_call (run);
}

static void
issue_call (CallRun *run)
{
  run->issued++;
  g_dbus_connection_call (B.conn, B.app_sender, g_ptr_array_index (B.chrc_paths, 0),
                          "org.bluez.GattCharacteristic1", run->method, run->params,
                          NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL, call_done, run);
}

static CallRun *current_run;

static gboolean
run_done (void)
{
  return current_run->done >= current_run->total;
}

static GVariant *
bluez_options (void)
{
  GVariantBuilder b;

  /* What bluetoothd 5.66 sends (offset only when non-zero). */
  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "device", g_variant_new_object_path (BENCH_DEVICE_PATH));
  g_variant_builder_add (&b, "{sv}", "link", g_variant_new_string ("LE"));
  g_variant_builder_add (&b, "{sv}", "mtu", g_variant_new_uint16 (517));
  return g_variant_builder_end (&b);
}

typedef struct
{
  double cpu_us;       /* server CPU per call */
  double daemon_us;    /* dbus-daemon CPU per call */
  double wall_us;      /* wall time per call */
} Sample;

static Sample
do_calls (GVariant *params,
          const char *method,
          guint    n,
          guint    concurrency,
          guint   *errors,
          char   **first_error)
{
  CallRun run = { method, params, n, 0, 0, 0, NULL };
  gint64 c0, d0, t0, c1, d1, t1;
  Sample s;

  current_run = &run;
  c0 = bench_process_cpu_ns (B.server_pid);
  d0 = bench_process_cpu_ns (B.daemon_pid);
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < MIN (concurrency, n); i++)
    issue_call (&run);
  if (!iterate_until (run_done, 600))
    die ("%s: only %u of %u calls completed", method, run.done, n);
  t1 = g_get_monotonic_time ();
  c1 = bench_process_cpu_ns (B.server_pid);
  d1 = bench_process_cpu_ns (B.daemon_pid);
  current_run = NULL;

  s.cpu_us = (c1 - c0) / 1000.0 / n;
  s.daemon_us = (d0 >= 0 && d1 >= 0) ? (d1 - d0) / 1000.0 / n : -1;
  s.wall_us = (double) (t1 - t0) / n;
  *errors += run.errors;
  if (run.first_error != NULL && *first_error == NULL)
    *first_error = run.first_error;
  else
    g_free (run.first_error);
  return s;
}

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *v,
        guint   n)
{
  g_autofree double *c = g_memdup2 (v, n * sizeof *v);

  qsort (c, n, sizeof *c, (int (*) (const void *, const void *)) cmp_double);
  return n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
}

static void
json_doubles (GString *out,
              double  *v,
              guint    n)
{
  g_string_append_c (out, '[');
  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, "%s%.3f", i ? ", " : "", v[i]);
  g_string_append_c (out, ']');
}

static void
mode_rw (GString *out)
{
  g_auto(GStrv) methods = g_strsplit (opt_methods, ",", -1);
  g_auto(GStrv) concs = g_strsplit (opt_concurrency, ",", -1);
  guint8 value[BENCH_VALUE_LEN];
  g_autoptr(GVariant) read_params = NULL;
  g_autoptr(GVariant) write_params = NULL;
  gboolean first = TRUE;

  for (guint i = 0; i < sizeof value; i++)
    value[i] = 0xa0 + i;
  read_params = g_variant_ref_sink (g_variant_new ("(@a{sv})", bluez_options ()));
  write_params = g_variant_ref_sink (g_variant_new ("(@ay@a{sv})",
                                                    g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, value, sizeof value, 1),
                                                    bluez_options ()));

  g_string_append (out, ", \"results\": [");
  for (char **m = methods; *m != NULL; m++)
    for (char **c = concs; *c != NULL; c++)
      {
        gboolean is_read = strcmp (*m, "read") == 0;
        const char *method = is_read ? "ReadValue" : "WriteValue";
        GVariant *params = is_read ? read_params : write_params;
        guint conc = atoi (*c);
        g_autofree double *cpu = g_new0 (double, opt_reps);
        g_autofree double *dmn = g_new0 (double, opt_reps);
        g_autofree double *wall = g_new0 (double, opt_reps);
        guint errors = 0;
        char *first_error = NULL;

        /* Warm up: caches, allocator, first-call paths. */
        do_calls (params, method, MAX (opt_calls / 10, 200), conc, &errors, &first_error);
        for (int r = 0; r < opt_reps; r++)
          {
            Sample s = do_calls (params, method, opt_calls, conc, &errors, &first_error);
            cpu[r] = s.cpu_us;
            dmn[r] = s.daemon_us;
            wall[r] = s.wall_us;
          }

        g_string_append_printf (out, "%s{\"method\": \"%s\", \"concurrency\": %u, \"calls\": %d, "
                                "\"cpu_us\": %.3f, \"daemon_us\": %.3f, \"wall_us\": %.3f, \"errors\": %u",
                                first ? "" : ", ", *m, conc, opt_calls,
                                median (cpu, opt_reps), median (dmn, opt_reps), median (wall, opt_reps),
                                errors);
        g_string_append (out, ", \"cpu_us_reps\": ");
        json_doubles (out, cpu, opt_reps);
        g_string_append (out, ", \"wall_us_reps\": ");
        json_doubles (out, wall, opt_reps);
        if (first_error != NULL)
          {
            g_autofree char *esc = g_strescape (first_error, NULL);
            g_string_append_printf (out, ", \"first_error\": \"%s\"", esc);
          }
        g_string_append (out, "}");
        g_free (first_error);
        first = FALSE;
      }
  g_string_append (out, "]");
}

/* ------------------------------------------------------------------ */
/* notify mode                                                          */

static GDBusMessage *
count_filter (GDBusConnection *connection,
              GDBusMessage    *message,
              gboolean         incoming,
              gpointer         user_data)
{
  /* Count on the I/O thread and drop, so the stand-in is never the
   * bottleneck (bluetoothd, in C with libdbus, is not either). */
  if (incoming &&
      g_dbus_message_get_message_type (message) == G_DBUS_MESSAGE_TYPE_SIGNAL &&
      g_strcmp0 (g_dbus_message_get_member (message), "PropertiesChanged") == 0 &&
      g_strcmp0 (g_dbus_message_get_sender (message), B.app_sender) == 0)
    {
      g_atomic_int_inc (&B.signals_received);
      g_object_unref (message);
      return NULL;
    }
  return message;
}

static void
noop_signal (GDBusConnection *connection,
             const char      *sender,
             const char      *path,
             const char      *iface,
             const char      *signal,
             GVariant        *params,
             gpointer         user_data)
{
}

static gboolean notify_started;
static char *notify_error;
static int notify_fd = -1;

static void
start_notify_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GVariant) reply =
    g_dbus_connection_call_with_unix_fd_list_finish (G_DBUS_CONNECTION (source), &fds, result, &error);

  if (reply == NULL)
    notify_error = g_strdup (error->message);
  else if (g_variant_is_of_type (reply, G_VARIANT_TYPE ("(hq)")))
    {
      gint32 index;

      g_variant_get (reply, "(hq)", &index, NULL);
      notify_fd = fds != NULL ? g_unix_fd_list_get (fds, index, &error) : -1;
      if (notify_fd < 0)
        notify_error = g_strdup ("AcquireNotify returned no socket");
    }
  notify_started = TRUE;
}

/* What bluetoothd does with the socket, minus the radio: read each
 * datagram as it comes. Ends when the server closes its end. */
static gpointer
read_datagrams (gpointer user_data)
{
  guint8 buf[600];

  for (;;)
    {
      ssize_t n = recv (notify_fd, buf, sizeof buf, 0);

      if (n > 0)
        g_atomic_int_inc (&B.signals_received);
      else if (n == 0 || errno != EINTR)
        break;
    }
  return NULL;
}

static gboolean
is_notify_started (void)
{
  return notify_started;
}

static void
mode_notify (GString *out,
             gboolean fd)
{
  const char *chrc = g_ptr_array_index (B.chrc_paths, 0);
  gint n0, n1, n_end;
  gint64 t0, t1, c0, c1, d0, d1;
  const char *stats;
  GThread *reader = NULL;

  g_dbus_connection_add_filter (B.conn, count_filter, NULL, NULL);
  g_dbus_connection_signal_subscribe (B.conn, B.app_sender, "org.freedesktop.DBus.Properties",
                                      "PropertiesChanged", chrc, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                      noop_signal, NULL, NULL);
  /* Make sure the match rule is in place before notifications start. */
  g_dbus_connection_call_sync (B.conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "GetId", NULL, NULL,
                               G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);

  if (fd)
    g_dbus_connection_call_with_unix_fd_list (B.conn, B.app_sender, chrc, "org.bluez.GattCharacteristic1",
                                              "AcquireNotify",
                                              g_variant_new_parsed ("({'device': <objectpath '/org/bluez/hci0/dev_00_11_22_33_44_55'>, "
                                                                    "'link': <'LE'>, 'mtu': <uint16 517>},)"),
                                              G_VARIANT_TYPE ("(hq)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000,
                                              NULL, NULL, start_notify_done, NULL);
  else
    g_dbus_connection_call_with_unix_fd_list (B.conn, B.app_sender, chrc, "org.bluez.GattCharacteristic1",
                                              "StartNotify", NULL, NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                              10000, NULL, NULL, start_notify_done, NULL);
  iterate_until (is_notify_started, 10);
  if (notify_error != NULL)
    die ("%s: %s", fd ? "AcquireNotify" : "StartNotify", notify_error);
  if (fd)
    {
      /* The server made the pair non-blocking: this end blocks. */
      if (!g_unix_set_fd_nonblocking (notify_fd, FALSE, NULL))
        die ("cannot make the socket blocking");
      reader = g_thread_new ("datagrams", read_datagrams, NULL);
    }

  n0 = g_atomic_int_get (&B.signals_received);
  t0 = g_get_monotonic_time ();
  c0 = bench_process_cpu_ns (B.server_pid);
  d0 = bench_process_cpu_ns (B.daemon_pid);
  iterate_until (never, opt_duration);
  n1 = g_atomic_int_get (&B.signals_received);
  t1 = g_get_monotonic_time ();
  c1 = bench_process_cpu_ns (B.server_pid);
  d1 = bench_process_cpu_ns (B.daemon_pid);

  g_string_append_printf (out, ", \"received\": %d, \"seconds\": %.3f, \"per_second\": %.1f",
                          n1 - n0, (t1 - t0) / 1e6, (n1 - n0) / ((t1 - t0) / 1e6));
  g_string_append_printf (out, ", \"server_cpu_s\": %.3f, \"daemon_cpu_s\": %.3f",
                          (c1 - c0) / 1e9, (d1 - d0) / 1e9);
  g_string_append_printf (out, ", \"server_rss_end_kb\": %" G_GINT64_FORMAT ", \"server_hwm_kb\": %" G_GINT64_FORMAT,
                          bench_proc_status_kb (B.server_pid, "VmRSS"), bench_proc_status_kb (B.server_pid, "VmHWM"));
  g_string_append_printf (out, ", \"daemon_rss_kb\": %" G_GINT64_FORMAT ", \"daemon_hwm_kb\": %" G_GINT64_FORMAT,
                          bench_proc_status_kb (B.daemon_pid, "VmRSS"), bench_proc_status_kb (B.daemon_pid, "VmHWM"));

  stop_server ();
  /* What was still queued in the daemon arrives after the sender stops. */
  iterate_until (never, 0.5);
  if (reader != NULL)
    {
      shutdown (notify_fd, SHUT_RDWR);
      g_thread_join (reader);
      close (notify_fd);
    }
  n_end = g_atomic_int_get (&B.signals_received);
  g_string_append_printf (out, ", \"received_after_stop\": %d", n_end - n1);
  stats = server_line ("STATS");
  if (stats != NULL)
    {
      g_autofree char *esc = g_strescape (stats, NULL);
      g_string_append_printf (out, ", \"server_stats\": \"%s\"", esc);
    }
}

/* ------------------------------------------------------------------ */

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new ("-- SERVER [ARGS...]");
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new ("{");
  const char *reg;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    die ("%s", error->message);
  if (opt_bus == NULL || argc < 2)
    die ("usage: gp-bench-bluez --bus ADDR [--mode rw|register|notify|notify-fd] -- SERVER [ARGS...]");
  if (argc > 1 && strcmp (argv[1], "--") == 0)
    {
      argv++;
      argc--;
    }

  B.daemon_pid = opt_daemon_pid;
  B.server_lines = g_ptr_array_new_with_free_func (g_free);
  B.conn = g_dbus_connection_new_for_address_sync (opt_bus,
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
  if (B.conn == NULL)
    die ("cannot connect to %s: %s", opt_bus, error->message);
  setup_bluez ();
  spawn_server (argv + 1);

  if (!iterate_until (is_ready, 120))
    die ("the server did not register (%s)", B.register_error ? B.register_error : "timeout or exit");
  if (B.register_error != NULL)
    die ("registration failed: %s", B.register_error);

  reg = server_line ("REGISTERED");
  {
    double wall_us = 0, cpu_us = 0;
    g_autofree char *esc = g_strescape (opt_label, NULL);

    sscanf (reg, "REGISTERED %lf %lf", &wall_us, &cpu_us);
    g_string_append_printf (out, "\"label\": \"%s\", \"mode\": \"%s\"", esc, opt_mode);
    g_string_append_printf (out, ", \"register_wall_us\": %.0f, \"register_cpu_us\": %.0f", wall_us, cpu_us);
    g_string_append_printf (out, ", \"gmo_us\": %" G_GINT64_FORMAT ", \"gmo_bytes\": %" G_GSIZE_FORMAT
                            ", \"objects\": %u, \"characteristics\": %u",
                            B.gmo_us, B.gmo_bytes, B.n_objects, B.chrc_paths->len);
    g_string_append_printf (out, ", \"server_rss_kb\": %" G_GINT64_FORMAT,
                            bench_proc_status_kb (B.server_pid, "VmRSS"));
  }

  if (strcmp (opt_mode, "rw") == 0)
    mode_rw (out);
  else if (strcmp (opt_mode, "notify") == 0 || strcmp (opt_mode, "notify-fd") == 0)
    mode_notify (out, strcmp (opt_mode, "notify-fd") == 0);
  else if (strcmp (opt_mode, "register") != 0)
    die ("unknown mode %s", opt_mode);

  if (strcmp (opt_mode, "rw") == 0)
    g_string_append_printf (out, ", \"server_rss_end_kb\": %" G_GINT64_FORMAT,
                            bench_proc_status_kb (B.server_pid, "VmRSS"));
  if (!server_exited ())
    stop_server ();
  g_string_append (out, "}");
  puts (out->str);
  return 0;
}
