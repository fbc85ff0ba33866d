/* gp-service.c: a GATT service
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-service-private.h"
#include "gp-application-private.h"
#include "gp-attribute-private.h"
#include "gp-characteristic-private.h"
#include "gp-uuid-private.h"

/**
 * GpService:
 *
 * A GATT service: a UUID, primary or secondary, characteristics, and the
 * other services of the same application it includes.
 *
 * ```c
 * g_autoptr(GpService) hrs = gp_service_new ("180d", TRUE, &error);
 * gp_service_add_characteristic (hrs, hrm, &error);
 * gp_application_add_service (app, hrs, &error);
 * ```
 *
 * Characteristics are exported, and get their handles, in the order they
 * are added. An included service must be added to the application before
 * the service that includes it (BlueZ resolves includes in that order).
 * BlueZ owns the GAP (0x1800) and GATT (0x1801) services.
 *
 * Since: 0.1
 */
struct _GpService
{
  GObject        parent_instance;

  char          *uuid;
  GError        *uuid_error;
  GPtrArray     *characteristics;
  GPtrArray     *includes;
  GpApplication *application;   /* weak: it holds us */
  char          *object_path;   /* set while exported */
  guint16        requested_handle;  /* asked of BlueZ at registration, or 0 */
  guint16        assigned_handle;   /* what BlueZ wrote back, while exported */
  gboolean       primary;
};

static void gp_service_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GpService, gp_service, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      gp_service_initable_iface_init))

enum {
  PROP_0,
  PROP_UUID,
  PROP_PRIMARY,
  PROP_HANDLE,
  PROP_APPLICATION,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

gboolean
gp_service_validate (GpService  *self,
                     GError    **error)
{
  guint32 short_uuid;

  if (self->uuid_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->uuid_error));
      return FALSE;
    }
  if (gp_uuid_get_short (self->uuid, &short_uuid) &&
      (short_uuid == 0x1800 || short_uuid == 0x1801))
    {
      g_set_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                   "BlueZ owns the %s service (0x%04x) and refuses another one; "
                   "set the device name with the adapter's alias instead",
                   short_uuid == 0x1800 ? "GAP" : "GATT", short_uuid);
      return FALSE;
    }
  return TRUE;
}

static gboolean
gp_service_initable_init (GInitable     *initable,
                          GCancellable  *cancellable,
                          GError       **error)
{
  return gp_service_validate (GP_SERVICE (initable), error);
}

static void
gp_service_initable_iface_init (GInitableIface *iface)
{
  iface->init = gp_service_initable_init;
}

static void
gp_service_dispose (GObject *object)
{
  GpService *self = GP_SERVICE (object);

  for (guint i = 0; i < self->characteristics->len; i++)
    gp_characteristic_set_service (g_ptr_array_index (self->characteristics, i), NULL);
  g_ptr_array_set_size (self->characteristics, 0);
  g_ptr_array_set_size (self->includes, 0);

  G_OBJECT_CLASS (gp_service_parent_class)->dispose (object);
}

static void
gp_service_finalize (GObject *object)
{
  GpService *self = GP_SERVICE (object);

  g_clear_pointer (&self->uuid, g_free);
  g_clear_error (&self->uuid_error);
  g_clear_pointer (&self->characteristics, g_ptr_array_unref);
  g_clear_pointer (&self->includes, g_ptr_array_unref);
  g_clear_pointer (&self->object_path, g_free);

  G_OBJECT_CLASS (gp_service_parent_class)->finalize (object);
}

