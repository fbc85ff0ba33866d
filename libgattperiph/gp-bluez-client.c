/* gp-bluez-client.c: the one place that follows BlueZ's objects
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-bluez-client-private.h"
#include "gp-dbus-util-private.h"
#include "gp-device-private.h"

#include <string.h>

/* GpBluezClient follows bluetoothd's objects for GpAdapter, GpDevice and
 * gp_adapter_find_async(): one per D-Bus connection and thread-default main
 * context, shared by every object made there, and alive while one of them
 * is. It keeps a GDBusProxy for each Adapter1 and Device1, whose property
 * cache is the only one (GpAdapter and GpDevice read their properties from
 * it), fed from GetManagedObjects, InterfacesAdded/Removed and
 * PropertiesChanged, exactly as GDBusObjectManagerClient feeds its proxies
 * (DO_NOT_LOAD_PROPERTIES | DO_NOT_CONNECT_SIGNALS, for bluetoothd's unique
 * name, so that making one does no I/O).
 *
 * Why not GDBusObjectManagerClient itself: its async constructor runs its
 * synchronous init in a GTask worker thread (GLib 2.74 up to current main:
 * async_initable_iface_init is empty), so its signal subscriptions land on
 * the global default main context, not the caller's thread-default one;
 * its sync constructor blocks the caller on GetManagedObjects (and on
 * AddMatch, again at every restart of bluetoothd). It also makes a proxy
 * for every interface of every BlueZ object, where two interfaces matter.
 *
 * Everything here is asynchronous and runs on the context captured when
 * the client was made: the name watch, the subscriptions (sender:
 * bluetoothd's current unique name, so that a restart never mixes two
 * owners) and the GetManagedObjects call. */
struct _GpBluezClient
{
  GObject          parent_instance;

  GDBusConnection *connection;
  GMainContext    *context;
  guint            name_watch;
  char            *owner;            /* bluetoothd's unique name, or NULL */
  guint            subs[4];
  GCancellable    *load_cancellable; /* the current GetManagedObjects */
  guint            holds;            /* registrations in flight: see gp_bluez_client_hold() */
  gboolean         load_deferred;    /* bluetoothd is there, its objects not asked for yet */
  gboolean         settled;          /* the name watch answered, and the objects were read */
  GError          *load_error;
  GHashTable      *objects;          /* path -> Entry */
  GHashTable      *devices;          /* path -> GSList of GpDevice (not owned) */
  GQueue           waiters;          /* GTask */
};

G_DEFINE_FINAL_TYPE (GpBluezClient, gp_bluez_client, G_TYPE_OBJECT)

