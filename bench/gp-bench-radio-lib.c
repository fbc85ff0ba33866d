/* gp-bench-radio-lib.c: bench Part 4's peripheral written with
 * libgattperiph's public API, for the sandbox (real bluetoothd, a real
 * central over virtual radios).
 *
 *   --path pc|fd        notifications as PropertiesChanged signals, or over
 *                       the socket bluetoothd acquires (acquire-notify)
 *   --mode send|set     once a central subscribes, produce values as fast as
 *                       the library takes them: send_value_async with
 *                       --outstanding calls in flight, or a set_value spin
 *                       (16 per main-loop iteration; the library coalesces)
 *   --window N          the application's notification window (default:
 *                       the library's)
 *   --name NAME         the advertised name (default gp-bench)
 *   --write-path dbus|sock
 *                       the write phase instead of notifications: the
 *                       characteristic takes writes (write-without-response
 *                       and write, no notify), with acquire-write on for
 *                       "sock" (bluetoothd's AcquireWrite socket) and off
 *                       for "dbus" (a WriteValue call per write). It counts
 *                       the writes that reach the stored value: no
 *                       write-request handler (the library's cheapest
 *                       path: D-Bus writes are stored on GDBus's I/O
 *                       thread), a notify::value handler on the main
 *                       context, which the library notifies once per
 *                       write, in order, on both paths. The central
 *                       writes a 4-byte little-endian sequence number
 *                       first in each value; gaps and steps back are
 *                       counted. SIGUSR1 prints "COUNT ..." (the counters
 *                       and CLOCK_MONOTONIC µs); "write-acquired" /
 *                       "write-released" when bluetoothd takes or drops
 *                       the socket.
 *   --lookup            start up as before issue 11's start-up work: look
 *                       the adapter up (gp_adapter_find_async), register the
 *                       application, then the advertisement, one after the
 *                       other. By default the adapter, which the program
 *                       knows ($GP_SANDBOX_PERIPHERAL_ADAPTER, else hci0),
 *                       is made with gp_adapter_new_for_path (no lookup),
 *                       and the application and the advertisement register
 *                       at the same time.
 *
 * Prints "advertising" once bluetoothd accepted the advertisement and the
 * application is registered, and "STATS ..." when it gets SIGTERM.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bench-common.h"

#include <gattperiph.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

#define BENCH_SERVICE "6e400001-0000-4000-8000-00805f9b34fb"
#define BENCH_CHAR    "6e400002-0000-4000-8000-00805f9b34fb"
#define VALUE_LEN     20

typedef struct
{
  GMainLoop        *loop;
  GpApplication    *app;
  GpAdvertisement  *adv;
  GpCharacteristic *chrc;
  gboolean          set_mode;
  guint             outstanding;
  guint             in_flight;
  guint             spin_source;
  guint32           counter;
  guint64           sets, sent_ok, sent_failed;
  guint             starting;   /* registrations not answered yet */
  /* The write phase (--write-path). */
  gboolean          write_phase;
  BenchWrites       writes;     /* values stored (notify::value); "acquired":
                                   while write-acquired was TRUE */
} Bench;

static GBytes *
next_value (Bench *b)
{
  guint8 v[VALUE_LEN] = { 0 };

  b->counter++;
  memcpy (v, &b->counter, sizeof b->counter);
  return g_bytes_new (v, sizeof v);
}

static void fill (Bench *b);

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Bench *b = data;
  g_autoptr(GError) error = NULL;

  b->in_flight--;
  if (gp_characteristic_send_value_finish (GP_CHARACTERISTIC (source), result, &error))
    b->sent_ok++;
  else
    b->sent_failed++;
  fill (b);
}

static void
fill (Bench *b)
{
  while (gp_characteristic_get_notifying (b->chrc) && b->in_flight < b->outstanding)
    {
      g_autoptr(GBytes) value = next_value (b);

      b->in_flight++;
      gp_characteristic_send_value_async (b->chrc, value, NULL, on_sent, b);
    }
}

