/* gp-application.c: a GATT application registered with BlueZ
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-application-private.h"
#include "gp-attribute-private.h"
#include "gp-characteristic-private.h"
#include "gp-dbus-util-private.h"
#include "gp-descriptor-private.h"
#include "gp-export-private.h"
#include "gp-service-private.h"

#include <string.h>

/**
 * GpApplication:
 *
 * The root of one GATT application: its services, exported on D-Bus under
 * the application's object path and registered with BlueZ's GATT manager
 * on an adapter.
 *
 * ```c
 * g_autoptr(GpApplication) app = gp_application_new ("/com/example/heartrate");
 * g_autoptr(GpService) hrs = gp_service_new ("180d", TRUE, &error);
 * g_autoptr(GpCharacteristic) hrm =
 *   gp_characteristic_new ("2a37", GP_CHARACTERISTIC_FLAGS_READ |
 *                                  GP_CHARACTERISTIC_FLAGS_NOTIFY, &error);
 * gp_service_add_characteristic (hrs, hrm, &error);
 * gp_application_add_service (app, hrs, &error);
 * gp_application_register_async (app, NULL, NULL, on_registered, NULL);
 * ```
 *
 * Registration is asynchronous only: BlueZ reads the tree back (calls
 * `GetManagedObjects`) before it answers, so the main loop must run.
 * The tree is exported in declaration order, which is the order BlueZ
 * assigns handles in. BlueZ reads the tree once: services and
 * characteristics cannot be added while the application is registered
 * (unregister, change, and register again), but a service can be removed
 * (BlueZ then tells connected centrals with a Service Changed indication).
 *
 * Only BlueZ may call the exported objects: calls from other peers are
 * refused with `org.bluez.Error.NotPermitted`. If bluetoothd exits,
 * [property@Application:registered] turns %FALSE; when it comes back, the
 * application registers itself again (see
 * [property@Application:auto-register]) and the property turns %TRUE.
 *
 * Since: 0.1
 */

#define DEFAULT_NOTIFICATION_WINDOW 32

struct _GpApplication
{
  GObject          parent_instance;

  GDBusConnection *connection;
  char            *object_path;
  GPtrArray       *services;

  /* Registration */
  GpAdapter       *adapter;
  char            *bluez_owner;      /* unique name of bluetoothd */
  GpExport        *export;           /* the tree on D-Bus (gp-export.c) */
  GTask           *register_task;    /* while registering */
  guint            name_watch;
  guint            retry_source;
  guint            retries;
  gboolean         registered;
  gboolean         auto_register;    /* re-register after bluetoothd restarts */
  gboolean         wanted;           /* registered by the app, not yet unregistered */

  /* Notification pacing */
  GQueue           ready;            /* GpCharacteristic with values to send */
  GHashTable      *ready_set;
  GPtrArray       *unacked_tasks;    /* send_value tasks since the last ping */
  guint            window;
  guint            in_flight;        /* signals not yet confirmed by a ping */
  guint            unacked;          /* signals sent since the last ping */
  guint            pings_outstanding;
};