enum {
  SIGNAL_PROXY_ADDED,
  SIGNAL_PROXY_REMOVED,
  SIGNAL_PROXY_CHANGED,
  SIGNAL_LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The interfaces followed: a proxy for the first two, presence only for
 * the others. */
static const char * const tracked[] = {
  GP_BLUEZ_ADAPTER_INTERFACE,
  GP_BLUEZ_DEVICE_INTERFACE,
  "org.bluez.GattManager1",
  "org.bluez.LEAdvertisingManager1",
};

typedef struct
{
  GDBusProxy *proxy;        /* Adapter1 or Device1 */
  guint       interfaces;   /* bits of tracked[] */
} Entry;

static void
entry_free (Entry *entry)
{
  g_clear_object (&entry->proxy);
  g_free (entry);
}

static guint
tracked_bit (const char *interface_name)
{
  for (guint i = 0; i < G_N_ELEMENTS (tracked); i++)
    if (strcmp (interface_name, tracked[i]) == 0)
      return 1u << i;
  return 0;
}

static GDBusInterfaceInfo *
interface_info (const char *interface_name)
{
  if (strcmp (interface_name, GP_BLUEZ_ADAPTER_INTERFACE) == 0)
    return GP_BLUEZ_INTERFACE_INFO (adapter1);
  if (strcmp (interface_name, GP_BLUEZ_DEVICE_INTERFACE) == 0)
    return GP_BLUEZ_INTERFACE_INFO (device1);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* The property cache                                                   */

/* Stores @properties (a{sv}) and drops @invalidated in @proxy's cache.
 * Values of the wrong type for the interface are dropped. Returns what
 * really changed (a{sv}) and sets @out_invalidated to the names that were
 * cached; NULL if nothing changed. */
static GVariant *
cache_update (GDBusProxy          *proxy,
              GVariant            *properties,
              const char * const  *invalidated,
              GStrv               *out_invalidated)
{
  GDBusInterfaceInfo *info = g_dbus_proxy_get_interface_info (proxy);
  g_autoptr(GStrvBuilder) gone = g_strv_builder_new ();
  GVariantBuilder changed;
  gboolean any = FALSE;
  GVariantIter iter;
  const char *name;
  GVariant *value;

  g_variant_builder_init (&changed, G_VARIANT_TYPE_VARDICT);
  g_variant_iter_init (&iter, properties);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      GDBusPropertyInfo *pinfo = info != NULL ? g_dbus_interface_info_lookup_property (info, name) : NULL;
      g_autoptr(GVariant) old = g_dbus_proxy_get_cached_property (proxy, name);

      if (pinfo != NULL && strcmp (pinfo->signature, g_variant_get_type_string (value)) != 0)
        g_debug ("BlueZ sent %s.%s as %s, not %s: ignored", g_dbus_proxy_get_interface_name (proxy),
                 name, g_variant_get_type_string (value), pinfo->signature);
      else if (old == NULL || !g_variant_equal (old, value))
        {
          g_dbus_proxy_set_cached_property (proxy, name, value);
          g_variant_builder_add (&changed, "{sv}", name, value);
          any = TRUE;
        }
      g_variant_unref (value);
    }
  for (guint i = 0; invalidated != NULL && invalidated[i] != NULL; i++)
    {
      g_autoptr(GVariant) old = g_dbus_proxy_get_cached_property (proxy, invalidated[i]);

      if (old == NULL)
        continue;
      g_dbus_proxy_set_cached_property (proxy, invalidated[i], NULL);
      g_strv_builder_add (gone, invalidated[i]);
      any = TRUE;
    }
  *out_invalidated = g_strv_builder_end (gone);
  if (!any)
    {
      g_variant_builder_clear (&changed);
      g_clear_pointer (out_invalidated, g_strfreev);
      return NULL;
    }
  return g_variant_ref_sink (g_variant_builder_end (&changed));
}

void
gp_bluez_proxy_get_value (GDBusProxy *proxy,
                          const char *name,
                          GValue     *value)
{
  g_autoptr(GVariant) v = proxy != NULL ? g_dbus_proxy_get_cached_property (proxy, name) : NULL;

  if (v == NULL)
    return;
  if (G_VALUE_HOLDS_STRING (value) &&
      (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING) || g_variant_is_of_type (v, G_VARIANT_TYPE_OBJECT_PATH)))
    g_value_set_string (value, g_variant_get_string (v, NULL));
  else if (G_VALUE_HOLDS_BOOLEAN (value) && g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN))
    g_value_set_boolean (value, g_variant_get_boolean (v));
  else if (G_VALUE_HOLDS_UINT (value) && g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32))
    g_value_set_uint (value, g_variant_get_uint32 (v));
}

/* The string lives in the proxy's cache: valid until the property
 * changes, as with gdbus-codegen's getters. */
const char *
gp_bluez_proxy_get_string (GDBusProxy *proxy,
                           const char *name)
{
  g_autoptr(GVariant) v = proxy != NULL ? g_dbus_proxy_get_cached_property (proxy, name) : NULL;

  if (v == NULL || !(g_variant_is_of_type (v, G_VARIANT_TYPE_STRING) ||
                     g_variant_is_of_type (v, G_VARIANT_TYPE_OBJECT_PATH)))
    return NULL;
  return g_variant_get_string (v, NULL);
}

