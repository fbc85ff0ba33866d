/* gp-export.c: the D-Bus export of an application's GATT tree
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-export-private.h"
#include "gp-attribute-private.h"
#include "gp-characteristic-private.h"
#include "gp-dbus-util-private.h"
#include "gp-service-private.h"

#include <string.h>

/* GpExport puts a GpApplication's tree on D-Bus: an ObjectManager at the
 * application's path whose GetManagedObjects answers in declaration order
 * (the order bluetoothd assigns handles in), and one object per service,
 * characteristic and descriptor.
 *
 * Three rules hold for every object of the tree:
 *
 * - Only bluetoothd (the current owner of org.bluez) may call it. A
 *   connection filter refuses every other caller on GDBus's I/O thread,
 *   before any dispatch, with org.bluez.Error.NotPermitted: GATT methods,
 *   GetManagedObjects and Properties Get/GetAll/Set alike (Introspect and
 *   Peer are left to GDBus). The method handler checks again.
 *
 * - Per object, replies follow call order. bluetoothd acknowledges a
 *   write to a write-without-response characteristic (and every Write
 *   Command) before the application answers, so a central can read right
 *   after a write, and must read what it wrote. The filter sees every call
 *   in arrival order and counts, per object, the GATT calls it hands to the
 *   main loop; a ReadValue is answered on the I/O thread from the stored
 *   value, and a WriteValue stored there, only when that count is zero and
 *   no handler wants to see the request. A write stored on the I/O thread
 *   is seen at once by reads there; the main context catches up (and
 *   notifies `value`) in an idle of high priority, attached before any
 *   later call is dispatched, and before running any GATT call on the
 *   object (gp_attribute_sync_value()). On the main loop the calls on one
 *   object run one after the other: a call waits until the one before it
 *   was answered (a read behind a deferred write waits for the write's
 *   answer). A call is answered when its GDBusMethodInvocation goes away,
 *   which a weak reference observes.
 *
 * - The I/O thread never drops a reference on an exported object (nor on
 *   anything that holds one): the last one would then be dropped, and the
 *   object disposed and finalized, on that thread. (It takes an entry's
 *   only to hand it to an idle on the main context.) It reads attributes only
 *   under the export's lock, which the main thread holds to remove them;
 *   the table keeps them alive until then. Entries are released on the
 *   main context only (an answer on another thread hands over to it).
 *
 * Values are not exported as the `Value` property (see
 * gp_attribute_get_dbus_properties()): bluetoothd reads values with
 * ReadValue only, and a later PropertiesChanged(Value) still reaches it as
 * a notification (gdbus/client.c adds properties it did not know).
 */

typedef struct _Entry Entry;

struct _GpExport
{
  GObject          parent_instance;

  GDBusConnection *connection;
  GMainContext    *context;
  char            *object_path;
  GPtrArray       *services;     /* GpService, in export order */
  GHashTable      *in_signatures; /* GDBusMethodInfo -> in-signature; immutable */
  guint            filter_id;
  GQuark           ordered_quark; /* marks the messages the filter counted on an
                                   * entry (the value is the export) */

  /* Shared with the filter on GDBus's I/O thread. */
  GMutex           lock;
  GHashTable      *entries;      /* object path -> Entry (ref) */
  char            *owner;        /* bluetoothd's unique name */
};

G_DEFINE_FINAL_TYPE (GpExport, gp_export, G_TYPE_OBJECT)

/* One exported object. */
struct _Entry
{
  gatomicrefcount     ref_count;
  GpExport           *export;      /* strong */
  GObject            *object;      /* GpService or GpAttribute; NULL: the manager */
  char               *path;
  GDBusInterfaceInfo *info;
  guint               registration_id;
  guint               unanswered;  /* under export->lock: ordered calls not answered */
  /* Main thread only */
  GQueue              waiting;     /* GDBusMethodInvocation: ordered calls not run */
  gboolean            busy;        /* an ordered call runs, not answered yet */
  GSource            *next_source;
};