G_DEFINE_FINAL_TYPE (GpApplication, gp_application, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_OBJECT_PATH,
  PROP_ADAPTER,
  PROP_REGISTERED,
  PROP_NOTIFICATION_WINDOW,
  PROP_AUTO_REGISTER,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static void unexport_tree (GpApplication *self);

/* ------------------------------------------------------------------ */
/* D-Bus objects                                                        */

gboolean
gp_application_check_caller (GpApplication         *self,
                             GDBusMethodInvocation *invocation)
{
  return gp_dbus_check_caller (invocation, self != NULL ? self->bluez_owner : NULL);
}

/* Every change of bluetoothd's unique name goes through here, so that
 * whatever keeps a copy (the export's caller check, the pacer) follows. */
static void
set_bluez_owner (GpApplication *self,
                 const char    *owner)
{
  if (g_strcmp0 (self->bluez_owner, owner) == 0)
    return;
  g_free (self->bluez_owner);
  self->bluez_owner = g_strdup (owner);
  if (self->export != NULL)
    gp_export_set_owner (self->export, owner);
}

static gboolean
export_tree (GpApplication  *self,
             GError        **error)
{
  if (self->export == NULL)
    self->export = gp_export_new (self->connection, self->object_path);
  gp_export_set_owner (self->export, self->bluez_owner);
  return gp_export_tree (self->export, self->services, self, error);
}

static void
unexport_service (GpApplication *self,
                  GpService     *service,
                  gboolean       announce)
{
  if (self->export != NULL)
    gp_export_unexport_service (self->export, service, announce);
}

static void
unexport_tree (GpApplication *self)
{
  if (self->export != NULL)
    gp_export_unexport_tree (self->export);
}

/* ------------------------------------------------------------------ */
/* Notification pacing                                                  */

typedef struct
{
  GpApplication *self;
  GPtrArray     *tasks;
  guint          count;
} Ping;

static void flush_notifications (GpApplication *self);

static void
ping_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Ping *ping = user_data;
  GpApplication *self = ping->self;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  self->in_flight -= MIN (self->in_flight, ping->count);
  self->pings_outstanding--;
  for (guint i = 0; i < ping->tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (ping->tasks, i);
      if (reply != NULL)
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_new_error (task, GP_ERROR, GP_ERROR_NOT_READY,
                                 "BlueZ did not take the notification: %s", error->message);
    }

  flush_notifications (self);

  g_ptr_array_unref (ping->tasks);
  g_object_unref (ping->self);
  g_free (ping);
}

/* A round trip to bluetoothd: when it returns, bluetoothd has read every
 * signal sent before it (D-Bus keeps the order between two peers). */
static void
send_ping (GpApplication *self)
{
  Ping *ping = g_new0 (Ping, 1);

  ping->self = g_object_ref (self);
  ping->count = self->unacked;
  ping->tasks = g_steal_pointer (&self->unacked_tasks);
  self->unacked_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  self->unacked = 0;
  self->pings_outstanding++;

  g_dbus_connection_call (self->connection, self->bluez_owner, "/",
                          "org.freedesktop.DBus.Peer", "Ping",
                          NULL, NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL,
                          ping_done, ping);
}

/* One notification is one PropertiesChanged signal, emitted even when the
 * value repeats (generated skeletons would coalesce and drop those). */
static void
emit_value_changed (GpApplication    *self,
                    GpCharacteristic *characteristic,
                    GBytes           *value)
{
  GVariantBuilder changed;

  g_variant_builder_init (&changed, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&changed, "{sv}", "Value", gp_bytes_to_variant (value));
  g_dbus_connection_emit_signal (self->connection, NULL,
                                 gp_attribute_get_object_path (GP_ATTRIBUTE (characteristic)),
                                 "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                 g_variant_new ("(sa{sv}@as)", "org.bluez.GattCharacteristic1",
                                                &changed, g_variant_new_strv (NULL, 0)),
                                 NULL);
}

static void
flush_notifications (GpApplication *self)
{
  GpCharacteristic *chrc;

  while (self->in_flight < self->window && (chrc = g_queue_pop_head (&self->ready)) != NULL)
    {
      g_autoptr(GBytes) value = NULL;
      GTask *task = NULL;
      gboolean wants_confirm = FALSE;

      g_hash_table_remove (self->ready_set, chrc);
      if (gp_characteristic_take_notification (chrc, &value, &task, &wants_confirm))
        {
          if (!gp_characteristic_write_notify_sockets (chrc, value))
            emit_value_changed (self, chrc, value);
          self->in_flight++;
          self->unacked++;
          if (task != NULL)
            g_ptr_array_add (self->unacked_tasks, task);
          /* Round robin between characteristics. */
          if (gp_characteristic_has_notification (chrc))
            gp_application_queue_notification (self, chrc);
          if (self->unacked >= MAX (self->window / 2, 1))
            send_ping (self);
        }
      g_object_unref (chrc);
    }

  if (self->unacked > 0 && self->pings_outstanding == 0)
    send_ping (self);
}

void
gp_application_queue_notification (GpApplication    *self,
                                   GpCharacteristic *characteristic)
{
  if (self == NULL || g_hash_table_contains (self->ready_set, characteristic))
    return;
  g_hash_table_add (self->ready_set, characteristic);
  g_queue_push_tail (&self->ready, g_object_ref (characteristic));
  flush_notifications (self);
}

