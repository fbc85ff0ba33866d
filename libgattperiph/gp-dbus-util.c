/* gp-dbus-util.c: small D-Bus helpers shared by the object model
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-dbus-util-private.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gio/gunixfdlist.h>

#include <string.h>

static gboolean
expect_type (GVariant           *value,
             const char         *key,
             const GVariantType *type,
             GError            **error)
{
  if (g_variant_is_of_type (value, type))
    return TRUE;
  g_set_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
               "Option “%s” has type “%s”, expected “%s”",
               key, g_variant_get_type_string (value),
               g_variant_type_peek_string (type));
  return FALSE;
}

/* Parses the options dictionary bluetoothd passes to ReadValue and
 * WriteValue. Known keys with a wrong type are an error; unknown keys are
 * ignored, because newer BlueZ versions add keys (mtu came in 5.51). */
gboolean
gp_request_options_parse (GVariant          *options,
                          GpRequestOptions  *out,
                          GError           **error)
{
  gsize n;

  memset (out, 0, sizeof *out);
  out->link = GP_LINK_TYPE_UNKNOWN;
  out->write_type = GP_WRITE_TYPE_UNKNOWN;

  /* Child by child rather than with a format string: this runs for every
   * read and write, and g_variant_iter_next() parses "{&sv}" each time. */
  n = g_variant_n_children (options);
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (options, i);
      g_autoptr(GVariant) key_variant = g_variant_get_child_value (entry, 0);
      g_autoptr(GVariant) boxed = g_variant_get_child_value (entry, 1);
      g_autoptr(GVariant) value = g_variant_get_variant (boxed);
      const char *key = g_variant_get_string (key_variant, NULL);

      if (strcmp (key, "offset") == 0)
        {
          if (!expect_type (value, key, G_VARIANT_TYPE_UINT16, error))
            return FALSE;
          out->offset = g_variant_get_uint16 (value);
        }
      else if (strcmp (key, "mtu") == 0)
        {
          if (!expect_type (value, key, G_VARIANT_TYPE_UINT16, error))
            return FALSE;
          out->mtu = g_variant_get_uint16 (value);
        }
      else if (strcmp (key, "device") == 0)
        {
          if (!expect_type (value, key, G_VARIANT_TYPE_OBJECT_PATH, error))
            return FALSE;
          /* Borrowed: @options (which holds the string's data) outlives
           * the request's construction. */
          out->device = g_variant_get_string (value, NULL);
        }
      else if (strcmp (key, "link") == 0)
        {
          const char *link;

          if (!expect_type (value, key, G_VARIANT_TYPE_STRING, error))
            return FALSE;
          link = g_variant_get_string (value, NULL);
          if (strcmp (link, "LE") == 0)
            out->link = GP_LINK_TYPE_LE;
          else if (strcmp (link, "BR/EDR") == 0)
            out->link = GP_LINK_TYPE_BR_EDR;
        }
      else if (strcmp (key, "prepare-authorize") == 0)
        {
          if (!expect_type (value, key, G_VARIANT_TYPE_BOOLEAN, error))
            return FALSE;
          out->prepare_authorize = g_variant_get_boolean (value);
        }
      else if (strcmp (key, "type") == 0)
        {
          const char *type;

          if (!expect_type (value, key, G_VARIANT_TYPE_STRING, error))
            return FALSE;
          type = g_variant_get_string (value, NULL);
          if (strcmp (type, "request") == 0)
            out->write_type = GP_WRITE_TYPE_REQUEST;
          else if (strcmp (type, "command") == 0)
            out->write_type = GP_WRITE_TYPE_COMMAND;
          else if (strcmp (type, "reliable") == 0)
            out->write_type = GP_WRITE_TYPE_RELIABLE;
        }
    }

  return TRUE;
}

/* Adds @key: @value (a floating reference is taken) to an a{sv} builder.
 * g_variant_builder_add() would parse "{sv}" every time. */
void
gp_vardict_add (GVariantBuilder *builder,
                const char      *key,
                GVariant        *value)
{
  g_variant_builder_add_value (builder, g_variant_new_dict_entry (g_variant_new_string (key),
                                                                  g_variant_new_variant (value)));
}

