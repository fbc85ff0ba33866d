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
#include "gp-notify-pacer-private.h"
#include "gp-registration-private.h"
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
 * refused with `org.bluez.Error.NotPermitted`. If bluetoothd exits or the
 * adapter goes away, [property@Application:registration-state] turns
 * %GP_REGISTRATION_STATE_LOST (and [property@Application:registered]
 * %FALSE); when bluetoothd or the adapter comes back, the application
 * registers itself again (see [property@Application:auto-register]).
 * [signal@Application::registration-changed] tells every change, and why.
 *
 * Since: 0.1
 */

/* 64: in bench Part 4 (both BlueZ releases, 2026-12-02) 32 gave 0.86-0.93x
 * the C floor's rate on the signal path and 2.1-2.4x its CPU per value on
 * the socket path, 64 gave 1.06-1.10x and 1.33-1.34x: a round trip costs
 * bluetoothd and the application more than the values it releases. Memory
 * stayed flat, and bluetoothd answered D-Bus within 57-85 ms (median). */
#define DEFAULT_NOTIFICATION_WINDOW 64

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
  GpRegistration  *registration;     /* the lifecycle with BlueZ */

  GpNotifyPacer   *pacer;            /* notification pacing */
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
  PROP_REGISTRATION_STATE,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static const GpRegistrationVTable registration_vtable;

enum {
  SIGNAL_REGISTRATION_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void unexport_tree (GpApplication *self);

/* ------------------------------------------------------------------ */
/* D-Bus objects                                                        */

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
  gp_notify_pacer_set_target (self->pacer, self->connection, owner);
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

GpNotifyPacer *
gp_application_get_notify_pacer (GpApplication *self)
{
  return self->pacer;
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */

static void
gp_application_dispose (GObject *object)
{
  GpApplication *self = GP_APPLICATION (object);

  /* Unregisters from BlueZ if registered; nothing calls back. */
  g_clear_pointer (&self->registration, gp_registration_free);
  if (self->connection != NULL)
    unexport_tree (self);

  for (guint i = 0; i < self->services->len; i++)
    gp_service_set_application (g_ptr_array_index (self->services, i), NULL);
  g_ptr_array_set_size (self->services, 0);

  G_OBJECT_CLASS (gp_application_parent_class)->dispose (object);
}

static void
gp_application_finalize (GObject *object)
{
  GpApplication *self = GP_APPLICATION (object);

  g_clear_object (&self->export);
  g_clear_pointer (&self->services, g_ptr_array_unref);
  g_clear_pointer (&self->object_path, g_free);
  set_bluez_owner (self, NULL);
  g_clear_object (&self->pacer);
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
      g_value_set_boolean (value, gp_application_get_registered (self));
      break;
    case PROP_REGISTRATION_STATE:
      g_value_set_enum (value, gp_application_get_registration_state (self));
      break;
    case PROP_NOTIFICATION_WINDOW:
      g_value_set_uint (value, gp_notify_pacer_get_window (self->pacer));
      break;
    case PROP_AUTO_REGISTER:
      g_value_set_boolean (value, gp_application_get_auto_register (self));
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
   * Whether BlueZ has the application registered: the same as
   * [property@Application:registration-state] being
   * %GP_REGISTRATION_STATE_REGISTERED. It turns %FALSE when the
   * application is unregistered, when bluetoothd exits and when the
   * adapter goes away, and %TRUE again when the application registered
   * itself again (see [property@Application:auto-register]).
   *
   * Since: 0.1
   */
  props[PROP_REGISTERED] = gp_registration_pspec_registered ();

  /**
   * GpApplication:registration-state:
   *
   * Where the application stands with BlueZ; every change is also
   * announced by [signal@Application::registration-changed], with the
   * reason.
   *
   * Since: 0.1
   */
  props[PROP_REGISTRATION_STATE] = gp_registration_pspec_state ();

  /**
   * GpApplication:notification-window:
   *
   * How many notifications may be on their way to bluetoothd at once,
   * before the application waits for a round trip to it. Values set faster
   * wait in each characteristic's backlog (see
   * [property@Characteristic:backlog]). Small windows bound memory in the
   * D-Bus daemon and bluetoothd; large ones raise throughput a little.
   * A notification written to an AcquireNotify socket (see
   * [property@Characteristic:acquire-notify]) counts as a quarter of one.
   *
   * This is the most the application uses: it starts with a quarter of
   * the window, opens up to all of it while bluetoothd answers its round
   * trips within 250 ms, and halves what it uses when a round trip takes
   * more than a second, so that a slow bluetoothd (a small board, a loaded
   * machine) keeps answering D-Bus calls while notifications flow.
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
   * back after it exited or restarted, or when its adapter comes back
   * (BlueZ drops every registration then, without telling anyone).
   * [property@Application:registration-state] follows.
   *
   * Since: 0.1
   */
  props[PROP_AUTO_REGISTER] = gp_registration_pspec_auto_register ();

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * GpApplication::registration-changed:
   * @self: the application
   * @state: the new [property@Application:registration-state]
   * @reason: why it changed
   *
   * The registration state changed: registered (at the program's request,
   * or again after bluetoothd or the adapter came back), lost (bluetoothd
   * exited, the adapter went away) or unregistered.
   *
   * Since: 0.1
   */
  signals[SIGNAL_REGISTRATION_CHANGED] = gp_registration_signal_new (G_TYPE_FROM_CLASS (klass));
}

static void
gp_application_init (GpApplication *self)
{
  self->services = g_ptr_array_new_with_free_func (g_object_unref);
  self->pacer = gp_notify_pacer_new (DEFAULT_NOTIFICATION_WINDOW);
  self->registration = gp_registration_new (G_OBJECT (self), &registration_vtable,
                                            props[PROP_REGISTERED],
                                            props[PROP_REGISTRATION_STATE],
                                            signals[SIGNAL_REGISTRATION_CHANGED]);
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
  return self->registration != NULL && gp_registration_get_registered (self->registration);
}

/**
 * gp_application_get_registration_state:
 * @self: a #GpApplication
 *
 * See [property@Application:registration-state].
 *
 * Returns: where the application stands with BlueZ
 *
 * Since: 0.1
 */
GpRegistrationState
gp_application_get_registration_state (GpApplication *self)
{
  g_return_val_if_fail (GP_IS_APPLICATION (self), GP_REGISTRATION_STATE_UNREGISTERED);
  return self->registration != NULL ? gp_registration_get_state (self->registration)
                                    : GP_REGISTRATION_STATE_UNREGISTERED;
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
  return gp_notify_pacer_get_window (self->pacer);
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

  if (gp_notify_pacer_get_window (self->pacer) == window)
    return;
  gp_notify_pacer_set_window (self->pacer, window);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_NOTIFICATION_WINDOW]);
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
  return self->registration != NULL && gp_registration_get_auto_register (self->registration);
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