void
gp_application_cancel_notifications (GpApplication    *self,
                                     GpCharacteristic *characteristic)
{
  if (!g_hash_table_remove (self->ready_set, characteristic))
    return;
  g_queue_remove (&self->ready, characteristic);
  g_object_unref (characteristic);
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */

static void
stop_watching_bluez (GpApplication *self)
{
  if (self->name_watch != 0)
    {
      g_bus_unwatch_name (self->name_watch);
      self->name_watch = 0;
    }
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retries = 0;
}

static void
set_registered (GpApplication *self,
                gboolean       registered)
{
  if (self->registered == registered)
    return;
  self->registered = registered;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REGISTERED]);
}

static void
gp_application_dispose (GObject *object)
{
  GpApplication *self = GP_APPLICATION (object);

  stop_watching_bluez (self);
  if (self->registered && self->connection != NULL)
    g_dbus_connection_call (self->connection, self->bluez_owner,
                            gp_adapter_get_object_path (self->adapter),
                            "org.bluez.GattManager1", "UnregisterApplication",
                            g_variant_new ("(o)", self->object_path), NULL,
                            G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
  if (self->connection != NULL)
    unexport_tree (self);
  self->registered = FALSE;

  for (guint i = 0; i < self->services->len; i++)
    gp_service_set_application (g_ptr_array_index (self->services, i), NULL);
  g_ptr_array_set_size (self->services, 0);

  G_OBJECT_CLASS (gp_application_parent_class)->dispose (object);
}

static void
gp_application_finalize (GObject *object)
{
  GpApplication *self = GP_APPLICATION (object);

  g_queue_clear_full (&self->ready, g_object_unref);
  g_clear_pointer (&self->ready_set, g_hash_table_unref);
  g_clear_pointer (&self->unacked_tasks, g_ptr_array_unref);
  g_clear_object (&self->export);
  g_clear_pointer (&self->services, g_ptr_array_unref);
  g_clear_pointer (&self->object_path, g_free);
  set_bluez_owner (self, NULL);
  g_clear_object (&self->adapter);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (gp_application_parent_class)->finalize (object);
}

static void
gp_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  GpApplication *self = GP_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_OBJECT_PATH:
      g_value_set_string (value, self->object_path);
      break;
    case PROP_ADAPTER:
      g_value_set_object (value, self->adapter);
      break;
    case PROP_REGISTERED:
      g_value_set_boolean (value, self->registered);
      break;
    case PROP_NOTIFICATION_WINDOW:
      g_value_set_uint (value, self->window);
      break;
    case PROP_AUTO_REGISTER:
      g_value_set_boolean (value, self->auto_register);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gp_application_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  GpApplication *self = GP_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    case PROP_OBJECT_PATH:
      {
        const char *path = g_value_get_string (value);
        if (path != NULL && !g_variant_is_object_path (path))
          {
            g_critical ("“%s” is not a D-Bus object path", path);
            path = NULL;
          }
        self->object_path = g_strdup (path != NULL ? path : "/org/gattperiph/application");
      }
      break;
    case PROP_NOTIFICATION_WINDOW:
      gp_application_set_notification_window (self, g_value_get_uint (value));
      break;
    case PROP_AUTO_REGISTER:
      gp_application_set_auto_register (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gp_application_class_init (GpApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gp_application_dispose;
  object_class->finalize = gp_application_finalize;
  object_class->get_property = gp_application_get_property;
  object_class->set_property = gp_application_set_property;

  /**
   * GpApplication:connection:
   *
   * The D-Bus connection the application is exported on and registered
   * through. %NULL means the system bus, connected to at registration.
   *
   * Since: 0.1
   */
  props[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GpApplication:object-path:
   *
   * The object path the application is exported under, such as
   * `/com/example/heartrate`.
   *
   * Since: 0.1
   */
  props[PROP_OBJECT_PATH] =
    g_param_spec_string ("object-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GpApplication:adapter:
   *
   * The adapter the application is (or was last) registered on.
   *
   * Since: 0.1
   */
  props[PROP_ADAPTER] =
    g_param_spec_object ("adapter", NULL, NULL, GP_TYPE_ADAPTER,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GpApplication:registered:
   *
   * Whether BlueZ has the application registered. It turns %FALSE when
   * the application is unregistered, and when bluetoothd exits.
   *
   * Since: 0.1
   */
  props[PROP_REGISTERED] =
    g_param_spec_boolean ("registered", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GpApplication:notification-window:
   *
   * How many notifications may be on their way to bluetoothd at once,
   * before the application waits for a round trip to it. Values set faster
   * wait in each characteristic's backlog (see
   * [property@Characteristic:backlog]). Small windows bound memory in the
   * D-Bus daemon and bluetoothd; large ones raise throughput a little.
   *
   * Since: 0.1
   */
  props[PROP_NOTIFICATION_WINDOW] =
    g_param_spec_uint ("notification-window", NULL, NULL, 1, 4096, DEFAULT_NOTIFICATION_WINDOW,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GpApplication:auto-register:
   *
   * Whether the application registers itself again when bluetoothd comes
   * back after it exited or restarted (BlueZ drops every registration then,
   * without telling anyone). [property@Application:registered] follows.
   *
   * Since: 0.1
   */
  props[PROP_AUTO_REGISTER] =
    g_param_spec_boolean ("auto-register", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
gp_application_init (GpApplication *self)
{
  self->services = g_ptr_array_new_with_free_func (g_object_unref);
  self->ready_set = g_hash_table_new (NULL, NULL);
  self->unacked_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  self->window = DEFAULT_NOTIFICATION_WINDOW;
  self->auto_register = TRUE;
  g_queue_init (&self->ready);
}

/**
 * gp_application_new:
 * @object_path: the object path to export the application under
 *
 * Makes an application on the system bus.
 *
 * Returns: (transfer full): a new application
 *
 * Since: 0.1
 */
GpApplication *
gp_application_new (const char *object_path)
{
  g_return_val_if_fail (object_path != NULL && g_variant_is_object_path (object_path), NULL);

  return g_object_new (GP_TYPE_APPLICATION, "object-path", object_path, NULL);
}

/**
 * gp_application_new_for_connection:
 * @connection: the D-Bus connection to export on (the bus BlueZ is on)
 * @object_path: the object path to export the application under
 *
 * Makes an application on @connection.
 *
 * Returns: (transfer full): a new application
 *
 * Since: 0.1
 */
GpApplication *
gp_application_new_for_connection (GDBusConnection *connection,
                                   const char      *object_path)
{
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (object_path != NULL && g_variant_is_object_path (object_path), NULL);

  return g_object_new (GP_TYPE_APPLICATION,
                       "connection", connection,
                       "object-path", object_path,
                       NULL);
}

/**
 * gp_application_get_object_path:
 * @self: a #GpApplication
 *
 * The object path the application is exported under.
 *
 * Returns: the object path
 *
 * Since: 0.1
 */
const char *
gp_application_get_object_path (GpApplication *self)
{
  g_return_val_if_fail (GP_IS_APPLICATION (self), NULL);
  return self->object_path;
}

/**
 * gp_application_get_connection:
 * @self: a #GpApplication
 *
 * The D-Bus connection of the application.
 *
 * Returns: (transfer none) (nullable): the connection, or %NULL before the
 *   first registration on the default system bus
 *
 * Since: 0.1
 */
GDBusConnection *
gp_application_get_connection (GpApplication *self)
{
  g_return_val_if_fail (GP_IS_APPLICATION (self), NULL);
  return self->connection;
}

/**
 * gp_application_get_adapter:
 * @self: a #GpApplication
 *
 * The adapter the application is, or was last, registered on.
 *
 * Returns: (transfer none) (nullable): the adapter, or %NULL
 *
 * Since: 0.1
 */
GpAdapter *
gp_application_get_adapter (GpApplication *self)
{
  g_return_val_if_fail (GP_IS_APPLICATION (self), NULL);
  return self->adapter;
}

/**
 * gp_application_get_registered:
 * @self: a #GpApplication
 *
 * Whether BlueZ has the application registered.
 *
 * Returns: %TRUE while registered
 *
 * Since: 0.1
 */
gboolean
gp_application_get_registered (GpApplication *self)
{
  g_return_val_if_fail (GP_IS_APPLICATION (self), FALSE);
  return self->registered;
}

/**
 * gp_application_get_notification_window:
 * @self: a #GpApplication
 *
 * See [property@Application:notification-window].
 *
 * Returns: the notification window
 *
 * Since: 0.1
 */
guint
gp_application_get_notification_window (GpApplication *self)
{
  g_return_val_if_fail (GP_IS_APPLICATION (self), 0);
  return self->window;
}

/**
 * gp_application_set_notification_window:
 * @self: a #GpApplication
 * @window: how many notifications may be in flight, 1 to 4096
 *
 * Sets [property@Application:notification-window].
 *
 * Since: 0.1
 */
void
gp_application_set_notification_window (GpApplication *self,
                                        guint          window)
{
  g_return_if_fail (GP_IS_APPLICATION (self));
  g_return_if_fail (window >= 1 && window <= 4096);

  if (self->window == window)
    return;
  self->window = window;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_NOTIFICATION_WINDOW]);
  flush_notifications (self);
}

/**
 * gp_application_get_auto_register:
 * @self: a #GpApplication
 *
 * See [property@Application:auto-register].
 *
 * Returns: whether the application registers again after bluetoothd restarts
 *
 * Since: 0.1
 */
gboolean
gp_application_get_auto_register (GpApplication *self)
{
  g_return_val_if_fail (GP_IS_APPLICATION (self), FALSE);
  return self->auto_register;
}

/**
 * gp_application_set_auto_register:
 * @self: a #GpApplication
 * @auto_register: whether to register again after bluetoothd restarts
 *
 * Sets [property@Application:auto-register].
 *
 * Since: 0.1
 */
void
gp_application_set_auto_register (GpApplication *self,
                                  gboolean       auto_register)
{
  g_return_if_fail (GP_IS_APPLICATION (self));

  auto_register = !!auto_register;
  if (self->auto_register == auto_register)
    return;
  self->auto_register = auto_register;
  if (!auto_register)
    g_clear_handle_id (&self->retry_source, g_source_remove);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_AUTO_REGISTER]);
}

gboolean
gp_application_check_mutable (GpApplication  *self,
                              const char     *what,
                              GError        **error)
{
  if (self->registered || self->register_task != NULL)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_NOT_PERMITTED,
                   "Cannot %s while application %s is registered: BlueZ reads the "
                   "GATT tree once, at registration (unregister, change it, and "
                   "register again)", what, self->object_path);
      return FALSE;
    }
  return TRUE;
}

/**
 * gp_application_add_service:
 * @self: a #GpApplication
 * @service: a service that belongs to no application yet
 * @error: return location for a #GError
 *
 * Adds @service. Services are exported, and get their handles, in the
 * order they are added.
 *
 * Returns: %TRUE on success; %FALSE with @error set if @service is invalid
 *   or in another application, or the application is registered
 *
 * Since: 0.1
 */
gboolean
gp_application_add_service (GpApplication  *self,
                            GpService      *service,
                            GError        **error)
{
  g_return_val_if_fail (GP_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (GP_IS_SERVICE (service), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!gp_service_validate (service, error))
    return FALSE;
  if (gp_service_get_application (service) != NULL)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_ALREADY_EXISTS,
                   "Service %s already belongs to an application", gp_service_get_uuid (service));
      return FALSE;
    }
  if (!gp_application_check_mutable (self, "add a service", error))
    return FALSE;

  g_ptr_array_add (self->services, g_object_ref (service));
  gp_service_set_application (service, self);
  return TRUE;
}

/**
 * gp_application_remove_service:
 * @self: a #GpApplication
 * @service: one of its services
 * @error: return location for a #GError
 *
 * Removes @service. While the application is registered, BlueZ removes
 * the service from its database and sends Service Changed to connected
 * centrals.
 *
 * Returns: %TRUE on success; %FALSE with @error set if @service is not one
 *   of the application's, or another service includes it
 *
 * Since: 0.1
 */
gboolean
gp_application_remove_service (GpApplication  *self,
                               GpService      *service,
                               GError        **error)
{
  g_autoptr(GpService) keep = NULL;

  g_return_val_if_fail (GP_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (GP_IS_SERVICE (service), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (gp_service_get_application (service) != self)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_DOES_NOT_EXIST,
                   "Service %s does not belong to application %s",
                   gp_service_get_uuid (service), self->object_path);
      return FALSE;
    }
  for (guint i = 0; i < self->services->len; i++)
    {
      GpService *other = g_ptr_array_index (self->services, i);
      g_autoptr(GList) includes = gp_service_get_includes (other);

      if (other != service && g_list_find (includes, service) != NULL)
        {
          g_set_error (error, GP_ERROR, GP_ERROR_NOT_PERMITTED,
                       "Service %s is included by service %s: remove the include first",
                       gp_service_get_uuid (service), gp_service_get_uuid (other));
          return FALSE;
        }
    }
  if (self->register_task != NULL)
    return gp_application_check_mutable (self, "remove a service", error);

  keep = g_object_ref (service);
  if (self->registered)
    unexport_service (self, service, TRUE);
  gp_service_set_application (service, NULL);
  g_ptr_array_remove (self->services, service);
  return TRUE;
}

/**
 * gp_application_get_services:
 * @self: a #GpApplication
 *
 * The application's services, in the order they were added.
 *
 * Returns: (transfer container) (element-type GpService): the services
 *
 * Since: 0.1
 */
GList *
gp_application_get_services (GpApplication *self)
{
  GList *list = NULL;

  g_return_val_if_fail (GP_IS_APPLICATION (self), NULL);

  for (guint i = self->services->len; i > 0; i--)
    list = g_list_prepend (list, g_ptr_array_index (self->services, i - 1));
  return list;
}

/* What BlueZ would refuse, said before BlueZ says it less clearly. */
static gboolean
validate_tree (GpApplication  *self,
               GError        **error)
{
  if (self->services->len == 0)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                   "Application %s has no service: BlueZ refuses an empty application",
                   self->object_path);
      return FALSE;
    }

  for (guint i = 0; i < self->services->len; i++)
    {
      GpService *service = g_ptr_array_index (self->services, i);
      g_autoptr(GList) includes = gp_service_get_includes (service);
      g_autoptr(GList) chrcs = gp_service_get_characteristics (service);

      if (!gp_service_validate (service, error))
        return FALSE;

      for (GList *l = includes; l != NULL; l = l->next)
        {
          guint index;

          if (!g_ptr_array_find (self->services, l->data, &index))
            {
              g_set_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                           "Service %s includes service %s, which is not in the application: "
                           "BlueZ only resolves includes within one application",
                           gp_service_get_uuid (service), gp_service_get_uuid (l->data));
              return FALSE;
            }
          if (index > i)
            {
              g_set_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                           "Service %s includes service %s, which is added after it: add "
                           "included services to the application first (BlueZ resolves "
                           "includes in that order)",
                           gp_service_get_uuid (service), gp_service_get_uuid (l->data));
              return FALSE;
            }
        }

      for (GList *c = chrcs; c != NULL; c = c->next)
        {
          g_autoptr(GList) descs = gp_characteristic_get_descriptors (c->data);

          if (!gp_attribute_is_valid (c->data, error))
            return FALSE;
          for (GList *d = descs; d != NULL; d = d->next)
            if (!gp_attribute_is_valid (d->data, error))
              return FALSE;
        }
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Registration                                                         */

