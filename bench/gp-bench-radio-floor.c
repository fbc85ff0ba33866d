/* gp-bench-radio-floor.c: bench Part 4's floor, a minimal peripheral on raw
 * GDBus (no libgattperiph) that notifies as fast as bluetoothd lets it.
 *
 *   --path pc|fd   PropertiesChanged signals to org.bluez, or datagrams on
 *                  the socket bluetoothd acquires with AcquireNotify
 *   --path write   Part 4's write phase: no notifications; the
 *                  characteristic takes writes (write-without-response and
 *                  write) over WriteValue, answered and counted on the main
 *                  loop (GDBus's method dispatch); SIGUSR1 prints "COUNT ..."
 *   --window N     notifications per round trip (default 64)
 *   --name NAME    the advertised name (default gp-bench)
 *
 * Pacing, on both paths: send N notifications, then one
 * org.freedesktop.DBus.Peer.Ping to org.bluez, and the next N when it
 * answers. Not pacing is not an option for a floor: on the signal path the
 * dbus-daemon queues without bound (hundreds of MB), and on the socket path
 * a socket that never empties keeps bluetoothd 5.66 in its socket watch,
 * and its D-Bus dispatch (an idle source below it) never runs: nobody can
 * talk to bluetoothd, not even a central that wants to unsubscribe. A ping
 * is answered only when bluetoothd got back to D-Bus, that is after it read
 * everything written before it. A full socket (EAGAIN) waits for POLLOUT.
 *
 * Prints "advertising" once bluetoothd accepted the advertisement, and
 * "STATS ..." on SIGTERM.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bench-common.h"

#include <errno.h>
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define APP_PATH      "/bench"
#define SERVICE_PATH  "/bench/service0"
#define CHAR_PATH     "/bench/service0/char0"
#define ADV_PATH      "/bench/advertisement0"
#define BENCH_SERVICE "6e400001-0000-4000-8000-00805f9b34fb"
#define BENCH_CHAR    "6e400002-0000-4000-8000-00805f9b34fb"
#define VALUE_LEN     20

static const char xml[] =
  "<node>"
  " <interface name='org.freedesktop.DBus.ObjectManager'>"
  "  <method name='GetManagedObjects'><arg type='a{oa{sa{sv}}}' direction='out'/></method>"
  " </interface>"
  " <interface name='org.bluez.GattCharacteristic1'>"
  "  <method name='ReadValue'><arg type='a{sv}' direction='in'/><arg type='ay' direction='out'/></method>"
  "  <method name='WriteValue'><arg type='ay' direction='in'/><arg type='a{sv}' direction='in'/></method>"
  "  <method name='StartNotify'/><method name='StopNotify'/>"
  "  <method name='AcquireNotify'><arg type='a{sv}' direction='in'/>"
  "   <arg type='h' direction='out'/><arg type='q' direction='out'/></method>"
  " </interface>"
  " <interface name='org.bluez.LEAdvertisement1'><method name='Release'/></interface>"
  "</node>";

typedef struct
{
  GMainLoop       *loop;
  GDBusConnection *bus;
  GDBusNodeInfo   *info;
  const char      *adapter_path;
  const char      *name;
  gboolean         fd_path;
  gboolean         write_path;
  BenchWrites      writes;
  guint            window;
  gboolean         notifying;
  int              fd;              /* our end of the AcquireNotify socket */
  guint            out_watch;
  guint            hup_watch;
  guint            sent_in_window;
  gboolean         pinging;
  guint32          counter;
  guint64          sent, pings;
} Floor;

static void pump (Floor *f);

static GVariant *
managed_objects (Floor *f)
{
  GVariantBuilder objs, chrc;
  const char *notify_flags[] = { "read", "notify", NULL };
  const char *write_flags[] = { "write-without-response", "write", NULL };
  const char *const *flags = f->write_path ? write_flags : notify_flags;

  g_variant_builder_init (&objs, G_VARIANT_TYPE ("a{oa{sa{sv}}}"));
  g_variant_builder_add_parsed (&objs, "{%o, {'org.bluez.GattService1': "
                                "{'UUID': <%s>, 'Primary': <true>}}}", SERVICE_PATH, BENCH_SERVICE);
  g_variant_builder_init (&chrc, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&chrc, "{sv}", "UUID", g_variant_new_string (BENCH_CHAR));
  g_variant_builder_add (&chrc, "{sv}", "Service", g_variant_new_object_path (SERVICE_PATH));
  g_variant_builder_add (&chrc, "{sv}", "Flags", g_variant_new_strv (flags, -1));
  if (f->fd_path)
    g_variant_builder_add (&chrc, "{sv}", "NotifyAcquired", g_variant_new_boolean (FALSE));
  g_variant_builder_add (&objs, "{o@a{sa{sv}}}", CHAR_PATH,
                         g_variant_new_parsed ("{'org.bluez.GattCharacteristic1': %@a{sv}}",
                                               g_variant_builder_end (&chrc)));
  return g_variant_new ("(@a{oa{sa{sv}}})", g_variant_builder_end (&objs));
}