static Entry *
entry_ref (Entry *entry)
{
  g_atomic_ref_count_inc (&entry->ref_count);
  return entry;
}

static void
entry_unref (gpointer data)
{
  Entry *entry = data;

  if (!g_atomic_ref_count_dec (&entry->ref_count))
    return;
  g_assert (g_queue_is_empty (&entry->waiting) && entry->next_source == NULL);
  g_clear_object (&entry->object);
  g_clear_object (&entry->export);
  g_free (entry->path);
  g_free (entry);
}

static gboolean
check_caller (GpExport              *self,
              GDBusMethodInvocation *invocation)
{
  gboolean ok;

  g_mutex_lock (&self->lock);
  ok = gp_dbus_check_caller (invocation, self->owner);
  g_mutex_unlock (&self->lock);
  return ok;
}

/* ------------------------------------------------------------------ */
/* Properties                                                           */

static GVariant *
entry_properties (Entry *entry)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  if (GP_IS_SERVICE (entry->object))
    gp_service_get_dbus_properties (GP_SERVICE (entry->object), &b);
  else if (entry->object != NULL)
    gp_attribute_get_dbus_properties (GP_ATTRIBUTE (entry->object), &b);
  return g_variant_builder_end (&b);
}

/* org.freedesktop.DBus.Properties, which GDBus hands to the method handler
 * (the vtable has no get_property/set_property) after checking that the
 * property exists, can be read or written, and has the right type. */
static void
properties_call (Entry                 *entry,
                 const char            *method,
                 GVariant              *parameters,
                 GDBusMethodInvocation *invocation)
{
  g_autoptr(GVariant) all = g_variant_ref_sink (entry_properties (entry));
  const char *name = NULL;

  if (strcmp (method, "GetAll") == 0)
    {
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(@a{sv})", all));
      return;
    }

  g_variant_get_child (parameters, 1, "&s", &name);
  if (strcmp (method, "Get") == 0)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (all, name, NULL);

      if (value != NULL)
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(v)", value));
      else
        g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                               "Property “%s” is not exported", name);
    }
  else if (strcmp (method, "Set") == 0 && strcmp (name, "Handle") == 0)
    {
      g_autoptr(GVariant) value = NULL;

      /* bluetoothd writes back the handle it assigned. */
      g_variant_get_child (parameters, 2, "v", &value);
      if (GP_IS_SERVICE (entry->object))
        gp_service_set_assigned_handle (GP_SERVICE (entry->object), g_variant_get_uint16 (value));
      else
        gp_attribute_set_assigned_handle (GP_ATTRIBUTE (entry->object), g_variant_get_uint16 (value));
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY,
                                           "Property “%s” is read-only", name);
}

/* ------------------------------------------------------------------ */
/* GetManagedObjects                                                    */

static void
add_object (GVariantBuilder *objects,
            GpExport        *self,
            const char      *path)
{
  Entry *entry = g_hash_table_lookup (self->entries, path);
  GVariant *iface = g_variant_new_dict_entry (g_variant_new_string (entry->info->name),
                                              entry_properties (entry));

  /* No format strings: this runs for every object of the tree. */
  g_variant_builder_add_value (objects,
                               g_variant_new_dict_entry (g_variant_new_object_path (path),
                                                         g_variant_new_array (NULL, &iface, 1)));
}

/* The reply to GetManagedObjects, in declaration order: services, then
 * each characteristic followed by its descriptors. bluetoothd assigns
 * handles in this order. */