static void
on_bluez_vanished (GDBusConnection *connection,
                   const char      *name,
                   gpointer         user_data)
{
  GpApplication *self = user_data;

  if (!self->registered)
    return;
  g_debug ("BlueZ left the bus: application %s is no longer registered", self->object_path);
  if (!self->auto_register)
    stop_watching_bluez (self);
  unexport_tree (self);
  set_bluez_owner (self, NULL);
  set_registered (self, FALSE);
}

static void reregister (GpApplication *self);

static gboolean
retry_reregister (gpointer user_data)
{
  GpApplication *self = user_data;

  self->retry_source = 0;
  reregister (self);
  return G_SOURCE_REMOVE;
}

static void
reregister_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GpApplication *self = GP_APPLICATION (source);
  g_autoptr(GError) error = NULL;

  if (gp_application_register_finish (self, result, &error))
    {
      g_debug ("Application %s registered again after bluetoothd came back", self->object_path);
      self->retries = 0;
      return;
    }
  /* bluetoothd owns its name before its adapters and GATT managers are
   * back: try again for a while. */
  if (self->wanted && self->auto_register && self->retries < 40 &&
      !g_error_matches (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS) &&
      !g_error_matches (error, GP_ERROR, GP_ERROR_ALREADY_EXISTS))
    {
      self->retries++;
      self->retry_source = g_timeout_add (250, retry_reregister, self);
      return;
    }
  g_warning ("Could not register application %s again after bluetoothd came back: %s",
             self->object_path, error->message);
}

