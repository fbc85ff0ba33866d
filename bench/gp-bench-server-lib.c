/* gp-bench-server-lib.c: the benchmark's GATT server written with
 * libgattperiph's public API.
 *
 *   --services S --chars C --descs D   the tree (default 1 / 1 / 0)
 *   --handler                          connect read-request/write-request
 *                                      handlers (the signal path) instead
 *                                      of letting the library answer
 *   --notify set|send                  once a central subscribes, set the
 *                                      value as fast as possible (set: the
 *                                      coalescing gp_attribute_set_value;
 *                                      send: send_value_async, --outstanding
 *                                      at a time)
 *   --window N                         the application's notification window
 *   --acquire-notify                   offer AcquireNotify (NotifyAcquired):
 *                                      the values go as datagrams on the
 *                                      socket the stand-in acquires
 *
 * Prints "REGISTERED <wall µs> <cpu µs>" once BlueZ (the stand-in)
 * answered, and "STATS ..." on SIGTERM.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bench-common.h"

#include <gattperiph.h>
#include <glib-unix.h>
#include <stdlib.h>

static BenchTree tree = { 1, 1, 0 };
static gboolean opt_handler;
static char *opt_notify;
static int opt_window;
static int opt_outstanding = 64;
static gboolean opt_acquire_notify;

static GOptionEntry entries[] = {
  { "services", 0, 0, G_OPTION_ARG_INT, &tree.services, "services", "S" },
  { "chars", 0, 0, G_OPTION_ARG_INT, &tree.chars, "characteristics in all", "C" },
  { "descs", 0, 0, G_OPTION_ARG_INT, &tree.descs, "descriptors per characteristic", "D" },
  { "handler", 0, 0, G_OPTION_ARG_NONE, &opt_handler, "answer through signal handlers", NULL },
  { "notify", 0, 0, G_OPTION_ARG_STRING, &opt_notify, "set or send", "HOW" },
  { "window", 0, 0, G_OPTION_ARG_INT, &opt_window, "notification window", "N" },
  { "outstanding", 0, 0, G_OPTION_ARG_INT, &opt_outstanding, "send_value_async calls in flight", "N" },
  { "acquire-notify", 0, 0, G_OPTION_ARG_NONE, &opt_acquire_notify, "notify over an AcquireNotify socket", NULL },
  { NULL }
};

static GMainLoop *loop;
static GpApplication *app;
static GpCharacteristic *first_chrc;
static gint64 reg_t0, reg_c0;
static guint64 n_set, n_sent_ok, n_sent_failed;
static guint notify_source;
static guint in_flight;
static guint32 counter;

static GBytes *
next_value (void)
{
  guint8 v[BENCH_VALUE_LEN];

  counter++;
  for (guint i = 0; i < sizeof v; i++)
    v[i] = (guint8) (counter >> ((i % 4) * 8));
  return g_bytes_new (v, sizeof v);
}

/* ---- the signal path ---- */

static gboolean
on_read_request (GpAttribute *attribute,
                 GpRequest   *request,
                 gpointer     user_data)
{
  gp_request_return_value (request, gp_attribute_get_value (attribute));
  return TRUE;
}

static gboolean
on_write_request (GpAttribute *attribute,
                  GpRequest   *request,
                  gpointer     user_data)
{
  /* Validate-and-store: let the default handler store it. */
  return FALSE;
}

/* ---- notifications ---- */

static gboolean
set_burst (gpointer user_data)
{
  /* As fast as the main loop lets us: the library coalesces. */
  for (int i = 0; i < 16; i++)
    {
      g_autoptr(GBytes) v = next_value ();
      gp_attribute_set_value (GP_ATTRIBUTE (first_chrc), v, NULL);
      n_set++;
    }
  return G_SOURCE_CONTINUE;
}

static void send_one (void);

static void
sent (GObject      *source,
      GAsyncResult *result,
      gpointer      user_data)
{
  in_flight--;
  if (gp_characteristic_send_value_finish (GP_CHARACTERISTIC (source), result, NULL))
    n_sent_ok++;
  else
    n_sent_failed++;
  if (gp_characteristic_get_notifying (first_chrc))
    send_one ();
}

static void
send_one (void)
{
  g_autoptr(GBytes) v = next_value ();

  in_flight++;
  gp_characteristic_send_value_async (first_chrc, v, NULL, sent, NULL);
}