static void
close_socket (Floor *f)
{
  g_clear_handle_id (&f->out_watch, g_source_remove);
  g_clear_handle_id (&f->hup_watch, g_source_remove);
  if (f->fd >= 0)
    close (f->fd);
  f->fd = -1;
  f->notifying = FALSE;
}

static gboolean
on_hup (int fd, GIOCondition condition, gpointer data)
{
  Floor *f = data;

  f->hup_watch = 0;
  close_socket (f);
  return G_SOURCE_REMOVE;
}

static void
method_call (GDBusConnection       *connection,
             const char            *sender,
             const char            *object_path,
             const char            *interface_name,
             const char            *method_name,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               data)
{
  Floor *f = data;

  if (strcmp (method_name, "GetManagedObjects") == 0)
    g_dbus_method_invocation_return_value (invocation, managed_objects (f));
  else if (strcmp (method_name, "WriteValue") == 0)
    {
      g_autoptr(GVariant) value = g_variant_get_child_value (parameters, 0);
      gsize len = 0;
      const guint8 *v = g_variant_get_fixed_array (value, &len, 1);

      bench_writes_count (&f->writes, v, len, FALSE);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (strcmp (method_name, "ReadValue") == 0)
    g_dbus_method_invocation_return_value (invocation, g_variant_new_parsed ("(@ay [0],)"));
  else if (strcmp (method_name, "StartNotify") == 0)
    {
      f->notifying = TRUE;
      g_dbus_method_invocation_return_value (invocation, NULL);
      g_print ("notifying\n");
      pump (f);
    }
  else if (strcmp (method_name, "StopNotify") == 0)
    {
      f->notifying = FALSE;
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (strcmp (method_name, "AcquireNotify") == 0)
    {
      g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
      int pair[2];

      if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) < 0)
        {
          g_dbus_method_invocation_return_dbus_error (invocation, "org.bluez.Error.Failed", "socketpair");
          return;
        }
      close_socket (f);
      g_unix_fd_list_append (fds, pair[1], NULL);
      close (pair[1]);
      f->fd = pair[0];
      f->hup_watch = g_unix_fd_add (f->fd, G_IO_HUP | G_IO_ERR, on_hup, f);
      g_dbus_method_invocation_return_value_with_unix_fd_list (invocation,
                                                               g_variant_new ("(hq)", 0, 23), fds);
      f->notifying = TRUE;
      g_print ("notifying\n");
      pump (f);
    }
  else
    g_dbus_method_invocation_return_value (invocation, NULL);  /* Release */
}

static void
on_ping (GObject *source, GAsyncResult *result, gpointer data)
{
  Floor *f = data;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (f->bus, result, NULL);

  f->pinging = FALSE;
  f->sent_in_window = 0;
  pump (f);
}

static gboolean
on_writable (int fd, GIOCondition condition, gpointer data)
{
  Floor *f = data;

  f->out_watch = 0;
  pump (f);
  return G_SOURCE_REMOVE;
}