static void
reregister (GpApplication *self)
{
  if (!self->wanted || !self->auto_register || self->registered || self->register_task != NULL)
    return;
  gp_application_register_async (self, self->adapter, NULL, reregister_done, NULL);
}

static void
on_bluez_appeared (GDBusConnection *connection,
                   const char      *name,
                   const char      *name_owner,
                   gpointer         user_data)
{
  GpApplication *self = user_data;

  /* The first call reports the owner we registered with. */
  if (self->registered || self->retry_source != 0)
    return;
  self->retries = 0;
  reregister (self);
}

static void
register_failed (GpApplication *self,
                 GTask         *task,
                 GError        *error)
{
  unexport_tree (self);
  set_bluez_owner (self, NULL);
  g_clear_object (&self->register_task);
  g_task_return_error (task, error);
}

static void
register_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GpApplication *self = g_task_get_source_object (task);
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        /* BlueZ may still complete it: make sure it does not keep us. */
        g_dbus_connection_call (self->connection, self->bluez_owner,
                                gp_adapter_get_object_path (self->adapter),
                                "org.bluez.GattManager1", "UnregisterApplication",
                                g_variant_new ("(o)", self->object_path), NULL,
                                G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
      else
        {
          error = gp_dbus_error_from_bluez (error);
          g_prefix_error (&error, "BlueZ refused to register application %s on %s: ",
                          self->object_path, gp_adapter_get_object_path (self->adapter));
        }
      register_failed (self, task, error);
      return;
    }

  g_clear_object (&self->register_task);
  self->wanted = TRUE;
  if (self->name_watch == 0)
    self->name_watch = g_bus_watch_name_on_connection (self->connection, "org.bluez",
                                                       G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                       on_bluez_appeared, on_bluez_vanished,
                                                       self, NULL);
  set_registered (self, TRUE);
  g_task_return_boolean (task, TRUE);
}

