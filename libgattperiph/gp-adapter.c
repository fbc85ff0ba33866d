/* gp-adapter.c: a Bluetooth adapter of BlueZ
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-adapter-private.h"
#include "gp-dbus-util-private.h"
#include "gp-device-private.h"

#include <string.h>

/**
 * GpAdapter:
 *
 * A Bluetooth adapter (a controller, `hci0`) as BlueZ exports it
 * (`org.bluez.Adapter1`). Applications and advertisements are registered on
 * an adapter.
 *
 * Its properties are kept in sync with BlueZ (`PropertiesChanged`). It
 * tells when a central connects or disconnects
 * ([signal@Adapter::device-connected], [signal@Adapter::device-disconnected],
 * with the [class@Device]), and when the adapter goes away or comes back
 * (unplugged, or bluetoothd restarted: [property@Adapter:present],
 * [signal@Adapter::vanished], [signal@Adapter::appeared]).
 *
 * The writable properties ([property@Adapter:alias],
 * [property@Adapter:powered], [property@Adapter:discoverable],
 * [property@Adapter:discoverable-timeout], [property@Adapter:pairable],
 * [property@Adapter:pairable-timeout]) ask BlueZ when set, and change when
 * BlueZ confirms; the `set_*_async()` methods report BlueZ's answer.
 *
 * ```c
 * gp_adapter_find_async (NULL, "hci0", NULL, on_adapter_found, app);
 * ...
 * g_autoptr(GpAdapter) adapter = gp_adapter_find_finish (result, &error);
 * ```
 *
 * Since: 0.1
 */
struct _GpAdapter
{
  GObject          parent_instance;

  GDBusConnection *connection;
  char            *object_path;

  /* Adapter1, as BlueZ last said */
  char            *address;
  char            *system_name;
  char            *alias;
  gboolean         powered;
  gboolean         discoverable;
  guint            discoverable_timeout;
  gboolean         pairable;
  guint            pairable_timeout;
  gboolean         present;
  gboolean         loaded;

  GHashTable      *devices;          /* object path -> GpDevice */
  guint            props_sub;
  guint            device_props_sub;
  guint            added_sub;
  guint            removed_sub;
  guint            name_watch;
  GCancellable    *cancellable;
};

