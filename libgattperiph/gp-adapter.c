/* gp-adapter.c: a Bluetooth adapter of BlueZ
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-dbus-util-private.h"
#include "gp-device-private.h"
#include "gp-bluez-client-private.h"

#include <string.h>

/**
 * GpAdapter:
 *
 * A Bluetooth adapter (a controller, `hci0`) as BlueZ exports it
 * (`org.bluez.Adapter1`). Applications and advertisements are registered on
 * an adapter.
 *
 * Its properties are kept in sync with BlueZ (`PropertiesChanged`): the
 * library follows BlueZ's objects once per D-Bus connection and
 * thread-default main context, and every adapter and [class@Device] made
 * there reads from that (see [func@Adapter.find_async]). Signals are
 * emitted in the thread-default main context of the thread the adapter
 * was made in. It tells when a central connects or disconnects
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
  GpBluezClient   *client;
  GDBusProxy      *proxy;            /* Adapter1 as BlueZ last said; kept when it goes */
  gboolean         present;
  gboolean         loaded;           /* BlueZ's objects were read once: arrivals are news */

  GHashTable      *devices;          /* object path -> GpDevice */
  GHashTable      *connected;        /* object paths announced connected */
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

/* The Adapter1 property behind each GObject property. */
static const char * const bluez_names[N_PROPS] = {
  [PROP_ADDRESS] = "Address",
  [PROP_SYSTEM_NAME] = "Name",
  [PROP_ALIAS] = "Alias",
  [PROP_POWERED] = "Powered",
  [PROP_DISCOVERABLE] = "Discoverable",
  [PROP_DISCOVERABLE_TIMEOUT] = "DiscoverableTimeout",
  [PROP_PAIRABLE] = "Pairable",
  [PROP_PAIRABLE_TIMEOUT] = "PairableTimeout",
};

enum {
  SIGNAL_DEVICE_CONNECTED,
  SIGNAL_DEVICE_DISCONNECTED,
  SIGNAL_VANISHED,
  SIGNAL_APPEARED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */
/* Following BlueZ (through the GpBluezClient of the connection)        */

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

/* Announces a change of the device's Connected (never twice). */
static void
sync_connected (GpAdapter *self,
                GpDevice  *device,
                gboolean   announce)
{
  const char *path = gp_device_get_object_path (device);
  gboolean now = gp_device_get_connected (device);

  if (now == g_hash_table_contains (self->connected, path))
    return;
  if (now)
    {
      g_hash_table_add (self->connected, g_strdup (path));
      if (announce)
        g_signal_emit (self, signals[SIGNAL_DEVICE_CONNECTED], 0, device);
    }
  else
    {
      g_hash_table_remove (self->connected, path);
      g_signal_emit (self, signals[SIGNAL_DEVICE_DISCONNECTED], 0, device);
    }
}

static void
device_added (GpAdapter  *self,
              const char *path,
              gboolean    announce)
{
  GpDevice *device = g_hash_table_lookup (self->devices, path);

  if (device == NULL)
    {
      device = gp_device_get_for_path (self->connection, path);
      g_hash_table_insert (self->devices, g_strdup (path), device);
    }
  sync_connected (self, device, announce);
}

static void
device_removed (GpAdapter  *self,
                const char *path)
{
  g_autoptr(GpDevice) device = NULL;
  g_autofree char *key = NULL;

  if (!g_hash_table_steal_extended (self->devices, path, (gpointer *) &key, (gpointer *) &device))
    return;
  gp_device_set_gone (device);
  sync_connected (self, device, TRUE);
}

static void
adapter_gone (GpAdapter *self)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  if (!self->present)
    return;
  g_hash_table_iter_init (&iter, self->devices);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (paths, g_strdup (key));
  for (guint i = 0; i < paths->len; i++)
    device_removed (self, paths->pdata[i]);
  set_present (self, FALSE);
  g_signal_emit (self, signals[SIGNAL_VANISHED], 0);
}

static void
on_proxy_added (GpBluezClient *client,
                GDBusProxy    *proxy,
                GpAdapter     *self)
{
  const char *path = g_dbus_proxy_get_object_path (proxy);

  if (strcmp (g_dbus_proxy_get_interface_name (proxy), GP_BLUEZ_ADAPTER_INTERFACE) == 0)
    {
      g_autoptr(GDBusProxy) old = NULL;

      if (strcmp (path, self->object_path) != 0)
        return;
      old = g_steal_pointer (&self->proxy);
      self->proxy = g_object_ref (proxy);
      gp_bluez_notify (G_OBJECT (self), props, bluez_names, N_PROPS, old, proxy, NULL, NULL);
      if (!self->present)
        {
          set_present (self, TRUE);
          if (self->loaded)
            g_signal_emit (self, signals[SIGNAL_APPEARED], 0);
        }
    }
  else if (is_my_device (self, path))
    device_added (self, path, self->loaded);
}