/* The names (as) of the bits set in @flags; bit i is @names[i]. */
GVariant *
gp_flags_to_strv_variant (const char * const *names,
                          guint               n_names,
                          guint               flags)
{
  const char *set[32];
  guint n = 0;

  g_assert (n_names <= G_N_ELEMENTS (set));
  for (guint i = 0; i < n_names; i++)
    if (flags & (1u << i))
      set[n++] = names[i];
  return g_variant_new_strv (set, n);
}

GVariant *
gp_bytes_to_variant (GBytes *bytes)
{
  if (bytes == NULL)
    return g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, NULL, 0, TRUE, NULL, NULL);
  return g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, bytes, TRUE);
}

GBytes *
gp_variant_to_bytes (GVariant *variant)
{
  return g_variant_get_data_as_bytes (variant);
}

/* The body of a ReadValue reply: @value from @offset on (bluetoothd does
 * not slice by offset itself), at most 512 bytes; NULL if @offset is past
 * the end. */
GVariant *
gp_read_reply_body (GBytes *value,
                    guint   offset)
{
  gsize len = value != NULL ? g_bytes_get_size (value) : 0;
  g_autoptr(GBytes) slice = NULL;
  GVariant *ay;

  if (offset > len)
    return NULL;
  if (value == NULL || (offset == 0 && len <= GP_MAX_VALUE_LENGTH))
    slice = value != NULL ? g_bytes_ref (value) : NULL;
  else
    slice = g_bytes_new_from_bytes (value, offset, MIN (len - offset, GP_MAX_VALUE_LENGTH));
  ay = gp_bytes_to_variant (slice);
  return g_variant_new_tuple (&ay, 1);
}

/* Answers ReadValue with @value from @offset on. */
void
gp_dbus_return_read_value (GDBusMethodInvocation *invocation,
                           GBytes                *value,
                           guint                  offset)
{
  GVariant *body = gp_read_reply_body (value, offset);

  if (body == NULL)
    g_dbus_method_invocation_return_error (invocation, GP_ERROR, GP_ERROR_INVALID_OFFSET,
                                           "Offset %u is past the end of the %" G_GSIZE_FORMAT "-byte value",
                                           offset, value != NULL ? g_bytes_get_size (value) : 0);
  else
    g_dbus_method_invocation_return_value (invocation, body);
}

/* The stored value after a write of @data at @offset: a write at offset 0
 * replaces the value (a Write Request, or the first chunk of a long write);
 * a write at a later offset overlays the old value from there and extends
 * it when needed (the following chunks of a long write). */
GBytes *
gp_bytes_write_at (GBytes  *old_value,
                   guint    offset,
                   GBytes  *data,
                   GError **error)
{
  gsize old_len = old_value != NULL ? g_bytes_get_size (old_value) : 0;
  gsize data_len = g_bytes_get_size (data);
  gsize new_len;
  guint8 *buf;

  if (offset == 0)
    {
      if (data_len > GP_MAX_VALUE_LENGTH)
        {
          g_set_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH,
                       "A value of %" G_GSIZE_FORMAT " bytes is longer than the %d bytes ATT allows",
                       data_len, GP_MAX_VALUE_LENGTH);
          return NULL;
        }
      return g_bytes_ref (data);
    }

  if (offset > old_len)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_INVALID_OFFSET,
                   "Offset %u is past the end of the %" G_GSIZE_FORMAT "-byte value",
                   offset, old_len);
      return NULL;
    }

  new_len = MAX (old_len, offset + data_len);
  if (new_len > GP_MAX_VALUE_LENGTH)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH,
                   "Writing %" G_GSIZE_FORMAT " bytes at offset %u would make the value longer than %d bytes",
                   data_len, offset, GP_MAX_VALUE_LENGTH);
      return NULL;
    }

  buf = g_malloc (new_len);
  if (old_len > 0)
    memcpy (buf, g_bytes_get_data (old_value, NULL), old_len);
  if (data_len > 0)
    memcpy (buf + offset, g_bytes_get_data (data, NULL), data_len);
  return g_bytes_new_take (buf, new_len);
}

/* Looks @name up in an a{sv}. */
GVariant *
gp_dbus_lookup_property (GVariant   *properties,
                         const char *name)
{
  return g_variant_lookup_value (properties, name, NULL);
}