static gboolean
spin (gpointer data)
{
  Bench *b = data;

  if (!gp_characteristic_get_notifying (b->chrc))
    {
      b->spin_source = 0;
      return G_SOURCE_REMOVE;
    }
  for (guint i = 0; i < 16; i++)
    {
      g_autoptr(GBytes) value = next_value (b);

      gp_attribute_set_value (GP_ATTRIBUTE (b->chrc), value, NULL);
      b->sets++;
    }
  return G_SOURCE_CONTINUE;
}

static void
on_notifying (GObject    *object,
              GParamSpec *pspec,
              gpointer    data)
{
  Bench *b = data;

  if (!gp_characteristic_get_notifying (b->chrc))
    return;
  g_print ("notifying\n");
  if (!b->set_mode)
    fill (b);
  else if (b->spin_source == 0)
    b->spin_source = g_idle_add (spin, b);
}

static void
started (Bench *b)
{
  if (--b->starting == 0)
    g_print ("advertising\n");
}

static void
on_advertising (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  Bench *b = data;
  g_autoptr(GError) error = NULL;

  if (!gp_advertisement_start_finish (b->adv, result, &error))
    {
      g_printerr ("advertising: %s\n", error->message);
      g_main_loop_quit (b->loop);
      return;
    }
  started (b);
}

static void
on_registered (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  Bench *b = data;
  g_autoptr(GError) error = NULL;

  if (!gp_application_register_finish (b->app, result, &error))
    {
      g_printerr ("register: %s\n", error->message);
      g_main_loop_quit (b->loop);
      return;
    }
  if (b->starting == 1)
    /* --lookup: the advertisement after the application. */
    gp_advertisement_start_async (b->adv, gp_application_get_adapter (b->app), NULL,
                                  on_advertising, b);
  else
    started (b);
}

static void
on_adapter (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Bench *b = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GpAdapter) adapter = gp_adapter_find_finish (result, &error);

  if (adapter == NULL)
    {
      g_printerr ("adapter: %s\n", error->message);
      g_main_loop_quit (b->loop);
      return;
    }
  gp_application_register_async (b->app, adapter, NULL, on_registered, b);
}

/* One call per stored write, in order (see --write-path). */
static void
on_value (GObject    *object,
          GParamSpec *pspec,
          gpointer    data)
{
  Bench *b = data;
  gsize len = 0;
  const guint8 *v = g_bytes_get_data (gp_attribute_get_value (GP_ATTRIBUTE (b->chrc)), &len);

  bench_writes_count (&b->writes, v, len, gp_characteristic_get_write_acquired (b->chrc));
}

static void
on_write_acquired (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    data)
{
  Bench *b = data;

  g_print ("%s\n", gp_characteristic_get_write_acquired (b->chrc) ? "write-acquired" : "write-released");
}

static gboolean
on_count (gpointer data)
{
  bench_writes_print (&((Bench *) data)->writes, "COUNT");
  return G_SOURCE_CONTINUE;
}