static void
on_proxy_removed (GpBluezClient *client,
                  GDBusProxy    *proxy,
                  GpAdapter     *self)
{
  if (proxy == self->proxy)
    adapter_gone (self);
  else if (strcmp (g_dbus_proxy_get_interface_name (proxy), GP_BLUEZ_DEVICE_INTERFACE) == 0)
    device_removed (self, g_dbus_proxy_get_object_path (proxy));
}

static void
on_proxy_changed (GpBluezClient      *client,
                  GDBusProxy         *proxy,
                  GVariant           *changed,
                  const char * const *invalidated,
                  GpAdapter          *self)
{
  GpDevice *device;

  if (proxy == self->proxy)
    gp_bluez_notify (G_OBJECT (self), props, bluez_names, N_PROPS, NULL, proxy, changed, invalidated);
  else if ((device = g_hash_table_lookup (self->devices, g_dbus_proxy_get_object_path (proxy))) != NULL)
    sync_connected (self, device, TRUE);
}

static void
on_loaded (GpBluezClient *client,
           GpAdapter     *self)
{
  self->loaded = TRUE;
}

static void
gp_adapter_constructed (GObject *object)
{
  GpAdapter *self = GP_ADAPTER (object);
  g_autoptr(GList) devices = NULL;

  G_OBJECT_CLASS (gp_adapter_parent_class)->constructed (object);

  if (self->connection == NULL || self->object_path == NULL)
    return;
  self->client = gp_bluez_client_get (self->connection);
  g_signal_connect (self->client, "proxy-added", G_CALLBACK (on_proxy_added), self);
  g_signal_connect (self->client, "proxy-removed", G_CALLBACK (on_proxy_removed), self);
  g_signal_connect (self->client, "proxy-changed", G_CALLBACK (on_proxy_changed), self);
  g_signal_connect (self->client, "loaded", G_CALLBACK (on_loaded), self);

  /* What the client knows already (everything, after a find). */
  self->loaded = gp_bluez_client_get_loaded (self->client);
  self->proxy = gp_bluez_client_lookup (self->client, self->object_path, GP_BLUEZ_ADAPTER_INTERFACE);
  if (self->proxy == NULL)
    return;
  g_object_ref (self->proxy);
  self->present = TRUE;
  devices = gp_bluez_client_get_proxies (self->client, GP_BLUEZ_DEVICE_INTERFACE);
  for (GList *l = devices; l != NULL; l = l->next)
    if (is_my_device (self, g_dbus_proxy_get_object_path (l->data)))
      device_added (self, g_dbus_proxy_get_object_path (l->data), FALSE);
}

static void
gp_adapter_dispose (GObject *object)
{
  GpAdapter *self = GP_ADAPTER (object);

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_hash_table_remove_all (self->devices);
  g_hash_table_remove_all (self->connected);

  G_OBJECT_CLASS (gp_adapter_parent_class)->dispose (object);
}

static void
gp_adapter_finalize (GObject *object)
{
  GpAdapter *self = GP_ADAPTER (object);

  g_clear_object (&self->client);
  g_clear_object (&self->proxy);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->object_path, g_free);
  g_clear_pointer (&self->devices, g_hash_table_unref);
  g_clear_pointer (&self->connected, g_hash_table_unref);

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
    case PROP_PRESENT:
      g_value_set_boolean (value, self->present);
      break;
    default:
      if (prop_id < N_PROPS && bluez_names[prop_id] != NULL)
        gp_bluez_proxy_get_value (self->proxy, bluez_names[prop_id], value);
      else
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
   * %GP_ADVERTISEMENT_INCLUDES_LOCAL_NAME advertises). Setting it asks
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
  self->connected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * gp_adapter_new_for_path:
 * @connection: the D-Bus connection to BlueZ (usually the system bus)
 * @object_path: the adapter's object path, such as `/org/bluez/hci0`
 *
 * Makes an adapter object for a known path, without waiting for BlueZ.
 * If the library already follows BlueZ on @connection in the
 * thread-default main context (another adapter or device made there is
 * alive), the adapter knows its properties and devices at once; otherwise
 * they arrive in the background ([property@Adapter:present] turns %TRUE).
 * While an application or advertisement is being registered on the
 * adapter, that background read waits until BlueZ has answered the
 * registration (bluetoothd answers one call after the other, and the
 * registration is what start-up waits for), unless something needs the
 * objects sooner, such as [func@Adapter.find_async].
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