static void
register_got_target (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GpApplication *self = g_task_get_source_object (task);
  g_autoptr(GpBluezTarget) target = NULL;
  GError *error = NULL;

  target = gp_bluez_target_resolve_finish (result, &error);
  if (target == NULL)
    {
      register_failed (self, task, error);
      return;
    }
  if (self->connection == NULL)
    {
      self->connection = g_object_ref (target->connection);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CONNECTION]);
    }
  g_set_object (&self->adapter, target->adapter);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ADAPTER]);
  set_bluez_owner (self, target->owner);

  if (!export_tree (self, &error))
    {
      register_failed (self, task, error);
      return;
    }

  g_dbus_connection_call (self->connection, self->bluez_owner,
                          gp_adapter_get_object_path (self->adapter),
                          "org.bluez.GattManager1", "RegisterApplication",
                          g_variant_new ("(o@a{sv})", self->object_path,
                                         g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0)),
                          NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, GP_REGISTER_TIMEOUT_MSEC,
                          g_task_get_cancellable (task), register_done, g_object_ref (task));
}

/**
 * gp_application_register_async:
 * @self: a #GpApplication
 * @adapter: (nullable): the adapter to register on, or %NULL for the first
 *   powered adapter that can serve GATT
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when BlueZ has answered
 * @user_data: data for @callback
 *
 * Exports the application's tree and registers it with BlueZ
 * (`org.bluez.GattManager1.RegisterApplication`). BlueZ reads the tree
 * during the call, so the thread-default main context must keep running.
 *
 * It fails with %GP_ERROR_ALREADY_EXISTS if the application is registered,
 * %GP_ERROR_IN_PROGRESS while a registration runs,
 * %GP_ERROR_INVALID_ARGUMENTS for a tree BlueZ would refuse (say which part,
 * and why), %GP_ERROR_NOT_READY if BlueZ is not running or no adapter is
 * powered, and with BlueZ's own error if BlueZ refuses.
 *
 * Since: 0.1
 */