G_DEFINE_FINAL_TYPE (GpAdapter, gp_adapter, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_OBJECT_PATH,
  PROP_PRESENT,
  PROP_ADDRESS,
  PROP_SYSTEM_NAME,
  PROP_ALIAS,
  PROP_POWERED,
  PROP_DISCOVERABLE,
  PROP_DISCOVERABLE_TIMEOUT,
  PROP_PAIRABLE,
  PROP_PAIRABLE_TIMEOUT,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_DEVICE_CONNECTED,
  SIGNAL_DEVICE_DISCONNECTED,
  SIGNAL_VANISHED,
  SIGNAL_APPEARED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */
/* Keeping in sync with BlueZ                                           */

static void
update_string (GpAdapter  *self,
               char      **field,
               GVariant   *value,
               guint       prop)
{
  const char *str = value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)
                    ? g_variant_get_string (value, NULL) : NULL;

  if (g_strcmp0 (*field, str) == 0)
    return;
  g_free (*field);
  *field = g_strdup (str);
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
update_bool (GpAdapter *self,
             gboolean  *field,
             GVariant  *value,
             guint      prop)
{
  gboolean b = value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN) &&
               g_variant_get_boolean (value);

  if (*field == b)
    return;
  *field = b;
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
update_uint (GpAdapter *self,
             guint     *field,
             GVariant  *value,
             guint      prop)
{
  guint u = value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32)
            ? g_variant_get_uint32 (value) : 0;

  if (*field == u)
    return;
  *field = u;
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
update_properties (GpAdapter          *self,
                   GVariant           *properties,
                   const char * const *invalidated)
{
  static const struct { const char *name; guint prop; } map[] = {
    { "Address", PROP_ADDRESS }, { "Name", PROP_SYSTEM_NAME }, { "Alias", PROP_ALIAS },
    { "Powered", PROP_POWERED }, { "Discoverable", PROP_DISCOVERABLE },
    { "DiscoverableTimeout", PROP_DISCOVERABLE_TIMEOUT }, { "Pairable", PROP_PAIRABLE },
    { "PairableTimeout", PROP_PAIRABLE_TIMEOUT },
  };

  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    {
      g_autoptr(GVariant) v = properties != NULL ? g_variant_lookup_value (properties, map[i].name, NULL) : NULL;

      if (v == NULL && !(invalidated != NULL && g_strv_contains (invalidated, map[i].name)))
        continue;
      switch (map[i].prop)
        {
        case PROP_ADDRESS: update_string (self, &self->address, v, map[i].prop); break;
        case PROP_SYSTEM_NAME: update_string (self, &self->system_name, v, map[i].prop); break;
        case PROP_ALIAS: update_string (self, &self->alias, v, map[i].prop); break;
        case PROP_POWERED: update_bool (self, &self->powered, v, map[i].prop); break;
        case PROP_DISCOVERABLE: update_bool (self, &self->discoverable, v, map[i].prop); break;
        case PROP_DISCOVERABLE_TIMEOUT: update_uint (self, &self->discoverable_timeout, v, map[i].prop); break;
        case PROP_PAIRABLE: update_bool (self, &self->pairable, v, map[i].prop); break;
        case PROP_PAIRABLE_TIMEOUT: update_uint (self, &self->pairable_timeout, v, map[i].prop); break;
        default: g_assert_not_reached ();
        }
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
is_my_device (GpAdapter  *self,
              const char *path)
{
  gsize len = strlen (self->object_path);

  return strncmp (path, self->object_path, len) == 0 && path[len] == '/' &&
         strchr (path + len + 1, '/') == NULL;
}

static void
set_present (GpAdapter *self,
             gboolean   present)
{
  if (self->present == present)
    return;
  self->present = present;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PRESENT]);
}

/* A Device1 appeared (or was listed), with its properties. */
static void
device_added (GpAdapter  *self,
              const char *path,
              GVariant   *properties,
              gboolean    announce)
{
  g_autoptr(GpDevice) device = gp_device_get_for_path (self->connection, path, properties);
  gboolean known = g_hash_table_contains (self->devices, path);

  g_hash_table_replace (self->devices, g_strdup (path), g_object_ref (device));
  if (announce && !known && gp_device_get_connected (device))
    g_signal_emit (self, signals[SIGNAL_DEVICE_CONNECTED], 0, device);
}

static void
device_removed (GpAdapter  *self,
                const char *path)
{
  g_autoptr(GpDevice) device = NULL;
  g_autofree char *key = NULL;
  gpointer value;

  if (!g_hash_table_steal_extended (self->devices, path, (gpointer *) &key, &value))
    return;
  device = value;
  if (gp_device_get_connected (device))
    {
      g_autoptr(GVariant) off = g_variant_ref_sink (g_variant_new_parsed ("{'Connected': <false>}"));
      gp_device_update (device, off, NULL);
      g_signal_emit (self, signals[SIGNAL_DEVICE_DISCONNECTED], 0, device);
    }
}

static void
adapter_gone (GpAdapter *self)
{
  GList *paths;

  if (!self->present)
    return;
  paths = g_hash_table_get_keys (self->devices);
  for (GList *l = paths; l != NULL; l = l->next)
    {
      g_autofree char *path = g_strdup (l->data);
      device_removed (self, path);
    }
  g_list_free (paths);
  set_present (self, FALSE);
  g_signal_emit (self, signals[SIGNAL_VANISHED], 0);
}

/* Applies a GetManagedObjects reply. Signals only when the adapter comes
 * back, not at the first load. */
void
gp_adapter_load_objects (GpAdapter *self,
                         GVariant  *objects)
{
  gboolean announce = self->loaded;
  gboolean found = FALSE;
  GVariantIter iter;
  const char *path;
  GVariant *interfaces;

  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_loop (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr(GVariant) adapter = NULL;
      g_autoptr(GVariant) device = NULL;

      if (strcmp (path, self->object_path) == 0 &&
          (adapter = g_variant_lookup_value (interfaces, "org.bluez.Adapter1", G_VARIANT_TYPE_VARDICT)) != NULL)
        {
          update_properties (self, adapter, NULL);
          found = TRUE;
        }
    }
  if (found && !self->present)
    {
      set_present (self, TRUE);
      if (announce)
        g_signal_emit (self, signals[SIGNAL_APPEARED], 0);
    }
  else if (!found)
    adapter_gone (self);

  if (found)
    {
      g_variant_iter_init (&iter, objects);
      while (g_variant_iter_loop (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
        {
          g_autoptr(GVariant) device = NULL;

          if (is_my_device (self, path) &&
              (device = g_variant_lookup_value (interfaces, "org.bluez.Device1", G_VARIANT_TYPE_VARDICT)) != NULL)
            device_added (self, path, device, announce);
        }
    }
  self->loaded = TRUE;
}

static void
got_objects (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GpAdapter) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) objects = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Reading adapter %s: %s", self->object_path, error->message);
      return;
    }
  objects = g_variant_get_child_value (reply, 0);
  gp_adapter_load_objects (self, objects);
}

static void
load (GpAdapter *self)
{
  g_dbus_connection_call (self->connection, "org.bluez", "/",
                          "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                          NULL, G_VARIANT_TYPE ("(a{oa{sa{sv}}})"),
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, self->cancellable,
                          got_objects, g_object_ref (self));
}

static void
on_bluez_appeared (GDBusConnection *connection,
                   const char      *name,
                   const char      *owner,
                   gpointer         user_data)
{
  load (user_data);
}

static void
on_bluez_vanished (GDBusConnection *connection,
                   const char      *name,
                   gpointer         user_data)
{
  adapter_gone (user_data);
}

static void
on_adapter_properties_changed (GDBusConnection *connection,
                               const char      *sender,
                               const char      *object_path,
                               const char      *interface_name,
                               const char      *signal_name,
                               GVariant        *parameters,
                               gpointer         user_data)
{
  GpAdapter *self = user_data;
  g_autoptr(GVariant) changed = NULL;
  g_autofree const char **invalidated = NULL;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv}as)")))
    return;
  g_variant_get (parameters, "(&s@a{sv}^a&s)", NULL, &changed, &invalidated);
  update_properties (self, changed, invalidated);
}