/* Takes @error from a call to BlueZ and makes it one a user can act on:
 * "no owner of org.bluez" becomes GP_ERROR_NOT_READY, and the remote
 * error prefix is stripped (BlueZ's names map to GP_ERROR already). */
GError *
gp_dbus_error_from_bluez (GError *error)
{
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER))
    {
      GError *ret = g_error_new (GP_ERROR, GP_ERROR_NOT_READY,
                                 "BlueZ is not running (no owner of org.bluez on the bus): "
                                 "start bluetoothd (systemctl start bluetooth)");
      g_error_free (error);
      return ret;
    }
  g_dbus_error_strip_remote_error (error);
  return error;
}

gboolean
gp_dbus_sender_allowed (const char *sender,
                        const char *bluez_owner)
{
  return sender == NULL || (bluez_owner != NULL && strcmp (sender, bluez_owner) == 0);
}

gboolean
gp_dbus_check_caller (GDBusMethodInvocation *invocation,
                      const char            *bluez_owner)
{
  if (gp_dbus_sender_allowed (g_dbus_method_invocation_get_sender (invocation), bluez_owner))
    return TRUE;
  g_dbus_method_invocation_return_error (invocation, GP_ERROR, GP_ERROR_NOT_PERMITTED,
                                         "Only BlueZ may call %s.%s on this object",
                                         g_dbus_method_invocation_get_interface_name (invocation),
                                         g_dbus_method_invocation_get_method_name (invocation));
  return FALSE;
}

/* The filter holds a reference of its own: GDBus may still run it on its
 * I/O thread after g_dbus_connection_remove_filter() returned. */
struct _GpCallerGate
{
  gatomicrefcount  ref_count;
  GMutex           lock;
  char            *path;
  char            *owner;       /* under lock: bluetoothd's unique name */
  GDBusConnection *connection;  /* main context: where the filter is */
  guint            filter_id;
};

static GpCallerGate *
caller_gate_ref (GpCallerGate *gate)
{
  g_atomic_ref_count_inc (&gate->ref_count);
  return gate;
}

static void
caller_gate_unref (gpointer data)
{
  GpCallerGate *gate = data;

  if (!g_atomic_ref_count_dec (&gate->ref_count))
    return;
  g_mutex_clear (&gate->lock);
  g_free (gate->path);
  g_free (gate->owner);
  g_free (gate);
}

static void
caller_gate_set_owner (GpCallerGate *gate,
                       const char   *owner)
{
  g_mutex_lock (&gate->lock);
  g_free (gate->owner);
  gate->owner = g_strdup (owner);
  g_mutex_unlock (&gate->lock);
}