GpBluezClient *
gp_adapter_get_bluez_client (GpAdapter *adapter)
{
  return adapter->client;
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

typedef struct
{
  GpBluezClient *client;
  char          *name;
} FindData;

static void
find_data_free (FindData *data)
{
  g_clear_object (&data->client);
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

/* The adapter @name designates among those BlueZ lists, or the first
 * powered one that can serve GATT. */
static const char *
find_in (GpBluezClient  *client,
         const char     *name,
         GError        **error)
{
  g_autoptr(GList) adapters = gp_bluez_client_get_proxies (client, GP_BLUEZ_ADAPTER_INTERFACE);
  const char *first_powered = NULL;

  for (GList *l = adapters; l != NULL; l = l->next)
    {
      const char *path = g_dbus_proxy_get_object_path (l->data);
      const char *address = gp_bluez_proxy_get_string (l->data, "Address");
      const char *slash = strrchr (path, '/');

      if (name != NULL)
        {
          if (strcmp (name, path) == 0 || (slash != NULL && strcmp (name, slash + 1) == 0) ||
              (address != NULL && g_ascii_strcasecmp (name, address) == 0))
            return path;
        }
      else if (gp_bluez_proxy_get_boolean (l->data, "Powered") &&
               gp_bluez_client_has_interface (client, path, "org.bluez.GattManager1") &&
               (first_powered == NULL || adapter_path_before (path, first_powered)))
        first_powered = path;
    }
  if (first_powered != NULL)
    return first_powered;

  if (name != NULL)
    g_set_error (error, GP_ERROR, GP_ERROR_NOT_AVAILABLE,
                 "BlueZ has no adapter “%s” (give an interface name such as "
                 "hci0, an address, or an object path)", name);
  else if (adapters != NULL)
    g_set_error_literal (error, GP_ERROR, GP_ERROR_NOT_READY,
                         "No Bluetooth adapter is powered: power one on "
                         "(bluetoothctl power on) or name the one to use");
  else
    g_set_error_literal (error, GP_ERROR, GP_ERROR_NOT_AVAILABLE,
                         "BlueZ reports no Bluetooth adapter");
  return NULL;
}

static void
find_client_ready (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FindData *data = g_task_get_task_data (task);
  GError *error = NULL;
  const char *found;

  if (!gp_bluez_client_wait_finish (data->client, result, &error) ||
      (found = find_in (data->client, data->name, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* The client knows everything: the adapter is complete at once. */
  g_task_return_pointer (task, gp_adapter_new_for_path (gp_bluez_client_get_connection (data->client), found),
                         g_object_unref);
}

static void
find_with_connection (GTask           *task,
                      GDBusConnection *connection)
{
  FindData *data = g_task_get_task_data (task);

  data->client = gp_bluez_client_get (connection);
  gp_bluez_client_wait_async (data->client, g_task_get_cancellable (task),
                              find_client_ready, g_object_ref (task));
}

static void
find_got_bus (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GDBusConnection) connection = NULL;
  GError *error = NULL;

  connection = g_bus_get_finish (result, &error);
  if (connection == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  find_with_connection (task, connection);
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
 * Looks up an adapter BlueZ knows. The adapter it finds knows its
 * properties and devices at once.
 *
 * BlueZ's objects are read once per connection and thread-default main
 * context and then followed, as long as an adapter or device made there is
 * alive: a second lookup, or the adapter of a registration, asks BlueZ
 * nothing.
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
  FindData *data;

  g_return_if_fail (connection == NULL || G_IS_DBUS_CONNECTION (connection));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, gp_adapter_find_async);

  data = g_new0 (FindData, 1);
  data->name = g_strdup (name);
  g_task_set_task_data (task, data, (GDestroyNotify) find_data_free);

  if (connection != NULL)
    find_with_connection (task, connection);
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
  return gp_bluez_proxy_get_string (self->proxy, "Address");
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
  return gp_bluez_proxy_get_string (self->proxy, "Name");
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
  return gp_bluez_proxy_get_string (self->proxy, "Alias");
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
  return gp_bluez_proxy_get_boolean (self->proxy, "Powered");
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
  return gp_bluez_proxy_get_boolean (self->proxy, "Discoverable");
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
  return gp_bluez_proxy_get_uint (self->proxy, "DiscoverableTimeout");
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
  return gp_bluez_proxy_get_boolean (self->proxy, "Pairable");
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
  return gp_bluez_proxy_get_uint (self->proxy, "PairableTimeout");
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
