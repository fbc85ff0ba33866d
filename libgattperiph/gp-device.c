/* gp-device.c: a remote Bluetooth device (a central) known to BlueZ
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-device-private.h"
#include "gp-dbus-util-private.h"

#include <string.h>

/**
 * GpDevice:
 *
 * A remote device BlueZ knows (`org.bluez.Device1`): for a peripheral, a
 * central that is connected, or was, or is bonded.
 *
 * Its properties follow BlueZ: they are read once when the object is made
 * and then kept in sync with BlueZ's `PropertiesChanged` signals. The
 * library makes one #GpDevice per device and connection, so the device
 * handed to [signal@Adapter::device-connected] is the one
 * [method@Request.get_device] returns.
 *
 * ```c
 * static void
 * on_connected (GpAdapter *adapter, GpDevice *device, gpointer user_data)
 * {
 *   g_print ("%s connected\n", gp_device_get_address (device));
 * }
 * ```
 *
 * Since: 0.1
 */
struct _GpDevice
{
  GObject          parent_instance;

  GDBusConnection *connection;
  char            *object_path;
  guint            props_sub;

  char            *adapter_path;
  char            *address;
  char            *address_type;
  char            *remote_name;
  char            *alias;
  gboolean         connected;
  gboolean         paired;
  gboolean         bonded;
  gboolean         trusted;
};

G_DEFINE_FINAL_TYPE (GpDevice, gp_device, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_OBJECT_PATH,
  PROP_ADAPTER_PATH,
  PROP_ADDRESS,
  PROP_ADDRESS_TYPE,
  PROP_REMOTE_NAME,
  PROP_ALIAS,
  PROP_CONNECTED,
  PROP_PAIRED,
  PROP_BONDED,
  PROP_TRUSTED,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

#define DEVICES_KEY "gp-devices"

static void
update_string (GpDevice   *self,
               char      **field,
               GVariant   *value,
               guint       prop)
{
  const char *s = value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) ? g_variant_get_string (value, NULL)
                : value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_OBJECT_PATH) ? g_variant_get_string (value, NULL)
                : NULL;

  if (g_strcmp0 (*field, s) == 0)
    return;
  g_free (*field);
  *field = g_strdup (s);
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
update_bool (GpDevice *self,
             gboolean *field,
             GVariant *value,
             guint     prop)
{
  gboolean b = value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN) &&
               g_variant_get_boolean (value);

  if (*field == b)
    return;
  *field = b;
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

/* Applies Device1 properties (a{sv}); with @invalidated, those names are
 * reset. */
void
gp_device_update (GpDevice           *self,
                  GVariant           *properties,
                  const char * const *invalidated)
{
  static const struct { const char *name; guint prop; gboolean is_bool; } map[] = {
    { "Adapter", PROP_ADAPTER_PATH, FALSE },
    { "Address", PROP_ADDRESS, FALSE },
    { "AddressType", PROP_ADDRESS_TYPE, FALSE },
    { "Name", PROP_REMOTE_NAME, FALSE },
    { "Alias", PROP_ALIAS, FALSE },
    { "Connected", PROP_CONNECTED, TRUE },
    { "Paired", PROP_PAIRED, TRUE },
    { "Bonded", PROP_BONDED, TRUE },
    { "Trusted", PROP_TRUSTED, TRUE },
  };

  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    {
      g_autoptr(GVariant) v = properties != NULL ? g_variant_lookup_value (properties, map[i].name, NULL) : NULL;
      gboolean reset = invalidated != NULL && g_strv_contains (invalidated, map[i].name);

      if (v == NULL && !reset)
        continue;
      switch (map[i].prop)
        {
        case PROP_ADAPTER_PATH: update_string (self, &self->adapter_path, v, map[i].prop); break;
        case PROP_ADDRESS: update_string (self, &self->address, v, map[i].prop); break;
        case PROP_ADDRESS_TYPE: update_string (self, &self->address_type, v, map[i].prop); break;
        case PROP_REMOTE_NAME: update_string (self, &self->remote_name, v, map[i].prop); break;
        case PROP_ALIAS: update_string (self, &self->alias, v, map[i].prop); break;
        case PROP_CONNECTED: update_bool (self, &self->connected, v, map[i].prop); break;
        case PROP_PAIRED: update_bool (self, &self->paired, v, map[i].prop); break;
        case PROP_BONDED: update_bool (self, &self->bonded, v, map[i].prop); break;
        case PROP_TRUSTED: update_bool (self, &self->trusted, v, map[i].prop); break;
        default: g_assert_not_reached ();
        }
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
on_properties_changed (GDBusConnection *connection,
                       const char      *sender,
                       const char      *object_path,
                       const char      *interface_name,
                       const char      *signal_name,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  GpDevice *self = user_data;
  g_autoptr(GVariant) changed = NULL;
  g_autofree const char **invalidated = NULL;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv}as)")))
    return;
  g_variant_get (parameters, "(&s@a{sv}^a&s)", NULL, &changed, &invalidated);
  gp_device_update (self, changed, invalidated);
}

