/* gp-descriptor.c: a GATT descriptor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-descriptor-private.h"
#include "gp-attribute-private.h"
#include "gp-dbus-util-private.h"
#include "gp-uuid-private.h"

#include <string.h>

/**
 * GpDescriptor:
 *
 * A GATT descriptor of a [class@Characteristic]: a UUID, flags and a value,
 * read and written like a characteristic (see [class@Attribute]).
 *
 * ```c
 * g_autoptr(GpDescriptor) desc =
 *   gp_descriptor_new_user_description ("Heart rate in bpm", &error);
 * gp_characteristic_add_descriptor (hrm, desc, &error);
 * ```
 *
 * BlueZ adds the Client Characteristic Configuration descriptor (0x2902)
 * for characteristics that notify or indicate, and the Characteristic
 * Extended Properties descriptor (0x2900) when needed: declaring either is
 * an error.
 *
 * Since: 0.1
 */

#define ALL_FLAGS ((GP_DESCRIPTOR_FLAGS_AUTHORIZE << 1) - 1)

static const char * const flag_names[] = {
  "read",
  "write",
  "encrypt-read",
  "encrypt-write",
  "encrypt-authenticated-read",
  "encrypt-authenticated-write",
  "secure-read",
  "secure-write",
  "authorize",
};

typedef struct
{
  GpDescriptorFlags  flags;
  GpCharacteristic  *characteristic;   /* weak: it holds us */
} GpDescriptorPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (GpDescriptor, gp_descriptor, GP_TYPE_ATTRIBUTE)