void
gp_application_register_async (GpApplication       *self,
                               GpAdapter           *adapter,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (GP_IS_APPLICATION (self));
  g_return_if_fail (adapter == NULL || GP_IS_ADAPTER (adapter));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gp_application_register_async);

  if (self->registered)
    {
      g_task_return_new_error (task, GP_ERROR, GP_ERROR_ALREADY_EXISTS,
                               "Application %s is already registered", self->object_path);
      return;
    }
  if (self->register_task != NULL)
    {
      g_task_return_new_error (task, GP_ERROR, GP_ERROR_IN_PROGRESS,
                               "Application %s is being registered", self->object_path);
      return;
    }
  if (!validate_tree (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (adapter != NULL && self->connection != NULL &&
      gp_adapter_get_connection (adapter) != self->connection)
    {
      g_task_return_new_error (task, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                               "The adapter is on another D-Bus connection than application %s",
                               self->object_path);
      return;
    }

  self->register_task = g_object_ref (task);
  gp_bluez_target_resolve_async (self->connection, adapter, TRUE, cancellable,
                                 register_got_target, g_steal_pointer (&task));
}

/**
 * gp_application_register_finish:
 * @self: a #GpApplication
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Application.register_async].
 *
 * Returns: %TRUE if BlueZ registered the application
 *
 * Since: 0.1
 */
gboolean
gp_application_register_finish (GpApplication  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (GP_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gp_application_register_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
unregister_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GpApplication *self = g_task_get_source_object (task);
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  /* Whatever BlueZ says, the application is not registered any more. */
  self->wanted = FALSE;
  stop_watching_bluez (self);
  unexport_tree (self);
  set_bluez_owner (self, NULL);
  set_registered (self, FALSE);

  if (reply == NULL)
    {
      error = gp_dbus_error_from_bluez (error);
      /* BlueZ forgot us already (it restarted, or the adapter went). */
      if (g_error_matches (error, GP_ERROR, GP_ERROR_DOES_NOT_EXIST) ||
          g_error_matches (error, GP_ERROR, GP_ERROR_NOT_READY) ||
          g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
          g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD))
        g_clear_error (&error);
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * gp_application_unregister_async:
 * @self: a #GpApplication
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when done
 * @user_data: data for @callback
 *
 * Unregisters the application from BlueZ and stops exporting it. BlueZ
 * removes its services and tells connected centrals (Service Changed).
 *
 * It fails with %GP_ERROR_DOES_NOT_EXIST if the application is not
 * registered.
 *
 * Since: 0.1
 */
void
gp_application_unregister_async (GpApplication       *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GP_IS_APPLICATION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gp_application_unregister_async);

  if (!self->registered)
    {
      g_task_return_new_error (task, GP_ERROR, GP_ERROR_DOES_NOT_EXIST,
                               "Application %s is not registered", self->object_path);
      return;
    }

  g_dbus_connection_call (self->connection, self->bluez_owner,
                          gp_adapter_get_object_path (self->adapter),
                          "org.bluez.GattManager1", "UnregisterApplication",
                          g_variant_new ("(o)", self->object_path), NULL,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, cancellable,
                          unregister_done, g_steal_pointer (&task));
}

/**
 * gp_application_unregister_finish:
 * @self: a #GpApplication
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Application.unregister_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
gp_application_unregister_finish (GpApplication  *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  g_return_val_if_fail (GP_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gp_application_unregister_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