/* Sends until the window is full, then pings. */
static void
pump (Floor *f)
{
  while (f->notifying && !f->pinging && f->out_watch == 0)
    {
      guint8 v[VALUE_LEN] = { 0 };
      guint32 next = f->counter + 1;

      if (f->sent_in_window >= f->window)
        {
          f->pinging = TRUE;
          f->pings++;
          g_dbus_connection_call (f->bus, "org.bluez", "/", "org.freedesktop.DBus.Peer", "Ping",
                                  NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_ping, f);
          return;
        }
      memcpy (v, &next, sizeof next);
      if (f->fd_path)
        {
          if (f->fd < 0)
            return;
          if (send (f->fd, v, sizeof v, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
            {
              if (errno == EAGAIN || errno == EWOULDBLOCK)
                f->out_watch = g_unix_fd_add (f->fd, G_IO_OUT, on_writable, f);
              else if (errno != EINTR)
                close_socket (f);
              continue;
            }
        }
      else
        {
          g_dbus_connection_emit_signal (f->bus, "org.bluez", CHAR_PATH,
                                         "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                         g_variant_new_parsed ("('org.bluez.GattCharacteristic1', "
                                                               "{'Value': <%@ay>}, @as [])",
                                                               g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE,
                                                                                          v, sizeof v, 1)),
                                         NULL);
        }
      f->counter = next;
      f->sent++;
      f->sent_in_window++;
    }
}

static void
on_advertising (GObject *source, GAsyncResult *result, gpointer data)
{
  Floor *f = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (f->bus, result, &error);

  if (reply == NULL)
    {
      g_printerr ("advertising: %s\n", error->message);
      g_main_loop_quit (f->loop);
      return;
    }
  g_print ("advertising\n");
}

static void
on_registered (GObject *source, GAsyncResult *result, gpointer data)
{
  Floor *f = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (f->bus, result, &error);

  if (reply == NULL)
    {
      g_printerr ("register: %s\n", error->message);
      g_main_loop_quit (f->loop);
      return;
    }
  g_dbus_connection_call (f->bus, "org.bluez", f->adapter_path, "org.bluez.LEAdvertisingManager1",
                          "RegisterAdvertisement",
                          g_variant_new_parsed ("(%o, @a{sv} {})", ADV_PATH),
                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_advertising, f);
}

static GVariant *
adv_get_property (GDBusConnection *connection, const char *sender, const char *object_path,
                  const char *interface_name, const char *property_name, GError **error,
                  gpointer data)
{
  Floor *f = data;

  if (strcmp (property_name, "Type") == 0)
    return g_variant_new_string ("peripheral");
  if (strcmp (property_name, "LocalName") == 0)
    return g_variant_new_string (f->name);
  if (strcmp (property_name, "ServiceUUIDs") == 0)
    return g_variant_new_strv ((const char *[]) { BENCH_SERVICE }, 1);
  /* Without the LE General Discoverable flag, BlueZ 5.82 centrals ignore
   * the advert's name and UUIDs (docs/bluez-quirks.md). */
  if (strcmp (property_name, "Discoverable") == 0)
    return g_variant_new_boolean (TRUE);
  return NULL;
}

static gboolean
on_count (gpointer data)
{
  bench_writes_print (&((Floor *) data)->writes, "COUNT");
  return G_SOURCE_CONTINUE;
}

static gboolean
on_quit (gpointer data)
{
  g_main_loop_quit (((Floor *) data)->loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char *argv[])
{
  gint64 t_main = g_get_monotonic_time ();
  Floor f = { .fd = -1, .window = 64 };
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *adapter_path = NULL;
  int window = 0;
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "path", 0, 0, G_OPTION_ARG_STRING, &path, "pc, fd or write", "PATH" },
    { "window", 0, 0, G_OPTION_ARG_INT, &window, "notifications per round trip", "N" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "advertised name", "NAME" },
    { NULL }
  };
  static const GDBusInterfaceVTable vtable = { method_call, NULL, NULL, { 0 } };
  static const GDBusInterfaceVTable adv_vtable = { method_call, adv_get_property, NULL, { 0 } };
  /* The advertisement's properties, in a second description. */
  static const char adv_xml[] =
    "<node><interface name='org.bluez.LEAdvertisement1'><method name='Release'/>"
    "<property name='Type' type='s' access='read'/>"
    "<property name='LocalName' type='s' access='read'/>"
    "<property name='ServiceUUIDs' type='as' access='read'/>"
    "<property name='Discoverable' type='b' access='read'/>"
    "</interface></node>";
  g_autoptr(GDBusNodeInfo) adv_info = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  setvbuf (stdout, NULL, _IOLBF, 0);
  /* Start-up marks on CLOCK_MONOTONIC (µs), for bench/part4-guest.py. */
  g_print ("mark main %" G_GINT64_FORMAT "\n", t_main);
  f.fd_path = g_strcmp0 (path, "fd") == 0;
  f.write_path = g_strcmp0 (path, "write") == 0;
  if (window > 0)
    f.window = (guint) window;
  f.name = name != NULL ? name : "gp-bench";
  adapter_path = g_strconcat ("/org/bluez/", g_getenv ("GP_SANDBOX_PERIPHERAL_ADAPTER") ?: "hci0", NULL);
  f.adapter_path = adapter_path;

  f.bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  if (f.bus == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  f.info = g_dbus_node_info_new_for_xml (xml, &error);
  adv_info = g_dbus_node_info_new_for_xml (adv_xml, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (f.bus, APP_PATH, f.info->interfaces[0], &vtable, &f, NULL, &error);
  g_dbus_connection_register_object (f.bus, CHAR_PATH, f.info->interfaces[1], &vtable, &f, NULL, &error);
  g_dbus_connection_register_object (f.bus, ADV_PATH, adv_info->interfaces[0], &adv_vtable, &f, NULL, &error);
  g_assert_no_error (error);

  f.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_quit, &f);
  g_unix_signal_add (SIGINT, on_quit, &f);
  if (f.write_path)
    g_unix_signal_add (SIGUSR1, on_count, &f);
  g_print ("mark registering %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  g_dbus_connection_call (f.bus, "org.bluez", f.adapter_path, "org.bluez.GattManager1",
                          "RegisterApplication", g_variant_new_parsed ("(%o, @a{sv} {})", APP_PATH),
                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_registered, &f);
  g_main_loop_run (f.loop);

  if (f.write_path)
    bench_writes_print (&f.writes, "STATS");
  else
    g_print ("STATS sent=%" G_GUINT64_FORMAT " pings=%" G_GUINT64_FORMAT "\n", f.sent, f.pings);
  close_socket (&f);
  g_dbus_node_info_unref (f.info);
  g_object_unref (f.bus);
  g_main_loop_unref (f.loop);
  return 0;
}