static void
got_all (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GpDevice) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      g_debug ("Reading device %s: %s", self->object_path, error->message);
      return;
    }
  {
    g_autoptr(GVariant) all = g_variant_get_child_value (reply, 0);
    gp_device_update (self, all, NULL);
  }
}

static void
gp_device_constructed (GObject *object)
{
  GpDevice *self = GP_DEVICE (object);

  G_OBJECT_CLASS (gp_device_parent_class)->constructed (object);

  if (self->connection == NULL || self->object_path == NULL)
    return;
  self->props_sub =
    g_dbus_connection_signal_subscribe (self->connection, "org.bluez",
                                        "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                        self->object_path, "org.bluez.Device1",
                                        G_DBUS_SIGNAL_FLAGS_NONE, on_properties_changed, self, NULL);
}

static void
gp_device_finalize (GObject *object)
{
  GpDevice *self = GP_DEVICE (object);

  if (self->connection != NULL)
    {
      GHashTable *devices = g_object_get_data (G_OBJECT (self->connection), DEVICES_KEY);

      if (devices != NULL && g_hash_table_lookup (devices, self->object_path) == self)
        g_hash_table_remove (devices, self->object_path);
      if (self->props_sub != 0)
        g_dbus_connection_signal_unsubscribe (self->connection, self->props_sub);
    }
  g_clear_object (&self->connection);
  g_clear_pointer (&self->object_path, g_free);
  g_clear_pointer (&self->adapter_path, g_free);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->address_type, g_free);
  g_clear_pointer (&self->remote_name, g_free);
  g_clear_pointer (&self->alias, g_free);

  G_OBJECT_CLASS (gp_device_parent_class)->finalize (object);
}

