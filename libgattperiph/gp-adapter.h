/* gp-adapter.h: a Bluetooth adapter of BlueZ
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__GATTPERIPH_INSIDE__) && !defined(GATTPERIPH_COMPILATION)
#error "Only <gattperiph.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gp-version-macros.h"

G_BEGIN_DECLS

#define GP_TYPE_ADAPTER (gp_adapter_get_type ())

GP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GpAdapter, gp_adapter, GP, ADAPTER, GObject)

GP_AVAILABLE_IN_ALL
GpAdapter       *gp_adapter_new_for_path    (GDBusConnection      *connection,
                                             const char           *object_path);
GP_AVAILABLE_IN_ALL
void             gp_adapter_find_async      (GDBusConnection      *connection,
                                             const char           *name,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GP_AVAILABLE_IN_ALL
GpAdapter       *gp_adapter_find_finish     (GAsyncResult         *result,
                                             GError              **error);
GP_AVAILABLE_IN_ALL
GDBusConnection *gp_adapter_get_connection  (GpAdapter            *self);
GP_AVAILABLE_IN_ALL
const char      *gp_adapter_get_object_path (GpAdapter            *self);
GP_AVAILABLE_IN_ALL
const char      *gp_adapter_get_interface_name (GpAdapter         *self);

G_END_DECLS
