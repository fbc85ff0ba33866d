/* gp-attribute-private.h: GpAttribute inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

G_BEGIN_DECLS

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
void         gp_attribute_handle_read          (GpAttribute            *self,
                                                GDBusMethodInvocation  *invocation,
                                                GVariant               *parameters);
void         gp_attribute_handle_write         (GpAttribute            *self,
                                                GDBusMethodInvocation  *invocation,
                                                GVariant               *parameters);
void         gp_attribute_set_handle_from_dbus (GpAttribute            *self,
                                                guint16                 handle);

G_END_DECLS