gboolean
gp_bluez_proxy_get_boolean (GDBusProxy *proxy,
                            const char *name)
{
  g_autoptr(GVariant) v = proxy != NULL ? g_dbus_proxy_get_cached_property (proxy, name) : NULL;

  return v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN) && g_variant_get_boolean (v);
}

guint
gp_bluez_proxy_get_uint (GDBusProxy *proxy,
                         const char *name)
{
  g_autoptr(GVariant) v = proxy != NULL ? g_dbus_proxy_get_cached_property (proxy, name) : NULL;

  return v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32) ? g_variant_get_uint32 (v) : 0;
}

static gboolean
cached_equal (GDBusProxy *a,
              GDBusProxy *b,
              const char *name)
{
  g_autoptr(GVariant) va = a != NULL ? g_dbus_proxy_get_cached_property (a, name) : NULL;
  g_autoptr(GVariant) vb = b != NULL ? g_dbus_proxy_get_cached_property (b, name) : NULL;

  if (va == NULL || vb == NULL)
    return va == vb;
  return g_variant_equal (va, vb);
}

void
gp_bluez_notify (GObject            *object,
                 GParamSpec        **pspecs,
                 const char * const *names,
                 guint               n_props,
                 GDBusProxy         *old,
                 GDBusProxy         *proxy,
                 GVariant           *changed,
                 const char * const *invalidated)
{
  g_object_freeze_notify (object);
  for (guint i = 0; i < n_props; i++)
    {
      gboolean notify;

      if (names[i] == NULL)
        continue;
      if (changed != NULL || invalidated != NULL)
        {
          g_autoptr(GVariant) v = changed != NULL ? g_variant_lookup_value (changed, names[i], NULL) : NULL;
          notify = v != NULL || (invalidated != NULL && g_strv_contains (invalidated, names[i]));
        }
      else
        notify = !cached_equal (old, proxy, names[i]);
      if (notify)
        g_object_notify_by_pspec (object, pspecs[i]);
    }
  g_object_thaw_notify (object);
}

/* ------------------------------------------------------------------ */
/* Following BlueZ                                                      */

/* Tells the GpDevice objects of a Device1 first (so that they are up to
 * date for anyone else), then emits @signal_id. */
static void
announce (GpBluezClient      *self,
          guint               signal_id,
          GDBusProxy         *proxy,
          GVariant           *changed,
          const char * const *invalidated)
{
  if (strcmp (g_dbus_proxy_get_interface_name (proxy), GP_BLUEZ_DEVICE_INTERFACE) == 0)
    for (GSList *l = g_hash_table_lookup (self->devices, g_dbus_proxy_get_object_path (proxy));
         l != NULL; l = l->next)
      {
        if (signal_id == SIGNAL_PROXY_ADDED)
          gp_device_set_proxy (l->data, proxy);
        else if (signal_id == SIGNAL_PROXY_REMOVED)
          gp_device_set_gone (l->data);
        else
          gp_device_changed (l->data, changed, invalidated);
      }
  if (signal_id == SIGNAL_PROXY_CHANGED)
    g_signal_emit (self, signals[signal_id], 0, proxy, changed, invalidated);
  else
    g_signal_emit (self, signals[signal_id], 0, proxy);
}

static void
proxy_update (GpBluezClient      *self,
              GDBusProxy         *proxy,
              GVariant           *properties,
              const char * const *invalidated)
{
  g_auto(GStrv) gone = NULL;
  g_autoptr(GVariant) changed = cache_update (proxy, properties, invalidated, &gone);

  if (changed != NULL)
    announce (self, SIGNAL_PROXY_CHANGED, proxy, changed, (const char * const *) gone);
}