enum {
  PROP_0,
  PROP_FLAGS,
  PROP_CHARACTERISTIC,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static void
gp_descriptor_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  GpDescriptor *self = GP_DESCRIPTOR (object);
  GpDescriptorPrivate *priv = gp_descriptor_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_FLAGS:
      g_value_set_flags (value, priv->flags);
      break;
    case PROP_CHARACTERISTIC:
      g_value_set_object (value, priv->characteristic);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gp_descriptor_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  GpDescriptor *self = GP_DESCRIPTOR (object);
  GpDescriptorPrivate *priv = gp_descriptor_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_FLAGS:
      priv->flags = g_value_get_flags (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean gp_descriptor_validate (GpAttribute  *attr,
                                        GError      **error);
static void gp_descriptor_add_dbus_properties (GpAttribute     *attr,
                                               GVariantBuilder *builder);

static void
gp_descriptor_class_init (GpDescriptorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GpAttributeClassPrivate *attr_class = gp_attribute_class_get_private (klass);

  attr_class->interface_name = "org.bluez.GattDescriptor1";
  attr_class->interface_info = GP_BLUEZ_INTERFACE_INFO (gatt_descriptor1);
  attr_class->validate = gp_descriptor_validate;
  attr_class->add_dbus_properties = gp_descriptor_add_dbus_properties;

  object_class->get_property = gp_descriptor_get_property;
  object_class->set_property = gp_descriptor_set_property;

  /**
   * GpDescriptor:flags:
   *
   * The descriptor's permissions.
   *
   * Since: 0.1
   */
  props[PROP_FLAGS] =
    g_param_spec_flags ("flags", NULL, NULL,
                        GP_TYPE_DESCRIPTOR_FLAGS, GP_DESCRIPTOR_FLAGS_NONE,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GpDescriptor:characteristic:
   *
   * The characteristic the descriptor belongs to, if any.
   *
   * Since: 0.1
   */
  props[PROP_CHARACTERISTIC] =
    g_param_spec_object ("characteristic", NULL, NULL, GP_TYPE_CHARACTERISTIC,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
gp_descriptor_init (GpDescriptor *self)
{
}

/**
 * gp_descriptor_new:
 * @uuid: the descriptor's UUID (16-, 32- or 128-bit)
 * @flags: its permissions
 * @error: return location for a #GError
 *
 * Makes a descriptor.
 *
 * Returns: (transfer full): a new descriptor, or %NULL with @error set
 *   (%GP_ERROR_INVALID_ARGUMENTS) if @uuid is malformed or owned by BlueZ
 *   (0x2902, 0x2900), or BlueZ would refuse @flags
 *
 * Since: 0.1
 */
GpDescriptor *
gp_descriptor_new (const char         *uuid,
                   GpDescriptorFlags   flags,
                   GError            **error)
{
  g_return_val_if_fail (uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (GP_TYPE_DESCRIPTOR, NULL, error,
                         "uuid", uuid,
                         "flags", flags,
                         NULL);
}

/**
 * gp_descriptor_new_user_description:
 * @description: the text a central shows for the characteristic (UTF-8)
 * @error: return location for a #GError
 *
 * Makes a read-only Characteristic User Description descriptor (0x2901)
 * holding @description.
 *
 * Returns: (transfer full): a new descriptor, or %NULL with @error set if
 *   @description is longer than 512 bytes
 *
 * Since: 0.1
 */
GpDescriptor *
gp_descriptor_new_user_description (const char  *description,
                                    GError     **error)
{
  g_autoptr(GpDescriptor) self = NULL;

  g_return_val_if_fail (description != NULL, NULL);
  g_return_val_if_fail (g_utf8_validate (description, -1, NULL), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = gp_descriptor_new ("2901", GP_DESCRIPTOR_FLAGS_READ, error);
  if (self == NULL)
    return NULL;
  if (!gp_attribute_set_value_data (GP_ATTRIBUTE (self), (const guint8 *) description,
                                    strlen (description), error))
    return NULL;
  return g_steal_pointer (&self);
}

static gboolean
gp_descriptor_validate (GpAttribute  *attr,
                        GError      **error)
{
  GpDescriptorPrivate *priv = gp_descriptor_get_instance_private (GP_DESCRIPTOR (attr));
  const char *uuid = gp_attribute_get_uuid (attr);
  guint32 short_uuid;

  if (gp_uuid_get_short (uuid, &short_uuid))
    {
      if (short_uuid == 0x2902)
        {
          g_set_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                       "BlueZ adds the Client Characteristic Configuration descriptor "
                       "(0x2902) itself: give the characteristic a notify or indicate "
                       "flag instead of declaring it");
          return FALSE;
        }
      if (short_uuid == 0x2900)
        {
          g_set_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                       "BlueZ adds the Characteristic Extended Properties descriptor "
                       "(0x2900) itself: give the characteristic the reliable-write or "
                       "writable-auxiliaries flag instead of declaring it");
          return FALSE;
        }
    }
  if (priv->flags == 0)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                   "Descriptor %s has no flags: BlueZ refuses an empty Flags array "
                   "(give at least “read” or “write”)", uuid);
      return FALSE;
    }
  return TRUE;
}

static void
gp_descriptor_add_dbus_properties (GpAttribute     *attr,
                                   GVariantBuilder *builder)
{
  GpDescriptorPrivate *priv = gp_descriptor_get_instance_private (GP_DESCRIPTOR (attr));

  gp_vardict_add (builder, "Characteristic",
                  g_variant_new_object_path (gp_attribute_get_object_path (GP_ATTRIBUTE (priv->characteristic))));
  gp_vardict_add (builder, "Flags", gp_flags_to_strv_variant (flag_names, G_N_ELEMENTS (flag_names), priv->flags));
}

void
gp_descriptor_set_characteristic (GpDescriptor     *self,
                                  GpCharacteristic *characteristic)
{
  GpDescriptorPrivate *priv = gp_descriptor_get_instance_private (self);

  if (priv->characteristic == characteristic)
    return;
  priv->characteristic = characteristic;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CHARACTERISTIC]);
}

/**
 * gp_descriptor_get_flags:
 * @self: a #GpDescriptor
 *
 * The descriptor's flags.
 *
 * Returns: the flags
 *
 * Since: 0.1
 */
GpDescriptorFlags
gp_descriptor_get_flags (GpDescriptor *self)
{
  GpDescriptorPrivate *priv;

  g_return_val_if_fail (GP_IS_DESCRIPTOR (self), 0);

  priv = gp_descriptor_get_instance_private (self);
  return priv->flags;
}

/**
 * gp_descriptor_get_characteristic:
 * @self: a #GpDescriptor
 *
 * The characteristic the descriptor was added to.
 *
 * Returns: (transfer none) (nullable): the characteristic, or %NULL
 *
 * Since: 0.1
 */
GpCharacteristic *
gp_descriptor_get_characteristic (GpDescriptor *self)
{
  GpDescriptorPrivate *priv;

  g_return_val_if_fail (GP_IS_DESCRIPTOR (self), NULL);

  priv = gp_descriptor_get_instance_private (self);
  return priv->characteristic;
}