static GVariant *
build_managed_objects (GpExport *self)
{
  GVariantBuilder objects;

  g_variant_builder_init (&objects, G_VARIANT_TYPE ("a{oa{sa{sv}}}"));
  for (guint i = 0; i < self->services->len; i++)
    add_object (&objects, self, gp_service_get_object_path (g_ptr_array_index (self->services, i)));
  for (guint i = 0; i < self->services->len; i++)
    {
      g_autoptr(GList) chrcs = gp_service_get_characteristics (g_ptr_array_index (self->services, i));

      for (GList *c = chrcs; c != NULL; c = c->next)
        {
          g_autoptr(GList) descs = gp_characteristic_get_descriptors (c->data);

          add_object (&objects, self, gp_attribute_get_object_path (c->data));
          for (GList *d = descs; d != NULL; d = d->next)
            add_object (&objects, self, gp_attribute_get_object_path (d->data));
        }
    }
  return g_variant_builder_end (&objects);
}

/* ------------------------------------------------------------------ */
/* Calls, in order                                                      */

static void entry_schedule_next (Entry *entry);

static void
entry_finished_on_main (Entry *entry)
{
  entry->busy = FALSE;
  entry_schedule_next (entry);
}

static gboolean
finished_in_idle (gpointer data)
{
  entry_finished_on_main (data);
  return G_SOURCE_REMOVE;
}

/* From another thread: @func runs on the main context with @entry, whose
 * reference (taken by the caller) is dropped there. */
static void
entry_idle_on_main (Entry       *entry,
                    GSourceFunc  func,
                    int          priority)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, priority);
  g_source_set_callback (source, func, entry, entry_unref);
  g_source_set_static_name (source, "[gattperiph] export");
  g_source_attach (source, entry->export->context);
  g_source_unref (source);
}

/* Weak notify of an ordered call's invocation: the call was answered (or
 * dropped). Runs on the thread that answered. */
static void
call_finished (gpointer  data,
               GObject  *where_the_invocation_was)
{
  Entry *entry = data;
  GpExport *self = entry->export;

  g_mutex_lock (&self->lock);
  entry->unanswered--;
  g_mutex_unlock (&self->lock);

  if (g_main_context_is_owner (self->context))
    {
      entry_finished_on_main (entry);
      entry_unref (entry);
    }
  else
    /* Answered on another thread: the entry (and what it holds) is
     * released on the main context, never here. */
    entry_idle_on_main (entry, finished_in_idle, G_PRIORITY_DEFAULT);
}

/* Runs an ordered call; takes over @invocation. */
static void
entry_run (Entry                 *entry,
           GDBusMethodInvocation *invocation)
{
  entry->busy = TRUE;
  g_object_weak_ref (G_OBJECT (invocation), call_finished, entry_ref (entry));
  gp_attribute_method_call (GP_ATTRIBUTE (entry->object), invocation,
                            g_dbus_method_invocation_get_method_name (invocation),
                            g_dbus_method_invocation_get_parameters (invocation));
}

static gboolean
run_next (gpointer data)
{
  Entry *entry = data;

  gp_source_clear (&entry->next_source);
  if (!entry->busy && !g_queue_is_empty (&entry->waiting))
    entry_run (entry, g_queue_pop_head (&entry->waiting));
  return G_SOURCE_REMOVE;
}

/* The next waiting call runs from an idle rather than from inside the
 * answer to the one before (which may be in application code). */
static void
entry_schedule_next (Entry *entry)
{
  if (entry->registration_id != 0 && !entry->busy && entry->next_source == NULL &&
      !g_queue_is_empty (&entry->waiting))
    entry->next_source = gp_idle_source_attach (entry->export->context, G_PRIORITY_DEFAULT,
                                                run_next, entry);
}