/* InterfacesAdded, or one object of GetManagedObjects. */
static void
add_interfaces (GpBluezClient *self,
                const char    *path,
                GVariant      *interfaces)
{
  GVariantIter iter;
  const char *name;
  GVariant *properties;
  Entry *entry = g_hash_table_lookup (self->objects, path);
  guint bits = 0;

  /* Every interface is known before anyone hears of the object. */
  g_variant_iter_init (&iter, interfaces);
  while (g_variant_iter_next (&iter, "{&s@a{sv}}", &name, NULL))
    bits |= tracked_bit (name);
  if (bits == 0)
    return;
  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      g_hash_table_insert (self->objects, g_strdup (path), entry);
    }
  entry->interfaces |= bits;

  g_variant_iter_init (&iter, interfaces);
  while (g_variant_iter_loop (&iter, "{&s@a{sv}}", &name, &properties))
    {
      GDBusInterfaceInfo *info = interface_info (name);
      g_autoptr(GDBusProxy) old = NULL;
      g_autoptr(GVariant) unused = NULL;
      g_auto(GStrv) unused_names = NULL;
      g_autoptr(GError) error = NULL;
      GDBusProxy *proxy;

      if (info == NULL)
        continue;
      if (entry->proxy != NULL && strcmp (g_dbus_proxy_get_interface_name (entry->proxy), name) == 0)
        {
          /* Listed twice (a signal crossed GetManagedObjects). */
          proxy_update (self, entry->proxy, properties, NULL);
          continue;
        }
      /* No I/O: a unique name, and nothing to load or subscribe. */
      proxy = g_initable_new (G_TYPE_DBUS_PROXY, NULL, &error,
                              "g-connection", self->connection,
                              "g-flags", G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                         G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS |
                                         G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
                              "g-name", self->owner,
                              "g-object-path", path,
                              "g-interface-name", name,
                              "g-interface-info", info,
                              NULL);
      if (proxy == NULL)
        {
          g_debug ("Following %s of %s: %s", name, path, error->message);
          continue;
        }
      unused = cache_update (proxy, properties, NULL, &unused_names);
      old = g_steal_pointer (&entry->proxy);
      entry->proxy = proxy;
      if (old != NULL)
        announce (self, SIGNAL_PROXY_REMOVED, old, NULL, NULL);
      announce (self, SIGNAL_PROXY_ADDED, proxy, NULL, NULL);
    }
}

static void
remove_interfaces (GpBluezClient      *self,
                   const char         *path,
                   const char * const *interfaces)
{
  Entry *entry = g_hash_table_lookup (self->objects, path);

  if (entry == NULL)
    return;
  for (guint i = 0; interfaces[i] != NULL; i++)
    entry->interfaces &= ~tracked_bit (interfaces[i]);
  if (entry->proxy != NULL &&
      g_strv_contains (interfaces, g_dbus_proxy_get_interface_name (entry->proxy)))
    {
      g_autoptr(GDBusProxy) proxy = g_steal_pointer (&entry->proxy);
      announce (self, SIGNAL_PROXY_REMOVED, proxy, NULL, NULL);
    }
  /* A handler may have changed the table: look again. */
  entry = g_hash_table_lookup (self->objects, path);
  if (entry != NULL && entry->interfaces == 0 && entry->proxy == NULL)
    g_hash_table_remove (self->objects, path);
}