static void
on_notifying (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  gboolean on = gp_characteristic_get_notifying (first_chrc);

  if (opt_notify == NULL)
    return;
  if (strcmp (opt_notify, "set") == 0)
    {
      if (on && notify_source == 0)
        notify_source = g_idle_add (set_burst, NULL);
      else if (!on && notify_source != 0)
        {
          g_source_remove (notify_source);
          notify_source = 0;
        }
    }
  else if (on)
    for (int i = 0; i < opt_outstanding; i++)
      send_one ();
}

static gboolean
on_sigterm (gpointer user_data)
{
  bench_say ("STATS sets=%" G_GUINT64_FORMAT " sent_ok=%" G_GUINT64_FORMAT
             " sent_failed=%" G_GUINT64_FORMAT " coalesced=%" G_GUINT64_FORMAT " backlog=%u",
             n_set, n_sent_ok, n_sent_failed,
             first_chrc ? gp_characteristic_get_coalesced (first_chrc) : 0,
             first_chrc ? gp_characteristic_get_backlog (first_chrc) : 0);
  exit (0);
  return G_SOURCE_REMOVE;
}

static void
registered (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!gp_application_register_finish (GP_APPLICATION (source), result, &error))
    {
      g_printerr ("gp-bench-server-lib: %s\n", error->message);
      exit (1);
    }
  bench_say ("REGISTERED %" G_GINT64_FORMAT " %" G_GINT64_FORMAT,
             g_get_monotonic_time () - reg_t0, (bench_self_cpu_ns () - reg_c0) / 1000);
}

static void
build_tree (void)
{
  g_autoptr(GError) error = NULL;
  guint8 value[BENCH_VALUE_LEN];
  int c_index = 0;

  for (guint i = 0; i < sizeof value; i++)
    value[i] = 0xa0 + i;

  for (int s = 0; s < tree.services; s++)
    {
      g_autofree char *suuid = bench_uuid (1, s, 0, 0);
      g_autoptr(GpService) service = gp_service_new (suuid, TRUE, &error);
      int nc = bench_chars_in_service (&tree, s);

      g_assert_no_error (error);
      for (int c = 0; c < nc; c++, c_index++)
        {
          g_autofree char *cuuid = bench_uuid (2, s, c, 0);
          g_autoptr(GpCharacteristic) chrc =
            gp_characteristic_new (cuuid, GP_CHARACTERISTIC_FLAGS_READ |
                                          GP_CHARACTERISTIC_FLAGS_WRITE |
                                          GP_CHARACTERISTIC_FLAGS_NOTIFY, &error);
          g_assert_no_error (error);
          gp_attribute_set_value_data (GP_ATTRIBUTE (chrc), value, sizeof value, &error);
          g_assert_no_error (error);
          if (opt_handler)
            {
              g_signal_connect (chrc, "read-request", G_CALLBACK (on_read_request), NULL);
              g_signal_connect (chrc, "write-request", G_CALLBACK (on_write_request), NULL);
            }
          for (int d = 0; d < tree.descs; d++)
            {
              g_autofree char *duuid = bench_uuid (3, s, c, d);
              g_autoptr(GpDescriptor) desc = gp_descriptor_new (duuid, GP_DESCRIPTOR_FLAGS_READ, &error);
              g_assert_no_error (error);
              gp_attribute_set_value_data (GP_ATTRIBUTE (desc), value, sizeof value, &error);
              gp_characteristic_add_descriptor (chrc, desc, &error);
              g_assert_no_error (error);
            }
          gp_service_add_characteristic (service, chrc, &error);
          g_assert_no_error (error);
          if (first_chrc == NULL)
            first_chrc = g_object_ref (chrc);
          gp_characteristic_set_acquire_notify (chrc, opt_acquire_notify);
        }
      gp_application_add_service (app, service, &error);
      g_assert_no_error (error);
    }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) conn = NULL;
  g_autoptr(GpAdapter) adapter = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_sigterm, NULL);
  conn = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (conn == NULL)
    {
      g_printerr ("gp-bench-server-lib: %s\n", error->message);
      return 1;
    }

  app = gp_application_new_for_connection (conn, BENCH_APP_PATH);
  if (opt_window > 0)
    gp_application_set_notification_window (app, opt_window);
  build_tree ();
  g_signal_connect (first_chrc, "notify::notifying", G_CALLBACK (on_notifying), NULL);

  adapter = gp_adapter_new_for_path (conn, BENCH_ADAPTER_PATH);
  reg_t0 = g_get_monotonic_time ();
  reg_c0 = bench_self_cpu_ns ();
  gp_application_register_async (app, adapter, NULL, registered, NULL);

  g_main_loop_run (loop);
  return 0;
}