static void
object_method_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *object_path,
                    const char            *interface_name,
                    const char            *method_name,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  Entry *entry = user_data;
  GpExport *self = entry->export;
  GDBusMessage *message = g_dbus_method_invocation_get_message (invocation);

  if (!check_caller (self, invocation))
    return;

  if (entry->registration_id == 0)
    /* Dispatched after the object was unexported. */
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT,
                                           "Object %s is no longer exported", object_path);
  else if (strcmp (interface_name, "org.freedesktop.DBus.Properties") == 0)
    properties_call (entry, method_name, parameters, invocation);
  else if (entry->object == NULL && strcmp (method_name, "GetManagedObjects") == 0)
    {
      GVariant *objects = build_managed_objects (self);
      g_dbus_method_invocation_return_value (invocation, g_variant_new_tuple (&objects, 1));
    }
  else if (!GP_IS_ATTRIBUTE (entry->object))
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "Unknown method %s", method_name);
  else if (g_object_get_qdata (G_OBJECT (message), self->ordered_quark) != self)
    /* Not seen by the filter (the object was being exported or
     * unexported): nothing to keep in order with. */
    gp_attribute_method_call (GP_ATTRIBUTE (entry->object), invocation, method_name, parameters);
  else if (entry->busy || !g_queue_is_empty (&entry->waiting))
    g_queue_push_tail (&entry->waiting, invocation);
  else
    entry_run (entry, invocation);
}

static const GDBusInterfaceVTable object_vtable = {
  object_method_call,
  NULL,   /* Properties go to object_method_call, which sees the caller */
  NULL,
  { 0 }
};

/* ------------------------------------------------------------------ */
/* The filter, on GDBus's I/O thread                                    */