static void
on_signal (GDBusConnection *connection,
           const char      *sender,
           const char      *object_path,
           const char      *interface_name,
           const char      *signal_name,
           GVariant        *parameters,
           gpointer         user_data)
{
  GpBluezClient *self = user_data;

  g_object_ref (self);
  if (strcmp (signal_name, "InterfacesAdded") == 0 &&
      g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(oa{sa{sv}})")))
    {
      g_autoptr(GVariant) interfaces = NULL;
      const char *path;

      g_variant_get (parameters, "(&o@a{sa{sv}})", &path, &interfaces);
      add_interfaces (self, path, interfaces);
    }
  else if (strcmp (signal_name, "InterfacesRemoved") == 0 &&
           g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(oas)")))
    {
      g_autofree const char **interfaces = NULL;
      const char *path;

      g_variant_get (parameters, "(&o^a&s)", &path, &interfaces);
      remove_interfaces (self, path, interfaces);
    }
  else if (strcmp (signal_name, "PropertiesChanged") == 0 &&
           g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv}as)")))
    {
      g_autoptr(GVariant) changed = NULL;
      g_autofree const char **invalidated = NULL;
      const char *iface;
      Entry *entry = g_hash_table_lookup (self->objects, object_path);

      g_variant_get (parameters, "(&s@a{sv}^a&s)", &iface, &changed, &invalidated);
      if (entry != NULL && entry->proxy != NULL &&
          strcmp (g_dbus_proxy_get_interface_name (entry->proxy), iface) == 0)
        proxy_update (self, entry->proxy, changed, invalidated);
    }
  g_object_unref (self);
}

static void
source_destroy (GSource *source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

static void
settle (GpBluezClient *self)
{
  GTask *task;

  self->settled = TRUE;
  while ((task = g_queue_pop_head (&self->waiters)) != NULL)
    {
      /* No more cancellation callback: the task is answered here. */
      g_task_set_task_data (task, NULL, NULL);
      if (self->load_error != NULL)
        g_task_return_error (task, g_error_copy (self->load_error));
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Entries {oa{sa{sv}}} by path. */
static int
compare_objects (gconstpointer a,
                 gconstpointer b)
{
  g_autoptr(GVariant) pa = g_variant_get_child_value (*(GVariant * const *) a, 0);
  g_autoptr(GVariant) pb = g_variant_get_child_value (*(GVariant * const *) b, 0);

  return strcmp (g_variant_get_string (pa, NULL), g_variant_get_string (pb, NULL));
}

static void
got_objects (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GpBluezClient *self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) objects = NULL;
  g_autoptr(GPtrArray) children = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* the owner changed meanwhile, or the client went */
  g_clear_object (&self->load_cancellable);
  if (reply == NULL)
    {
      g_debug ("Reading BlueZ's objects: %s", error->message);
      self->load_error = gp_dbus_error_from_bluez (g_steal_pointer (&error));
      settle (self);
      return;
    }

  /* Parents before children: an adapter before its devices. */
  objects = g_variant_get_child_value (reply, 0);
  children = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  for (gsize i = 0; i < g_variant_n_children (objects); i++)
    g_ptr_array_add (children, g_variant_get_child_value (objects, i));
  g_ptr_array_sort (children, compare_objects);

  g_object_ref (self);
  for (guint i = 0; i < children->len; i++)
    {
      g_autoptr(GVariant) interfaces = NULL;
      const char *path;

      g_variant_get (children->pdata[i], "{&o@a{sa{sv}}}", &path, &interfaces);
      add_interfaces (self, path, interfaces);
    }
  g_signal_emit (self, signals[SIGNAL_LOADED], 0);
  settle (self);
  g_object_unref (self);
}

static void
drop_owner (GpBluezClient *self)
{
  g_autoptr(GPtrArray) paths = NULL;
  GHashTableIter iter;
  gpointer key;

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_deferred = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (self->subs); i++)
    if (self->subs[i] != 0)
      {
        g_dbus_connection_signal_unsubscribe (self->connection, self->subs[i]);
        self->subs[i] = 0;
      }
  g_clear_pointer (&self->owner, g_free);

  /* Children before parents: devices go before their adapter. */
  paths = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->objects);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (paths, key);
  g_ptr_array_sort (paths, compare_paths);
  for (guint i = paths->len; i > 0; i--)
    {
      g_autofree char *path = NULL;
      Entry *entry;

      if (!g_hash_table_steal_extended (self->objects, paths->pdata[i - 1], (gpointer *) &path, (gpointer *) &entry))
        continue;
      if (entry->proxy != NULL)
        announce (self, SIGNAL_PROXY_REMOVED, entry->proxy, NULL, NULL);
      entry_free (entry);
    }
}

static void
start_load (GpBluezClient *self)
{
  self->load_deferred = FALSE;
  self->load_cancellable = g_cancellable_new ();
  g_dbus_connection_call (self->connection, self->owner, "/", "org.freedesktop.DBus.ObjectManager",
                          "GetManagedObjects", NULL, G_VARIANT_TYPE ("(a{oa{sa{sv}}})"),
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, self->load_cancellable,
                          got_objects, self);
}

static void
on_bluez_appeared (GDBusConnection *connection,
                   const char      *name,
                   const char      *owner,
                   gpointer         user_data)
{
  GpBluezClient *self = user_data;
  static const struct { const char *interface, *member, *path, *arg0; } subs[] = {
    { "org.freedesktop.DBus.ObjectManager", "InterfacesAdded", "/", NULL },
    { "org.freedesktop.DBus.ObjectManager", "InterfacesRemoved", "/", NULL },
    { "org.freedesktop.DBus.Properties", "PropertiesChanged", NULL, GP_BLUEZ_ADAPTER_INTERFACE },
    { "org.freedesktop.DBus.Properties", "PropertiesChanged", NULL, GP_BLUEZ_DEVICE_INTERFACE },
  };

  if (g_strcmp0 (self->owner, owner) == 0)
    return;
  g_object_ref (self);
  drop_owner (self);
  self->owner = g_strdup (owner);
  g_clear_error (&self->load_error);
  self->settled = FALSE;

  G_STATIC_ASSERT (G_N_ELEMENTS (subs) == G_N_ELEMENTS (((GpBluezClient *) NULL)->subs));
  /* Subscribed before the call, so that no change falls between. */
  for (guint i = 0; i < G_N_ELEMENTS (subs); i++)
    self->subs[i] = g_dbus_connection_signal_subscribe (self->connection, owner, subs[i].interface,
                                                        subs[i].member, subs[i].path, subs[i].arg0,
                                                        G_DBUS_SIGNAL_FLAGS_NONE, on_signal, self, NULL);
  /* While a registration is in flight and nobody waits for the objects,
   * they are read after it: bluetoothd answers one call after the other,
   * and building the whole tree would hold up the registration. */
  if (self->holds > 0 && g_queue_is_empty (&self->waiters))
    self->load_deferred = TRUE;
  else
    start_load (self);
  g_object_unref (self);
}

static void
on_bluez_vanished (GDBusConnection *connection,
                   const char      *name,
                   gpointer         user_data)
{
  GpBluezClient *self = user_data;

  g_object_ref (self);
  drop_owner (self);
  g_clear_error (&self->load_error);
  self->load_error = gp_dbus_error_from_bluez (g_error_new_literal (G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER,
                                                                    "No owner of org.bluez"));
  settle (self);
  g_object_unref (self);
}

/* ------------------------------------------------------------------ */

static void
gp_bluez_client_dispose (GObject *object)
{
  GpBluezClient *self = GP_BLUEZ_CLIENT (object);

  if (self->name_watch != 0)
    {
      g_bus_unwatch_name (self->name_watch);
      self->name_watch = 0;
    }
  /* Nobody listens any more: every adapter and device is gone. */
  drop_owner (self);

  G_OBJECT_CLASS (gp_bluez_client_parent_class)->dispose (object);
}

#define CLIENTS_KEY "gp-bluez-clients"

typedef struct
{
  GMutex      lock;
  GHashTable *by_context;   /* GMainContext -> GWeakRef to a GpBluezClient */
} Clients;

static void
weak_ref_free (GWeakRef *ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

static void
clients_free (Clients *clients)
{
  g_mutex_clear (&clients->lock);
  g_hash_table_unref (clients->by_context);
  g_free (clients);
}

static void
gp_bluez_client_finalize (GObject *object)
{
  GpBluezClient *self = GP_BLUEZ_CLIENT (object);
  Clients *clients = g_object_get_data (G_OBJECT (self->connection), CLIENTS_KEY);

  if (clients != NULL)
    {
      GWeakRef *ref;

      g_mutex_lock (&clients->lock);
      ref = g_hash_table_lookup (clients->by_context, self->context);
      if (ref != NULL)
        {
          GObject *live = g_weak_ref_get (ref);

          /* Another client may have taken the place meanwhile. */
          if (live == NULL)
            g_hash_table_remove (clients->by_context, self->context);
          g_clear_object (&live);
        }
      g_mutex_unlock (&clients->lock);
    }

  g_assert (g_queue_is_empty (&self->waiters));
  g_clear_pointer (&self->owner, g_free);
  g_clear_error (&self->load_error);
  g_clear_pointer (&self->objects, g_hash_table_unref);
  g_clear_pointer (&self->devices, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (gp_bluez_client_parent_class)->finalize (object);
}

static void
gp_bluez_client_class_init (GpBluezClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gp_bluez_client_dispose;
  object_class->finalize = gp_bluez_client_finalize;

  /* An Adapter1 or Device1 proxy appeared (devices already follow it). */
  signals[SIGNAL_PROXY_ADDED] =
    g_signal_new ("proxy-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DBUS_PROXY);
  /* It went (interface removed, or bluetoothd left the bus). */
  signals[SIGNAL_PROXY_REMOVED] =
    g_signal_new ("proxy-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DBUS_PROXY);
  /* Its cache changed: what changed (a{sv}), and the names dropped. */
  signals[SIGNAL_PROXY_CHANGED] =
    g_signal_new ("proxy-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_DBUS_PROXY, G_TYPE_VARIANT, G_TYPE_STRV);
  /* A GetManagedObjects reply was applied. */
  signals[SIGNAL_LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gp_bluez_client_init (GpBluezClient *self)
{
  self->objects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) entry_free);
  self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_slist_free);
  g_queue_init (&self->waiters);
}

/* The client of @connection for the thread-default main context. */
GpBluezClient *
gp_bluez_client_get (GDBusConnection *connection)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  Clients *clients = g_object_get_data (G_OBJECT (connection), CLIENTS_KEY);
  GpBluezClient *self = NULL;
  GWeakRef *ref;

  if (clients == NULL)
    {
      Clients *fresh = g_new0 (Clients, 1);

      g_mutex_init (&fresh->lock);
      fresh->by_context = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) weak_ref_free);
      if (g_object_replace_data (G_OBJECT (connection), CLIENTS_KEY, NULL, fresh,
                                 (GDestroyNotify) clients_free, NULL))
        clients = fresh;
      else
        {
          clients_free (fresh);
          clients = g_object_get_data (G_OBJECT (connection), CLIENTS_KEY);
        }
    }

  g_mutex_lock (&clients->lock);
  ref = g_hash_table_lookup (clients->by_context, context);
  if (ref != NULL)
    self = g_weak_ref_get (ref);
  if (self != NULL)
    {
      g_mutex_unlock (&clients->lock);
      return self;
    }
  self = g_object_new (GP_TYPE_BLUEZ_CLIENT, NULL);
  self->connection = g_object_ref (connection);
  self->context = g_steal_pointer (&context);
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  g_hash_table_replace (clients->by_context, self->context, ref);
  g_mutex_unlock (&clients->lock);

  /* Asks for bluetoothd to be started when it can be (D-Bus activation),
   * as looking an adapter up always did. */
  self->name_watch = g_bus_watch_name_on_connection (connection, "org.bluez",
                                                     G_BUS_NAME_WATCHER_FLAGS_AUTO_START,
                                                     on_bluez_appeared, on_bluez_vanished,
                                                     self, NULL);
  return self;
}

/* A registration in flight on one of the client's adapters: until it is
 * released, the client does not read BlueZ's objects unless somebody waits
 * for them (gp_bluez_client_wait_async()), so that bluetoothd serves the
 * registration first. Start-up with a known adapter: the registrations
 * reach bluetoothd without the whole object tree queued before them. */
void
gp_bluez_client_hold (GpBluezClient *self)
{
  self->holds++;
}

void
gp_bluez_client_release (GpBluezClient *self)
{
  g_return_if_fail (self->holds > 0);

  if (--self->holds == 0 && self->load_deferred)
    start_load (self);
}

GDBusConnection *
gp_bluez_client_get_connection (GpBluezClient *self)
{
  return self->connection;
}

GMainContext *
gp_bluez_client_get_context (GpBluezClient *self)
{
  return self->context;
}

/* Whether the objects of the current bluetoothd were read. */
gboolean
gp_bluez_client_get_loaded (GpBluezClient *self)
{
  return self->settled && self->owner != NULL && self->load_error == NULL;
}

GDBusProxy *
gp_bluez_client_lookup (GpBluezClient *self,
                        const char    *object_path,
                        const char    *interface_name)
{
  Entry *entry = g_hash_table_lookup (self->objects, object_path);

  if (entry == NULL || entry->proxy == NULL ||
      strcmp (g_dbus_proxy_get_interface_name (entry->proxy), interface_name) != 0)
    return NULL;
  return entry->proxy;
}

gboolean
gp_bluez_client_has_interface (GpBluezClient *self,
                               const char    *object_path,
                               const char    *interface_name)
{
  Entry *entry = g_hash_table_lookup (self->objects, object_path);

  return entry != NULL && (entry->interfaces & tracked_bit (interface_name)) != 0;
}

/* The proxies of @interface_name (transfer container). */
GList *
gp_bluez_client_get_proxies (GpBluezClient *self,
                             const char    *interface_name)
{
  GList *list = NULL;
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->objects);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (entry->proxy != NULL && strcmp (g_dbus_proxy_get_interface_name (entry->proxy), interface_name) == 0)
      list = g_list_prepend (list, entry->proxy);
  return list;
}

static gboolean
wait_cancelled (GCancellable *cancellable,
                gpointer      user_data)
{
  GTask *task = user_data;
  GpBluezClient *self = g_task_get_source_object (task);

  /* Still waiting (a task that completed has no source any more). */
  if (g_queue_remove (&self->waiters, task))
    {
      g_task_return_error_if_cancelled (task);
      g_object_unref (task);
    }
  return G_SOURCE_REMOVE;
}

/* Completes when the client knows BlueZ's objects (or that it is not
 * running, or could not read them: then with that error), or at once when
 * @cancellable is cancelled. */
void
gp_bluez_client_wait_async (GpBluezClient       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, gp_bluez_client_wait_async);
  g_queue_push_tail (&self->waiters, task);
  if (self->settled)
    settle (self);
  else if (self->load_deferred)
    start_load (self);   /* somebody needs the objects now */
  else if (cancellable != NULL)
    {
      GSource *source = g_cancellable_source_new (cancellable);

      /* Destroyed with the task's data when it completes. */
      g_task_attach_source (task, source, G_SOURCE_FUNC (wait_cancelled));
      g_task_set_task_data (task, source, (GDestroyNotify) source_destroy);
    }
}

gboolean
gp_bluez_client_wait_finish (GpBluezClient  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

GpDevice *
gp_bluez_client_lookup_device (GpBluezClient *self,
                               const char    *object_path)
{
  GSList *list = g_hash_table_lookup (self->devices, object_path);

  return list != NULL ? list->data : NULL;
}

void
gp_bluez_client_add_device (GpBluezClient *self,
                            GpDevice      *device)
{
  const char *path = gp_device_get_object_path (device);
  GSList *list = NULL;
  g_autofree char *key = NULL;

  g_hash_table_steal_extended (self->devices, path, (gpointer *) &key, (gpointer *) &list);
  g_hash_table_insert (self->devices, g_strdup (path), g_slist_append (list, device));
}

void
gp_bluez_client_remove_device (GpBluezClient *self,
                               GpDevice      *device)
{
  const char *path = gp_device_get_object_path (device);
  GSList *list = NULL;
  g_autofree char *key = NULL;

  if (!g_hash_table_steal_extended (self->devices, path, (gpointer *) &key, (gpointer *) &list))
    return;
  list = g_slist_remove (list, device);
  if (list != NULL)
    g_hash_table_insert (self->devices, g_steal_pointer (&key), list);
}
