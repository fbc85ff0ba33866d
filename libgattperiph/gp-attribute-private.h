/* gp-attribute-private.h: GpAttribute inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

G_BEGIN_DECLS

/* What a subclass tells the base class and the D-Bus export, without the
 * public class structure: private class data (g_type_add_class_private),
 * copied into every subclass, including those written in other languages. */
typedef struct
{
  const char         *interface_name;   /* org.bluez.Gatt…1 */
  GDBusInterfaceInfo *interface_info;
  /* Whether BlueZ accepts the attribute (the UUID is checked before). */
  gboolean (*validate)            (GpAttribute            *self,
                                   GError                **error);
  /* The subclass's own D-Bus properties (UUID and Handle are added by
   * the base class). */
  void     (*add_dbus_properties) (GpAttribute            *self,
                                   GVariantBuilder        *builder);
  /* A method call on the exported object; the default answers ReadValue
   * and WriteValue. Takes over @invocation. */
  void     (*method_call)         (GpAttribute            *self,
                                   GDBusMethodInvocation  *invocation,
                                   const char             *method,
                                   GVariant               *parameters);
  /* The application set a new value (stored already). */
  void     (*value_set)           (GpAttribute            *self,
                                   GBytes                 *value);
} GpAttributeClassPrivate;

GpAttributeClassPrivate *gp_attribute_class_get_private (gpointer               klass);

void         gp_attribute_set_exported         (GpAttribute            *self,
                                                GpApplication          *application,
                                                const char             *object_path);
const char  *gp_attribute_get_object_path      (GpAttribute            *self);
GpApplication *gp_attribute_get_application    (GpAttribute            *self);
gboolean     gp_attribute_is_valid             (GpAttribute            *self,
                                                GError                **error);
void         gp_attribute_store_value          (GpAttribute            *self,
                                                GBytes                 *value);
GBytes      *gp_attribute_dup_value            (GpAttribute            *self);
gboolean     gp_attribute_reads_stored_value   (GpAttribute            *self);
void         gp_attribute_get_dbus_properties  (GpAttribute            *self,
                                                GVariantBuilder        *builder);
void         gp_attribute_method_call          (GpAttribute            *self,
                                                GDBusMethodInvocation  *invocation,
                                                const char             *method,
                                                GVariant               *parameters);
void         gp_attribute_handle_read          (GpAttribute            *self,
                                                GDBusMethodInvocation  *invocation,
                                                GVariant               *parameters);
void         gp_attribute_handle_write         (GpAttribute            *self,
                                                GDBusMethodInvocation  *invocation,
                                                GVariant               *parameters);
void         gp_attribute_set_assigned_handle  (GpAttribute            *self,
                                                guint16                 handle);

/* The handle asked of BlueZ (0: none), whatever BlueZ assigned. */
guint16      gp_attribute_get_requested_handle (GpAttribute          *self);

G_END_DECLS