static void
refuse (GDBusConnection *connection,
        GDBusMessage    *message)
{
  if ((g_dbus_message_get_flags (message) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED) == 0)
    {
      g_autoptr(GError) error = g_error_new (GP_ERROR, GP_ERROR_NOT_PERMITTED,
                                             "Only BlueZ may call %s.%s on this object",
                                             g_dbus_message_get_interface (message),
                                             g_dbus_message_get_member (message));
      g_autofree char *name = g_dbus_error_encode_gerror (error);
      g_autoptr(GDBusMessage) reply = g_dbus_message_new_method_error_literal (message, name,
                                                                               error->message);

      g_dbus_connection_send_message (connection, reply, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
    }
  g_object_unref (message);
}

/* Whether GDBus will hand @message to object_method_call as a call of the
 * entry's GATT interface: same checks, same interface description. */
static gboolean
is_gatt_call (GpExport     *self,
              Entry        *entry,
              GDBusMessage *message,
              const char   *interface,
              const char   *member)
{
  GDBusMethodInfo *method;
  const char *signature;

  if (!GP_IS_ATTRIBUTE (entry->object) || g_strcmp0 (interface, entry->info->name) != 0)
    return FALSE;
  method = g_dbus_interface_info_lookup_method (entry->info, member);
  signature = method != NULL ? g_hash_table_lookup (self->in_signatures, method) : NULL;
  return signature != NULL && strcmp (signature, g_dbus_message_get_signature (message)) == 0;
}

/* The main context catches up with writes stored on the I/O thread
 * (notify::value), before any call dispatched after them. */
static gboolean
sync_in_idle (gpointer data)
{
  Entry *entry = data;

  gp_attribute_sync_value (GP_ATTRIBUTE (entry->object));
  return G_SOURCE_REMOVE;
}

/* The arguments of a ReadValue or WriteValue, if they are well formed. */
static gboolean
parse_value_call (GDBusMessage      *message,
                  gboolean           is_read,
                  GpRequestOptions  *opts,
                  GBytes           **data)
{
  GVariant *body = g_dbus_message_get_body (message);
  g_autoptr(GVariant) options = NULL;

  if (body == NULL ||
      !g_variant_is_of_type (body, is_read ? G_VARIANT_TYPE ("(a{sv})") : G_VARIANT_TYPE ("(aya{sv})")))
    return FALSE;
  options = g_variant_get_child_value (body, is_read ? 0 : 1);
  if (!gp_request_options_parse (options, opts, NULL))
    return FALSE;
  if (!is_read)
    {
      g_autoptr(GVariant) ay = g_variant_get_child_value (body, 0);
      *data = gp_variant_to_bytes (ay);
    }
  return TRUE;
}

static GDBusMessage *
gate_filter (GDBusConnection *connection,
             GDBusMessage    *message,
             gboolean         incoming,
             gpointer         user_data)
{
  GpExport *self = user_data;
  g_autoptr(GVariant) reply_body = NULL;
  g_autoptr(GBytes) value = NULL;
  g_autoptr(GBytes) data = NULL;
  GpRequestOptions opts;
  const char *path, *interface, *member;
  gboolean is_read, is_write, answered = FALSE;
  Entry *entry, *sync_entry = NULL;

  if (!incoming || g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    return message;
  path = g_dbus_message_get_path (message);
  interface = g_dbus_message_get_interface (message);
  member = g_dbus_message_get_member (message);
  if (path == NULL || member == NULL ||
      g_strcmp0 (interface, "org.freedesktop.DBus.Introspectable") == 0 ||
      g_strcmp0 (interface, "org.freedesktop.DBus.Peer") == 0)
    return message;

  is_read = strcmp (member, "ReadValue") == 0;
  is_write = !is_read && strcmp (member, "WriteValue") == 0;

  g_mutex_lock (&self->lock);
  entry = g_hash_table_lookup (self->entries, path);
  if (entry == NULL)
    {
      g_mutex_unlock (&self->lock);
      return message;
    }
  if (!gp_dbus_sender_allowed (g_dbus_message_get_sender (message), self->owner))
    {
      g_mutex_unlock (&self->lock);
      refuse (connection, message);
      return NULL;
    }
  if (!is_gatt_call (self, entry, message, interface, member))
    {
      g_mutex_unlock (&self->lock);
      return message;
    }

  /* The hot paths: a read of the stored value, or a write stored as it
   * comes, when no earlier call on the object waits for its answer and
   * no write from an AcquireWrite socket is waiting to be applied. The
   * table keeps the attribute alive while the lock is held. */
  if ((is_read || is_write) && entry->unanswered == 0 &&
      (is_read ? gp_attribute_reads_stored_value (GP_ATTRIBUTE (entry->object))
               : gp_attribute_writes_stored_value (GP_ATTRIBUTE (entry->object))) &&
      !(GP_IS_CHARACTERISTIC (entry->object) &&
        gp_characteristic_write_pending (GP_CHARACTERISTIC (entry->object))) &&
      parse_value_call (message, is_read, &opts, &data))
    {
      GpAttribute *attr = GP_ATTRIBUTE (entry->object);
      gboolean sync_needed = FALSE;

      if (is_read)
        {
          value = gp_attribute_dup_value (attr);
          reply_body = gp_read_reply_body (value, opts.offset);
          if (reply_body != NULL)
            g_variant_ref_sink (reply_body);
          answered = reply_body != NULL;
        }
      else
        /* An error (offset, length) is left to the main loop to answer. */
        answered = opts.prepare_authorize ||
                   gp_attribute_store_written_on_thread (attr, opts.offset, data, &sync_needed, NULL);
      if (sync_needed)
        sync_entry = entry_ref (entry);
    }
  if (!answered)
    entry->unanswered++;
  g_mutex_unlock (&self->lock);

  if (!answered)
    {
      g_object_set_qdata (G_OBJECT (message), self->ordered_quark, self);
      return message;
    }

  if (sync_entry != NULL)
    entry_idle_on_main (sync_entry, sync_in_idle, G_PRIORITY_HIGH);
  if ((g_dbus_message_get_flags (message) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED) == 0)
    {
      g_autoptr(GDBusMessage) reply = g_dbus_message_new_method_reply (message);

      if (reply_body != NULL)
        g_dbus_message_set_body (reply, reply_body);
      g_dbus_connection_send_message (connection, reply, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
    }
  g_object_unref (message);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Exporting                                                            */

static char *
child_path (const char *parent,
            const char *kind,
            guint       index)
{
  /* "/" has no trailing element to append to. */
  return g_strdup_printf ("%s/%s%u", strcmp (parent, "/") == 0 ? "" : parent, kind, index);
}

static gboolean
export_object (GpExport            *self,
               const char          *path,
               GDBusInterfaceInfo  *info,
               GObject             *object,
               GError             **error)
{
  Entry *entry = g_new0 (Entry, 1);

  g_atomic_ref_count_init (&entry->ref_count);
  entry->export = g_object_ref (self);
  entry->object = object != NULL ? g_object_ref (object) : NULL;
  entry->path = g_strdup (path);
  entry->info = info;
  g_queue_init (&entry->waiting);

  /* GDBus releases its reference (taken below) when the object is
   * unregistered, and none when it refuses. */
  entry->registration_id = g_dbus_connection_register_object (self->connection, path, info,
                                                              &object_vtable, entry,
                                                              entry_unref, error);
  if (entry->registration_id == 0)
    {
      entry_unref (entry);
      return FALSE;
    }
  entry_ref (entry);

  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->entries, entry->path, entry);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static void
unexport_path (GpExport   *self,
               const char *path)
{
  Entry *entry = NULL;
  GDBusMethodInvocation *invocation;

  if (path == NULL)
    return;
  /* Out of the filter's reach first; the reference goes after the lock. */
  g_mutex_lock (&self->lock);
  g_hash_table_steal_extended (self->entries, path, NULL, (gpointer *) &entry);
  g_mutex_unlock (&self->lock);
  if (entry == NULL)
    return;

  g_dbus_connection_unregister_object (self->connection, entry->registration_id);
  entry->registration_id = 0;
  gp_source_clear (&entry->next_source);
  while ((invocation = g_queue_pop_head (&entry->waiting)) != NULL)
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT,
                                           "Object %s is no longer exported", path);
  entry_unref (entry);
}

static void
compute_in_signatures (GpExport           *self,
                       GDBusInterfaceInfo *info)
{
  for (guint i = 0; info->methods != NULL && info->methods[i] != NULL; i++)
    {
      GDBusMethodInfo *method = info->methods[i];
      GString *signature = g_string_new (NULL);

      for (guint j = 0; method->in_args != NULL && method->in_args[j] != NULL; j++)
        g_string_append (signature, method->in_args[j]->signature);
      g_hash_table_insert (self->in_signatures, method, g_string_free (signature, FALSE));
    }
}

static void
gp_export_finalize (GObject *object)
{
  GpExport *self = GP_EXPORT (object);

  g_assert (self->filter_id == 0);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->in_signatures, g_hash_table_unref);
  g_clear_pointer (&self->services, g_ptr_array_unref);
  g_clear_pointer (&self->object_path, g_free);
  g_clear_pointer (&self->owner, g_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->connection);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (gp_export_parent_class)->finalize (object);
}

static void
gp_export_class_init (GpExportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gp_export_finalize;
}

static void
gp_export_init (GpExport *self)
{
  g_mutex_init (&self->lock);
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, entry_unref);
  self->in_signatures = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->services = g_ptr_array_new_with_free_func (g_object_unref);
  self->context = g_main_context_ref_thread_default ();
  self->ordered_quark = g_quark_from_static_string ("gp-export-ordered");
  compute_in_signatures (self, GP_BLUEZ_INTERFACE_INFO (gatt_characteristic1));
  compute_in_signatures (self, GP_BLUEZ_INTERFACE_INFO (gatt_descriptor1));
}

GpExport *
gp_export_new (GDBusConnection *connection,
               const char      *object_path)
{
  GpExport *self = g_object_new (GP_TYPE_EXPORT, NULL);

  self->connection = g_object_ref (connection);
  self->object_path = g_strdup (object_path);
  return self;
}

void
gp_export_set_owner (GpExport   *self,
                     const char *owner)
{
  g_mutex_lock (&self->lock);
  g_free (self->owner);
  self->owner = g_strdup (owner);
  g_mutex_unlock (&self->lock);
}

gboolean
gp_export_tree (GpExport       *self,
                GPtrArray      *services,
                GpApplication  *application,
                GError        **error)
{
  if (self->filter_id == 0)
    /* The filter may still run after it is removed: it keeps us alive
     * until GDBus says it is done (in an idle on this context). */
    self->filter_id = g_dbus_connection_add_filter (self->connection, gate_filter,
                                                    g_object_ref (self), g_object_unref);
  if (!export_object (self, self->object_path, GP_BLUEZ_INTERFACE_INFO (object_manager), NULL, error))
    goto fail;

  for (guint i = 0; i < services->len; i++)
    {
      GpService *service = g_ptr_array_index (services, i);
      g_autofree char *spath = child_path (self->object_path, "service", i);
      g_autoptr(GList) chrcs = gp_service_get_characteristics (service);
      guint j = 0;

      g_ptr_array_add (self->services, g_object_ref (service));
      gp_service_set_exported (service, spath);
      if (!export_object (self, spath, GP_BLUEZ_INTERFACE_INFO (gatt_service1), G_OBJECT (service), error))
        goto fail;

      for (GList *c = chrcs; c != NULL; c = c->next, j++)
        {
          g_autofree char *cpath = child_path (spath, "char", j);
          g_autoptr(GList) descs = gp_characteristic_get_descriptors (c->data);
          guint k = 0;

          gp_attribute_set_exported (c->data, application, cpath);
          if (!export_object (self, cpath, gp_attribute_class_get_private (GP_ATTRIBUTE_GET_CLASS (c->data))->interface_info,
                              c->data, error))
            goto fail;

          for (GList *d = descs; d != NULL; d = d->next, k++)
            {
              g_autofree char *dpath = child_path (cpath, "desc", k);

              gp_attribute_set_exported (d->data, application, dpath);
              if (!export_object (self, dpath, gp_attribute_class_get_private (GP_ATTRIBUTE_GET_CLASS (d->data))->interface_info,
                                  d->data, error))
                goto fail;
            }
        }
    }
  return TRUE;

fail:
  gp_export_unexport_tree (self);
  return FALSE;
}

void
gp_export_unexport_service (GpExport  *self,
                            GpService *service,
                            gboolean   announce)
{
  g_autoptr(GList) chrcs = gp_service_get_characteristics (service);
  const char *spath = gp_service_get_object_path (service);

  for (GList *c = chrcs; c != NULL; c = c->next)
    {
      g_autoptr(GList) descs = gp_characteristic_get_descriptors (c->data);

      for (GList *d = descs; d != NULL; d = d->next)
        {
          unexport_path (self, gp_attribute_get_object_path (d->data));
          gp_attribute_set_exported (d->data, NULL, NULL);
        }

      gp_characteristic_set_notifying (c->data, FALSE);
      gp_characteristic_close_write_sockets (c->data);
      unexport_path (self, gp_attribute_get_object_path (c->data));
      gp_attribute_set_exported (c->data, NULL, NULL);
    }

  if (spath != NULL)
    {
      if (announce)
        g_dbus_connection_emit_signal (self->connection, NULL, self->object_path,
                                       "org.freedesktop.DBus.ObjectManager", "InterfacesRemoved",
                                       g_variant_new ("(o^as)", spath,
                                                      (const char * const[]) { "org.bluez.GattService1", NULL }),
                                       NULL);
      unexport_path (self, spath);
    }
  gp_service_set_exported (service, NULL);
  g_ptr_array_remove (self->services, service);
}

void
gp_export_unexport_tree (GpExport *self)
{
  while (self->services->len > 0)
    gp_export_unexport_service (self, g_ptr_array_index (self->services, 0), FALSE);
  unexport_path (self, self->object_path);
  if (self->filter_id != 0)
    {
      g_dbus_connection_remove_filter (self->connection, self->filter_id);
      self->filter_id = 0;
    }
}