  if (self->registration != NULL &&
      gp_registration_set_auto_register (self->registration, auto_register))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_AUTO_REGISTER]);
}

gboolean
gp_application_check_mutable (GpApplication  *self,
                              const char     *what,
                              GError        **error)
{
  if (gp_application_get_registered (self) ||
      (self->registration != NULL && gp_registration_get_busy (self->registration)))
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
  if (gp_registration_get_busy (self->registration))
    return gp_application_check_mutable (self, "remove a service", error);

  keep = g_object_ref (service);
  if (gp_application_get_registered (self))
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

/* What GpRegistration calls: export the tree and register it on @target. */
static void
registered_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GpApplication *self = g_task_get_source_object (task);
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      error = gp_dbus_error_from_bluez (error);
      g_prefix_error (&error, "BlueZ refused to register application %s on %s: ",
                      self->object_path, gp_adapter_get_object_path (self->adapter));
    }
  g_task_return_error (task, error);
}

static void
registration_register_async (GObject             *object,
                             GpBluezTarget       *target,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GpApplication *self = GP_APPLICATION (object);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  if (self->connection == NULL)
    {
      self->connection = g_object_ref (target->connection);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CONNECTION]);
    }
  if (g_set_object (&self->adapter, target->adapter))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ADAPTER]);
  set_bluez_owner (self, target->owner);

  /* The tree may have changed while BlueZ did not have it. */
  if (!validate_tree (self, &error) || !export_tree (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_dbus_connection_call (self->connection, self->bluez_owner,
                          gp_adapter_get_object_path (self->adapter),
                          "org.bluez.GattManager1", "RegisterApplication",
                          g_variant_new ("(o@a{sv})", self->object_path,
                                         g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0)),
                          NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, GP_REGISTER_TIMEOUT_MSEC,
                          cancellable, registered_cb, g_steal_pointer (&task));
}

static gboolean
registration_register_finish (GObject       *object,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* BlueZ does not have the application (any more). */
static void
registration_dropped (GObject              *object,
                      GpRegistrationReason  reason)
{
  GpApplication *self = GP_APPLICATION (object);

  if (self->connection != NULL)
    unexport_tree (self);
  set_bluez_owner (self, NULL);
}

static const GpRegistrationVTable registration_vtable = {
  .what = "Application",
  .manager_interface = "org.bluez.GattManager1",
  .unregister_method = "UnregisterApplication",
  .on_adapter = TRUE,
  .register_async = registration_register_async,
  .register_finish = registration_register_finish,
  .dropped = registration_dropped,
};

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

  if (!gp_application_get_registered (self) && !gp_registration_get_busy (self->registration) &&
      !validate_tree (self, &error))
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
  gp_registration_register (self->registration, task, self->connection, adapter,
                            self->object_path);
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
 * If BlueZ lost the application (%GP_REGISTRATION_STATE_LOST), it stops
 * the application from registering itself again, and succeeds. It fails
 * with %GP_ERROR_DOES_NOT_EXIST if the application is not registered, and
 * %GP_ERROR_IN_PROGRESS while [method@Application.register_async] runs.
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
  gp_registration_unregister (self->registration, task);
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