static GDBusMessage *
caller_gate_filter (GDBusConnection *connection,
                    GDBusMessage    *message,
                    gboolean         incoming,
                    gpointer         user_data)
{
  GpCallerGate *gate = user_data;
  const char *interface = g_dbus_message_get_interface (message);
  gboolean allowed;

  if (!incoming || g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL ||
      g_strcmp0 (g_dbus_message_get_path (message), gate->path) != 0 ||
      g_strcmp0 (interface, "org.freedesktop.DBus.Introspectable") == 0 ||
      g_strcmp0 (interface, "org.freedesktop.DBus.Peer") == 0)
    return message;
  g_mutex_lock (&gate->lock);
  allowed = gp_dbus_sender_allowed (g_dbus_message_get_sender (message), gate->owner);
  g_mutex_unlock (&gate->lock);
  if (allowed)
    return message;

  if ((g_dbus_message_get_flags (message) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED) == 0)
    {
      g_autoptr(GDBusMessage) reply =
        g_dbus_message_new_method_error (message, "org.bluez.Error.NotPermitted",
                                         "Only BlueZ may call %s.%s on this object",
                                         interface, g_dbus_message_get_member (message));

      g_dbus_connection_send_message (connection, reply, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
    }
  g_object_unref (message);
  return NULL;
}

GpCallerGate *
gp_caller_gate_new (const char *object_path)
{
  GpCallerGate *gate = g_new0 (GpCallerGate, 1);

  g_atomic_ref_count_init (&gate->ref_count);
  g_mutex_init (&gate->lock);
  gate->path = g_strdup (object_path);
  return gate;
}

void
gp_caller_gate_attach (GpCallerGate    *gate,
                       GDBusConnection *connection,
                       const char      *bluez_owner)
{
  if (gate->connection != NULL && gate->connection != connection)
    gp_caller_gate_detach (gate);
  caller_gate_set_owner (gate, bluez_owner);
  if (gate->filter_id != 0)
    return;
  gate->connection = g_object_ref (connection);
  gate->filter_id = g_dbus_connection_add_filter (connection, caller_gate_filter,
                                                  caller_gate_ref (gate), caller_gate_unref);
}

void
gp_caller_gate_detach (GpCallerGate *gate)
{
  if (gate->filter_id != 0)
    g_dbus_connection_remove_filter (gate->connection, gate->filter_id);
  gate->filter_id = 0;
  g_clear_object (&gate->connection);
  caller_gate_set_owner (gate, NULL);
}

void
gp_caller_gate_free (GpCallerGate *gate)
{
  gp_caller_gate_detach (gate);
  caller_gate_unref (gate);
}

static GSource *
source_attach (GSource      *source,
               GMainContext *context,
               GSourceFunc   func,
               gpointer      user_data)
{
  g_source_set_callback (source, func, user_data, NULL);
  g_source_attach (source, context);
  return source;
}

GSource *
gp_timeout_source_attach (GMainContext *context,
                          guint         interval_msec,
                          GSourceFunc   func,
                          gpointer      user_data)
{
  GSource *source = g_timeout_source_new (interval_msec);

  g_source_set_static_name (source, "[gattperiph] timeout");
  return source_attach (source, context, func, user_data);
}

GSource *
gp_idle_source_attach (GMainContext *context,
                       int           priority,
                       GSourceFunc   func,
                       gpointer      user_data)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, priority);
  g_source_set_static_name (source, "[gattperiph] idle");
  return source_attach (source, context, func, user_data);
}

GSource *
gp_fd_source_attach (GMainContext      *context,
                     int                fd,
                     GIOCondition       condition,
                     GUnixFDSourceFunc  func,
                     gpointer           user_data)
{
  GSource *source = g_unix_fd_source_new (fd, condition);

  g_source_set_static_name (source, "[gattperiph] fd");
  return source_attach (source, context, (GSourceFunc) (void (*) (void)) func, user_data);
}

void
gp_source_clear (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* Per notification, GLib before 2.76 (Debian 12 has 2.74) emits ::notify
 * even when no handler is connected: about 1 k instructions, three times
 * per value sent with send_value_async (value, backlog in and out). It is
 * skipped when no handler is connected for the property or for every
 * property (g_object_bind_property() and GJS/PyGObject watchers connect
 * one too; blocked ones count) and the class has no notify vfunc: what
 * GLib 2.76 and later check themselves. */
void
gp_object_notify_heard (GObject    *object,
                        GParamSpec *pspec)
{
  static gsize notify_id;  /* GObject's ::notify: one id for the process */

  if (g_once_init_enter (&notify_id))
    g_once_init_leave (&notify_id, g_signal_lookup ("notify", G_TYPE_OBJECT));

  /* A detail matches exactly there: "notify" without one is a second
   * look-up. */
  if (G_OBJECT_GET_CLASS (object)->notify == NULL &&
      !g_signal_has_handler_pending (object, (guint) notify_id, g_param_spec_get_name_quark (pspec), TRUE) &&
      !g_signal_has_handler_pending (object, (guint) notify_id, 0, TRUE))
    return;
  g_object_notify_by_pspec (object, pspec);
}

int
gp_dbus_seqpacket_pair (GUnixFDList **out_fds,
                        int          *out_index,
                        GError      **error)
{
  g_autoptr(GUnixFDList) fds = NULL;
  int pair[2];

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "socketpair: %s", g_strerror (errsv));
      return -1;
    }
  fds = g_unix_fd_list_new ();
  *out_index = g_unix_fd_list_append (fds, pair[1], error);
  close (pair[1]);  /* bluetoothd's copy travels in the message */
  if (*out_index < 0)
    {
      close (pair[0]);
      return -1;
    }
  *out_fds = g_steal_pointer (&fds);
  return pair[0];
}
