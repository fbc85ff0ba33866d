/* gp-bench-server-gdbus.c: the raw-GDBus floors the library is measured
 * against. Hand-written, no abstraction, the cheapest code that answers
 * what bluetoothd asks.
 *
 *   (default)     g_dbus_connection_register_object: GDBus dispatches each
 *                 call to the main loop (the "main-loop floor")
 *   --filter      a GDBus message filter answers ReadValue/WriteValue on
 *                 GDBus's I/O thread (the "filter floor")
 *   --notify unpaced   once StartNotify arrives, emit PropertiesChanged as
 *                 fast as possible with no flow control (what the library's
 *                 pacing is there to prevent)
 *   --notify unpaced-fd   answer AcquireNotify with a socket and write a
 *                 datagram per value into it as fast as it takes them
 *                 (waiting for G_IO_OUT when it is full): the fd floor
 *   --services S --chars C --descs D   the tree (default 1 / 1 / 0)
 *
 * Prints "REGISTERED <wall µs> <cpu µs>" and, on SIGTERM, "STATS ...".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bench-common.h"

#include <errno.h>
#include <gio/gunixfdlist.h>
#include <glib-unix.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

typedef enum { OBJ_SERVICE, OBJ_CHRC, OBJ_DESC } ObjKind;

typedef struct
{
  ObjKind  kind;
  char    *path;
  char    *uuid;
  char    *parent;           /* service of a chrc, chrc of a desc */
  guint8   value[512];
  gsize    len;
  gboolean notifying;
} Obj;

static BenchTree tree = { 1, 1, 0 };
static gboolean opt_filter;
static char *opt_notify;
static gint64 opt_max_signals = 20000000;

static GOptionEntry entries[] = {
  { "services", 0, 0, G_OPTION_ARG_INT, &tree.services, "services", "S" },
  { "chars", 0, 0, G_OPTION_ARG_INT, &tree.chars, "characteristics in all", "C" },
  { "descs", 0, 0, G_OPTION_ARG_INT, &tree.descs, "descriptors per characteristic", "D" },
  { "filter", 0, 0, G_OPTION_ARG_NONE, &opt_filter, "answer reads/writes in a message filter", NULL },
  { "notify", 0, 0, G_OPTION_ARG_STRING, &opt_notify, "unpaced or unpaced-fd", "HOW" },
  { "max-signals", 0, 0, G_OPTION_ARG_INT64, &opt_max_signals, "safety cap for --notify unpaced", "N" },
  { NULL }
};

static GDBusConnection *conn;
static GDBusNodeInfo *node;
static GPtrArray *objects;        /* Obj, in declaration order */
static GHashTable *by_path;       /* path -> Obj */
static GMainLoop *loop;
static gint64 reg_t0, reg_c0;
static guint64 n_emitted;
static guint emit_source;
static Obj *notifier;
static int notify_fd = -1;

static const char *const chrc_flags[] = { "read", "write", "notify", NULL };
static const char *const desc_flags[] = { "read", NULL };

static GVariant *
value_variant (Obj *o)
{
  return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, o->value, o->len, 1);
}

static GVariant *
obj_properties (Obj *o)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "UUID", g_variant_new_string (o->uuid));
  switch (o->kind)
    {
    case OBJ_SERVICE:
      g_variant_builder_add (&b, "{sv}", "Primary", g_variant_new_boolean (TRUE));
      g_variant_builder_add (&b, "{sv}", "Includes", g_variant_new_objv (NULL, 0));
      break;
    case OBJ_CHRC:
      g_variant_builder_add (&b, "{sv}", "Service", g_variant_new_object_path (o->parent));
      g_variant_builder_add (&b, "{sv}", "Flags", g_variant_new_strv (chrc_flags, -1));
      g_variant_builder_add (&b, "{sv}", "Value", value_variant (o));
      g_variant_builder_add (&b, "{sv}", "Notifying", g_variant_new_boolean (o->notifying));
      break;
    case OBJ_DESC:
      g_variant_builder_add (&b, "{sv}", "Characteristic", g_variant_new_object_path (o->parent));
      g_variant_builder_add (&b, "{sv}", "Flags", g_variant_new_strv (desc_flags, -1));
      break;
    }
  return g_variant_builder_end (&b);
}