static void
on_device_properties_changed (GDBusConnection *connection,
                              const char      *sender,
                              const char      *object_path,
                              const char      *interface_name,
                              const char      *signal_name,
                              GVariant        *parameters,
                              gpointer         user_data)
{
  GpAdapter *self = user_data;
  g_autoptr(GVariant) changed = NULL;
  g_autoptr(GVariant) connected = NULL;
  g_autofree const char **invalidated = NULL;
  GpDevice *device;
  gboolean was;

  if (!is_my_device (self, object_path) ||
      !g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv}as)")))
    return;
  g_variant_get (parameters, "(&s@a{sv}^a&s)", NULL, &changed, &invalidated);

  device = g_hash_table_lookup (self->devices, object_path);
  if (device == NULL)
    {
      /* Known to BlueZ before we listed it: read it in full. */
      device_added (self, object_path, NULL, FALSE);
      device = g_hash_table_lookup (self->devices, object_path);
    }
  was = gp_device_get_connected (device);
  /* The device's own subscription may run after this one: update it now,
   * so that handlers see the new state. */
  gp_device_update (device, changed, invalidated);
  connected = g_variant_lookup_value (changed, "Connected", G_VARIANT_TYPE_BOOLEAN);
  if (connected == NULL || g_variant_get_boolean (connected) == was)
    return;
  g_signal_emit (self, signals[g_variant_get_boolean (connected) ? SIGNAL_DEVICE_CONNECTED
                                                                 : SIGNAL_DEVICE_DISCONNECTED],
                 0, device);
}

static void
on_interfaces_added (GDBusConnection *connection,
                     const char      *sender,
                     const char      *object_path,
                     const char      *interface_name,
                     const char      *signal_name,
                     GVariant        *parameters,
                     gpointer         user_data)
{
  GpAdapter *self = user_data;
  g_autoptr(GVariant) interfaces = NULL;
  g_autoptr(GVariant) adapter = NULL;
  g_autoptr(GVariant) device = NULL;
  const char *path;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(oa{sa{sv}})")))
    return;
  g_variant_get (parameters, "(&o@a{sa{sv}})", &path, &interfaces);

  if (strcmp (path, self->object_path) == 0 &&
      (adapter = g_variant_lookup_value (interfaces, "org.bluez.Adapter1", G_VARIANT_TYPE_VARDICT)) != NULL)
    {
      update_properties (self, adapter, NULL);
      if (!self->present)
        {
          set_present (self, TRUE);
          g_signal_emit (self, signals[SIGNAL_APPEARED], 0);
        }
    }
  else if (is_my_device (self, path) &&
           (device = g_variant_lookup_value (interfaces, "org.bluez.Device1", G_VARIANT_TYPE_VARDICT)) != NULL)
    device_added (self, path, device, TRUE);
}

static void
on_interfaces_removed (GDBusConnection *connection,
                       const char      *sender,
                       const char      *object_path,
                       const char      *interface_name,
                       const char      *signal_name,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  GpAdapter *self = user_data;
  g_autofree const char **interfaces = NULL;
  const char *path;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(oas)")))
    return;
  g_variant_get (parameters, "(&o^a&s)", &path, &interfaces);

  if (strcmp (path, self->object_path) == 0 && g_strv_contains (interfaces, "org.bluez.Adapter1"))
    adapter_gone (self);
  else if (is_my_device (self, path) && g_strv_contains (interfaces, "org.bluez.Device1"))
    device_removed (self, path);
}

static void
gp_adapter_constructed (GObject *object)
{
  GpAdapter *self = GP_ADAPTER (object);

  G_OBJECT_CLASS (gp_adapter_parent_class)->constructed (object);

  if (self->connection == NULL || self->object_path == NULL)
    return;
  self->props_sub =
    g_dbus_connection_signal_subscribe (self->connection, "org.bluez",
                                        "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                        self->object_path, "org.bluez.Adapter1",
                                        G_DBUS_SIGNAL_FLAGS_NONE, on_adapter_properties_changed,
                                        self, NULL);
  self->device_props_sub =
    g_dbus_connection_signal_subscribe (self->connection, "org.bluez",
                                        "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                        NULL, "org.bluez.Device1", G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_device_properties_changed, self, NULL);
  self->added_sub =
    g_dbus_connection_signal_subscribe (self->connection, "org.bluez",
                                        "org.freedesktop.DBus.ObjectManager", "InterfacesAdded",
                                        "/", NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_interfaces_added, self, NULL);
  self->removed_sub =
    g_dbus_connection_signal_subscribe (self->connection, "org.bluez",
                                        "org.freedesktop.DBus.ObjectManager", "InterfacesRemoved",
                                        "/", NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_interfaces_removed, self, NULL);
  /* Reads the state once BlueZ is there, and again when it comes back. */
  self->name_watch = g_bus_watch_name_on_connection (self->connection, "org.bluez",
                                                     G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                     on_bluez_appeared, on_bluez_vanished,
                                                     self, NULL);
}

static void
gp_adapter_dispose (GObject *object)
{
  GpAdapter *self = GP_ADAPTER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->name_watch != 0)
    {
      g_bus_unwatch_name (self->name_watch);
      self->name_watch = 0;
    }
  if (self->connection != NULL)
    {
      guint *subs[] = { &self->props_sub, &self->device_props_sub, &self->added_sub, &self->removed_sub };

      for (guint i = 0; i < G_N_ELEMENTS (subs); i++)
        if (*subs[i] != 0)
          {
            g_dbus_connection_signal_unsubscribe (self->connection, *subs[i]);
            *subs[i] = 0;
          }
    }
  g_hash_table_remove_all (self->devices);

  G_OBJECT_CLASS (gp_adapter_parent_class)->dispose (object);
}