static void
gp_service_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  GpService *self = GP_SERVICE (object);

  switch (prop_id)
    {
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;
    case PROP_PRIMARY:
      g_value_set_boolean (value, self->primary);
      break;
    case PROP_HANDLE:
      g_value_set_uint (value, gp_service_get_handle (self));
      break;
    case PROP_APPLICATION:
      g_value_set_object (value, self->application);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gp_service_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  GpService *self = GP_SERVICE (object);
  g_autoptr(GError) error = NULL;

  switch (prop_id)
    {
    case PROP_UUID:
      {
        const char *uuid = g_value_get_string (value);

        g_clear_pointer (&self->uuid, g_free);
        g_clear_error (&self->uuid_error);
        if (uuid == NULL)
          g_set_error_literal (&self->uuid_error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                               "A service needs a UUID");
        else if ((self->uuid = gp_uuid_normalize (uuid, &error)) == NULL)
          {
            self->uuid = g_strdup (uuid);
            self->uuid_error = g_steal_pointer (&error);
          }
      }
      break;
    case PROP_PRIMARY:
      self->primary = g_value_get_boolean (value);
      break;
    case PROP_HANDLE:
      if (!gp_service_set_handle (self, g_value_get_uint (value), &error))
        g_warning ("Cannot set the handle of service %s: %s", self->uuid, error->message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gp_service_class_init (GpServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gp_service_dispose;
  object_class->finalize = gp_service_finalize;
  object_class->get_property = gp_service_get_property;
  object_class->set_property = gp_service_set_property;

  /**
   * GpService:uuid:
   *
   * The service's UUID, normalised to the lowercase 128-bit form.
   *
   * Since: 0.1
   */
  props[PROP_UUID] =
    g_param_spec_string ("uuid", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GpService:primary:
   *
   * Whether the service is primary (found by discovery) or secondary (only
   * reachable through another service's include).
   *
   * Since: 0.1
   */
  props[PROP_PRIMARY] =
    g_param_spec_boolean ("primary", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GpService:handle:
   *
   * The handle of the service declaration: while the application is
   * registered, the one BlueZ assigned; otherwise the one set to ask BlueZ
   * for a fixed handle at registration, or 0 to let BlueZ choose (a handle
   * BlueZ assigned is never asked for again).
   *
   * Since: 0.1
   */
  props[PROP_HANDLE] =
    g_param_spec_uint ("handle", NULL, NULL, 0, G_MAXUINT16, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GpService:application:
   *
   * The application the service was added to, if any.
   *
   * Since: 0.1
   */
  props[PROP_APPLICATION] =
    g_param_spec_object ("application", NULL, NULL, GP_TYPE_APPLICATION,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
gp_service_init (GpService *self)
{
  self->primary = TRUE;
  self->characteristics = g_ptr_array_new_with_free_func (g_object_unref);
  self->includes = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * gp_service_new:
 * @uuid: the service's UUID (16-, 32- or 128-bit)
 * @primary: %TRUE for a primary service, %FALSE for a secondary one
 * @error: return location for a #GError
 *
 * Makes a service.
 *
 * Returns: (transfer full): a new service, or %NULL with @error set
 *   (%GP_ERROR_INVALID_ARGUMENTS) if @uuid is malformed or names a service
 *   BlueZ owns (GAP 0x1800, GATT 0x1801)
 *
 * Since: 0.1
 */
GpService *
gp_service_new (const char  *uuid,
                gboolean     primary,
                GError     **error)
{
  g_return_val_if_fail (uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (GP_TYPE_SERVICE, NULL, error,
                         "uuid", uuid,
                         "primary", primary,
                         NULL);
}

/**
 * gp_service_get_uuid:
 * @self: a #GpService
 *
 * The service's UUID in the lowercase 128-bit form.
 *
 * Returns: the UUID
 *
 * Since: 0.1
 */
const char *
gp_service_get_uuid (GpService *self)
{
  g_return_val_if_fail (GP_IS_SERVICE (self), NULL);
  return self->uuid;
}

/**
 * gp_service_get_primary:
 * @self: a #GpService
 *
 * Whether the service is primary.
 *
 * Returns: %TRUE for a primary service
 *
 * Since: 0.1
 */
gboolean
gp_service_get_primary (GpService *self)
{
  g_return_val_if_fail (GP_IS_SERVICE (self), FALSE);
  return self->primary;
}

/**
 * gp_service_get_handle:
 * @self: a #GpService
 *
 * The handle of the service declaration: while registered, the one BlueZ
 * assigned; otherwise the one requested with [method@Service.set_handle],
 * or 0.
 *
 * Returns: the handle
 *
 * Since: 0.1
 */
guint
gp_service_get_handle (GpService *self)
{
  g_return_val_if_fail (GP_IS_SERVICE (self), 0);
  return self->assigned_handle != 0 ? self->assigned_handle : self->requested_handle;
}

/**
 * gp_service_set_handle:
 * @self: a #GpService
 * @handle: the handle to ask BlueZ for, or 0 to let it choose
 * @error: return location for a #GError
 *
 * Asks BlueZ for a fixed handle for the service declaration.
 *
 * Returns: %TRUE on success; %FALSE with %GP_ERROR_NOT_PERMITTED while the
 *   service is registered
 *
 * Since: 0.1
 */
gboolean
gp_service_set_handle (GpService  *self,
                       guint       handle,
                       GError    **error)
{
  g_return_val_if_fail (GP_IS_SERVICE (self), FALSE);
  g_return_val_if_fail (handle <= G_MAXUINT16, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->object_path != NULL)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_NOT_PERMITTED,
                   "The handle of service %s cannot change while it is registered", self->uuid);
      return FALSE;
    }
  if (self->requested_handle != handle)
    {
      self->requested_handle = handle;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_HANDLE]);
    }
  return TRUE;
}

/* The handle bluetoothd wrote back; kept apart from the requested one
 * (see gp_attribute_set_assigned_handle()). */
void
gp_service_set_assigned_handle (GpService *self,
                                guint16    handle)
{
  guint old = gp_service_get_handle (self);

  self->assigned_handle = handle;
  if (gp_service_get_handle (self) != old)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_HANDLE]);
}

static gboolean
check_mutable (GpService   *self,
               const char  *what,
               GError     **error)
{
  return self->application == NULL ||
         gp_application_check_mutable (self->application, what, error);
}

/**
 * gp_service_add_characteristic:
 * @self: a #GpService
 * @characteristic: a characteristic that belongs to no service yet
 * @error: return location for a #GError
 *
 * Adds @characteristic to the service.
 *
 * Returns: %TRUE on success; %FALSE with @error set if @characteristic is
 *   invalid or already in a service, or the application is registered
 *
 * Since: 0.1
 */
gboolean
gp_service_add_characteristic (GpService         *self,
                               GpCharacteristic  *characteristic,
                               GError           **error)
{
  g_return_val_if_fail (GP_IS_SERVICE (self), FALSE);
  g_return_val_if_fail (GP_IS_CHARACTERISTIC (characteristic), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!gp_attribute_is_valid (GP_ATTRIBUTE (characteristic), error))
    return FALSE;
  if (gp_characteristic_get_service (characteristic) != NULL)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_ALREADY_EXISTS,
                   "Characteristic %s already belongs to a service",
                   gp_attribute_get_uuid (GP_ATTRIBUTE (characteristic)));
      return FALSE;
    }
  if (!check_mutable (self, "add a characteristic", error))
    return FALSE;

  g_ptr_array_add (self->characteristics, g_object_ref (characteristic));
  gp_characteristic_set_service (characteristic, self);
  return TRUE;
}

/**
 * gp_service_remove_characteristic:
 * @self: a #GpService
 * @characteristic: one of its characteristics
 * @error: return location for a #GError
 *
 * Removes @characteristic from the service.
 *
 * Returns: %TRUE on success; %FALSE with @error set if it is not one of the
 *   service's characteristics, or the application is registered
 *
 * Since: 0.1
 */
gboolean
gp_service_remove_characteristic (GpService         *self,
                                  GpCharacteristic  *characteristic,
                                  GError           **error)
{
  g_return_val_if_fail (GP_IS_SERVICE (self), FALSE);
  g_return_val_if_fail (GP_IS_CHARACTERISTIC (characteristic), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (gp_characteristic_get_service (characteristic) != self)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_DOES_NOT_EXIST,
                   "Characteristic %s does not belong to service %s",
                   gp_attribute_get_uuid (GP_ATTRIBUTE (characteristic)), self->uuid);
      return FALSE;
    }
  if (!check_mutable (self, "remove a characteristic", error))
    return FALSE;

  gp_characteristic_set_service (characteristic, NULL);
  g_ptr_array_remove (self->characteristics, characteristic);
  return TRUE;
}

static GList *
ptr_array_to_list (GPtrArray *array)
{
  GList *list = NULL;

  for (guint i = array->len; i > 0; i--)
    list = g_list_prepend (list, g_ptr_array_index (array, i - 1));
  return list;
}

/**
 * gp_service_get_characteristics:
 * @self: a #GpService
 *
 * The service's characteristics, in the order they were added.
 *
 * Returns: (transfer container) (element-type GpCharacteristic): the
 *   characteristics
 *
 * Since: 0.1
 */
GList *
gp_service_get_characteristics (GpService *self)
{
  g_return_val_if_fail (GP_IS_SERVICE (self), NULL);
  return ptr_array_to_list (self->characteristics);
}

static gboolean
includes_transitively (GpService *self,
                       GpService *target)
{
  if (self == target)
    return TRUE;
  for (guint i = 0; i < self->includes->len; i++)
    if (includes_transitively (g_ptr_array_index (self->includes, i), target))
      return TRUE;
  return FALSE;
}

/**
 * gp_service_add_include:
 * @self: a #GpService
 * @included: another service of the same application
 * @error: return location for a #GError
 *
 * Makes @self include @included (an Include declaration). Both must be
 * added to the same application, @included first, by the time the
 * application registers.
 *
 * Returns: %TRUE on success; %FALSE with @error set for a service that
 *   includes itself (directly or not), is already included, or while the
 *   application is registered
 *
 * Since: 0.1
 */
gboolean
gp_service_add_include (GpService  *self,
                        GpService  *included,
                        GError    **error)
{
  g_return_val_if_fail (GP_IS_SERVICE (self), FALSE);
  g_return_val_if_fail (GP_IS_SERVICE (included), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (includes_transitively (included, self))
    {
      g_set_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                   "Service %s cannot include service %s: that would make a cycle",
                   self->uuid, included->uuid);
      return FALSE;
    }
  if (g_ptr_array_find (self->includes, included, NULL))
    {
      g_set_error (error, GP_ERROR, GP_ERROR_ALREADY_EXISTS,
                   "Service %s already includes service %s", self->uuid, included->uuid);
      return FALSE;
    }
  if (!check_mutable (self, "change the includes of a service", error))
    return FALSE;

  g_ptr_array_add (self->includes, g_object_ref (included));
  return TRUE;
}

/**
 * gp_service_remove_include:
 * @self: a #GpService
 * @included: a service @self includes
 * @error: return location for a #GError
 *
 * Removes an include.
 *
 * Returns: %TRUE on success; %FALSE with @error set if @self does not
 *   include @included, or while the application is registered
 *
 * Since: 0.1
 */
gboolean
gp_service_remove_include (GpService  *self,
                           GpService  *included,
                           GError    **error)
{
  g_return_val_if_fail (GP_IS_SERVICE (self), FALSE);
  g_return_val_if_fail (GP_IS_SERVICE (included), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_ptr_array_find (self->includes, included, NULL))
    {
      g_set_error (error, GP_ERROR, GP_ERROR_DOES_NOT_EXIST,
                   "Service %s does not include service %s", self->uuid, included->uuid);
      return FALSE;
    }
  if (!check_mutable (self, "change the includes of a service", error))
    return FALSE;

  g_ptr_array_remove (self->includes, included);
  return TRUE;
}

/**
 * gp_service_get_includes:
 * @self: a #GpService
 *
 * The services @self includes.
 *
 * Returns: (transfer container) (element-type GpService): the included services
 *
 * Since: 0.1
 */
GList *
gp_service_get_includes (GpService *self)
{
  g_return_val_if_fail (GP_IS_SERVICE (self), NULL);
  return ptr_array_to_list (self->includes);
}

void
gp_service_set_application (GpService     *self,
                            GpApplication *application)
{
  if (self->application == application)
    return;
  self->application = application;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_APPLICATION]);
}