static const char *
obj_interface (Obj *o)
{
  return o->kind == OBJ_SERVICE ? "org.bluez.GattService1" :
         o->kind == OBJ_CHRC ? "org.bluez.GattCharacteristic1" : "org.bluez.GattDescriptor1";
}

/* ---- notifications, unpaced ---- */

static gboolean
emit_burst (gpointer user_data)
{
  for (int i = 0; i < 256 && notifier->notifying; i++)
    {
      GVariantBuilder changed;

      memcpy (notifier->value, &n_emitted, sizeof n_emitted);
      g_variant_builder_init (&changed, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&changed, "{sv}", "Value", value_variant (notifier));
      g_dbus_connection_emit_signal (conn, NULL, notifier->path, "org.freedesktop.DBus.Properties",
                                     "PropertiesChanged",
                                     g_variant_new ("(sa{sv}@as)", "org.bluez.GattCharacteristic1",
                                                    &changed, g_variant_new_strv (NULL, 0)),
                                     NULL);
      n_emitted++;
    }
  if (!notifier->notifying || (gint64) n_emitted >= opt_max_signals)
    {
      emit_source = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* A datagram per value, as long as the socket takes them; G_IO_OUT
 * brings this back when it is full. */
static gboolean
write_burst (int          fd,
             GIOCondition condition,
             gpointer     user_data)
{
  if ((condition & (G_IO_HUP | G_IO_ERR)) != 0)
    goto gone;
  for (int i = 0; i < 256; i++)
    {
      memcpy (notifier->value, &n_emitted, sizeof n_emitted);
      if (send (fd, notifier->value, notifier->len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
        {
          if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return G_SOURCE_CONTINUE;
          goto gone;
        }
      n_emitted++;
      if ((gint64) n_emitted >= opt_max_signals)
        goto gone;
    }
  return G_SOURCE_CONTINUE;

gone:
  close (notify_fd);
  notify_fd = -1;
  emit_source = 0;
  return G_SOURCE_REMOVE;
}

static void
acquire_notify (Obj                   *o,
                GDBusMethodInvocation *invocation)
{
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  int pair[2], index;

  if (opt_notify == NULL || strcmp (opt_notify, "unpaced-fd") != 0 || notify_fd >= 0 ||
      socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) < 0)
    {
      g_dbus_method_invocation_return_dbus_error (invocation, "org.bluez.Error.NotSupported",
                                                  "AcquireNotify");
      return;
    }
  index = g_unix_fd_list_append (fds, pair[1], NULL);
  close (pair[1]);
  notify_fd = pair[0];
  notifier = o;
  g_dbus_method_invocation_return_value_with_unix_fd_list (invocation, g_variant_new ("(hq)", index, 517), fds);
  emit_source = g_unix_fd_add (notify_fd, G_IO_OUT, write_burst, NULL);
}

/* ---- method calls ---- */

static void
method_call (GDBusConnection       *connection,
             const char            *sender,
             const char            *object_path,
             const char            *interface_name,
             const char            *method_name,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               user_data)
{
  Obj *o = user_data;

  if (strcmp (method_name, "ReadValue") == 0)
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(@ay)", value_variant (o)));
  else if (strcmp (method_name, "WriteValue") == 0)
    {
      g_autoptr(GVariant) v = g_variant_get_child_value (parameters, 0);
      gsize n;
      const guint8 *data = g_variant_get_fixed_array (v, &n, 1);

      o->len = MIN (n, sizeof o->value);
      memcpy (o->value, data, o->len);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (strcmp (method_name, "StartNotify") == 0)
    {
      o->notifying = TRUE;
      g_dbus_method_invocation_return_value (invocation, NULL);
      if (opt_notify != NULL && strcmp (opt_notify, "unpaced") == 0 && emit_source == 0)
        {
          notifier = o;
          emit_source = g_idle_add (emit_burst, NULL);
        }
    }
  else if (strcmp (method_name, "AcquireNotify") == 0)
    acquire_notify (o, invocation);
  else if (strcmp (method_name, "StopNotify") == 0)
    {
      o->notifying = FALSE;
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else
    g_dbus_method_invocation_return_dbus_error (invocation, "org.bluez.Error.NotSupported", method_name);
}

static GVariant *
get_property (GDBusConnection  *connection,
              const char       *sender,
              const char       *object_path,
              const char       *interface_name,
              const char       *property_name,
              GError          **error,
              gpointer          user_data)
{
  g_autoptr(GVariant) all = g_variant_ref_sink (obj_properties (user_data));
  GVariant *v = g_variant_lookup_value (all, property_name, NULL);

  if (v == NULL)
    g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "No property %s", property_name);
  return v;
}

static const GDBusInterfaceVTable obj_vtable = { method_call, get_property, NULL, { 0 } };

static void
manager_call (GDBusConnection       *connection,
              const char            *sender,
              const char            *object_path,
              const char            *interface_name,
              const char            *method_name,
              GVariant              *parameters,
              GDBusMethodInvocation *invocation,
              gpointer               user_data)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{oa{sa{sv}}}"));
  for (guint i = 0; i < objects->len; i++)
    {
      Obj *o = g_ptr_array_index (objects, i);
      GVariantBuilder ifaces;

      g_variant_builder_init (&ifaces, G_VARIANT_TYPE ("a{sa{sv}}"));
      g_variant_builder_add (&ifaces, "{s@a{sv}}", obj_interface (o), obj_properties (o));
      g_variant_builder_add (&b, "{oa{sa{sv}}}", o->path, &ifaces);
    }
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(@a{oa{sa{sv}}})", g_variant_builder_end (&b)));
}

static const GDBusInterfaceVTable manager_vtable = { manager_call, NULL, NULL, { 0 } };

/* ---- the filter floor ---- */

static GDBusMessage *
filter (GDBusConnection *connection,
        GDBusMessage    *message,
        gboolean         incoming,
        gpointer         user_data)
{
  const char *member, *iface;
  gboolean is_read, is_write;
  GDBusMessage *reply;
  Obj *o;

  if (!incoming || g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    return message;
  member = g_dbus_message_get_member (message);
  iface = g_dbus_message_get_interface (message);
  is_read = strcmp (member, "ReadValue") == 0;
  is_write = !is_read && strcmp (member, "WriteValue") == 0;
  if ((!is_read && !is_write) || iface == NULL || strcmp (iface, "org.bluez.GattCharacteristic1") != 0)
    return message;
  o = g_hash_table_lookup (by_path, g_dbus_message_get_path (message));
  if (o == NULL || o->kind != OBJ_CHRC)
    return message;

  reply = g_dbus_message_new_method_reply (message);
  if (is_read)
    g_dbus_message_set_body (reply, g_variant_new ("(@ay)", value_variant (o)));
  else
    {
      GVariant *body = g_dbus_message_get_body (message);
      g_autoptr(GVariant) v = NULL;
      const guint8 *data;
      gsize n;

      if (body == NULL || !g_variant_is_of_type (body, G_VARIANT_TYPE ("(aya{sv})")))
        {
          g_object_unref (reply);
          return message;
        }
      v = g_variant_get_child_value (body, 0);
      data = g_variant_get_fixed_array (v, &n, 1);
      o->len = MIN (n, sizeof o->value);
      memcpy (o->value, data, o->len);
    }
  g_dbus_connection_send_message (connection, reply, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
  g_object_unref (reply);
  g_object_unref (message);
  return NULL;
}

/* ---- registration ---- */

static Obj *
add_obj (ObjKind     kind,
         char       *path,
         char       *uuid,
         const char *parent)
{
  Obj *o = g_new0 (Obj, 1);

  o->kind = kind;
  o->path = path;
  o->uuid = uuid;
  o->parent = g_strdup (parent);
  o->len = BENCH_VALUE_LEN;
  for (guint i = 0; i < o->len; i++)
    o->value[i] = 0xa0 + i;
  g_ptr_array_add (objects, o);
  g_hash_table_insert (by_path, o->path, o);
  return o;
}

static void
build_tree (void)
{
  objects = g_ptr_array_new ();
  by_path = g_hash_table_new (g_str_hash, g_str_equal);

  for (int s = 0; s < tree.services; s++)
    {
      char *spath = g_strdup_printf (BENCH_APP_PATH "/service%d", s);
      int nc = bench_chars_in_service (&tree, s);

      add_obj (OBJ_SERVICE, spath, bench_uuid (1, s, 0, 0), NULL);
      for (int c = 0; c < nc; c++)
        {
          char *cpath = g_strdup_printf ("%s/char%d", spath, c);

          add_obj (OBJ_CHRC, cpath, bench_uuid (2, s, c, 0), spath);
          for (int d = 0; d < tree.descs; d++)
            add_obj (OBJ_DESC, g_strdup_printf ("%s/desc%d", cpath, d), bench_uuid (3, s, c, d), cpath);
        }
    }
}

static void
registered (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (conn, result, &error);

  if (reply == NULL)
    {
      g_printerr ("gp-bench-server-gdbus: %s\n", error->message);
      exit (1);
    }
  bench_say ("REGISTERED %" G_GINT64_FORMAT " %" G_GINT64_FORMAT,
             g_get_monotonic_time () - reg_t0, (bench_self_cpu_ns () - reg_c0) / 1000);
}

static void
export_and_register (void)
{
  g_autoptr(GError) error = NULL;

  if (g_dbus_connection_register_object (conn, BENCH_APP_PATH,
                                         g_dbus_node_info_lookup_interface (node, "org.freedesktop.DBus.ObjectManager"),
                                         &manager_vtable, NULL, NULL, &error) == 0)
    g_error ("%s", error->message);
  for (guint i = 0; i < objects->len; i++)
    {
      Obj *o = g_ptr_array_index (objects, i);

      if (g_dbus_connection_register_object (conn, o->path,
                                             g_dbus_node_info_lookup_interface (node, obj_interface (o)),
                                             &obj_vtable, o, NULL, &error) == 0)
        g_error ("%s", error->message);
    }

  g_dbus_connection_call (conn, "org.bluez", BENCH_ADAPTER_PATH, "org.bluez.GattManager1",
                          "RegisterApplication",
                          g_variant_new ("(o@a{sv})", BENCH_APP_PATH,
                                         g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0)),
                          NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, 60000, NULL, registered, NULL);
}

static gboolean
on_sigterm (gpointer user_data)
{
  bench_say ("STATS emitted=%" G_GUINT64_FORMAT, n_emitted);
  exit (0);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_sigterm, NULL);
  node = g_dbus_node_info_new_for_xml (bench_gatt_xml (), &error);
  g_assert_no_error (error);
  conn = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (conn == NULL)
    {
      g_printerr ("gp-bench-server-gdbus: %s\n", error->message);
      return 1;
    }
  build_tree ();
  if (opt_filter)
    g_dbus_connection_add_filter (conn, filter, NULL, NULL);

  reg_t0 = g_get_monotonic_time ();
  reg_c0 = bench_self_cpu_ns ();
  export_and_register ();
  g_main_loop_run (loop);
  return 0;
}