static void
gp_device_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  GpDevice *self = GP_DEVICE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION: g_value_set_object (value, self->connection); break;
    case PROP_OBJECT_PATH: g_value_set_string (value, self->object_path); break;
    case PROP_ADAPTER_PATH: g_value_set_string (value, self->adapter_path); break;
    case PROP_ADDRESS: g_value_set_string (value, self->address); break;
    case PROP_ADDRESS_TYPE: g_value_set_string (value, self->address_type); break;
    case PROP_REMOTE_NAME: g_value_set_string (value, self->remote_name); break;
    case PROP_ALIAS: g_value_set_string (value, self->alias); break;
    case PROP_CONNECTED: g_value_set_boolean (value, self->connected); break;
    case PROP_PAIRED: g_value_set_boolean (value, self->paired); break;
    case PROP_BONDED: g_value_set_boolean (value, self->bonded); break;
    case PROP_TRUSTED: g_value_set_boolean (value, self->trusted); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gp_device_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  GpDevice *self = GP_DEVICE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION: self->connection = g_value_dup_object (value); break;
    case PROP_OBJECT_PATH: self->object_path = g_value_dup_string (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define RO_PROP (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)

static void
gp_device_class_init (GpDeviceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = gp_device_constructed;
  object_class->finalize = gp_device_finalize;
  object_class->get_property = gp_device_get_property;
  object_class->set_property = gp_device_set_property;

  /**
   * GpDevice:connection:
   *
   * The D-Bus connection to BlueZ.
   *
   * Since: 0.1
   */
  props[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * GpDevice:object-path:
   *
   * The device's object path, such as `/org/bluez/hci0/dev_11_22_33_44_55_66`.
   *
   * Since: 0.1
   */
  props[PROP_OBJECT_PATH] =
    g_param_spec_string ("object-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * GpDevice:adapter-path:
   *
   * The object path of the adapter the device is known to (`Adapter`).
   *
   * Since: 0.1
   */
  props[PROP_ADAPTER_PATH] = g_param_spec_string ("adapter-path", NULL, NULL, NULL, RO_PROP);
  /**
   * GpDevice:address:
   *
   * The Bluetooth address (`Address`), such as `11:22:33:44:55:66`.
   *
   * Since: 0.1
   */
  props[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, RO_PROP);
  /**
   * GpDevice:address-type:
   *
   * `"public"` or `"random"` (`AddressType`). Phones mostly use random
   * (private resolvable) addresses.
   *
   * Since: 0.1
   */
  props[PROP_ADDRESS_TYPE] = g_param_spec_string ("address-type", NULL, NULL, NULL, RO_PROP);
  /**
   * GpDevice:remote-name:
   *
   * The name the device gave (BlueZ's `Name`), or %NULL if it gave none.
   *
   * Since: 0.1
   */
  props[PROP_REMOTE_NAME] = g_param_spec_string ("remote-name", NULL, NULL, NULL, RO_PROP);
  /**
   * GpDevice:alias:
   *
   * The name to show (`Alias`): the remote name, or the address when the
   * device gave none.
   *
   * Since: 0.1
   */
  props[PROP_ALIAS] = g_param_spec_string ("alias", NULL, NULL, NULL, RO_PROP);
  /**
   * GpDevice:connected:
   *
   * Whether the device is connected (`Connected`).
   *
   * Since: 0.1
   */
  props[PROP_CONNECTED] = g_param_spec_boolean ("connected", NULL, NULL, FALSE, RO_PROP);
  /**
   * GpDevice:paired:
   *
   * Whether the device is paired (`Paired`).
   *
   * Since: 0.1
   */
  props[PROP_PAIRED] = g_param_spec_boolean ("paired", NULL, NULL, FALSE, RO_PROP);
  /**
   * GpDevice:bonded:
   *
   * Whether BlueZ stored the pairing keys (`Bonded`, BlueZ 5.65 and
   * later): a bonded device keeps its subscriptions across reconnections.
   *
   * Since: 0.1
   */
  props[PROP_BONDED] = g_param_spec_boolean ("bonded", NULL, NULL, FALSE, RO_PROP);
  /**
   * GpDevice:trusted:
   *
   * Whether the device is trusted (`Trusted`): trusted devices skip
   * authorization requests. Set it with [method@Device.set_trusted_async].
   *
   * Since: 0.1
   */
  props[PROP_TRUSTED] = g_param_spec_boolean ("trusted", NULL, NULL, FALSE, RO_PROP);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
gp_device_init (GpDevice *self)
{
}

/* The one GpDevice for @object_path on @connection: made (and, without
 * @properties, read from BlueZ) if needed. */
GpDevice *
gp_device_get_for_path (GDBusConnection *connection,
                        const char      *object_path,
                        GVariant        *properties)
{
  GHashTable *devices = g_object_get_data (G_OBJECT (connection), DEVICES_KEY);
  GpDevice *device;

  if (devices == NULL)
    {
      devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_object_set_data_full (G_OBJECT (connection), DEVICES_KEY, devices,
                              (GDestroyNotify) g_hash_table_unref);
    }
  device = g_hash_table_lookup (devices, object_path);
  if (device != NULL)
    {
      if (properties != NULL)
        gp_device_update (device, properties, NULL);
      return g_object_ref (device);
    }

  device = g_object_new (GP_TYPE_DEVICE, "connection", connection, "object-path", object_path, NULL);
  g_hash_table_insert (devices, g_strdup (object_path), device);
  if (properties != NULL)
    gp_device_update (device, properties, NULL);
  else
    g_dbus_connection_call (connection, "org.bluez", object_path,
                            "org.freedesktop.DBus.Properties", "GetAll",
                            g_variant_new ("(s)", "org.bluez.Device1"),
                            G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                            NULL, got_all, g_object_ref (device));
  return device;
}

/**
 * gp_device_new_for_path:
 * @connection: the D-Bus connection to BlueZ
 * @object_path: the device's object path
 *
 * Gets the device object for @object_path. Its properties are read from
 * BlueZ in the background (they notify when they arrive), unless the
 * library knows the device already: there is one #GpDevice per device and
 * connection.
 *
 * Returns: (transfer full): the device
 *
 * Since: 0.1
 */
GpDevice *
gp_device_new_for_path (GDBusConnection *connection,
                        const char      *object_path)
{
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (object_path != NULL && g_variant_is_object_path (object_path), NULL);

  return gp_device_get_for_path (connection, object_path, NULL);
}

/**
 * gp_device_get_connection:
 * @self: a #GpDevice
 *
 * The D-Bus connection to BlueZ.
 *
 * Returns: (transfer none): the connection
 *
 * Since: 0.1
 */
GDBusConnection *
gp_device_get_connection (GpDevice *self)
{
  g_return_val_if_fail (GP_IS_DEVICE (self), NULL);
  return self->connection;
}

/**
 * gp_device_get_object_path:
 * @self: a #GpDevice
 *
 * See [property@Device:object-path].
 *
 * Returns: the object path
 *
 * Since: 0.1
 */
const char *
gp_device_get_object_path (GpDevice *self)
{
  g_return_val_if_fail (GP_IS_DEVICE (self), NULL);
  return self->object_path;
}

/**
 * gp_device_get_adapter_path:
 * @self: a #GpDevice
 *
 * See [property@Device:adapter-path].
 *
 * Returns: (nullable): the adapter's object path
 *
 * Since: 0.1
 */
const char *
gp_device_get_adapter_path (GpDevice *self)
{
  g_return_val_if_fail (GP_IS_DEVICE (self), NULL);
  return self->adapter_path;
}

/**
 * gp_device_get_address:
 * @self: a #GpDevice
 *
 * See [property@Device:address].
 *
 * Returns: (nullable): the address, %NULL until BlueZ answered
 *
 * Since: 0.1
 */
const char *
gp_device_get_address (GpDevice *self)
{
  g_return_val_if_fail (GP_IS_DEVICE (self), NULL);
  return self->address;
}

/**
 * gp_device_get_address_type:
 * @self: a #GpDevice
 *
 * See [property@Device:address-type].
 *
 * Returns: (nullable): `"public"` or `"random"`
 *
 * Since: 0.1
 */
const char *
gp_device_get_address_type (GpDevice *self)
{
  g_return_val_if_fail (GP_IS_DEVICE (self), NULL);
  return self->address_type;
}

/**
 * gp_device_get_remote_name:
 * @self: a #GpDevice
 *
 * See [property@Device:remote-name].
 *
 * Returns: (nullable): the remote name
 *
 * Since: 0.1
 */
const char *
gp_device_get_remote_name (GpDevice *self)
{
  g_return_val_if_fail (GP_IS_DEVICE (self), NULL);
  return self->remote_name;
}

/**
 * gp_device_get_alias:
 * @self: a #GpDevice
 *
 * See [property@Device:alias].
 *
 * Returns: (nullable): the alias
 *
 * Since: 0.1
 */
const char *
gp_device_get_alias (GpDevice *self)
{
  g_return_val_if_fail (GP_IS_DEVICE (self), NULL);
  return self->alias;
}

/**
 * gp_device_get_connected:
 * @self: a #GpDevice
 *
 * See [property@Device:connected].
 *
 * Returns: whether the device is connected
 *
 * Since: 0.1
 */
gboolean
gp_device_get_connected (GpDevice *self)
{
  g_return_val_if_fail (GP_IS_DEVICE (self), FALSE);
  return self->connected;
}

/**
 * gp_device_get_paired:
 * @self: a #GpDevice
 *
 * See [property@Device:paired].
 *
 * Returns: whether the device is paired
 *
 * Since: 0.1
 */
gboolean
gp_device_get_paired (GpDevice *self)
{
  g_return_val_if_fail (GP_IS_DEVICE (self), FALSE);
  return self->paired;
}

/**
 * gp_device_get_bonded:
 * @self: a #GpDevice
 *
 * See [property@Device:bonded].
 *
 * Returns: whether the device is bonded
 *
 * Since: 0.1
 */
gboolean
gp_device_get_bonded (GpDevice *self)
{
  g_return_val_if_fail (GP_IS_DEVICE (self), FALSE);
  return self->bonded;
}

/**
 * gp_device_get_trusted:
 * @self: a #GpDevice
 *
 * See [property@Device:trusted].
 *
 * Returns: whether the device is trusted
 *
 * Since: 0.1
 */
gboolean
gp_device_get_trusted (GpDevice *self)
{
  g_return_val_if_fail (GP_IS_DEVICE (self), FALSE);
  return self->trusted;
}

static void
call_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    g_task_return_error (task, gp_dbus_error_from_bluez (error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
device_call (GpDevice            *self,
             gpointer             tag,
             const char          *path,
             const char          *interface,
             const char          *method,
             GVariant            *parameters,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  g_dbus_connection_call (self->connection, "org.bluez", path, interface, method, parameters,
                          NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, cancellable,
                          call_done, task);
}

static gboolean
device_finish (GpDevice      *self,
               GAsyncResult  *result,
               gpointer       tag,
               GError       **error)
{
  g_return_val_if_fail (GP_IS_DEVICE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * gp_device_set_trusted_async:
 * @self: a #GpDevice
 * @trusted: whether to trust the device
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when BlueZ has answered
 * @user_data: data for @callback
 *
 * Sets BlueZ's `Trusted` on the device. [property@Device:trusted] changes
 * when BlueZ confirms.
 *
 * Since: 0.1
 */
void
gp_device_set_trusted_async (GpDevice            *self,
                             gboolean             trusted,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (GP_IS_DEVICE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  device_call (self, gp_device_set_trusted_async, self->object_path,
               "org.freedesktop.DBus.Properties", "Set",
               g_variant_new ("(ssv)", "org.bluez.Device1", "Trusted", g_variant_new_boolean (trusted)),
               cancellable, callback, user_data);
}

/**
 * gp_device_set_trusted_finish:
 * @self: a #GpDevice
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Device.set_trusted_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
gp_device_set_trusted_finish (GpDevice      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return device_finish (self, result, gp_device_set_trusted_async, error);
}

/**
 * gp_device_disconnect_async:
 * @self: a #GpDevice
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when BlueZ has answered
 * @user_data: data for @callback
 *
 * Disconnects the device (`Device1.Disconnect`).
 *
 * Since: 0.1
 */
void
gp_device_disconnect_async (GpDevice            *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (GP_IS_DEVICE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  device_call (self, gp_device_disconnect_async, self->object_path, "org.bluez.Device1",
               "Disconnect", NULL, cancellable, callback, user_data);
}

/**
 * gp_device_disconnect_finish:
 * @self: a #GpDevice
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Device.disconnect_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
gp_device_disconnect_finish (GpDevice      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return device_finish (self, result, gp_device_disconnect_async, error);
}

/**
 * gp_device_remove_async:
 * @self: a #GpDevice
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when BlueZ has answered
 * @user_data: data for @callback
 *
 * Makes BlueZ forget the device and its bond (`Adapter1.RemoveDevice`),
 * disconnecting it first. A phone that "forgot" this peripheral can only
 * pair again (with Just Works) once the bond is removed here too.
 *
 * It fails with %GP_ERROR_DOES_NOT_EXIST if BlueZ does not know the
 * device.
 *
 * Since: 0.1
 */
void
gp_device_remove_async (GpDevice            *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autofree char *adapter = NULL;

  g_return_if_fail (GP_IS_DEVICE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (self->adapter_path != NULL)
    adapter = g_strdup (self->adapter_path);
  else
    adapter = g_path_get_dirname (self->object_path);
  device_call (self, gp_device_remove_async, adapter, "org.bluez.Adapter1", "RemoveDevice",
               g_variant_new ("(o)", self->object_path), cancellable, callback, user_data);
}

/**
 * gp_device_remove_finish:
 * @self: a #GpDevice
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Device.remove_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
gp_device_remove_finish (GpDevice      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return device_finish (self, result, gp_device_remove_async, error);
}
