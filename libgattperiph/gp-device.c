/* gp-device.c: a remote Bluetooth device (a central) known to BlueZ
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-device-private.h"
#include "gp-dbus-util-private.h"
#include "gp-bluez-client-private.h"

#include <string.h>

/**
 * GpDevice:
 *
 * A remote device BlueZ knows (`org.bluez.Device1`): for a peripheral, a
 * central that is connected, or was, or is bonded.
 *
 * Its properties follow BlueZ: the library follows BlueZ's objects once per
 * D-Bus connection and thread-default main context (one `GetManagedObjects`,
 * then BlueZ's signals), and every #GpAdapter and #GpDevice made there reads
 * from that. There is one #GpDevice per device, connection and main
 * context, so the device handed to [signal@Adapter::device-connected] is
 * the one [method@Request.get_device] returns. Its signals are emitted in
 * the thread-default main context of the thread it was made in.
 *
 * When BlueZ forgets the device (or its adapter or bluetoothd goes), the
 * object keeps the properties BlueZ last gave, with
 * [property@Device:connected] %FALSE, and follows BlueZ again if the
 * device comes back.
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
  GpBluezClient   *client;
  GDBusProxy      *proxy;     /* Device1 as BlueZ last said; kept when it goes */
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

/* The Device1 property behind each GObject property. */
static const char * const bluez_names[N_PROPS] = {
  [PROP_ADAPTER_PATH] = "Adapter",
  [PROP_ADDRESS] = "Address",
  [PROP_ADDRESS_TYPE] = "AddressType",
  [PROP_REMOTE_NAME] = "Name",
  [PROP_ALIAS] = "Alias",
  [PROP_CONNECTED] = "Connected",
  [PROP_PAIRED] = "Paired",
  [PROP_BONDED] = "Bonded",
  [PROP_TRUSTED] = "Trusted",
};

/* BlueZ listed the device (again): its properties are @proxy's. */
void
gp_device_set_proxy (GpDevice   *self,
                     GDBusProxy *proxy)
{
  g_autoptr(GDBusProxy) old = g_steal_pointer (&self->proxy);

  if (old == proxy)
    {
      self->proxy = g_steal_pointer (&old);
      return;
    }
  self->proxy = g_object_ref (proxy);
  gp_bluez_notify (G_OBJECT (self), props, bluez_names, N_PROPS, old, proxy, NULL, NULL);
}

/* BlueZ changed properties of the device. */
void
gp_device_changed (GpDevice           *self,
                   GVariant           *changed,
                   const char * const *invalidated)
{
  gp_bluez_notify (G_OBJECT (self), props, bluez_names, N_PROPS, NULL, self->proxy, changed, invalidated);
}

/* BlueZ forgot the device (or its adapter went, or bluetoothd): it keeps
 * its last properties, disconnected. */
void
gp_device_set_gone (GpDevice *self)
{
  if (self->proxy == NULL || !gp_device_get_connected (self))
    return;
  g_dbus_proxy_set_cached_property (self->proxy, "Connected", g_variant_new_boolean (FALSE));
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CONNECTED]);
}

static void
gp_device_constructed (GObject *object)
{
  GpDevice *self = GP_DEVICE (object);
  GDBusProxy *proxy;

  G_OBJECT_CLASS (gp_device_parent_class)->constructed (object);

  if (self->connection == NULL || self->object_path == NULL)
    return;
  self->client = gp_bluez_client_get (self->connection);
  gp_bluez_client_add_device (self->client, self);
  proxy = gp_bluez_client_lookup (self->client, self->object_path, GP_BLUEZ_DEVICE_INTERFACE);
  if (proxy != NULL)
    self->proxy = g_object_ref (proxy);
}

static void
gp_device_finalize (GObject *object)
{
  GpDevice *self = GP_DEVICE (object);

  if (self->client != NULL)
    gp_bluez_client_remove_device (self->client, self);
  g_clear_object (&self->client);
  g_clear_object (&self->proxy);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->object_path, g_free);

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
    default:
      if (prop_id < N_PROPS && bluez_names[prop_id] != NULL)
        gp_bluez_proxy_get_value (self->proxy, bluez_names[prop_id], value);
      else
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
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

/* The one GpDevice for @object_path on @connection (and the thread-default
 * main context): its properties follow BlueZ as soon as it lists the
 * device. */
GpDevice *
gp_device_get_for_path (GDBusConnection *connection,
                        const char      *object_path)
{
  g_autoptr(GpBluezClient) client = gp_bluez_client_get (connection);
  GpDevice *device = gp_bluez_client_lookup_device (client, object_path);

  if (device != NULL)
    return g_object_ref (device);
  return g_object_new (GP_TYPE_DEVICE, "connection", connection, "object-path", object_path, NULL);
}

/**
 * gp_device_new_for_path:
 * @connection: the D-Bus connection to BlueZ
 * @object_path: the device's object path
 *
 * Gets the device object for @object_path. Its properties are read from
 * BlueZ in the background (they notify when they arrive), unless the
 * library follows BlueZ already: there is one #GpDevice per device,
 * connection and thread-default main context.
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

  return gp_device_get_for_path (connection, object_path);
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
  return gp_bluez_proxy_get_string (self->proxy, "Adapter");
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
  return gp_bluez_proxy_get_string (self->proxy, "Address");
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
  return gp_bluez_proxy_get_string (self->proxy, "AddressType");
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
  return gp_bluez_proxy_get_string (self->proxy, "Name");
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
  return gp_bluez_proxy_get_string (self->proxy, "Alias");
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
  return gp_bluez_proxy_get_boolean (self->proxy, "Connected");
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
  return gp_bluez_proxy_get_boolean (self->proxy, "Paired");
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
  return gp_bluez_proxy_get_boolean (self->proxy, "Bonded");
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
  return gp_bluez_proxy_get_boolean (self->proxy, "Trusted");
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

  if (gp_device_get_adapter_path (self) != NULL)
    adapter = g_strdup (gp_device_get_adapter_path (self));
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