static gboolean
on_quit (gpointer data)
{
  g_main_loop_quit (((Bench *) data)->loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char *argv[])
{
  gint64 t_main = g_get_monotonic_time ();
  Bench b = { 0 };
  g_autofree char *path = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *name = NULL;
  g_autofree char *write_path = NULL;
  gboolean lookup = FALSE;
  int window = 0, outstanding = 0;
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GpService) service = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "path", 0, 0, G_OPTION_ARG_STRING, &path, "pc or fd", "PATH" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, "send or set", "MODE" },
    { "window", 0, 0, G_OPTION_ARG_INT, &window, "notification window", "N" },
    { "outstanding", 0, 0, G_OPTION_ARG_INT, &outstanding,
      "send_value_async calls in flight (default 2 × window)", "N" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "advertised name", "NAME" },
    { "write-path", 0, 0, G_OPTION_ARG_STRING, &write_path,
      "the write phase: writes over WriteValue (dbus) or an AcquireWrite socket (sock)", "PATH" },
    { "lookup", 0, 0, G_OPTION_ARG_NONE, &lookup,
      "look the adapter up, then register the application, then the advertisement", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  setvbuf (stdout, NULL, _IOLBF, 0);
  /* Start-up marks on CLOCK_MONOTONIC (µs), for bench/part4-guest.py. */
  g_print ("mark main %" G_GINT64_FORMAT "\n", t_main);
  b.set_mode = g_strcmp0 (mode, "set") == 0;
  b.write_phase = write_path != NULL;
  if (b.write_phase && g_strcmp0 (write_path, "dbus") != 0 && g_strcmp0 (write_path, "sock") != 0)
    {
      g_printerr ("--write-path: dbus or sock\n");
      return 2;
    }

  b.app = gp_application_new ("/com/example/gpbench");
  if (window > 0)
    gp_application_set_notification_window (b.app, (guint) window);
  b.outstanding = outstanding > 0 ? (guint) outstanding
                                  : 2 * gp_application_get_notification_window (b.app);
  service = gp_service_new (BENCH_SERVICE, TRUE, &error);
  if (b.write_phase)
    {
      b.chrc = gp_characteristic_new (BENCH_CHAR, GP_CHARACTERISTIC_FLAGS_WRITE_WITHOUT_RESPONSE |
                                                  GP_CHARACTERISTIC_FLAGS_WRITE, &error);
      g_assert_no_error (error);
      gp_characteristic_set_acquire_write (b.chrc, g_strcmp0 (write_path, "sock") == 0);
      g_signal_connect (b.chrc, "notify::value", G_CALLBACK (on_value), &b);
      g_signal_connect (b.chrc, "notify::write-acquired", G_CALLBACK (on_write_acquired), &b);
      g_unix_signal_add (SIGUSR1, on_count, &b);
    }
  else
    {
      b.chrc = gp_characteristic_new (BENCH_CHAR, GP_CHARACTERISTIC_FLAGS_READ |
                                                  GP_CHARACTERISTIC_FLAGS_NOTIFY, &error);
      g_assert_no_error (error);
      gp_characteristic_set_acquire_notify (b.chrc, g_strcmp0 (path, "fd") == 0);
      g_signal_connect (b.chrc, "notify::notifying", G_CALLBACK (on_notifying), &b);
    }
  gp_service_add_characteristic (service, b.chrc, &error);
  gp_application_add_service (b.app, service, &error);
  g_assert_no_error (error);

  b.adv = gp_advertisement_new ();
  gp_advertisement_set_local_name (b.adv, name != NULL ? name : "gp-bench");
  gp_advertisement_set_service_uuids (b.adv, (const char *[]) { BENCH_SERVICE, NULL });

  b.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_quit, &b);
  g_unix_signal_add (SIGINT, on_quit, &b);
  /* As an application that knows its adapter (the sandbox's hci0). */
  b.starting = 1;
  if (lookup)
    {
      g_print ("mark registering %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
      gp_adapter_find_async (NULL, g_getenv ("GP_SANDBOX_PERIPHERAL_ADAPTER"), NULL, on_adapter, &b);
    }
  else
    {
      g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
      g_autofree char *adapter_path = NULL;
      g_autoptr(GpAdapter) adapter = NULL;

      if (bus == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      adapter_path = g_strconcat ("/org/bluez/", g_getenv ("GP_SANDBOX_PERIPHERAL_ADAPTER") ?: "hci0", NULL);
      adapter = gp_adapter_new_for_path (bus, adapter_path);
      /* bluetoothd takes an advertisement before the application: both
       * at once, "advertising" when both are in. */
      b.starting = 2;
      g_print ("mark registering %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
      gp_application_register_async (b.app, adapter, NULL, on_registered, &b);
      gp_advertisement_start_async (b.adv, adapter, NULL, on_advertising, &b);
    }
  g_main_loop_run (b.loop);

  if (b.write_phase)
    bench_writes_print (&b.writes, "STATS");
  else
    g_print ("STATS sets=%" G_GUINT64_FORMAT " sent_ok=%" G_GUINT64_FORMAT
             " sent_failed=%" G_GUINT64_FORMAT " coalesced=%" G_GUINT64_FORMAT "\n",
             b.sets, b.sent_ok, b.sent_failed, gp_characteristic_get_coalesced (b.chrc));
  g_clear_handle_id (&b.spin_source, g_source_remove);
  /* Closing the write socket notifies write-acquired on the way out. */
  g_signal_handlers_disconnect_by_data (b.chrc, &b);
  g_clear_object (&b.adv);
  g_clear_object (&b.chrc);
  g_clear_object (&b.app);
  g_main_loop_unref (b.loop);
  return 0;
}