static void
gp_adapter_finalize (GObject *object)
{
  GpAdapter *self = GP_ADAPTER (object);

  g_clear_object (&self->connection);
  g_clear_pointer (&self->object_path, g_free);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->system_name, g_free);
  g_clear_pointer (&self->alias, g_free);
  g_clear_pointer (&self->devices, g_hash_table_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (gp_adapter_parent_class)->finalize (object);
}

static void
gp_adapter_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  GpAdapter *self = GP_ADAPTER (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_OBJECT_PATH:
      g_value_set_string (value, self->object_path);
      break;
    case PROP_PRESENT: g_value_set_boolean (value, self->present); break;
    case PROP_ADDRESS: g_value_set_string (value, self->address); break;
    case PROP_SYSTEM_NAME: g_value_set_string (value, self->system_name); break;
    case PROP_ALIAS: g_value_set_string (value, self->alias); break;
    case PROP_POWERED: g_value_set_boolean (value, self->powered); break;
    case PROP_DISCOVERABLE: g_value_set_boolean (value, self->discoverable); break;
    case PROP_DISCOVERABLE_TIMEOUT: g_value_set_uint (value, self->discoverable_timeout); break;
    case PROP_PAIRABLE: g_value_set_boolean (value, self->pairable); break;
    case PROP_PAIRABLE_TIMEOUT: g_value_set_uint (value, self->pairable_timeout); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void set_bluez_property (GpAdapter *self, const char *name, GVariant *value,
                                gpointer tag, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);

static void
gp_adapter_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  GpAdapter *self = GP_ADAPTER (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    case PROP_OBJECT_PATH:
      self->object_path = g_value_dup_string (value);
      break;
    case PROP_ALIAS:
      set_bluez_property (self, "Alias", g_variant_new_string (g_value_get_string (value) ? g_value_get_string (value) : ""),
                          NULL, NULL, NULL, NULL);
      break;
    case PROP_POWERED:
      set_bluez_property (self, "Powered", g_variant_new_boolean (g_value_get_boolean (value)),
                          NULL, NULL, NULL, NULL);
      break;
    case PROP_DISCOVERABLE:
      set_bluez_property (self, "Discoverable", g_variant_new_boolean (g_value_get_boolean (value)),
                          NULL, NULL, NULL, NULL);
      break;
    case PROP_DISCOVERABLE_TIMEOUT:
      set_bluez_property (self, "DiscoverableTimeout", g_variant_new_uint32 (g_value_get_uint (value)),
                          NULL, NULL, NULL, NULL);
      break;
    case PROP_PAIRABLE:
      set_bluez_property (self, "Pairable", g_variant_new_boolean (g_value_get_boolean (value)),
                          NULL, NULL, NULL, NULL);
      break;
    case PROP_PAIRABLE_TIMEOUT:
      set_bluez_property (self, "PairableTimeout", g_variant_new_uint32 (g_value_get_uint (value)),
                          NULL, NULL, NULL, NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gp_adapter_class_init (GpAdapterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  (void) gp_error_quark ();
  object_class->constructed = gp_adapter_constructed;
  object_class->dispose = gp_adapter_dispose;
  object_class->finalize = gp_adapter_finalize;
  object_class->get_property = gp_adapter_get_property;
  object_class->set_property = gp_adapter_set_property;

  /**
   * GpAdapter:connection:
   *
   * The D-Bus connection to BlueZ.
   *
   * Since: 0.1
   */
  props[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GpAdapter:object-path:
   *
   * The adapter's object path, such as `/org/bluez/hci0`.
   *
   * Since: 0.1
   */
  props[PROP_OBJECT_PATH] =
    g_param_spec_string ("object-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

#define RO_PROP (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)
#define RW_PROP (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)

  /**
   * GpAdapter:present:
   *
   * Whether BlueZ exports the adapter now. It turns %FALSE when the
   * adapter is unplugged or bluetoothd exits, and %TRUE again when it
   * comes back. Registrations do not survive that: start advertisements
   * and register applications again on [signal@Adapter::appeared].
   *
   * Since: 0.1
   */
  props[PROP_PRESENT] = g_param_spec_boolean ("present", NULL, NULL, FALSE, RO_PROP);

  /**
   * GpAdapter:address:
   *
   * The adapter's Bluetooth address (`Address`).
   *
   * Since: 0.1
   */
  props[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, RO_PROP);

  /**
   * GpAdapter:system-name:
   *
   * BlueZ's `Name` of the adapter: the system name (pretty host name).
   * (Not called `name`, which would read ambiguously in bindings.)
   *
   * Since: 0.1
   */
  props[PROP_SYSTEM_NAME] = g_param_spec_string ("system-name", NULL, NULL, NULL, RO_PROP);

  /**
   * GpAdapter:alias:
   *
   * The name centrals see (`Alias`: the GAP Device Name, and what
   * [flags@AdvertisementIncludes.LOCAL_NAME] advertises). Setting it asks
   * BlueZ; an empty string resets it to the system name.
   *
   * Since: 0.1
   */
  props[PROP_ALIAS] = g_param_spec_string ("alias", NULL, NULL, NULL, RW_PROP);

  /**
   * GpAdapter:powered:
   *
   * Whether the adapter is on (`Powered`). Setting it asks BlueZ.
   *
   * Since: 0.1
   */
  props[PROP_POWERED] = g_param_spec_boolean ("powered", NULL, NULL, FALSE, RW_PROP);

  /**
   * GpAdapter:discoverable:
   *
   * Whether the adapter is discoverable (`Discoverable`); it turns off
   * after [property@Adapter:discoverable-timeout]. For an LE peripheral,
   * prefer [property@Advertisement:discoverable], which does not expire.
   * Setting it asks BlueZ.
   *
   * Since: 0.1
   */
  props[PROP_DISCOVERABLE] = g_param_spec_boolean ("discoverable", NULL, NULL, FALSE, RW_PROP);

  /**
   * GpAdapter:discoverable-timeout:
   *
   * Seconds after which BlueZ turns [property@Adapter:discoverable] off,
   * 0 for never (`DiscoverableTimeout`, 180 by default). Setting it asks
   * BlueZ.
   *
   * Since: 0.1
   */
  props[PROP_DISCOVERABLE_TIMEOUT] =
    g_param_spec_uint ("discoverable-timeout", NULL, NULL, 0, G_MAXUINT32, 0, RW_PROP);

  /**
   * GpAdapter:pairable:
   *
   * Whether the adapter accepts pairing (`Pairable`). Setting it asks
   * BlueZ.
   *
   * Since: 0.1
   */
  props[PROP_PAIRABLE] = g_param_spec_boolean ("pairable", NULL, NULL, FALSE, RW_PROP);

  /**
   * GpAdapter:pairable-timeout:
   *
   * Seconds after which BlueZ turns [property@Adapter:pairable] off, 0 for
   * never (`PairableTimeout`). Setting it asks BlueZ.
   *
   * Since: 0.1
   */
  props[PROP_PAIRABLE_TIMEOUT] =
    g_param_spec_uint ("pairable-timeout", NULL, NULL, 0, G_MAXUINT32, 0, RW_PROP);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * GpAdapter::device-connected:
   * @self: the adapter
   * @device: the device that connected
   *
   * A central connected to the adapter (its `Connected` turned %TRUE, or
   * BlueZ added a connected device).
   *
   * Since: 0.1
   */
  signals[SIGNAL_DEVICE_CONNECTED] =
    g_signal_new ("device-connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, GP_TYPE_DEVICE);

  /**
   * GpAdapter::device-disconnected:
   * @self: the adapter
   * @device: the device that disconnected
   *
   * A connected central disconnected (or BlueZ removed it, or the adapter
   * went away).
   *
   * Since: 0.1
   */
  signals[SIGNAL_DEVICE_DISCONNECTED] =
    g_signal_new ("device-disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, GP_TYPE_DEVICE);

  /**
   * GpAdapter::vanished:
   * @self: the adapter
   *
   * The adapter went away: unplugged, or bluetoothd exited. Everything
   * registered on it (applications, advertisements) is gone with it.
   *
   * Since: 0.1
   */
  signals[SIGNAL_VANISHED] =
    g_signal_new ("vanished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * GpAdapter::appeared:
   * @self: the adapter
   *
   * The adapter came back after [signal@Adapter::vanished]. Its
   * properties are up to date when this is emitted.
   *
   * Since: 0.1
   */
  signals[SIGNAL_APPEARED] =
    g_signal_new ("appeared", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gp_adapter_init (GpAdapter *self)
{
  self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->cancellable = g_cancellable_new ();
}

/**
 * gp_adapter_new_for_path:
 * @connection: the D-Bus connection to BlueZ (usually the system bus)
 * @object_path: the adapter's object path, such as `/org/bluez/hci0`
 *
 * Makes an adapter object for a known path, without asking BlueZ.
 * Use [func@Adapter.find_async] to look an adapter up.
 *
 * Returns: (transfer full): a new adapter object
 *
 * Since: 0.1
 */
GpAdapter *
gp_adapter_new_for_path (GDBusConnection *connection,
                         const char      *object_path)
{
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (object_path != NULL && g_variant_is_object_path (object_path), NULL);

  return g_object_new (GP_TYPE_ADAPTER,
                       "connection", connection,
                       "object-path", object_path,
                       NULL);
}

/**
 * gp_adapter_get_connection:
 * @self: a #GpAdapter
 *
 * The D-Bus connection to BlueZ.
 *
 * Returns: (transfer none): the connection
 *
 * Since: 0.1
 */
GDBusConnection *
gp_adapter_get_connection (GpAdapter *self)
{
  g_return_val_if_fail (GP_IS_ADAPTER (self), NULL);
  return self->connection;
}

/**
 * gp_adapter_get_object_path:
 * @self: a #GpAdapter
 *
 * The adapter's object path.
 *
 * Returns: the object path
 *
 * Since: 0.1
 */
const char *
gp_adapter_get_object_path (GpAdapter *self)
{
  g_return_val_if_fail (GP_IS_ADAPTER (self), NULL);
  return self->object_path;
}

/**
 * gp_adapter_get_interface_name:
 * @self: a #GpAdapter
 *
 * The adapter's interface name, such as `hci0` (the last element of its
 * object path).
 *
 * Returns: the interface name
 *
 * Since: 0.1
 */
const char *
gp_adapter_get_interface_name (GpAdapter *self)
{
  const char *slash;

  g_return_val_if_fail (GP_IS_ADAPTER (self), NULL);

  slash = strrchr (self->object_path, '/');
  return slash != NULL ? slash + 1 : self->object_path;
}

const char *
gp_adapter_get_object_path_internal (GpAdapter *self)
{
  return self->object_path;
}

typedef struct
{
  GDBusConnection *connection;
  char            *name;
} FindData;

static void
find_data_free (FindData *data)
{
  g_clear_object (&data->connection);
  g_free (data->name);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FindData, find_data_free)

/* Whether adapter @a comes before @b: hci2 before hci10. BlueZ lists
 * adapters in no particular order, and "the default adapter" must not
 * change from one run to the next. */
static gboolean
adapter_path_before (const char *a,
                     const char *b)
{
  const char *na = a + strcspn (a, "0123456789");
  const char *nb = b + strcspn (b, "0123456789");
  gsize pa = (gsize) (na - a), pb = (gsize) (nb - b);

  if (pa == pb && strncmp (a, b, pa) == 0 && *na != '\0' && *nb != '\0')
    return g_ascii_strtoull (na, NULL, 10) < g_ascii_strtoull (nb, NULL, 10);
  return strcmp (a, b) < 0;
}

static void
find_got_objects (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FindData *data = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) objects = NULL;
  g_autofree char *first_powered = NULL;
  g_autofree char *found = NULL;
  GError *error = NULL;
  GVariantIter iter;
  const char *path;
  GVariant *interfaces;
  gboolean any = FALSE;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, gp_dbus_error_from_bluez (error));
      return;
    }

  objects = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, objects);
  /* Runs to the end: leaving g_variant_iter_loop() early leaks. */
  while (g_variant_iter_loop (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr(GVariant) adapter = g_variant_lookup_value (interfaces, "org.bluez.Adapter1",
                                                            G_VARIANT_TYPE_VARDICT);
      g_autoptr(GVariant) gatt = g_variant_lookup_value (interfaces, "org.bluez.GattManager1",
                                                         G_VARIANT_TYPE_VARDICT);
      const char *address = NULL;
      const char *slash;
      gboolean powered = FALSE;

      if (adapter == NULL || found != NULL)
        continue;
      any = TRUE;
      g_variant_lookup (adapter, "Address", "&s", &address);
      g_variant_lookup (adapter, "Powered", "b", &powered);
      slash = strrchr (path, '/');

      if (data->name != NULL)
        {
          if (strcmp (data->name, path) == 0 ||
              (slash != NULL && strcmp (data->name, slash + 1) == 0) ||
              (address != NULL && g_ascii_strcasecmp (data->name, address) == 0))
            found = g_strdup (path);
        }
      else if (powered && gatt != NULL &&
               (first_powered == NULL || adapter_path_before (path, first_powered)))
        {
          g_free (first_powered);
          first_powered = g_strdup (path);
        }
    }

  if (found == NULL)
    found = g_steal_pointer (&first_powered);

  if (found == NULL)
    {
      if (data->name != NULL)
        g_task_return_new_error (task, GP_ERROR, GP_ERROR_NOT_AVAILABLE,
                                 "BlueZ has no adapter “%s” (give an interface name such as "
                                 "hci0, an address, or an object path)", data->name);
      else if (any)
        g_task_return_new_error (task, GP_ERROR, GP_ERROR_NOT_READY,
                                 "No Bluetooth adapter is powered: power one on "
                                 "(bluetoothctl power on) or name the one to use");
      else
        g_task_return_new_error (task, GP_ERROR, GP_ERROR_NOT_AVAILABLE,
                                 "BlueZ reports no Bluetooth adapter");
      return;
    }

  {
    GpAdapter *adapter = gp_adapter_new_for_path (data->connection, found);

    gp_adapter_load_objects (adapter, objects);
    g_task_return_pointer (task, adapter, g_object_unref);
  }
}

static void
find_got_bus (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FindData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->connection = g_bus_get_finish (result, &error);
  if (data->connection == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_dbus_connection_call (data->connection, "org.bluez", "/",
                          "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                          NULL, G_VARIANT_TYPE ("(a{oa{sa{sv}}})"),
                          G_DBUS_CALL_FLAGS_NONE, -1,
                          g_task_get_cancellable (task),
                          find_got_objects, g_object_ref (task));
}

/**
 * gp_adapter_find_async:
 * @connection: (nullable): the D-Bus connection to BlueZ, or %NULL for the
 *   system bus
 * @name: (nullable): an interface name (`hci0`), an address
 *   (`00:11:22:33:44:55`) or an object path; %NULL for the first powered
 *   adapter that can serve GATT
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the lookup is done
 * @user_data: data for @callback
 *
 * Looks up an adapter BlueZ knows.
 *
 * Since: 0.1
 */
void
gp_adapter_find_async (GDBusConnection     *connection,
                       const char          *name,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(FindData) data = NULL;

  g_return_if_fail (connection == NULL || G_IS_DBUS_CONNECTION (connection));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, gp_adapter_find_async);

  data = g_new0 (FindData, 1);
  data->name = g_strdup (name);
  if (connection != NULL)
    data->connection = g_object_ref (connection);
  g_task_set_task_data (task, g_steal_pointer (&data), (GDestroyNotify) find_data_free);

  if (connection != NULL)
    g_dbus_connection_call (connection, "org.bluez", "/",
                            "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                            NULL, G_VARIANT_TYPE ("(a{oa{sa{sv}}})"),
                            G_DBUS_CALL_FLAGS_NONE, -1, cancellable,
                            find_got_objects, g_steal_pointer (&task));
  else
    g_bus_get (G_BUS_TYPE_SYSTEM, cancellable, find_got_bus, g_steal_pointer (&task));
}

/**
 * gp_adapter_find_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [func@Adapter.find_async].
 *
 * Returns: (transfer full): the adapter, or %NULL with @error set
 *   (%GP_ERROR_NOT_READY if BlueZ is not running or no adapter is powered,
 *   %GP_ERROR_NOT_AVAILABLE if there is no such adapter)
 *
 * Since: 0.1
 */
GpAdapter *
gp_adapter_find_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gp_adapter_find_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Properties                                                           */

/**
 * gp_adapter_get_present:
 * @self: a #GpAdapter
 *
 * See [property@Adapter:present].
 *
 * Returns: whether BlueZ exports the adapter
 *
 * Since: 0.1
 */
gboolean
gp_adapter_get_present (GpAdapter *self)
{
  g_return_val_if_fail (GP_IS_ADAPTER (self), FALSE);
  return self->present;
}

/**
 * gp_adapter_get_address:
 * @self: a #GpAdapter
 *
 * See [property@Adapter:address].
 *
 * Returns: (nullable): the address, %NULL until BlueZ answered
 *
 * Since: 0.1
 */
const char *
gp_adapter_get_address (GpAdapter *self)
{
  g_return_val_if_fail (GP_IS_ADAPTER (self), NULL);
  return self->address;
}

/**
 * gp_adapter_get_system_name:
 * @self: a #GpAdapter
 *
 * See [property@Adapter:system-name].
 *
 * Returns: (nullable): BlueZ's `Name`
 *
 * Since: 0.1
 */
const char *
gp_adapter_get_system_name (GpAdapter *self)
{
  g_return_val_if_fail (GP_IS_ADAPTER (self), NULL);
  return self->system_name;
}

/**
 * gp_adapter_get_alias:
 * @self: a #GpAdapter
 *
 * See [property@Adapter:alias].
 *
 * Returns: (nullable): the alias
 *
 * Since: 0.1
 */
const char *
gp_adapter_get_alias (GpAdapter *self)
{
  g_return_val_if_fail (GP_IS_ADAPTER (self), NULL);
  return self->alias;
}

/**
 * gp_adapter_get_powered:
 * @self: a #GpAdapter
 *
 * See [property@Adapter:powered].
 *
 * Returns: whether the adapter is on
 *
 * Since: 0.1
 */
gboolean
gp_adapter_get_powered (GpAdapter *self)
{
  g_return_val_if_fail (GP_IS_ADAPTER (self), FALSE);
  return self->powered;
}

/**
 * gp_adapter_get_discoverable:
 * @self: a #GpAdapter
 *
 * See [property@Adapter:discoverable].
 *
 * Returns: whether the adapter is discoverable
 *
 * Since: 0.1
 */
gboolean
gp_adapter_get_discoverable (GpAdapter *self)
{
  g_return_val_if_fail (GP_IS_ADAPTER (self), FALSE);
  return self->discoverable;
}

/**
 * gp_adapter_get_discoverable_timeout:
 * @self: a #GpAdapter
 *
 * See [property@Adapter:discoverable-timeout].
 *
 * Returns: the timeout in seconds
 *
 * Since: 0.1
 */
guint
gp_adapter_get_discoverable_timeout (GpAdapter *self)
{
  g_return_val_if_fail (GP_IS_ADAPTER (self), 0);
  return self->discoverable_timeout;
}

/**
 * gp_adapter_get_pairable:
 * @self: a #GpAdapter
 *
 * See [property@Adapter:pairable].
 *
 * Returns: whether the adapter is pairable
 *
 * Since: 0.1
 */
gboolean
gp_adapter_get_pairable (GpAdapter *self)
{
  g_return_val_if_fail (GP_IS_ADAPTER (self), FALSE);
  return self->pairable;
}

/**
 * gp_adapter_get_pairable_timeout:
 * @self: a #GpAdapter
 *
 * See [property@Adapter:pairable-timeout].
 *
 * Returns: the timeout in seconds
 *
 * Since: 0.1
 */
guint
gp_adapter_get_pairable_timeout (GpAdapter *self)
{
  g_return_val_if_fail (GP_IS_ADAPTER (self), 0);
  return self->pairable_timeout;
}

/**
 * gp_adapter_get_devices:
 * @self: a #GpAdapter
 *
 * The devices BlueZ knows on this adapter: connected centrals, and
 * bonded or recently seen devices (see [property@Device:connected]).
 *
 * Returns: (transfer container) (element-type GpDevice): the devices
 *
 * Since: 0.1
 */
GList *
gp_adapter_get_devices (GpAdapter *self)
{
  g_return_val_if_fail (GP_IS_ADAPTER (self), NULL);
  return g_hash_table_get_values (self->devices);
}

static void
set_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (task == NULL)
    {
      if (reply == NULL)
        {
          g_debug ("Setting an adapter property: %s", error->message);
          g_error_free (error);
        }
      return;
    }
  if (reply == NULL)
    g_task_return_error (task, gp_dbus_error_from_bluez (error));
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
set_bluez_property (GpAdapter           *self,
                    const char          *name,
                    GVariant            *value,
                    gpointer             tag,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  GTask *task = NULL;

  if (tag != NULL)
    {
      task = g_task_new (self, cancellable, callback, user_data);
      g_task_set_source_tag (task, tag);
    }
  if (self->connection == NULL)
    {
      g_variant_unref (g_variant_ref_sink (value));
      if (task != NULL)
        {
          g_task_return_new_error (task, GP_ERROR, GP_ERROR_NOT_READY, "The adapter has no connection");
          g_object_unref (task);
        }
      return;
    }
  g_dbus_connection_call (self->connection, "org.bluez", self->object_path,
                          "org.freedesktop.DBus.Properties", "Set",
                          g_variant_new ("(ssv)", "org.bluez.Adapter1", name, value), NULL,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, cancellable, set_done, task);
}

static gboolean
set_finish (GpAdapter     *self,
            GAsyncResult  *result,
            gpointer       tag,
            GError       **error)
{
  g_return_val_if_fail (GP_IS_ADAPTER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * gp_adapter_set_alias_async:
 * @self: a #GpAdapter
 * @alias: the new alias, or "" for the system name
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when BlueZ has answered
 * @user_data: data for @callback
 *
 * Sets [property@Adapter:alias] and reports BlueZ's answer.
 *
 * Since: 0.1
 */
void
gp_adapter_set_alias_async (GpAdapter           *self,
                            const char          *alias,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (GP_IS_ADAPTER (self));
  g_return_if_fail (alias != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  set_bluez_property (self, "Alias", g_variant_new_string (alias), gp_adapter_set_alias_async,
                      cancellable, callback, user_data);
}

/**
 * gp_adapter_set_alias_finish:
 * @self: a #GpAdapter
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Adapter.set_alias_async].
 *
 * Returns: %TRUE if BlueZ took it
 *
 * Since: 0.1
 */
gboolean
gp_adapter_set_alias_finish (GpAdapter     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return set_finish (self, result, gp_adapter_set_alias_async, error);
}

/**
 * gp_adapter_set_powered_async:
 * @self: a #GpAdapter
 * @powered: whether to power the adapter on
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when BlueZ has answered
 * @user_data: data for @callback
 *
 * Sets [property@Adapter:powered] and reports BlueZ's answer (for
 * example `org.bluez.Error.Failed` when rfkill blocks the adapter).
 *
 * Since: 0.1
 */
void
gp_adapter_set_powered_async (GpAdapter           *self,
                              gboolean             powered,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (GP_IS_ADAPTER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  set_bluez_property (self, "Powered", g_variant_new_boolean (powered),
                      gp_adapter_set_powered_async, cancellable, callback, user_data);
}

/**
 * gp_adapter_set_powered_finish:
 * @self: a #GpAdapter
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Adapter.set_powered_async].
 *
 * Returns: %TRUE if BlueZ took it
 *
 * Since: 0.1
 */
gboolean
gp_adapter_set_powered_finish (GpAdapter     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return set_finish (self, result, gp_adapter_set_powered_async, error);
}

/**
 * gp_adapter_set_discoverable_async:
 * @self: a #GpAdapter
 * @discoverable: whether to make the adapter discoverable
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when BlueZ has answered
 * @user_data: data for @callback
 *
 * Sets [property@Adapter:discoverable] and reports BlueZ's answer.
 *
 * Since: 0.1
 */
void
gp_adapter_set_discoverable_async (GpAdapter           *self,
                                   gboolean             discoverable,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (GP_IS_ADAPTER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  set_bluez_property (self, "Discoverable", g_variant_new_boolean (discoverable),
                      gp_adapter_set_discoverable_async, cancellable, callback, user_data);
}

/**
 * gp_adapter_set_discoverable_finish:
 * @self: a #GpAdapter
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Adapter.set_discoverable_async].
 *
 * Returns: %TRUE if BlueZ took it
 *
 * Since: 0.1
 */
gboolean
gp_adapter_set_discoverable_finish (GpAdapter     *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return set_finish (self, result, gp_adapter_set_discoverable_async, error);
}

/**
 * gp_adapter_set_pairable_async:
 * @self: a #GpAdapter
 * @pairable: whether the adapter accepts pairing
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when BlueZ has answered
 * @user_data: data for @callback
 *
 * Sets [property@Adapter:pairable] and reports BlueZ's answer.
 *
 * Since: 0.1
 */
void
gp_adapter_set_pairable_async (GpAdapter           *self,
                               gboolean             pairable,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (GP_IS_ADAPTER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  set_bluez_property (self, "Pairable", g_variant_new_boolean (pairable),
                      gp_adapter_set_pairable_async, cancellable, callback, user_data);
}

/**
 * gp_adapter_set_pairable_finish:
 * @self: a #GpAdapter
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Adapter.set_pairable_async].
 *
 * Returns: %TRUE if BlueZ took it
 *
 * Since: 0.1
 */
gboolean
gp_adapter_set_pairable_finish (GpAdapter     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return set_finish (self, result, gp_adapter_set_pairable_async, error);
}
