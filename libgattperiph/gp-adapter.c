/* gp-adapter.c: a Bluetooth adapter of BlueZ
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-private.h"

#include <string.h>

/**
 * GpAdapter:
 *
 * A Bluetooth adapter (a controller, `hci0`) as BlueZ exports it
 * (`org.bluez.Adapter1`). Applications and advertisements are registered on
 * an adapter.
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
};

G_DEFINE_FINAL_TYPE (GpAdapter, gp_adapter, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_OBJECT_PATH,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static void
gp_adapter_finalize (GObject *object)
{
  GpAdapter *self = GP_ADAPTER (object);

  g_clear_object (&self->connection);
  g_clear_pointer (&self->object_path, g_free);

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
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

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
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gp_adapter_class_init (GpAdapterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

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

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
gp_adapter_init (GpAdapter *self)
{
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
  while (found == NULL && g_variant_iter_loop (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr(GVariant) adapter = g_variant_lookup_value (interfaces, "org.bluez.Adapter1",
                                                            G_VARIANT_TYPE_VARDICT);
      g_autoptr(GVariant) gatt = g_variant_lookup_value (interfaces, "org.bluez.GattManager1",
                                                         G_VARIANT_TYPE_VARDICT);
      const char *address = NULL;
      const char *slash;
      gboolean powered = FALSE;

      if (adapter == NULL)
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
      else if (powered && gatt != NULL && first_powered == NULL)
        first_powered = g_strdup (path);
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

  g_task_return_pointer (task, gp_adapter_new_for_path (data->connection, found), g_object_unref);
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
