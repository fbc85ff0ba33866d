/* gp-service-private.h: GpService inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

G_BEGIN_DECLS

void         gp_service_set_application        (GpService              *self,
                                                GpApplication          *application);
GpApplication *gp_service_get_application      (GpService              *self);
void         gp_service_set_exported           (GpService              *self,
                                                const char             *object_path);
const char  *gp_service_get_object_path        (GpService              *self);
gboolean     gp_service_validate               (GpService              *self,
                                                GError                **error);
void         gp_service_get_dbus_properties    (GpService              *self,
                                                GVariantBuilder        *builder);
void         gp_service_set_assigned_handle    (GpService              *self,
                                                guint16                 handle);

/* The handle asked of BlueZ (0: none), whatever BlueZ assigned. */
guint16      gp_service_get_requested_handle   (GpService              *self);

G_END_DECLS