GpApplication *
gp_service_get_application (GpService *self)
{
  return self->application;
}

void
gp_service_set_exported (GpService  *self,
                         const char *object_path)
{
  g_free (self->object_path);
  self->object_path = g_strdup (object_path);
  if (object_path == NULL)
    gp_service_set_assigned_handle (self, 0);
}

const char *
gp_service_get_object_path (GpService *self)
{
  return self != NULL ? self->object_path : "/";
}

void
gp_service_get_dbus_properties (GpService       *self,
                                GVariantBuilder *builder)
{
  GVariantBuilder includes;

  g_variant_builder_init (&includes, G_VARIANT_TYPE_OBJECT_PATH_ARRAY);
  for (guint i = 0; i < self->includes->len; i++)
    {
      GpService *inc = g_ptr_array_index (self->includes, i);
      if (inc->object_path != NULL)
        g_variant_builder_add (&includes, "o", inc->object_path);
    }

  g_variant_builder_add (builder, "{sv}", "UUID", g_variant_new_string (self->uuid));
  g_variant_builder_add (builder, "{sv}", "Primary", g_variant_new_boolean (self->primary));
  g_variant_builder_add (builder, "{sv}", "Includes", g_variant_builder_end (&includes));
  g_variant_builder_add (builder, "{sv}", "Handle", g_variant_new_uint16 (self->requested_handle));
}

guint16
gp_service_get_requested_handle (GpService *self)
{
  return self->requested_handle;
}
