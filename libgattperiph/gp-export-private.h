/* gp-export-private.h: the D-Bus export of an application's GATT tree
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

G_BEGIN_DECLS

#define GP_TYPE_EXPORT (gp_export_get_type ())
G_DECLARE_FINAL_TYPE (GpExport, gp_export, GP, EXPORT, GObject)

GpExport    *gp_export_new                     (GDBusConnection        *connection,
                                                const char             *object_path);
/* bluetoothd's unique name: the only peer the tree answers. */
void         gp_export_set_owner               (GpExport               *self,
                                                const char             *owner);
/* Exports @services (of GpService), in that order, under the object path. */
gboolean     gp_export_tree                    (GpExport               *self,
                                                GPtrArray              *services,
                                                GpApplication          *application,
                                                GError                **error);
void         gp_export_unexport_service        (GpExport               *self,
                                                GpService              *service,
                                                gboolean                announce);
void         gp_export_unexport_tree           (GpExport               *self);

G_END_DECLS
